//! One test suite, written against [`Db`] only, that every backend runs, so SQLite,
//! PostgreSQL and memory cannot drift apart.
//!
//! - `mod.rs`: the [`Harness`] a backend's test file implements and the
//!   [`db_conformance_tests!`](crate::db_conformance_tests) macro.
//! - [`fixtures`]: records with fresh random ids and fixed times.
//! - [`accounts`], [`tokens`], [`activity`], [`links`], [`oauth`], [`passkeys`],
//!   [`issuers`]: the checks, one trait each ([`oauth_fixtures`]: the OAuth records).
//!
//! Each test gets a fresh harness, so each starts from an empty database:
//!
//! ```text
//! struct Sqlite(TempFile);
//! #[async_trait]
//! impl Harness for Sqlite {
//!     async fn open(&self) -> Arc<dyn Db> { qrlogin_db::open(&self.0.url()).await.unwrap() }
//! }
//! qrlogin_db::db_conformance_tests!(Sqlite::new());
//! ```

pub mod accounts;
pub mod activity;
pub mod fixtures;
pub mod issuers;
pub mod links;
pub mod oauth;
pub mod oauth_fixtures;
pub mod passkeys;
pub mod tokens;

use crate::Db;
use std::future::Future;
use std::sync::Arc;

/// Re-exported so a test file can implement [`Harness`] without naming `async-trait`.
pub use async_trait::async_trait;

/// What a backend's test file implements. One harness is made per test, on an empty
/// database; each [`open`](Harness::open) is one more *instance* on that database (a
/// new pool, the way two server processes share one PostgreSQL, or a restart on one
/// SQLite file), so checks see what one instance sees of another's writes. Memory
/// returns the same handle each time.
#[async_trait]
pub trait Harness: Send + Sync {
    /// One more instance on this harness's database; panics if it cannot.
    async fn open(&self) -> Arc<dyn Db>;
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

/// Runs one check to completion on a fresh runtime, the way `#[tokio::test]` would,
/// so the test crate needs neither tokio's macros nor a path to them.
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

/// The database answers a ping and says which backend it is.
pub async fn the_database_answers_a_ping(h: &dyn Harness) {
    let db = h.open().await;
    db.ping().await.expect("ping");
    assert!(["sqlite", "postgres", "memory"].contains(&db.backend()));
}

/// Expands to one `#[test]` per check, each named as a sentence, against the
/// [`Harness`](crate::conformance::Harness) that `$harness` evaluates to (an
/// expression that may `.await`, evaluated once per test inside its runtime).
#[macro_export]
macro_rules! db_conformance_tests {
    ($harness:expr $(,)?) => {
        $crate::__db_conformance_tests! { ($harness)
            Current the_database_answers_a_ping => the_database_answers_a_ping;
            Current an_account_reads_back_exactly_by_username_and_by_id_on_another_instance => accounts::an_account_reads_back_exactly_by_username_and_by_id_on_another_instance;
            Current a_duplicate_username_or_id_is_refused_and_changes_nothing => accounts::a_duplicate_username_or_id_is_refused_and_changes_nothing;
            Current accounts_are_listed_by_username => accounts::accounts_are_listed_by_username;
            Current a_profile_update_changes_name_and_avatar_only => accounts::a_profile_update_changes_name_and_avatar_only;
            Current a_new_password_revokes_every_token_and_session_of_that_account_only => accounts::a_new_password_revokes_every_token_and_session_of_that_account_only;
            Current disabling_kills_every_token_and_enabling_brings_none_back => accounts::disabling_kills_every_token_and_enabling_brings_none_back;
            Current a_removed_account_leaves_no_token_session_link_or_event => accounts::a_removed_account_leaves_no_token_session_link_or_event;
            Current changes_to_an_unknown_account_answer_false => accounts::changes_to_an_unknown_account_answer_false;
            Multi of_concurrent_sign_ups_with_one_username_exactly_one_wins => accounts::of_concurrent_sign_ups_with_one_username_exactly_one_wins;
            Current a_mobile_token_is_found_by_its_hash_until_it_expires => tokens::a_mobile_token_is_found_by_its_hash_until_it_expires;
            Current a_revoked_mobile_token_is_gone_on_every_instance => tokens::a_revoked_mobile_token_is_gone_on_every_instance;
            Current no_token_or_session_is_stored_for_an_unknown_or_disabled_account => tokens::no_token_or_session_is_stored_for_an_unknown_or_disabled_account;
            Current a_web_session_resolves_by_its_token_until_it_expires => tokens::a_web_session_resolves_by_its_token_until_it_expires;
            Current web_sessions_are_listed_newest_first_live_and_own_only => tokens::web_sessions_are_listed_newest_first_live_and_own_only;
            Current a_session_is_revoked_by_id_only_for_its_own_account => tokens::a_session_is_revoked_by_id_only_for_its_own_account;
            Current logout_revokes_a_session_by_its_token_hash => tokens::logout_revokes_a_session_by_its_token_hash;
            Current purging_removes_expired_tokens_and_sessions_only => tokens::purging_removes_expired_tokens_and_sessions_only;
            Current events_read_back_newest_first_exactly_and_up_to_the_limit => activity::events_read_back_newest_first_exactly_and_up_to_the_limit;
            Current events_are_kept_per_account => activity::events_are_kept_per_account;
            Current purging_events_removes_only_those_before_the_cutoff => activity::purging_events_removes_only_those_before_the_cutoff;
            Current an_event_of_an_unknown_account_is_dropped => activity::an_event_of_an_unknown_account_is_dropped;
            Current events_appended_together_read_back_as_if_appended_one_by_one => activity::events_appended_together_read_back_as_if_appended_one_by_one;
            Current an_issuer_reads_back_exactly_is_listed_and_removed_once => issuers::an_issuer_reads_back_exactly_is_listed_and_removed_once;
            Current a_first_use_creates_the_account_and_later_uses_find_it => links::a_first_use_creates_the_account_and_later_uses_find_it;
            Current a_link_whose_new_username_is_taken_writes_nothing => links::a_link_whose_new_username_is_taken_writes_nothing;
            Current one_subject_in_two_namespaces_is_two_accounts => links::one_subject_in_two_namespaces_is_two_accounts;
            Multi racing_first_uses_of_one_subject_make_one_account => links::racing_first_uses_of_one_subject_make_one_account;
            Current a_client_reads_back_exactly_and_its_id_is_taken_once => oauth::a_client_reads_back_exactly_and_its_id_is_taken_once;
            Current a_removed_client_takes_its_codes_and_tokens => oauth::a_removed_client_takes_its_codes_and_tokens;
            Current retiring_keys_keeps_the_new_one_and_purging_forgets_the_old => oauth::retiring_keys_keeps_the_new_one_and_purging_forgets_the_old;
            Current a_code_is_taken_exactly_once => oauth::a_code_is_taken_exactly_once;
            Multi of_concurrent_code_redemptions_exactly_one_wins => oauth::of_concurrent_code_redemptions_exactly_one_wins;
            Current a_refresh_token_is_used_once_and_its_family_revoked_whole => oauth::a_refresh_token_is_used_once_and_its_family_revoked_whole;
            Current an_access_token_lives_until_expiry_and_only_its_client_revokes_it => oauth::an_access_token_lives_until_expiry_and_only_its_client_revokes_it;
            Current a_device_request_is_found_by_each_key_and_records_its_polls => oauth::a_device_request_is_found_by_each_key_and_records_its_polls;
            Current device_polls_are_paced_as_the_pure_rule_says => oauth::device_polls_are_paced_as_the_pure_rule_says;
            Current a_passkey_reads_back_by_credential_and_in_its_accounts_list => passkeys::a_passkey_reads_back_by_credential_and_in_its_accounts_list;
            Current a_credential_registers_once_and_not_for_a_disabled_or_unknown_account => passkeys::a_credential_registers_once_and_not_for_a_disabled_or_unknown_account;
            Current a_passkey_is_renamed_and_removed_only_by_its_own_account => passkeys::a_passkey_is_renamed_and_removed_only_by_its_own_account;
            Current a_use_stores_the_new_counter_and_time => passkeys::a_use_stores_the_new_counter_and_time;
            Current an_enrollment_link_enrolls_once_and_not_after_it_expires => passkeys::an_enrollment_link_enrolls_once_and_not_after_it_expires;
            Current a_failed_enrollment_leaves_the_link_unused => passkeys::a_failed_enrollment_leaves_the_link_unused;
            Multi racing_uses_of_one_enrollment_link_enroll_one_passkey => passkeys::racing_uses_of_one_enrollment_link_enroll_one_passkey;
            Current a_removed_account_leaves_no_passkey_or_link => passkeys::a_removed_account_leaves_no_passkey_or_link;
        }
    };
}

/// The recursion behind [`db_conformance_tests!`]: one test per `Flavor name => check;`.
#[doc(hidden)]
#[macro_export]
macro_rules! __db_conformance_tests {
    (($harness:expr)) => {};
    (($harness:expr) $flavor:ident $name:ident => $($check:ident)::+; $($rest:tt)*) => {
        #[test]
        fn $name() {
            $crate::conformance::run($crate::conformance::Flavor::$flavor, async {
                let harness = $harness;
                $crate::conformance::$($check)::+(&harness).await;
            });
        }
        $crate::__db_conformance_tests! { ($harness) $($rest)* }
    };
}
