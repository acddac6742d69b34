//! Shop's mobile backend: approves a scanned QR for one of Shop's own users, by client
//! credentials. Shop's app only ever talks to Shop; this talks to qrlogin.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

/// A confidential qrlogin client with grant `client_credentials` and scope `qr:approve`.
pub struct MobileBackend {
    /// qrlogin's base URL.
    pub qrlogin: String,
    /// The client id.
    pub client_id: String,
    /// The client secret (`qlc_…`), from `qrlogin clients add`.
    pub client_secret: String,
    http: reqwest::Client,
}

impl MobileBackend {
    /// A backend for `client_id` at the qrlogin at `qrlogin`.
    pub fn new(qrlogin: &str, client_id: &str, client_secret: &str) -> Self {
        Self {
            qrlogin: qrlogin.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            http: qrlogin_client::http_builder()
                .build()
                .expect("an HTTP client"),
        }
    }

    async fn access_token(&self) -> Result<String> {
        let res = self
            .http
            .post(format!("{}/oauth2/token", self.qrlogin))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=qr%3Aapprove")
            .send()
            .await?;
        let body: Value = res.json().await?;
        body["access_token"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("no access token: {body}"))
    }

    async fn call(&self, token: &str, path: &str, body: Value) -> Result<Value> {
        let res = self
            .http
            .post(format!("{}/api/v1/backend/qr/{path}", self.qrlogin))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?;
        let status = res.status();
        let body: Value = res.json().await?;
        if !status.is_success() {
            bail!("qrlogin answered {status}: {body}");
        }
        Ok(body)
    }

    /// Shop user `user_id` (named `name`) scanned QR `qr_id` in Shop's app and said yes:
    /// scan and confirm for them. Answers the scan (what the app showed the user).
    pub async fn approve(&self, qr_id: &str, user_id: &str, name: &str) -> Result<Value> {
        let token = self.access_token().await?;
        let device =
            json!({ "id": format!("shop-app-{user_id}"), "type": "ios", "name": "Shop app" });
        let scan = self
            .call(
                &token,
                &format!("{qr_id}/scan"),
                json!({ "subject": user_id, "display_name": name, "avatar_url": null, "device": device }),
            )
            .await?;
        let ticket = scan["scan_ticket"].clone();
        self.call(
            &token,
            &format!("{qr_id}/confirm"),
            json!({ "subject": user_id, "scan_ticket": ticket }),
        )
        .await?;
        Ok(scan)
    }
}
