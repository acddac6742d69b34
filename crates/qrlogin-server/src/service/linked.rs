//! Accounts linked to an outside identity ("Bring your own users"): a trusted issuer's
//! (iss, sub) or a trusted backend's (client, subject), made on first use with a random
//! username (the outside name is never trusted as one), and the activity log entries
//! of what they do.

use super::Result;
use crate::state::AppState;
use qrlogin_core::{AccountId, DeviceInfo, EventId, Username};
use qrlogin_db::{Account, ActivityEvent, ActivityKind, ClientRef};

/// Longest display name taken from outside; longer ones are cut.
const MAX_NAME_CHARS: usize = 128;
/// Longest avatar URL taken from outside; longer ones are dropped.
const MAX_AVATAR_LEN: usize = 2048;

/// The link namespace of a trusted issuer.
pub fn issuer_namespace(iss: &str) -> String {
    format!("iss:{iss}")
}

/// The link namespace of a trusted backend: its subjects are its own, so no client can
/// reach another's accounts.
pub fn client_namespace(client_id: &str) -> String {
    format!("client:{client_id}")
}

/// A display name from outside, trimmed and bounded; `fallback` if there is none.
pub fn display_name(name: Option<&str>, fallback: &str) -> String {
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(fallback);
    name.chars().take(MAX_NAME_CHARS).collect()
}

/// An avatar URL from outside, if it is a bounded http(s) URL.
pub fn avatar_url(url: Option<&str>) -> Option<String> {
    url.filter(|u| u.len() <= MAX_AVATAR_LEN)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_owned)
}

fn random_username() -> Username {
    let id = AccountId::generate();
    let tail = id.as_str().trim_start_matches(AccountId::PREFIX);
    Username::parse(&format!("u-{tail}")).unwrap_or_else(|_| unreachable_username())
}

fn unreachable_username() -> Username {
    // AccountId tails are alphanumeric, so the parse above cannot fail; a fixed valid
    // name keeps this total without a panic.
    Username::parse("u-linked").expect("a constant valid username")
}

/// The account linked to `subject` in `namespace`, made on first use (password-less)
/// with `name` and `avatar`.
pub async fn link_or_create(
    state: &AppState,
    namespace: &str,
    subject: &str,
    name: String,
    avatar: Option<String>,
) -> Result<Account> {
    let now = state.now();
    // A taken random username is astronomically rare; a few tries make it certain.
    for _ in 0..4 {
        let fresh = Account {
            id: AccountId::generate(),
            username: random_username(),
            display_name: name.clone(),
            avatar_url: avatar.clone(),
            password_hash: None,
            disabled: false,
            created_at: now,
            updated_at: now,
        };
        if let Some(found) = state
            .db
            .link_or_create(namespace, subject, &fresh, now)
            .await?
        {
            return Ok(found);
        }
    }
    Err(super::Error::internal("could not pick a free username"))
}

/// Appends an entry to the account's activity log; a failure is logged, not fatal (the
/// action itself has happened).
pub async fn record(
    state: &AppState,
    account: &Account,
    kind: ActivityKind,
    device: Option<DeviceInfo>,
    client: Option<ClientRef>,
    method: Option<&str>,
) {
    let event = ActivityEvent {
        id: EventId::generate(),
        account_id: account.id.clone(),
        at: state.now(),
        kind,
        ip: None,
        device,
        client,
        method: method.map(str::to_owned),
    };
    state.activity.write(event).await;
}
