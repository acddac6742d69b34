//! [`OAuthDb`] for [`Bounded`]: every call within the time limit, like the others.

use crate::bounded::Bounded;
use crate::{AccessToken, DbResult, DevicePoll, OAuthDb, OAuthRequest, StoredKey};
use async_trait::async_trait;
use qrlogin_core::{Millis, TokenHash};
use qrlogin_oauth::{Client, CodeGrant, RefreshGrant};

#[async_trait]
impl OAuthDb for Bounded {
    async fn create_client(&self, c: &Client) -> DbResult<bool> {
        self.run(self.inner.create_client(c)).await
    }
    async fn client(&self, id: &str) -> DbResult<Option<Client>> {
        self.run(self.inner.client(id)).await
    }
    async fn list_clients(&self) -> DbResult<Vec<Client>> {
        self.run(self.inner.list_clients()).await
    }
    async fn set_client_secret(&self, id: &str, h: &TokenHash) -> DbResult<bool> {
        self.run(self.inner.set_client_secret(id, h)).await
    }
    async fn remove_client(&self, id: &str) -> DbResult<bool> {
        self.run(self.inner.remove_client(id)).await
    }
    async fn put_signing_key(&self, k: &StoredKey) -> DbResult<()> {
        self.run(self.inner.put_signing_key(k)).await
    }
    async fn signing_keys(&self) -> DbResult<Vec<StoredKey>> {
        self.run(self.inner.signing_keys()).await
    }
    async fn retire_signing_keys(&self, alg: &str, keep: &str, until: Millis) -> DbResult<u64> {
        self.run(self.inner.retire_signing_keys(alg, keep, until))
            .await
    }
    async fn purge_signing_keys(&self, now: Millis) -> DbResult<u64> {
        self.run(self.inner.purge_signing_keys(now)).await
    }
    async fn put_oauth_request(&self, r: &OAuthRequest) -> DbResult<()> {
        self.run(self.inner.put_oauth_request(r)).await
    }
    async fn oauth_request(&self, qr_id: &str, now: Millis) -> DbResult<Option<OAuthRequest>> {
        self.run(self.inner.oauth_request(qr_id, now)).await
    }
    async fn device_request(&self, h: &TokenHash) -> DbResult<Option<OAuthRequest>> {
        self.run(self.inner.device_request(h)).await
    }
    async fn request_by_user_code(
        &self,
        h: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<OAuthRequest>> {
        self.run(self.inner.request_by_user_code(h, now)).await
    }
    async fn poll_device(
        &self,
        h: &TokenHash,
        client_id: &str,
        now: Millis,
    ) -> DbResult<Option<DevicePoll>> {
        self.run(self.inner.poll_device(h, client_id, now)).await
    }
    async fn put_code(&self, h: &TokenHash, g: &CodeGrant) -> DbResult<bool> {
        self.run(self.inner.put_code(h, g)).await
    }
    async fn take_code(&self, h: &TokenHash) -> DbResult<Option<CodeGrant>> {
        self.run(self.inner.take_code(h)).await
    }
    async fn put_refresh_token(&self, h: &TokenHash, g: &RefreshGrant) -> DbResult<bool> {
        self.run(self.inner.put_refresh_token(h, g)).await
    }
    async fn refresh_token(&self, h: &TokenHash) -> DbResult<Option<RefreshGrant>> {
        self.run(self.inner.refresh_token(h)).await
    }
    async fn mark_refresh_used(&self, h: &TokenHash) -> DbResult<bool> {
        self.run(self.inner.mark_refresh_used(h)).await
    }
    async fn revoke_family(&self, family: &str) -> DbResult<u64> {
        self.run(self.inner.revoke_family(family)).await
    }
    async fn put_access_token(&self, h: &TokenHash, t: &AccessToken) -> DbResult<bool> {
        self.run(self.inner.put_access_token(h, t)).await
    }
    async fn access_token(&self, h: &TokenHash, now: Millis) -> DbResult<Option<AccessToken>> {
        self.run(self.inner.access_token(h, now)).await
    }
    async fn revoke_access_token(&self, h: &TokenHash, client: &str) -> DbResult<bool> {
        self.run(self.inner.revoke_access_token(h, client)).await
    }
    async fn purge_expired_oauth(&self, now: Millis) -> DbResult<u64> {
        self.run(self.inner.purge_expired_oauth(now)).await
    }
}

#[async_trait]
impl crate::IssuerDb for Bounded {
    async fn add_issuer(&self, i: &crate::TrustedIssuer) -> DbResult<bool> {
        self.run(self.inner.add_issuer(i)).await
    }
    async fn issuer(&self, iss: &str) -> DbResult<Option<crate::TrustedIssuer>> {
        self.run(self.inner.issuer(iss)).await
    }
    async fn list_issuers(&self) -> DbResult<Vec<crate::TrustedIssuer>> {
        self.run(self.inner.list_issuers()).await
    }
    async fn remove_issuer(&self, iss: &str) -> DbResult<bool> {
        self.run(self.inner.remove_issuer(iss)).await
    }
}
