//! The scenarios, one module each. Every one is bounded in time and in count, and
//! returns a serialisable figure that [`crate::report`] turns into `BENCHMARKS.md`.

pub mod exchange;
pub mod fanout;
mod fanout_figures;
pub mod fanout_probe;
pub mod flow;
pub mod latency;
pub mod oauth;
pub mod passwords;
pub mod peer;
pub mod redis_memory;
pub mod status;
pub mod waiters;
