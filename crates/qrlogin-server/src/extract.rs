//! Request extractors that turn every kind of bad input into the contract's errors
//! (axum's own rejections are 422 and plain text; ours are 400/413/415 problem+json).

use crate::error::ApiError;
use crate::service::{PhoneCredentials, RequestContext};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, HeaderMap, HeaderName, HeaderValue};
use qrlogin_core::{clean_display_text, ErrorCode, QrId};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

/// Largest accepted body (API.md: over 16 KiB is 413).
pub const MAX_BODY: usize = 16 * 1024;

/// Longest time a request body may take to arrive (16 KiB needs far less).
pub const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// A JSON body that must be present.
pub struct JsonBody<T>(pub T);

/// A JSON body that may be absent (empty body); when present it must be JSON.
pub struct OptionalJson<T>(pub Option<T>);

async fn read_body(req: Request) -> Result<(HeaderMap, Bytes), ApiError> {
    let (parts, body) = req.into_parts();
    // A deadline on the body: a client dripping bytes must not hold a handler forever.
    let read = tokio::time::timeout(BODY_DEADLINE, axum::body::to_bytes(body, MAX_BODY));
    let bytes = read
        .await
        .map_err(|_| ApiError::bad_request("the request body did not arrive in time"))?
        .map_err(|_| {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body is over {MAX_BODY} bytes"),
            )
        })?;
    Ok((parts.headers, bytes))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == "application"
                && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
        })
}

fn parse<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, ApiError> {
    if !is_json(headers) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "the body must be application/json",
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let (headers, bytes) = read_body(req).await?;
        if bytes.is_empty() && is_json(&headers) {
            return Err(ApiError::bad_request("a JSON body is required"));
        }
        parse(&headers, &bytes).map(JsonBody)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let (headers, bytes) = read_body(req).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        parse(&headers, &bytes).map(|v| OptionalJson(Some(v)))
    }
}

/// The `{qr_id}` path segment, validated (malformed is 400, as API.md says).
pub struct QrPath(pub QrId);

impl<S: Send + Sync> FromRequestParts<S> for QrPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::bad_request("malformed path"))?;
        QrId::parse(&raw)
            .map(QrPath)
            .map_err(|_| ApiError::bad_request("malformed qr_id"))
    }
}

/// The bearer token of the `Authorization` header, if any. Only the header: secrets
/// never travel in URLs.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    bearer_of(headers.get(header::AUTHORIZATION)?)
}

/// The token of an `Authorization: Bearer <token>` value.
fn bearer_of(v: &HeaderValue) -> Option<&str> {
    let (scheme, token) = v.to_str().ok()?.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The `Authorization` header alone, for handlers that need no other header: axum's
/// `HeaderMap` extractor clones every header of every request, and a held long poll
/// keeps its extractors for up to a minute, tens of thousands at once.
pub struct Authorization(Option<HeaderValue>);

impl Authorization {
    /// The header from headers a handler extracted anyway.
    pub fn of(headers: &HeaderMap) -> Self {
        Self(headers.get(header::AUTHORIZATION).cloned())
    }

    /// The bearer token, if the header is a well-formed `Bearer` one.
    pub fn bearer(&self) -> Option<&str> {
        self.0.as_ref().and_then(bearer_of)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Authorization {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(&parts.headers))
    }
}

/// The caller's address: the socket's peer, or, when the peer is one of our trusted
/// proxies, the right-most `X-Forwarded-For` entry that is not
/// ([`TrustedProxies::client_ip`](crate::limits::proxies::TrustedProxies::client_ip)).
/// `None` only without a socket address (a router driven directly in a test).
/// Seventeen bytes, so a held long poll can keep it for the per-address waiter cap.
pub struct ClientIp(pub Option<IpAddr>);

/// `X-Forwarded-For`, named once: from a `&str` the name is parsed on every lookup.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

fn client_ip(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    // Looked up only if the peer is a trusted proxy and the entries are read.
    let xff = std::iter::once(&parts.headers)
        .flat_map(|h| h.get_all(X_FORWARDED_FOR))
        .filter_map(|v| v.to_str().ok());
    Some(state.proxies.client_ip(peer, xff))
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state)))
    }
}

/// The caller as the use cases see it ([`RequestContext`]): the address (see
/// [`ClientIp`]) and the user agent, cleaned like all text shown to a person
/// ([`clean_display_text`]) and cut to 256 characters.
pub struct ClientInfo(pub RequestContext);

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ip = client_ip(parts, state).map_or_else(|| "unknown".into(), |ip| ip.to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| clean_display_text(s).chars().take(256).collect());
        Ok(ClientInfo(RequestContext { ip, user_agent }))
    }
}

/// A phone's credentials from its headers: `Authorization: Bearer`, `X-Device-Id` and
/// `X-Device-Type`. Checked by the use case, not here.
impl<S: Send + Sync> FromRequestParts<S> for PhoneCredentials {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let h = &parts.headers;
        let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(PhoneCredentials {
            token: bearer(h).map(str::to_owned),
            device_id: text("x-device-id"),
            device_type: text("x-device-type"),
        })
    }
}

/// The raw `{qr_id}` path segment of a phone route: the use case parses it, since a
/// malformed id is reported only after the phone is authenticated.
pub struct RawQrId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RawQrId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::bad_request("malformed path"))?;
        Ok(RawQrId(raw))
    }
}
