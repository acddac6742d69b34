//! [`Counters`] on Redis: one script does `INCR` and, on the first hit of a window,
//! `PEXPIRE`, and answers the count with the time left, so the count is atomic across
//! every instance and a key can never be left without an expiry. Keys are
//! `qrl:rl:{<key>}`: the hash tag keeps each counter in one Cluster slot.

use super::conn::map_err;
use super::RedisStore;
use crate::counters::{Counters, Hit};
use crate::StoreResult;
use async_trait::async_trait;
use std::sync::LazyLock;

/// `INCR`, then an expiry if the key has none (its first hit, or a key some other tool
/// wrote without one); returns `{count, pttl}`.
static HIT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}",
    )
});

/// `DECR` only a live, positive count: a key that expired is not brought back without
/// an expiry.
static FORGIVE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0",
    )
});

/// The Redis key of counter `key`.
fn counter_key(key: &str) -> String {
    format!("qrl:rl:{{{key}}}")
}

#[async_trait]
impl Counters for RedisStore {
    async fn hit(&self, key: &str, window_ms: u64) -> StoreResult<Hit> {
        let key = counter_key(key);
        let (count, ttl): (i64, i64) = self
            .with(|mut c| async move {
                HIT.key(key)
                    .arg(window_ms.max(1))
                    .invoke_async(&mut c)
                    .await
                    .map_err(map_err)
            })
            .await?;
        Ok(Hit {
            count: count.max(0) as u64,
            resets_in_ms: ttl.max(0) as u64,
        })
    }

    async fn forgive(&self, key: &str) -> StoreResult<()> {
        let key = counter_key(key);
        self.with(|mut c| async move {
            FORGIVE
                .key(key)
                .invoke_async::<i64>(&mut c)
                .await
                .map(|_| ())
                .map_err(map_err)
        })
        .await
    }

    async fn reset(&self, key: &str) -> StoreResult<()> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(counter_key(key));
        self.query::<i64>(cmd).await.map(|_| ())
    }
}
