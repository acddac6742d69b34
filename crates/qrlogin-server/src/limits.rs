//! Throttling of password login: a fixed window of failures per username and per IP.
//! Argon2 makes each guess slow; this makes many guesses impossible.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per username in one window.
const PER_USER: u32 = 10;
/// Failures allowed per client IP in one window.
const PER_IP: u32 = 50;
/// Window length.
const WINDOW: Duration = Duration::from_secs(300);

/// Counts failed logins in fixed windows (per process; an attacker spread over many
/// instances still meets argon2's cost on each).
#[derive(Default)]
pub struct LoginLimiter {
    // std Mutex: held for a map update, never across an await.
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when either the username or the IP is over its limit.
    pub fn check(&self, username: &str, ip: &str) -> Result<(), u64> {
        let now = Instant::now();
        let map = self.failures.lock().expect("limiter lock poisoned");
        for (key, limit) in [
            (format!("u:{username}"), PER_USER),
            (format!("i:{ip}"), PER_IP),
        ] {
            if let Some((start, count)) = map.get(&key) {
                let elapsed = now.duration_since(*start);
                if elapsed < WINDOW && *count >= limit {
                    return Err((WINDOW - elapsed).as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    /// Records one failed attempt.
    pub fn failed(&self, username: &str, ip: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("limiter lock poisoned");
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        for key in [format!("u:{username}"), format!("i:{ip}")] {
            let e = map.entry(key).or_insert((now, 0));
            if now.duration_since(e.0) >= WINDOW {
                *e = (now, 0);
            }
            e.1 += 1;
        }
    }

    /// Forgets the username's failures after a successful login.
    pub fn succeeded(&self, username: &str) {
        self.failures
            .lock()
            .expect("limiter lock poisoned")
            .remove(&format!("u:{username}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_throttled_after_ten_failures_and_freed_by_a_success() {
        let l = LoginLimiter::default();
        for _ in 0..PER_USER {
            assert!(l.check("alice", "1.2.3.4").is_ok());
            l.failed("alice", "1.2.3.4");
        }
        assert!(l.check("alice", "5.6.7.8").is_err());
        assert!(l.check("bob", "5.6.7.8").is_ok());
        l.succeeded("alice");
        assert!(l.check("alice", "5.6.7.8").is_ok());
    }
}
