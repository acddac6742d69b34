//! The store conformance suite against the Redis backend, so Redis and memory cannot
//! drift apart. Each test gets its own private `redis-server` (a few ms to start), and
//! every `open` is a new `RedisStore` on it: two instances sharing one Redis, the way
//! two server processes do.

use qrlogin_store::conformance::{async_trait, Backend, Harness};
use qrlogin_store::redis::RedisStore;
use qrlogin_testkit::{redis_available, RedisServer};

/// One private Redis for one test.
struct PrivateRedis(RedisServer);

#[async_trait]
impl Harness for PrivateRedis {
    async fn open(&self) -> Backend {
        Backend::of(RedisStore::connect(&self.0.url()).await.expect("redis"))
    }
}

// Without `redis-server` each test returns at once after a loud message (and fails
// under CI=true), from inside the test's async block.
qrlogin_store::conformance_tests!({
    if !redis_available() {
        return;
    }
    PrivateRedis(RedisServer::start())
});
