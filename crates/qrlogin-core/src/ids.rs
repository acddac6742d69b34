//! Identifiers and secrets. Each can only be built valid: from the OS CSPRNG, or by
//! `parse`, which checks the exact shape. Secrets never print in clear (`Debug` is
//! redacted) and are stored only as their SHA-256 [`TokenHash`].

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// Fills `buf` from the operating system's CSPRNG.
///
/// Panics only if the OS has no entropy source at all, in which case no id or secret
/// could be made safely and refusing to run is the only sound answer.
fn os_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the OS CSPRNG is unavailable");
}

fn is_b64url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The 6-bit value of one base64url character.
fn b64url_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// The public id of one QR session: 128 random bits, base64url without padding
/// (22 characters). Public because it is printed in the QR code; unguessable so that
/// nobody can enumerate live sessions; made by the server only.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QrId(String);

impl QrId {
    /// Length of the text form: 16 bytes in base64url without padding.
    pub const LEN: usize = 22;

    /// A fresh id from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut b = [0u8; 16];
        os_random(&mut b);
        Self(URL_SAFE_NO_PAD.encode(b))
    }

    /// Accepts only the exact shape the server makes, so a malformed id is rejected
    /// before it reaches a store key.
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        // 22 chars of base64url encode 132 bits; the last char carries 4 padding bits
        // that must be zero for the text to be canonical (one id, one spelling).
        // Checked in place, not by decoding and encoding again: this runs on every
        // status poll, and those two allocations were most of its cost.
        let last = s.bytes().last().and_then(b64url_value);
        if s.len() == Self::LEN && is_b64url(s) && last.is_some_and(|v| v & 0b1111 == 0) {
            return Ok(Self(s.to_owned()));
        }
        Err(InvalidId)
    }

    /// The text form, as in URLs and store keys.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for QrId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for QrId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        QrId::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for QrId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for QrId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QrId({})", self.0)
    }
}

/// An opaque random id for records that are not secret but must not be guessable
/// either: accounts and PC sessions (their ids appear in `/api/v1/sessions`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RandomId(String);

impl RandomId {
    /// 128 random bits with a readable prefix such as `acc_` or `ses_`.
    pub fn generate(prefix: &str) -> Self {
        let mut b = [0u8; 16];
        os_random(&mut b);
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(b)))
    }

    /// Wraps an id read back from a store or a URL; ids are looked up, never trusted,
    /// so any short printable text is acceptable here.
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        if !s.is_empty() && s.len() <= 64 && is_b64url(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidId)
        }
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RandomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The text was not a well-formed id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed id")]
pub struct InvalidId;

/// The kinds of secret of API.md; the prefix makes a leaked token recognisable
/// (secret scanners) and stops one kind being presented where another is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// `qlp_`: the PC's proof that it created a QR session.
    Poll,
    /// `qls_`: issued to the phone at scan; binds confirm/cancel to that scan.
    ScanTicket,
    /// `qlm_`: the phone's access token, bound to account and device.
    Mobile,
    /// `qlw_`: the PC's session after a redeemed login.
    Session,
    /// `qlc_`: an OAuth client's secret (confidential clients).
    ClientSecret,
    /// `qla_`: an OAuth access token (opaque, for userinfo and backends).
    Access,
    /// `qlr_`: an OAuth refresh token, rotated at every use.
    Refresh,
    /// `qlo_`: an OAuth authorization code, one use, redeemed at the token endpoint.
    AuthCode,
    /// `qld_`: an RFC 8628 device code, the polling device's proof.
    DeviceCode,
    /// `qle_`: a passkey enrollment link's secret (after `#` in `/m/enroll#…`), one use.
    Enrollment,
}

impl SecretKind {
    /// The text prefix of this kind.
    pub const fn prefix(self) -> &'static str {
        match self {
            SecretKind::Poll => "qlp_",
            SecretKind::ScanTicket => "qls_",
            SecretKind::Mobile => "qlm_",
            SecretKind::Session => "qlw_",
            SecretKind::ClientSecret => "qlc_",
            SecretKind::Access => "qla_",
            SecretKind::Refresh => "qlr_",
            SecretKind::AuthCode => "qlo_",
            SecretKind::DeviceCode => "qld_",
            SecretKind::Enrollment => "qle_",
        }
    }
}

/// A secret in clear: exists only between the CSPRNG and the response that hands it
/// out, or between the request that presents it and the hash that checks it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    kind: SecretKind,
    text: String,
}

impl Secret {
    /// Length of the random part: 32 bytes in base64url without padding.
    const BODY_LEN: usize = 43;

    /// 256 fresh bits from the OS CSPRNG.
    pub fn generate(kind: SecretKind) -> Self {
        let mut b = [0u8; 32];
        os_random(&mut b);
        Self {
            kind,
            text: format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(b)),
        }
    }

    /// Accepts text of the exact shape of `kind`; anything else is not a token of ours.
    pub fn parse(kind: SecretKind, s: &str) -> Result<Self, InvalidId> {
        let body = s.strip_prefix(kind.prefix()).ok_or(InvalidId)?;
        if body.len() == Self::BODY_LEN && is_b64url(body) {
            Ok(Self {
                kind,
                text: s.to_owned(),
            })
        } else {
            Err(InvalidId)
        }
    }

    /// The hash of text of the exact shape of `kind`, without keeping a copy of it:
    /// what authenticating a request needs.
    pub fn parse_hash(kind: SecretKind, s: &str) -> Result<TokenHash, InvalidId> {
        let body = s.strip_prefix(kind.prefix()).ok_or(InvalidId)?;
        if body.len() == Self::BODY_LEN && is_b64url(body) {
            Ok(TokenHash(Sha256::digest(s.as_bytes()).into()))
        } else {
            Err(InvalidId)
        }
    }

    /// The kind of this secret.
    pub fn kind(&self) -> SecretKind {
        self.kind
    }

    /// The clear text, for the one response that hands the secret out.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// The SHA-256 of the text: what stores keep and compare.
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.text.as_bytes()).into())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({}***)", self.kind.prefix())
    }
}

/// SHA-256 of a secret. 256-bit secrets need no salt or slow hash: they cannot be
/// brute-forced, and a fast hash keeps every authenticated request cheap. Equality is
/// constant-time so a comparison leaks nothing about how many bytes matched.
#[derive(Clone, Copy, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl std::hash::Hash for TokenHash {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Equal values have equal bytes, so hashing the bytes agrees with `eq`.
        self.0.hash(state);
    }
}

impl TokenHash {
    /// Lowercase hex, for store keys and fields.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads the hex form back; `None` when the text is not 64 hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Self(out))
    }
}

impl PartialEq for TokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

#[cfg(test)]
#[path = "ids_tests.rs"]
mod tests;
