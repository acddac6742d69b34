//! Password checks on a bounded pool. An argon2id check takes ~19 MiB and tens of
//! milliseconds of a core; run unbounded, 40 concurrent guesses took the server from
//! 48 MB to 1.2 GB. Here at most one check per core runs at a time; a request waits
//! for a worker for a short while, then gets 429 `rate_limited` with `Retry-After`.
//! The worker's permit moves into the check, so a client that hangs up does not free
//! its worker before the check it started has finished: memory stays bounded.
//!
//! The checks run on a fixed set of threads of their own, one per worker, not on
//! tokio's blocking pool: glibc gives each thread that allocates an arena of its own
//! (up to 8 per core) and keeps a freed 19 MiB block in it, so checks spread over
//! whichever blocking threads were free left a block in each of up to 16 arenas (RSS
//! +300 MiB after a 32-wide burst on 2 cores, for 2 checks at a time). Each pool
//! thread allocates its argon2 memory once and reuses it for every check, so the pool
//! holds n blocks, whatever the burst.

use crate::service::{Error, Result};
use argon2::password_hash::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use qrlogin_core::ErrorCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// One check for a pool thread. The permit is dropped when the check is done, whatever
/// became of the request that asked for it.
struct Job {
    password: String,
    phc: String,
    _permit: OwnedSemaphorePermit,
    answer: oneshot::Sender<bool>,
}

/// The bounded argon2 pool, and a count of the checks it ran (a metric, and what the
/// brute-force tests count).
pub struct PasswordPool {
    workers: Arc<Semaphore>,
    /// To the pool's threads; they end when the pool (this sender) is dropped.
    jobs: Mutex<mpsc::Sender<Job>>,
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
        let running: Arc<(AtomicUsize, AtomicUsize)> = Arc::default();
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..n {
            let (queue, running) = (Arc::clone(&queue), Arc::clone(&running));
            let spawned = std::thread::Builder::new()
                .name(format!("qrlogin-argon2-{i}"))
                .spawn(move || check_loop(&queue, &running));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-check thread");
            }
        }
        Self {
            workers: Arc::new(Semaphore::new(n)),
            jobs: Mutex::new(jobs),
            queue_wait,
            checks: AtomicU64::new(0),
            running,
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
        let (answer, answered) = oneshot::channel();
        let job = Job {
            password,
            phc,
            _permit: permit,
            answer,
        };
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(job)
            .map_err(|_| Error::internal("the password-check threads are gone"))?;
        answered
            .await
            .map_err(|_| Error::internal("a password check ended without an answer"))
    }
}

/// A pool thread: takes checks until the pool is dropped. A check that panics answers
/// "no match" (its sender is dropped, which the caller reports), and the thread goes on.
fn check_loop(queue: &Mutex<mpsc::Receiver<Job>>, running: &(AtomicUsize, AtomicUsize)) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let next = queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .recv();
        let Ok(job) = next else { return };
        let now = running.0.fetch_add(1, Ordering::SeqCst) + 1;
        running.1.fetch_max(now, Ordering::SeqCst);
        let Job {
            password,
            phc,
            _permit,
            answer,
        } = job;
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            verify_with(password.as_bytes(), &phc, &mut memory)
        }));
        running.0.fetch_sub(1, Ordering::SeqCst);
        if let Ok(ok) = ok {
            // The asker may have hung up; the check still counted against the pool.
            let _ = answer.send(ok);
        }
    }
}

/// The most argon2 memory a pool thread keeps between checks: the default cost's
/// (19 MiB). A stored hash of a higher cost still verifies; its memory is let go after.
const KEPT_BLOCKS: usize = Params::DEFAULT_M_COST as usize;

/// Whether `password` matches the PHC string `phc`, as `PasswordVerifier` checks it
/// (the hash's own algorithm, version, parameters and salt; the outputs compared in
/// constant time), but computed in `memory`, which is grown to the hash's cost and
/// reused by the next check instead of being allocated anew. `false` for anything
/// unreadable.
fn verify_with(password: &[u8], phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (hash.hash, hash.salt) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else {
        return false;
    };
    let Ok(version) = hash.version.map(Version::try_from).transpose() else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let need = params.block_count();
    if memory.len() < need {
        memory.resize(need, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version.unwrap_or_default(), params);
    let computed =
        argon2.hash_password_into_with_memory(password, salt, &mut out, &mut memory[..need]);
    if memory.len() > KEPT_BLOCKS {
        *memory = Vec::new();
    }
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString};

    fn phc(password: &str, argon2: &Argon2) -> String {
        let salt = SaltString::encode_b64(b"qrlogin-test-salt").expect("salt");
        argon2
            .hash_password(password.as_bytes(), &salt)
            .expect("hash")
            .to_string()
    }

    #[test]
    fn a_check_in_reused_memory_agrees_with_the_argon2_crates_own_verifier() {
        let mut memory = Vec::new();
        let small = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(64, 2, 1, Some(24)).expect("params"),
        );
        for argon2 in [Argon2::default(), small] {
            let stored = phc("right horse", &argon2);
            assert!(
                verify_with(b"right horse", &stored, &mut memory),
                "{stored}"
            );
            assert!(!verify_with(b"wrong horse", &stored, &mut memory));
            // The memory of the first check is reused by the next.
            assert!(memory.len() >= 64 && memory.len() <= KEPT_BLOCKS);
        }
    }

    #[test]
    fn an_unreadable_or_foreign_hash_never_matches() {
        let mut memory = Vec::new();
        for phc in [
            "",
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA",
            "$scrypt$ln=1,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        ] {
            assert!(!verify_with(b"anything", phc, &mut memory), "{phc}");
        }
    }
}
