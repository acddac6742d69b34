//! What a test reads back from a browser beyond the page (screenshots, the console,
//! the URLs the page requested) and what it asks of Chromium that WebDriver has no
//! word for (dark mode), through chromedriver's own commands.

use super::browser::{Browser, LogEntry};
use super::repo_root;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value};

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

impl Browser {
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
}

/// A console message that means the CSP blocked something or a script threw.
pub fn is_violation(message: &str) -> bool {
    message.contains("Refused to")
        || message.contains("Content Security Policy")
        || message.contains("Uncaught")
}
