//! The W3C WebAuthn WebDriver extension, which chromedriver implements: a virtual
//! authenticator in the browser (a platform passkey with user verification that always
//! succeeds), and its credentials, so passkey tests use Chromium's real WebAuthn code
//! and no mock of ours.

use crate::harness::Browser;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value};

/// `…/session/{id}/webauthn/{path}` with an optional JSON body.
#[derive(Debug)]
struct WebAuthn {
    method: http::Method,
    path: String,
    body: Option<Value>,
}

impl WebDriverCompatibleCommand for WebAuthn {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/webauthn/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(Value::to_string),
        )
    }
}

async fn call(b: &Browser, method: http::Method, path: String, body: Option<Value>) -> Value {
    b.client
        .issue_cmd(WebAuthn {
            method,
            path: path.clone(),
            body,
        })
        .await
        .unwrap_or_else(|e| panic!("webauthn/{path}: {e}"))
}

/// Adds a platform authenticator that keeps resident keys and verifies the user
/// (a phone's screen lock); its id.
pub async fn add_authenticator(b: &Browser) -> String {
    let body = json!({
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
        "hasUserVerification": true, "isUserVerified": true,
    });
    let id = call(b, http::Method::POST, "authenticator".into(), Some(body)).await;
    id.as_str().expect("an authenticator id").to_owned()
}

/// The credentials the authenticator holds (`credentialId`, `rpId`, `privateKey`,
/// `userHandle`, `signCount`, `isResidentCredential`).
pub async fn credentials(b: &Browser, authenticator: &str) -> Vec<Value> {
    let path = format!("authenticator/{authenticator}/credentials");
    let all = call(b, http::Method::GET, path, None).await;
    all.as_array().cloned().unwrap_or_default()
}

/// Puts `credential` back into the authenticator with its signature counter set to
/// `sign_count`: what a copy of the key on another device would present.
pub async fn replace_with_count(
    b: &Browser,
    authenticator: &str,
    credential: &Value,
    sign_count: u64,
) {
    let id = credential["credentialId"].as_str().expect("credentialId");
    let path = format!("authenticator/{authenticator}/credentials/{id}");
    call(b, http::Method::DELETE, path, None).await;
    let mut copy = credential.clone();
    copy["signCount"] = json!(sign_count);
    let path = format!("authenticator/{authenticator}/credential");
    call(b, http::Method::POST, path, Some(copy)).await;
}

/// Signs a `login/start` answer's options in the page, as the phone app would, and
/// returns the assertion as the JSON the server reads. `rp_id` overrides the options'.
pub async fn sign(b: &Browser, options: &Value, rp_id: Option<&str>) -> Value {
    let script = r#"
        var o = arguments[0], rp = arguments[1];
        function b(s) { return Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), function (c) { return c.charCodeAt(0); }).buffer; }
        function u(a) { return btoa(String.fromCharCode.apply(null, new Uint8Array(a))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''); }
        var pk = Object.assign({}, o.publicKey, { challenge: b(o.publicKey.challenge) });
        if (rp) pk.rpId = rp;
        return navigator.credentials.get({ publicKey: pk }).then(function (c) {
          return { id: c.id, rawId: u(c.rawId), type: c.type, extensions: {}, response: {
            authenticatorData: u(c.response.authenticatorData), clientDataJSON: u(c.response.clientDataJSON),
            signature: u(c.response.signature), userHandle: c.response.userHandle ? u(c.response.userHandle) : null } };
        });
    "#;
    b.js(script, vec![options.clone(), json!(rp_id)]).await
}
