//! Use cases, between the HTTP routes and the stores: what a request means, independent
//! of how it arrived (long poll, SSE and WebSocket all call the same functions).

pub mod account_cache;
pub mod accounts;
pub mod auth;
pub mod qr;
pub mod wait;
