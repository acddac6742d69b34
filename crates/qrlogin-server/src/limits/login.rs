//! The password-login throttle. Every attempt is counted before its password is
//! checked (so concurrent guesses cannot all slip under the limit), under three keys:
//!
//! - (address, username): the guesser's own budget for one account; over it, 429.
//!   A successful sign-in clears it.
//! - address: one place guessing many usernames; over it, 429.
//! - username, from anywhere: over the soft limit, every attempt for the account is
//!   answered more slowly (growing, at most [`MAX_SLOWDOWN`]) but still checked, so
//!   guessing spread over many addresses is slowed while the real user, from their own
//!   address, still signs in.
//!
//! The counters are [`Counters`]: in memory, or in Redis shared by every instance.

use super::rate::{hit, ip_key};
use super::Limits;
use crate::service::Result;
use qrlogin_store::Counters;
use std::sync::Arc;
use std::time::Duration;

/// Longest slowdown of one attempt over the soft per-username limit.
pub const MAX_SLOWDOWN: Duration = Duration::from_secs(10);

/// The throttle of password sign-in.
pub struct LoginThrottle {
    counters: Arc<dyn Counters>,
    limits: Limits,
}

impl LoginThrottle {
    /// A throttle counting in `counters` under `limits`.
    pub fn new(counters: Arc<dyn Counters>, limits: Limits) -> Self {
        Self { counters, limits }
    }

    /// The three keys of an attempt: (address, username), address, username.
    fn keys(ip: &str, username: &str) -> [String; 3] {
        let ip = ip_key(ip);
        [
            format!("login:iu:{ip}|{username}"),
            format!("login:ip:{ip}"),
            format!("login:u:{username}"),
        ]
    }

    /// Counts one attempt of `username` from `ip` and decides whether its password may
    /// be checked: `Err(429)` over a hard limit; over the soft limit, waits first.
    pub async fn admit(&self, ip: &str, username: &str) -> Result<()> {
        let l = &self.limits;
        let window = l.login_window;
        let c = self.counters.as_ref();
        let [pair, per_ip, per_user] = Self::keys(ip, username);
        let (pair, per_ip) = tokio::join!(
            hit(c, &pair, l.login_per_ip_user, window, "sign-in attempts"),
            hit(
                c,
                &per_ip,
                l.login_per_ip,
                window,
                "sign-in attempts from this address"
            ),
        );
        pair?;
        per_ip?;
        // Only attempts that will be checked count for the username: a guesser refused
        // above cannot slow the real user down by hammering.
        let per_user = c.hit(&per_user, window.as_millis() as u64).await;
        let over = per_user?.count.saturating_sub(l.login_soft_per_user);
        if over > 0 {
            let delay = l.login_slowdown.saturating_mul(over.min(1000) as u32);
            metrics::counter!("qrlogin_login_slowed_total").increment(1);
            tokio::time::sleep(delay.min(MAX_SLOWDOWN)).await;
        }
        Ok(())
    }

    /// A correct password from `ip`: that address's attempts on `username` start over,
    /// and this attempt does not count against the address or the username (an office
    /// behind one address signs in all day; only guesses count).
    pub async fn succeeded(&self, ip: &str, username: &str) {
        let [pair, per_ip, per_user] = Self::keys(ip, username);
        let c = &self.counters;
        let (a, b, d) = tokio::join!(c.reset(&pair), c.forgive(&per_ip), c.forgive(&per_user));
        if let Err(e) = a.and(b).and(d) {
            tracing::debug!(error = %e, "login counters not updated; they end with their window");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrlogin_core::{ManualClock, SystemClock};
    use qrlogin_store::MemoryCounters;

    fn throttle(limits: Limits) -> LoginThrottle {
        LoginThrottle::new(Arc::new(MemoryCounters::new(SystemClock::shared())), limits)
    }

    #[tokio::test]
    async fn a_guesser_is_stopped_per_user_and_address_but_the_user_elsewhere_is_not() {
        let t = throttle(Limits::default());
        for _ in 0..10 {
            t.admit("10.0.0.66", "alice").await.unwrap();
        }
        let e = t.admit("10.0.0.66", "alice").await.unwrap_err();
        assert_eq!(e.code.as_str(), "rate_limited");
        assert!(e.retry_after.is_some_and(|s| s >= 1));
        t.admit("10.0.0.7", "alice").await.unwrap();
        t.admit("10.0.0.66", "bob").await.unwrap();
    }

    #[tokio::test]
    async fn a_success_clears_the_address_budget_for_that_user() {
        let clock = ManualClock::starting_now();
        let t = LoginThrottle::new(
            Arc::new(MemoryCounters::new(Arc::new(clock))),
            Limits::default(),
        );
        for _ in 0..10 {
            t.admit("10.0.0.7", "alice").await.unwrap();
        }
        t.succeeded("10.0.0.7", "alice").await;
        t.admit("10.0.0.7", "alice").await.unwrap();
    }

    #[tokio::test]
    async fn guesses_for_one_user_from_many_addresses_are_slowed_never_refused() {
        let t = throttle(Limits {
            login_soft_per_user: 2,
            login_slowdown: Duration::from_millis(1),
            ..Limits::default()
        });
        for i in 0..6 {
            t.admit(&format!("10.0.1.{i}"), "alice").await.unwrap();
        }
    }
}
