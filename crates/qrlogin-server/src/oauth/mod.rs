//! The OpenID Provider's HTTP face, one module per endpoint, each over one use case of
//! [`service::oauth`](crate::service::oauth). Errors of the token, device authorization
//! and revocation endpoints are RFC 6749 JSON (what client libraries parse); a failure
//! of the server itself stays problem+json.

pub mod authorize;
pub mod device;
pub mod discovery;
pub mod form;
pub mod jwks;
pub mod revoke;
pub mod token;
pub mod userinfo;

use crate::error::ApiError;
use crate::service::oauth::Failure;
use crate::state::AppState;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use qrlogin_oauth::OAuthError;

/// Routes of the provider (served with the PC role: they are the PC's way in).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            qrlogin_oauth::discovery::DISCOVERY_PATH,
            get(discovery::configuration),
        )
        .route("/oauth2/jwks", get(jwks::jwks))
        .route("/oauth2/authorize", get(authorize::page))
        .route("/oauth2/authorize/session", post(authorize::session))
        .route("/oauth2/authorize/complete", post(authorize::complete))
        .route("/oauth2/token", post(token::token))
        .route(
            "/oauth2/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route("/oauth2/revoke", post(revoke::revoke))
        .route("/oauth2/device_authorization", post(device::authorize))
}

/// Routes the phone uses: a typed user code to its QR session.
pub fn phone_routes() -> Router<AppState> {
    Router::new().route("/api/v1/device/code", post(device::user_code))
}

/// An RFC 6749 §5.2 error response, never cached.
pub fn oauth_error(e: OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut res = (status, [(header::CACHE_CONTROL, "no-store")], Json(&e)).into_response();
    if let Some(v) = e.www_authenticate() {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(v));
    }
    res
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::OAuth(e) => oauth_error(e),
            Failure::Service(e) => ApiError::from(e).into_response(),
        }
    }
}

/// How the token, device authorization and revocation endpoints answer a failure: as
/// [`Failure`]'s own response, except that a rate limit is RFC 6749 JSON too
/// (`{"error": "rate_limited"}`, 429, `Retry-After`): it is the client's to handle, and
/// these endpoints' clients parse RFC 6749 errors, not problem+json.
pub fn failure(f: Failure) -> Response {
    match f {
        Failure::Service(e) if e.code == qrlogin_core::ErrorCode::RateLimited => {
            let mut res = oauth_error(OAuthError::new(
                qrlogin_oauth::ErrorCode::RateLimited,
                e.detail,
            ));
            if let Some(secs) = e.retry_after {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            res
        }
        other => other.into_response(),
    }
}

/// A JSON answer that carries a secret: `Cache-Control: no-store` (RFC 6749 §5.1).
pub fn no_store<T: serde::Serialize>(body: T) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}
