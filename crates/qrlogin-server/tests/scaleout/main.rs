//! Scale-out and failure behaviour of the whole server on Redis: several real server
//! instances (in-process, each in a runtime of its own so it can be killed like a
//! process) share one private `redis-server`, and PCs and phones talk to them through
//! the typed client, hopping between instances as a load balancer would send them.
//!
//! Without `redis-server` on the PATH every test skips loudly, or fails under
//! `CI=true` (`qrlogin_testkit::redis_available`). Timings are printed, and asserted
//! only loosely (shared CI machines are slow); the figures are what `docs/scaling.md`
//! reports.

mod cluster;
mod cross_instance;
mod helpers;
mod instance_crash;
mod interest;
mod limits;
mod races;
mod records;
mod redis_freeze;
mod redis_outage;
mod roles;
mod sentinel;
