//! Records for the checks to store. Every id, hash and username is fresh and random,
//! and every time is near the real clock, so checks can run in parallel on one shared
//! backend, and a backend that sets TTLs from `expires_at` keeps what it is given for
//! as long as a check runs.

use qrlogin_core::Clock as _;
use qrlogin_core::{
    DeviceInfo, Lifetimes, Millis, QrId, QrSession, QrState, Requester, Scanner, Secret,
    SecretKind, TokenHash,
};

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

/// A new pending session as a real browser makes it: a full 111-byte Chrome
/// `User-Agent`, what the memory-per-session figures are measured with.
pub fn pending_from_browser() -> QrSession {
    let requester = Requester {
        device: Some(DeviceInfo {
            id: None,
            kind: Some("web".into()),
            name: Some("Chrome on Windows".into()),
        }),
        ip: "203.0.113.7".into(),
        user_agent: Some(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
             (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
                .into(),
        ),
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
