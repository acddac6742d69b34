//! The PC role: the device that shows the QR code and waits for the phone.
//!
//! A [`Pc`] handle holds what the PC must remember of one QR session, its `qr_id` and
//! poll token, so that callers cannot send the wrong token with the wrong id by
//! accident. Every call sends the poll token as `Authorization: Bearer`.

use crate::error::Error;
use crate::sse::{self, SseStream};
use crate::ws::{self, WsAuth, WsConnection};
use crate::{segment, Client, Method, Token};
use bytes::Bytes;
use futures::Stream;
use qrlogin_core::api::{CreateQrRequest, CreateQrResponse, RedeemResponse, Status};
use qrlogin_core::DeviceInfo;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A stream of statuses (SSE, WebSocket or [`Pc::follow`]); boxed so it has a name
/// that callers can store in a struct.
pub type StatusStream = Pin<Box<dyn Stream<Item = Result<Status, Error>> + Send>>;

/// How much longer than its `wait` a long poll may take before the client gives up:
/// room for the server's answer to travel, not so much that a dead server goes unseen.
pub const LONG_POLL_SLACK: Duration = Duration::from_secs(5);

/// One QR session, seen from the PC that created it. Cheap to clone.
#[derive(Clone)]
pub struct Pc {
    client: Client,
    qr_id: String,
    poll_token: Token,
    /// The create answer, when this handle came from [`Client::create_qr`]. Behind an
    /// `Arc` so clones stay cheap; never printed, as it holds the poll token in clear.
    created: Option<Arc<CreateQrResponse>>,
}

impl std::fmt::Debug for Pc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pc")
            .field("qr_id", &self.qr_id)
            .field("poll_token", &self.poll_token)
            .finish()
    }
}

impl Client {
    /// `POST /api/v1/qr`: starts a login. `device` is what the phone will be shown
    /// ("Firefox on Linux"); the server adds the IP and `User-Agent` itself.
    pub async fn create_qr(&self, device: Option<DeviceInfo>) -> Result<Pc, Error> {
        let req = self
            .request(Method::POST, "/api/v1/qr")
            .json(&CreateQrRequest {
                device,
                client_id: None,
            });
        let created: CreateQrResponse = self.execute(req).await?;
        Ok(Pc {
            client: self.clone(),
            qr_id: created.qr_id.clone(),
            poll_token: Token::new(created.poll_token.clone()),
            created: Some(Arc::new(created)),
        })
    }

    /// A handle on an existing QR session, e.g. one restored from disk, or in tests a
    /// QR session paired with another one's poll token.
    pub fn pc(&self, qr_id: impl Into<String>, poll_token: impl Into<Token>) -> Pc {
        Pc {
            client: self.clone(),
            qr_id: qr_id.into(),
            poll_token: poll_token.into(),
            created: None,
        }
    }

    /// `GET /api/v1/qr/{qr_id}/qr.svg`: the public QR image (no token needed).
    pub async fn qr_svg(&self, qr_id: &str) -> Result<Bytes, Error> {
        self.image(&format!("/api/v1/qr/{}/qr.svg", segment(qr_id)))
            .await
    }

    /// `GET /api/v1/qr/{qr_id}/qr.png`: the public QR image (no token needed).
    pub async fn qr_png(&self, qr_id: &str) -> Result<Bytes, Error> {
        self.image(&format!("/api/v1/qr/{}/qr.png", segment(qr_id)))
            .await
    }

    async fn image(&self, path_or_url: &str) -> Result<Bytes, Error> {
        let req = if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            self.http().get(path_or_url).timeout(self.timeout)
        } else {
            self.request(Method::GET, path_or_url)
        };
        Ok(self.send(req).await?.bytes().await?)
    }
}

impl Pc {
    /// The public id (what the QR code points to).
    pub fn qr_id(&self) -> &str {
        &self.qr_id
    }

    /// The poll token, e.g. to save it or to pair it with another `qr_id` in tests.
    pub fn poll_token(&self) -> &Token {
        &self.poll_token
    }

    /// The create answer (`expires_in`, `poll_interval`, image paths), when this
    /// handle came from [`Client::create_qr`].
    pub fn created(&self) -> Option<&CreateQrResponse> {
        self.created.as_deref()
    }

    /// The exact text in the QR image, when known (see [`Pc::created`]).
    pub fn qr_content(&self) -> Option<&str> {
        self.created().map(|c| c.qr_content.as_str())
    }

    /// The client this handle talks through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A request to `path` carrying the poll token: the escape hatch for tests that
    /// send what the typed calls never would.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, path)
            .bearer_auth(self.poll_token.expose())
    }

    /// `/api/v1/qr/{qr_id}` + `suffix`.
    fn path(&self, suffix: &str) -> String {
        format!("/api/v1/qr/{}{suffix}", segment(&self.qr_id))
    }

    /// The SVG image, from the path the server gave at create (a real client follows
    /// the link it was given), else the documented one.
    pub async fn qr_svg(&self) -> Result<Bytes, Error> {
        match self.created() {
            Some(c) => self.client.image(&c.qr_svg).await,
            None => self.client.qr_svg(&self.qr_id).await,
        }
    }

    /// The PNG image; see [`Pc::qr_svg`].
    pub async fn qr_png(&self) -> Result<Bytes, Error> {
        match self.created() {
            Some(c) => self.client.image(&c.qr_png).await,
            None => self.client.qr_png(&self.qr_id).await,
        }
    }

    /// `GET /api/v1/qr/{qr_id}`: the status now (short poll).
    pub async fn status(&self) -> Result<Status, Error> {
        let req = self.request(Method::GET, &self.path(""));
        self.client.execute(req).await
    }

    /// `GET /api/v1/qr/{qr_id}?wait=N&since=V`: long poll. Answers as soon as the
    /// version differs from `since`, or after `wait_secs` (0..=60) with the status
    /// unchanged. The request timeout is `wait_secs` + [`LONG_POLL_SLACK`].
    pub async fn wait(&self, since: u64, wait_secs: u64) -> Result<Status, Error> {
        let path = self.path(&format!("?wait={wait_secs}&since={since}"));
        let req = self
            .request(Method::GET, &path)
            .timeout(Duration::from_secs(wait_secs) + LONG_POLL_SLACK);
        self.client.execute(req).await
    }

    /// `GET /api/v1/qr/{qr_id}/events`: the raw SSE events, resuming after
    /// `last_event_id` when given. Fails at once (e.g. `401`, `404`) if the server
    /// does not open the stream, so callers can fall back to long poll.
    pub async fn sse(&self, last_event_id: Option<u64>) -> Result<SseStream, Error> {
        let mut req = self
            .client
            .http()
            .get(self.client.url(&self.path("/events")))
            .bearer_auth(self.poll_token.expose())
            .header(reqwest::header::ACCEPT, "text/event-stream");
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        // No timeout on the request itself (it lives as long as the stream); only on
        // getting the response head, then the idle timeout takes over.
        let resp = tokio::time::timeout(self.client.timeout, self.client.send(req))
            .await
            .map_err(|_| Error::Idle(self.client.timeout))??;
        let kind = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !kind.starts_with("text/event-stream") {
            return Err(Error::Decode(format!(
                "expected text/event-stream, got {kind:?}"
            )));
        }
        Ok(sse::event_stream(resp, sse::IDLE_TIMEOUT))
    }

    /// The SSE stream of statuses: the current one first, then one per change; it ends
    /// after a terminal state, when the server closes it.
    pub async fn events(&self, last_event_id: Option<u64>) -> Result<StatusStream, Error> {
        Ok(sse::status_events(self.sse(last_event_id).await?))
    }

    /// `GET /api/v1/qr/{qr_id}/ws`: statuses over WebSocket, authenticated by header.
    pub async fn ws(&self) -> Result<StatusStream, Error> {
        self.ws_with(WsAuth::Header).await
    }

    /// Statuses over WebSocket with a chosen way to authenticate (the browser way is a
    /// first `auth` message, since browsers cannot set headers on WebSockets).
    pub async fn ws_with(&self, auth: WsAuth) -> Result<StatusStream, Error> {
        Ok(ws::statuses(self.ws_connect(auth).await?))
    }

    /// The raw WebSocket after the handshake (and the auth message, if asked), for
    /// tests that check close codes or send odd messages.
    pub async fn ws_connect(&self, auth: WsAuth) -> Result<WsConnection, Error> {
        ws::connect(self, auth).await
    }

    /// `POST /api/v1/qr/{qr_id}/redeem`: the PC's session, once `confirmed`; works
    /// exactly once.
    pub async fn redeem(&self) -> Result<RedeemResponse, Error> {
        let req = self.request(Method::POST, &self.path("/redeem"));
        self.client.execute(req).await
    }

    /// `DELETE /api/v1/qr/{qr_id}`: the PC gives up (from `pending` or `scanned`).
    pub async fn cancel(&self) -> Result<Status, Error> {
        let req = self.request(Method::DELETE, &self.path(""));
        self.client.execute(req).await
    }

    /// Every status change until a terminal state, over SSE, falling back to long poll
    /// when SSE cannot be opened or keeps breaking. See [`crate::follow`].
    pub fn follow(&self) -> StatusStream {
        crate::follow::follow(self.clone(), crate::follow::Transport::Auto)
    }

    /// Like [`Pc::follow`] but by long poll only (what a client behind an SSE-hostile
    /// proxy does), so the long-poll path can be exercised on its own.
    pub fn follow_long_poll(&self) -> StatusStream {
        crate::follow::follow(self.clone(), crate::follow::Transport::LongPoll)
    }
}
