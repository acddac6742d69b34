//! A tiny axum stub server on 127.0.0.1:0, so the client's HTTP handling can be tested
//! before (and independently of) the real server.

#![allow(dead_code)] // each test binary uses a different part

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use qrlogin_client::Client;
use std::time::Duration;

/// A well-formed qr_id, for paths.
pub const QR: &str = "AAAAAAAAAAAAAAAAAAAAAA";
/// A poll token the stub expects.
pub const POLL: &str = "qlp_pollpollpollpollpollpollpollpollpollpollp";

/// Serves `app` on an ephemeral port and returns a client of it.
pub async fn spawn(app: Router) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Client::new(format!("http://{addr}"))
}

/// A status JSON as the server sends it.
pub fn status(version: u64, state: &str) -> serde_json::Value {
    let scanner =
        (version > 1).then(|| serde_json::json!({"display_name": "Alice", "avatar_url": null}));
    serde_json::json!({ "qr_id": QR, "state": state, "version": version, "expires_in": 100, "scanner": scanner })
}

/// A problem+json answer.
pub fn problem(status: u16, code: &str) -> Response {
    let body = serde_json::json!({
        "type": format!("urn:qrlogin:error:{code}"), "title": "t", "status": status,
        "detail": format!("detail of {code}"), "code": code,
    });
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// Whether the request carries the stub's poll token.
pub fn has_poll_token(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&*format!("Bearer {POLL}"))
}

/// An SSE body sent in the given chunks, with a short pause between them so they
/// really arrive separately; the stream ends after the last one.
pub fn sse_body(chunks: Vec<String>) -> Response {
    let stream = futures::stream::iter(chunks).then(|c| async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok::<_, std::convert::Infallible>(c)
    });
    (
        [(header::CONTENT_TYPE, "text/event-stream")],
        Body::from_stream(stream),
    )
        .into_response()
}

/// One SSE status event.
pub fn sse_event(version: u64, state: &str) -> String {
    format!(
        "event: status\nid: {version}\ndata: {}\n\n",
        status(version, state)
    )
}

use futures::StreamExt as _;
