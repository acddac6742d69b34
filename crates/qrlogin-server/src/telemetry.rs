//! Metrics (Prometheus) and the per-request middleware that feeds them.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process-wide recorder: metrics are global in the `metrics` crate, and several
/// servers in one test process share it.
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder once; later calls are no-ops.
pub fn init() {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may be installed by an embedding program; then ours only
        // renders what it recorded (nothing), which is harmless.
        let _ = metrics::set_global_recorder(recorder);
        handle
    });
}

/// The current metrics in Prometheus text format.
pub fn render() -> String {
    HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// Counts requests by method, route template (never the raw path: it holds ids) and
/// status, and records their duration.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    // The route template, never the raw path or query: no id or token reaches the log.
    tracing::debug!(%method, %route, %status, elapsed_ms = start.elapsed().as_secs_f64() * 1000.0, "request");
    metrics::counter!("qrlogin_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("qrlogin_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}
