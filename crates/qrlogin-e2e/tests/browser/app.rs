//! The server under test and the phone that acts through the API.

use qrlogin_client::{Client, Phone};
use qrlogin_core::{DeviceInfo, ManualClock, Millis, SharedClock, SystemClock};
use qrlogin_server::state::AppState;
use qrlogin_server::{Application, Config};
use std::sync::Arc;
use tokio::sync::oneshot;

/// A running server (memory store, demo accounts, port 0), stopped on drop.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The typed client, pointed at it.
    pub client: Client,
    /// The server's state, to wake its held waiters after the clock moves.
    state: AppState,
    /// The clock the server runs on when the test moves it ([`Server::on_manual_clock`]).
    clock: Option<ManualClock>,
    _stop: oneshot::Sender<()>,
}

impl Server {
    /// The test defaults.
    pub async fn start() -> Self {
        Self::with(Config::for_tests(), None).await
    }

    /// The test defaults on a clock that stands still until [`Server::advance`] moves
    /// it: expiry without waiting for it.
    pub async fn on_manual_clock() -> Self {
        Self::with(Config::for_tests(), Some(ManualClock::starting_now())).await
    }

    /// Moves the server's clock forward by `ms` and wakes its held waiters (the
    /// page's stream or long poll) to look at it. Panics on a server on the wall clock.
    pub fn advance(&self, ms: Millis) {
        let clock = self.clock.as_ref().expect("advance needs on_manual_clock");
        clock.advance(ms);
        self.state.clock_moved();
    }

    /// How long this server's QR codes live.
    pub fn qr_lifetime_ms(&self) -> Millis {
        self.state.config.lifetimes.qr_ms
    }

    async fn with(config: Config, clock: Option<ManualClock>) -> Self {
        let shared: SharedClock = match &clock {
            Some(c) => Arc::new(c.clone()),
            None => SystemClock::shared(),
        };
        let app = Application::build_with_clock(config, shared)
            .await
            .expect("server builds");
        let url = app.url();
        let state = app.state().clone();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        Self {
            client: Client::new(&url),
            url,
            state,
            clock,
            _stop: tx,
        }
    }

    /// `path` on this server.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Alice's phone, signed in through the API.
    pub async fn alice(&self) -> Phone {
        let device = DeviceInfo {
            id: Some("e2e-phone".into()),
            kind: Some("android".into()),
            name: Some("Alice's test phone".into()),
        };
        self.client
            .login_phone("alice", "alice-demo", device)
            .await
            .expect("alice signs in with the demo password")
    }
}

/// The qr_id at the end of a `qr_content` URL of `server`.
pub fn qr_id_of(server: &Server, content: &str) -> String {
    let prefix = server.at("/m/qr/");
    let id = content
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("the QR holds {content:?}, not a URL under {prefix}"));
    assert!(
        id.len() == 22
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "a qr_id is 22 base64url characters, not {id:?}"
    );
    id.to_owned()
}
