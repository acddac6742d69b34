//! The database traits, split by concern, and [`Db`], all of them at once, which is what
//! the server holds (`Arc<dyn Db>`). Every time is given by the caller (`now`), so tests
//! move time with a `ManualClock` and every instance agrees on what "expired" means.

use crate::{Account, ActivityEvent, DbResult, MobileToken, WebSession};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, SessionId, TokenHash, Username};

/// Accounts: made by `qrlogin accounts add`, `--demo`, or on first use of a linked
/// identity; changed by the operator.
#[async_trait]
pub trait AccountDb: Send + Sync + 'static {
    /// Adds an account; `false` if its username (or id) is taken, and nothing is written.
    async fn create_account(&self, account: &Account) -> DbResult<bool>;

    /// The account with this username, disabled or not.
    async fn account_by_username(&self, username: &Username) -> DbResult<Option<Account>>;

    /// The account with this id, disabled or not.
    async fn account_by_id(&self, id: &AccountId) -> DbResult<Option<Account>>;

    /// Every account, by username (`qrlogin accounts list`).
    async fn list_accounts(&self) -> DbResult<Vec<Account>>;

    /// Sets the name and avatar shown for the account; `false` if there is no such account.
    async fn update_profile(
        &self,
        id: &AccountId,
        display_name: &str,
        avatar_url: Option<&str>,
        now: Millis,
    ) -> DbResult<bool>;

    /// Sets (or with `None` clears) the password hash and, in the same transaction,
    /// revokes every phone token and PC session of the account, so a stolen token dies
    /// with the old password. `false` if there is no such account.
    async fn set_password(
        &self,
        id: &AccountId,
        password_hash: Option<&str>,
        now: Millis,
    ) -> DbResult<bool>;

    /// Disables or enables the account. Disabling revokes every token and session in the
    /// same transaction; enabling brings none back. `false` if there is no such account.
    async fn set_disabled(&self, id: &AccountId, disabled: bool, now: Millis) -> DbResult<bool>;

    /// Deletes the account with its phone tokens, PC sessions, links and activity log
    /// (personal data goes with the person). `false` if there was no such account.
    async fn remove_account(&self, id: &AccountId) -> DbResult<bool>;
}

/// Phone tokens and PC sessions, kept by the SHA-256 of their text only. A revoked one
/// is deleted, so a revocation holds across restarts and on every instance at once.
#[async_trait]
pub trait TokenDb: Send + Sync + 'static {
    /// Stores a phone token under its hash. `false` (nothing stored) if the account is
    /// unknown or disabled by now, so a login racing a `disable` cannot leave a token.
    async fn put_mobile_token(&self, hash: &TokenHash, token: &MobileToken) -> DbResult<bool>;

    /// The phone token with this hash if it is live at `now` and its account exists and
    /// is enabled; one query, so every request sees revocations at once.
    async fn mobile_token(&self, hash: &TokenHash, now: Millis) -> DbResult<Option<MobileToken>>;

    /// [`TokenDb::mobile_token`] with its account, in the same one query: every phone
    /// request needs both, and each trip to the database is most of such a request's
    /// cost.
    async fn mobile_token_with_account(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<(MobileToken, Account)>>;

    /// Revokes a phone token (phone logout); `false` if there was none.
    async fn revoke_mobile_token(&self, hash: &TokenHash) -> DbResult<bool>;

    /// Stores a PC session under its token hash (replacing one with the same hash; a
    /// new session has a new random id, so another session's id is refused as a
    /// conflict). `false` (nothing stored) if the account is unknown or disabled.
    async fn put_web_session(&self, hash: &TokenHash, session: &WebSession) -> DbResult<bool>;

    /// The PC session with this token hash if it is live at `now` and its account
    /// exists and is enabled.
    async fn web_session_by_token(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<WebSession>>;

    /// The account's live PC sessions, newest first (the phone's list).
    async fn web_sessions_of(&self, account: &AccountId, now: Millis) -> DbResult<Vec<WebSession>>;

    /// Revokes the account's session with this id; `false` if the account has no such
    /// session (another account's id answers exactly like an unknown one).
    async fn revoke_web_session(&self, account: &AccountId, session: &SessionId) -> DbResult<bool>;

    /// Revokes the PC session with this token hash (PC logout); `false` if there was none.
    async fn revoke_web_session_token(&self, hash: &TokenHash) -> DbResult<bool>;

    /// Deletes phone tokens and PC sessions expired at `now` (housekeeping; they are
    /// already invisible); how many.
    async fn purge_expired_tokens(&self, now: Millis) -> DbResult<u64>;
}

/// The activity log a user reads on the phone.
#[async_trait]
pub trait ActivityDb: Send + Sync + 'static {
    /// Appends an event to its account's log; an event of an unknown (removed) account
    /// is dropped, not an error.
    async fn append_event(&self, event: &ActivityEvent) -> DbResult<()>;

    /// Appends several events at once, in order, each as [`ActivityDb::append_event`]
    /// would (an unknown account's dropped, an id already stored left as it is), in as
    /// few statements as the backend can: the server groups the events of concurrent
    /// requests, and every statement is a round trip. Not atomic: after an error some
    /// may be stored (writing them again is harmless, ids are unique). This default
    /// writes them one by one.
    async fn append_events(&self, events: &[ActivityEvent]) -> DbResult<()> {
        for e in events {
            self.append_event(e).await?;
        }
        Ok(())
    }

    /// The account's latest `limit` events, newest first. Events of kinds this version
    /// does not know (written by a newer instance) are left out.
    async fn events_of(&self, account: &AccountId, limit: u32) -> DbResult<Vec<ActivityEvent>>;

    /// Deletes every event from before `at` (retention: API.md keeps 90 days); how many.
    async fn purge_events_before(&self, at: Millis) -> DbResult<u64>;
}

/// Accounts linked to an outside identity: a trusted issuer's (iss, sub), or a trusted
/// backend's (client_id, subject) — "Bring your own users".
#[async_trait]
pub trait LinkDb: Send + Sync + 'static {
    /// The account linked to `subject` in `namespace`, if any.
    async fn account_by_link(&self, namespace: &str, subject: &str) -> DbResult<Option<Account>>;

    /// The account linked to `subject` in `namespace`; on first use, creates
    /// `new_account` and the link in one transaction. Two racing first uses yield one
    /// account. `None` (nothing written) if there is no link yet and `new_account`'s
    /// username or id is taken: the caller picks another and calls again.
    async fn link_or_create(
        &self,
        namespace: &str,
        subject: &str,
        new_account: &Account,
        now: Millis,
    ) -> DbResult<Option<Account>>;
}

/// The whole durable database, as the server holds it.
#[async_trait]
pub trait Db:
    AccountDb + TokenDb + ActivityDb + LinkDb + crate::OAuthDb + crate::PasskeyDb + crate::IssuerDb
{
    /// Answers when the database answers (`/readyz`).
    async fn ping(&self) -> DbResult<()>;

    /// Which backend this is (`sqlite`, `postgres`, `memory`), for logs and `/readyz`.
    fn backend(&self) -> &'static str;
}
