//! No secret at any log level: a whole login (password, phone token, poll token sent
//! as a WebSocket's first message, scan ticket, PC session token) runs with the
//! server's own log filter at `trace`, and none of the secrets is in the log.

use crate::helpers::*;
use futures::{SinkExt, StreamExt};
use qrlogin_server::Config;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tokio_tungstenite::tungstenite::Message;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Everything logged, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_traced_at_the_finest_level_logs_no_secret() {
    let log = Captured::default();
    let directives = qrlogin_server::telemetry::log_directives(Some("trace"));
    // As the binary does (`init`: also `log` records, which the WebSocket library
    // writes). The server runs on threads of its own: only a global subscriber sees
    // them. This is the only test of the binary that installs one.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(directives))
        .with_writer(log.clone())
        .with_ansi(false)
        .try_init()
        .expect("the first global subscriber");

    let app = spawn_app(Config::for_tests()).await;
    let phone = app.phone("alice", "phone-1").await;
    let pc = app.pc().await;
    let poll = pc.poll_token().expose().to_owned();
    let ws_url = format!(
        "{}/api/v1/qr/{}/ws",
        app.url.replace("http", "ws"),
        pc.qr_id()
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(&ws_url)
        .await
        .expect("upgrade");
    let auth = serde_json::json!({ "type": "auth", "poll_token": poll }).to_string();
    socket.send(Message::text(auth)).await.unwrap();
    let first = socket.next().await.expect("a status").expect("a message");
    assert!(first.to_text().unwrap().contains("pending"));
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    let session = pc.redeem().await.unwrap().session_token;
    app.client.me(&session).await.unwrap();
    app.shutdown().await;

    let text = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(text.contains("TRACE"), "the log ran at trace");
    for (what, secret) in [
        ("password", "alice-demo"),
        ("phone token", phone.token().expose()),
        ("poll token", poll.as_str()),
        ("scan ticket", ticket.as_str()),
        ("session token", session.as_str()),
    ] {
        assert!(!text.contains(secret), "the {what} is in the log");
    }
}
