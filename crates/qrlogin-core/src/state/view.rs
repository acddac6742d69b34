//! The PC's view of a session: what the status endpoints and the push transports
//! send, with nothing in it that the PC may not see.

use super::{QrSession, QrState};
use crate::api::{PublicProfile, Status};
use crate::time::{secs_until, Millis};

impl QrSession {
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
