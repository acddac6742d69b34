//! PC endpoints: create a QR session, its image, status with long poll, redeem, cancel.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Authorization, ClientInfo, OptionalJson, QrPath};
use crate::qrimage;
use crate::service::accounts::account_view;
use crate::service::{qr, wait::Watcher};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use qrlogin_core::api::{CreateQrRequest, CreateQrResponse, Problem, RedeemResponse, Status};
use qrlogin_core::time::now_ms;
use qrlogin_core::{Command, ErrorCode, QrState, RandomId, Secret, SecretKind};
use qrlogin_store::WebSession;
use serde::Deserialize;
use std::time::Duration;

/// Routes of the PC role.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/qr", post(create_qr))
        .route("/api/v1/qr/{qr_id}", get(status).delete(cancel))
        .route("/api/v1/qr/{qr_id}/qr.svg", get(qr_svg))
        .route("/api/v1/qr/{qr_id}/qr.png", get(qr_png))
        .route("/api/v1/qr/{qr_id}/redeem", post(redeem))
}

/// Longest long poll, in seconds (API.md: `wait` 0..=60).
const MAX_WAIT: u64 = 60;

/// Creates a QR session.
#[utoipa::path(post, path = "/api/v1/qr", tag = "pc", request_body(content = Option<CreateQrRequest>),
    responses((status = 201, body = CreateQrResponse), (status = 400, body = Problem), (status = 415, body = Problem), (status = 503, body = Problem)))]
pub async fn create_qr(
    State(state): State<AppState>,
    client: ClientInfo,
    OptionalJson(body): OptionalJson<CreateQrRequest>,
) -> ApiResult<impl IntoResponse> {
    let res = qr::create(&state, body.and_then(|b| b.device), client).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(res),
    ))
}

async fn image(state: &AppState, id: &qrlogin_core::QrId, png: bool) -> ApiResult<Response> {
    let s = qr::get(state, id).await?.into_at(now_ms());
    if s.state == QrState::Expired {
        return Err(ApiError::new(
            ErrorCode::QrExpired,
            "this QR code has expired",
        ));
    }
    let content = qr::qr_content(state, id);
    let (mime, body) = if png {
        (
            "image/png",
            qrimage::png(&content).map_err(ApiError::internal)?,
        )
    } else {
        (
            "image/svg+xml",
            qrimage::svg(&content)
                .map_err(ApiError::internal)?
                .into_bytes(),
        )
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// The QR image as SVG (public: it holds no secret).
#[utoipa::path(get, path = "/api/v1/qr/{qr_id}/qr.svg", tag = "pc", params(("qr_id" = String, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn qr_svg(State(state): State<AppState>, QrPath(id): QrPath) -> ApiResult<Response> {
    image(&state, &id, false).await
}

/// The QR image as PNG (public: it holds no secret).
#[utoipa::path(get, path = "/api/v1/qr/{qr_id}/qr.png", tag = "pc", params(("qr_id" = String, Path)),
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn qr_png(State(state): State<AppState>, QrPath(id): QrPath) -> ApiResult<Response> {
    image(&state, &id, true).await
}

/// Query of the status endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StatusQuery {
    /// Seconds to hold the request, 0..=60 (default 0).
    pub wait: Option<u64>,
    /// The version the client has; held only while it is still current.
    pub since: Option<u64>,
}

/// Status, as a short poll or a long poll.
#[utoipa::path(get, path = "/api/v1/qr/{qr_id}", tag = "pc", params(("qr_id" = String, Path), StatusQuery),
    security(("poll_token" = [])),
    responses((status = 200, body = Status), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
// A plain fn returning an async block, not an `async fn`: an async fn keeps its
// arguments twice in its state (as arguments and as locals), and this state is held for
// the whole wait of every long poll.
#[allow(clippy::manual_async_fn)]
pub fn status(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    auth: Authorization,
    query: Result<Query<StatusQuery>, axum::extract::rejection::QueryRejection>,
) -> impl std::future::Future<Output = ApiResult<Response>> + Send {
    async move {
        let Query(q) =
            query.map_err(|e| ApiError::bad_request(format!("bad query: {}", e.body_text())))?;
        let wait = q.wait.unwrap_or(0);
        if wait > MAX_WAIT {
            return Err(ApiError::bad_request(format!(
                "wait must be 0..={MAX_WAIT}"
            )));
        }
        let s = qr::authorize_pc(&state, &id, &auth)
            .await?
            .into_at(now_ms());
        let hold = wait > 0 && q.since == Some(s.version) && !s.state.is_terminal();
        let s = if hold {
            // A held request may wait a minute, tens of thousands at once: free what
            // the wait does not need (the token, this read) before it starts.
            let since = s.version;
            drop((auth, s));
            let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
            let mut w = Watcher::new(&state, &id).await?;
            w.until_changed(since, deadline).await?
        } else {
            s
        };
        Ok((
            [(header::CACHE_CONTROL, "no-store")],
            Json(s.status(now_ms())),
        )
            .into_response())
    }
}

/// Redeems a confirmed QR session for a PC session, exactly once.
#[utoipa::path(post, path = "/api/v1/qr/{qr_id}/redeem", tag = "pc", params(("qr_id" = String, Path)),
    security(("poll_token" = [])),
    responses((status = 200, body = RedeemResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn redeem(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    auth: Authorization,
) -> ApiResult<Response> {
    let s = qr::authorize_pc(&state, &id, &auth).await?;
    let now = now_ms();
    let l = state.config.lifetimes;
    // Decide before creating anything, so a refused redeem leaves no trace.
    s.apply(&Command::Redeem, now, &l)?;
    let scanner = s
        .scanner
        .clone()
        .ok_or_else(|| ApiError::internal("confirmed session without scanner"))?;
    let account = state
        .account_cache
        .get(state.accounts.as_ref(), &scanner.account_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidState,
                "the confirming account no longer exists",
            )
        })?;
    // The PC session is written first and only handed out if this redeem wins the
    // compare-and-set; a loser's session is revoked at once and its token never leaves.
    let token = Secret::generate(SecretKind::Session);
    let hash = token.hash();
    let session = WebSession {
        id: RandomId::generate("ses_").to_string(),
        account_id: account.id.clone(),
        created_at: now,
        expires_at: now + l.web_session_ms,
        device: s.requester.device.clone(),
        ip: s.requester.ip.clone(),
    };
    state.accounts.put_web_session(&hash, &session).await?;
    if let Err(e) = qr::apply(&state, &id, &Command::Redeem, Some(s)).await {
        if let Err(revoke) = state.accounts.revoke_web_session_token(&hash).await {
            tracing::warn!(error = %revoke, "could not revoke the session of a lost redeem; it expires unused");
        }
        return Err(e);
    }
    metrics::counter!("qrlogin_logins_total", "outcome" => "redeemed").increment(1);
    tracing::info!(qr_id = %id, account = %account.id, session = %session.id, "QR login redeemed");
    let body = RedeemResponse {
        session_token: token.expose().to_owned(),
        token_type: "Bearer".into(),
        expires_in: (l.web_session_ms / 1000) as u64,
        account: account_view(&account),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// The PC gives up: `pending`/`scanned` → `cancelled`.
#[utoipa::path(delete, path = "/api/v1/qr/{qr_id}", tag = "pc", params(("qr_id" = String, Path)),
    security(("poll_token" = [])),
    responses((status = 200, body = Status), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    auth: Authorization,
) -> ApiResult<Json<Status>> {
    let s = qr::authorize_pc(&state, &id, &auth).await?;
    let next = qr::apply(&state, &id, &Command::PcCancel, Some(s)).await?;
    metrics::counter!("qrlogin_logins_total", "outcome" => "cancelled_by_pc").increment(1);
    Ok(Json(next.status(now_ms())))
}
