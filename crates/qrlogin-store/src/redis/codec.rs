//! A QR session as the fields of its Redis hash, kept small on purpose: ≤ 512 bytes per
//! pending session with its poll index (`MEMORY USAGE` over 10,000 sessions in
//! `tests/redis.rs`: 448 = hash 328 + index 120 on Redis 7.0 with a full 111-byte
//! Chrome `User-Agent`).
//!
//! | field | holds |
//! | --- | --- |
//! | `r` | rev (the compare-and-set counter the scripts check) |
//! | `v` | version (the scripts publish when it changes) |
//! | `s` | state, as its index in `QrState::ALL` (pending = 0 … expired = 5) |
//! | `c`, `e` | created_at, expires_at (unix ms; Redis keeps integers as integers) |
//! | `p` | SHA-256 of the poll token, 32 raw bytes |
//! | `t` | SHA-256 of the scan ticket, 32 raw bytes, from `scanned` on |
//! | `x0`, `x1`, … | the free text (requester, scanner's names), length-prefixed strings cut in 63-byte pieces |
//!
//! Why pieces: Redis keeps a small hash as one contiguous listpack only while every value
//! is at most `hash-max-listpack-value` (64) bytes; a single longer value (any real
//! `User-Agent`) turns it into a hash table that costs several hundred bytes more.
//! The id is not stored: it is in the key.

use crate::StoreError;
use qrlogin_core::{DeviceInfo, Millis, QrId, QrSession, QrState, Requester, Scanner, TokenHash};
use std::collections::HashMap;

/// The longest value Redis keeps in a listpack by default is 64 bytes; 63 still has a
/// one-byte length header there.
const PIECE: usize = 63;

/// Appends an optional string: 0 for none, else its length + 1 (LEB128), then bytes.
fn put(out: &mut Vec<u8>, v: Option<&str>) {
    let mut n = v.map_or(0, |s| s.len() as u64 + 1);
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(v.unwrap_or_default().as_bytes());
}

/// Reads back what [`put`] wrote; `Err` on truncated or non-UTF-8 input.
fn take(input: &mut &[u8]) -> Result<Option<String>, ()> {
    let mut n: u64 = 0;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = input.split_first().ok_or(())?;
        *input = rest;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
    }
    if n == 0 {
        return Ok(None);
    }
    let len = usize::try_from(n - 1).map_err(|_| ())?;
    if input.len() < len {
        return Err(());
    }
    let (s, rest) = input.split_at(len);
    *input = rest;
    String::from_utf8(s.to_vec()).map(Some).map_err(|_| ())
}

/// The free text of a session in a compact binary form (no names, no quotes: it is
/// stored once per session): a flags byte (1 = device, 2 = scanner), then optional
/// strings in a fixed order.
fn encode_text(s: &QrSession) -> Vec<u8> {
    let r = &s.requester;
    let flags = u8::from(r.device.is_some()) | (u8::from(s.scanner.is_some()) << 1);
    let mut out = vec![flags];
    if let Some(d) = &r.device {
        put(&mut out, d.id.as_deref());
        put(&mut out, d.kind.as_deref());
        put(&mut out, d.name.as_deref());
    }
    put(&mut out, Some(&r.ip));
    put(&mut out, r.user_agent.as_deref());
    if let Some(k) = &s.scanner {
        put(&mut out, Some(&k.account_id));
        put(&mut out, Some(&k.device_id));
        put(&mut out, Some(&k.display_name));
        put(&mut out, k.avatar_url.as_deref());
    }
    out
}

/// The free text read back: requester, and the scanner's text if it scanned.
type DecodedText = (Requester, Option<(String, String, String, Option<String>)>);

fn decode_text(mut b: &[u8]) -> Result<DecodedText, ()> {
    let (&flags, rest) = b.split_first().ok_or(())?;
    b = rest;
    let device = if flags & 1 != 0 {
        Some(DeviceInfo {
            id: take(&mut b)?,
            kind: take(&mut b)?,
            name: take(&mut b)?,
        })
    } else {
        None
    };
    let ip = take(&mut b)?.ok_or(())?;
    let user_agent = take(&mut b)?;
    let scanner = if flags & 2 != 0 {
        Some((
            take(&mut b)?.ok_or(())?,
            take(&mut b)?.ok_or(())?,
            take(&mut b)?.ok_or(())?,
            take(&mut b)?,
        ))
    } else {
        None
    };
    if !b.is_empty() {
        return Err(());
    }
    let requester = Requester {
        device,
        ip,
        user_agent,
    };
    Ok((requester, scanner))
}

/// The state as one digit (its index in [`QrState::ALL`]): 1 byte in the listpack.
fn state_code(st: QrState) -> u8 {
    QrState::ALL
        .iter()
        .position(|x| *x == st)
        .expect("every state is in ALL") as u8
}

/// The hash fields of `s`, as `field, value, field, value, …` for `HSET`.
pub(crate) fn encode(s: &QrSession) -> Vec<Vec<u8>> {
    let text = encode_text(s);
    let mut out: Vec<Vec<u8>> = vec![
        b"r".to_vec(),
        s.rev.to_string().into_bytes(),
        b"v".to_vec(),
        s.version.to_string().into_bytes(),
        b"s".to_vec(),
        state_code(s.state).to_string().into_bytes(),
        b"c".to_vec(),
        s.created_at.to_string().into_bytes(),
        b"e".to_vec(),
        s.expires_at.to_string().into_bytes(),
        b"p".to_vec(),
        s.poll_hash.0.to_vec(),
    ];
    if let Some(k) = &s.scanner {
        out.push(b"t".to_vec());
        out.push(k.ticket_hash.0.to_vec());
    }
    for (i, piece) in text.chunks(PIECE).enumerate() {
        out.push(format!("x{i}").into_bytes());
        out.push(piece.to_vec());
    }
    out
}

fn corrupt(id: &QrId, what: &str) -> StoreError {
    StoreError::Corrupt(format!("QR session {id}: {what}"))
}

/// Reads a session back from its hash (`HGETALL`); `None` when the hash is empty,
/// which is how Redis answers for a missing key.
pub(crate) fn decode(
    id: &QrId,
    mut f: HashMap<Vec<u8>, Vec<u8>>,
) -> Result<Option<QrSession>, StoreError> {
    if f.is_empty() {
        return Ok(None);
    }
    let mut text = |name: &str| -> Result<String, StoreError> {
        let v = f
            .remove(name.as_bytes())
            .ok_or_else(|| corrupt(id, &format!("no field {name}")))?;
        String::from_utf8(v).map_err(|_| corrupt(id, &format!("field {name} is not text")))
    };
    let int = |v: String, name: &str| -> Result<i64, StoreError> {
        v.parse()
            .map_err(|_| corrupt(id, &format!("field {name} is not a number")))
    };
    let rev = int(text("r")?, "r")? as u64;
    let version = int(text("v")?, "v")? as u64;
    let state = usize::try_from(int(text("s")?, "s")?)
        .ok()
        .and_then(|i| QrState::ALL.get(i).copied())
        .ok_or_else(|| corrupt(id, "unknown state"))?;
    let created_at: Millis = int(text("c")?, "c")?;
    let expires_at: Millis = int(text("e")?, "e")?;
    let hash = |v: Option<Vec<u8>>, name: &str| -> Result<Option<TokenHash>, StoreError> {
        v.map(|b| {
            <[u8; 32]>::try_from(b.as_slice())
                .map(TokenHash)
                .map_err(|_| corrupt(id, &format!("field {name} is not a SHA-256")))
        })
        .transpose()
    };
    let poll_hash = hash(f.remove(b"p".as_slice()), "p")?.ok_or_else(|| corrupt(id, "no p"))?;
    let ticket = hash(f.remove(b"t".as_slice()), "t")?;
    let mut bytes = Vec::new();
    for i in 0.. {
        match f.remove(format!("x{i}").as_bytes()) {
            Some(piece) => bytes.extend_from_slice(&piece),
            None => break,
        }
    }
    let (requester, scanner) = decode_text(&bytes).map_err(|()| corrupt(id, "bad text"))?;
    let scanner = match (scanner, ticket) {
        (Some((account_id, device_id, display_name, avatar_url)), Some(ticket_hash)) => {
            Some(Scanner {
                account_id,
                device_id,
                display_name,
                avatar_url,
                ticket_hash,
            })
        }
        (None, None) => None,
        _ => {
            return Err(corrupt(
                id,
                "scanner without ticket or ticket without scanner",
            ))
        }
    };
    Ok(Some(QrSession {
        id: id.clone(),
        state,
        version,
        rev,
        poll_hash,
        created_at,
        expires_at,
        requester,
        scanner,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrlogin_core::{Lifetimes, Secret, SecretKind};

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
        let enc = encode(&s);
        assert!(enc.iter().all(|v| v.len() <= PIECE));
        assert_eq!(decode(&s.id, fields(enc)).unwrap(), Some(s));
    }

    #[test]
    fn an_empty_hash_is_no_session_and_a_partial_one_is_corrupt() {
        let id = QrId::generate();
        assert_eq!(decode(&id, HashMap::new()).unwrap(), None);
        let partial = fields(vec![b"r".to_vec(), b"1".to_vec()]);
        assert!(matches!(decode(&id, partial), Err(StoreError::Corrupt(_))));
    }
}
