//! Operations: liveness, readiness, Prometheus metrics, the OpenAPI document.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::atomic::Ordering;
use utoipa::OpenApi as _;

/// Routes served by every role.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/openapi.json", get(openapi))
}

/// 200 while the process runs (it does not ask the store: a dead store is not a reason
/// to restart the process).
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200)))]
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// 200 when the store answers, else 503 `store_unavailable`.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200), (status = 503)))]
pub async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    state.qr.ping().await?;
    state.db.ping().await?;
    Ok(Json(serde_json::json!({ "status": "ready" })))
}

/// Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, content_type = "text/plain")))]
pub async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    metrics::gauge!("qrlogin_waiters").set(state.held.load(Ordering::Relaxed) as f64);
    metrics::gauge!("qrlogin_store_subscriptions").set(state.qr.waiters() as f64);
    // Only sessions this instance holds waiters for: an idle instance's count stands still.
    metrics::counter!("qrlogin_store_notifications_total").absolute(state.qr.notifications());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::render(),
    )
}

/// The OpenAPI 3 document of this API, generated from the code.
#[utoipa::path(get, path = "/openapi.json", tag = "ops", responses((status = 200, content_type = "application/json")))]
pub async fn openapi() -> impl IntoResponse {
    Json(crate::routes::ApiDoc::openapi())
}
