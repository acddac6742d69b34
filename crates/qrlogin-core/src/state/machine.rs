//! The transitions: what a [`Command`] does to a [`QrSession`] at a given time, or
//! which error of the contract it gets instead, and lazy expiry.

use super::{QrSession, QrState, Requester, Scanner};
use crate::ids::{QrId, TokenHash};
use crate::policy::Lifetimes;
use crate::qr_client::QrClient;
use crate::time::Millis;

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
    pub(super) fn state_at(&self, now: Millis) -> (QrState, u64) {
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
}
