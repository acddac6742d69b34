//! A server for passkey tests: its public URL is `http://localhost:PORT` (an IP is
//! never a valid rp id), on a clock the test moves, with its state at hand to make
//! `--no-password` accounts and enrollment links and to read the activity log. The
//! server itself is the testkit's [`TestApp`] on a manual clock.

use qrlogin_client::Client;
use qrlogin_core::{AccountId, Millis, Username};
use qrlogin_db::{ActivityEvent, ActivityKind};
use qrlogin_server::service::passkeys_enroll::{create_passwordless_account, enrollment_link};
use qrlogin_server::state::AppState;
use qrlogin_server::Config;
use qrlogin_testkit::{spawn_app_with_manual_clock, TestApp};
use serde_json::{json, Value};

/// A running server, stopped on drop.
pub struct PkServer {
    /// `http://{host}:{port}`: the public URL and WebAuthn origin.
    pub url: String,
    /// The typed client.
    pub client: Client,
    /// The server's state (database, clock).
    pub state: AppState,
    /// `http://127.0.0.1:{port}`: where this instance listens.
    api: String,
    /// The running server and its clock; killed on drop.
    app: TestApp,
}

/// How to start a [`PkServer`] beyond the test defaults.
pub struct Setup<'a> {
    /// The public URL's host (a name that resolves to 127.0.0.1).
    pub host: &'a str,
    /// Seed the demo accounts.
    pub demo: bool,
    /// The public URL's port, when it is not this instance's own (instances behind
    /// one address).
    pub public_port: Option<u16>,
    /// `--store` and `--db`, when not the test defaults (memory).
    pub store_and_db: Option<(String, String)>,
}

impl PkServer {
    /// A server at `http://localhost:PORT` with the demo accounts.
    pub async fn start() -> Self {
        Self::on_host("localhost", true).await
    }

    /// A server whose public URL has `host` (a name that resolves to 127.0.0.1), with
    /// or without the demo accounts.
    pub async fn on_host(host: &str, demo: bool) -> Self {
        let setup = Setup {
            host,
            demo,
            public_port: None,
            store_and_db: None,
        };
        Self::with(setup).await
    }

    /// A server as `setup` says.
    pub async fn with(setup: Setup<'_>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let public_port = setup.public_port.unwrap_or(port);
        let url = format!("http://{}:{public_port}", setup.host);
        let mut config = Config {
            listen: format!("127.0.0.1:{port}"),
            public_url: Some(url.clone()),
            demo: setup.demo,
            ..Config::for_tests()
        };
        if let Some((store, db)) = setup.store_and_db {
            config.store = store;
            config.db = db;
        }
        let app = spawn_app_with_manual_clock(config).await;
        Self {
            client: app.client.clone(),
            api: app.url.clone(),
            url,
            state: app.state.clone(),
            app,
        }
    }

    /// Moves the server's clock forward by `ms` (a challenge or link past its life).
    pub fn advance(&self, ms: Millis) {
        self.app.advance(ms);
    }

    /// `path` on the public URL.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// An API call: `(status, JSON body or null)`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        auth: Option<(&str, &str)>,
    ) -> (u16, Value) {
        let method = reqwest_method(method);
        let mut req = self.client.http().request(method, self.client_url(path));
        if let Some((token, device)) = auth {
            req = req.bearer_auth(token).header("X-Device-Id", device);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("the server answers");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn client_url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// This instance's listening port.
    pub fn port(&self) -> u16 {
        let port = self.api.rsplit(':').next().unwrap_or_default();
        port.parse().expect("a port")
    }

    /// A `--no-password` account and a fresh enrollment link for it.
    pub async fn passwordless(&self, username: &str, display_name: &str) -> (AccountId, String) {
        let db = self.state.db.as_ref();
        let user = Username::parse(username).expect("a username");
        let now = self.state.clock.now();
        let id = create_passwordless_account(db, &user, display_name, None, now)
            .await
            .expect("create")
            .expect("a new username");
        let link = enrollment_link(db, &self.url, &id, now)
            .await
            .expect("link")
            .expect("the account exists");
        (id, link)
    }

    /// The account's activity, newest first.
    pub async fn events(&self, username: &str) -> Vec<ActivityEvent> {
        let user = Username::parse(username).expect("a username");
        let account = self
            .state
            .db
            .account_by_username(&user)
            .await
            .unwrap()
            .unwrap();
        self.state.db.events_of(&account.id, 100).await.unwrap()
    }

    /// Whether the account's log has an event of `kind` (with `method`, if given).
    pub async fn logged(&self, username: &str, kind: ActivityKind, method: Option<&str>) -> bool {
        self.events(username)
            .await
            .iter()
            .any(|e| e.kind == kind && (method.is_none() || e.method.as_deref() == method))
    }

    /// The device every API-made phone of these tests claims to be.
    pub fn device(id: &str) -> Value {
        json!({ "id": id, "type": "android", "name": "API phone" })
    }
}

fn reqwest_method(m: &str) -> http::Method {
    http::Method::from_bytes(m.as_bytes()).expect("a method")
}
