//! The typed calls against a stub server: paths, methods, headers, bodies, and how
//! every kind of failure answer is mapped to [`Error`].

mod common;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use common::*;
use qrlogin_client::{Client, DeviceInfo, Error, ErrorCode, Method, QrState};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

type Log = Arc<Mutex<Vec<String>>>;

/// Records every request's method and URI, to check no token ever goes in a URL.
async fn record(State(log): State<Log>, req: Request, next: Next) -> Response {
    log.lock()
        .unwrap()
        .push(format!("{} {}", req.method(), req.uri()));
    next.run(req).await
}

fn pc_routes() -> Router {
    let guarded = |body: Value| {
        move |h: HeaderMap| async move {
            if has_poll_token(&h) {
                Json(body).into_response()
            } else {
                problem(401, "unauthorized")
            }
        }
    };
    Router::new()
        .route("/api/v1/qr", post(|Json(b): Json<Value>| async move {
            assert_eq!(b["device"]["name"], "Test PC");
            (StatusCode::CREATED, Json(json!({
                "qr_id": QR, "poll_token": POLL, "state": "pending", "version": 1,
                "qr_content": format!("http://x/m/qr/{QR}"), "qr_svg": format!("/api/v1/qr/{QR}/qr.svg"),
                "qr_png": format!("/api/v1/qr/{QR}/qr.png"), "expires_at": "2026-11-21T19:00:00Z",
                "expires_in": 120, "poll_interval": 1 })))
        }))
        .route("/api/v1/qr/{id}", get(|h: HeaderMap, req: Request| async move {
            if !has_poll_token(&h) { return problem(401, "unauthorized"); }
            let v = if req.uri().query() == Some("wait=20&since=2") { 3 } else { 1 };
            Json(status(v, "pending")).into_response()
        }).delete(guarded(status(2, "cancelled"))))
        .route("/api/v1/qr/{id}/redeem", post(guarded(json!({
            "session_token": "qlw_s", "token_type": "Bearer", "expires_in": 604800,
            "account": { "id": "acc_1", "display_name": "Alice", "avatar_url": null } }))))
        .route("/api/v1/qr/{id}/qr.svg", get(|Path(id): Path<String>| async move {
            if id == QR { "<svg/>".into_response() } else { problem(404, "qr_not_found") }
        }))
        .route("/api/v1/qr/{id}/qr.png", get(|| async { b"\x89PNG".to_vec() }))
}

#[tokio::test]
async fn the_pc_role_sends_its_poll_token_in_the_header_and_never_in_a_url() {
    let log = Log::default();
    let app = pc_routes().layer(middleware::from_fn_with_state(log.clone(), record));
    let client = spawn(app).await;
    let device = DeviceInfo {
        name: Some("Test PC".into()),
        ..Default::default()
    };
    let pc = client.create_qr(Some(device)).await.unwrap();
    assert_eq!(pc.qr_id(), QR);
    assert_eq!(pc.created().unwrap().expires_in, 120);
    assert_eq!(
        format!("{pc:?}"),
        format!("Pc {{ qr_id: {QR:?}, poll_token: Token(qlp_***) }}")
    );
    assert_eq!(&pc.qr_svg().await.unwrap()[..], b"<svg/>");
    assert_eq!(&pc.qr_png().await.unwrap()[..], b"\x89PNG");
    assert_eq!(
        client.qr_svg("nope").await.unwrap_err().code(),
        Some(ErrorCode::QrNotFound)
    );
    assert_eq!(pc.status().await.unwrap().version, 1);
    assert_eq!(pc.wait(2, 20).await.unwrap().version, 3);
    assert_eq!(pc.redeem().await.unwrap().account.display_name, "Alice");
    assert_eq!(pc.cancel().await.unwrap().state, QrState::Cancelled);
    let stranger = client.pc(QR, "qlp_other");
    assert_eq!(
        stranger.status().await.unwrap_err().code(),
        Some(ErrorCode::Unauthorized)
    );
    let log = log.lock().unwrap();
    assert!(
        log.iter().any(|l| l.ends_with("?wait=20&since=2")),
        "{log:?}"
    );
    assert!(
        log.iter()
            .all(|l| !l.contains("qlp_") && !l.contains("qlw_")),
        "{log:?}"
    );
}

/// The phone stub: every route demands the token *and* the device id it was bound to.
fn phone_routes() -> Router {
    fn authed(h: &HeaderMap) -> Option<Response> {
        if h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some("Bearer qlm_m") {
            return Some(problem(401, "unauthorized"));
        }
        (h.get("x-device-id").and_then(|v| v.to_str().ok()) != Some("phone-1"))
            .then(|| problem(401, "device_mismatch"))
    }
    let decide = |state: &'static str| {
        move |h: HeaderMap, Json(b): Json<Value>| async move {
            if let Some(r) = authed(&h) {
                return r;
            }
            if b["scan_ticket"] != "qls_t" {
                return problem(403, "invalid_scan_ticket");
            }
            Json(json!({ "qr_id": QR, "state": state, "version": 3 })).into_response()
        }
    };
    Router::new()
        .route("/api/v1/auth/login", post(|Json(b): Json<Value>| async move {
            if b["password"] != "alice-demo" { return problem(401, "invalid_credentials"); }
            Json(json!({ "access_token": "qlm_m", "token_type": "Bearer", "expires_in": 9,
                "account": { "id": "acc_1", "display_name": "Alice", "avatar_url": null },
                "device": b["device"] })).into_response()
        }))
        .route("/api/v1/qr/{id}/scan", post(|h: HeaderMap| async move {
            if let Some(r) = authed(&h) { return r; }
            Json(json!({ "qr_id": QR, "state": "scanned", "scan_ticket": "qls_t", "expires_in": 95,
                "requester": { "device": { "type": "web", "name": "Firefox" }, "ip": "203.0.113.7",
                "user_agent": "ua", "created_at": "2026-11-21T19:00:00Z" } })).into_response()
        }))
        .route("/api/v1/qr/{id}/confirm", post(decide("confirmed")))
        .route("/api/v1/qr/{id}/cancel", post(decide("cancelled")))
        .route("/api/v1/sessions", get(|h: HeaderMap| async move {
            authed(&h).unwrap_or_else(|| Json(json!({ "sessions": [{ "id": "ses_1",
                "created_at": "a", "expires_at": "b", "device": null, "ip": "1.2.3.4" }] })).into_response())
        }))
        .route("/api/v1/sessions/{id}", axum::routing::delete(|h: HeaderMap, Path(id): Path<String>| async move {
            authed(&h).unwrap_or_else(|| if id == "ses_1" { StatusCode::NO_CONTENT.into_response() }
                else { problem(404, "not_found") })
        }))
}

#[tokio::test]
async fn the_phone_role_sends_its_token_and_device_id_on_every_request() {
    let client = spawn(phone_routes()).await;
    let device = DeviceInfo {
        id: Some("phone-1".into()),
        kind: Some("ios".into()),
        name: None,
    };
    let wrong = client
        .login_phone("alice", "nope", device.clone())
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some(ErrorCode::InvalidCredentials));
    let phone = client
        .login_phone("alice", "alice-demo", device)
        .await
        .unwrap();
    assert_eq!(phone.device_id(), "phone-1");
    assert_eq!(phone.account().unwrap().display_name, "Alice");
    assert!(!format!("{phone:?}").contains("qlm_m"));
    let scan = phone.scan(QR).await.unwrap();
    assert_eq!(scan.requester.ip, "203.0.113.7");
    assert_eq!(
        phone.confirm(QR, &scan.scan_ticket).await.unwrap().state,
        QrState::Confirmed
    );
    assert_eq!(
        phone.decline(QR, &scan.scan_ticket).await.unwrap().state,
        QrState::Cancelled
    );
    let bad = phone.confirm(QR, "qls_forged").await.unwrap_err();
    assert_eq!(bad.code(), Some(ErrorCode::InvalidScanTicket));
    assert_eq!(bad.status(), Some(403));
    assert_eq!(phone.sessions().await.unwrap()[0].id, "ses_1");
    phone.revoke("ses_1").await.unwrap();
    assert_eq!(
        phone.revoke("ses_2").await.unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );
    let elsewhere = phone.with_device_id("phone-2").scan(QR).await.unwrap_err();
    assert_eq!(elsewhere.code(), Some(ErrorCode::DeviceMismatch));
    let kept = client.phone("qlm_m", "phone-1");
    assert_eq!(kept.sessions().await.unwrap().len(), 1);
}

#[tokio::test]
async fn every_kind_of_failure_answer_maps_to_one_error_type() {
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(|| async { problem(503, "store_unavailable") }),
        )
        .route(
            "/html",
            get(|| async {
                (
                    StatusCode::BAD_GATEWAY,
                    [(header::CONTENT_TYPE, "text/html")],
                    "<h1>Bad Gateway</h1>",
                )
            }),
        )
        .route(
            "/rate",
            get(|| async {
                let mut r = problem(429, "rate_limited");
                r.headers_mut()
                    .insert(header::RETRY_AFTER, "3".parse().unwrap());
                r
            }),
        )
        .route("/garbage", get(|| async { "not json" }))
        .route("/api/v1/me", get(|| async { problem(401, "unauthorized") }))
        .route("/api/v1/logout", post(|| async { StatusCode::NO_CONTENT }));
    let client = spawn(app).await;
    client.healthz().await.unwrap();
    assert_eq!(
        client.readyz().await.unwrap_err().code(),
        Some(ErrorCode::StoreUnavailable)
    );
    let html = client
        .execute_empty(client.request(Method::GET, "/html"))
        .await
        .unwrap_err();
    assert!(
        matches!(&html, Error::Api { status: 502, code: None, problem: None, detail, .. }
        if detail == "<h1>Bad Gateway</h1>"),
        "{html:?}"
    );
    let rate = client
        .execute_empty(client.request(Method::GET, "/rate"))
        .await
        .unwrap_err();
    assert_eq!(rate.code(), Some(ErrorCode::RateLimited));
    assert_eq!(rate.retry_after(), Some(std::time::Duration::from_secs(3)));
    let garbage = client
        .execute::<Value>(client.request(Method::GET, "/garbage"))
        .await;
    assert!(matches!(garbage, Err(Error::Decode(_))), "{garbage:?}");
    assert_eq!(
        client.me("qlw_x").await.unwrap_err().code(),
        Some(ErrorCode::Unauthorized)
    );
    client.logout("qlw_x").await.unwrap();
    let missing = client
        .execute_empty(client.request(Method::GET, "/nowhere"))
        .await
        .unwrap_err();
    assert_eq!((missing.status(), missing.code()), (Some(404), None));
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let e = Client::new(format!("http://{addr}"))
        .healthz()
        .await
        .unwrap_err();
    assert!(e.is_transport(), "{e:?}");
    assert_eq!(e.code(), None);
}
