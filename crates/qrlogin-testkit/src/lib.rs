//! Test support shared by qrlogin's test binaries, so every crate tests against Redis
//! and the server the same way.
//!
//! - [`redis`]: private `redis-server`s on free loopback ports (single, persistent,
//!   3-master Cluster, Sentinel) that a test may kill and restart at will, and
//!   [`redis_available`], the one rule for when Redis cannot be had: fail under
//!   `CI=true`, skip loudly otherwise.
//! - [`redis_moves`]: topologies that move under a test (a Cluster slot migrated, a
//!   Sentinel failover to a replica).
//! - [`app`]: [`spawn_app`], the real server on port 0 in a runtime of its own, so a
//!   test can stop it gracefully or kill it abruptly (every connection dropped, nothing
//!   answered), as a crashed process would. Behind the default feature `app`; the
//!   store's tests use the Redis part only (`default-features = false`).
//! - [`check`]: assertions on problem+json answers and client error codes.

#[cfg(feature = "app")]
pub mod app;
#[cfg(feature = "app")]
pub mod check;
pub mod redis;
pub mod redis_moves;

#[cfg(feature = "app")]
pub use app::{phone_device, spawn_app, spawn_app_with_manual_clock, try_spawn_app, TestApp};
#[cfg(feature = "app")]
pub use check::{assert_problem, code_of, expect_problem};
pub use redis::{free_port, raw, redis_available, RedisCluster, RedisSentinel, RedisServer};
pub use redis_moves::{cli, RedisFailoverPair};
