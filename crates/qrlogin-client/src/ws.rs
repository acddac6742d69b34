//! The WebSocket status stream (`GET /api/v1/qr/{qr_id}/ws`).
//!
//! The server sends each status as one text message and closes with 1000 after a
//! terminal state. A refused handshake (`401`, `404`, …) is turned into the same
//! [`Error::Api`] a plain request would give, so callers match one error type.

use crate::error::{retry_after, Error};
use crate::pc::{Pc, StatusStream};
use futures::{SinkExt, StreamExt};
use qrlogin_core::api::Status;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{header, HeaderValue};
use tokio_tungstenite::tungstenite::{self, Message};

/// An open WebSocket to the server, as `tokio-tungstenite` gives it.
pub type WsConnection =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How the WebSocket proves it holds the poll token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsAuth {
    /// `Authorization: Bearer` on the upgrade request (native clients).
    Header,
    /// A first text message `{"type":"auth","poll_token":"qlp_…"}` (what browsers must
    /// do, as they cannot set headers on a WebSocket).
    FirstMessage,
    /// No auth at all: for tests that check the server refuses or times it out.
    None,
}

/// The `ws://` (or `wss://`) URL of an `http://` (or `https://`) one. This build has
/// no TLS, so `wss://` fails at connect with a clear error rather than silently.
pub fn ws_url(http_url: &str) -> String {
    if let Some(rest) = http_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http_url.to_owned()
    }
}

fn boxed(e: tungstenite::Error) -> Error {
    Error::WebSocket(Box::new(e))
}

/// Opens the WebSocket of `pc`'s QR session and authenticates as asked.
pub(crate) async fn connect(pc: &Pc, auth: WsAuth) -> Result<WsConnection, Error> {
    let path = format!("/api/v1/qr/{}/ws", crate::segment(pc.qr_id()));
    let mut req = ws_url(&pc.client().url(&path))
        .into_client_request()
        .map_err(boxed)?;
    if auth == WsAuth::Header {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", pc.poll_token().expose()))
            .map_err(|e| Error::Decode(format!("poll token is not a header value: {e}")))?;
        value.set_sensitive(true);
        req.headers_mut().insert(header::AUTHORIZATION, value);
    }
    let timeout = pc.client().timeout;
    let connected = tokio::time::timeout(timeout, tokio_tungstenite::connect_async(req))
        .await
        .map_err(|_| Error::Idle(timeout))?;
    let mut conn = match connected {
        Ok((conn, _response)) => conn,
        Err(tungstenite::Error::Http(resp)) => {
            let body = resp.body().as_deref().unwrap_or_default();
            return Err(Error::from_body(
                resp.status().as_u16(),
                body,
                retry_after(resp.headers()),
            ));
        }
        Err(e) => return Err(boxed(e)),
    };
    if auth == WsAuth::FirstMessage {
        let msg = serde_json::json!({ "type": "auth", "poll_token": pc.poll_token().expose() });
        conn.send(Message::text(msg.to_string()))
            .await
            .map_err(boxed)?;
    }
    Ok(conn)
}

/// The statuses of an open connection. Ends when the server closes; a text message
/// that is not a status is an error (the contract sends nothing else); binary, ping
/// and pong messages are skipped (tungstenite answers pings itself).
pub(crate) fn statuses(conn: WsConnection) -> StatusStream {
    futures::stream::unfold(Some(conn), |conn| async move {
        let mut conn = conn?;
        loop {
            let item = match conn.next().await? {
                Ok(Message::Text(text)) => crate::decode::<Status>(text.as_bytes()),
                Ok(Message::Close(_))
                | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                    return None
                }
                Ok(_) => continue,
                Err(e) => return Some((Err(boxed(e)), None)),
            };
            return Some((item, Some(conn)));
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_urls_follow_the_http_scheme() {
        assert_eq!(ws_url("http://h:1/a"), "ws://h:1/a");
        assert_eq!(ws_url("https://h/a"), "wss://h/a");
    }
}
