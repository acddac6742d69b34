//! The one rate check: count the hit first, then compare (never check-then-act), and
//! answer 429 `rate_limited` with `Retry-After` when the count is over the limit.

use crate::service::{Error, Result};
use qrlogin_core::ErrorCode;
use qrlogin_store::{Counters, Hit};
use std::net::IpAddr;
use std::time::Duration;

/// Counts one hit on `key` in windows of `window`; `Err(429)` past `limit`, with the
/// seconds until the window ends as `Retry-After`. A counter store that cannot be
/// reached is 503 `store_unavailable` (fail closed: a limit that is not counted is no
/// limit).
pub async fn hit(
    counters: &dyn Counters,
    key: &str,
    limit: u64,
    window: Duration,
    what: &str,
) -> Result<Hit> {
    let hit = counters.hit(key, window.as_millis() as u64).await?;
    if hit.count > limit {
        return Err(too_many(what, hit.resets_in_ms));
    }
    Ok(hit)
}

/// 429 `rate_limited` with `Retry-After` (at least one second).
pub fn too_many(what: &str, retry_in_ms: u64) -> Error {
    Error::new(
        ErrorCode::RateLimited,
        format!("too many {what}; try again later"),
    )
    .retry_after(retry_in_ms.div_ceil(1000).max(1))
}

/// The address as a counter key: an IPv4 address whole, an IPv6 address by its /64
/// (one subscriber usually holds a whole /64, so per-address keys would be free to
/// multiply). Text that is no address (a test without a socket) is kept as it is.
pub fn ip_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_address_counts_by_its_slash_64() {
        assert_eq!(ip_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(ip_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(ip_key("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(ip_key("10.0.0.1"), "10.0.0.1");
    }
}
