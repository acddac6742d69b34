//! Records for the checks: fresh random ids and usernames, fixed times (every check
//! passes `now` itself, so nothing depends on the real clock), and text that exercises
//! a backend's encoding (non-ASCII, quotes).

use crate::{Account, ActivityEvent, ActivityKind, ClientRef, MobileToken, WebSession};
use qrlogin_core::{
    AccountId, DeviceInfo, EventId, Millis, Secret, SecretKind, SessionId, TokenHash, Username,
};

/// The checks' "now": a fixed instant in 2027.
pub const NOW: Millis = 1_800_000_000_000;

/// Thirty days, the phone token lifetime.
pub const LONG: Millis = 30 * 24 * 3_600_000;

/// A fresh random token hash.
pub fn hash() -> TokenHash {
    Secret::generate(SecretKind::Mobile).hash()
}

/// A fresh username: `u` and 22 random characters of the username alphabet.
pub fn username() -> Username {
    let id = AccountId::generate();
    let tail = id.as_str().trim_start_matches(AccountId::PREFIX);
    Username::parse(&format!("u{tail}")).expect("generated usernames are valid")
}

/// A new enabled account with a password, made at [`NOW`].
pub fn account() -> Account {
    Account {
        id: AccountId::generate(),
        username: username(),
        display_name: "Ålice \"A\" 😀".into(),
        avatar_url: Some("https://example.com/a.png?s=64&x='y'".into()),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        disabled: false,
        created_at: NOW,
        updated_at: NOW,
    }
}

/// A phone as it describes itself.
pub fn phone(id: &str) -> DeviceInfo {
    DeviceInfo {
        id: Some(id.into()),
        kind: Some("ios".into()),
        name: Some("Ålice's iPhone — \"work\"".into()),
    }
}

/// A phone token of `account`, issued at [`NOW`], until `expires_at`.
pub fn mobile_token(account: &AccountId, expires_at: Millis) -> MobileToken {
    MobileToken {
        account_id: account.clone(),
        device: phone("phone-1"),
        created_at: NOW,
        expires_at,
    }
}

/// A PC session of `account` and its token hash.
pub fn web_session(
    account: &AccountId,
    created_at: Millis,
    expires_at: Millis,
) -> (TokenHash, WebSession) {
    let session = WebSession {
        id: SessionId::generate(),
        account_id: account.clone(),
        created_at,
        expires_at,
        device: Some(DeviceInfo {
            id: None,
            kind: Some("web".into()),
            name: Some("Firefox on Linux".into()),
        }),
        ip: "2001:db8::7".into(),
    };
    (hash(), session)
}

/// An event of `account` at `at`, with every optional field set.
pub fn event(account: &AccountId, at: Millis, kind: ActivityKind) -> ActivityEvent {
    ActivityEvent {
        id: EventId::generate(),
        account_id: account.clone(),
        at,
        kind,
        ip: Some("203.0.113.7".into()),
        device: Some(phone("phone-1")),
        client: Some(ClientRef {
            id: "shop".into(),
            name: "The Shop ✓".into(),
        }),
        method: Some("password".into()),
    }
}

/// Stores a fresh account on `db` and returns it.
pub async fn stored_account(db: &dyn crate::Db) -> Account {
    let a = account();
    assert!(
        db.create_account(&a).await.expect("create"),
        "fresh account"
    );
    a
}
