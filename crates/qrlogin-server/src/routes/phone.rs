//! Phone endpoints: password login, scan, confirm, decline, and the account's PC
//! sessions. Every one but login requires a device-bound mobile token.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientInfo, JsonBody, OptionalJson};
use crate::service::accounts;
use crate::service::auth::{Phone, PhoneAt};
use crate::service::qr;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use qrlogin_core::api::{
    LoginRequest, LoginResponse, Problem, RequesterView, ScanResponse, SessionView,
    SessionsResponse, TicketRequest, TransitionResponse,
};
use qrlogin_core::state::TicketProof;
use qrlogin_core::time::{now_ms, rfc3339, secs_until};
use qrlogin_core::{Command, DeviceInfo, ErrorCode, Scanner, Secret, SecretKind};

/// Routes of the phone role.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/qr/{qr_id}/scan", post(scan))
        .route("/api/v1/qr/{qr_id}/confirm", post(confirm))
        .route("/api/v1/qr/{qr_id}/cancel", post(decline))
        .route("/api/v1/sessions", get(sessions))
        .route("/api/v1/sessions/{session_id}", delete(revoke))
}

/// Password login of the phone; issues a token bound to account and device.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "phone", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = Problem), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    accounts::login(&state, req, &client).await.map(Json)
}

/// Scans a QR code: `pending` → `scanned`, with a ticket for confirm/cancel.
#[utoipa::path(post, path = "/api/v1/qr/{qr_id}/scan", tag = "phone", params(("qr_id" = String, Path)),
    security(("mobile_token" = [])),
    responses((status = 200, body = ScanResponse), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn scan(
    State(state): State<AppState>,
    PhoneAt { phone, id, session }: PhoneAt,
    client: ClientInfo,
    OptionalJson(_body): OptionalJson<serde_json::Value>,
) -> ApiResult<Json<ScanResponse>> {
    let ticket = Secret::generate(SecretKind::ScanTicket);
    let scanner = Scanner {
        account_id: phone.account.id.clone(),
        device_id: phone.device_id().to_owned(),
        display_name: phone.account.display_name.clone(),
        avatar_url: phone.account.avatar_url.clone(),
        ticket_hash: ticket.hash(),
    };
    let next = qr::apply(&state, &id, &Command::Scan(scanner), Some(session)).await?;
    let req = &next.requester;
    let device = req.device.clone().unwrap_or_default();
    Ok(Json(ScanResponse {
        qr_id: id.to_string(),
        state: next.state,
        scan_ticket: ticket.expose().to_owned(),
        expires_in: secs_until(now_ms(), next.expires_at),
        requester: RequesterView {
            device: DeviceInfo {
                id: None,
                kind: device.kind,
                name: device.name,
            },
            ip: req.ip.clone(),
            user_agent: req.user_agent.clone(),
            created_at: rfc3339(next.created_at),
            same_network: qrlogin_core::net::same_network(&req.ip, &client.ip),
        },
    }))
}

fn proof(phone: &Phone, body: Option<TicketRequest>) -> TicketProof {
    let ticket = body.and_then(|b| b.scan_ticket);
    TicketProof {
        account_id: phone.account.id.clone(),
        device_id: phone.device_id().to_owned(),
        // A malformed ticket is as good as none: 403 invalid_scan_ticket either way.
        ticket_hash: ticket
            .and_then(|t| Secret::parse(SecretKind::ScanTicket, &t).ok())
            .map(|s| s.hash()),
    }
}

async fn decide(
    state: &AppState,
    at: PhoneAt,
    body: Option<TicketRequest>,
    confirm: bool,
) -> ApiResult<Json<TransitionResponse>> {
    let PhoneAt { phone, id, session } = at;
    let p = proof(&phone, body);
    let cmd = if confirm {
        Command::Confirm(p)
    } else {
        Command::PhoneCancel(p)
    };
    let next = qr::apply(state, &id, &cmd, Some(session)).await?;
    if !confirm {
        metrics::counter!("qrlogin_logins_total", "outcome" => "declined").increment(1);
    }
    Ok(Json(TransitionResponse {
        qr_id: id.to_string(),
        state: next.state,
        version: next.version,
    }))
}

/// Confirms the login: `scanned` → `confirmed`, with this device's ticket.
#[utoipa::path(post, path = "/api/v1/qr/{qr_id}/confirm", tag = "phone", params(("qr_id" = String, Path)),
    request_body = TicketRequest, security(("mobile_token" = [])),
    responses((status = 200, body = TransitionResponse), (status = 403, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    at: PhoneAt,
    OptionalJson(body): OptionalJson<TicketRequest>,
) -> ApiResult<Json<TransitionResponse>> {
    decide(&state, at, body, true).await
}

/// Declines the login: `scanned` → `cancelled`, with this device's ticket.
#[utoipa::path(post, path = "/api/v1/qr/{qr_id}/cancel", tag = "phone", params(("qr_id" = String, Path)),
    request_body = TicketRequest, security(("mobile_token" = [])),
    responses((status = 200, body = TransitionResponse), (status = 403, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn decline(
    State(state): State<AppState>,
    at: PhoneAt,
    OptionalJson(body): OptionalJson<TicketRequest>,
) -> ApiResult<Json<TransitionResponse>> {
    decide(&state, at, body, false).await
}

/// The account's live PC sessions made through QR login (no tokens).
#[utoipa::path(get, path = "/api/v1/sessions", tag = "phone", security(("mobile_token" = [])),
    responses((status = 200, body = SessionsResponse), (status = 401, body = Problem)))]
pub async fn sessions(
    State(state): State<AppState>,
    phone: Phone,
) -> ApiResult<Json<SessionsResponse>> {
    let list = state
        .accounts
        .web_sessions_of(&phone.account.id, now_ms())
        .await?;
    let sessions = list
        .into_iter()
        .map(|s| SessionView {
            id: s.id,
            created_at: rfc3339(s.created_at),
            expires_at: rfc3339(s.expires_at),
            device: s.device,
            ip: s.ip,
        })
        .collect();
    Ok(Json(SessionsResponse { sessions }))
}

/// Revokes one of the account's PC sessions at once.
#[utoipa::path(delete, path = "/api/v1/sessions/{session_id}", tag = "phone", params(("session_id" = String, Path)),
    security(("mobile_token" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    phone: Phone,
    Path(session_id): Path<String>,
) -> ApiResult<StatusCode> {
    let not_found = || ApiError::new(ErrorCode::NotFound, "no such session of this account");
    if session_id.len() > 64 {
        return Err(not_found());
    }
    if state
        .accounts
        .revoke_web_session(&phone.account.id, &session_id)
        .await?
    {
        tracing::info!(account = %phone.account.id, session = %session_id, "PC session revoked from the phone");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}
