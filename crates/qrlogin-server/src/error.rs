//! The one error type of the server. Every failure, from a malformed body to a dead
//! store to a panic, leaves as RFC 9457 problem+json with the contract's `code`;
//! internal causes go to the log, never to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use qrlogin_core::api::Problem;
use qrlogin_core::ErrorCode;
use qrlogin_store::StoreError;

/// An error answer: a contract code, a human detail, and optionally `Retry-After`.
#[derive(Debug)]
pub struct ApiError {
    /// The contract's code; decides the status.
    pub code: ErrorCode,
    /// Human detail for this occurrence. Never contains a secret.
    pub detail: String,
    /// Seconds for `Retry-After` (429 and 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with this code and detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// 400 `invalid_request`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, detail)
    }

    /// 401 `unauthorized`.
    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "missing, unknown, expired or revoked token",
        )
    }

    /// 500 `internal`, logging the real cause (which the client never sees).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        crate::service::Error::internal(cause).into()
    }

    /// Adds a `Retry-After` header.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }
}

impl From<crate::service::Error> for ApiError {
    fn from(e: crate::service::Error) -> Self {
        Self {
            code: e.code,
            detail: e.detail,
            retry_after: e.retry_after,
        }
    }
}

/// An extractor's refusal handed to a use case that reports it in the contract's order.
impl From<ApiError> for crate::service::Error {
    fn from(e: ApiError) -> Self {
        Self {
            code: e.code,
            detail: e.detail,
            retry_after: e.retry_after,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        crate::service::Error::from(e).into()
    }
}

/// Builds a problem+json response; shared with the fallback and panic handlers.
pub fn problem(code: ErrorCode, detail: &str) -> Response {
    ApiError::new(code, detail).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = Problem {
            kind: self.code.type_uri(),
            title: self.code.title().to_owned(),
            status: status.as_u16(),
            detail: self.detail,
            code: self.code.as_str().to_owned(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut res = (status, json).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.code.status() == 401 {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
