//! The QR session and its state machine (API.md "States").
//!
//! A transition is a pure function of the stored record, a [`Command`] and the time:
//! [`QrSession::apply`] returns the next record or the contract's error. Stores then
//! write the next record only if the record has not changed since it was read
//! (compare-and-set on `rev`), which makes every transition atomic on every backend.
//! Expiry is computed lazily by [`QrSession::at`], so an expired session reads the same
//! (state `expired`, version + 1) on every instance whether or not anything was written.
//!
//! Here: the records (state, requester, scanner, session). The transitions live in
//! `machine` ([`Command`], [`QrSession::apply`]), the PC's view of a record in `view`
//! ([`QrSession::status`], [`QrSession::statuses_since`]).

use crate::ids::{QrId, TokenHash};
use crate::qr_client::QrClient;
use crate::time::Millis;
use serde::{Deserialize, Serialize};

mod machine;
mod view;
pub use machine::{Command, TicketProof, TransitionError};

/// The states of a QR session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QrState {
    /// Shown on the PC, not scanned yet.
    Pending,
    /// A phone scanned it; the user has not decided yet.
    Scanned,
    /// The user confirmed on the phone; the PC may redeem.
    Confirmed,
    /// The PC redeemed it and holds a session (terminal).
    Redeemed,
    /// The PC gave up or the phone declined (terminal).
    Cancelled,
    /// Time ran out before the login completed (terminal).
    Expired,
}

impl QrState {
    /// Every state, for exhaustive tests and parsing.
    pub const ALL: [QrState; 6] = [
        QrState::Pending,
        QrState::Scanned,
        QrState::Confirmed,
        QrState::Redeemed,
        QrState::Cancelled,
        QrState::Expired,
    ];

    /// Terminal states never change again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            QrState::Redeemed | QrState::Cancelled | QrState::Expired
        )
    }

    /// The lowercase wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            QrState::Pending => "pending",
            QrState::Scanned => "scanned",
            QrState::Confirmed => "confirmed",
            QrState::Redeemed => "redeemed",
            QrState::Cancelled => "cancelled",
            QrState::Expired => "expired",
        }
    }

    /// Reads the wire name back (stores keep the state as text).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A device as its owner describes it. Free text from the client, so it is only ever
/// shown, never trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceInfo {
    /// The client's own id for the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `web`, `ios`, `android`, `desktop`, `tv`, `cli`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A human name such as "Firefox on Linux".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Where a login request comes from: what the user checks on the phone before
/// confirming (Steam shows the same).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    /// The device the PC said it is, if it said.
    pub device: Option<DeviceInfo>,
    /// The PC's IP address as the server saw it.
    pub ip: String,
    /// The PC's `User-Agent` header, if any.
    pub user_agent: Option<String>,
}

/// Who scanned the QR code. The ticket hash binds confirm/cancel to this exact scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scanner {
    /// The scanning account.
    pub account_id: String,
    /// The device id of the scanning phone.
    pub device_id: String,
    /// Shown on the PC ("Scanned by Alice").
    pub display_name: String,
    /// Shown on the PC next to the name.
    pub avatar_url: Option<String>,
    /// SHA-256 of the scan ticket currently valid for this scanner.
    #[serde(with = "hash_hex")]
    pub ticket_hash: TokenHash,
}

/// One QR session as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrSession {
    /// Public id, in the QR code.
    pub id: QrId,
    /// State as last written (see [`QrSession::at`] for the state as of now).
    pub state: QrState,
    /// Public version: starts at 1, +1 on every state change.
    pub version: u64,
    /// Internal write counter: +1 on every write, state change or not (a repeated scan
    /// replaces the ticket without changing state). Compare-and-set is on this.
    pub rev: u64,
    /// SHA-256 of the poll token.
    #[serde(with = "hash_hex")]
    pub poll_hash: TokenHash,
    /// When it was created.
    pub created_at: Millis,
    /// When it expires unless it reaches a terminal state first.
    pub expires_at: Millis,
    /// Who asked to log in.
    pub requester: Requester,
    /// Who scanned, from `scanned` on.
    pub scanner: Option<Scanner>,
    /// Whether it was made for an OAuth client: set at create, never changed by a
    /// transition. A record that does not say reads as [`QrClient::Unrecorded`].
    #[serde(default)]
    pub client: QrClient,
}
/// Serde for [`TokenHash`] as hex text.
mod hash_hex {
    use crate::ids::TokenHash;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &TokenHash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&h.to_hex())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TokenHash, D::Error> {
        let s = String::deserialize(d)?;
        TokenHash::from_hex(&s).ok_or_else(|| D::Error::custom("bad hash"))
    }
}

#[cfg(test)]
mod tests;
