//! The relying party's plumbing: an HTTP client for `openidconnect` over the
//! workspace's reqwest (redirects never followed, as the crate advises), discovery,
//! and the PC page played over HTTP.

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    ClientId, EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl,
    RedirectUrl,
};
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope};
use qrlogin_client::Phone;
use qrlogin_server::Config;
pub use qrlogin_testkit::TestApp;
use serde_json::Value;

/// The demo client's redirect, on a loopback port of our choosing (RFC 8252).
pub const REDIRECT: &str = "http://127.0.0.1:49152/callback";

/// A client as `from_provider_metadata` makes it.
pub type Rp = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A reqwest client that never follows redirects.
pub fn http() -> reqwest::Client {
    // The workspace's shared builder: it installs the rustls provider reqwest needs.
    qrlogin_client::http_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// One request of `openidconnect`, sent with reqwest.
pub async fn send(c: reqwest::Client, req: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
    let (parts, body) = req.into_parts();
    let res = c
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut out = http::Response::builder().status(res.status());
    for (k, v) in res.headers() {
        out = out.header(k, v);
    }
    let body = res.bytes().await?;
    Ok(out.body(body.to_vec()).expect("response"))
}

/// The server with demo data on a `ManualClock`.
pub async fn spawn() -> TestApp {
    qrlogin_testkit::spawn_app_with_manual_clock(Config::for_tests()).await
}

/// Discovery by the stock client.
pub async fn metadata(app: &TestApp) -> CoreProviderMetadata {
    let c = http();
    let hc = move |r| send(c.clone(), r);
    CoreProviderMetadata::discover_async(IssuerUrl::new(app.url.clone()).expect("issuer"), &hc)
        .await
        .expect("discovery")
}

/// The stock client as the public client `client_id`, redirecting to [`REDIRECT`].
pub async fn rp(app: &TestApp, client_id: &str) -> Rp {
    CoreClient::from_provider_metadata(metadata(app).await, ClientId::new(client_id.into()), None)
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).expect("redirect"))
}

/// The PC page's QR session for an authorization URL: `GET` the page (it must name
/// `client_name`), then create the QR session it would create.
pub async fn open_page(app: &TestApp, authorize_url: &url::Url, client_name: &str) -> Value {
    let page = http()
        .get(authorize_url.as_str())
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains(&format!("Sign in to {client_name}")),
        "the page names the client"
    );
    let query = authorize_url.query().unwrap_or_default();
    let res = http()
        .post(format!("{}/oauth2/authorize/session?{query}", app.url))
        .send()
        .await
        .expect("session");
    assert_eq!(res.status(), 201);
    res.json().await.expect("json")
}

/// The page hands its ended QR session back; answers the `Location` of the `303`.
pub async fn complete(app: &TestApp, qr: &Value) -> url::Url {
    let res = http()
        .post(format!("{}/oauth2/authorize/complete", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("qr_id", qr["qr_id"].as_str().expect("id")),
            ("poll_token", qr["poll_token"].as_str().expect("token")),
        ]))
        .send()
        .await
        .expect("complete");
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().expect("location");
    url::Url::parse(to).expect("url")
}

/// Alice's phone scans and confirms (`true`) or declines QR session `qr_id`.
pub async fn phone_decides(app: &TestApp, qr_id: &str, confirm: bool) -> Phone {
    let phone = app.phone("alice", "phone-1").await;
    let scan = phone.scan(qr_id).await.expect("scan");
    if confirm {
        phone
            .confirm(qr_id, &scan.scan_ticket)
            .await
            .expect("confirm");
    } else {
        phone
            .decline(qr_id, &scan.scan_ticket)
            .await
            .expect("decline");
    }
    phone
}

/// A parameter of a redirect.
pub fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A raw token request; answers status and JSON body.
pub async fn token(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let res = http()
        .post(format!("{}/oauth2/token", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(form))
        .send()
        .await
        .expect("token");
    let status = res.status().as_u16();
    assert_eq!(res.headers()["cache-control"], "no-store");
    (status, res.json().await.expect("json"))
}

/// A form body (`application/x-www-form-urlencoded`).
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// One login through the page and the phone: the code, the verifier and the nonce.
pub async fn login(app: &TestApp, rp: &Rp) -> (String, PkceCodeVerifier, Nonce) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let qr = open_page(app, &url, "Demo").await;
    phone_decides(app, qr["qr_id"].as_str().expect("id"), true).await;
    let back = complete(app, &qr).await;
    assert!(back.as_str().starts_with(REDIRECT));
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(param(&back, "iss").as_deref(), Some(app.url.as_str()));
    (param(&back, "code").expect("code"), verifier, nonce)
}
