//! Records for the checks to store. Every id, hash and username is fresh and random,
//! and every time is near the real clock, so checks can run in parallel on one shared
//! backend, and a backend that sets TTLs from `expires_at` keeps what it is given for
//! as long as a check runs.

use crate::{Account, MobileToken, WebSession};
use qrlogin_core::Clock as _;
use qrlogin_core::{
    DeviceInfo, Lifetimes, Millis, QrId, QrSession, QrState, RandomId, Requester, Scanner, Secret,
    SecretKind, TokenHash,
};

/// How long after the real clock the checks' tokens and sessions expire: far beyond
/// any test run, so only the `now` argument, never a real TTL, decides liveness.
pub const LONG: Millis = 3_600_000;

/// A fresh random token hash, as a store would be given.
pub fn hash(kind: SecretKind) -> TokenHash {
    Secret::generate(kind).hash()
}

/// A new pending session (version 1, rev 1) created now, with a requester whose text
/// exercises a backend's encoding (non-ASCII, quotes, an optional field left out).
pub fn pending() -> QrSession {
    let requester = Requester {
        device: Some(DeviceInfo {
            id: Some("pc-\"1\"".into()),
            kind: Some("web".into()),
            name: Some("Firefox on Linux — Ålice's desk ✓".into()),
        }),
        ip: "2001:db8::7".into(),
        user_agent: None,
    };
    QrSession::new(
        QrId::generate(),
        hash(SecretKind::Poll),
        requester,
        qrlogin_core::SystemClock.now(),
        &Lifetimes::default(),
    )
}

/// When a session may be forgotten, under the default lifetimes.
pub fn purge_at(session: &QrSession) -> Millis {
    session.purge_at(&Lifetimes::default())
}

/// The record after `device` scans `session`: a state change, so version and rev both
/// go up by one.
pub fn scanned_by(session: &QrSession, device: &str) -> QrSession {
    let mut next = session.clone();
    next.state = QrState::Scanned;
    next.version += 1;
    next.rev += 1;
    next.scanner = Some(Scanner {
        account_id: format!("acc_{device}"),
        device_id: device.into(),
        display_name: "Ålice 😀".into(),
        avatar_url: Some("https://example.com/a.png?s=64&x=\"y\"".into()),
        ticket_hash: hash(SecretKind::ScanTicket),
    });
    next
}

/// The record after a write that is not a state change (a re-scan by the same phone
/// replacing its ticket): rev goes up, version does not.
pub fn rewritten(session: &QrSession) -> QrSession {
    let mut next = session.clone();
    next.rev += 1;
    if let Some(scanner) = &mut next.scanner {
        scanner.ticket_hash = hash(SecretKind::ScanTicket);
    }
    next
}

/// A new account with a unique username and id.
pub fn account() -> Account {
    let id = RandomId::generate("acc_");
    Account {
        username: format!("user-{}", &id.as_str()[4..]),
        id: id.to_string(),
        display_name: "Ålice".into(),
        avatar_url: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: qrlogin_core::SystemClock.now(),
    }
}

/// A phone token of `account_id` issued now, expiring at `expires_at`.
pub fn mobile_token(account_id: &str, expires_at: Millis) -> MobileToken {
    MobileToken {
        account_id: account_id.into(),
        device: DeviceInfo {
            id: Some("phone-1".into()),
            kind: Some("ios".into()),
            name: Some("Ålice's iPhone".into()),
        },
        created_at: qrlogin_core::SystemClock.now(),
        expires_at,
    }
}

/// A PC session of `account_id` with a fresh id, and the hash of its token.
pub fn web_session(
    account_id: &str,
    created_at: Millis,
    expires_at: Millis,
) -> (TokenHash, WebSession) {
    let session = WebSession {
        id: RandomId::generate("ses_").to_string(),
        account_id: account_id.into(),
        created_at,
        expires_at,
        device: Some(DeviceInfo {
            id: None,
            kind: Some("web".into()),
            name: Some("Firefox".into()),
        }),
        ip: "203.0.113.7".into(),
    };
    (hash(SecretKind::Session), session)
}
