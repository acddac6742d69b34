//! The activity log a user reads on the phone (`GET /api/v1/activity`): what signed in
//! as them, from where. The use cases write it as things happen through [`append`]
//! (grouped with concurrent requests' events), which never fails the use case (the
//! login or the revoke already happened; losing one log line is better than answering
//! an error for it), and
//! [`housekeeping`](super::housekeeping) keeps it to the retention API.md promises.

use super::{auth, Error, PhoneCredentials, Result};
use crate::state::AppState;
use qrlogin_core::api::{ActivityClient, ActivityDevice, ActivityResponse, ActivityView};
use qrlogin_core::time::rfc3339;
use qrlogin_core::{AccountId, DeviceInfo, EventId, Millis};
use qrlogin_db::{ActivityEvent, ActivityKind, Db};

/// `limit` when the phone gives none.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest `limit` a phone may ask for.
pub const MAX_LIMIT: u32 = 200;
/// How long events are kept: API.md promises at least 90 days.
pub const RETENTION_MS: Millis = 90 * 24 * 3600 * 1000;

/// What an event is about, besides its account and kind.
#[derive(Debug, Clone, Default)]
pub struct Details {
    /// The IP the request came from.
    pub ip: Option<String>,
    /// The device involved (the phone, or the PC).
    pub device: Option<DeviceInfo>,
    /// How a phone signed in, on `phone_signed_in`.
    pub method: Option<String>,
}

impl Details {
    /// An event from `ip` about `device`.
    pub fn new(ip: &str, device: Option<DeviceInfo>) -> Self {
        Self {
            ip: (!ip.is_empty()).then(|| ip.to_owned()),
            device,
            method: None,
        }
    }
}

/// Appends an event to `account`'s log at `now`, with the events of concurrent
/// requests ([`ActivityWriter`](super::activity_writer::ActivityWriter)), and returns
/// once it is written. A failed write is logged, never returned: the use case it
/// records has already happened. What the server's use cases call.
pub async fn append(
    state: &AppState,
    account: &AccountId,
    kind: ActivityKind,
    details: Details,
    now: Millis,
) {
    state
        .activity
        .write(event(account, kind, details, now))
        .await;
}

/// [`append`] straight into `db`, alone: for one-off writes outside a server (the
/// `accounts` commands), where there is nothing to group with.
pub async fn record(
    db: &dyn Db,
    account: &AccountId,
    kind: ActivityKind,
    details: Details,
    now: Millis,
) {
    if let Err(e) = db.append_event(&event(account, kind, details, now)).await {
        tracing::warn!(account = %account, kind = %kind, error = %e, "activity event not written");
    }
}

/// The event of `kind` in `account`'s log at `now`.
fn event(account: &AccountId, kind: ActivityKind, details: Details, now: Millis) -> ActivityEvent {
    ActivityEvent {
        id: EventId::generate(),
        account_id: account.clone(),
        at: now,
        kind,
        ip: details.ip,
        // Only what the device called itself is kept, never its id.
        device: details.device.map(|d| DeviceInfo { id: None, ..d }),
        client: None,
        method: details.method,
    }
}

/// The phone's account's latest `limit` events (1..=200, default 50), newest first.
/// The phone is authenticated first, then `limit` checked.
pub async fn list(
    state: &AppState,
    creds: &PhoneCredentials,
    limit: Option<u32>,
) -> Result<ActivityResponse> {
    let phone = auth::phone(state, creds).await?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::bad_request(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    let events = state.db.events_of(&phone.account.id, limit).await?;
    Ok(ActivityResponse {
        events: events.into_iter().map(view).collect(),
    })
}

/// The wire form of an event.
fn view(e: ActivityEvent) -> ActivityView {
    ActivityView {
        id: e.id.into_string(),
        at: rfc3339(e.at),
        kind: e.kind.as_str().to_owned(),
        ip: e.ip,
        device: e.device.map(|d| ActivityDevice {
            kind: d.kind,
            name: d.name,
        }),
        client: e.client.map(|c| ActivityClient {
            id: c.id,
            name: c.name,
        }),
        method: e.method,
    }
}
