//! Per-address budgets of the entry points that need no password but still let one
//! client guess or churn: the OAuth token and device authorization endpoints, the
//! typed user code of the device grant (RFC 8628 §5.1: user codes are short enough to
//! guess, so their entry must be rate limited), and passkey sign-in and enrollment. Each counts the
//! hit first and answers 429 `rate_limited` with `Retry-After` past its limit, keyed by
//! the client address as resolved through the trusted proxies (an IPv6 client by its
//! /64), in the shared [`Counters`] (Redis when the store is Redis, so every instance
//! counts together).

use super::rate::{hit, ip_key};
use super::Limits;
use crate::service::Result;
use qrlogin_store::Counters;
use std::time::Duration;

/// The window of the OAuth and passkey budgets.
const MINUTE: Duration = Duration::from_secs(60);
/// The window of the user-code budget: long, so a guesser gets few tries an hour.
pub const USER_CODE_WINDOW: Duration = Duration::from_secs(300);

/// The OAuth endpoints that are counted, each on a budget of its own (a device polling
/// its token must not use up the address's device authorizations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthEndpoint {
    /// `POST /oauth2/token`.
    Token,
    /// `POST /oauth2/device_authorization`.
    DeviceAuthorization,
    /// `POST /oauth2/revoke`: it authenticates the client (a secret check for a
    /// confidential one) and looks tokens up, so guessing through it is as cheap as
    /// through the token endpoint without a budget of its own.
    Revoke,
}

/// Counts one request of `ip` to `endpoint`: `Err(429)` past
/// [`Limits::oauth_per_ip_per_minute`].
pub async fn oauth(
    counters: &dyn Counters,
    limits: &Limits,
    endpoint: OAuthEndpoint,
    ip: &str,
) -> Result<()> {
    let (name, what) = match endpoint {
        OAuthEndpoint::Token => ("token", "token requests"),
        OAuthEndpoint::DeviceAuthorization => ("device", "device authorizations"),
        OAuthEndpoint::Revoke => ("revoke", "token revocations"),
    };
    let key = format!("oauth:{name}:{}", ip_key(ip));
    hit(counters, &key, limits.oauth_per_ip_per_minute, MINUTE, what).await?;
    Ok(())
}

/// Counts one typed user code from `ip`, right or wrong: `Err(429)` past
/// [`Limits::user_code_attempts_per_ip`] in [`USER_CODE_WINDOW`].
pub async fn user_code(counters: &dyn Counters, limits: &Limits, ip: &str) -> Result<()> {
    let key = format!("usercode:ip:{}", ip_key(ip));
    hit(
        counters,
        &key,
        limits.user_code_attempts_per_ip,
        USER_CODE_WINDOW,
        "user code attempts",
    )
    .await?;
    Ok(())
}

/// Counts one passkey sign-in request (start or finish) from `ip`: `Err(429)` past
/// [`Limits::passkey_per_ip_per_minute`].
pub async fn passkey_sign_in(counters: &dyn Counters, limits: &Limits, ip: &str) -> Result<()> {
    let key = format!("passkey:ip:{}", ip_key(ip));
    hit(
        counters,
        &key,
        limits.passkey_per_ip_per_minute,
        MINUTE,
        "passkey sign-in requests",
    )
    .await?;
    Ok(())
}

/// Counts one passkey enrollment request (start or finish) from `ip`, on a budget of
/// its own of [`Limits::passkey_per_ip_per_minute`]: `Err(429)` past it. An enrollment
/// link's secret cannot be guessed, but every attempt costs a database lookup (and a
/// finish, checking a credential), so unauthenticated callers get no free loop.
pub async fn passkey_enroll(counters: &dyn Counters, limits: &Limits, ip: &str) -> Result<()> {
    let key = format!("passkey-enroll:ip:{}", ip_key(ip));
    hit(
        counters,
        &key,
        limits.passkey_per_ip_per_minute,
        MINUTE,
        "passkey enrollment requests",
    )
    .await?;
    Ok(())
}
