//! Headers every response shares: `X-Content-Type-Options: nosniff` (no browser guesses
//! a JSON answer into HTML), and CORS for the login widget embedded on other sites: off
//! unless `--cors-origin` names origins, then only those, with the headers the widget
//! and phones send (`Authorization`, `Content-Type`, `X-Device-Id`, `X-Device-Type`,
//! `Last-Event-ID`). Bearer tokens, not cookies, so no credentials mode.
//! (`Cache-Control: no-store` is set by each route whose answer carries a secret, and
//! on every problem+json.)

use axum::http::{header, HeaderName, HeaderValue, Method};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The value of `X-Content-Type-Options` on every answer whose route did not set one
/// (set by [`GuardLayer`](super::guard::GuardLayer), with the panic catching).
pub const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");

/// Checks one `--cors-origin` value: `scheme://host[:port]`, no path, as browsers send
/// it in `Origin`. Returns it without a trailing slash.
pub fn parse_origin(s: &str) -> Result<String, String> {
    let o = s.trim().trim_end_matches('/');
    let ok = ["http://", "https://"].iter().any(|p| {
        o.strip_prefix(p)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
    }) && HeaderValue::from_str(o).is_ok();
    if ok {
        Ok(o.to_owned())
    } else {
        Err(format!(
            "{s:?} is not an origin like https://app.example.com"
        ))
    }
}

/// The CORS layer for `origins`, or `None` when there are none (CORS off).
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| parse_origin(o).ok())
        .filter_map(|o| HeaderValue::from_str(&o).ok())
        .collect();
    if list.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-device-id"),
                HeaderName::from_static("x-device-type"),
                HeaderName::from_static("last-event-id"),
            ])
            .expose_headers([header::RETRY_AFTER])
            .max_age(Duration::from_secs(600)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_scheme_and_host_only() {
        assert_eq!(
            parse_origin("https://shop.example/").unwrap(),
            "https://shop.example"
        );
        assert!(parse_origin("https://shop.example/login").is_err());
        assert!(parse_origin("shop.example").is_err());
        assert!(cors(&[]).is_none());
    }
}
