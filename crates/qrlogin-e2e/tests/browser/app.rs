//! The server under test and the phone that acts through the API.

use qrlogin_client::{Client, Phone};
use qrlogin_core::{DeviceInfo, Lifetimes};
use qrlogin_server::{Application, Config};
use tokio::sync::oneshot;

/// A running server (memory store, demo accounts, port 0), stopped on drop.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The typed client, pointed at it.
    pub client: Client,
    _stop: oneshot::Sender<()>,
}

impl Server {
    /// The test defaults.
    pub async fn start() -> Self {
        Self::with(Config::for_tests()).await
    }

    /// QR sessions that expire `qr_ms` after creation.
    pub async fn with_qr_lifetime(qr_ms: i64) -> Self {
        Self::with(Config {
            lifetimes: Lifetimes {
                qr_ms,
                ..Default::default()
            },
            ..Config::for_tests()
        })
        .await
    }

    async fn with(config: Config) -> Self {
        let app = Application::build(config).await.expect("server builds");
        let url = app.url();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        Self {
            client: Client::new(&url),
            url,
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
