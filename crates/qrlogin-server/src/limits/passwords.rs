//! Password checks on a bounded pool. An argon2id check takes ~19 MiB and tens of
//! milliseconds of a core; run unbounded, 40 concurrent guesses took the server from
//! 48 MB to 1.2 GB. Here at most one check per core runs at a time; a request waits
//! for a worker for a short while, then gets 429 `rate_limited` with `Retry-After`.
//! The worker's permit moves into the blocking task, so a client that hangs up does not
//! free its worker before the check it started has finished: memory stays bounded.

use crate::service::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use qrlogin_core::ErrorCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The bounded argon2 pool, and a count of the checks it ran (a metric, and what the
/// brute-force tests count).
pub struct PasswordPool {
    workers: Arc<Semaphore>,
    queue_wait: Duration,
    checks: AtomicU64,
    /// Checks running now, and the most ever seen at once (what bounds memory).
    running: Arc<(AtomicUsize, AtomicUsize)>,
}

impl PasswordPool {
    /// A pool of `workers` checks at once (0: one per core), waiting at most
    /// `queue_wait` for a worker.
    pub fn new(workers: usize, queue_wait: Duration) -> Self {
        let n = if workers == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            workers
        };
        Self {
            workers: Arc::new(Semaphore::new(n)),
            queue_wait,
            checks: AtomicU64::new(0),
            running: Arc::default(),
        }
    }

    /// Password checks run so far.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// The most checks that ever ran at once.
    pub fn peak_running(&self) -> usize {
        self.running.1.load(Ordering::Relaxed)
    }

    /// Checks `password` against the PHC string `phc`; `Ok(false)` on a mismatch or an
    /// unreadable hash, 429 if no worker came free in time.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool> {
        let busy = || {
            Error::new(
                ErrorCode::RateLimited,
                "too many sign-ins at once; try again",
            )
            .retry_after(1)
        };
        let permit =
            tokio::time::timeout(self.queue_wait, Arc::clone(&self.workers).acquire_owned())
                .await
                .map_err(|_| busy())?
                .map_err(|_| busy())?;
        self.checks.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("qrlogin_password_checks_total").increment(1);
        let running = Arc::clone(&self.running);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let now = running.0.fetch_add(1, Ordering::SeqCst) + 1;
            running.1.fetch_max(now, Ordering::SeqCst);
            let ok = PasswordHash::new(&phc).is_ok_and(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            });
            running.0.fetch_sub(1, Ordering::SeqCst);
            ok
        })
        .await
        .map_err(Error::internal)
    }
}
