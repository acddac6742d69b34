//! A waiting PC over each of the three push transports (long poll, SSE, WebSocket), in
//! raw bytes: tens of thousands of them must fit in the generator beside the server.
//!
//! The pushed status JSON carries `"state":"<state>"` verbatim whatever the framing
//! (HTTP body, SSE `data:` line inside a chunk, WebSocket text frame), so waiting for a
//! state is waiting for those bytes.

use crate::api::{status_req, Qr};
use crate::http::{request, Conn};
use anyhow::bail;
use qrlogin_core::QrState;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};

/// How a PC waits for the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Transport {
    /// `GET /api/v1/qr/{id}?wait=60&since=v`.
    LongPoll,
    /// `GET /api/v1/qr/{id}/events`.
    Sse,
    /// `GET /api/v1/qr/{id}/ws`, authenticated by header.
    Ws,
}

impl Transport {
    /// All three, in report order.
    pub const ALL: [Transport; 3] = [Transport::LongPoll, Transport::Sse, Transport::Ws];

    /// Name used in the report and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Transport::LongPoll => "long poll",
            Transport::Sse => "SSE",
            Transport::Ws => "WebSocket",
        }
    }
}

/// A PC waiting on one QR session.
pub struct Waiter {
    conn: Conn,
    transport: Transport,
}

/// Raised when the server does not offer a transport (yet): the scenario reports
/// "not run" instead of failing.
#[derive(Debug)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

/// `"state":"<state>"`, as the server serialises [`qrlogin_core::api::Status`].
pub fn state_needle(state: QrState) -> Vec<u8> {
    format!(r#""state":"{}""#, state.as_str()).into_bytes()
}

/// Opens a waiter on `qr`, whose current state is `current` at `version`. SSE and
/// WebSocket return once the first pushed status (the current one) arrived, so the
/// waiter is registered; a long poll returns once its request is written.
pub async fn open(
    addr: SocketAddr,
    source: Option<IpAddr>,
    qr: &Qr,
    transport: Transport,
    current: (QrState, u64),
) -> anyhow::Result<Waiter> {
    let mut conn = Conn::connect(addr, source).await?;
    let auth = format!("Bearer {}", qr.poll_token);
    let (req, want) = match transport {
        Transport::LongPoll => {
            conn.send(&status_req(qr, Some((60, current.1)))).await?;
            return Ok(Waiter { conn, transport });
        }
        Transport::Sse => (
            request(
                "GET",
                &format!("/api/v1/qr/{}/events", qr.qr_id),
                &[("Authorization", &auth), ("Accept", "text/event-stream")],
                None,
            ),
            200,
        ),
        Transport::Ws => (
            request(
                "GET",
                &format!("/api/v1/qr/{}/ws", qr.qr_id),
                &[
                    ("Authorization", &auth),
                    ("Connection", "Upgrade"),
                    ("Upgrade", "websocket"),
                    ("Sec-WebSocket-Version", "13"),
                    // Any 16 bytes in base64; the answer's accept key is not checked.
                    ("Sec-WebSocket-Key", "cXJsb2dpbi1iZW5jaC1rZXk="),
                ],
                None,
            ),
            101,
        ),
    };
    conn.send(&req).await?;
    let (status, head, _) = conn.read_head().await?;
    if status != want {
        let why = format!("{} answered HTTP {status}", transport.name());
        if matches!(status, 404 | 405 | 501) {
            return Err(Unsupported(format!("{why}: endpoint not in this server yet")).into());
        }
        bail!(why);
    }
    conn.read_until(head, &state_needle(current.0)).await?;
    Ok(Waiter { conn, transport })
}

impl Waiter {
    /// Waits until the pushed status is `state`.
    pub async fn wait_for(&mut self, state: QrState) -> anyhow::Result<()> {
        let needle = state_needle(state);
        match self.transport {
            Transport::LongPoll => {
                let status = self.conn.read_response().await?;
                if status != 200 || crate::http::find(self.conn.body(), &needle).is_none() {
                    bail!(
                        "long poll answered HTTP {status}: {}",
                        String::from_utf8_lossy(self.conn.body())
                    );
                }
            }
            Transport::Sse | Transport::Ws => self.conn.read_until(0, &needle).await?,
        }
        Ok(())
    }
}
