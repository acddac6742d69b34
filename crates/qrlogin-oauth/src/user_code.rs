//! RFC 8628 user codes: what a person reads off a TV and types on a phone.
//!
//! Eight letters of `BCDFGHJKLMNPQRSTVWXZ` (no vowels, so no words; no look-alikes),
//! shown `XXXX-XXXX`: 20^8 ≈ 2^34.6 codes, enough with short lifetimes and rate
//! limiting at `/m/device` (RFC 8628 §6.1). Typed input is forgiven its case, dashes
//! and spaces, and nothing else.

use qrlogin_core::TokenHash;
use sha2::{Digest, Sha256};
use std::fmt;

/// The user code alphabet (RFC 8628 §6.1's example set).
pub const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// Number of letters in a code.
pub const LEN: usize = 8;

/// Longest input we look at: a code with generous separators. Longer text is refused
/// before any work is done on it.
const MAX_INPUT: usize = 32;

/// The typed text is not a user code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a user code")]
pub struct InvalidUserCode;

/// A user code in canonical form: eight upper-case letters of [`ALPHABET`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UserCode([u8; LEN]);

impl UserCode {
    /// A fresh code from the OS CSPRNG. Bytes are drawn by rejection sampling (only
    /// values below 240, a multiple of 20, are used) so every letter is equally likely.
    pub fn generate() -> Self {
        let mut out = [0u8; LEN];
        let mut filled = 0;
        let mut buf = [0u8; 16];
        while filled < LEN {
            getrandom::fill(&mut buf).expect("the OS CSPRNG is unavailable");
            for &b in buf.iter().filter(|&&b| b < 240) {
                if filled == LEN {
                    break;
                }
                out[filled] = ALPHABET[usize::from(b % 20)];
                filled += 1;
            }
        }
        Self(out)
    }

    /// Normalises typed input: upper-cases, drops `-` and whitespace, then requires
    /// exactly eight letters of the alphabet.
    pub fn parse(input: &str) -> Result<Self, InvalidUserCode> {
        if input.len() > MAX_INPUT {
            return Err(InvalidUserCode);
        }
        let mut out = [0u8; LEN];
        let mut n = 0;
        for c in input.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let up = c.to_ascii_uppercase();
            if !up.is_ascii() || !ALPHABET.contains(&(up as u8)) || n == LEN {
                return Err(InvalidUserCode);
            }
            out[n] = up as u8;
            n += 1;
        }
        if n == LEN {
            Ok(Self(out))
        } else {
            Err(InvalidUserCode)
        }
    }

    /// The canonical eight letters, without the dash: the lookup key.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters of ALPHABET are ever stored.
        std::str::from_utf8(&self.0).expect("user codes are ASCII")
    }

    /// The form shown to people: `XXXX-XXXX`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.as_str()[..4], &self.as_str()[4..])
    }

    /// SHA-256 of the canonical form, so a store need not keep live codes in clear.
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0).into())
    }
}

impl fmt::Debug for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserCode(****-****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_eight_letters_of_the_alphabet() {
        for _ in 0..200 {
            let c = UserCode::generate();
            assert_eq!(c.as_str().len(), LEN);
            assert!(c.as_str().bytes().all(|b| ALPHABET.contains(&b)));
            assert_eq!(UserCode::parse(&c.display()), Ok(c));
        }
    }

    #[test]
    fn generated_codes_differ() {
        let codes: std::collections::HashSet<String> = (0..100)
            .map(|_| UserCode::generate().as_str().to_owned())
            .collect();
        assert!(codes.len() > 95);
    }

    #[test]
    fn codes_are_shown_with_a_dash_in_the_middle() {
        let c = UserCode::parse("BCDFGHJK").unwrap();
        assert_eq!(c.display(), "BCDF-GHJK");
        assert_eq!(c.as_str(), "BCDFGHJK");
    }

    #[test]
    fn typed_input_is_forgiven_case_dashes_and_spaces() {
        let want = UserCode::parse("BCDF-GHJK").unwrap();
        for typed in [
            "bcdf-ghjk",
            "bcdfghjk",
            " BCDF GHJK ",
            "b-c-d-f-g-h-j-k",
            "Bcdf\tghjK",
        ] {
            assert_eq!(UserCode::parse(typed), Ok(want.clone()), "{typed}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "BCDF-GHJ",
            "BCDF-GHJKL",
            "ABCD-GHJK",
            "BCDF-GHJ1",
            "BCDF_GHJK",
            "BCDF.GHJK",
            "ＢCDF-GHJK",
            "BCDF-GHJK-BCDF-GHJK-BCDF-GHJK-BCDF",
        ] {
            assert_eq!(UserCode::parse(bad), Err(InvalidUserCode), "{bad}");
        }
    }

    #[test]
    fn the_hash_depends_only_on_the_canonical_form_and_debug_hides_the_code() {
        let a = UserCode::parse("bcdf-ghjk").unwrap();
        let b = UserCode::parse("BCDFGHJK").unwrap();
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), UserCode::parse("BCDFGHJL").unwrap().hash());
        assert!(!format!("{a:?}").contains("BCDF"));
    }
}
