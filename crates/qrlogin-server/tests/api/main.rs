//! End-to-end tests of the HTTP API: the real server on port 0, driven over HTTP by the
//! typed client exactly as a PC and a phone would.

mod activity;
mod errors;
mod expiry;
mod flow;
mod helpers;
mod http2;
mod input;
mod longpoll;
mod ops;
mod passkeys;
mod passkeys_accounts;
mod push;
mod races;
mod transitions;
