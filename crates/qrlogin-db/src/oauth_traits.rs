//! [`OAuthDb`]: what the OpenID Provider keeps. Every secret is stored as its hash; the
//! one-use rules (refresh rotation, code redemption) are single atomic statements, so
//! they hold across instances sharing one database.

use crate::{AccessToken, DbResult, DevicePoll, OAuthRequest, StoredKey};
use async_trait::async_trait;
use qrlogin_core::{Millis, TokenHash};
use qrlogin_oauth::{Client, CodeGrant, RefreshGrant};

/// Clients, signing keys, pending OAuth requests, codes and tokens.
#[async_trait]
pub trait OAuthDb: Send + Sync + 'static {
    /// Registers a client; `false` (nothing written) if its id is taken.
    async fn create_client(&self, client: &Client) -> DbResult<bool>;
    /// The client with this id.
    async fn client(&self, id: &str) -> DbResult<Option<Client>>;
    /// Every client, by id.
    async fn list_clients(&self) -> DbResult<Vec<Client>>;
    /// Replaces a confidential client's secret hash; `false` if there is no such client.
    async fn set_client_secret(&self, id: &str, hash: &TokenHash) -> DbResult<bool>;
    /// Removes a client with its requests, codes and tokens; `false` if there was none.
    async fn remove_client(&self, id: &str) -> DbResult<bool>;

    /// Stores a signing key.
    async fn put_signing_key(&self, key: &StoredKey) -> DbResult<()>;
    /// Every signing key, oldest first.
    async fn signing_keys(&self) -> DbResult<Vec<StoredKey>>;
    /// Retires every live key of `alg` but `keep` (sets `not_after = until`); how many.
    async fn retire_signing_keys(&self, alg: &str, keep: &str, until: Millis) -> DbResult<u64>;
    /// Deletes keys retired before `now`; how many.
    async fn purge_signing_keys(&self, now: Millis) -> DbResult<u64>;

    /// Stores what an OAuth QR session carries.
    async fn put_oauth_request(&self, request: &OAuthRequest) -> DbResult<()>;
    /// The request of QR session `qr_id`, if it is not past `now`.
    async fn oauth_request(&self, qr_id: &str, now: Millis) -> DbResult<Option<OAuthRequest>>;
    /// The device grant with this device code hash (expired or not: the caller
    /// answers `expired_token`).
    async fn device_request(&self, device_code: &TokenHash) -> DbResult<Option<OAuthRequest>>;
    /// The live device grant with this user code hash.
    async fn request_by_user_code(
        &self,
        user_code: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<OAuthRequest>>;
    /// Records a token poll of `client_id` with `device_code` at `now` and answers the
    /// grant as the poll left it, in one atomic statement: a poll sooner than the
    /// interval after the previous one is `slow_down` and grows the interval, exactly
    /// as [`qrlogin_oauth::PollPace::poll`] says. `None`: no such device code for this
    /// client (nothing recorded). Expired or not: the caller answers `expired_token`.
    async fn poll_device(
        &self,
        device_code: &TokenHash,
        client_id: &str,
        now: Millis,
    ) -> DbResult<Option<DevicePoll>>;

    /// Stores an authorization code grant under the code's hash; `false` (nothing
    /// stored) if its client or account is gone.
    async fn put_code(&self, hash: &TokenHash, grant: &CodeGrant) -> DbResult<bool>;
    /// Takes the code: returns its grant and deletes it in one statement, so of two
    /// concurrent redemptions exactly one gets it.
    async fn take_code(&self, hash: &TokenHash) -> DbResult<Option<CodeGrant>>;

    /// Stores a refresh token; `false` (nothing stored) if its client or account is gone.
    async fn put_refresh_token(&self, hash: &TokenHash, grant: &RefreshGrant) -> DbResult<bool>;
    /// The refresh token with this hash (used or not; revoked ones are gone).
    async fn refresh_token(&self, hash: &TokenHash) -> DbResult<Option<RefreshGrant>>;
    /// Marks the token used if it was not: `true` for exactly one of concurrent callers.
    async fn mark_refresh_used(&self, hash: &TokenHash) -> DbResult<bool>;
    /// Revokes every refresh and access token of a family; how many.
    async fn revoke_family(&self, family_id: &str) -> DbResult<u64>;

    /// Stores an access token; `false` (nothing stored) if its client or account is gone.
    async fn put_access_token(&self, hash: &TokenHash, token: &AccessToken) -> DbResult<bool>;
    /// The access token with this hash if it is live at `now` and its account (if any)
    /// exists and is enabled.
    async fn access_token(&self, hash: &TokenHash, now: Millis) -> DbResult<Option<AccessToken>>;
    /// Revokes an access token of `client_id`; `false` if it has none with this hash.
    async fn revoke_access_token(&self, hash: &TokenHash, client_id: &str) -> DbResult<bool>;

    /// Deletes expired requests, codes and tokens (housekeeping); how many.
    async fn purge_expired_oauth(&self, now: Millis) -> DbResult<u64>;
}
