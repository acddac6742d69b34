//! `GET`/`POST /oauth2/userinfo`.

use crate::error::ApiResult;
use crate::extract::Authorization;
use crate::service::oauth::userinfo;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The claims about the access token's user (RFC 6750 bearer auth).
#[utoipa::path(get, path = "/oauth2/userinfo", tag = "oauth",
    responses((status = 200, description = "sub, and name, preferred_username, picture with scope profile"),
        (status = 401, description = "invalid_token (WWW-Authenticate: Bearer)")))]
pub async fn userinfo(State(state): State<AppState>, auth: Authorization) -> ApiResult<Response> {
    Ok(match userinfo::userinfo(&state, auth.bearer()).await? {
        Some(info) => ([(header::CACHE_CONTROL, "no-store")], Json(info)).into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                "Bearer realm=\"qrlogin\", error=\"invalid_token\"",
            )],
            Json(serde_json::json!({
                "error": "invalid_token",
                "error_description": "missing, unknown, expired or revoked access token",
            })),
        )
            .into_response(),
    })
}
