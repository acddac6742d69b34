//! What the phone shows that others wrote: a PC's name for itself is text (never
//! markup) and labelled as the PC's own words; the activity list renders the server's
//! events as sentences, also as text.

use crate::app::Server;
use crate::harness::{Browser, Test, WAIT};
use serde_json::json;

/// Signs Alice in on the phone's /m.
async fn sign_in(phone: &Browser, server: &Server) {
    phone.goto(&server.at("/m")).await;
    phone.wait_view("signin").await;
    phone.type_into("#username", "alice").await;
    phone.type_into("#password", "alice-demo").await;
    phone.click("#signin-submit").await;
    phone.wait_view("home").await;
}

#[tokio::test]
async fn a_pcs_words_about_itself_are_shown_as_text_and_labelled_self_reported() {
    let Some(t) = Test::start("phone_safety").await else {
        return;
    };
    let server = Server::start().await;
    let phone = t.phone("phone", 390, 844, 1.0).await;
    sign_in(&phone, &server).await;

    let name = "<img src=x id=injected> Official Bank PC (this phone)";
    let created: serde_json::Value = server
        .client
        .http()
        .post(server.at("/api/v1/qr"))
        .json(&json!({ "device": { "type": "web", "name": name } }))
        .send()
        .await
        .expect("create a QR session")
        .json()
        .await
        .expect("JSON");
    let qr_id = created["qr_id"].as_str().expect("a qr_id");
    phone.goto(&server.at(&format!("/m/qr/{qr_id}"))).await;
    phone.wait_view("prescan").await;
    phone.click("#prescan-continue").await;
    phone.wait_view("request").await;
    let shown = phone.text("#req-device").await;
    assert!(
        shown.contains("<img src=x id=injected>"),
        "as text: {shown:?}"
    );
    let injected = phone
        .js("return !!document.getElementById('injected');", vec![])
        .await;
    assert_eq!(injected, false, "the PC's text never becomes markup");
    let label = phone
        .js(
            "return document.getElementById('req-device').closest('dl').classList.contains('self-reported');",
            vec![],
        )
        .await;
    assert_eq!(label, true, "the name sits in the self-reported list");
    phone.shot("01-self-reported").await;
    phone.click("#decline").await;
    phone
        .wait_for(
            "the declined result",
            "document.querySelector('#view-result[data-result=declined]:not([hidden])')",
            WAIT,
        )
        .await;

    // The activity list, fed by a stand-in answer (whatever this server keeps).
    phone.goto(&server.at("/m")).await;
    phone.wait_view("home").await;
    phone
        .js(
            "var f = window.fetch; window.fetch = function (u, o) { \
               if (String(u).indexOf('/api/v1/activity') === 0) { \
                 return Promise.resolve(new Response(JSON.stringify({ events: [ \
                   { id: 'e2', at: new Date().toISOString(), kind: 'qr_confirmed', ip: '203.0.113.7', \
                     device: { type: 'web', name: '<b id=bold>PC</b>' }, client: null }, \
                   { id: 'e1', at: new Date().toISOString(), kind: 'something_new', ip: null, \
                     device: null, client: { id: 'shop', name: 'Shop' } } ] }), \
                   { status: 200, headers: { 'Content-Type': 'application/json' } })); } \
               return f.apply(this, arguments); };",
            vec![],
        )
        .await;
    phone.click("#refresh").await;
    phone
        .wait_for(
            "the activity card",
            "!document.getElementById('activity-card').hidden && \
             document.querySelectorAll('#activity li[data-kind]').length === 2",
            WAIT,
        )
        .await;
    let first = phone.text("#activity li[data-kind=qr_confirmed]").await;
    assert!(
        first.contains("You approved a sign-in") && first.contains("<b id=bold>PC</b>"),
        "{first:?}"
    );
    assert!(first.contains("203.0.113.7"), "{first:?}");
    let other = phone.text("#activity li[data-kind=something_new]").await;
    assert!(
        other.contains("something_new") && other.contains("via Shop"),
        "{other:?}"
    );
    let bold = phone
        .js("return !!document.getElementById('bold');", vec![])
        .await;
    assert_eq!(bold, false, "event texts never become markup");
    phone.shot("02-activity").await;
    phone.assert_console_clean().await;
    phone.close().await;
}
