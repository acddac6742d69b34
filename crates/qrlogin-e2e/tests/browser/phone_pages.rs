//! The phone web app in a second browser: the QR's URL, sign-in, who is asking,
//! Confirm; then `/m` lists the PC's session and Revoke ends it.

use crate::app::{qr_id_of, Server};
use crate::harness::{Test, WAIT};

#[tokio::test]
async fn the_phone_pages_confirm_a_login_and_revoke_the_session_they_made() {
    let Some(t) = Test::start("phone_pages").await else {
        return;
    };
    let server = Server::start().await;
    let pc = t.desktop().await;
    let phone = t.phone("phone", 390, 844, 2.0).await;

    pc.goto(&server.at("/")).await;
    pc.wait_state("pending").await;
    // The "Can't scan? Open this link" URL is the QR's content.
    let link = pc
        .js(
            "return document.querySelector('.qrlogin-url a').href;",
            vec![],
        )
        .await;
    let content = link.as_str().expect("a link").to_owned();
    let qr_id = qr_id_of(&server, &content);

    // The camera app opens the URL: not signed in yet, so the form comes first.
    phone.goto(&content).await;
    phone.wait_view("signin").await;
    phone.shot("01-signin").await;
    phone.type_into("#username", "alice").await;
    phone.type_into("#password", "alice-demo").await;
    phone.click("#signin-submit").await;

    // Signing in resumes the page, but opening a link is not a scan: the phone asks
    // first, and the PC learns nothing (no name, no claim) until the tap.
    phone.wait_view("prescan").await;
    phone.shot("01b-prescan").await;
    assert_eq!(
        pc.attr(".qrlogin", "data-state").await.as_deref(),
        Some("pending"),
        "the PC is still waiting: nothing was scanned yet"
    );
    let status = server
        .client
        .http()
        .get(server.at(&format!("/api/v1/qr/{qr_id}")))
        .send()
        .await
        .expect("GET status without a token");
    assert_eq!(
        status.status().as_u16(),
        401,
        "the status still needs the poll token"
    );
    phone.click("#prescan-continue").await;
    phone.wait_view("request").await;
    pc.wait_state("scanned").await;
    assert!(pc.text(".qrlogin-status").await.contains("Alice"));
    let device = phone.text("#req-device").await;
    assert!(device.contains("Chrome on Linux"), "device: {device:?}");
    // What the server saw comes first; the PC's own words are labelled as such.
    let order = phone
        .js(
            "var ip = document.getElementById('req-ip'), dev = document.getElementById('req-device'); \
             return !!(ip.compareDocumentPosition(dev) & Node.DOCUMENT_POSITION_FOLLOWING);",
            vec![],
        )
        .await;
    assert_eq!(order, true, "the IP is shown before the self-reported name");
    let label = phone.text(".self-reported dt").await;
    assert!(label.to_lowercase().contains("says"), "label: {label:?}");
    assert_eq!(phone.text("#req-ip").await, "127.0.0.1");
    assert!(!phone.text("#req-time").await.is_empty());
    assert!(phone.visible("#confirm").await && phone.visible("#decline").await);
    let png = phone.shot("02-request").await;
    phone.save_doc("phone-confirm.png", &png);
    pc.shot("02-scanned").await;

    phone.click("#confirm").await;
    phone
        .wait_for(
            "the confirmed result",
            "document.querySelector('#view-result[data-result=confirmed]:not([hidden])')",
            WAIT,
        )
        .await;
    phone.shot("03-confirmed").await;
    pc.wait_view("signed-in").await;
    assert_eq!(pc.text("#me-name").await, "Alice");
    pc.shot("03-signed-in").await;
    let token = pc
        .js(
            "return sessionStorage.getItem('qrlogin.session_token');",
            vec![],
        )
        .await;
    let token = token
        .as_str()
        .expect("the PC keeps its session token")
        .to_owned();
    server
        .client
        .me(&token)
        .await
        .expect("the PC session works");

    // The phone's home lists that PC; Revoke signs it out at once.
    phone.goto(&server.at("/m")).await;
    phone.wait_view("home").await;
    phone
        .wait_for(
            "the PC in the sessions list",
            "document.querySelectorAll('#sessions li[data-session-id]').length === 1",
            WAIT,
        )
        .await;
    let entry = phone.text("#sessions li[data-session-id]").await;
    assert!(entry.contains("Chrome on Linux"), "entry: {entry:?}");
    phone.shot("04-home").await;
    phone.click("#sessions li[data-session-id] .revoke").await;
    phone
        .wait_for(
            "the revoked session to leave the list",
            "document.querySelectorAll('#sessions li[data-session-id]').length === 0",
            WAIT,
        )
        .await;
    phone.shot("05-revoked").await;
    let err = server.client.me(&token).await.expect_err("revoked");
    assert_eq!(err.status(), Some(401), "{err}");

    // The PC notices on its next look at /me (a reload): back to the login view.
    pc.client.refresh().await.expect("reload");
    pc.wait_view("login").await;
    pc.wait_state("pending").await;
    pc.shot("04-after-revoke").await;

    // The phone stays signed in (localStorage): the next code's URL goes straight to
    // the question, and Decline there reaches the PC.
    let content = pc
        .js(
            "return document.querySelector('.qrlogin-url a').href;",
            vec![],
        )
        .await;
    phone.goto(content.as_str().expect("a link")).await;
    phone.wait_view("prescan").await;
    phone.click("#prescan-continue").await;
    phone.wait_view("request").await;
    pc.wait_state("scanned").await;
    phone.click("#decline").await;
    phone
        .wait_for(
            "the declined result",
            "document.querySelector('#view-result[data-result=declined]:not([hidden])')",
            WAIT,
        )
        .await;
    pc.wait_state("cancelled").await;
    assert_eq!(
        pc.attr(".qrlogin", "data-reason").await.as_deref(),
        Some("declined")
    );
    phone.shot("06-declined").await;
    pc.shot("05-declined").await;

    // Home shows "Recent activity" when the server keeps an activity log (404 from a
    // server without one hides the card), and Sign out forgets the phone's token.
    phone.goto(&server.at("/m")).await;
    phone.wait_view("home").await;
    let token = phone
        .js(
            "return JSON.parse(localStorage.getItem('qrlogin.m.access_token')).token;",
            vec![],
        )
        .await;
    let token = token
        .as_str()
        .expect("the phone keeps its token")
        .to_owned();
    let device_id = phone
        .js(
            "return localStorage.getItem('qrlogin.m.device_id');",
            vec![],
        )
        .await;
    let activity = server
        .client
        .http()
        .get(server.at("/api/v1/activity?limit=20"))
        .bearer_auth(&token)
        .header("X-Device-Id", device_id.as_str().unwrap_or_default())
        .send()
        .await
        .expect("GET /api/v1/activity");
    if activity.status().as_u16() == 404 {
        phone
            .wait_for(
                "the sessions to load",
                "document.getElementById('sessions').children.length > 0",
                WAIT,
            )
            .await;
        assert!(!phone.visible("#activity-card").await, "no log, no card");
    } else {
        phone
            .wait_for(
                "the activity list",
                "document.querySelectorAll('#activity li').length > 0 && \
                 !document.getElementById('activity-card').hidden",
                WAIT,
            )
            .await;
        phone.shot("07-activity").await;
    }
    phone.click("#signout").await;
    phone.wait_view("signin").await;
    let left = phone
        .js(
            "return localStorage.getItem('qrlogin.m.access_token');",
            vec![],
        )
        .await;
    assert_eq!(left, serde_json::Value::Null, "the token is forgotten");
    phone.shot("08-signed-out").await;

    pc.assert_console_clean().await;
    phone.assert_console_clean().await;
    pc.assert_no_secret_in_urls().await;
    phone.assert_no_secret_in_urls().await;
    assert_ne!(qr_id, "");
    pc.close().await;
    phone.close().await;
}
