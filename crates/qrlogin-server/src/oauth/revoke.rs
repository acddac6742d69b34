//! `POST /oauth2/revoke` (RFC 7009).

use super::form;
use crate::extract::ClientInfo;
use crate::service::oauth::userinfo;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Revokes a refresh token (with its family) or an access token of the calling client;
/// `200` also for tokens it does not know.
#[utoipa::path(post, path = "/oauth2/revoke", tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", description = "token, token_type_hint, client authentication"),
    responses((status = 200, description = "Revoked, or unknown"), (status = 400, description = "RFC 6749 error JSON: a malformed or repeated parameter"), (status = 401, description = "invalid_client"),
        (status = 429, description = "rate_limited (RFC 6749 error JSON), with Retry-After")))]
pub async fn revoke(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = match form::parse(&body) {
        Ok(f) => f,
        Err(e) => return super::oauth_error(e),
    };
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let get = |k: &str| f.get(k).map(String::as_str);
    match userinfo::revoke(
        &state,
        basic,
        get("client_id"),
        get("client_secret"),
        get("token"),
        &client.0.ip,
    )
    .await
    {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => super::failure(e),
    }
}
