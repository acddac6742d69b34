//! Ids, secrets and usernames as they arrive in paths, headers and bodies: parsing never
//! panics, what parses round-trips, and a secret's hash from `parse_hash` is the hash of
//! the parsed secret (the fast path and the slow path agree).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrlogin_core::{QrId, RandomId, Secret, SecretKind, Username};

const KINDS: [SecretKind; 9] = [
    SecretKind::Poll,
    SecretKind::ScanTicket,
    SecretKind::Mobile,
    SecretKind::Session,
    SecretKind::ClientSecret,
    SecretKind::Access,
    SecretKind::Refresh,
    SecretKind::AuthCode,
    SecretKind::DeviceCode,
];

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = QrId::parse(s) {
        assert_eq!(id.as_str(), s);
        assert_eq!(id.as_str().len(), QrId::LEN);
    }
    if let Ok(id) = RandomId::parse(s) {
        assert_eq!(RandomId::parse(id.as_str()).as_ref(), Ok(&id));
    }
    if let Ok(u) = Username::parse(s) {
        let again = Username::parse(u.as_str()).expect("a parsed username parses again");
        assert_eq!(again.as_str(), u.as_str());
    }
    for kind in KINDS {
        let parsed = Secret::parse(kind, s);
        let hash = Secret::parse_hash(kind, s);
        match (parsed, hash) {
            (Ok(secret), Ok(hash)) => {
                assert_eq!(secret.hash(), hash);
                assert_eq!(secret.kind(), kind);
                assert_eq!(secret.expose(), s);
            }
            (Err(_), Err(_)) => {}
            _ => panic!("Secret::parse and Secret::parse_hash disagree on {s:?}"),
        }
    }
});
