//! Shop's web backend: the page with the qrlogin widget, and `/session`, which verifies
//! the QR login's `id_token` against qrlogin's JWKS (offline but for fetching the keys)
//! and starts Shop's own cookie session.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The web backend's state: where qrlogin is, Shop's client id, and its sessions.
#[derive(Clone)]
pub struct Web {
    /// qrlogin's public URL (the `iss` of its tokens).
    pub qrlogin: String,
    /// Shop's client id at qrlogin (the `aud` of its ID tokens).
    pub client_id: String,
    sessions: Arc<Mutex<HashMap<String, String>>>,
    http: reqwest::Client,
}

/// What the ID token says about the user.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    name: Option<String>,
}

impl Web {
    /// A web backend for `client_id` at qrlogin `qrlogin`.
    pub fn new(qrlogin: &str, client_id: &str) -> Self {
        Self {
            qrlogin: qrlogin.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            sessions: Default::default(),
            http: qrlogin_client::http_builder()
                .build()
                .expect("an HTTP client"),
        }
    }

    /// Verifies an ID token: signature by a key of qrlogin's JWKS (ES256/RS256 only),
    /// `iss`, `aud`, `exp`. Answers "name (sub)".
    pub async fn verify(&self, id_token: &str) -> anyhow::Result<String> {
        let header = jsonwebtoken::decode_header(id_token)?;
        anyhow::ensure!(
            matches!(header.alg, Algorithm::ES256 | Algorithm::RS256),
            "algorithm refused"
        );
        let jwks: JwkSet = self
            .http
            .get(format!("{}/oauth2/jwks", self.qrlogin))
            .send()
            .await?
            .json()
            .await?;
        let kid = header.kid.ok_or_else(|| anyhow::anyhow!("no kid"))?;
        let jwk = jwks
            .find(&kid)
            .ok_or_else(|| anyhow::anyhow!("unknown kid"))?;
        let mut v = Validation::new(header.alg);
        v.set_issuer(&[&self.qrlogin]);
        v.set_audience(&[&self.client_id]);
        let data = jsonwebtoken::decode::<Claims>(id_token, &DecodingKey::from_jwk(jwk)?, &v)?;
        let c = data.claims;
        Ok(format!("{} ({})", c.name.unwrap_or_default(), c.sub))
    }

    /// The routes: `/` (the page), `/session` (sign in), `/me` (who am I).
    pub fn router(self) -> Router {
        Router::new()
            .route("/", get(page))
            .route("/session", post(session))
            .route("/me", get(me))
            .with_state(self)
    }
}

async fn page(State(web): State<Web>) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script src="{q}/qrlogin.js"></script></head><body><h1>Shop</h1><div id="login"></div>
<script>
QrLogin.mount(document.getElementById("login"), {{ server: "{q}", clientId: "{c}",
  onLogin: async (r) => {{
    const res = await fetch("/session", {{ method: "POST", headers: {{ "content-type": "application/json" }},
      body: JSON.stringify({{ id_token: r.id_token }}) }});
    document.body.textContent = res.ok ? "Signed in as " + (await res.json()).user : "Sign-in refused";
  }} }});
</script></body></html>"#,
        q = web.qrlogin,
        c = web.client_id
    ))
}

/// `POST /session` body.
#[derive(Deserialize)]
struct SessionRequest {
    id_token: String,
}

async fn session(State(web): State<Web>, Json(req): Json<SessionRequest>) -> Response {
    let user = match web.verify(&req.id_token).await {
        Ok(u) => u,
        Err(e) => return (StatusCode::UNAUTHORIZED, e.to_string()).into_response(),
    };
    let mut id = [0u8; 16];
    if getrandom::fill(&mut id).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let id = hex::encode(id);
    web.sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.clone(), user.clone());
    let cookie = format!("shop_session={id}; HttpOnly; SameSite=Lax; Path=/");
    (
        [(header::SET_COOKIE, cookie)],
        Json(serde_json::json!({ "user": user })),
    )
        .into_response()
}

async fn me(State(web): State<Web>, headers: HeaderMap) -> Response {
    let id = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| {
            c.split(';')
                .find_map(|p| p.trim().strip_prefix("shop_session="))
        })
        .unwrap_or_default();
    match web
        .sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(id)
    {
        Some(user) => Json(serde_json::json!({ "user": user })).into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
