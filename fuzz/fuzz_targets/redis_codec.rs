//! A QR session's record as Redis hands it back: any field map, whole (`HGETALL`) or as
//! the `HMGET` reply, decodes to a session or a clean error, never a panic. What decodes
//! is a possible session (a scanner exactly from `scanned` to `redeemed`, optional
//! after), re-encodes to itself, and both read paths agree on it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrlogin_core::{QrId, QrState};
use qrlogin_store::redis::fuzzing::{decode_hash, decode_hmget, encode, hmget_fields};
use std::collections::HashMap;

/// The input as hash fields: `len, name, len, value, …` with one-byte lengths (a simple
/// form, so seeds are easy to write by hand; see docs/fuzzing.md).
fn fields(mut data: &[u8]) -> HashMap<Vec<u8>, Vec<u8>> {
    let mut next = || -> Option<Vec<u8>> {
        let (&len, rest) = data.split_first()?;
        let len = usize::from(len).min(rest.len());
        let (v, rest) = rest.split_at(len);
        data = rest;
        Some(v.to_vec())
    };
    let mut out = HashMap::new();
    while let (Some(name), Some(value)) = (next(), next()) {
        out.insert(name, value);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let id = QrId::parse("AAAAAAAAAAAAAAAAAAAAAA").expect("a valid id");
    let fields = fields(data);
    let reply = redis::Value::Array(
        hmget_fields()
            .iter()
            .map(|name| match fields.get(name.as_bytes()) {
                Some(v) => redis::Value::BulkString(v.clone()),
                None => redis::Value::Nil,
            })
            .collect(),
    );
    let listed = decode_hmget(&id, &reply);
    let whole = decode_hash(&id, fields);
    let Ok(Some(s)) = whole else {
        // HMGET sees a subset of the fields: it may find no record (`Ok(None)`) or a
        // partial one, but never a session where the whole hash has none.
        if let Ok(Some(listed)) = listed {
            panic!("HMGET decoded {listed:?} from a hash that does not decode: {whole:?}");
        }
        return;
    };
    match s.state {
        QrState::Pending => assert!(s.scanner.is_none(), "pending with a scanner"),
        QrState::Scanned | QrState::Confirmed | QrState::Redeemed => {
            assert!(s.scanner.is_some(), "{:?} without a scanner", s.state)
        }
        QrState::Cancelled | QrState::Expired => {}
    }
    let again: HashMap<Vec<u8>, Vec<u8>> = encode(&s)
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    assert_eq!(
        decode_hash(&id, again).expect("re-encoded"),
        Some(s.clone())
    );
    if let Ok(Some(listed)) = listed {
        assert_eq!(listed, s, "HMGET and HGETALL read different sessions");
    }
});
