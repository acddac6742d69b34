//! The processes behind a [`super::Test`]: chromedriver on a free port and the Chromium
//! profiles it starts, each ended on drop even when a test fails half-way.

use super::CHROMIUM;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// chromedriver's path, or why the browser tests cannot run.
pub(super) fn find_tools() -> Result<PathBuf, String> {
    if !Path::new(CHROMIUM).exists() {
        return Err(format!("{CHROMIUM} is missing"));
    }
    let driver = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("chromedriver"))
        .find(|p| p.exists());
    driver.ok_or_else(|| "chromedriver is not on PATH".to_owned())
}

/// A free loopback port (bound, then released for chromedriver to take).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

/// A directory removed on drop (a browser profile).
pub(super) struct TempDir(pub(super) PathBuf);

impl TempDir {
    /// A fresh directory for the browser `label`, unique in this process.
    pub(super) fn new(label: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("qrlogin-e2e-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a profile dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        kill_browser_of(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Ends the Chromium that still runs on `profile` (a test that failed before closing
/// its session): killing chromedriver alone would leave it running. Its process id is
/// in the profile's `SingletonLock` link (`host-PID`); it is killed only if its
/// command line names this very profile.
fn kill_browser_of(profile: &Path) {
    let Ok(target) = std::fs::read_link(profile.join("SingletonLock")) else {
        return;
    };
    let Some(pid) = target
        .to_string_lossy()
        .rsplit('-')
        .next()
        .and_then(|p| p.parse::<u32>().ok())
    else {
        return;
    };
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    if String::from_utf8_lossy(&cmdline).contains(&*profile.to_string_lossy()) {
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .status();
    }
}

/// A chromedriver process, killed on drop.
pub(super) struct Driver {
    /// The chromedriver process.
    child: Child,
    /// `http://127.0.0.1:<port>`, where it takes WebDriver sessions.
    pub(super) url: String,
}

impl Driver {
    /// Starts `exe` logging to `log` and waits until it listens.
    pub(super) fn start(exe: &Path, log: &Path) -> Self {
        let port = free_port();
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen in 10 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
