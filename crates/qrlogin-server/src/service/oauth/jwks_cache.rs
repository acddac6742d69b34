//! The JWK sets of trusted issuers (token exchange), fetched over HTTP(S) and cached per
//! issuer. A token naming a `kid` the cached set lacks may trigger one fetch again (the
//! issuer rotated its keys), at most once a minute per issuer by the injected clock, so
//! a flood of made-up `kid`s cannot turn qrlogin into a flood of fetches.

use qrlogin_core::Millis;
use qrlogin_oauth::JwkSet;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Least time between two fetches of one issuer's set caused by unknown `kid`s.
pub const REFETCH_EVERY_MS: Millis = 60_000;
/// Largest JWK set read; a bigger answer is refused (a JWKS is a few KiB).
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Whole-request timeout of a fetch, so a slow issuer cannot hold a token request.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// One issuer's cached set.
struct Entry {
    /// The URI it came from (a re-registered issuer with a new URI is fetched anew).
    uri: String,
    /// The keys.
    jwks: Arc<JwkSet>,
    /// When an unknown `kid` last caused a fetch; `None` if never.
    refetched_at: Option<Millis>,
}

/// The cache: one entry per issuer, shared by every request of this server.
pub struct JwksCache {
    http: reqwest::Client,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Default for JwksCache {
    fn default() -> Self {
        // reqwest's rustls needs a process-wide crypto provider: the one the listener
        // uses (ring), installed unless something already installed one.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .unwrap_or_default();
        Self {
            http,
            entries: Mutex::new(HashMap::new()),
        }
    }
}

/// Why no key set could be had.
#[derive(Debug, thiserror::Error)]
#[error("cannot fetch the issuer's JWKS: {0}")]
pub struct FetchError(String);

impl JwksCache {
    fn cached(&self, issuer: &str, uri: &str) -> Option<Arc<JwkSet>> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(issuer)
            .filter(|e| e.uri == uri)
            .map(|e| Arc::clone(&e.jwks))
    }

    /// The issuer's keys: cached, or fetched on first use.
    pub async fn keys(&self, issuer: &str, uri: &str) -> Result<Arc<JwkSet>, FetchError> {
        match self.cached(issuer, uri) {
            Some(jwks) => Ok(jwks),
            None => self.fetch_into(issuer, uri, None).await,
        }
    }

    /// The issuer's keys fetched again after a token named an unknown `kid`, or `None`
    /// if an unknown `kid` caused a fetch less than [`REFETCH_EVERY_MS`] ago.
    pub async fn refetch(
        &self,
        issuer: &str,
        uri: &str,
        now: Millis,
    ) -> Result<Option<Arc<JwkSet>>, FetchError> {
        {
            let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = map.get_mut(issuer).filter(|e| e.uri == uri) {
                if e.refetched_at.is_some_and(|t| now - t < REFETCH_EVERY_MS) {
                    return Ok(None);
                }
                // Claimed now, so concurrent unknown kids fetch once between them.
                e.refetched_at = Some(now);
            }
        }
        self.fetch_into(issuer, uri, Some(now)).await.map(Some)
    }

    async fn fetch_into(
        &self,
        issuer: &str,
        uri: &str,
        refetched_at: Option<Millis>,
    ) -> Result<Arc<JwkSet>, FetchError> {
        let jwks = Arc::new(self.fetch(uri).await?);
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(
            issuer.to_owned(),
            Entry {
                uri: uri.to_owned(),
                jwks: Arc::clone(&jwks),
                refetched_at,
            },
        );
        Ok(jwks)
    }

    async fn fetch(&self, uri: &str) -> Result<JwkSet, FetchError> {
        let err = |e: &dyn std::fmt::Display| FetchError(e.to_string());
        let mut res = self.http.get(uri).send().await.map_err(|e| err(&e))?;
        if !res.status().is_success() {
            return Err(FetchError(format!("status {}", res.status())));
        }
        if res
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(FetchError("JWKS too large".into()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| err(&e))? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(FetchError("JWKS too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| err(&e))
    }
}
