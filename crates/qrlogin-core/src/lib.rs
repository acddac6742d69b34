//! The pure domain of qrlogin: no I/O, no async, nothing that can block.
//!
//! - [`ids`]: the public `qr_id`, the prefixed secrets (`qlp_`, `qls_`, `qlm_`, `qlw_`)
//!   drawn from the OS CSPRNG, and the SHA-256 hashes that are all a store ever keeps.
//! - [`state`]: the QR session record and the state machine of API.md, with versions and
//!   lazily computed expiry.
//! - [`plan`]: a transition as a guard and a patch, so a store can do it in one atomic
//!   step without a read first; the state machine still decides every error.
//! - [`qr_client`]: whether a QR session was made for an OAuth client, on the record.
//! - [`policy`]: lifetimes (QR, confirm, grace, tokens), configurable in one place.
//! - [`error`]: the error codes of the contract, so every layer speaks the same words.
//! - [`api`]: the JSON bodies of HTTP API v1, shared by the server and the client so the
//!   two cannot drift apart.
//! - [`net`]: the "same network" heuristic shown to the phone.
//! - [`account`]: account, session and event ids, usernames, the password length rule.
//! - [`device`]: the one validation rule for device text (PC and phone).
//! - [`text`]: cleaning of text one person writes and another reads (no bidi tricks).
//! - [`clock`]: the injected [`Clock`] (wall clock in production, [`ManualClock`] in tests).
//! - [`time`]: timestamps as unix milliseconds, the one clock representation everywhere.

pub mod account;
pub mod api;
pub mod clock;
pub mod device;
pub mod error;
pub mod ids;
pub mod net;
pub mod plan;
pub mod policy;
pub mod qr_client;
pub mod state;
pub mod text;
pub mod time;

pub use account::{AccountId, EventId, Invalid, SessionId, Username};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use device::{validate_device, DeviceRule, InvalidDevice};
pub use error::ErrorCode;
pub use ids::{QrId, RandomId, Secret, SecretKind, TokenHash};
pub use plan::{scanner_key, Guard, Patch, Plan, TicketGuard};
pub use policy::Lifetimes;
pub use qr_client::QrClient;
pub use state::{
    Command, DeviceInfo, QrSession, QrState, Requester, Scanner, TicketProof, TransitionError,
};
pub use text::clean_display_text;
pub use time::Millis;
