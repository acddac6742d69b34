//! The `jsonwebtoken` crypto provider this crate installs: RustCrypto's own
//! (`rust_crypto::DEFAULT_PROVIDER`) for everything, except that an ES256 signer keeps
//! its key parsed.
//!
//! Why: `jsonwebtoken` builds a signer from the PKCS#8 bytes on every `encode`, and
//! parsing a P-256 private key computes its public point, a scalar multiplication as
//! dear as the signature itself. Measured on this project's machines: 200 µs an ES256
//! token, 65–80 µs with the key parsed once; the ID token's signature is most of a code
//! exchange. `CryptoProvider` is the crate's own extension point for this, so all of
//! JOSE (headers, base64url, the JWS layout, verification) stays `jsonwebtoken`'s; only
//! the ECDSA call gets a key that was parsed before.
//!
//! The provider is process-wide and `jsonwebtoken` fixes it at its first use, so every
//! function of this crate that reaches `jsonwebtoken` calls [`install`] first. Should
//! something else in the process have used `jsonwebtoken` before, that provider stays
//! (RustCrypto's too, only slower for ES256): nothing breaks.

use jsonwebtoken::crypto::{rust_crypto, CryptoProvider, JwtSigner};
use jsonwebtoken::errors::Result as JwtResult;
use jsonwebtoken::{Algorithm, EncodingKey};
use std::sync::{Arc, LazyLock, Mutex, Once, PoisonError};

/// RustCrypto's provider with [`signer`] as its signer factory.
static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    signer_factory: signer,
    ..rust_crypto::DEFAULT_PROVIDER.clone()
});

/// How many parsed ES256 keys are kept: a server signs with one key per algorithm,
/// plus the one it rotates to; past this the oldest goes (parsed again if used).
const KEPT: usize = 8;

/// Parsed ES256 keys by their PKCS#8 DER, newest last.
static PARSED: Mutex<Vec<(Vec<u8>, Arc<p256::ecdsa::SigningKey>)>> = Mutex::new(Vec::new());

/// Makes [`PROVIDER`] the process's `jsonwebtoken` provider, once.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    // An error means another provider was fixed first: tokens are the same, ES256
    // keys are then parsed for each signature. Nothing to report.
    ONCE.call_once(|| {
        let _ = PROVIDER.install_default();
    });
}

/// The signer factory: ES256 keys from [`parsed`], anything else as RustCrypto makes it.
fn signer(alg: &Algorithm, key: &EncodingKey) -> JwtResult<Box<dyn JwtSigner>> {
    if *alg == Algorithm::ES256 {
        if let Some(k) = parsed(key.as_bytes()) {
            return Ok(Box::new(Es256(k)));
        }
    }
    (rust_crypto::DEFAULT_PROVIDER.signer_factory)(alg, key)
}

/// The ES256 key of these PKCS#8 bytes, parsed once; `None` if they are not one (the
/// default factory then answers the error `jsonwebtoken` would).
fn parsed(der: &[u8]) -> Option<Arc<p256::ecdsa::SigningKey>> {
    use p256::pkcs8::DecodePrivateKey as _;
    let mut kept = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, k)) = kept.iter().find(|(d, _)| d == der) {
        return Some(k.clone());
    }
    let key = Arc::new(p256::ecdsa::SigningKey::from_pkcs8_der(der).ok()?);
    if kept.len() == KEPT {
        kept.remove(0);
    }
    kept.push((der.to_vec(), key.clone()));
    Some(key)
}

/// An ES256 signer over a parsed key: the same RFC 6979 signature, R ‖ S, as
/// RustCrypto's own ES256 signer in `jsonwebtoken` makes.
struct Es256(Arc<p256::ecdsa::SigningKey>);

impl jsonwebtoken::signature::Signer<Vec<u8>> for Es256 {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, jsonwebtoken::signature::Error> {
        let signature: p256::ecdsa::Signature = self
            .0
            .try_sign(msg)
            .map_err(|_| jsonwebtoken::signature::Error::new())?;
        Ok(signature.to_vec())
    }
}

impl JwtSigner for Es256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Alg, SigningKey};

    #[test]
    fn the_parsed_key_signs_exactly_as_rust_crypto_s_own_es256_signer() {
        let key = SigningKey::generate(Alg::ES256, 0).unwrap();
        let msg = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0";
        let ours = signer(&Algorithm::ES256, key.encoding_key()).unwrap();
        let theirs =
            (rust_crypto::DEFAULT_PROVIDER.signer_factory)(&Algorithm::ES256, key.encoding_key())
                .unwrap();
        // RFC 6979: the same key and message give the same signature.
        assert_eq!(ours.try_sign(msg).unwrap(), theirs.try_sign(msg).unwrap());
        assert_eq!(ours.algorithm(), Algorithm::ES256);
    }

    #[test]
    fn this_crate_s_provider_is_the_one_jsonwebtoken_uses() {
        let _ = SigningKey::generate(Alg::ES256, 0).unwrap();
        let used = CryptoProvider::try_get_default().unwrap();
        assert!(std::ptr::eq(used, &*PROVIDER));
    }

    #[test]
    fn rsa_keys_and_bytes_that_are_no_es256_key_go_to_the_default_factory() {
        let rsa = SigningKey::generate(Alg::RS256, 0).unwrap();
        let s = signer(&Algorithm::RS256, rsa.encoding_key()).unwrap();
        assert_eq!(s.algorithm(), Algorithm::RS256);
        assert!(parsed(b"not a key").is_none());
        assert!(signer(&Algorithm::ES256, &EncodingKey::from_ec_der(b"junk")).is_err());
    }

    #[test]
    fn no_more_than_kept_parsed_keys_are_held() {
        for _ in 0..KEPT + 3 {
            let k = SigningKey::generate(Alg::ES256, 0).unwrap();
            assert!(parsed(k.encoding_key().as_bytes()).is_some());
        }
        assert!(PARSED.lock().unwrap().len() <= KEPT);
    }
}
