//! A waiting PC as one stream of a shared cleartext HTTP/2 connection, as PCs reach
//! the service through a proxy or load balancer that speaks HTTP/2 to it. One instance
//! then holds far more waiters than it may open files: 50,000 waiters are ~270
//! connections, not 50,000.
//!
//! The same three transports as [`crate::push`]: a long poll is a stream whose answer
//! is awaited, SSE a stream whose body is read, and a WebSocket an extended CONNECT
//! (RFC 8441) whose body carries unmasked server frames, so a status JSON is readable
//! in the bytes exactly as over HTTP/1.1.

use crate::api::Qr;
use crate::http::find;
use crate::push::{state_needle, Transport, Unsupported};
use anyhow::{bail, Context as _};
use bytes::Bytes;
use h2::client::{ResponseFuture, SendRequest};
use h2::RecvStream;
use http::{Method, Request, StatusCode};
use qrlogin_core::QrState;
use std::net::SocketAddr;

/// Streams opened per connection: under the server's (hyper's) default cap of 200
/// concurrent streams, so no request ever queues for a free stream.
pub const STREAMS_PER_CONN: usize = 190;

/// Connections enough for `streams` streams, opened one after another.
pub async fn connect_many(
    addr: SocketAddr,
    streams: usize,
) -> anyhow::Result<Vec<SendRequest<Bytes>>> {
    let n = streams.div_ceil(STREAMS_PER_CONN).max(1);
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        conns.push(connect(addr).await?);
    }
    Ok(conns)
}

/// One HTTP/2 connection (prior knowledge), driven by its own task.
pub async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Bytes>> {
    crate::http::check_loopback(addr.ip())?;
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (send, conn) = h2::client::Builder::new()
        .initial_window_size(1 << 20)
        .handshake(tcp)
        .await
        .context("HTTP/2 handshake (does the server speak h2c?)")?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(send)
}

/// A PC waiting on one QR session, as one stream.
pub struct H2Waiter {
    /// A long poll's answer not yet received.
    pending: Option<ResponseFuture>,
    /// The body being read, once the answer's head arrived.
    body: Option<RecvStream>,
    /// Bytes read so far and not yet matched.
    seen: Vec<u8>,
}

/// Opens a waiter on `qr`, whose current state is `current` at `version`: like
/// [`crate::push::open`], SSE and WebSocket return once the current status arrived
/// (the waiter is registered); a long poll returns once its request is sent.
pub async fn open(
    send: &SendRequest<Bytes>,
    qr: &Qr,
    transport: Transport,
    current: (QrState, u64),
) -> anyhow::Result<H2Waiter> {
    let (method, path) = match transport {
        Transport::LongPoll => (
            Method::GET,
            format!("/api/v1/qr/{}?wait=60&since={}", qr.qr_id, current.1),
        ),
        Transport::Sse => (Method::GET, format!("/api/v1/qr/{}/events", qr.qr_id)),
        Transport::Ws => (Method::CONNECT, format!("/api/v1/qr/{}/ws", qr.qr_id)),
    };
    let mut req = Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1{path}"))
        .header("authorization", format!("Bearer {}", qr.poll_token));
    if transport == Transport::Ws {
        req = req
            .header("sec-websocket-version", "13")
            .extension(h2::ext::Protocol::from_static("websocket"));
    }
    let mut send = send.clone().ready().await?;
    let (resp, _) = send.send_request(req.body(())?, transport != Transport::Ws)?;
    let mut w = H2Waiter {
        pending: Some(resp),
        body: None,
        seen: Vec::new(),
    };
    if transport != Transport::LongPoll {
        w.head(transport).await?;
        w.read_until(&state_needle(current.0)).await?;
    }
    Ok(w)
}

impl H2Waiter {
    /// Awaits the answer's head; 200 is the only success (an upgraded HTTP/2
    /// WebSocket answers 200, not 101).
    async fn head(&mut self, transport: Transport) -> anyhow::Result<()> {
        let Some(resp) = self.pending.take() else {
            return Ok(());
        };
        let resp = resp.await?;
        let status = resp.status();
        let mut body = resp.into_body();
        if status != StatusCode::OK {
            let why = format!("{} over HTTP/2 answered HTTP {status}", transport.name());
            if matches!(status.as_u16(), 404 | 405 | 501) {
                return Err(Unsupported(format!("{why}: not offered by this server")).into());
            }
            while let Some(Ok(chunk)) = body.data().await {
                self.seen.extend_from_slice(&chunk);
            }
            bail!("{why}: {}", String::from_utf8_lossy(&self.seen));
        }
        self.body = Some(body);
        Ok(())
    }

    /// Reads the body until it holds `needle`; what follows it stays for the next call.
    async fn read_until(&mut self, needle: &[u8]) -> anyhow::Result<()> {
        let body = self.body.as_mut().context("no body")?;
        loop {
            if let Some(at) = find(&self.seen, needle) {
                self.seen.drain(..at + needle.len());
                return Ok(());
            }
            let Some(chunk) = body.data().await else {
                bail!("stream ended before {}", String::from_utf8_lossy(needle));
            };
            let chunk = chunk?;
            let _ = body.flow_control().release_capacity(chunk.len());
            self.seen.extend_from_slice(&chunk);
        }
    }

    /// Waits until the pushed (or long-poll answered) status is `state`.
    pub async fn wait_for(&mut self, state: QrState, transport: Transport) -> anyhow::Result<()> {
        self.head(transport).await?;
        self.read_until(&state_needle(state)).await
    }
}
