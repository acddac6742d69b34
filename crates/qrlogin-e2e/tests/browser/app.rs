//! The server under test and the phone that acts through the API.
//!
//! The server itself is the testkit's [`TestApp`] (its own thread and runtime, a
//! [`qrlogin_core::ManualClock`] when the test moves time), so the browser tests, the
//! CLI tests and the API tests start it, stop it and move its clock one way.

use qrlogin_client::{Client, Phone};
use qrlogin_core::{DeviceInfo, Millis};
use qrlogin_server::Config;
use qrlogin_testkit::{spawn_app, spawn_app_with_manual_clock, TestApp};

/// A running server (memory store, demo accounts, port 0), stopped on drop.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The typed client, pointed at it.
    pub client: Client,
    /// The running server, its state and its clock; killed on drop.
    app: TestApp,
}

impl Server {
    /// The test defaults.
    pub async fn start() -> Self {
        Self::from(spawn_app(Config::for_tests()).await)
    }

    /// The test defaults on a clock that stands still until [`Server::advance`] moves
    /// it: expiry without waiting for it.
    pub async fn on_manual_clock() -> Self {
        Self::from(spawn_app_with_manual_clock(Config::for_tests()).await)
    }

    /// Moves the server's clock forward by `ms` and wakes its held waiters (the
    /// page's stream or long poll) to look at it. Panics on a server on the wall clock.
    pub fn advance(&self, ms: Millis) {
        self.app.advance(ms);
    }

    /// How long this server's QR codes live.
    pub fn qr_lifetime_ms(&self) -> Millis {
        self.app.state.config.lifetimes.qr_ms
    }

    /// Keeps the testkit's URL and client at hand under the names the tests use.
    fn from(app: TestApp) -> Self {
        Self {
            url: app.url.clone(),
            client: app.client.clone(),
            app,
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
