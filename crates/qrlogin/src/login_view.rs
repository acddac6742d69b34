//! What `qrlogin login` shows: either the QR code and one live status line for a
//! person, or one JSON object per line per event for a program (`--json`).
//!
//! JSON events (each with an `"event"` member):
//! - `created`: `qr_id`, `qr_content`, `qr_png` (absolute URL), `expires_in`
//! - `status`: `qr_id`, `state`, `version`, `expires_in`, `scanner`
//! - `signed_in`: `account`, `expires_at`, `session_file`
//! - `error`: `code` (the server's, or null), `exit_code`, `message`
//!
//! Neither form ever contains a token: those go to the 0600 file only.

use crate::common::stdout_is_fancy;
use crate::exit::{Exit, Failure};
use crate::store::PcSession;
use crate::term_qr;
use qrlogin_client::api::Status;
use qrlogin_client::{Pc, QrState};
use serde_json::json;
use std::io::Write as _;
use std::path::Path;

/// The login's output, with what it needs to redraw in place.
pub struct View {
    /// `--json`: events instead of drawings.
    json: bool,
    /// stdout is a terminal that takes escapes: colours, the status line rewritten in
    /// place, a new code drawn over the old one (so nobody scans a dead code).
    fancy: bool,
    /// Lines printed since the current code was drawn, to move back over them.
    drawn: usize,
    /// The status line has no newline yet (fancy mode).
    status_open: bool,
}

impl View {
    /// The view for `--json` or for a person.
    pub fn new(json: bool) -> Self {
        Self {
            json,
            fancy: !json && stdout_is_fancy(),
            drawn: 0,
            status_open: false,
        }
    }

    /// A new QR code to show.
    pub fn created(&mut self, pc: &Pc) -> Result<(), Failure> {
        let (content, expires_in, png) = match pc.created() {
            Some(c) => (c.qr_content.as_str(), c.expires_in, absolute(pc, &c.qr_png)),
            None => return Err(Failure::new(Exit::Generic, "no QR content from the server")),
        };
        if self.json {
            emit(
                "created",
                json!({
                    "qr_id": pc.qr_id(), "qr_content": content,
                    "qr_png": png, "expires_in": expires_in,
                }),
            );
            return Ok(());
        }
        let drawing = term_qr::render(content, self.fancy)
            .map_err(|e| Failure::new(Exit::Generic, format!("cannot draw the QR code: {e}")))?;
        let mut text = String::new();
        if self.fancy && self.drawn > 0 {
            // Back to the first line of the previous code, and erase to the end.
            text.push_str(&format!("\r\x1b[{}F\x1b[J", self.drawn));
        } else if self.status_open {
            text.push('\n');
        }
        let body = format!(
            "Scan this QR code with your phone to sign in:\n{drawing}\
             Or open on your phone: {content}\n\n"
        );
        // The status line sits right below, so this many lines up is the first one.
        self.drawn = body.matches('\n').count();
        text.push_str(&body);
        self.status_open = false;
        write_out(&text);
        Ok(())
    }

    /// A status change.
    pub fn status(&mut self, s: &Status) {
        if self.json {
            emit(
                "status",
                json!({
                    "qr_id": s.qr_id, "state": s.state, "version": s.version,
                    "expires_in": s.expires_in, "scanner": s.scanner,
                }),
            );
            return;
        }
        let who = s
            .scanner
            .as_ref()
            .map_or("your phone", |p| p.display_name.as_str());
        let line = match s.state {
            QrState::Pending => format!("Scan with your phone (expires in {} s)", s.expires_in),
            QrState::Scanned => format!("Scanned by {who} — confirm on your phone"),
            QrState::Confirmed => format!("Confirmed by {who} — signing in…"),
            QrState::Redeemed => "Signed in".to_owned(),
            QrState::Cancelled => "Declined on the phone".to_owned(),
            QrState::Expired => "This QR code expired — getting a new one…".to_owned(),
        };
        self.line(&line);
    }

    /// The session is saved.
    pub fn signed_in(&mut self, session: &PcSession, file: &Path) {
        if self.json {
            emit(
                "signed_in",
                json!({
                    "account": session.account,
                    "expires_at": session.expires_at, "session_file": file,
                }),
            );
            return;
        }
        self.line(&format!("Signed in as {}", session.account.display_name));
        self.close_status();
        write_out(&format!(
            "Session saved to {} (valid until {}).\n",
            file.display(),
            session.expires_at
        ));
    }

    /// The login failed; the message itself goes to stderr from `main`.
    pub fn failed(&mut self, f: &Failure) {
        if self.json {
            emit(
                "error",
                json!({
                    "code": f.code, "exit_code": f.exit as u8,
                    "message": f.message,
                }),
            );
        } else {
            self.close_status();
        }
    }

    /// Shows `line` as the status: rewritten in place on a terminal, else a new line.
    fn line(&mut self, line: &str) {
        if self.fancy {
            write_out(&format!("\r\x1b[2K{line}"));
            self.status_open = true;
        } else {
            write_out(&format!("{line}\n"));
            self.drawn += 1;
        }
    }

    fn close_status(&mut self) {
        if self.status_open {
            write_out("\n");
            self.status_open = false;
        }
    }
}

/// The server's image link (a path, or already a URL) as an absolute URL.
fn absolute(pc: &Pc, link: &str) -> String {
    if link.starts_with("http://") || link.starts_with("https://") {
        link.to_owned()
    } else {
        pc.client().url(link)
    }
}

/// One JSON event per line, flushed at once so a reading program sees it now.
fn emit(event: &str, fields: serde_json::Value) {
    write_out(&event_line(event, &fields));
}

/// `{"event":<event>,<fields…>}` and a newline: `"event"` first, so a person reading
/// the stream sees the kind at once (serde_json sorts the other keys).
fn event_line(event: &str, fields: &serde_json::Value) -> String {
    let body = fields.to_string();
    let rest = body.strip_prefix('{').unwrap_or("}");
    let sep = if rest == "}" { "" } else { "," };
    format!("{{\"event\":{}{sep}{rest}\n", json!(event))
}

/// Writes and flushes; a closed stdout (`| head`) is not worth a panic.
fn write_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_line_is_one_json_object_with_the_event_first() {
        let line = event_line("status", &json!({"state": "pending", "version": 1}));
        assert_eq!(
            line,
            "{\"event\":\"status\",\"state\":\"pending\",\"version\":1}\n"
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["event"], "status");
        assert_eq!(event_line("x", &json!({})), "{\"event\":\"x\"}\n");
    }
}
