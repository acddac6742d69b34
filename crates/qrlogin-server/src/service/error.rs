//! The one error of the use cases: a contract [`ErrorCode`] and a human detail, nothing
//! of HTTP. The HTTP layer renders it as problem+json (`crate::error::ApiError`); the
//! WebSocket renders it as a message. Store failures and broken invariants become
//! `store_unavailable` (503) and `internal` (500), their causes logged here, never shown.

use qrlogin_core::{ErrorCode, InvalidDevice, TransitionError};
use qrlogin_store::StoreError;

/// Why a use case refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {detail}")]
pub struct Error {
    /// The contract's code; decides the HTTP status.
    pub code: ErrorCode,
    /// Human detail for this occurrence. Never contains a secret.
    pub detail: String,
    /// Seconds after which a retry may succeed (rate limits, overload, outages).
    pub retry_after: Option<u64>,
}

/// Result of a use case.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with this code and detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// `invalid_request`: the input is malformed.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, detail)
    }

    /// `unauthorized`: no usable token.
    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "missing, unknown, expired or revoked token",
        )
    }

    /// `qr_not_found`.
    pub fn qr_not_found() -> Self {
        Self::new(ErrorCode::QrNotFound, "no such QR session")
    }

    /// `internal`, logging the real cause (which the client never sees).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorCode::Internal, "internal error; see the server log")
    }

    /// Adds a retry hint in seconds.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "store unavailable");
                Error::new(
                    ErrorCode::StoreUnavailable,
                    "the backing store cannot be reached; nothing was changed",
                )
                .retry_after(1)
            }
            StoreError::Corrupt(cause) => Error::internal(cause),
        }
    }
}

impl From<TransitionError> for Error {
    fn from(e: TransitionError) -> Self {
        Error::new(e.code(), e.to_string())
    }
}

impl From<InvalidDevice> for Error {
    fn from(e: InvalidDevice) -> Self {
        Error::bad_request(e.0)
    }
}
