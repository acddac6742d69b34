//! Time as unix milliseconds. One plain integer type crosses every layer (core, stores,
//! Redis fields, Lua scripts), so no layer converts clocks differently. "Now" comes from the
//! injected [`Clock`](crate::Clock), never from here.

/// Milliseconds since the unix epoch.
pub type Millis = i64;

/// RFC 3339 in UTC with a `Z`, whole seconds, as in every timestamp of API.md.
pub fn rfc3339(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Whole seconds from `now` until `until`, rounded up so that a client never sees 0
/// while there is still time left, and never negative.
pub fn secs_until(now: Millis, until: Millis) -> u64 {
    if until <= now {
        0
    } else {
        ((until - now + 999) / 1000) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_render_as_rfc3339_utc() {
        assert_eq!(rfc3339(1_795_287_600_000), "2026-11-21T19:00:00Z");
    }

    #[test]
    fn remaining_seconds_round_up_and_stop_at_zero() {
        assert_eq!(secs_until(0, 1), 1);
        assert_eq!(secs_until(0, 1000), 1);
        assert_eq!(secs_until(0, 1001), 2);
        assert_eq!(secs_until(5, 5), 0);
        assert_eq!(secs_until(10, 5), 0);
    }
}
