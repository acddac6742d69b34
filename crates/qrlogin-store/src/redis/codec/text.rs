//! The free text of a record: the requester's (`x` pieces) and, from format 2, the
//! scanner's (`y` pieces), as length-prefixed strings in a compact binary form.

use super::PIECE;
use qrlogin_core::{scanner_key, DeviceInfo, QrSession, Requester, Scanner};

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

/// The requester's free text in a compact binary form (no names, no quotes: it is
/// stored once per session): a flags byte (1 = device; 2 = scanner, formats 0 and 1
/// only), then optional strings in a fixed order.
pub(super) fn encode_text(s: &QrSession) -> Vec<u8> {
    let r = &s.requester;
    let flags = u8::from(r.device.is_some());
    let mut out = vec![flags];
    if let Some(d) = &r.device {
        put(&mut out, d.id.as_deref());
        put(&mut out, d.kind.as_deref());
        put(&mut out, d.name.as_deref());
    }
    put(&mut out, Some(&r.ip));
    put(&mut out, r.user_agent.as_deref());
    out
}

/// The scanner's free text (field `y`), in the form of [`encode_text`].
fn encode_scanner(k: &Scanner) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    put(&mut out, Some(&k.account_id));
    put(&mut out, Some(&k.device_id));
    put(&mut out, Some(&k.display_name));
    put(&mut out, k.avatar_url.as_deref());
    out
}

/// Writes the scanner's fields (`t`, `k`, `y0`, …) as `HSET` arguments: a whole record
/// and a scan's patch write them the same way.
pub(crate) fn write_scanner<W>(out: &mut W, k: &Scanner)
where
    W: ?Sized + redis::RedisWrite,
{
    out.write_arg(b"t");
    out.write_arg(&k.ticket_hash.0);
    out.write_arg(b"k");
    out.write_arg(&scanner_key(&k.account_id, &k.device_id).0);
    for (i, piece) in encode_scanner(k).chunks(PIECE).enumerate() {
        out.write_arg_fmt(format_args!("y{i}"));
        out.write_arg(piece);
    }
}

/// How many arguments [`write_scanner`] writes.
pub(crate) fn scanner_args(k: &Scanner) -> usize {
    2 * (2 + encode_scanner(k).len().div_ceil(PIECE))
}

/// Reads back the scanner's text of [`encode_scanner`].
pub(super) fn decode_scanner(mut b: &[u8]) -> Result<ScannerText, ()> {
    let text = (
        take(&mut b)?.ok_or(())?,
        take(&mut b)?.ok_or(())?,
        take(&mut b)?.ok_or(())?,
        take(&mut b)?,
    );
    if !b.is_empty() {
        return Err(());
    }
    Ok(text)
}

/// A scanner's text: account, device, display name, avatar.
pub(super) type ScannerText = (String, String, String, Option<String>);

/// The free text read back: requester, and the scanner's text if it scanned.
pub(super) type DecodedText = (Requester, Option<ScannerText>);

pub(super) fn decode_text(mut b: &[u8]) -> Result<DecodedText, ()> {
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
