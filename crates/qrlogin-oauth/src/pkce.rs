//! PKCE (RFC 7636), `S256` only. `plain` is refused: it protects nothing against an
//! attacker who can read the authorization request, and OAuth 2.1 drops it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why a PKCE parameter was refused; every case is `invalid_request` at the authorize
/// endpoint or `invalid_grant` at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PkceError {
    /// `code_challenge_method` other than `S256` (including `plain` and absent).
    #[error("code_challenge_method must be S256")]
    MethodNotSupported,
    /// The challenge is not 43 base64url characters (a SHA-256).
    #[error("malformed code_challenge")]
    MalformedChallenge,
    /// The verifier is not 43–128 unreserved characters (RFC 7636 §4.1).
    #[error("malformed code_verifier")]
    MalformedVerifier,
    /// The verifier does not hash to the challenge.
    #[error("code_verifier does not match")]
    Mismatch,
}

/// An accepted `S256` code challenge, kept with the authorization code until the token
/// request proves possession of its verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// Reads `code_challenge` and `code_challenge_method` from an authorization
    /// request. The method must be given and be `S256`: RFC 7636 defaults an absent
    /// method to `plain`, which we refuse.
    pub fn parse(challenge: &str, method: Option<&str>) -> Result<Self, PkceError> {
        if method != Some("S256") {
            return Err(PkceError::MethodNotSupported);
        }
        let canonical = URL_SAFE_NO_PAD
            .decode(challenge)
            .is_ok_and(|b| b.len() == 32 && URL_SAFE_NO_PAD.encode(&b) == challenge);
        if canonical {
            Ok(Self(challenge.to_owned()))
        } else {
            Err(PkceError::MalformedChallenge)
        }
    }

    /// The challenge of `verifier` (what a client sends); used by tests and clients.
    pub fn from_verifier(verifier: &str) -> Result<Self, PkceError> {
        if !is_valid_verifier(verifier) {
            return Err(PkceError::MalformedVerifier);
        }
        Ok(Self(s256(verifier)))
    }

    /// The text form, for storage with the code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks a token request's `code_verifier`, comparing in constant time.
    pub fn verify(&self, verifier: &str) -> Result<(), PkceError> {
        if !is_valid_verifier(verifier) {
            return Err(PkceError::MalformedVerifier);
        }
        if bool::from(s256(verifier).as_bytes().ct_eq(self.0.as_bytes())) {
            Ok(())
        } else {
            Err(PkceError::Mismatch)
        }
    }
}

/// RFC 7636 §4.1: 43–128 characters of `A-Z a-z 0-9 - . _ ~`.
pub fn is_valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_rfc_7636_appendix_b_vector_verifies() {
        let c = CodeChallenge::parse(CHALLENGE, Some("S256")).unwrap();
        assert_eq!(c.verify(VERIFIER), Ok(()));
        assert_eq!(CodeChallenge::from_verifier(VERIFIER).unwrap(), c);
    }

    #[test]
    fn a_wrong_verifier_is_a_mismatch() {
        let c = CodeChallenge::parse(CHALLENGE, Some("S256")).unwrap();
        let other = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(c.verify(other), Err(PkceError::Mismatch));
    }

    #[test]
    fn plain_and_an_absent_method_are_refused() {
        assert_eq!(
            CodeChallenge::parse(CHALLENGE, Some("plain")),
            Err(PkceError::MethodNotSupported)
        );
        assert_eq!(
            CodeChallenge::parse(CHALLENGE, None),
            Err(PkceError::MethodNotSupported)
        );
        assert_eq!(
            CodeChallenge::parse(CHALLENGE, Some("s256")),
            Err(PkceError::MethodNotSupported)
        );
    }

    #[test]
    fn a_challenge_that_is_not_a_sha256_is_malformed() {
        for bad in [
            "",
            "abc",
            &CHALLENGE[..42],
            &format!("{CHALLENGE}A"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
        ] {
            assert_eq!(
                CodeChallenge::parse(bad, Some("S256")),
                Err(PkceError::MalformedChallenge),
                "{bad}"
            );
        }
    }

    #[test]
    fn verifiers_must_be_43_to_128_unreserved_characters() {
        let c = CodeChallenge::parse(CHALLENGE, Some("S256")).unwrap();
        assert!(is_valid_verifier(&"a".repeat(43)));
        assert!(is_valid_verifier(&"~._-".repeat(32)));
        for bad in [
            "a".repeat(42),
            "a".repeat(129),
            format!("{}+", "a".repeat(43)),
            format!("{} ", "a".repeat(43)),
            format!("{}é", "a".repeat(43)),
        ] {
            assert!(!is_valid_verifier(&bad), "{bad}");
            assert_eq!(c.verify(&bad), Err(PkceError::MalformedVerifier));
        }
    }
}
