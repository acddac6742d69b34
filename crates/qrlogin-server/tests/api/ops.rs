//! Operations endpoints, pages, panics.

use crate::helpers::*;
use axum::routing::get;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    app.client.healthz().await.unwrap();
    app.client.readyz().await.unwrap();
    let (pc, _) = app.confirmed().await;
    pc.redeem().await.unwrap();
    let text = app
        .raw()
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "qrlogin_http_requests_total",
        "qrlogin_transitions_total",
        "qrlogin_logins_total",
        "qrlogin_waiters",
    ] {
        assert!(text.contains(name), "metrics lack {name}");
    }
    assert!(!text.contains(pc.qr_id()), "metrics must not carry ids");
}

#[tokio::test]
async fn the_openapi_document_covers_every_endpoint() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .raw()
        .get(format!("{}/openapi.json", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/qr",
        "/api/v1/qr/{qr_id}",
        "/api/v1/qr/{qr_id}/qr.svg",
        "/api/v1/qr/{qr_id}/qr.png",
        "/api/v1/qr/{qr_id}/redeem",
        "/api/v1/qr/{qr_id}/events",
        "/api/v1/qr/{qr_id}/ws",
        "/api/v1/auth/login",
        "/api/v1/qr/{qr_id}/scan",
        "/api/v1/qr/{qr_id}/confirm",
        "/api/v1/qr/{qr_id}/cancel",
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}",
        "/api/v1/me",
        "/api/v1/logout",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(p), "openapi lacks {p}");
    }
}

#[tokio::test]
async fn pages_are_served_with_a_strict_content_security_policy() {
    let app = spawn_app().await;
    for path in ["/", "/m", "/m/qr/AAAAAAAAAAAAAAAAAAAAAA", "/qrlogin.js"] {
        let res = app
            .raw()
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        let etag = res.headers()["etag"].clone();
        let again = app
            .raw()
            .get(format!("{}{path}", app.url))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_goes_on() {
    let built = qrlogin_server::Application::build(qrlogin_server::Config::for_tests())
        .await
        .unwrap();
    let state = built.state().clone();
    let router = axum::Router::new()
        .route(
            "/boom",
            get(|| async { panic!("test panic") as &'static str }),
        )
        .route("/ok", get(|| async { "ok" }));
    let app = qrlogin_server::routes::finish(router, state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = qrlogin_client::http_builder().build().unwrap();
    expect_problem(http.get(format!("{url}/boom")), 500, "internal").await;
    assert_eq!(
        http.get(format!("{url}/ok")).send().await.unwrap().status(),
        200
    );
}
