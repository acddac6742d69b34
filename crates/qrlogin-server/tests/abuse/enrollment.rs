//! Passkey enrollment (`/api/v1/auth/passkeys/enroll/start|finish`) answers anyone who
//! holds a link's secret, so it is an unauthenticated entry point like sign-in: an
//! address past its budget gets 429 `rate_limited` with `Retry-After`, other addresses
//! and the sign-in budget are untouched, and the budget returns when its minute ends.

use crate::helpers::*;
use qrlogin_server::limits::Limits;
use qrlogin_server::Config;
use qrlogin_testkit::spawn_app_with_manual_clock;
use serde_json::{json, Value};

/// An enrollment request to `path` (`start` or `finish`) as if from `ip`.
async fn enroll_from(app: &TestApp, ip: &str, path: &str, body: Value) -> reqwest::Response {
    app.raw()
        .post(format!("{}/api/v1/auth/passkeys/enroll/{path}", app.url))
        .header("x-forwarded-for", ip)
        .json(&body)
        .send()
        .await
        .expect("enrollment request")
}

/// A guessed link secret: well-formed, unknown.
fn guess(n: usize) -> String {
    format!("qle_{:0>43}", n)
}

#[tokio::test]
async fn enrollment_guesses_from_one_address_are_cut_off_at_its_budget_and_others_go_on() {
    let app = spawn_app_with_manual_clock(Config {
        limits: Limits {
            passkey_per_ip_per_minute: 3,
            ..Limits::default()
        },
        ..behind_proxy()
    })
    .await;
    let ip = "203.0.113.7";
    let finish =
        |n| json!({ "token": guess(n), "challenge_id": "nope", "credential": {}, "name": "x" });
    for n in 0..2 {
        let res = enroll_from(&app, ip, "start", json!({ "token": guess(n) })).await;
        assert_eq!(
            res.status(),
            401,
            "a guess within the budget is refused as a guess"
        );
    }
    let third = enroll_from(&app, ip, "finish", finish(2)).await;
    assert_ne!(
        third.status(),
        429,
        "start and finish share one budget of 3"
    );
    for path in ["start", "finish"] {
        let body = if path == "start" {
            json!({ "token": guess(9) })
        } else {
            finish(9)
        };
        let res = enroll_from(&app, ip, path, body).await;
        assert_eq!(res.status(), 429, "{path}");
        assert!(retry_after(&res) >= 1);
        assert_eq!(code(res).await, "rate_limited");
    }
    // Another address, and the same address's passkey sign-in, have budgets of their own.
    let other = enroll_from(&app, "203.0.113.8", "start", json!({ "token": guess(0) })).await;
    assert_eq!(other.status(), 401);
    let sign_in = app
        .raw()
        .post(format!("{}/api/v1/auth/passkeys/login/start", app.url))
        .header("x-forwarded-for", ip)
        .json(&json!({}))
        .send()
        .await
        .expect("sign-in start");
    assert_eq!(sign_in.status(), 200);
    app.advance(60_000);
    let back = enroll_from(&app, ip, "start", json!({ "token": guess(0) })).await;
    assert_eq!(back.status(), 401, "the budget is back after a minute");
}
