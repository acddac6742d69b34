//! Round trips through the encoder and both decoders, for every text length around
//! the piece and `HMGET` limits, and what an empty or partial reply reads as.

use super::*;
use qrlogin_core::Scanner;
use qrlogin_core::{DeviceInfo, Requester};
use qrlogin_core::{Lifetimes, Secret, SecretKind};
use redis::ToRedisArgs;
use std::collections::HashMap;

fn fields(v: Vec<Vec<u8>>) -> HashMap<Vec<u8>, Vec<u8>> {
    v.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect()
}

#[test]
fn a_scanned_session_with_long_text_round_trips_with_every_value_64_bytes_or_less() {
    let mut s = QrSession::new(
        QrId::generate(),
        Secret::generate(SecretKind::Poll).hash(),
        Requester {
            device: Some(DeviceInfo {
                id: None,
                kind: Some("web".into()),
                name: Some("Firefox — Ålice's \"desk\" ✓".into()),
            }),
            ip: "2001:db8::7".into(),
            user_agent: Some("Mozilla/5.0 ".repeat(20)),
        },
        1_700_000_000_000,
        &Lifetimes::default(),
    );
    s.state = QrState::Scanned;
    s.scanner = Some(Scanner {
        account_id: "acc_1".into(),
        device_id: "phone-1".into(),
        display_name: "Ålice 😀".into(),
        avatar_url: None,
        ticket_hash: Secret::generate(SecretKind::ScanTicket).hash(),
    });
    let enc = encode(&s).to_redis_args();
    assert_eq!(enc.len(), encode(&s).num_of_args());
    assert!(enc.iter().all(|v| v.len() <= PIECE));
    assert_eq!(decode(&s.id, fields(enc.clone())).unwrap(), Some(s.clone()));
    // Up to LISTED_PIECES pieces are read by HMGET; beyond, the whole hash.
    let pieces = enc.iter().step_by(2).filter(|f| f[0] == b'x').count();
    let listed = decode_listed(&s.id, &listed(&enc)).unwrap();
    if pieces < LISTED_PIECES {
        assert!(matches!(listed, Listed::Session(Some(ref got)) if *got == s));
    } else {
        assert!(matches!(listed, Listed::ReadAll));
    }
}

/// The reply Redis gives to `HMGET key FIELDS…` for a hash holding `enc`.
pub(super) fn listed(enc: &[Vec<u8>]) -> redis::Value {
    let f = fields(enc.to_vec());
    redis::Value::Array(
        FIELDS
            .iter()
            .map(|name| match f.get(name.as_bytes()) {
                Some(v) => redis::Value::BulkString(v.clone()),
                None => redis::Value::Nil,
            })
            .collect(),
    )
}

#[test]
fn hmget_reads_sessions_of_every_text_length_or_asks_for_the_whole_hash() {
    for ua_len in [
        0, 1, 40, 62, 63, 64, 111, 200, 300, 377, 378, 379, 400, 2000,
    ] {
        let ua = (ua_len > 0).then(|| "u".repeat(ua_len));
        for scanned in [false, true] {
            let mut s = QrSession::new(
                QrId::generate(),
                Secret::generate(SecretKind::Poll).hash(),
                Requester {
                    device: None,
                    ip: "127.0.0.1".into(),
                    user_agent: ua.clone(),
                },
                1_700_000_000_000,
                &Lifetimes::default(),
            );
            if scanned {
                s.state = QrState::Scanned;
                s.scanner = Some(Scanner {
                    account_id: "acc_1".into(),
                    device_id: "phone-1".into(),
                    display_name: "Alice".into(),
                    avatar_url: Some("https://example.com/a.png".into()),
                    ticket_hash: Secret::generate(SecretKind::ScanTicket).hash(),
                });
            }
            let enc = encode(&s).to_redis_args();
            assert_eq!(enc.len(), encode(&s).num_of_args());
            let text_len: usize = enc
                .chunks(2)
                .filter(|p| p[0][0] == b'x')
                .map(|p| p[1].len())
                .sum();
            match decode_listed(&s.id, &listed(&enc)).unwrap() {
                Listed::Session(got) => {
                    assert!(text_len < PIECE * LISTED_PIECES);
                    assert_eq!(got, Some(s));
                }
                Listed::ReadAll => {
                    assert!(text_len > PIECE * (LISTED_PIECES - 1));
                    assert_eq!(decode(&s.id, fields(enc)).unwrap(), Some(s));
                }
            }
        }
    }
}

#[test]
fn an_all_nil_hmget_is_no_session_and_a_partial_or_odd_one_is_corrupt() {
    let id = QrId::generate();
    let nils = redis::Value::Array(vec![redis::Value::Nil; FIELDS.len()]);
    assert!(matches!(
        decode_listed(&id, &nils).unwrap(),
        Listed::Session(None)
    ));
    let partial = listed(&[b"r".to_vec(), b"1".to_vec()]);
    assert!(matches!(
        decode_listed(&id, &partial),
        Err(StoreError::Corrupt(_))
    ));
    let short = redis::Value::Array(vec![redis::Value::Nil; 3]);
    assert!(matches!(
        decode_listed(&id, &short),
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        decode_listed(&id, &redis::Value::Nil),
        Err(StoreError::Corrupt(_))
    ));
}

#[test]
fn an_empty_hash_is_no_session_and_a_partial_one_is_corrupt() {
    let id = QrId::generate();
    assert_eq!(decode(&id, HashMap::new()).unwrap(), None);
    let partial = fields(vec![b"r".to_vec(), b"1".to_vec()]);
    assert!(matches!(decode(&id, partial), Err(StoreError::Corrupt(_))));
}
