//! [`IssuerDb`] in memory: an ordered map by `iss`, which is also the listing order.

use super::MemoryDb;
use crate::{DbResult, IssuerDb, TrustedIssuer};
use async_trait::async_trait;

#[async_trait]
impl IssuerDb for MemoryDb {
    async fn add_issuer(&self, issuer: &TrustedIssuer) -> DbResult<bool> {
        let mut state = self.lock();
        if state.issuers.contains_key(&issuer.issuer) {
            return Ok(false);
        }
        state.issuers.insert(issuer.issuer.clone(), issuer.clone());
        Ok(true)
    }

    async fn issuer(&self, issuer: &str) -> DbResult<Option<TrustedIssuer>> {
        Ok(self.lock().issuers.get(issuer).cloned())
    }

    async fn list_issuers(&self) -> DbResult<Vec<TrustedIssuer>> {
        Ok(self.lock().issuers.values().cloned().collect())
    }

    async fn remove_issuer(&self, issuer: &str) -> DbResult<bool> {
        Ok(self.lock().issuers.remove(issuer).is_some())
    }
}
