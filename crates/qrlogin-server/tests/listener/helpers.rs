//! Starting the server with listener options, raw HTTP/1.1 over a socket, captured
//! log lines.

use qrlogin_server::listener::{ListenerOptions, TlsReloader};
use qrlogin_server::{Application, Config};
use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The bound on every wait in these tests: far above any timeout configured, so a
/// test fails (rather than hangs) only when something never happens.
pub const BOUND: Duration = Duration::from_secs(20);

/// Listener options with these header and idle timeouts, everything else default.
pub fn options(header: Duration, idle: Duration) -> ListenerOptions {
    ListenerOptions {
        header_timeout: header,
        idle_timeout: idle,
        ..ListenerOptions::default()
    }
}

/// A server started with `Application::build` on the test's runtime.
pub struct Running {
    /// `http://127.0.0.1:<port>` or `https://…`.
    pub url: String,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// The certificate reloader when serving TLS.
    pub tls: Option<TlsReloader>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Builds and runs the server with test defaults and `listener`.
pub async fn start(listener: ListenerOptions) -> Running {
    init_logs();
    let app = Application::build(Config {
        listener,
        ..Config::for_tests()
    })
    .await
    .expect("server builds");
    let (tx, rx) = oneshot::channel::<()>();
    let url = app.url();
    let addr = app.address().to_string();
    let tls = app.tls_reloader();
    let task = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    Running {
        url,
        addr,
        tls,
        stop: Some(tx),
        task: Some(task),
    }
}

impl Running {
    /// A typed client for this server (plain HTTP only).
    pub fn client(&self) -> qrlogin_client::Client {
        qrlogin_client::Client::new(&self.url)
    }

    /// Starts a graceful shutdown and waits (up to [`BOUND`]) for `run_until` to end;
    /// `false` if it did not end in that time.
    pub async fn shutdown(mut self) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = self.task.take().expect("running");
        matches!(tokio::time::timeout(BOUND, task).await, Ok(Ok(Ok(()))))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Sends `GET path` on `tcp` (keep-alive) and returns the status line, after reading
/// the whole response (by `Content-Length`).
pub async fn get(tcp: &mut TcpStream, path: &str) -> String {
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    tcp.write_all(req.as_bytes()).await.expect("request sent");
    tokio::time::timeout(BOUND, read_response(tcp))
        .await
        .expect("a response in time")
}

/// Reads one response with a `Content-Length` body; returns its status line.
pub async fn read_response(tcp: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = find(&seen, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&seen[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            if seen.len() >= end + 4 + length {
                return head.lines().next().unwrap_or_default().to_owned();
            }
        }
        let n = tcp.read(&mut buf).await.expect("reading a response");
        assert!(
            n > 0,
            "closed mid-response: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether the server has closed `tcp`, waiting up to [`BOUND`]: reads (and ignores)
/// bytes until end of stream or a reset.
pub async fn closed_by_server(tcp: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(BOUND, async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Captured log output of every server in this test binary.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber once for the whole binary (servers log from
/// their own tasks and threads).
fn init_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("qrlogin_server=info")
            .with_ansi(false)
            .with_writer(|| Capture)
            .try_init();
    });
}

/// How many captured log lines contain every one of `needles`.
pub fn log_lines(needles: &[&str]) -> usize {
    let logs = LOGS.lock().unwrap();
    String::from_utf8_lossy(&logs)
        .lines()
        .filter(|line| needles.iter().all(|n| line.contains(n)))
        .count()
}

/// Waits (bounded) until the server reports `n` held waiters on `/metrics`.
pub async fn wait_until_held(client: &qrlogin_client::Client, n: usize) {
    let needle = format!("qrlogin_waiters {n}");
    for _ in 0..200 {
        let text = client
            .http()
            .get(client.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.lines().any(|l| l.trim() == needle) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} waiter(s) never held");
}
