//! `GET /api/v1/qr/{qr_id}/events`: one `status` event per state change, `id:` = version,
//! the current status first, `Last-Event-ID` honoured, ends after a terminal state.

use crate::error::ApiResult;
use crate::extract::{Authorization, ClientIp, QrPath};
use crate::push::KEEP_ALIVE;
use crate::service::{self, qr, wait::Watcher};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use qrlogin_core::api::Problem;
use std::convert::Infallible;
use std::time::Duration;

/// How long one wait inside the stream lasts before it re-checks (the stream itself
/// lives until a terminal state, the client leaving, or shutdown).
const ROUND: Duration = Duration::from_secs(300);

/// Server-Sent Events of the status.
#[utoipa::path(get, path = "/api/v1/qr/{qr_id}/events", tag = "pc", params(("qr_id" = String, Path),
        ("Last-Event-ID" = Option<u64>, Header, description = "resume after this version")),
    security(("poll_token" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "`event: status`, `id:` version, `data:` the status JSON"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let last = match headers.get("last-event-id") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Some)
            .ok_or_else(|| service::Error::bad_request("Last-Event-ID must be a version number")),
    };
    let token = Authorization::of(&headers);
    let (watcher, last) = qr::watch_from(&state, &id, token.bearer(), last, ip).await?;
    let rounds = stream::unfold((watcher, last, false), round);
    let stream = rounds.flatten();
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// What a stream carries from one round to the next: its waiter, the last version
/// sent, and whether it has ended.
type RoundState = (Watcher, Option<u64>, bool);

/// One round of the stream: the events of every version since the last one sent, so a
/// reader that woke once for two quick changes still sees both. A store failure ends
/// the stream with one `problem` event (as the WebSocket sends a problem message)
/// instead of silently.
// A plain fn returning an async block: an async fn would keep its argument twice (as
// argument and as local), and this state is what every SSE client holds while it waits.
#[allow(clippy::manual_async_fn)]
fn round(
    (mut w, last, done): RoundState,
) -> impl std::future::Future<Output = Option<(EventBatch, RoundState)>> + Send {
    async move {
        if done {
            return None;
        }
        loop {
            let next = match last {
                None => w.current().await,
                Some(v) => {
                    w.until_changed(v, tokio::time::Instant::now() + ROUND)
                        .await
                }
            };
            let s = match next {
                Ok(s) => s,
                Err(e) => {
                    return Some((stream::iter(vec![Ok(problem_event(&e))]), (w, last, true)))
                }
            };
            let statuses = s.statuses_since(last, w.now());
            if statuses.is_empty() {
                // Nothing new: the client already has the terminal state, or the server
                // is shutting down (end), or a round passed (wait again).
                if s.state.is_terminal() || w.shutting_down() {
                    return None;
                }
                continue;
            }
            let events: Vec<Result<Event, Infallible>> = statuses
                .iter()
                .filter_map(|st| {
                    let data = serde_json::to_string(st).ok()?;
                    Some(Ok(Event::default()
                        .event("status")
                        .id(st.version.to_string())
                        .data(data)))
                })
                .collect();
            return Some((
                stream::iter(events),
                (w, Some(s.version), s.state.is_terminal()),
            ));
        }
    }
}

/// The events one round yields.
type EventBatch = stream::Iter<std::vec::IntoIter<Result<Event, Infallible>>>;

/// `event: problem` with the problem's `code`, `status` and `detail`.
fn problem_event(e: &service::Error) -> Event {
    let data = serde_json::json!({ "code": e.code.as_str(), "status": e.code.status(), "detail": e.detail });
    Event::default().event("problem").data(data.to_string())
}

#[cfg(test)]
#[path = "sse_tests.rs"]
mod tests;
