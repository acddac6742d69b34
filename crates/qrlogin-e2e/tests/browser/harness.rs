//! The browser side of the tests: chromedriver and headless Chromium from Debian.
//!
//! One [`Test`] per test function: it takes one of a few slots (2 cores: more browsers
//! at once only make every test slower), makes `target/e2e-artifacts/<test>/`, and
//! starts its own chromedriver on a free port, killed on drop. Each [`Browser`] it opens
//! is a separate WebDriver session: its own Chromium process with a fresh profile
//! (`--user-data-dir` in a temp dir), so two of them are two separate "devices".
//!
//! Here: the [`Test`] and how it opens browsers. The processes behind it are in
//! `driver`, what a test does on a page in `browser`, and what it reads back beyond
//! the page (screenshots, the console, requested URLs, CDP emulation) in `inspect`.

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

mod browser;
mod driver;
mod inspect;
pub use browser::Browser;
use driver::{find_tools, Driver, TempDir};
pub use inspect::is_violation;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Flags that keep Chromium headless, quiet, and off the network (loopback only).
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];

/// How many tests drive a browser at once. A tokio semaphore works across the
/// separate runtimes of `#[tokio::test]` functions.
static SLOTS: Semaphore = Semaphore::const_new(2);

/// What most waits allow: generous for a loaded 2-core machine, yet bounded.
pub const WAIT: Duration = Duration::from_secs(10);

/// The repository's `target/` (or `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// The repository root, for `docs/img/`.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One test's browser context: a slot, an artifacts directory, a chromedriver.
pub struct Test {
    name: String,
    dir: PathBuf,
    // Dropped after the browsers (fields drop in order; browsers hold their own clones).
    driver: Driver,
    _slot: SemaphorePermit<'static>,
}

impl Test {
    /// `None` (after saying so loudly) when Chromium is not installed, except under
    /// `CI=true`, where a missing browser fails the test: CI must really run them.
    pub async fn start(name: &str) -> Option<Test> {
        let exe = match find_tools() {
            Ok(exe) => exe,
            Err(why) => {
                let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
                assert!(
                    !ci,
                    "{why}: browser tests cannot run under CI=true (run .ci/browser-deps.sh)"
                );
                // Straight to stderr: the test harness captures eprintln! of a passing
                // test, and a skip must not go unnoticed.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "\n!!!!! SKIPPED browser test {name}: {why}. \
                     Install with .ci/browser-deps.sh (Debian's chromium, chromium-driver) !!!!!"
                );
                return None;
            }
        };
        let slot = SLOTS.acquire().await.expect("semaphore never closes");
        let dir = target_dir().join("e2e-artifacts").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the artifacts dir");
        let driver = Driver::start(&exe, &dir.join("chromedriver.log"));
        Some(Test {
            name: name.to_owned(),
            dir,
            driver,
            _slot: slot,
        })
    }

    /// A new browser (its own Chromium, its own profile) with a desktop window.
    pub async fn desktop(&self) -> Browser {
        self.browser("pc", None, None).await
    }

    /// A desktop browser whose user prefers `lang` (e.g. `zh-CN`): Chromium's `--lang`
    /// and its Accept-Language preference, as a browser set up in that language.
    pub async fn desktop_in(&self, label: &str, lang: &str) -> Browser {
        self.browser(label, None, Some(lang)).await
    }

    /// A new browser emulating a phone screen of `width`×`height` CSS pixels at
    /// `scale` device pixels each, with a phone's user agent and touch.
    pub async fn phone(&self, label: &str, width: u32, height: u32, scale: f64) -> Browser {
        self.phone_in(label, width, height, scale, None).await
    }

    /// [`Test::phone`] whose user prefers `lang` (see [`Test::desktop_in`]).
    pub async fn phone_in(
        &self,
        label: &str,
        width: u32,
        height: u32,
        scale: f64,
        lang: Option<&str>,
    ) -> Browser {
        let emulation = json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": scale, "touch": true },
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
        });
        self.browser(label, Some(emulation), lang).await
    }

    async fn browser(&self, label: &str, emulation: Option<Value>, lang: Option<&str>) -> Browser {
        let profile = TempDir::new(label);
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.0.display()));
        // Without a language of its own, Chromium would take the machine's locale.
        let lang = lang.unwrap_or("en-US");
        args.push(format!("--lang={lang}"));
        args.push(format!("--accept-lang={lang}"));
        let mut options = json!({
            "binary": CHROMIUM,
            "args": args,
            "prefs": { "intl": { "accept_languages": lang } },
        });
        if let Some(e) = emulation {
            options["mobileEmulation"] = e;
        }
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": options,
            // The console, so CSP violations ("Refused to …") can be read back.
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = connect(&self.driver.url, caps).await;
        Browser {
            client,
            label: label.to_owned(),
            dir: self.dir.clone(),
            test: self.name.clone(),
            log: Mutex::new(Vec::new()),
            _profile: profile,
        }
    }
}

/// A WebDriver session on chromedriver at `url`, with one retry.
async fn connect(url: &str, caps: Capabilities) -> Client {
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let mut last = None;
    // Chromium's first start on a cold disk can be slow; one retry covers a hiccup.
    for _ in 0..2 {
        let mut builder = ClientBuilder::new(connector.clone());
        builder.capabilities(caps.clone());
        match tokio::time::timeout(Duration::from_secs(30), builder.connect(url)).await {
            Ok(Ok(c)) => return c,
            Ok(Err(e)) => last = Some(e.to_string()),
            Err(_) => last = Some("no session within 30 s".into()),
        }
    }
    panic!(
        "cannot start Chromium through chromedriver: {}",
        last.unwrap_or_default()
    );
}
