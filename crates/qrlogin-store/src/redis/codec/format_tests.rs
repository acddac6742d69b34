//! The stored format itself: pinned bytes of a known record, and the records a server
//! must refuse (a newer format, an impossible state) rather than misread.

use super::*;
use qrlogin_core::{DeviceInfo, Lifetimes, Requester, Scanner, TokenHash};
use redis::ToRedisArgs;
use std::collections::HashMap;

/// A scanned session whose every byte is known.
fn known() -> QrSession {
    let mut s = QrSession::new(
        QrId::parse("AAAAAAAAAAAAAAAAAAAAAA").expect("a valid id"),
        TokenHash([0x11; 32]),
        Requester {
            device: Some(DeviceInfo {
                id: None,
                kind: Some("web".into()),
                name: Some("Firefox".into()),
            }),
            ip: "203.0.113.7".into(),
            user_agent: Some("UA".into()),
        },
        1_700_000_000_000,
        &Lifetimes::default(),
    );
    s.state = QrState::Scanned;
    s.version = 2;
    s.rev = 2;
    s.scanner = Some(Scanner {
        account_id: "acc_1".into(),
        device_id: "ph".into(),
        display_name: "Al".into(),
        avatar_url: None,
        ticket_hash: TokenHash([0x22; 32]),
    });
    s
}

/// [`known`] as read from a record written before format 3: it does not say whether
/// it was made for a client.
fn known_unrecorded() -> QrSession {
    QrSession {
        client: QrClient::Unrecorded,
        ..known()
    }
}

fn as_map(enc: &[Vec<u8>]) -> HashMap<Vec<u8>, Vec<u8>> {
    enc.chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect()
}

/// The fields of [`known`] as format 1 wrote them (the scanner inside the requester's
/// text, no `k`): what a server must still read during and after an upgrade.
fn known_format_1() -> Vec<Vec<u8>> {
    let text: &[u8] = b"\x03\x00\x04web\x08Firefox\x0c203.0.113.7\x03UA\x06acc_1\x03ph\x03Al\x00";
    vec![
        b"f".to_vec(),
        b"1".to_vec(),
        b"r".to_vec(),
        b"2".to_vec(),
        b"v".to_vec(),
        b"2".to_vec(),
        b"s".to_vec(),
        b"1".to_vec(),
        b"c".to_vec(),
        b"1700000000000".to_vec(),
        b"e".to_vec(),
        (1_700_000_000_000 + Lifetimes::default().qr_ms)
            .to_string()
            .into_bytes(),
        b"p".to_vec(),
        vec![0x11; 32],
        b"t".to_vec(),
        vec![0x22; 32],
        b"x0".to_vec(),
        text.to_vec(),
    ]
}

#[test]
fn a_known_record_is_stored_as_exactly_these_fields_and_bytes() {
    let s = known();
    let enc = encode(&s).to_redis_args();
    // SHA-256 of "acc_1\0ph", pinned here rather than computed by the code under test.
    let key =
        TokenHash::from_hex("d288d982bffa8ff57d8237abe572e5d068bc93552aeb94537213d9390d56615c")
            .expect("hex")
            .0
            .to_vec();
    let expected: Vec<Vec<u8>> = vec![
        b"f".to_vec(),
        b"3".to_vec(),
        b"r".to_vec(),
        b"2".to_vec(),
        b"v".to_vec(),
        b"2".to_vec(),
        b"s".to_vec(),
        b"1".to_vec(),
        b"c".to_vec(),
        b"1700000000000".to_vec(),
        b"e".to_vec(),
        (1_700_000_000_000 + Lifetimes::default().qr_ms)
            .to_string()
            .into_bytes(),
        b"p".to_vec(),
        vec![0x11; 32],
        b"t".to_vec(),
        vec![0x22; 32],
        b"k".to_vec(),
        key,
        b"y0".to_vec(),
        b"\x06acc_1\x03ph\x03Al\x00".to_vec(),
        b"x0".to_vec(),
        b"\x01\x00\x04web\x08Firefox\x0c203.0.113.7\x03UA".to_vec(),
    ];
    assert_eq!(enc, expected);
    assert_eq!(decode(&s.id, as_map(&enc)).unwrap(), Some(s));
}

#[test]
fn a_record_of_format_1_still_reads_and_a_mix_of_the_two_is_corrupt() {
    let s = known_unrecorded();
    assert_eq!(
        decode(&s.id, as_map(&known_format_1())).unwrap(),
        Some(s.clone())
    );
    // Format 2 with the scanner still inside the requester's text.
    let mut mixed = as_map(&known_format_1());
    mixed.insert(b"f".to_vec(), b"2".to_vec());
    assert!(matches!(decode(&s.id, mixed), Err(StoreError::Corrupt(_))));
    // Format 1 with a scanner's text of format 2.
    let mut mixed = as_map(&encode(&s).to_redis_args());
    mixed.insert(b"f".to_vec(), b"1".to_vec());
    assert!(matches!(decode(&s.id, mixed), Err(StoreError::Corrupt(_))));
}

#[test]
fn a_record_of_the_unnumbered_format_0_still_reads() {
    let s = known_unrecorded();
    let mut f = as_map(&known_format_1());
    f.remove(b"f".as_slice());
    assert_eq!(decode(&s.id, f).unwrap(), Some(s));
}

#[test]
fn a_record_of_a_newer_format_is_corrupt_not_misread() {
    let s = known();
    let mut f = as_map(&encode(&s).to_redis_args());
    f.insert(b"f".to_vec(), (FORMAT + 1).to_string().into_bytes());
    let err = decode(&s.id, f.clone()).unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt(ref m) if m.contains(&format!("format {}", FORMAT + 1))),
        "{err}"
    );
    f.insert(b"f".to_vec(), b"x".to_vec());
    assert!(matches!(decode(&s.id, f), Err(StoreError::Corrupt(_))));
}

#[test]
fn an_impossible_state_is_corrupt_not_misread() {
    let s = known();
    let base = as_map(&encode(&s).to_redis_args());
    // An unknown state code.
    let mut f = base.clone();
    f.insert(b"s".to_vec(), b"9".to_vec());
    assert!(matches!(decode(&s.id, f), Err(StoreError::Corrupt(_))));
    // Scanned, but without a scanner (its text and ticket gone).
    let mut bare = s.clone();
    bare.scanner = None;
    bare.state = QrState::Pending;
    let mut f = as_map(&encode(&bare).to_redis_args());
    f.insert(b"s".to_vec(), b"1".to_vec());
    let err = decode(&s.id, f).unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt(ref m) if m.contains("scanned")),
        "{err}"
    );
    // Pending, but with a scanner.
    let mut f = base;
    f.insert(b"s".to_vec(), b"0".to_vec());
    assert!(matches!(decode(&s.id, f), Err(StoreError::Corrupt(_))));
}

#[test]
fn a_negative_rev_or_version_is_corrupt_not_a_huge_counter() {
    // `-1` used to read as u64::MAX: a session that cannot be written back the same
    // (the round-trip check of the redis_codec fuzz target).
    let s = known();
    for field in [b"r", b"v"] {
        let mut f = as_map(&encode(&s).to_redis_args());
        f.insert(field.to_vec(), b"-1".to_vec());
        let err = decode(&s.id, f).unwrap_err();
        assert!(
            matches!(err, StoreError::Corrupt(ref m) if m.contains("negative")),
            "{err}"
        );
    }
}

#[test]
fn every_state_has_its_own_code_and_reads_back() {
    for st in QrState::ALL {
        assert_eq!(state_of(i64::from(state_code(st))), Some(st));
    }
    assert_eq!(state_of(6), None);
    assert_eq!(state_of(-1), None);
}

#[test]
fn a_record_with_a_client_is_stored_as_these_fields_and_reads_back() {
    let s = known().for_client(Some("shop.example"));
    let enc = encode(&s).to_redis_args();
    let plain = encode(&known()).to_redis_args();
    // The plain record's fields, with the client's id before the requester's text.
    let at = plain.iter().position(|f| f == b"x0").expect("x0");
    let mut expected = plain.clone();
    expected.splice(at..at, [b"o".to_vec(), b"shop.example".to_vec()]);
    assert_eq!(enc, expected);
    assert_eq!(enc.len(), encode(&s).num_of_args());
    assert_eq!(decode(&s.id, as_map(&enc)).unwrap(), Some(s.clone()));
    let via_hmget = decode_listed(&s.id, &super::tests::listed(&enc)).unwrap();
    assert!(matches!(via_hmget, Listed::Session(Some(ref got)) if *got == s));
}

/// The fields of [`known`] as format 2 wrote them: what this server reads from every
/// session an older server created during an upgrade.
fn known_format_2() -> HashMap<Vec<u8>, Vec<u8>> {
    let mut f = as_map(&encode(&known()).to_redis_args());
    f.insert(b"f".to_vec(), b"2".to_vec());
    f
}

#[test]
fn a_record_of_format_2_reads_as_unrecorded_and_is_written_back_as_format_2() {
    let s = known_unrecorded();
    assert_eq!(decode(&s.id, known_format_2()).unwrap(), Some(s.clone()));
    // Rewritten whole (a compare-and-set), it still says it does not know.
    let again = as_map(&encode(&s).to_redis_args());
    assert_eq!(again, known_format_2());
}

#[test]
fn a_client_in_a_record_before_format_3_is_corrupt_not_misread() {
    let mut f = known_format_2();
    f.insert(b"o".to_vec(), b"shop.example".to_vec());
    let err = decode(&known().id, f).unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt(ref m) if m.contains("client")),
        "{err}"
    );
}
