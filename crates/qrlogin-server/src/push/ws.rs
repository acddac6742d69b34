//! `GET /api/v1/qr/{qr_id}/ws`: one text message (the status JSON) per state change,
//! the current status first, close 1000 after a terminal state. Auth by header (checked
//! before the upgrade, so errors are problem+json), or, for browsers, by a first message
//! `{"type":"auth","poll_token":"qlp_…"}` within 10 s. A waiter slot is taken only once
//! the socket is authenticated: sockets that never authenticate cannot fill the cap.
//! The auth message carries a secret: it is never logged here, and the WebSocket
//! library's own trace logs are filtered out (see `telemetry::log_filter`).

use crate::error::{ApiError, ApiResult};
use crate::extract::{Authorization, ClientIp, QrPath};
use crate::push::KEEP_ALIVE;
use crate::service::{self, qr, wait::Watcher};
use crate::state::AppState;
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use qrlogin_core::api::Problem;
use qrlogin_core::{ErrorCode, QrId};
use serde::Deserialize;
use std::net::IpAddr;
use std::time::Duration;

/// Largest accepted message or frame: an auth message is under 100 bytes.
const WS_MAX_MESSAGE: usize = 4 * 1024;

/// Read buffer: one auth message fits; a larger frame grows it as needed (up to
/// [`WS_MAX_MESSAGE`]). Every waiting socket keeps this buffer.
const WS_READ_BUFFER: usize = 256;

/// How long a browser has to send its auth message.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);

/// The first message of a browser that cannot send headers.
#[derive(Deserialize)]
struct AuthMessage {
    #[serde(rename = "type")]
    kind: String,
    poll_token: String,
}

/// WebSocket of the status.
#[utoipa::path(get, path = "/api/v1/qr/{qr_id}/ws", tag = "pc", params(("qr_id" = String, Path)),
    security(("poll_token" = [])),
    responses((status = 101, description = "upgraded; one text message per change"), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn upgrade(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    ClientIp(ip): ClientIp,
    auth: Authorization,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    // No header: the session must exist; the token comes in the first message, and
    // the waiter slot only after it.
    let watcher = if auth.bearer().is_some() {
        Some(Box::new(qr::watch(&state, &id, auth.bearer(), ip).await?))
    } else {
        qr::get(&state, &id).await?;
        None
    };
    // Small buffers: the server reads one short auth message at most and writes short
    // status messages, so tungstenite's 128 KiB defaults would be almost all waste per
    // waiting PC.
    let ws = ws
        .map_err(|_| ApiError::bad_request("expected a WebSocket upgrade request"))?
        .read_buffer_size(WS_READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(WS_MAX_MESSAGE)
        .max_frame_size(WS_MAX_MESSAGE);
    // Boxed: axum's upgrade task keeps the callback's captures for the socket's whole
    // life besides our own task state, so a 400-byte capture would be held twice.
    Ok(ws.on_upgrade(move |socket| run(socket, state, id, ip, watcher)))
}

/// Sends a close frame; the socket is done after it.
async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

fn problem_text(e: &service::Error) -> String {
    serde_json::json!({ "code": e.code.as_str(), "status": e.code.status(), "detail": e.detail })
        .to_string()
}

/// Reads the auth message, checks its token and takes a waiter slot; `Err` with the
/// close to send.
async fn first_message_auth(
    socket: &mut WebSocket,
    state: &AppState,
    id: &QrId,
    ip: Option<IpAddr>,
) -> service::Result<Box<Watcher>> {
    let msg = tokio::time::timeout(AUTH_TIMEOUT, socket.recv())
        .await
        .map_err(|_| service::Error::unauthorized())?
        .and_then(Result::ok)
        .ok_or_else(service::Error::unauthorized)?;
    let Message::Text(text) = msg else {
        return Err(service::Error::unauthorized());
    };
    let message: AuthMessage = serde_json::from_str(&text)
        .map_err(|_| service::Error::bad_request("expected an auth message"))?;
    if message.kind != "auth" {
        return Err(service::Error::bad_request("expected an auth message"));
    }
    qr::watch(state, id, Some(&message.poll_token), ip)
        .await
        .map(Box::new)
}

/// Authenticates a socket by its first message; on failure tells the client why and
/// closes. The socket's waiter if it may go on.
async fn authenticate(
    socket: &mut WebSocket,
    state: &AppState,
    id: &QrId,
    ip: Option<IpAddr>,
) -> Option<Box<Watcher>> {
    let e = match first_message_auth(socket, state, id, ip).await {
        Ok(w) => return Some(w),
        Err(e) => e,
    };
    let _ = socket.send(Message::Text(problem_text(&e).into())).await;
    // A full cap is "try again", a bad token is a policy violation.
    let code = match e.code {
        ErrorCode::RateLimited | ErrorCode::StoreUnavailable => close_code::AGAIN,
        _ => close_code::POLICY,
    };
    close(socket, code, e.code.as_str()).await;
    None
}

/// The task of one socket, alive as long as its PC waits, so its size is the memory of
/// a waiting WebSocket PC. Hence: a plain fn returning an `async move` block (an
/// `async fn` keeps its arguments twice, as arguments and as locals); no split into
/// halves (that moves the socket into a shared lock); the rare first-message
/// authentication in a box of its own.
#[allow(clippy::manual_async_fn)] // on purpose: 2.0 KB of state instead of 2.9 KB
pub(crate) fn run(
    mut socket: WebSocket,
    state: AppState,
    id: QrId,
    ip: Option<IpAddr>,
    watcher: Option<Box<Watcher>>,
) -> impl std::future::Future<Output = ()> + Send {
    async move {
        let mut watcher = match watcher {
            Some(w) => w,
            None => match Box::pin(authenticate(&mut socket, &state, &id, ip)).await {
                Some(w) => w,
                None => return,
            },
        };
        let mut last: Option<u64> = None;
        loop {
            let next = match last {
                None => watcher.current().await,
                Some(v) => {
                    let deadline = tokio::time::Instant::now() + KEEP_ALIVE;
                    // Both futures are dropped when one completes, so the socket is free
                    // to send afterwards; a partly received frame stays buffered in it.
                    tokio::select! {
                        s = watcher.until_changed(v, deadline) => s,
                        incoming = socket.recv() => match incoming {
                            // The client left, or broke the protocol: stop waiting for it.
                            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                            Some(Ok(_)) => continue,
                        },
                    }
                }
            };
            // Only what the sends need is kept across them, not the session itself.
            let (statuses, version, qr_state) = match next {
                Ok(s) => (s.statuses_since(last, state.now()), s.version, s.state),
                Err(e) => {
                    let text = problem_text(&e);
                    let code = e.code.as_str();
                    let _ = socket.send(Message::Text(text.into())).await;
                    return close(&mut socket, close_code::AGAIN, code).await;
                }
            };
            if statuses.is_empty() {
                if watcher.shutting_down() {
                    return close(&mut socket, close_code::AWAY, "server shutting down").await;
                }
                // A quiet round: ping, so intermediaries keep the connection open.
                if socket
                    .send(Message::Ping(Default::default()))
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
            // Every version since the last message, so quick successive changes each arrive.
            for st in &statuses {
                let Ok(text) = serde_json::to_string(st) else {
                    return;
                };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
            last = Some(version);
            if qr_state.is_terminal() {
                return close(&mut socket, close_code::NORMAL, qr_state.as_str()).await;
            }
        }
    }
}
