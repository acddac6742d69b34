//! `POST /oauth2/token`.

use super::{form, no_store};
use crate::extract::ClientInfo;
use crate::service::oauth::token;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use qrlogin_oauth::token::TokenRequest;

/// Exchanges a grant for tokens.
#[utoipa::path(post, path = "/oauth2/token", tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", description = "grant_type and its parameters (RFC 6749, RFC 8628)"),
    responses((status = 200, description = "Tokens (Cache-Control: no-store)"), (status = 400, description = "RFC 6749 error JSON"), (status = 401, description = "invalid_client"),
        (status = 429, description = "rate_limited (RFC 6749 error JSON), with Retry-After")))]
pub async fn token(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req: TokenRequest = match form::typed(&body) {
        Ok(r) => r,
        Err(e) => return super::oauth_error(e),
    };
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match token::exchange(&state, basic, &req, &client.0.ip).await {
        Ok(res) => no_store(res),
        Err(e) => super::failure(e),
    }
}
