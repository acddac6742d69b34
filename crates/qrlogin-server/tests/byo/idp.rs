//! A mock identity provider: an ES256 key whose JWK Set is served on 127.0.0.1 by a
//! tiny axum server that counts its fetches.

use axum::routing::get;
use axum::{Json, Router};
use qrlogin_oauth::keys::{jwks, SigningKey};
use qrlogin_oauth::{Alg, JwkSet};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The audience qrlogin is registered with at the provider.
pub const AUD: &str = "qrlogin-phone";

/// The provider: its issuer URL, signing key, the keys it publishes, its fetch count.
pub struct Idp {
    /// `iss`, also the base URL.
    pub iss: String,
    /// The key that signs its tokens (published).
    pub key: SigningKey,
    published: Arc<Mutex<Vec<SigningKey>>>,
    fetches: Arc<AtomicUsize>,
}

impl Idp {
    /// Starts the provider on a free loopback port.
    pub async fn start() -> Idp {
        let key = SigningKey::generate(Alg::ES256, 0).expect("key");
        let published = Arc::new(Mutex::new(vec![key.clone()]));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (p, f) = (published.clone(), fetches.clone());
        let app = Router::new().route(
            "/jwks",
            get(move || {
                let (p, f) = (p.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    let keys = p.lock().expect("keys").clone();
                    Json(serde_json::to_value(jwks(keys.iter(), 0)).expect("jwks"))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Idp {
            iss: format!("http://{addr}"),
            key,
            published,
            fetches,
        }
    }

    /// The JWKS URI.
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.iss)
    }

    /// How often the JWKS was fetched.
    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// Publishes another key too (a rotation).
    pub fn publish(&self, key: &SigningKey) {
        self.published.lock().expect("keys").push(key.clone());
    }

    /// The claims of a fresh phone token for `sub`, valid at `now_ms`.
    pub fn claims(&self, sub: &str, now_ms: i64) -> Value {
        let now = now_ms / 1000;
        json!({ "iss": self.iss, "sub": sub, "aud": AUD, "iat": now, "exp": now + 300,
                "name": "Carol Example", "picture": "https://img.example/carol.png" })
    }

    /// `claims` signed with the provider's key.
    pub fn sign(&self, claims: &Value) -> String {
        sign_with(&self.key, claims)
    }

    /// The provider's public key set, as served.
    pub fn jwk_set(&self) -> JwkSet {
        jwks([&self.key], 0)
    }
}

/// `claims` signed with `key` (its `kid` in the header).
pub fn sign_with(key: &SigningKey, claims: &Value) -> String {
    qrlogin_oauth::jwt::sign(key, claims).expect("sign")
}
