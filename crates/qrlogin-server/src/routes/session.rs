//! Endpoints of a signed-in PC: who am I, and sign out.

use crate::error::{ApiError, ApiResult};
use crate::service::accounts::account_view;
use crate::service::auth::PcSession;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use qrlogin_core::api::{MeResponse, MeSession, Problem};
use qrlogin_core::time::rfc3339;

/// Routes of a signed-in PC (served with the PC role).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/logout", post(logout))
}

/// The account and session behind a session token.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("session_token" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, pc: PcSession) -> ApiResult<Json<MeResponse>> {
    let account = state
        .account_cache
        .get(state.accounts.as_ref(), &pc.session.account_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(MeResponse {
        account: account_view(&account),
        session: MeSession {
            id: pc.session.id,
            created_at: rfc3339(pc.session.created_at),
            expires_at: rfc3339(pc.session.expires_at),
        },
    }))
}

/// Revokes the presented session token.
#[utoipa::path(post, path = "/api/v1/logout", tag = "session", security(("session_token" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, pc: PcSession) -> ApiResult<StatusCode> {
    state.accounts.revoke_web_session_token(&pc.hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
