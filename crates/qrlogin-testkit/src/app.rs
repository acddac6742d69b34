//! The real server, started in-process on port 0 for a test.
//!
//! Each [`TestApp`] runs in a thread with a tokio runtime of its own, not as a task of
//! the test's runtime. That is what makes [`TestApp::kill`] a real crash: axum spawns a
//! task per connection, so aborting only the serve task would leave open connections
//! (a held long poll, an SSE stream, pooled keep-alives) answering from a "dead"
//! server. Dropping the server's runtime instead ends every task it owns at once, the
//! Redis subscriber included, as a killed process would.

use qrlogin_client::{Client, Pc, Phone};
use qrlogin_core::{DeviceInfo, ManualClock, Millis, SharedClock, SystemClock};
use qrlogin_server::state::AppState;
use qrlogin_server::{Application, Config};
use std::sync::Arc;
use tokio::sync::oneshot;

/// How a [`TestApp`] is asked to end.
enum Stop {
    /// Graceful: held long polls and streams answer, in-flight requests finish.
    Graceful,
    /// Abrupt: the runtime is dropped; connections close unanswered.
    Kill,
}

/// A running server and a client pointed at it. Dropping it kills the server.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// A client with a connection pool of its own, pointed at [`TestApp::url`].
    pub client: Client,
    /// The server's shared state (its stores and clock), for checks from outside.
    pub state: AppState,
    /// The clock the server runs on, when the test controls it
    /// ([`spawn_app_with_manual_clock`]); moved with [`TestApp::advance`].
    clock: Option<ManualClock>,
    /// Tells the server thread how to end; `None` once used.
    stop: Option<oneshot::Sender<Stop>>,
    /// Resolves when the server thread has ended, with how `run_until` ended (a kill
    /// reports `Ok`).
    done: Option<oneshot::Receiver<std::io::Result<()>>>,
}

/// Starts the server with `config` (use port 0) and waits until it listens; panics if
/// it cannot be built, e.g. because its store cannot be reached.
pub async fn spawn_app(config: Config) -> TestApp {
    try_spawn_app(config).await.expect("server builds")
}

/// [`spawn_app`] that reports a failed build (an unreachable store, a bad URL) instead
/// of panicking, for tests of startup itself.
pub async fn try_spawn_app(config: Config) -> anyhow::Result<TestApp> {
    start(config, None).await
}

/// [`spawn_app`] on a [`ManualClock`] starting at the wall clock's now: time stands still
/// until the test calls [`TestApp::advance`], so expiry is exact and no test sleeps for it.
pub async fn spawn_app_with_manual_clock(config: Config) -> TestApp {
    start(config, Some(ManualClock::starting_now()))
        .await
        .expect("server builds")
}

/// Starts the server thread, on `clock` if given, else on the wall clock.
async fn start(config: Config, clock: Option<ManualClock>) -> anyhow::Result<TestApp> {
    let shared: SharedClock = match &clock {
        Some(c) => Arc::new(c.clone()),
        None => SystemClock::shared(),
    };
    let (ready_tx, ready_rx) = oneshot::channel::<anyhow::Result<(String, AppState)>>();
    let (stop_tx, stop_rx) = oneshot::channel::<Stop>();
    let (done_tx, done_rx) = oneshot::channel::<std::io::Result<()>>();
    std::thread::Builder::new()
        .name("qrlogin-test-server".into())
        .spawn(move || {
            // Two workers, like the machine: races between requests are real parallelism,
            // not just interleavings on one thread.
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime for the server");
            let result = rt.block_on(serve(config, shared, ready_tx, stop_rx));
            // Ends every task this server spawned (connections, the store's subscriber)
            // without waiting for them: a kill leaves nothing answering.
            rt.shutdown_background();
            let _ = done_tx.send(result);
        })?;
    let (url, state) = ready_rx.await??;
    Ok(TestApp {
        client: Client::new(&url),
        url,
        state,
        clock,
        stop: Some(stop_tx),
        done: Some(done_rx),
    })
}

/// The server thread's body: build, report the URL, serve until told to stop.
async fn serve(
    config: Config,
    clock: SharedClock,
    ready: oneshot::Sender<anyhow::Result<(String, AppState)>>,
    stop: oneshot::Receiver<Stop>,
) -> std::io::Result<()> {
    let app = match Application::build_with_clock(config, clock).await {
        Ok(app) => app,
        Err(e) => {
            let _ = ready.send(Err(e));
            return Ok(());
        }
    };
    let _ = ready.send(Ok((app.url(), app.state().clone())));
    let (graceful_tx, graceful_rx) = oneshot::channel::<()>();
    let server = app.run_until(async {
        let _ = graceful_rx.await;
    });
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result,
        how = stop => match how {
            Ok(Stop::Graceful) => {
                let _ = graceful_tx.send(());
                server.await
            }
            // Killed, or the TestApp was dropped: abandon the server where it stands.
            Ok(Stop::Kill) | Err(_) => Ok(()),
        },
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
    /// Moves the server's clock forward by `ms` and wakes its held waiters to look at it
    /// (so a long poll, SSE stream or WebSocket held past the new expiry answers at
    /// once). Panics on an app on the wall clock: use [`spawn_app_with_manual_clock`].
    pub fn advance(&self, ms: Millis) {
        let clock = self
            .clock
            .as_ref()
            .expect("advance needs spawn_app_with_manual_clock");
        clock.advance(ms);
        self.state.clock_moved();
    }

    /// Now, by the server's clock.
    pub fn now(&self) -> Millis {
        self.state.now()
    }

    /// A phone signed in as demo user `user` (`alice` or `bob`) on device `device_id`.
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

    /// A PC whose QR session alice's phone (`phone-1`) has scanned; with the ticket.
    pub async fn scanned(&self) -> (Pc, Phone, String) {
        let pc = self.pc().await;
        let phone = self.phone("alice", "phone-1").await;
        let ticket = phone.scan(pc.qr_id()).await.expect("scan").scan_ticket;
        (pc, phone, ticket)
    }

    /// A PC whose QR session alice confirmed on `phone-1`.
    pub async fn confirmed(&self) -> (Pc, Phone) {
        let (pc, phone, ticket) = self.scanned().await;
        phone.confirm(pc.qr_id(), &ticket).await.expect("confirm");
        (pc, phone)
    }

    /// The raw HTTP client, for requests the typed client would never send.
    pub fn raw(&self) -> &reqwest::Client {
        self.client.http()
    }

    /// The same PC handle (same qr id and poll token), talking to this server instead:
    /// what a load balancer does when it sends the PC's next request elsewhere.
    pub fn pc_of(&self, pc: &Pc) -> Pc {
        self.client.pc(pc.qr_id(), pc.poll_token().clone())
    }

    /// The same phone (same token and device), talking to this server instead.
    pub fn phone_of(&self, phone: &Phone) -> Phone {
        self.client.phone(phone.token().clone(), phone.device_id())
    }

    /// Graceful shutdown: held requests answer, then the server ends; waits for it.
    pub async fn shutdown(mut self) {
        self.end(Stop::Graceful).await.expect("server ran");
    }

    /// Kills the server abruptly, as a crash would: no more connections accepted,
    /// open ones closed unanswered, its store connections gone. Waits until it is.
    pub async fn kill(mut self) {
        let _ = self.end(Stop::Kill).await;
    }

    async fn end(&mut self, how: Stop) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(how);
        }
        match self.done.take() {
            Some(done) => done.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(Stop::Kill);
        }
    }
}
