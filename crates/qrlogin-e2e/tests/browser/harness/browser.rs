//! One browser and what a test does on its page: go, wait, find, click, type.

use super::driver::TempDir;
use super::WAIT;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    /// The name in failure messages and artifact file names (`pc`, `phone`, …).
    pub(super) label: String,
    /// The test's artifacts directory.
    pub(super) dir: PathBuf,
    /// The test's name, for failure messages.
    pub(super) test: String,
    /// The console entries read so far (chromedriver drains them on every read).
    pub(super) log: Mutex<Vec<LogEntry>>,
    /// The profile directory, removed (and its Chromium ended) on drop.
    pub(super) _profile: TempDir,
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

    /// Ends the WebDriver session (closes Chromium).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Whether JavaScript would call `v` true.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// `s` with every character but ASCII letters and digits as `-`: a file name part.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}
