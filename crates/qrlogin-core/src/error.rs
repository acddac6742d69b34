//! The error codes of API.md. Every layer reports failures as one of these, and the
//! server renders them as problem+json with the matching status and title.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable error code (the `code` field of problem+json).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)] // each variant is documented by `status`/`title` below and API.md
pub enum ErrorCode {
    InvalidRequest,
    Unauthorized,
    DeviceMismatch,
    InvalidCredentials,
    Forbidden,
    InvalidScanTicket,
    QrNotFound,
    NotFound,
    MethodNotAllowed,
    AlreadyScanned,
    InvalidState,
    AlreadyRedeemed,
    QrExpired,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    StoreUnavailable,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The HTTP status of this code, fixed by the contract.
    pub const fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidRequest => 400,
            Unauthorized | DeviceMismatch | InvalidCredentials => 401,
            Forbidden | InvalidScanTicket => 403,
            QrNotFound | NotFound => 404,
            MethodNotAllowed => 405,
            AlreadyScanned | InvalidState | AlreadyRedeemed => 409,
            QrExpired => 410,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            RateLimited => 429,
            Internal => 500,
            StoreUnavailable | Unavailable => 503,
        }
    }

    /// The snake_case text of the code.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidRequest => "invalid_request",
            Unauthorized => "unauthorized",
            DeviceMismatch => "device_mismatch",
            InvalidCredentials => "invalid_credentials",
            Forbidden => "forbidden",
            InvalidScanTicket => "invalid_scan_ticket",
            QrNotFound => "qr_not_found",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            AlreadyScanned => "already_scanned",
            InvalidState => "invalid_state",
            AlreadyRedeemed => "already_redeemed",
            QrExpired => "qr_expired",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            RateLimited => "rate_limited",
            StoreUnavailable => "store_unavailable",
            Unavailable => "unavailable",
            Internal => "internal",
        }
    }

    /// A short human title (problem+json `title`).
    pub fn title(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidRequest => "Invalid request",
            Unauthorized => "Unauthorized",
            DeviceMismatch => "Token used from another device",
            InvalidCredentials => "Invalid username or password",
            Forbidden => "Forbidden",
            InvalidScanTicket => "Invalid scan ticket",
            QrNotFound => "QR session not found",
            NotFound => "Not found",
            MethodNotAllowed => "Method not allowed",
            AlreadyScanned => "QR code already scanned",
            InvalidState => "Not allowed in the current state",
            AlreadyRedeemed => "QR login already redeemed",
            QrExpired => "QR code expired",
            PayloadTooLarge => "Payload too large",
            UnsupportedMediaType => "Unsupported media type",
            RateLimited => "Too many requests",
            StoreUnavailable => "Store unavailable",
            Unavailable => "Service unavailable",
            Internal => "Internal error",
        }
    }

    /// The problem+json `type` URI.
    pub fn type_uri(self) -> String {
        format!("urn:qrlogin:error:{}", self.as_str())
    }
}
