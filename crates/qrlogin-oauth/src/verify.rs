//! Verifying JWTs against a JWK set: our own ID tokens (as a relying party would) and
//! those of trusted issuers (RFC 8693 token exchange).
//!
//! Verification pins the algorithm to the *key*, never to the token: the key is picked
//! by `kid`, and only the algorithm it declares (or its key type implies) is accepted.
//! That closes the classic holes: `alg: none`, and an HMAC token "signed" with a
//! public key. Time is checked against the injected clock, not the wall clock.

use crate::jwt::IdTokenClaims;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use qrlogin_core::Millis;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Clock skew tolerated on `exp` and `nbf` (API.md: 60 s).
pub const LEEWAY_SECS: i64 = 60;

/// The claims of a verified external JWT: the registered ones typed, the rest kept so
/// an issuer's configured name and picture claims can be read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExternalClaims {
    /// Issuer (checked).
    pub iss: String,
    /// The issuer's subject: with `iss`, the account link.
    pub sub: String,
    /// Expiry, unix seconds (checked).
    #[serde(deserialize_with = "numeric_date")]
    pub exp: i64,
    /// Not before, unix seconds (checked when present).
    #[serde(default, deserialize_with = "optional_numeric_date")]
    pub nbf: Option<i64>,
    /// Issue time, unix seconds.
    #[serde(default, deserialize_with = "optional_numeric_date")]
    pub iat: Option<i64>,
    /// Every other claim (including `aud`, already checked).
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// RFC 7519 NumericDate: seconds, possibly fractional; whole seconds are kept.
fn numeric_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = f64::deserialize(d)?;
    if n.is_finite() {
        Ok(n.floor() as i64)
    } else {
        Err(serde::de::Error::custom("not a NumericDate"))
    }
}

fn optional_numeric_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    numeric_date(d).map(Some)
}

impl ExternalClaims {
    /// A string claim by name, e.g. the issuer's configured `--name-claim`.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.other.get(name).and_then(|v| v.as_str())
    }
}

/// Why a JWT was refused. Each reason is distinct so the caller can log it and, for
/// [`VerifyError::UnknownKid`], fetch the issuer's JWKS again once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not a compact JWS with a readable header and payload.
    #[error("malformed token")]
    Malformed,
    /// `alg` is `none`, HMAC, or not the algorithm the selected key is for.
    #[error("algorithm refused")]
    AlgorithmRefused,
    /// The header names a `kid` the JWK set does not have.
    #[error("unknown key id")]
    UnknownKid,
    /// No `kid`, and the set has more than one key to choose from.
    #[error("token has no key id")]
    MissingKid,
    /// The selected JWK is not a usable public signing key (e.g. a symmetric key).
    #[error("key refused")]
    KeyRefused,
    /// The signature does not verify.
    #[error("bad signature")]
    BadSignature,
    /// `iss` is not the expected issuer.
    #[error("wrong issuer")]
    WrongIssuer,
    /// `aud` does not contain the expected audience.
    #[error("wrong audience")]
    WrongAudience,
    /// Past `exp` (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// Before `nbf` (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    /// A required claim is absent or of the wrong type.
    #[error("missing or malformed claim {0}")]
    BadClaim(String),
}

/// Verifies a JWT from a trusted issuer (or anyone's, given their JWK set): signature
/// with the key named by `kid`, `iss`, `aud`, `exp`/`nbf` at `now` with 60 s leeway.
pub fn verify_external(
    token: &str,
    jwks: &JwkSet,
    expected_iss: &str,
    expected_aud: &str,
    now: Millis,
) -> Result<ExternalClaims, VerifyError> {
    verify(token, jwks, expected_iss, expected_aud, now)
}

/// Verifies one of our own ID tokens, as a relying party would.
pub fn verify_id_token(
    token: &str,
    jwks: &JwkSet,
    expected_iss: &str,
    expected_aud: &str,
    now: Millis,
) -> Result<IdTokenClaims, VerifyError> {
    verify(token, jwks, expected_iss, expected_aud, now)
}

/// The shared verification: claims of type `T` once every check has passed.
pub fn verify<T: DeserializeOwned>(
    token: &str,
    jwks: &JwkSet,
    expected_iss: &str,
    expected_aud: &str,
    now: Millis,
) -> Result<T, VerifyError> {
    crate::provider::install();
    let header = jsonwebtoken::decode_header(token).map_err(|_| classify_bad_header(token))?;
    if is_hmac(header.alg) {
        return Err(VerifyError::AlgorithmRefused);
    }
    let jwk = select_key(jwks, header.kid.as_deref())?;
    if !allowed_algorithms(jwk)?.contains(&header.alg) {
        return Err(VerifyError::AlgorithmRefused);
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|_| VerifyError::KeyRefused)?;
    let mut validation = Validation::new(header.alg);
    // Time is ours to check (the injected clock); the library's clock is the wall's.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    validation.set_issuer(&[expected_iss]);
    validation.set_audience(&[expected_aud]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .map_err(|e| map_error(e.into_kind()))?;
    check_times(&data.claims, now)?;
    serde_json::from_value(data.claims).map_err(|e| VerifyError::BadClaim(e.to_string()))
}

/// The header did not parse: tell an `alg` we refuse (`none`, unknown names) apart
/// from plain garbage, so logs say what was attempted.
fn classify_bad_header(token: &str) -> VerifyError {
    let alg = token
        .split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("alg").and_then(|a| a.as_str()).map(str::to_owned));
    match alg {
        Some(_) => VerifyError::AlgorithmRefused,
        None => VerifyError::Malformed,
    }
}

fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

fn select_key<'a>(jwks: &'a JwkSet, kid: Option<&str>) -> Result<&'a Jwk, VerifyError> {
    match kid {
        Some(kid) => jwks.find(kid).ok_or(VerifyError::UnknownKid),
        None if jwks.keys.len() == 1 => Ok(&jwks.keys[0]),
        None => Err(VerifyError::MissingKid),
    }
}

/// The algorithms a JWK may verify: the one it declares, if it declares one that fits
/// its key type; else those its key type implies. Symmetric keys verify nothing.
fn allowed_algorithms(jwk: &Jwk) -> Result<Vec<Algorithm>, VerifyError> {
    let implied: &[Algorithm] = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => &[Algorithm::ES256],
            EllipticCurve::P384 => &[Algorithm::ES384],
            _ => return Err(VerifyError::KeyRefused),
        },
        AlgorithmParameters::RSA(_) => &[
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ],
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            &[Algorithm::EdDSA]
        }
        _ => return Err(VerifyError::KeyRefused),
    };
    match jwk.common.key_algorithm {
        None => Ok(implied.to_vec()),
        Some(declared) => {
            let declared: Algorithm = declared
                .to_string()
                .parse()
                .map_err(|_| VerifyError::KeyRefused)?;
            if implied.contains(&declared) {
                Ok(vec![declared])
            } else {
                Err(VerifyError::KeyRefused)
            }
        }
    }
}

fn map_error(kind: ErrorKind) -> VerifyError {
    match kind {
        ErrorKind::InvalidSignature => VerifyError::BadSignature,
        ErrorKind::InvalidIssuer => VerifyError::WrongIssuer,
        ErrorKind::InvalidAudience => VerifyError::WrongAudience,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            VerifyError::AlgorithmRefused
        }
        ErrorKind::MissingRequiredClaim(c) | ErrorKind::InvalidClaimFormat(c) => {
            VerifyError::BadClaim(c)
        }
        ErrorKind::InvalidEcdsaKey | ErrorKind::InvalidRsaKey(_) | ErrorKind::InvalidKeyFormat => {
            VerifyError::KeyRefused
        }
        _ => VerifyError::Malformed,
    }
}

/// `exp` (required) and `nbf` (when present) against `now`, with [`LEEWAY_SECS`].
/// Numeric dates may be fractional (RFC 7519 §2); whole seconds are compared.
fn check_times(claims: &serde_json::Value, now: Millis) -> Result<(), VerifyError> {
    let now = now.div_euclid(1000);
    let secs = |name: &str| -> Result<Option<i64>, VerifyError> {
        match claims.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(|f| Some(f.floor() as i64))
                .ok_or_else(|| VerifyError::BadClaim(name.to_owned())),
        }
    };
    let exp = secs("exp")?.ok_or_else(|| VerifyError::BadClaim("exp".to_owned()))?;
    if now >= exp.saturating_add(LEEWAY_SECS) {
        return Err(VerifyError::Expired);
    }
    if let Some(nbf) = secs("nbf")? {
        if nbf > now.saturating_add(LEEWAY_SECS) {
            return Err(VerifyError::NotYetValid);
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
