//! Redirect URIs: what a client may register, which requested URI matches a
//! registration, and the redirects back to the client.
//!
//! Matching is exact string comparison (OAuth 2.0 Security BCP §4.1.3), with the one
//! exception RFC 8252 §7.3 makes for native apps: a public client registered with
//! `http://127.0.0.1/path` or `http://[::1]/path` (no port) may ask for that URI on any
//! port, because the app only learns its port when it opens the listening socket.
//! `localhost` gets no such leeway: its name can resolve anywhere.

use crate::error::ErrorCode;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Why a redirect URI was refused. At the authorize endpoint every case is an error
/// page, never a redirect (the URI is not trusted to receive one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    /// Not an absolute URI.
    #[error("redirect_uri is not an absolute URI")]
    Malformed,
    /// Has a fragment (RFC 6749 §3.1.2).
    #[error("redirect_uri must not have a fragment")]
    Fragment,
    /// Carries user:password.
    #[error("redirect_uri must not carry credentials")]
    Credentials,
    /// A scheme we do not redirect to: `http` off loopback, or a non-web scheme for a
    /// confidential client, or one that is not a private-use (reverse domain) scheme.
    #[error("redirect_uri scheme not allowed")]
    Scheme,
    /// Not one of the client's registered redirect URIs.
    #[error("redirect_uri is not registered for this client")]
    NotRegistered,
}

/// Checks a redirect URI at registration (`qrlogin clients add --redirect-uri`).
///
/// Allowed: `https` anywhere; `http` on loopback only (`127.0.0.1`, `[::1]`,
/// `localhost`); and, for public clients, private-use schemes such as
/// `com.example.app:/cb` (RFC 8252 §7.1: they must contain a dot).
pub fn validate_registration(uri: &str, public: bool) -> Result<Url, RedirectError> {
    let url = Url::parse(uri).map_err(|_| RedirectError::Malformed)?;
    if url.fragment().is_some() {
        return Err(RedirectError::Fragment);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RedirectError::Credentials);
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback_host(&url) || url.host_str() == Some("localhost") => Ok(url),
        "http" | "https" => Err(RedirectError::Scheme),
        s if public && s.contains('.') => Ok(url),
        _ => Err(RedirectError::Scheme),
    }
}

/// Finds the registered URI that `requested` matches and returns the URL to redirect
/// to (the requested one, with its port when the loopback rule applied).
pub fn match_registered(
    registered: &[String],
    requested: &str,
    public: bool,
) -> Result<Url, RedirectError> {
    let url = Url::parse(requested).map_err(|_| RedirectError::Malformed)?;
    if url.fragment().is_some() {
        return Err(RedirectError::Fragment);
    }
    if registered.iter().any(|r| r == requested) {
        return Ok(url);
    }
    if public && url.scheme() == "http" && is_loopback_host(&url) && url.port().is_some() {
        let mut portless = url.clone();
        portless
            .set_port(None)
            .map_err(|_| RedirectError::Malformed)?;
        let matches = registered.iter().any(|r| {
            Url::parse(r).is_ok_and(|reg| {
                reg.scheme() == "http" && reg.port().is_none() && reg.as_str() == portless.as_str()
            })
        });
        if matches {
            return Ok(url);
        }
    }
    Err(RedirectError::NotRegistered)
}

/// `127.0.0.1` or `[::1]` as an IP literal: the loopback interface, not a name.
fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(a)) => IpAddr::V4(a) == IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(Host::Ipv6(a)) => a == Ipv6Addr::LOCALHOST,
        _ => false,
    }
}

/// The redirect after a confirmed login: `code`, `state` (when the client sent one)
/// and `iss` (RFC 9207) appended to the URI's own query, form-encoded.
pub fn success_redirect(redirect_uri: &Url, code: &str, state: Option<&str>, iss: &str) -> Url {
    let mut url = redirect_uri.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", code);
        if let Some(state) = state {
            q.append_pair("state", state);
        }
        q.append_pair("iss", iss);
    }
    url
}

/// The redirect after a refusal (`access_denied` when the user declined), with an
/// optional description, `state` and `iss`.
pub fn error_redirect(
    redirect_uri: &Url,
    error: ErrorCode,
    description: Option<&str>,
    state: Option<&str>,
    iss: &str,
) -> Url {
    let mut url = redirect_uri.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("error", error.as_str());
        if let Some(d) = description {
            q.append_pair("error_description", d);
        }
        if let Some(state) = state {
            q.append_pair("state", state);
        }
        q.append_pair("iss", iss);
    }
    url
}

#[cfg(test)]
#[path = "redirect_tests.rs"]
mod tests;
