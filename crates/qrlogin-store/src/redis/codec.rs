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
use qrlogin_core::{QrClient, QrId, QrSession, QrState};

/// The longest value Redis keeps in a listpack by default is 64 bytes; 63 still has a
/// one-byte length header there.
const PIECE: usize = 63;

mod decode;
mod text;
#[cfg(test)]
use decode::LISTED_PIECES;
pub(crate) use decode::{decode, decode_listed, Listed, FIELDS};
use text::encode_text;
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod format_tests;
