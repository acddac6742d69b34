//! Exit codes and human messages: every client subcommand ends in `Ok(())` or a
//! [`Failure`], which carries the exit code a script can branch on and the sentence a
//! person can act on. Server errors are mapped from the problem+json `code`, never from
//! the free-text `detail`, so the messages stay stable when the server's wording moves.

use qrlogin_client::{Error, ErrorCode};
use std::process::ExitCode;

/// The table printed at the end of `qrlogin --help`; kept next to [`Exit`] so the two
/// cannot drift apart unnoticed (a unit test compares them).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  other error (an answer the command cannot act on; the message says which)
  2  usage error (unknown flag, missing argument)
  3  server unreachable or unavailable
  4  not signed in, token no longer valid, or wrong username or password
  5  the login was declined on the phone or cancelled (Ctrl-C)
  6  the QR code expired
  7  bad input: unreadable image, no QR code in it, malformed id or URL";

/// Why a command stopped, as a number scripts can test. `2` is clap's usage error and
/// is never built here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 1: anything that fits no other class.
    Generic = 1,
    /// 3: no answer from the server, or it says it cannot serve now.
    Unreachable = 3,
    /// 4: credentials missing, wrong, expired or revoked.
    Auth = 4,
    /// 5: the user said no (on the phone) or gave up (Ctrl-C).
    Declined = 5,
    /// 6: the QR code ran out of time.
    Expired = 6,
    /// 7: what the user handed us cannot be used (image, id, URL).
    BadInput = 7,
}

/// Which sign-in a `401 unauthorized` is about, so the message names the command that
/// fixes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The phone token (`qrlogin phone login`).
    Phone,
    /// The PC session (`qrlogin login`).
    Pc,
    /// No token involved.
    Anonymous,
}

/// The end of a failed command: exit code and message (printed to stderr as
/// `qrlogin: <message>`). `code` is the problem+json code when the server sent one, for
/// `--json` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What the process exits with.
    pub exit: Exit,
    /// One sentence for a person; never contains a secret.
    pub message: String,
    /// The server's error code, when the failure came from one.
    pub code: Option<String>,
}

impl Failure {
    /// A failure with no server code behind it.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            code: None,
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit as u8)
    }

    /// Maps a client error to a failure. `server` is named in "cannot reach" messages;
    /// `role` picks the command suggested for `401 unauthorized`.
    pub fn from_client(e: &Error, server: &str, role: Role) -> Self {
        let (exit, message) = classify(e, server, role);
        Self {
            exit,
            message,
            code: e.raw_code().map(str::to_owned),
        }
    }
}

/// The sign-in command that fixes an auth failure of `role`.
fn sign_in_again(role: Role) -> &'static str {
    match role {
        Role::Pc => "sign in again with `qrlogin login`",
        _ => "sign in again with `qrlogin phone login`",
    }
}

fn classify(e: &Error, server: &str, role: Role) -> (Exit, String) {
    use ErrorCode::*;
    let Some(code) = e.code() else {
        return match e {
            Error::Api { status, .. } if *status >= 500 => (
                Exit::Unreachable,
                format!("the server at {server} is not available (HTTP {status}); try again later"),
            ),
            Error::Api { status, .. } => (
                Exit::Generic,
                format!("unexpected answer from {server} (HTTP {status}); is this a qrlogin server?"),
            ),
            Error::Decode(_) => (
                Exit::Generic,
                format!("unexpected answer from {server}; is this a qrlogin server of the same version?"),
            ),
            _ if e.is_transport() => (
                Exit::Unreachable,
                format!("cannot reach the server at {server} ({})", transport_cause(e)),
            ),
            _ => (Exit::Generic, e.to_string()),
        };
    };
    match code {
        QrExpired => (
            Exit::Expired,
            "This QR code has expired — run the command again".into(),
        ),
        InvalidCredentials => (Exit::Auth, "Wrong username or password".into()),
        Unauthorized => (
            Exit::Auth,
            format!(
                "Your sign-in is no longer valid (expired or revoked) — {}",
                sign_in_again(role)
            ),
        ),
        DeviceMismatch => (
            Exit::Auth,
            format!(
                "The saved phone token belongs to another device — {}",
                sign_in_again(Role::Phone)
            ),
        ),
        AlreadyScanned => (
            Exit::Generic,
            "This QR code was already scanned by another device".into(),
        ),
        InvalidState | AlreadyRedeemed => (
            Exit::Generic,
            "This QR code can no longer be used (it was already confirmed, declined or cancelled)"
                .into(),
        ),
        QrNotFound => (
            Exit::BadInput,
            "No such QR code — check the id, or it expired long ago".into(),
        ),
        NotFound => (Exit::BadInput, "Not found — check the id".into()),
        InvalidRequest => (
            Exit::BadInput,
            format!(
                "The server rejected the request as malformed: {}",
                detail(e)
            ),
        ),
        Forbidden | InvalidScanTicket => (
            Exit::Auth,
            "This token is not allowed to do that for this QR code".into(),
        ),
        RateLimited => {
            let wait = e.retry_after().map_or(1, |d| d.as_secs().max(1));
            (
                Exit::Generic,
                format!("Too many requests — try again in {wait} s"),
            )
        }
        StoreUnavailable | Unavailable => (
            Exit::Unreachable,
            format!("the server at {server} is not available right now; try again later"),
        ),
        _ => (Exit::Generic, format!("the server answered: {e}")),
    }
}

/// The server's `detail` text (never secret: the server does not echo tokens).
fn detail(e: &Error) -> &str {
    match e {
        Error::Api { detail, .. } => detail,
        _ => "",
    }
}

/// A short cause for transport errors ("connection refused", "timed out").
fn transport_cause(e: &Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut last = e.to_string();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    if matches!(e, Error::Transport(t) if t.is_timeout()) {
        "timed out".into()
    } else {
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str) -> Error {
        let body = format!(r#"{{"code":"{code}","detail":"d"}}"#);
        Error::from_body(400, body.as_bytes(), None)
    }

    #[test]
    fn each_contract_code_gets_its_exit_code_and_sentence() {
        let f = |c| Failure::from_client(&api(c), "http://s", Role::Phone);
        let expired = f("qr_expired");
        assert_eq!(expired.exit, Exit::Expired);
        assert_eq!(
            expired.message,
            "This QR code has expired — run the command again"
        );
        assert_eq!(expired.code.as_deref(), Some("qr_expired"));
        assert_eq!(f("invalid_credentials").exit, Exit::Auth);
        assert!(f("unauthorized")
            .message
            .contains("sign in again with `qrlogin phone login`"));
        assert_eq!(f("device_mismatch").exit, Exit::Auth);
        assert_eq!(f("already_scanned").exit, Exit::Generic);
        assert_eq!(f("qr_not_found").exit, Exit::BadInput);
        assert_eq!(f("store_unavailable").exit, Exit::Unreachable);
        let pc = Failure::from_client(&api("unauthorized"), "http://s", Role::Pc);
        assert!(pc.message.contains("`qrlogin login`"));
    }

    #[test]
    fn a_body_that_is_not_a_problem_never_panics_and_says_what_it_was() {
        let e = Error::from_body(502, b"<html>Bad Gateway</html>", None);
        let f = Failure::from_client(&e, "http://s", Role::Anonymous);
        assert_eq!(f.exit, Exit::Unreachable);
        let e = Error::from_body(404, b"nope", None);
        let f = Failure::from_client(&e, "http://s", Role::Anonymous);
        assert!(f.message.contains("HTTP 404"), "{}", f.message);
        let f = Failure::from_client(&Error::Decode("x".into()), "http://s", Role::Anonymous);
        assert_eq!(f.exit, Exit::Generic);
    }

    #[test]
    fn the_help_table_lists_every_exit_code() {
        for exit in [
            Exit::Generic,
            Exit::Unreachable,
            Exit::Auth,
            Exit::Declined,
            Exit::Expired,
            Exit::BadInput,
        ] {
            assert!(EXIT_CODES_HELP.contains(&format!("\n  {}  ", exit as u8)));
        }
    }
}
