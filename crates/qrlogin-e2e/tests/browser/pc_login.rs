//! The PC page at `/`, with the phone acting through the API: the happy path, a
//! declined login, an expired code.

use crate::app::{qr_id_of, Server};
use crate::harness::{Test, WAIT};
use crate::qr;

#[tokio::test]
async fn a_pc_signs_in_when_a_phone_scans_the_code_on_screen_and_confirms() {
    let Some(t) = Test::start("pc_login").await else {
        return;
    };
    let server = Server::start().await;
    let pc = t.desktop().await;
    pc.goto(&server.at("/")).await;
    pc.wait_view("login").await;
    pc.wait_state("pending").await;
    // The image must have loaded before its pixels are read.
    pc.wait_for(
        "the QR image",
        "(function(i){ return i && i.complete && i.naturalWidth > 0; })(document.querySelector('.qrlogin-qr img.qrlogin-code'))",
        WAIT,
    )
    .await;
    assert_eq!(
        pc.attr(".qrlogin", "data-transport").await.as_deref(),
        Some("sse")
    );
    assert!(pc
        .text(".qrlogin-status")
        .await
        .contains("Scan with your phone"));
    let png = pc.shot("01-pending").await;
    pc.save_doc("pc-login.png", &png);

    // What a phone's camera would read: the pixels of the code as the page shows them.
    let content = qr::decode(&pc.element_png(".qrlogin-qr img.qrlogin-code").await);
    let qr_id = qr_id_of(&server, &content);
    assert_eq!(
        pc.attr(".qrlogin", "data-qr-id").await.as_deref(),
        Some(qr_id.as_str())
    );

    let phone = server.alice().await;
    let scan = phone.scan(&qr_id).await.expect("alice's phone scans");
    pc.wait_state("scanned").await;
    let status = pc.text(".qrlogin-status").await;
    assert!(status.contains("Scanned by Alice"), "status: {status:?}");
    assert!(
        pc.visible(".qrlogin-scanner").await,
        "the scanner's initial shows"
    );
    assert!(
        pc.visible(".qrlogin-cancel").await,
        "cancel stays offered while scanned"
    );
    let png = pc.shot("02-scanned").await;
    pc.save_doc("pc-scanned.png", &png);

    phone
        .confirm(&qr_id, &scan.scan_ticket)
        .await
        .expect("alice confirms");
    pc.wait_view("signed-in").await;
    assert_eq!(pc.text("#me-name").await, "Alice");
    assert!(!pc.text("#me-session-id").await.is_empty());
    pc.shot("03-signed-in").await;
    // The session lives in this tab's sessionStorage: a reload keeps it.
    pc.client.refresh().await.expect("reload");
    pc.wait_view("signed-in").await;
    assert_eq!(pc.text("#me-name").await, "Alice");

    pc.click("#signout").await;
    pc.wait_view("login").await;
    pc.wait_state("pending").await;
    let new_id = pc.attr(".qrlogin", "data-qr-id").await.unwrap_or_default();
    assert_ne!(new_id, qr_id, "signing out shows a fresh code");
    pc.shot("04-signed-out").await;
    pc.assert_console_clean().await;
    pc.close().await;
}

#[tokio::test]
async fn a_declined_login_says_so_on_the_pc_and_offers_a_new_code() {
    let Some(t) = Test::start("pc_declined").await else {
        return;
    };
    let server = Server::start().await;
    let pc = t.desktop().await;
    pc.goto(&server.at("/")).await;
    pc.wait_state("pending").await;
    let qr_id = pc.attr(".qrlogin", "data-qr-id").await.expect("a qr id");

    let phone = server.alice().await;
    let scan = phone.scan(&qr_id).await.expect("scan");
    pc.wait_state("scanned").await;
    phone
        .decline(&qr_id, &scan.scan_ticket)
        .await
        .expect("decline");
    pc.wait_state("cancelled").await;
    assert_eq!(
        pc.attr(".qrlogin", "data-reason").await.as_deref(),
        Some("declined")
    );
    let status = pc.text(".qrlogin-status").await;
    assert!(
        status.to_lowercase().contains("declined"),
        "status: {status:?}"
    );
    assert!(pc.visible(".qrlogin-new").await, "a new code is offered");
    assert!(
        !pc.visible(".qrlogin-cancel").await,
        "nothing left to cancel"
    );
    pc.shot("01-declined").await;

    pc.click(".qrlogin-new").await;
    pc.wait_state("pending").await;
    let new_id = pc.attr(".qrlogin", "data-qr-id").await.unwrap_or_default();
    assert_ne!(new_id, qr_id);
    pc.shot("02-new-code").await;

    // The PC's own Cancel, from the keyboard (the state comes from the server's answer
    // to DELETE), told apart from a decline; focus moves on to "New code".
    pc.press_enter(".qrlogin-cancel").await;
    pc.wait_state("cancelled").await;
    assert!(
        pc.focused(".qrlogin-new").await,
        "focus stays in the widget, on New code"
    );
    assert_eq!(
        pc.attr(".qrlogin", "data-reason").await.as_deref(),
        Some("cancelled")
    );
    assert_eq!(pc.text(".qrlogin-status").await, "Cancelled");
    assert!(pc.visible(".qrlogin-new").await);
    pc.shot("03-cancelled").await;
    pc.assert_console_clean().await;
    pc.close().await;
}

#[tokio::test]
async fn an_expired_code_is_replaced_by_a_new_one_without_a_click() {
    let Some(t) = Test::start("pc_expired").await else {
        return;
    };
    let server = Server::on_manual_clock().await;
    let pc = t.desktop().await;
    pc.goto(&server.at("/")).await;
    pc.wait_state("pending").await;
    let first = pc.attr(".qrlogin", "data-qr-id").await.expect("a qr id");

    server.advance(server.qr_lifetime_ms() + 1);
    pc.wait_for(
        "the widget to show expiry",
        "document.querySelector('.qrlogin[data-state=expired]')",
        WAIT,
    )
    .await;
    let status = pc.text(".qrlogin-status").await;
    assert!(status.contains("Expired"), "status: {status:?}");
    pc.shot("01-expired").await;

    let expr = format!(
        "(function(q){{ return q && q.getAttribute('data-state') === 'pending' && \
         q.getAttribute('data-qr-id') !== '{first}'; }})(document.querySelector('.qrlogin'))"
    );
    pc.wait_for("a new pending code", &expr, WAIT).await;
    pc.shot("02-new-code").await;

    // A phone that opens the expired code's URL is told so, not left hanging.
    let phone = t.phone("phone", 390, 844, 1.0).await;
    phone.goto(&server.at(&format!("/m/qr/{first}"))).await;
    phone.wait_view("signin").await;
    phone.type_into("#username", "alice").await;
    phone.type_into("#password", "alice-demo").await;
    phone.click("#signin-submit").await;
    phone.wait_view("prescan").await;
    phone.click("#prescan-continue").await;
    phone
        .wait_for(
            "the expired result",
            "document.querySelector('#view-result[data-result=error]:not([hidden])')",
            WAIT,
        )
        .await;
    assert_eq!(phone.text("#result-title").await, "Code expired");
    phone.shot("03-phone-expired").await;
    phone.assert_console_clean().await;
    phone.close().await;
    pc.assert_console_clean().await;
    pc.close().await;
}
