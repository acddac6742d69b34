//! Phone endpoints: password login and logout, scan, confirm, decline, the account's
//! PC sessions and its activity log. Every one but login requires a device-bound mobile token. Each parses the
//! request, calls one use case of [`service`](crate::service) and renders the answer.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientInfo, JsonBody, OptionalJson, RawQrId};
use crate::service::{self, accounts, activity, phone, PhoneCredentials};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use qrlogin_core::api::{
    ActivityResponse, LoginRequest, LoginResponse, Problem, ScanResponse, SessionsResponse,
    TicketRequest, TransitionResponse,
};

/// Routes of the phone role.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/activity", get(activity_log))
        .route("/api/v1/qr/{qr_id}/scan", post(scan))
        .route("/api/v1/qr/{qr_id}/confirm", post(confirm))
        .route("/api/v1/qr/{qr_id}/cancel", post(decline))
        .route("/api/v1/sessions", get(sessions))
        .route("/api/v1/sessions/{session_id}", delete(revoke))
}

/// Password login of the phone; issues a token bound to account and device.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "phone", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = Problem), (status = 401, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let res = accounts::login(&state, req, &client.0).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(res)))
}

/// Scans a QR code: `pending` → `scanned`, with a ticket for confirm/cancel.
#[utoipa::path(post, path = "/api/v1/qr/{qr_id}/scan", tag = "phone", params(("qr_id" = String, Path)),
    security(("mobile_token" = [])),
    responses((status = 200, body = ScanResponse), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn scan(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    RawQrId(id): RawQrId,
    client: ClientInfo,
    body: Result<OptionalJson<serde_json::Value>, ApiError>,
) -> ApiResult<impl IntoResponse> {
    let body = body.map(|_| ()).map_err(Into::into);
    let res = phone::scan(&state, &creds, &id, &client.0, body).await?;
    // The scan ticket is a secret of this phone.
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(res)))
}

/// The scan ticket of a confirm or decline body (if sent), or why the body was refused.
fn ticket(body: Result<OptionalJson<TicketRequest>, ApiError>) -> service::Result<Option<String>> {
    match body {
        Ok(OptionalJson(b)) => Ok(b.and_then(|b| b.scan_ticket)),
        Err(e) => Err(e.into()),
    }
}

/// Confirms the login: `scanned` → `confirmed`, with this device's ticket.
#[utoipa::path(post, path = "/api/v1/qr/{qr_id}/confirm", tag = "phone", params(("qr_id" = String, Path)),
    request_body = TicketRequest, security(("mobile_token" = [])),
    responses((status = 200, body = TransitionResponse), (status = 403, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    RawQrId(id): RawQrId,
    body: Result<OptionalJson<TicketRequest>, ApiError>,
) -> ApiResult<Json<TransitionResponse>> {
    Ok(Json(
        phone::confirm(&state, &creds, &id, ticket(body)).await?,
    ))
}

/// Declines the login: `scanned` → `cancelled`, with this device's ticket.
#[utoipa::path(post, path = "/api/v1/qr/{qr_id}/cancel", tag = "phone", params(("qr_id" = String, Path)),
    request_body = TicketRequest, security(("mobile_token" = [])),
    responses((status = 200, body = TransitionResponse), (status = 403, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn decline(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    RawQrId(id): RawQrId,
    body: Result<OptionalJson<TicketRequest>, ApiError>,
) -> ApiResult<Json<TransitionResponse>> {
    Ok(Json(
        phone::decline(&state, &creds, &id, ticket(body)).await?,
    ))
}

/// The account's live PC sessions made through QR login (no tokens).
#[utoipa::path(get, path = "/api/v1/sessions", tag = "phone", security(("mobile_token" = [])),
    responses((status = 200, body = SessionsResponse), (status = 401, body = Problem)))]
pub async fn sessions(
    State(state): State<AppState>,
    creds: PhoneCredentials,
) -> ApiResult<Json<SessionsResponse>> {
    Ok(Json(phone::sessions(&state, &creds).await?))
}

/// Revokes one of the account's PC sessions at once.
#[utoipa::path(delete, path = "/api/v1/sessions/{session_id}", tag = "phone", params(("session_id" = String, Path)),
    security(("mobile_token" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    Path(session_id): Path<String>,
) -> ApiResult<StatusCode> {
    phone::revoke(&state, &creds, &session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs this phone out: revokes its mobile token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "phone", security(("mobile_token" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    client: ClientInfo,
) -> ApiResult<StatusCode> {
    accounts::phone_logout(&state, &creds, &client.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of the activity log.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ActivityQuery {
    /// How many events, 1..=200 (default 50).
    pub limit: Option<u32>,
}

/// The account's activity log, newest first: sign-ins, QR logins, revocations.
#[utoipa::path(get, path = "/api/v1/activity", tag = "phone", params(ActivityQuery), security(("mobile_token" = [])),
    responses((status = 200, body = ActivityResponse), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn activity_log(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    query: Result<Query<ActivityQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ActivityResponse>> {
    // A malformed query is reported after authentication, like a bad limit.
    let limit = match query {
        Ok(Query(q)) => Ok(q.limit),
        Err(e) => Err(service::Error::bad_request(format!(
            "bad query: {}",
            e.body_text()
        ))),
    };
    let limit = match limit {
        Ok(l) => l,
        Err(e) => {
            crate::service::auth::phone(&state, &creds).await?;
            return Err(e.into());
        }
    };
    Ok(Json(activity::list(&state, &creds, limit).await?))
}
