//! End-to-end tests of the qrlogin pages in headless Debian Chromium (see the crate
//! docs in `src/lib.rs`). One binary, so the modules share the harness.

mod app;
mod harness;
mod qr;
mod webauthn;

mod csp;
mod languages;
mod layout;
mod oauth;
mod passkeys;
mod passkeys_app;
mod passkeys_refusals;
mod pc_login;
mod phone_pages;
mod phone_safety;
mod transports;
