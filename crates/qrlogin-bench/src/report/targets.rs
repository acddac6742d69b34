//! The performance targets of `shared/DESIGN.md` ("Performance targets", raised December
//! 2026), written down once: every row of the report's target table reads its figure
//! from here, so a raised target is one edit and a row cannot disagree with another.

use crate::push::Transport;

/// Status short polls, as a share of the ceiling's requests/s: memory, Redis.
pub const STATUS_OF_CEILING: [f64; 2] = [0.80, 0.60];

/// Full logins (5 requests each) per second, as a share of the ceiling's requests/s:
/// memory, Redis.
pub const FLOWS_OF_CEILING: [f64; 2] = [0.12, 0.06];

/// Full logins with the database on the path, as a share of the same store's logins
/// on the memory database.
pub const WITH_DATABASE_OF_MEMORY: f64 = 0.70;

/// OAuth device authorization, device-token polls and code exchange, as a multiple of
/// the Node `oidc-provider` peer in the same run.
pub const OAUTH_OF_PEER: f64 = 5.0;

/// PCs waiting at once on one instance.
pub const WAITERS_HELD: usize = 50_000;

/// Server memory per waiter over HTTP/2 and WebSocket, bytes.
pub const WAITER_BYTES: f64 = 4096.0;

/// hyper's floor per HTTP/1.1 connection (an 8 KiB read and an 8 KiB write buffer, and
/// the rest): what long polls and SSE over HTTP/1.1 are held at, reported, not a miss.
pub const HTTP1_FLOOR_BYTES: f64 = 20.0 * 1024.0;

/// Confirm → waiting PC answered, p99, ms: on the instance that holds the PC.
pub const CONFIRM_P99_SAME_MS: f64 = 5.0;

/// Confirm → waiting PC answered, p99, ms: confirmed on another instance, via Redis.
pub const CONFIRM_P99_ACROSS_MS: f64 = 10.0;

/// Redis memory per pending QR session, bytes.
pub const REDIS_BYTES_PER_SESSION: f64 = 512.0;

/// Fan-out: notifications per instance per login count as flat while, at every size,
/// no instance's figure exceeds the one-instance figure × this factor + [`FLAT_SLACK`].
/// With one channel heard by every instance it grew N-fold (2× at two instances).
pub const FLAT_FACTOR: f64 = 1.25;

/// Fan-out: the absolute slack of [`FLAT_FACTOR`], for counts of a few logins, where one
/// message more or less (a confirm answered before its long poll was subscribed) moves
/// the ratio.
pub const FLAT_SLACK: f64 = 0.5;

/// Whether a waiters way is judged against [`WAITER_BYTES`]; the others (long poll and
/// SSE over HTTP/1.1) are reported against [`HTTP1_FLOOR_BYTES`].
pub fn judged_per_waiter(transport: Transport, http2: bool) -> bool {
    http2 || transport == Transport::Ws
}

/// Whether the fan-out figure `at_n` is flat against the one-instance figure `at_1`.
pub fn flat(at_1: f64, at_n: f64) -> bool {
    at_n <= at_1 * FLAT_FACTOR + FLAT_SLACK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_channel_for_all_would_not_count_as_flat_but_a_late_redeem_does() {
        // Old design: 3 messages a login heard by every instance, 3 × N per own login.
        assert!(!flat(3.0, 6.0));
        // Per-session channels: 1 per login, give or take one in a short run.
        assert!(flat(1.0, 1.6));
    }

    #[test]
    fn only_long_poll_and_sse_over_http1_are_held_at_the_floor() {
        assert!(!judged_per_waiter(Transport::LongPoll, false));
        assert!(!judged_per_waiter(Transport::Sse, false));
        assert!(judged_per_waiter(Transport::Ws, false));
        assert!(judged_per_waiter(Transport::LongPoll, true));
    }
}
