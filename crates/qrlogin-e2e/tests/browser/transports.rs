//! Each transport of the widget completes a login in the browser: SSE (the default on
//! `/`), and WebSocket and long poll forced with the widget's `transports` option.

use crate::app::Server;
use crate::harness::{Browser, Test, WAIT};
use serde_json::json;

/// Mounts another widget on the page that starts with `transport` (the ones after it
/// in sse → ws → poll stay as fallbacks), signs in through it with Alice's phone, and
/// checks it did so over `expect`.
async fn login_through(pc: &Browser, server: &Server, transport: &str, expect: &str) {
    pc.js(
        "var host = document.createElement('div'); host.id = 'e2e-' + arguments[0] + '-' + arguments[1];
         document.querySelector('main').appendChild(host);
         window.e2eLogin = null;
         var all = ['sse', 'ws', 'poll'];
         QrLogin.mount(host, { transports: all.slice(all.indexOf(arguments[0])), css: false,
           onLogin: function (s) { window.e2eLogin = s; } });",
        vec![json!(transport), json!(expect)],
    )
    .await;
    let root = format!("#e2e-{transport}-{expect} .qrlogin");
    pc.wait_for(
        &format!("{transport} widget pending"),
        &format!("document.querySelector('{root}[data-state=pending]')"),
        WAIT,
    )
    .await;
    let qr_id = pc.attr(&root, "data-qr-id").await.expect("a qr id");
    let phone = server.alice().await;
    let scan = phone.scan(&qr_id).await.expect("scan");
    pc.wait_for(
        &format!("{transport} widget scanned"),
        &format!("document.querySelector('{root}[data-state=scanned]')"),
        WAIT,
    )
    .await;
    phone
        .confirm(&qr_id, &scan.scan_ticket)
        .await
        .expect("confirm");
    let session = pc
        .wait_for(&format!("{transport} login"), "window.e2eLogin", WAIT)
        .await;
    assert_eq!(session["account"]["display_name"], "Alice");
    assert_eq!(
        pc.attr(&root, "data-transport").await.as_deref(),
        Some(expect),
        "the widget starting with {transport} ends up on {expect}"
    );
    assert_eq!(
        pc.attr(&root, "data-state").await.as_deref(),
        Some("redeemed")
    );
}

#[tokio::test]
async fn the_widget_follows_a_login_over_sse_websocket_and_long_poll() {
    let Some(t) = Test::start("transports").await else {
        return;
    };
    let server = Server::start().await;
    let pc = t.desktop().await;
    pc.goto(&server.at("/")).await;
    pc.wait_state("pending").await;
    assert_eq!(
        pc.attr(".qrlogin", "data-transport").await.as_deref(),
        Some("sse")
    );
    for transport in ["sse", "ws", "poll"] {
        login_through(&pc, &server, transport, transport).await;
    }
    pc.shot("01-three-logins").await;

    // SSE that cannot even connect (fetch of /events fails): the widget falls back to
    // the WebSocket and still signs in.
    pc.js(
        "var f = window.fetch; window.fetch = function (u) { \
           if (String(u).indexOf('/events') >= 0) return Promise.reject(new TypeError('blocked')); \
           return f.apply(this, arguments); };",
        vec![],
    )
    .await;
    login_through(&pc, &server, "sse", "ws").await;

    // `clientId` goes into the create body as `client_id` (for the OpenID Connect
    // flow), and only when given.
    pc.js(
        "var f = window.fetch; window.e2eBodies = []; window.fetch = function (u, o) { \
           if (/\\/api\\/v1\\/qr$/.test(String(u)) && o && o.body) window.e2eBodies.push(JSON.parse(o.body)); \
           return f.apply(this, arguments); }; \
         var host = document.createElement('div'); document.querySelector('main').appendChild(host); \
         QrLogin.mount(host, { clientId: 'shop', css: false }); \
         QrLogin.mount(document.createElement('div'), { css: false });",
        vec![],
    )
    .await;
    let bodies = pc
        .wait_for(
            "two create bodies",
            "window.e2eBodies.length === 2 && window.e2eBodies",
            WAIT,
        )
        .await;
    assert_eq!(bodies[0]["client_id"], "shop", "{bodies}");
    assert_eq!(bodies[0]["device"]["type"], "web", "{bodies}");
    assert!(bodies[1].get("client_id").is_none(), "{bodies}");
    pc.assert_no_secret_in_urls().await;
    pc.assert_console_clean().await;
    pc.close().await;
}
