//! Push transports of the PC status: Server-Sent Events and WebSocket. Both are thin
//! framings over the same [`Watcher`](crate::service::wait::Watcher) the long poll uses,
//! so the three can never disagree about what happened or when.

pub mod sse;
pub mod ws;

use crate::state::AppState;
use axum::routing::get;
use axum::Router;
use std::time::Duration;

/// How often an idle stream sends something, so proxies and clients know it is alive
/// (API.md: at least every 15 s).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Routes of the push transports (PC role).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/qr/{qr_id}/events", get(sse::events))
        // CONNECT too: over HTTP/2 a WebSocket opens with an extended CONNECT (RFC 8441).
        .route(
            "/api/v1/qr/{qr_id}/ws",
            get(ws::upgrade).connect(ws::upgrade),
        )
}
