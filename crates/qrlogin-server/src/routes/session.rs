//! Endpoints of a signed-in PC: who am I, and sign out.

use crate::error::ApiResult;
use crate::extract::Authorization;
use crate::service::accounts;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use qrlogin_core::api::{MeResponse, Problem};

/// Routes of a signed-in PC (served with the PC role).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/logout", post(logout))
}

/// The account and session behind a session token.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("session_token" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, auth: Authorization) -> ApiResult<Json<MeResponse>> {
    Ok(Json(accounts::me(&state, auth.bearer()).await?))
}

/// Revokes the presented session token.
#[utoipa::path(post, path = "/api/v1/logout", tag = "session", security(("session_token" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, auth: Authorization) -> ApiResult<StatusCode> {
    accounts::logout(&state, auth.bearer()).await?;
    Ok(StatusCode::NO_CONTENT)
}
