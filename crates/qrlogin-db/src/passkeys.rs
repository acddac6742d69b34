//! Passkeys of the phone's sign-in: the stored credentials ([`PasskeyRecord`]) and the
//! one-use enrollment links of `--no-password` accounts, behind [`PasskeyDb`]. The
//! credential itself is kept as the JSON that webauthn-rs serialises, so this crate
//! needs no WebAuthn code: the server owns its meaning, the database only its keeping.

use crate::DbResult;
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, RandomId, TokenHash};

/// The prefix of a passkey's id (`pk_…`), as the phone lists and removes it.
pub const PASSKEY_ID_PREFIX: &str = "pk_";

/// One registered passkey of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRecord {
    /// Its public id (`pk_…`).
    pub id: RandomId,
    /// Whose passkey it is.
    pub account_id: AccountId,
    /// The name the user gave it ("iPhone").
    pub name: String,
    /// The raw WebAuthn credential id: what a discoverable sign-in presents, unique.
    pub credential_id: Vec<u8>,
    /// The credential as webauthn-rs serialises it (JSON): public key, counter, flags.
    pub passkey: String,
    /// The last signature counter seen (0 for authenticators without one), kept beside
    /// the JSON so an operator can read it.
    pub counter: i64,
    /// When it was registered.
    pub created_at: Millis,
    /// When it last signed a phone in, if ever.
    pub last_used_at: Option<Millis>,
}

/// Passkeys and enrollment links. Every change is scoped to its account, so another
/// account's passkey id answers exactly like an unknown one.
#[async_trait]
pub trait PasskeyDb: Send + Sync + 'static {
    /// Stores a new passkey. `false` (nothing stored) if the account is unknown or
    /// disabled, or the credential id is registered already (to any account).
    async fn add_passkey(&self, passkey: &PasskeyRecord) -> DbResult<bool>;

    /// The account's passkeys, oldest first.
    async fn passkeys_of(&self, account: &AccountId) -> DbResult<Vec<PasskeyRecord>>;

    /// The passkey with this raw credential id, whoever's it is (a discoverable
    /// sign-in names no user).
    async fn passkey_by_credential(&self, credential_id: &[u8]) -> DbResult<Option<PasskeyRecord>>;

    /// After a sign-in: the updated credential JSON and counter, and `last_used_at`.
    /// `false` if the passkey is gone (removed meanwhile).
    async fn record_passkey_use(
        &self,
        id: &RandomId,
        passkey: &str,
        counter: i64,
        now: Millis,
    ) -> DbResult<bool>;

    /// Renames the account's passkey; `false` if the account has no such passkey.
    async fn rename_passkey(
        &self,
        account: &AccountId,
        id: &RandomId,
        name: &str,
    ) -> DbResult<bool>;

    /// Removes the account's passkey; `false` if the account has no such passkey.
    async fn remove_passkey(&self, account: &AccountId, id: &RandomId) -> DbResult<bool>;

    /// Stores an enrollment link's secret hash for `account`, live until `expires_at`.
    /// `false` (nothing stored) if the account is unknown.
    async fn put_enrollment(
        &self,
        hash: &TokenHash,
        account: &AccountId,
        now: Millis,
        expires_at: Millis,
    ) -> DbResult<bool>;

    /// The account of a live (unused, unexpired at `now`) enrollment link.
    async fn enrollment_account(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<AccountId>>;

    /// Uses the enrollment link and stores the passkey in one transaction: `false`
    /// (nothing changed) unless the link is live at `now`, belongs to the passkey's
    /// account, and the passkey can be stored. Of two racing uses, one wins.
    async fn enroll_passkey(
        &self,
        hash: &TokenHash,
        passkey: &PasskeyRecord,
        now: Millis,
    ) -> DbResult<bool>;
}
