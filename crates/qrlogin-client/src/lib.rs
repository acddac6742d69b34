//! A typed async client of the qrlogin HTTP API v1 (`shared/API.md`), for both roles.
//!
//! The CLI, the server's integration tests and the load generator all speak the API
//! through this crate, so they exercise it exactly as a real client would.
//!
//! - [`Client`] (this file): the base URL and one pooled `reqwest` client; the session
//!   role ([`Client::me`], [`Client::logout`]), operations ([`Client::healthz`],
//!   [`Client::readyz`]) and the raw escape hatch ([`Client::http`], [`Client::url`],
//!   [`Client::request`], [`Client::execute`]) for tests that must send what a typed
//!   call never would.
//! - [`pc`]: the PC role, a [`Pc`] handle holding `qr_id` + poll token: create, images,
//!   status, long poll, redeem, cancel, and [`Pc::follow`], a stream of status changes
//!   over SSE that falls back to long poll.
//! - [`follow`]: how [`Pc::follow`] picks SSE or long poll and when it ends.
//! - [`sse`]: the incremental Server-Sent Events parser and the SSE status stream.
//! - [`ws`]: the WebSocket status stream.
//! - [`phone`]: the phone role, a [`Phone`] handle holding mobile token + device id.
//! - [`error`]: the one [`Error`] enum; match on [`Error::code`].
//! - [`token`]: [`Token`], a secret whose `Debug` is redacted.
//!
//! Tokens go in the `Authorization: Bearer` header only, never in a URL (URLs end up
//! in logs, proxies and browser history).
//!
//! ```no_run
//! # async fn f() -> Result<(), qrlogin_client::Error> {
//! use futures::StreamExt;
//! use qrlogin_client::Client;
//! let client = Client::new("http://127.0.0.1:8080");
//! let pc = client.create_qr(None).await?;
//! println!("scan {}", pc.qr_content().unwrap_or_default());
//! let mut changes = pc.follow();
//! while let Some(status) = changes.next().await {
//!     println!("{:?}", status?.state);
//! }
//! # Ok(()) }
//! ```

pub mod error;
pub mod follow;
pub mod pc;
pub mod phone;
pub mod sse;
pub mod token;
pub mod ws;

pub use error::Error;
pub use pc::{Pc, StatusStream};
pub use phone::Phone;
pub use qrlogin_core::api;
pub use qrlogin_core::{DeviceInfo, ErrorCode, QrState};
pub use reqwest::Method;
pub use token::Token;
pub use ws::WsAuth;

use qrlogin_core::api::MeResponse;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// How long an ordinary (non-streaming, non-long-poll) request may take. Long enough
/// for a loaded server, short enough that a hung one does not hang a CLI forever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to one qrlogin server. Cheap to clone (the `reqwest` pool is shared),
/// so every [`Pc`] and [`Phone`] handle keeps its own copy and reuses keep-alive
/// connections.
#[derive(Clone)]
pub struct Client {
    /// Pooled HTTP/1.1 or HTTP/2 (HTTPS with ALPN) client; an `Arc` inside.
    http: reqwest::Client,
    /// Base URL without a trailing `/`, e.g. `http://127.0.0.1:8080`.
    base: Arc<str>,
    /// Timeout of ordinary requests (see [`DEFAULT_TIMEOUT`]).
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

impl Client {
    /// A client of the server at `base_url` (`http://host:port` or `https://…`,
    /// optionally with a path prefix), with a connection pool of its own. HTTPS
    /// trusts the system's roots (and `SSL_CERT_FILE` / `SSL_CERT_DIR` when set).
    pub fn new(base_url: impl AsRef<str>) -> Self {
        // Building fails only on TLS setup, which without extra roots cannot fail.
        let http = http_builder()
            .build()
            .expect("a TLS client with the system roots builds");
        Self::with_http(base_url, http)
    }

    /// A client like [`Client::new`] configured by `options`, e.g. trusting a private
    /// CA. [`Error::Config`] when the options cannot be used (a PEM without a
    /// certificate in it).
    pub fn with_options(base_url: impl AsRef<str>, options: &ClientOptions) -> Result<Self, Error> {
        let mut builder = http_builder();
        if let Some(pem) = &options.extra_root_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Config(format!("not a PEM certificate file: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Config(
                    "the CA file holds no PEM certificate".to_owned(),
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("cannot set up TLS: {e}")))?;
        Ok(Self::with_http(base_url, http))
    }

    /// A client that uses the given `reqwest::Client`, to share a pool or a
    /// configuration (proxy, user agent) with the rest of a program.
    pub fn with_http(base_url: impl AsRef<str>, http: reqwest::Client) -> Self {
        Self {
            http,
            base: base_url.as_ref().trim_end_matches('/').into(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same client with another timeout for ordinary requests (long polls add
    /// their `wait` to it; streams have none).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The underlying `reqwest` client: the escape hatch for tests that must send
    /// malformed requests. Remember [`Error::from_response`] for the answer.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The absolute URL of `path` (`/api/v1/…`; a missing leading `/` is added).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            format!("{}/{path}", self.base)
        }
    }

    /// A request to `path` with the client's timeout and no auth: the raw escape hatch.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .timeout(self.timeout)
    }

    /// Sends `req` and returns the response if it is 2xx, else the [`Error::Api`] its
    /// problem+json describes.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, Error> {
        let resp = req.send().await?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(Error::from_response(resp).await)
        }
    }

    /// Sends `req` and decodes a 2xx JSON body as `T`.
    pub async fn execute<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let body = self.send(req).await?.bytes().await?;
        decode(&body)
    }

    /// Sends `req` and discards a 2xx body (`204` answers).
    pub async fn execute_empty(&self, req: reqwest::RequestBuilder) -> Result<(), Error> {
        self.send(req).await?.bytes().await?;
        Ok(())
    }

    /// `GET /api/v1/me`: who the PC's session token belongs to. `401 unauthorized` once
    /// revoked, expired or unknown.
    pub async fn me(&self, session_token: &str) -> Result<MeResponse, Error> {
        let req = self
            .request(Method::GET, "/api/v1/me")
            .bearer_auth(session_token);
        self.execute(req).await
    }

    /// `POST /api/v1/logout`: revokes the session token (`204`).
    pub async fn logout(&self, session_token: &str) -> Result<(), Error> {
        let req = self
            .request(Method::POST, "/api/v1/logout")
            .bearer_auth(session_token);
        self.execute_empty(req).await
    }

    /// `GET /healthz`: `Ok` while the process runs (container health checks).
    pub async fn healthz(&self) -> Result<(), Error> {
        self.execute_empty(self.request(Method::GET, "/healthz"))
            .await
    }

    /// `GET /readyz`: `Ok` when the store answers, else `503 store_unavailable`.
    pub async fn readyz(&self) -> Result<(), Error> {
        self.execute_empty(self.request(Method::GET, "/readyz"))
            .await
    }
}

/// What a [`Client`] can be configured with beyond its base URL.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// PEM certificates of CAs to trust in addition to the system's roots: a private
    /// or test CA that signed the server's certificate.
    pub extra_root_pem: Option<Vec<u8>>,
}

/// The `reqwest` settings every [`Client`] shares, for code that needs a `reqwest`
/// client of its own: use this instead of `reqwest::Client::new()`/`reqwest::get`,
/// which panic in a process where no rustls crypto provider is installed yet.
///
/// TLS is rustls with the ring provider (installed here as the process default when
/// none is, since the workspace builds reqwest without a provider of its own to avoid
/// aws-lc's C build); HTTP/2 is offered by ALPN.
pub fn http_builder() -> reqwest::ClientBuilder {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread installing one is fine: one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::Client::builder()
        .user_agent(concat!("qrlogin-client/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        // Small requests and pushed events: latency matters more than packet count.
        .tcp_nodelay(true)
}

/// Decodes a JSON body; a mismatch is the server breaking the contract, so it is
/// [`Error::Decode`] with serde's message (which never contains the body's values).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Decode(e.to_string()))
}

/// Percent-encodes one path segment (an id a caller passed), so that `/`, `?` or `#`
/// in it cannot reach another route; the server then answers `400`/`404` for it.
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_the_base_and_the_path_with_one_slash() {
        let c = Client::new("http://127.0.0.1:8080/");
        assert_eq!(c.base_url(), "http://127.0.0.1:8080");
        assert_eq!(c.url("/healthz"), "http://127.0.0.1:8080/healthz");
        assert_eq!(c.url("healthz"), "http://127.0.0.1:8080/healthz");
        let prefixed = Client::new("http://h/qr");
        assert_eq!(prefixed.url("/api/v1/me"), "http://h/qr/api/v1/me");
    }

    #[test]
    fn ids_are_encoded_so_they_stay_one_path_segment() {
        assert_eq!(segment("pB3-_x"), "pB3-_x");
        assert_eq!(segment("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(segment("é"), "%C3%A9");
    }

    #[test]
    fn a_client_never_prints_more_than_its_base() {
        let c = Client::new("http://h");
        assert_eq!(format!("{c:?}"), r#"Client { base: "http://h" }"#);
    }
}
