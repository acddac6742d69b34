//! The one error type of the client.
//!
//! Callers decide what to do from the contract's stable `code` (API.md "Errors"), so
//! every non-2xx answer becomes [`Error::Api`] carrying that code, whatever transport
//! produced it (plain HTTP, the SSE request, the WebSocket handshake).

use qrlogin_core::api::Problem;
use qrlogin_core::ErrorCode;
use std::time::Duration;

/// Everything that can go wrong talking to a qrlogin server.
///
/// Match on [`Error::code`] for the contract's error codes:
///
/// ```no_run
/// # async fn f(phone: qrlogin_client::Phone) {
/// use qrlogin_core::ErrorCode;
/// match phone.scan("pB3xxxxxxxxxxxxxxxxxxx").await {
///     Ok(scan) => println!("scanned, ticket expires in {}s", scan.expires_in),
///     Err(e) if e.code() == Some(ErrorCode::AlreadyScanned) => println!("too late"),
///     Err(e) => println!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a non-2xx status.
    ///
    /// `code` is `None` when the body was not problem+json (a proxy's HTML page, an
    /// empty body) or carried a code this client does not know; `problem` then tells
    /// the two apart, and [`Error::raw_code`] gives the unknown code's text.
    #[error("{} ({status}): {detail}", display_code(*code, problem.as_deref()))]
    Api {
        /// HTTP status.
        status: u16,
        /// The contract's error code, when the body was problem+json with a known code.
        code: Option<ErrorCode>,
        /// The whole problem+json body, when the body was one (boxed: errors stay small).
        problem: Option<Box<Problem>>,
        /// The problem's `detail`, or the start of the body when it was not problem+json.
        detail: String,
        /// Seconds from the `Retry-After` header (429, 503), when it was a number.
        retry_after: Option<u64>,
    },
    /// The request never got an answer: connection refused or reset, DNS, timeout.
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// The WebSocket failed below the HTTP level (handshake I/O, protocol violation).
    /// Boxed because tungstenite's error is large and rare.
    #[error("websocket error: {0}")]
    WebSocket(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    /// A 2xx answer (or a pushed message) whose body was not what the contract says.
    #[error("unexpected response body: {0}")]
    Decode(String),
    /// The client could not be set up as asked (a CA file with no certificate in it);
    /// no request was sent.
    #[error("client setup: {0}")]
    Config(String),
    /// A push stream stayed silent longer than the server's keep-alive promise, so the
    /// connection is presumed dead.
    #[error("no data from the server for {0:?}")]
    Idle(Duration),
}

fn display_code(code: Option<ErrorCode>, problem: Option<&Problem>) -> &str {
    match (code, problem) {
        (Some(c), _) => c.as_str(),
        (None, Some(p)) => &p.code,
        (None, None) => "not problem+json",
    }
}

impl Error {
    /// The contract's error code, for `match e.code() { Some(ErrorCode::…) => … }`.
    /// `None` for transport and decode failures and for non-problem bodies.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api { code, .. } => *code,
            _ => None,
        }
    }

    /// The `code` text exactly as the server sent it, including codes this client does
    /// not know (a newer server may add some).
    pub fn raw_code(&self) -> Option<&str> {
        match self {
            Error::Api {
                problem: Some(p), ..
            } => Some(&p.code),
            _ => None,
        }
    }

    /// The HTTP status of an [`Error::Api`], so tests can assert the status and the
    /// code separately.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's `Retry-After`, so a caller backs off as long as it was told.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => retry_after.map(Duration::from_secs),
            _ => None,
        }
    }

    /// Whether the server could not be reached or the connection broke (as opposed to
    /// the server answering "no"): the cases where trying again, or another transport,
    /// can help.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            Error::Transport(_) | Error::WebSocket(_) | Error::Idle(_)
        )
    }

    /// Turns a non-2xx answer into [`Error::Api`]. Public so callers of the raw
    /// escape hatch ([`crate::Client::http`]) map errors exactly as the typed calls do.
    pub async fn from_response(resp: reqwest::Response) -> Error {
        let status = resp.status().as_u16();
        let retry_after = retry_after(resp.headers());
        match resp.bytes().await {
            Ok(body) => Error::from_body(status, &body, retry_after),
            Err(e) => Error::Transport(e),
        }
    }

    /// Builds [`Error::Api`] from a status and a body. Any JSON object with a string
    /// `code` counts as a problem, whatever the `Content-Type` said, so that a server
    /// mislabelling its errors still yields the right code (its tests check the header
    /// separately). Anything else keeps `code: None` and the body's start as `detail`.
    pub fn from_body(status: u16, body: &[u8], retry_after: Option<u64>) -> Error {
        match parse_problem(status, body) {
            Some(p) => Error::Api {
                status,
                code: known_code(&p.code),
                detail: p.detail.clone(),
                problem: Some(Box::new(p)),
                retry_after,
            },
            None => Error::Api {
                status,
                code: None,
                problem: None,
                detail: body_excerpt(body),
                retry_after,
            },
        }
    }
}

/// Parses a problem body leniently: `code` is required (it is what callers match on),
/// the other members default, since a problem without them is still a problem.
fn parse_problem(status: u16, body: &[u8]) -> Option<Problem> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object()?;
    let text = |k: &str| obj.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    let code = text("code")?;
    Some(Problem {
        kind: text("type").unwrap_or_default(),
        title: text("title").unwrap_or_default(),
        status: obj
            .get("status")
            .and_then(|s| s.as_u64())
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(status),
        detail: text("detail").unwrap_or_default(),
        code,
    })
}

/// The contract code for `text`, or `None` when this client does not know it.
fn known_code(text: &str) -> Option<ErrorCode> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

/// At most 200 characters of a body, lossily decoded: enough to recognise a proxy's
/// error page in a message without dumping megabytes into logs.
fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(800)]);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// `Retry-After` in seconds; the HTTP-date form is not used by qrlogin and is ignored.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_body_becomes_an_api_error_with_its_code() {
        let body =
            br#"{"type":"urn:qrlogin:error:already_scanned","title":"QR code already scanned",
            "status":409,"detail":"another device scanned this QR code","code":"already_scanned"}"#;
        let e = Error::from_body(409, body, None);
        assert_eq!(e.code(), Some(ErrorCode::AlreadyScanned));
        assert_eq!(e.status(), Some(409));
        assert_eq!(e.raw_code(), Some("already_scanned"));
        let Error::Api {
            detail, problem, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(detail, "another device scanned this QR code");
        assert_eq!(problem.as_ref().unwrap().title, "QR code already scanned");
        assert_eq!(
            e.to_string(),
            "already_scanned (409): another device scanned this QR code"
        );
    }

    #[test]
    fn every_contract_code_is_recognised() {
        for code in [
            ErrorCode::InvalidRequest,
            ErrorCode::DeviceMismatch,
            ErrorCode::InvalidScanTicket,
            ErrorCode::QrExpired,
            ErrorCode::RateLimited,
            ErrorCode::StoreUnavailable,
            ErrorCode::Internal,
        ] {
            let body = format!(r#"{{"code":"{}"}}"#, code.as_str());
            let e = Error::from_body(code.status(), body.as_bytes(), None);
            assert_eq!(e.code(), Some(code));
        }
    }

    #[test]
    fn an_unknown_code_is_kept_as_text() {
        let e = Error::from_body(
            418,
            br#"{"code":"teapot","detail":"short and stout"}"#,
            None,
        );
        assert_eq!(e.code(), None);
        assert_eq!(e.raw_code(), Some("teapot"));
        assert_eq!(e.to_string(), "teapot (418): short and stout");
    }

    #[test]
    fn a_body_that_is_not_a_problem_gives_no_code_and_a_short_detail() {
        let html = format!("<html>{}</html>", "x".repeat(5000));
        for body in [
            &b""[..],
            b"Bad Gateway",
            b"[1,2]",
            br#"{"code":5}"#,
            b"\xff\xfe",
            html.as_bytes(),
        ] {
            let e = Error::from_body(502, body, None);
            assert_eq!(e.code(), None, "{body:?}");
            assert_eq!(e.raw_code(), None);
            assert_eq!(e.status(), Some(502));
            let Error::Api { detail, .. } = &e else {
                panic!()
            };
            assert!(detail.chars().count() <= 201);
        }
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(7));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
        let e = Error::from_body(429, br#"{"code":"rate_limited"}"#, Some(3));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
    }
}
