//! Reading a record back: from the `HMGET` of [`FIELDS`] that most reads need (no map
//! built), or from the whole hash (`HGETALL`) when the text runs past what it asks for;
//! both end in one check of every field, so a damaged record is refused, never guessed.

use super::text::{decode_scanner, decode_text};
use super::{corrupt, scanner_fits, state_of, FORMAT, PIECE};
use crate::StoreError;
use qrlogin_core::{Millis, QrClient, QrId, QrSession, Scanner, TokenHash};
use std::collections::HashMap;

/// How many text pieces [`FIELDS`] asks for: enough for a full browser `User-Agent`.
/// A longer text is read with `HGETALL`.
pub(super) const LISTED_PIECES: usize = 6;

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
