//! A QR session as the fields of its Redis hash, kept small on purpose: ≤ 512 bytes per
//! pending session with its poll index (`MEMORY USAGE` over 10,000 sessions in
//! `tests/redis.rs`: 448 = hash 328 + index 120 on Redis 7.0 with a full 111-byte
//! Chrome `User-Agent`).
//!
//! | field | holds |
//! | --- | --- |
//! | `f` | the record format, [`FORMAT`]; absent in records written before formats had a number (read as format 0, the same layout) |
//! | `r` | rev (the compare-and-set counter the scripts check) |
//! | `v` | version (the scripts publish when it changes) |
//! | `s` | state, as an explicit code (see [`state_code`]: pending 0, scanned 1, confirmed 2, redeemed 3, cancelled 4, expired 5), never a position in a list |
//! | `c`, `e` | created_at, expires_at (unix ms; Redis keeps integers as integers) |
//! | `p` | SHA-256 of the poll token, 32 raw bytes |
//! | `t` | SHA-256 of the scan ticket, 32 raw bytes, from `scanned` on |
//! | `k` | [`scanner_key`] of the scanner's account and device, 32 raw bytes, from `scanned` on (format 2) |
//! | `x0`, `x1`, … | the requester's free text, length-prefixed strings cut in 63-byte pieces (formats 0 and 1: the scanner's too) |
//! | `y0`, `y1`, … | the scanner's free text, as `x` (format 2) |
//! | `o` | the id of the OAuth client the session was made for; absent for a plain login (format 3) |
//!
//! Why pieces: Redis keeps a small hash as one contiguous listpack only while every value
//! is at most `hash-max-listpack-value` (64) bytes; a single longer value (any real
//! `User-Agent`) turns it into a hash table that costs several hundred bytes more.
//! The id is not stored: it is in the key.
//!
//! Why format 2 keeps the scanner apart (`y`, `k`): a transition script writes a scan
//! or checks a ticket without reading the record first (`scripts/transition.lua`), so
//! it must be able to set the scanner without rewriting the requester's text, and
//! compare who presents a ticket by bytes. A pending session is stored exactly as in
//! format 1 (only `f` differs), so it costs no byte more.
//!
//! Why format 3: a session records whether it was made for a client (`o`), so a plain
//! login's scan and redeem need not ask the database for an OAuth request. A record of
//! format 2 or older does not say, and reads as [`QrClient::Unrecorded`] (the server
//! asks, as before), which is also why a session that does not know is written as
//! format 2, its exact layout. A plain pending session of format 3 is format 2 byte for
//! byte but for `f`: it costs no byte more.
//!
//! Evolving the format: a server reads every format up to its own [`FORMAT`] and refuses
//! a newer one as corrupt (500, logged) rather than guess; so a change that older
//! servers could misread gets a new number, and is deployed in two steps (first a server
//! that reads it, then one that writes it).

use crate::StoreError;
use qrlogin_core::{Millis, QrClient, QrId, QrSession, QrState, Scanner, TokenHash};
use std::collections::HashMap;

/// The longest value Redis keeps in a listpack by default is 64 bytes; 63 still has a
/// one-byte length header there.
const PIECE: usize = 63;

mod text;
use text::{decode_scanner, decode_text, encode_text};
pub(crate) use text::{scanner_args, write_scanner};

/// The record format this server writes, and the newest it reads.
pub(crate) const FORMAT: u8 = 3;

/// The format a record is written in: [`FORMAT`], unless the session does not know
/// whether it was made for a client (read from a format before 3), which format 2 says.
fn format_of(s: &QrSession) -> u8 {
    match s.client {
        QrClient::Unrecorded => 2,
        QrClient::Plain | QrClient::Client(_) => FORMAT,
    }
}

/// The state as one digit: 1 byte in the listpack. Fixed codes, written out, so that
/// reordering or extending [`QrState`] cannot change what a stored digit means (they
/// equal the positions format 0 used, so its records read the same).
pub(crate) fn state_code(st: QrState) -> u8 {
    match st {
        QrState::Pending => 0,
        QrState::Scanned => 1,
        QrState::Confirmed => 2,
        QrState::Redeemed => 3,
        QrState::Cancelled => 4,
        QrState::Expired => 5,
    }
}

/// The state of a stored code; `None` for a code no state has.
fn state_of(code: i64) -> Option<QrState> {
    Some(match code {
        0 => QrState::Pending,
        1 => QrState::Scanned,
        2 => QrState::Confirmed,
        3 => QrState::Redeemed,
        4 => QrState::Cancelled,
        5 => QrState::Expired,
        _ => return None,
    })
}

/// Whether a record in `state` can hold a scanner: none before the scan, one from the
/// scan to the redeem; a cancelled or expired session may have had one or not.
fn scanner_fits(state: QrState, has_scanner: bool) -> bool {
    match state {
        QrState::Pending => !has_scanner,
        QrState::Scanned | QrState::Confirmed | QrState::Redeemed => has_scanner,
        QrState::Cancelled | QrState::Expired => true,
    }
}

/// The hash fields of a session, as the arguments `field, value, field, value, …` for
/// `HSET`, written straight into the command (no allocation per field).
pub(crate) struct Encoded<'a> {
    s: &'a QrSession,
    /// The free text (see [`encode_text`]), stored in [`PIECE`]-byte pieces.
    text: Vec<u8>,
}

/// The hash fields of `s` (see the table above).
pub(crate) fn encode(s: &QrSession) -> Encoded<'_> {
    Encoded {
        s,
        text: encode_text(s),
    }
}

impl redis::ToRedisArgs for Encoded<'_> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + redis::RedisWrite,
    {
        let s = self.s;
        out.write_arg(b"f");
        out.write_arg_fmt(format_of(s));
        out.write_arg(b"r");
        out.write_arg_fmt(s.rev);
        out.write_arg(b"v");
        out.write_arg_fmt(s.version);
        out.write_arg(b"s");
        out.write_arg_fmt(state_code(s.state));
        out.write_arg(b"c");
        out.write_arg_fmt(s.created_at);
        out.write_arg(b"e");
        out.write_arg_fmt(s.expires_at);
        out.write_arg(b"p");
        out.write_arg(&s.poll_hash.0);
        if let Some(k) = &s.scanner {
            write_scanner(out, k);
        }
        if let Some(client_id) = s.client.client_id() {
            out.write_arg(b"o");
            out.write_arg(client_id.as_bytes());
        }
        for (i, piece) in self.text.chunks(PIECE).enumerate() {
            out.write_arg_fmt(format_args!("x{i}"));
            out.write_arg(piece);
        }
    }

    fn num_of_args(&self) -> usize {
        let scanner = self.s.scanner.as_ref().map_or(0, scanner_args);
        let client = 2 * usize::from(self.s.client.client_id().is_some());
        2 * (7 + self.text.len().div_ceil(PIECE)) + scanner + client
    }
}

fn corrupt(id: &QrId, what: &str) -> StoreError {
    StoreError::Corrupt(format!("QR session {id}: {what}"))
}

/// How many text pieces [`FIELDS`] asks for: enough for a full browser `User-Agent`.
/// A longer text is read with `HGETALL`.
const LISTED_PIECES: usize = 6;

/// How many pieces of the scanner's text [`FIELDS`] asks for (as for the requester's,
/// the last one only shows that there is more, to be read with `HGETALL`).
const LISTED_SCANNER_PIECES: usize = 3;

/// The fields a read asks for with `HMGET`, in this order (see [`decode_listed`]).
pub(crate) const FIELDS: [&str; 9 + LISTED_SCANNER_PIECES + LISTED_PIECES] = [
    "f", "r", "v", "s", "c", "e", "p", "t", "o", "y0", "y1", "y2", "x0", "x1", "x2", "x3", "x4",
    "x5",
];

/// The raw values of one session's hash, borrowed from the reply.
struct Raw<'a> {
    f: Option<&'a [u8]>,
    r: Option<&'a [u8]>,
    v: Option<&'a [u8]>,
    s: Option<&'a [u8]>,
    c: Option<&'a [u8]>,
    e: Option<&'a [u8]>,
    p: Option<&'a [u8]>,
    t: Option<&'a [u8]>,
    /// The client's id (format 3).
    o: Option<&'a [u8]>,
    /// The text pieces `x0`, `x1`, … joined.
    text: Vec<u8>,
    /// The scanner's text pieces `y0`, `y1`, … joined (format 2).
    scanner: Vec<u8>,
}

/// What an `HMGET` of [`FIELDS`] told. (Returned once per read and taken apart at once,
/// so boxing the session would only add an allocation.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum Listed {
    /// The whole session (`None`: no such key).
    Session(Option<QrSession>),
    /// The text goes on past the last piece asked for: read the hash with `HGETALL`
    /// and [`decode`] that (one atomic read, never a mix of two).
    ReadAll,
}

/// Reads a session from the reply to `HMGET key` + [`FIELDS`], without copying the
/// values into a map first.
pub(crate) fn decode_listed(id: &QrId, reply: &redis::Value) -> Result<Listed, StoreError> {
    use redis::Value;
    let redis::Value::Array(items) = reply else {
        return Err(corrupt(id, "HMGET did not answer a list"));
    };
    if items.len() != FIELDS.len() {
        return Err(corrupt(id, "HMGET answered the wrong number of values"));
    }
    let mut values = [None; FIELDS.len()];
    for (slot, item) in values.iter_mut().zip(items) {
        *slot = match item {
            Value::Nil => None,
            Value::BulkString(b) => Some(b.as_slice()),
            _ => return Err(corrupt(id, "HMGET answered a value that is not a string")),
        };
    }
    let [f, r, v, s, c, e, p, t, o, y0, y1, y2, ref pieces @ ..] = values;
    if values[FIELDS.len() - 1].is_some() || y2.is_some() {
        return Ok(Listed::ReadAll);
    }
    let mut text = Vec::with_capacity(PIECE * 2);
    for piece in pieces.iter().map_while(|x| *x) {
        text.extend_from_slice(piece);
    }
    let mut scanner = Vec::new();
    for piece in [y0, y1].into_iter().map_while(|y| y) {
        scanner.extend_from_slice(piece);
    }
    let raw = Raw {
        f,
        r,
        v,
        s,
        c,
        e,
        p,
        t,
        o,
        text,
        scanner,
    };
    let exists = values.iter().any(Option::is_some);
    decode_raw(id, exists, raw).map(Listed::Session)
}

/// Reads a session back from its whole hash (`HGETALL`); `None` when the hash is empty,
/// which is how Redis answers for a missing key.
pub(crate) fn decode(
    id: &QrId,
    f: HashMap<Vec<u8>, Vec<u8>>,
) -> Result<Option<QrSession>, StoreError> {
    let get = |name: &str| f.get(name.as_bytes()).map(Vec::as_slice);
    let joined = |prefix: char| {
        let mut text = Vec::new();
        for i in 0.. {
            match f.get(format!("{prefix}{i}").as_bytes()) {
                Some(piece) => text.extend_from_slice(piece),
                None => break,
            }
        }
        text
    };
    let (text, scanner) = (joined('x'), joined('y'));
    let raw = Raw {
        f: get("f"),
        r: get("r"),
        v: get("v"),
        s: get("s"),
        c: get("c"),
        e: get("e"),
        p: get("p"),
        t: get("t"),
        o: get("o"),
        text,
        scanner,
    };
    decode_raw(id, !f.is_empty(), raw)
}

/// `None` unless the hash `exists` (Redis answers a missing key as an empty hash); a
/// partial record is corrupt.
fn decode_raw(id: &QrId, exists: bool, f: Raw<'_>) -> Result<Option<QrSession>, StoreError> {
    if !exists {
        return Ok(None);
    }
    let int = |v: Option<&[u8]>, name: &str| -> Result<i64, StoreError> {
        let v = v.ok_or_else(|| corrupt(id, &format!("no field {name}")))?;
        std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| corrupt(id, &format!("field {name} is not a number")))
    };
    let format = match f.f {
        None => 0,
        Some(_) => int(f.f, "f")?,
    };
    if !(0..=i64::from(FORMAT)).contains(&format) {
        return Err(corrupt(
            id,
            &format!("record format {format}; this server reads up to {FORMAT}"),
        ));
    }
    // Counters only grow from 1: a negative one is damage, not a huge number.
    let count = |v: Option<&[u8]>, name: &str| -> Result<u64, StoreError> {
        u64::try_from(int(v, name)?).map_err(|_| corrupt(id, &format!("field {name} is negative")))
    };
    let rev = count(f.r, "r")?;
    let version = count(f.v, "v")?;
    let state = state_of(int(f.s, "s")?).ok_or_else(|| corrupt(id, "unknown state"))?;
    let created_at: Millis = int(f.c, "c")?;
    let expires_at: Millis = int(f.e, "e")?;
    let hash = |v: Option<&[u8]>, name: &str| -> Result<Option<TokenHash>, StoreError> {
        v.map(|b| {
            <[u8; 32]>::try_from(b)
                .map(TokenHash)
                .map_err(|_| corrupt(id, &format!("field {name} is not a SHA-256")))
        })
        .transpose()
    };
    let poll_hash = hash(f.p, "p")?.ok_or_else(|| corrupt(id, "no p"))?;
    let ticket = hash(f.t, "t")?;
    let (requester, mut scanner) = decode_text(&f.text).map_err(|()| corrupt(id, "bad text"))?;
    // Format 2 keeps the scanner apart; before, it was in the requester's text.
    if format >= 2 && scanner.is_some() {
        return Err(corrupt(id, "a scanner in the requester's text"));
    }
    if !f.scanner.is_empty() {
        if format < 2 {
            return Err(corrupt(id, "a scanner's text in a format before 2"));
        }
        scanner = Some(decode_scanner(&f.scanner).map_err(|()| corrupt(id, "bad scanner text"))?);
    }
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
    if !scanner_fits(state, scanner.is_some()) {
        return Err(corrupt(
            id,
            &format!("state {} with the wrong scanner", state.as_str()),
        ));
    }
    let client = match (format, f.o) {
        (0..=2, None) => QrClient::Unrecorded,
        (0..=2, Some(_)) => return Err(corrupt(id, "a client in a format before 3")),
        (_, None) => QrClient::Plain,
        (_, Some(o)) => QrClient::Client(
            String::from_utf8(o.to_vec()).map_err(|_| corrupt(id, "bad client id"))?,
        ),
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
        client,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrlogin_core::{DeviceInfo, Requester};
    use qrlogin_core::{Lifetimes, Secret, SecretKind};
    use redis::ToRedisArgs;

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
}

#[cfg(test)]
#[path = "codec_format_tests.rs"]
mod format_tests;
