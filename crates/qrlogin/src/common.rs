//! Small helpers shared by the client subcommands: the server URL as typed, signals,
//! the machine's name, and times.

use crate::exit::{Exit, Failure};

/// The base URL the user typed, made usable: `localhost:8080` gets `http://`, a
/// trailing `/` goes. Anything that is still not an http(s) URL is bad input (7), said
/// before any request is tried.
pub fn server_url(typed: &str) -> Result<String, Failure> {
    let typed = typed.trim();
    let with_scheme = if typed.contains("://") {
        typed.to_owned()
    } else {
        format!("http://{typed}")
    };
    match reqwest::Url::parse(&with_scheme) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Ok(with_scheme.trim_end_matches('/').to_owned())
        }
        _ => Err(Failure::new(
            Exit::BadInput,
            format!("not a server URL: {typed:?} (expected e.g. http://127.0.0.1:8080)"),
        )),
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. Once this is being awaited, the signals no
/// longer kill the process, so the caller gets to clean up (cancel its QR session).
pub async fn interrupted() {
    qrlogin_server::shutdown_signal().await;
}

/// This machine's host name, for the device name the phone is shown. Read from the
/// kernel's file rather than a syscall, so no unsafe code is needed.
pub fn hostname() -> Option<String> {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
}

/// Now + `secs`, as RFC 3339 UTC, for "expires at" fields computed from `expires_in`.
pub fn in_seconds(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX / 2);
    let at = chrono::Utc::now()
        .checked_add_signed(chrono::TimeDelta::try_seconds(secs).unwrap_or(chrono::TimeDelta::MAX))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Whether to write terminal escapes (colours, in-place redraw) to stdout: only to a
/// terminal, and not when the user set `NO_COLOR`.
pub fn stdout_is_fancy() -> bool {
    use std::io::IsTerminal as _;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_typed_without_scheme_gets_http_and_loses_its_trailing_slash() {
        assert_eq!(
            server_url("localhost:8080").unwrap(),
            "http://localhost:8080"
        );
        assert_eq!(
            server_url("https://qr.example.com/").unwrap(),
            "https://qr.example.com"
        );
        assert_eq!(server_url("ftp://x").unwrap_err().exit, Exit::BadInput);
        assert_eq!(server_url("http://").unwrap_err().exit, Exit::BadInput);
    }

    #[test]
    fn expiry_times_are_rfc3339_utc() {
        let t = in_seconds(60);
        assert!(t.ends_with('Z') && t.contains('T'), "{t}");
        assert!(in_seconds(u64::MAX).starts_with('+') || !in_seconds(u64::MAX).is_empty());
    }
}
