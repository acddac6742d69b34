//! `spawn_app()` and typed helpers shared by the API tests.

use qrlogin_client::{Client, Pc, Phone};
use qrlogin_core::{DeviceInfo, Lifetimes};
use qrlogin_server::{Application, Config};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server and a client pointed at it.
pub struct TestApp {
    pub url: String,
    pub client: Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// The server with test defaults: memory store, demo accounts, port 0.
pub async fn spawn_app() -> TestApp {
    spawn_with(Config::for_tests()).await
}

/// The server with short lifetimes, for expiry tests.
pub async fn spawn_with_lifetimes(qr_ms: i64, confirm_ms: i64, grace_ms: i64) -> TestApp {
    let lifetimes = Lifetimes {
        qr_ms,
        confirm_ms,
        grace_ms,
        ..Lifetimes::default()
    };
    spawn_with(Config {
        lifetimes,
        ..Config::for_tests()
    })
    .await
}

/// The server with `config`.
pub async fn spawn_with(config: Config) -> TestApp {
    let app = Application::build(config).await.expect("server builds");
    let url = app.url();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        client: Client::new(&url),
        url,
        stop: Some(tx),
        task: Some(task),
    }
}

/// A device description for phones in tests.
pub fn phone_device(id: &str) -> DeviceInfo {
    DeviceInfo {
        id: Some(id.into()),
        kind: Some("ios".into()),
        name: Some(format!("{id} (test)")),
    }
}

impl TestApp {
    /// A phone signed in as `user` (`alice` or `bob`) on device `device_id`.
    pub async fn phone(&self, user: &str, device_id: &str) -> Phone {
        self.client
            .login_phone(user, &format!("{user}-demo"), phone_device(device_id))
            .await
            .expect("demo login")
    }

    /// A PC with a fresh QR session.
    pub async fn pc(&self) -> Pc {
        let device = DeviceInfo {
            id: None,
            kind: Some("web".into()),
            name: Some("Firefox on Linux".into()),
        };
        self.client
            .create_qr(Some(device))
            .await
            .expect("create QR")
    }

    /// A PC whose QR session alice's phone has scanned; returns the ticket too.
    pub async fn scanned(&self) -> (Pc, Phone, String) {
        let pc = self.pc().await;
        let phone = self.phone("alice", "phone-1").await;
        let ticket = phone.scan(pc.qr_id()).await.expect("scan").scan_ticket;
        (pc, phone, ticket)
    }

    /// A PC whose QR session alice confirmed.
    pub async fn confirmed(&self) -> (Pc, Phone) {
        let (pc, phone, ticket) = self.scanned().await;
        phone.confirm(pc.qr_id(), &ticket).await.expect("confirm");
        (pc, phone)
    }

    /// Raw request helper for malformed-input tests.
    pub fn raw(&self) -> &reqwest::Client {
        self.client.http()
    }

    /// Graceful shutdown; waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server ran");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Asserts that `res` is a problem+json answer with `status` and `code`.
pub async fn assert_problem(res: reqwest::Response, status: u16, code: &str) {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(ct, "application/problem+json", "content type");
    let body: serde_json::Value = res.json().await.expect("problem body");
    assert_eq!(body["code"], code, "code in {body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("urn:qrlogin:error:{code}"));
}

/// The error code of a client result, for `assert_eq!`.
pub fn code_of<T: std::fmt::Debug>(r: Result<T, qrlogin_client::Error>) -> Option<&'static str> {
    r.expect_err("expected an error").code().map(|c| c.as_str())
}
