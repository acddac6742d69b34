//! A server on port 0 (in process, on a thread of its own), a private config dir per
//! test, and the `qrlogin` binary driven as from a shell: arguments, environment,
//! stdin, exit code, stdout and stderr.

use qrlogin_core::Millis;
use qrlogin_server::Config;
use qrlogin_testkit::{spawn_app, spawn_app_with_manual_clock, TestApp};
use serde_json::Value;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long any one command may run before the test calls it hung.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// A qrlogin server running on its own thread and runtime (the testkit's [`TestApp`]),
/// killed on drop. The tests here are plain `#[test]`s driving another process, so
/// this wraps the async start in a runtime that lives only for it.
pub struct TestServer {
    /// Its base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    /// The running server, its state and its clock.
    app: TestApp,
}

impl TestServer {
    /// Memory store, demo accounts (alice/alice-demo), default lifetimes.
    pub fn start() -> Self {
        Self::with(false)
    }

    /// The same on a clock that stands still until [`TestServer::advance`] moves it, so
    /// a test of expiry never sleeps for it (the CLI is another process, but the
    /// server it talks to is this one).
    pub fn on_manual_clock() -> Self {
        Self::with(true)
    }

    /// Moves the server's clock forward by `ms` and wakes its held waiters to look at
    /// it. Panics on a server on the wall clock.
    pub fn advance(&self, ms: Millis) {
        self.app.advance(ms);
    }

    /// How long this server's QR codes live.
    pub fn qr_lifetime_ms(&self) -> Millis {
        self.app.state.config.lifetimes.qr_ms
    }

    /// Starts the server (on a manual clock if `manual`). The runtime used to wait for
    /// it can go at once: the server runs on a thread and runtime of its own.
    fn with(manual: bool) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let config = Config::for_tests();
        let app = rt.block_on(async {
            if manual {
                spawn_app_with_manual_clock(config).await
            } else {
                spawn_app(config).await
            }
        });
        Self {
            url: app.url.clone(),
            app,
        }
    }

    /// Fetches a public URL (the QR image) into `path`.
    pub fn download(&self, url: &str, path: &Path) {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let bytes = rt.block_on(async {
            let http = qrlogin_client::http_builder().build().expect("client");
            let resp = http.get(url).send().await.expect("GET");
            assert!(resp.status().is_success(), "{url}: {}", resp.status());
            resp.bytes().await.expect("body")
        });
        std::fs::write(path, bytes).expect("write image");
    }
}

/// What a finished command did.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// One user's machine: a private config dir that `qrlogin` keeps its files in.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The config dir given to every command (not created until something is saved).
    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// A scratch file path in the sandbox (for images).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `qrlogin <args>` with this sandbox's config dir and a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_qrlogin"));
        cmd.args(args)
            .env("QRLOGIN_CONFIG_DIR", self.config_dir())
            .env_remove("QRLOGIN_SERVER")
            .env_remove("QRLOGIN_PASSWORD")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs `qrlogin <args>` to the end, with `stdin` as its input.
    pub fn run_with(&self, args: &[&str], envs: &[(&str, &str)], stdin: &str) -> Outcome {
        let mut cmd = self.command(args);
        cmd.envs(envs.iter().copied()).stdin(Stdio::piped());
        let mut child = cmd.spawn().expect("qrlogin starts");
        let mut input = child.stdin.take().expect("stdin");
        let _ = input.write_all(stdin.as_bytes());
        drop(input);
        finish(child)
    }

    /// Runs `qrlogin <args>` to the end, with no input.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_with(args, &[], "")
    }

    /// `qrlogin phone login` as alice, password from the environment.
    pub fn phone_login(&self, server: &TestServer) {
        let out = self.run_with(
            &[
                "phone",
                "login",
                "--server",
                &server.url,
                "--username",
                "alice",
            ],
            &[("QRLOGIN_PASSWORD", "alice-demo")],
            "",
        );
        assert_eq!(out.code, 0, "{out:?}");
    }

    /// Starts `qrlogin login --json --server URL <extra>` in the background.
    pub fn start_login(&self, server: &TestServer, extra: &[&str]) -> LoginProcess {
        let mut args = vec!["login", "--json", "--server", &server.url];
        args.extend_from_slice(extra);
        let mut child = self.command(&args).spawn().expect("qrlogin starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        LoginProcess {
            child: Some(child),
            events,
            seen: Vec::new(),
        }
    }
}

/// A running `qrlogin login --json`, read one event at a time.
pub struct LoginProcess {
    child: Option<Child>,
    events: mpsc::Receiver<String>,
    /// Every line read so far, to check that no token was ever printed.
    pub seen: Vec<String>,
}

impl LoginProcess {
    /// The next JSON event; panics after [`COMMAND_TIMEOUT`] or at end of output.
    pub fn next_event(&mut self) -> Value {
        let line = self
            .events
            .recv_timeout(COMMAND_TIMEOUT)
            .expect("an event from qrlogin login");
        let value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        self.seen.push(line);
        value
    }

    /// Events until one of kind `event` (`created`, `status`, …), which is returned.
    pub fn until(&mut self, event: &str) -> Value {
        loop {
            let v = self.next_event();
            if v["event"] == event {
                return v;
            }
        }
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Waits for the end; the rest of stdout is read into [`LoginProcess::seen`].
    pub fn wait(mut self) -> Outcome {
        let child = self.child.take().expect("running");
        let out = finish(child);
        while let Ok(line) = self.events.recv_timeout(Duration::from_millis(200)) {
            self.seen.push(line);
        }
        Outcome {
            stdout: self.seen.join("\n"),
            ..out
        }
    }
}

impl Drop for LoginProcess {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits for `child` (killing it after [`COMMAND_TIMEOUT`]) and collects its output.
fn finish(mut child: Child) -> Outcome {
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = read(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = read(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("qrlogin did not finish within {COMMAND_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Outcome {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// The permission bits of `path`.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Sends SIGINT (what Ctrl-C sends) to `pid`.
pub fn interrupt(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}
