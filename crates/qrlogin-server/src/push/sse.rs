//! `GET /api/v1/qr/{qr_id}/events`: one `status` event per state change, `id:` = version,
//! the current status first, `Last-Event-ID` honoured, ends after a terminal state.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Authorization, QrPath};
use crate::push::KEEP_ALIVE;
use crate::service::{qr, wait::Watcher};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use qrlogin_core::api::Problem;
use qrlogin_core::time::now_ms;
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
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    qr::authorize_pc(&state, &id, &Authorization::of(&headers)).await?;
    let last = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| ApiError::bad_request("Last-Event-ID must be a version number"))?,
        ),
    };
    let watcher = Watcher::new(&state, &id).await?;
    // Each round yields the events of every version since the last one sent, so a
    // reader that woke once for two quick changes still sees both.
    let rounds = stream::unfold((watcher, last, false), |(mut w, last, done)| async move {
        if done {
            return None;
        }
        loop {
            let s = match last {
                None => w.current().await.ok()?,
                Some(v) => w
                    .until_changed(v, tokio::time::Instant::now() + ROUND)
                    .await
                    .ok()?,
            };
            let statuses = s.statuses_since(last, now_ms());
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
    });
    let stream = rounds.flatten();
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
