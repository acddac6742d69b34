//! Trusted backend endpoints (API.md "Bring your own users"): a product's backend, with
//! a `qr:approve` client-credentials token, scans, confirms or cancels a QR login for
//! one of its own users. Errors are problem+json like every `/api/v1` endpoint.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Authorization, ClientInfo, OptionalJson, RawQrId};
use crate::service::backend::{self, BackendDecision, BackendScan};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use qrlogin_core::api::{Problem, ScanResponse, TransitionResponse};

/// The backend routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/backend/qr/{qr_id}/scan", post(scan))
        .route("/api/v1/backend/qr/{qr_id}/confirm", post(confirm))
        .route("/api/v1/backend/qr/{qr_id}/cancel", post(cancel))
}

/// Scans for a user of the backend: as a phone's scan, with a scan ticket.
#[utoipa::path(post, path = "/api/v1/backend/qr/{qr_id}/scan", tag = "backend", params(("qr_id" = String, Path)),
    request_body = BackendScan, security(("access_token" = [])),
    responses((status = 200, body = ScanResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn scan(
    State(state): State<AppState>,
    auth: Authorization,
    RawQrId(id): RawQrId,
    client: ClientInfo,
    body: Result<OptionalJson<BackendScan>, ApiError>,
) -> ApiResult<Json<ScanResponse>> {
    let req = body?.0.unwrap_or_default();
    Ok(Json(
        backend::scan(&state, auth.bearer(), &id, req, &client.0).await?,
    ))
}

/// Confirms for a user of the backend with the ticket of its scan.
#[utoipa::path(post, path = "/api/v1/backend/qr/{qr_id}/confirm", tag = "backend", params(("qr_id" = String, Path)),
    request_body = BackendDecision, security(("access_token" = [])),
    responses((status = 200, body = TransitionResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    auth: Authorization,
    RawQrId(id): RawQrId,
    body: Result<OptionalJson<BackendDecision>, ApiError>,
) -> ApiResult<Json<TransitionResponse>> {
    let req = body?.0.unwrap_or_default();
    Ok(Json(
        backend::decide(&state, auth.bearer(), &id, req, true).await?,
    ))
}

/// Cancels for a user of the backend with the ticket of its scan.
#[utoipa::path(post, path = "/api/v1/backend/qr/{qr_id}/cancel", tag = "backend", params(("qr_id" = String, Path)),
    request_body = BackendDecision, security(("access_token" = [])),
    responses((status = 200, body = TransitionResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    auth: Authorization,
    RawQrId(id): RawQrId,
    body: Result<OptionalJson<BackendDecision>, ApiError>,
) -> ApiResult<Json<TransitionResponse>> {
    let req = body?.0.unwrap_or_default();
    Ok(Json(
        backend::decide(&state, auth.bearer(), &id, req, false).await?,
    ))
}
