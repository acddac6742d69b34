//! The browser side of the tests: chromedriver and headless Chromium from Debian.
//!
//! One [`Test`] per test function: it takes one of a few slots (2 cores: more browsers
//! at once only make every test slower), makes `target/e2e-artifacts/<test>/`, and
//! starts its own chromedriver on a free port, killed on drop. Each [`Browser`] it opens
//! is a separate WebDriver session: its own Chromium process with a fresh profile
//! (`--user-data-dir` in a temp dir), so two of them are two separate "devices".

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

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

/// chromedriver's path, or why the browser tests cannot run.
fn find_tools() -> Result<PathBuf, String> {
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
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
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
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(exe: &Path, log: &Path) -> Self {
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

/// `POST /session/{id}/se/log {"type":"browser"}`: chromedriver's console log (drained
/// on every read).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// `POST /session/{id}/goog/cdp/execute`: one Chrome DevTools Protocol command, for
/// what WebDriver has no word for (emulating dark mode).
#[derive(Debug)]
struct Cdp(Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// One entry of the browser console.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`, …
    pub level: String,
    /// The message, with its source URL in front.
    pub message: String,
}

/// One browser and the page it shows.
pub struct Browser {
    pub client: Client,
    label: String,
    dir: PathBuf,
    test: String,
    log: Mutex<Vec<LogEntry>>,
    _profile: TempDir,
}

impl Browser {
    /// Opens `url` and waits for the page's load event.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("[{}] goto {url}: {e}", self.label));
    }

    /// Runs `script` (a function body: `return …`) with `args`.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("[{}] script failed: {e}\n{script}", self.label))
    }

    /// Waits until the JS expression `expr` is truthy and returns its value; on timeout
    /// saves a screenshot and fails with what the page shows.
    pub async fn wait_for(&self, what: &str, expr: &str, timeout: Duration) -> Value {
        let script = format!("return ({expr});");
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.client.execute(&script, vec![]).await;
            match v {
                Ok(v) if truthy(&v) => return v,
                Ok(_) => {}
                Err(e) => panic!("[{}] waiting for {what}: script failed: {e}", self.label),
            }
            if Instant::now() >= deadline {
                let page = self.describe().await;
                self.shot(&format!("timeout-{}", slug(what))).await;
                panic!(
                    "[{}] waited {timeout:?} for {what} (`{expr}`); the page shows:\n{page}",
                    self.label
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for the widget's root to reach `state`.
    pub async fn wait_state(&self, state: &str) {
        let expr = format!("document.querySelector('.qrlogin[data-state={state}]')");
        self.wait_for(&format!("widget {state}"), &expr, WAIT).await;
    }

    /// Waits for `body[data-view=view]`.
    pub async fn wait_view(&self, view: &str) {
        let expr = format!("document.body && document.body.getAttribute('data-view') === '{view}'");
        self.wait_for(&format!("view {view}"), &expr, WAIT).await;
    }

    /// The element at `css` (which must exist now).
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("[{}] no {css}: {e}", self.label))
    }

    /// Visible text of `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("[{}] text of {css}: {e}", self.label))
    }

    /// Attribute `name` of `css`.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css)
            .await
            .attr(name)
            .await
            .unwrap_or_else(|e| panic!("[{}] {name} of {css}: {e}", self.label))
    }

    /// Clicks `css` as a user would (WebDriver checks it is visible and not covered).
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("[{}] click {css}: {e}", self.label));
    }

    /// Types `text` into `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("[{}] type into {css}: {e}", self.label));
    }

    /// Presses Enter on `css` (focusing it first), as a keyboard user would.
    pub async fn press_enter(&self, css: &str) {
        self.type_into(css, &char::from(fantoccini::key::Key::Enter).to_string())
            .await;
    }

    /// Fails if any URL this page requested holds a secret (`qlp_`, `qlm_`, `qls_`,
    /// `qlw_`): secrets travel in headers and bodies only, never where logs and
    /// history keep them.
    pub async fn assert_no_secret_in_urls(&self) {
        let urls = self
            .js(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; }) \
                   .concat([location.href]);",
                vec![],
            )
            .await;
        let urls: Vec<&str> = urls
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            urls.len() > 1,
            "[{}] the page made requests: {urls:?}",
            self.label
        );
        for u in &urls {
            for p in ["qlp_", "qlm_", "qls_", "qlw_"] {
                assert!(!u.contains(p), "[{}] a secret in a URL: {u}", self.label);
            }
        }
    }

    /// Makes the page see `prefers-color-scheme: dark` (or light).
    pub async fn color_scheme(&self, scheme: &str) {
        let cmd = json!({
            "cmd": "Emulation.setEmulatedMedia",
            "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] },
        });
        self.client
            .issue_cmd(Cdp(cmd))
            .await
            .unwrap_or_else(|e| panic!("[{}] emulate {scheme}: {e}", self.label));
    }

    /// Whether `css` is the focused element.
    pub async fn focused(&self, css: &str) -> bool {
        let v = self
            .js(
                "var e = document.activeElement; return !!(e && e.matches(arguments[0]));",
                vec![serde_json::json!(css)],
            )
            .await;
        v == Value::Bool(true)
    }

    /// Whether `css` exists and is displayed.
    pub async fn visible(&self, css: &str) -> bool {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
    }

    /// PNG of the element at `css`, as the screen shows it.
    pub async fn element_png(&self, css: &str) -> Vec<u8> {
        self.find(css)
            .await
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("[{}] screenshot of {css}: {e}", self.label))
    }

    /// Saves a screenshot of the viewport as `<artifacts>/<label>-<step>.png`; returns
    /// its bytes.
    pub async fn shot(&self, step: &str) -> Vec<u8> {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("[{}] screenshot: {e}", self.label));
        let path = self.dir.join(format!("{}-{step}.png", self.label));
        std::fs::write(&path, &png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        png
    }

    /// Saves `png` as `docs/img/<name>` when `QRLOGIN_E2E_DOCS=1` (README screenshots
    /// are refreshed on purpose, not by every test run).
    pub fn save_doc(&self, name: &str, png: &[u8]) {
        if std::env::var("QRLOGIN_E2E_DOCS").is_ok_and(|v| v == "1") {
            let dir = repo_root().join("docs/img");
            std::fs::create_dir_all(&dir).expect("create docs/img");
            std::fs::write(dir.join(name), png).expect("write a docs image");
        }
    }

    /// The console entries so far (read from chromedriver, kept here).
    pub async fn console(&self) -> Vec<LogEntry> {
        let got = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .unwrap_or_else(|e| panic!("[{}] read the browser log: {e}", self.label));
        let mut log = self.log.lock().expect("log lock");
        for e in got.as_array().into_iter().flatten() {
            log.push(LogEntry {
                level: e["level"].as_str().unwrap_or_default().to_owned(),
                message: e["message"].as_str().unwrap_or_default().to_owned(),
            });
        }
        log.clone()
    }

    /// Fails if the console shows a CSP violation or an uncaught script error; the
    /// whole console is saved next to the screenshots either way.
    pub async fn assert_console_clean(&self) {
        let log = self.console().await;
        let text: String = log
            .iter()
            .map(|e| format!("{} {}\n", e.level, e.message))
            .collect();
        let path = self.dir.join(format!("{}-console.txt", self.label));
        let _ = std::fs::write(path, &text);
        let bad: Vec<&LogEntry> = log.iter().filter(|e| is_violation(&e.message)).collect();
        assert!(
            bad.is_empty(),
            "[{} in {}] the console shows CSP violations or script errors:\n{bad:#?}",
            self.label,
            self.test
        );
    }

    /// What the page shows, for failure messages.
    pub async fn describe(&self) -> String {
        let script = "var q = document.querySelector('.qrlogin'); \
            return location.href + '\\nbody[data-view]=' + (document.body && document.body.getAttribute('data-view')) + \
            (q ? '\\nwidget: ' + q.outerHTML.slice(0, 600) : '') + \
            '\\ntext: ' + (document.body ? document.body.innerText.slice(0, 1500) : '');";
        match self.client.execute(script, vec![]).await {
            Ok(v) => v.as_str().unwrap_or_default().to_owned(),
            Err(e) => format!("(cannot read the page: {e})"),
        }
    }

    /// Ends the WebDriver session (closes Chromium).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// A console message that means the CSP blocked something or a script threw.
pub fn is_violation(message: &str) -> bool {
    message.contains("Refused to")
        || message.contains("Content Security Policy")
        || message.contains("Uncaught")
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}
