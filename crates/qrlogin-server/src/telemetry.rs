//! Metrics (Prometheus) and the per-request middleware that feeds them; the log filter
//! ([`log_directives`], in `telemetry/log_filter.rs`).

mod log_filter;

pub use log_filter::log_directives;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::{Mutex, OnceLock, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tower::{Layer, Service};

/// The process-wide recorder: metrics are global in the `metrics` crate, and several
/// servers in one test process share it.
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Request duration buckets, in seconds: fixed buckets keep recording and rendering
/// cheap (a summary would keep every sample).
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 60.0,
];

/// How often recorded samples are folded into the buckets when nobody scrapes; without
/// it they would pile up in memory between scrapes.
const UPKEEP: Duration = Duration::from_secs(5);

/// Installs the recorder once (and its upkeep thread); later calls are no-ops.
pub fn init() {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new();
        let builder = builder
            .set_buckets(BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder may be installed by an embedding program; then ours only
        // renders what it recorded (nothing), which is harmless.
        let _ = metrics::set_global_recorder(recorder);
        let upkeep = handle.clone();
        let _ = std::thread::Builder::new()
            .name("qrlogin-metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(UPKEEP);
                upkeep.run_upkeep();
            });
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

/// Route templates as `'static` labels. Templates are a fixed, small set (the router's
/// routes), so interning them once costs a few bytes for the life of the process and
/// saves an allocation on every request.
fn route_label(route: &str) -> &'static str {
    static ROUTES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = ROUTES
        .get_or_init(Default::default)
        .lock()
        .expect("route labels lock poisoned");
    if let Some(r) = set.get(route) {
        return r;
    }
    let leaked: &'static str = Box::leak(route.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::DELETE => "DELETE",
        Method::PUT => "PUT",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Counts requests by method, route template (never the raw path: it holds ids) and
/// status, and records their duration. A tower layer, not `middleware::from_fn`: its
/// future wraps the inner one in place, where `from_fn` boxed a ~1 KiB future for every
/// request, kept for the whole minute of every held long poll.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrackLayer;

impl<S> Layer<S> for TrackLayer {
    type Service = Track<S>;

    fn layer(&self, inner: S) -> Track<S> {
        Track { inner }
    }
}

/// The service of [`TrackLayer`].
#[derive(Debug, Clone)]
pub struct Track<S> {
    inner: S,
}

impl<S> Service<Request> for Track<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = TrackFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // The template itself (a shared `Arc<str>`), turned into a label only when its
        // metric handles are not cached yet.
        let route = req.extensions().get::<MatchedPath>().cloned();
        let method = method_label(req.method());
        TrackFuture {
            inner: self.inner.call(req),
            method,
            route,
            start: Instant::now(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner response future, and what to record when it is ready.
    pub struct TrackFuture<F> {
        #[pin]
        inner: F,
        method: &'static str,
        route: Option<MatchedPath>,
        start: Instant,
    }
}

impl<F, E> Future for TrackFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let res = std::task::ready!(this.inner.poll(cx));
        if let Ok(res) = &res {
            let method = *this.method;
            let path = this.route.as_ref();
            let route = path.map_or(UNMATCHED, MatchedPath::as_str);
            let status = res.status();
            let elapsed = this.start.elapsed();
            // The route template, never the raw path or query: no id or token is logged.
            tracing::debug!(%method, %route, status = status.as_u16(), elapsed_ms = elapsed.as_secs_f64() * 1000.0, "request");
            record(method, path, status_label(status.as_u16()), elapsed);
        }
        Poll::Ready(res)
    }
}

/// The route label of requests no route matched.
const UNMATCHED: &str = "unmatched";

/// Most (method, route, status) handles kept: far more than the routes and statuses
/// of the servers of one process, a bound should a template ever arrive in a fresh
/// allocation (past it, requests are counted through the registry's own lookup).
const MAX_CACHED: usize = 1024;

/// Counts one request and records its duration, through the handles of its (method,
/// route, status), looked up in the registry once and then kept: the lookup hashes every
/// label and was a few percent of the server's CPU per request. The cache is keyed by
/// addresses, hashed with one multiply: the method and status labels are interned
/// `'static` strings, and a route's template is the one `Arc<str>` axum hands every
/// request of that route, kept alive by its entry so that its address is never reused
/// for another text (SipHash over these and a lookup of the template's text cost ~2 %
/// of a status poll's instructions).
fn record(
    method: &'static str,
    route: Option<&MatchedPath>,
    status: &'static str,
    elapsed: Duration,
) {
    type Key = (usize, usize, usize);
    type Handles = (Option<MatchedPath>, metrics::Counter, metrics::Histogram);
    type Cache = HashMap<Key, Handles, BuildHasherDefault<AddrHasher>>;
    static CACHE: OnceLock<RwLock<Cache>> = OnceLock::new();
    let text = route.map_or(UNMATCHED, MatchedPath::as_str);
    let key = (
        method.as_ptr() as usize,
        text.as_ptr() as usize,
        status.as_ptr() as usize,
    );
    let cache = CACHE.get_or_init(Default::default);
    let emit = |(_, count, duration): &Handles| {
        count.increment(1);
        duration.record(elapsed.as_secs_f64());
    };
    if let Some(h) = cache.read().expect("metrics cache lock poisoned").get(&key) {
        return emit(h);
    }
    let label = route_label(text);
    let h = (
        route.cloned(),
        metrics::counter!("qrlogin_http_requests_total", "method" => method, "route" => label, "status" => status),
        metrics::histogram!("qrlogin_http_request_duration_seconds", "method" => method, "route" => label),
    );
    emit(&h);
    let mut cache = cache.write().expect("metrics cache lock poisoned");
    if cache.len() < MAX_CACHED {
        cache.insert(key, h);
    }
}

/// Hashes the address keys of [`record`]'s cache: a multiply per word (FxHash's), where
/// the default SipHash spent more than the lookup it served.
#[derive(Debug, Default, Clone, Copy)]
struct AddrHasher(u64);

impl AddrHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// Status codes as `'static` labels (the ones this server answers; others are "other").
fn status_label(code: u16) -> &'static str {
    match code {
        101 => "101",
        200 => "200",
        201 => "201",
        204 => "204",
        304 => "304",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        405 => "405",
        409 => "409",
        410 => "410",
        413 => "413",
        415 => "415",
        429 => "429",
        500 => "500",
        503 => "503",
        _ => "other",
    }
}
