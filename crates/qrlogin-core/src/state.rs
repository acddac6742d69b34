//! The QR session and its state machine (API.md "States").
//!
//! A transition is a pure function of the stored record, a [`Command`] and the time:
//! [`QrSession::apply`] returns the next record or the contract's error. Stores then
//! write the next record only if the record has not changed since it was read
//! (compare-and-set on `rev`), which makes every transition atomic on every backend.
//! Expiry is computed lazily by [`QrSession::at`], so an expired session reads the same
//! (state `expired`, version + 1) on every instance whether or not anything was written.

use crate::api::{PublicProfile, Status};
use crate::ids::{QrId, TokenHash};
use crate::policy::Lifetimes;
use crate::qr_client::QrClient;
use crate::time::{secs_until, Millis};
use serde::{Deserialize, Serialize};

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

/// A request to change a QR session.
#[derive(Debug, Clone)]
pub enum Command {
    /// A phone scans (or re-scans) the code; carries the new ticket's hash.
    Scan(Scanner),
    /// The phone confirms, presenting its ticket.
    Confirm(TicketProof),
    /// The phone declines, presenting its ticket.
    PhoneCancel(TicketProof),
    /// The PC gives up.
    PcCancel,
    /// The PC takes its session.
    Redeem,
}

/// What a phone presents with confirm/cancel: who it is and the ticket it holds.
#[derive(Debug, Clone)]
pub struct TicketProof {
    /// The phone's account, from its token.
    pub account_id: String,
    /// The phone's device id, from its token.
    pub device_id: String,
    /// Hash of the presented ticket; `None` when none was presented.
    pub ticket_hash: Option<TokenHash>,
}

/// Why a command was refused; each maps to one error code of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Another device scanned first.
    #[error("another device scanned this QR code")]
    AlreadyScanned,
    /// Not allowed from the current state.
    #[error("not allowed in state {0}")]
    InvalidState(&'static str),
    /// Redeemed once already.
    #[error("this QR login was already redeemed")]
    AlreadyRedeemed,
    /// Past `expires_at`.
    #[error("this QR code has expired")]
    Expired,
    /// Missing or wrong ticket, or a ticket of another device/account.
    #[error("the scan ticket is missing or not valid for this device and QR code")]
    InvalidScanTicket,
}

impl TransitionError {
    /// The contract's error code.
    pub fn code(self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            TransitionError::AlreadyScanned => C::AlreadyScanned,
            TransitionError::InvalidState(_) => C::InvalidState,
            TransitionError::AlreadyRedeemed => C::AlreadyRedeemed,
            TransitionError::Expired => C::QrExpired,
            TransitionError::InvalidScanTicket => C::InvalidScanTicket,
        }
    }
}

impl QrSession {
    /// A new pending session, version 1, of a plain login (see [`QrSession::for_client`]).
    pub fn new(
        id: QrId,
        poll_hash: TokenHash,
        requester: Requester,
        now: Millis,
        l: &Lifetimes,
    ) -> Self {
        Self {
            id,
            state: QrState::Pending,
            version: 1,
            rev: 1,
            poll_hash,
            created_at: now,
            expires_at: now + l.qr_ms,
            requester,
            scanner: None,
            client: QrClient::Plain,
        }
    }

    /// This session, recorded as made for `client_id` (`None`: a plain login).
    pub fn for_client(mut self, client_id: Option<&str>) -> Self {
        self.client = client_id.map_or(QrClient::Plain, |id| QrClient::Client(id.to_owned()));
        self
    }

    /// The session as of `now`: past `expires_at`, a non-terminal session reads as
    /// `expired` with its version one higher, exactly as if expiry had been written.
    pub fn at(&self, now: Millis) -> QrSession {
        self.clone().into_at(now)
    }

    /// [`QrSession::at`] of a session the caller owns: no copy.
    pub fn into_at(mut self, now: Millis) -> QrSession {
        (self.state, self.version) = self.state_at(now);
        self
    }

    /// State and version as of `now` (see [`QrSession::at`]).
    fn state_at(&self, now: Millis) -> (QrState, u64) {
        if !self.state.is_terminal() && now >= self.expires_at {
            (QrState::Expired, self.version + 1)
        } else {
            (self.state, self.version)
        }
    }

    /// When a store may forget this session: the grace period after its expiry.
    pub fn purge_at(&self, l: &Lifetimes) -> Millis {
        self.expires_at + l.grace_ms
    }

    /// Applies `cmd` at `now`: the next record to write, or the contract's refusal.
    pub fn apply(
        &self,
        cmd: &Command,
        now: Millis,
        l: &Lifetimes,
    ) -> Result<QrSession, TransitionError> {
        use QrState::*;
        let cur = self.at(now);
        if cur.state == Expired {
            return Err(TransitionError::Expired);
        }
        let mut next = cur.clone();
        next.rev += 1;
        let invalid = Err(TransitionError::InvalidState(cur.state.as_str()));
        match (cmd, cur.state) {
            (Command::Scan(scanner), Pending) => {
                next.state = Scanned;
                next.scanner = Some(scanner.clone());
            }
            (Command::Scan(scanner), Scanned) => {
                let prev = cur
                    .scanner
                    .as_ref()
                    .expect("a scanned session has a scanner");
                if prev.account_id != scanner.account_id || prev.device_id != scanner.device_id {
                    return Err(TransitionError::AlreadyScanned);
                }
                // Same phone again: a new ticket, the old one stops working, no state change.
                next.scanner = Some(scanner.clone());
                return Ok(next);
            }
            (Command::Confirm(proof) | Command::PhoneCancel(proof), Scanned) => {
                if !cur.ticket_matches(proof) {
                    return Err(TransitionError::InvalidScanTicket);
                }
                if matches!(cmd, Command::Confirm(_)) {
                    next.state = Confirmed;
                    next.expires_at = now + l.confirm_ms;
                } else {
                    next.state = Cancelled;
                }
            }
            (Command::PcCancel, Pending | Scanned) => next.state = Cancelled,
            (Command::Redeem, Confirmed) => next.state = Redeemed,
            (Command::Redeem, Redeemed) => return Err(TransitionError::AlreadyRedeemed),
            _ => return invalid,
        }
        next.version += 1;
        Ok(next)
    }

    fn ticket_matches(&self, proof: &TicketProof) -> bool {
        match (&self.scanner, &proof.ticket_hash) {
            (Some(s), Some(h)) => {
                // Evaluate all three so timing does not tell which one failed.
                let ticket = s.ticket_hash == *h;
                let account = s.account_id == proof.account_id;
                let device = s.device_id == proof.device_id;
                ticket & account & device
            }
            _ => false,
        }
    }

    /// The PC's view at `now` (API.md status JSON): no token, no device id, no account
    /// detail beyond the scanner's display name and avatar.
    pub fn status(&self, now: Millis) -> Status {
        let (state, version) = self.state_at(now);
        Status {
            qr_id: self.id.to_string(),
            state,
            version,
            expires_in: if state.is_terminal() {
                0
            } else {
                secs_until(now, self.expires_at)
            },
            scanner: self.scanner.as_ref().map(|sc| PublicProfile {
                display_name: sc.display_name.clone(),
                avatar_url: sc.avatar_url.clone(),
            }),
        }
    }
}

impl QrSession {
    /// The PC's view of every version after `since` up to now, oldest first; only the
    /// current one when `since` is `None` or not a version this session has had. Push
    /// transports send these, so a client sees each state change even when several
    /// happened between two wake-ups.
    ///
    /// Earlier versions can be rebuilt exactly because the path is fixed: version 1 is
    /// `pending`, 2 `scanned`, 3 `confirmed`, and only the last version can be terminal.
    pub fn statuses_since(&self, since: Option<u64>, now: Millis) -> Vec<Status> {
        let current = self.status(now);
        let first = match since {
            Some(v) if v < current.version => v + 1,
            Some(v) if v == current.version => return Vec::new(),
            _ => current.version,
        };
        let passing = |version: u64, state: QrState| Status {
            state,
            version,
            scanner: if version == 1 {
                None
            } else {
                current.scanner.clone()
            },
            expires_in: secs_until(now, self.expires_at),
            ..current.clone()
        };
        let mut out: Vec<Status> = (first..current.version)
            .filter_map(|v| match v {
                1 => Some(passing(1, QrState::Pending)),
                2 => Some(passing(2, QrState::Scanned)),
                3 => Some(passing(3, QrState::Confirmed)),
                _ => None,
            })
            .collect();
        out.push(current);
        out
    }
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
#[path = "state_tests.rs"]
mod tests;
