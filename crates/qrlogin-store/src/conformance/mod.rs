//! One test suite, written against the store traits only, that every backend runs, so
//! the backends cannot drift apart.
//!
//! - `mod.rs`: the [`Harness`] a backend's test file implements, the [`Backend`] it
//!   opens, and the [`conformance_tests!`](crate::conformance_tests) macro.
//! - [`fixtures`]: records to store (fresh random ids, so tests never collide, even on
//!   a shared Redis that outlives the test run).
//! - [`qr`]: QR sessions: round trips, the poll-hash index, compare-and-set.
//! - [`transition`]: the one-step guarded transition: guard, refusal, races, expiry.
//! - [`wake`]: subscriptions: prompt wake-ups across instances, no missed change.
//! - [`ephemeral`]: one-use blobs (WebAuthn challenge state).
//!
//! A backend runs the whole suite from one integration test file:
//!
//! ```text
//! // crates/qrlogin-store/tests/redis.rs
//! use qrlogin_store::conformance::{async_trait, Backend, Harness};
//!
//! struct Redis;
//!
//! #[async_trait]
//! impl Harness for Redis {
//!     async fn open(&self) -> Backend {
//!         // A new, separate store (own connections) on the same server each call;
//!         // `RedisStore::connect` stands for whatever the Redis backend offers.
//!         Backend::of(RedisStore::connect(&url()).await.expect("redis"))
//!     }
//! }
//!
//! qrlogin_store::conformance_tests!(Redis, #[ignore = "needs a Redis server"]);
//! ```
//!
//! Checks never assume an empty backend and never clean up: every record they write
//! has fresh random ids and usernames, and times near the real clock.

pub mod ephemeral;
pub mod fixtures;
pub mod qr;
pub mod transition;
pub mod wake;

use crate::memory::MemoryStore;
use crate::QrStore;
use std::future::Future;
use std::sync::Arc;

/// Re-exported so a backend's test file can implement [`Harness`] without naming
/// `async-trait` itself.
pub use async_trait::async_trait;

/// One instance of a backend, as the server would hold it.
#[derive(Clone)]
pub struct Backend {
    /// The QR-session store.
    pub qr: Arc<dyn QrStore>,
}

impl Backend {
    /// The backend of one store object.
    pub fn of<S: QrStore>(store: Arc<S>) -> Self {
        Self { qr: store }
    }
}

/// What a backend's test file implements to run the suite.
///
/// One harness value is made per test. Each [`open`](Harness::open) on it gives a new
/// *instance* sharing one backend, the way two server processes share one Redis, so
/// the suite can check what one instance sees of another's writes and wake-ups. A
/// backend that cannot be shared (memory) returns the same store each time.
#[async_trait]
pub trait Harness: Send + Sync {
    /// Opens one more instance on this harness's backend; panics if it cannot.
    async fn open(&self) -> Backend;
}

/// The memory store's harness: every "instance" is the one store, which is exactly
/// what several handles on it in one process are.
#[async_trait]
impl Harness for Arc<MemoryStore> {
    async fn open(&self) -> Backend {
        Backend::of(Arc::clone(self))
    }
}

/// Which runtime a check needs.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Flavor {
    /// One thread: enough for checks without racing writers.
    Current,
    /// Two worker threads: for checks whose point is real parallelism.
    Multi,
}

/// Runs one check to completion on a fresh runtime, the way `#[tokio::test]` would.
/// The macro calls this instead of expanding `#[tokio::test]`, so that the test crate
/// needs neither tokio's macros nor a path to them.
#[doc(hidden)]
pub fn run(flavor: Flavor, check: impl Future<Output = ()>) {
    let mut builder = match flavor {
        Flavor::Current => tokio::runtime::Builder::new_current_thread(),
        Flavor::Multi => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            b
        }
    };
    builder
        .enable_all()
        .build()
        .expect("cannot build a test runtime")
        .block_on(check);
}

/// Expands to one `#[test]` per conformance check, each named as a sentence, against
/// the [`Harness`](crate::conformance::Harness) that `$harness` evaluates to (once per
/// test, inside the test's runtime). Attributes after it are put on every test, e.g.
/// `conformance_tests!(Redis, #[ignore = "needs a Redis server"]);`.
#[macro_export]
macro_rules! conformance_tests {
    ($harness:expr $(, #[$meta:meta])* $(,)?) => {
        $crate::__conformance_tests! { ($harness) [$(#[$meta])*]
            Current a_created_session_reads_back_exactly => qr::a_created_session_reads_back_exactly;
            Current an_unknown_id_reads_as_none => qr::an_unknown_id_reads_as_none;
            Current a_poll_hash_finds_its_own_session_and_no_other => qr::a_poll_hash_finds_its_own_session_and_no_other;
            Current a_cas_with_the_current_rev_writes_the_next_record => qr::a_cas_with_the_current_rev_writes_the_next_record;
            Current a_stale_rev_is_a_conflict_and_changes_nothing => qr::a_stale_rev_is_a_conflict_and_changes_nothing;
            Current a_cas_on_an_unknown_id_is_missing_and_creates_nothing => qr::a_cas_on_an_unknown_id_is_missing_and_creates_nothing;
            Multi of_24_concurrent_cas_from_one_read_exactly_one_is_written => qr::of_24_concurrent_cas_from_one_read_exactly_one_is_written;
            Current the_store_answers_a_ping => qr::the_store_answers_a_ping;
            Current a_transition_whose_guard_holds_writes_the_patch_and_answers_it => transition::a_transition_whose_guard_holds_writes_the_patch_and_answers_it;
            Current a_session_made_for_a_client_keeps_it_through_every_transition => transition::a_session_made_for_a_client_keeps_it_through_every_transition;
            Current a_refused_transition_writes_nothing_and_answers_the_current_record => transition::a_refused_transition_writes_nothing_and_answers_the_current_record;
            Current a_transition_on_an_unknown_id_is_missing_and_creates_nothing => transition::a_transition_on_an_unknown_id_is_missing_and_creates_nothing;
            Current an_expired_session_refuses_every_transition => transition::an_expired_session_refuses_every_transition;
            Multi of_24_racing_transitions_exactly_one_is_applied => transition::of_24_racing_transitions_exactly_one_is_applied;
            Multi an_applied_transition_wakes_subscribers_on_the_other_instance => transition::an_applied_transition_wakes_subscribers_on_the_other_instance;
            Multi a_version_change_on_the_other_instance_wakes_subscribers_promptly => wake::a_version_change_on_the_other_instance_wakes_subscribers_promptly;
            Multi a_version_change_wakes_even_after_a_rev_only_write => wake::a_version_change_wakes_even_after_a_rev_only_write;
            Current a_change_to_another_session_does_not_wake => wake::a_change_to_another_session_does_not_wake;
            Multi subscribe_then_read_never_misses_a_change_made_between => wake::subscribe_then_read_never_misses_a_change_made_between;
            Current dropping_subscriptions_returns_waiters_to_its_previous_value => wake::dropping_subscriptions_returns_waiters_to_its_previous_value;
            Current a_blob_is_taken_exactly_once_on_any_instance => ephemeral::a_blob_is_taken_exactly_once_on_any_instance;
            Current an_unknown_or_expired_blob_is_not_taken => ephemeral::an_unknown_or_expired_blob_is_not_taken;
            Current a_second_put_replaces_the_first => ephemeral::a_second_put_replaces_the_first;
            Multi of_racing_takes_exactly_one_gets_the_blob => ephemeral::of_racing_takes_exactly_one_gets_the_blob;
        }
    };
}

/// The recursion behind [`conformance_tests!`]: one test per `Flavor name => check;`
/// line, each carrying the caller's attributes.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    (($harness:expr) [$($attr:tt)*]) => {};
    (($harness:expr) [$($attr:tt)*]
        $flavor:ident $name:ident => $module:ident :: $check:ident; $($rest:tt)*) => {
        #[test]
        $($attr)*
        fn $name() {
            $crate::conformance::run($crate::conformance::Flavor::$flavor, async {
                let harness = $harness;
                $crate::conformance::$module::$check(&harness).await;
            });
        }
        $crate::__conformance_tests! { ($harness) [$($attr)*] $($rest)* }
    };
}
