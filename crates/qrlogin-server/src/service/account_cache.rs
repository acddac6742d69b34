//! A short-lived in-process cache of accounts by id. Every phone request and every
//! redeem needs the account behind a token; accounts do not change through this
//! service, so re-reading them from a shared store on each request is pure round trips
//! (two per look-up on Redis). Entries live [`TTL`], so a change made to the store by
//! another tool is seen within that time.

use qrlogin_core::Millis;
use qrlogin_store::{Account, AccountStore, StoreResult};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a cached account is trusted.
pub const TTL: Millis = 30_000;

/// Most accounts kept; past it the cache starts over (cheap, and bounded).
const CAPACITY: usize = 50_000;

/// Accounts by id, each with the time it was read.
#[derive(Default)]
pub struct AccountCache {
    // std Mutex: held for one map operation, never across an await.
    entries: Mutex<HashMap<String, (Millis, Account)>>,
}

impl AccountCache {
    /// The account with this id, from the cache when read less than [`TTL`] before
    /// `now` (the server's clock), else from `store`.
    pub async fn get(
        &self,
        store: &dyn AccountStore,
        id: &str,
        now: Millis,
    ) -> StoreResult<Option<Account>> {
        if let Some((at, account)) = self
            .entries
            .lock()
            .expect("account cache lock poisoned")
            .get(id)
        {
            if now - at < TTL {
                return Ok(Some(account.clone()));
            }
        }
        let fresh = store.account_by_id(id).await?;
        let mut entries = self.entries.lock().expect("account cache lock poisoned");
        match &fresh {
            Some(account) => {
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
                entries.insert(id.to_owned(), (now, account.clone()));
            }
            None => {
                entries.remove(id);
            }
        }
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrlogin_store::memory::MemoryStore;

    fn account(id: &str, name: &str) -> Account {
        Account {
            id: id.into(),
            username: id.into(),
            display_name: name.into(),
            avatar_url: None,
            password_hash: String::new(),
            created_at: 0,
        }
    }

    #[tokio::test]
    async fn a_cached_account_is_served_without_the_store_and_a_missing_one_is_not_cached() {
        let store = MemoryStore::new();
        let cache = AccountCache::default();
        assert!(cache
            .get(store.as_ref(), "acc_a", 0)
            .await
            .unwrap()
            .is_none());
        store
            .create_account(&account("acc_a", "Alice"))
            .await
            .unwrap();
        assert_eq!(
            cache
                .get(store.as_ref(), "acc_a", 0)
                .await
                .unwrap()
                .unwrap()
                .display_name,
            "Alice"
        );
        let other = MemoryStore::new();
        let cached = cache.get(other.as_ref(), "acc_a", 1).await.unwrap();
        assert_eq!(
            cached.map(|a| a.display_name).as_deref(),
            Some("Alice"),
            "served from the cache"
        );
        let stale = cache.get(other.as_ref(), "acc_a", TTL).await.unwrap();
        assert!(
            stale.is_none(),
            "re-read from the store once the clock passes TTL"
        );
    }
}
