//! The pages on a 320 px wide screen: nothing wider than the screen.

use crate::app::qr_id_of;
use crate::app::Server;
use crate::harness::{Browser, Test};
use crate::qr;

/// No horizontal scroll: the page is no wider than the 320 px viewport.
async fn assert_fits(b: &Browser, page: &str) {
    let w = b
        .js(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await;
    let (scroll, inner) = (w[0].as_u64().unwrap_or(0), w[1].as_u64().unwrap_or(0));
    assert_eq!(inner, 320, "the viewport is 320 px wide");
    assert!(
        scroll <= 320,
        "{page} scrolls sideways at 320 px: scrollWidth = {scroll}"
    );
}

#[tokio::test]
async fn the_pc_page_and_the_phone_confirmation_fit_a_320_px_screen() {
    let Some(t) = Test::start("layout_320").await else {
        return;
    };
    let server = Server::start().await;
    let b = t.phone("narrow", 320, 640, 1.0).await;

    b.goto(&server.at("/")).await;
    b.wait_state("pending").await;
    assert_fits(&b, "/").await;
    // The code is large enough to scan and wholly on screen.
    let rect = b
        .js(
            "var r = document.querySelector('.qrlogin-code').getBoundingClientRect(); \
             return [r.left, r.right, r.width];",
            vec![],
        )
        .await;
    let (left, right, width) = (
        rect[0].as_f64().unwrap_or(-1.0),
        rect[1].as_f64().unwrap_or(999.0),
        rect[2].as_f64().unwrap_or(0.0),
    );
    assert!(left >= 0.0 && right <= 320.0, "QR at {left}..{right}");
    assert!(width >= 160.0, "QR only {width} px wide");
    b.shot("01-pc-page").await;
    let qr_id = b.attr(".qrlogin", "data-qr-id").await.expect("a qr id");

    b.goto(&server.at(&format!("/m/qr/{qr_id}"))).await;
    b.wait_view("signin").await;
    assert_fits(&b, "/m/qr/{id} sign-in").await;
    b.shot("02-phone-signin").await;
    b.type_into("#username", "alice").await;
    b.type_into("#password", "alice-demo").await;
    b.click("#signin-submit").await;
    b.wait_view("prescan").await;
    assert_fits(&b, "/m/qr/{id} prescan").await;
    b.click("#prescan-continue").await;
    b.wait_view("request").await;
    assert_fits(&b, "/m/qr/{id} request").await;
    b.shot("03-phone-request").await;
    // Both answers are on screen without scrolling sideways.
    for id in ["#confirm", "#decline"] {
        let right = b
            .js(
                "return document.querySelector(arguments[0]).getBoundingClientRect().right;",
                vec![serde_json::json!(id)],
            )
            .await;
        assert!(right.as_f64().unwrap_or(999.0) <= 320.0, "{id} overflows");
    }
    b.click("#decline").await;
    b.wait_for(
        "the declined result",
        "document.querySelector('#view-result[data-result=declined]:not([hidden])')",
        crate::harness::WAIT,
    )
    .await;
    assert_fits(&b, "/m/qr/{id} declined").await;
    b.shot("04-phone-declined").await;

    b.goto(&server.at("/m")).await;
    b.wait_view("home").await;
    assert_fits(&b, "/m home").await;
    b.shot("05-phone-home").await;
    b.assert_console_clean().await;
    b.close().await;
}

#[tokio::test]
async fn in_dark_mode_the_pages_stay_readable_and_the_code_still_scans() {
    let Some(t) = Test::start("dark_mode").await else {
        return;
    };
    let server = Server::start().await;
    let pc = t.desktop().await;
    pc.color_scheme("dark").await;
    pc.goto(&server.at("/")).await;
    pc.wait_state("pending").await;
    let dark = pc
        .js(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await;
    assert_eq!(dark, true, "the page sees dark mode");
    pc.wait_for(
        "the QR image",
        "document.querySelector('.qrlogin-code').naturalWidth > 0",
        crate::harness::WAIT,
    )
    .await;
    pc.shot("01-pc-dark").await;
    // Dark on white with a quiet zone, whatever the theme: a phone can read it.
    let content = qr::decode(&pc.element_png(".qrlogin-qr").await);
    let qr_id = qr_id_of(&server, &content);

    let phone = t.phone("phone", 390, 844, 1.0).await;
    phone.color_scheme("dark").await;
    phone.goto(&content).await;
    phone.wait_view("signin").await;
    phone.type_into("#username", "alice").await;
    phone.type_into("#password", "alice-demo").await;
    phone.click("#signin-submit").await;
    phone.wait_view("prescan").await;
    phone.click("#prescan-continue").await;
    phone.wait_view("request").await;
    phone.shot("02-phone-dark").await;
    pc.wait_state("scanned").await;
    pc.shot("03-pc-dark-scanned").await;
    assert_eq!(
        pc.attr(".qrlogin", "data-qr-id").await.as_deref(),
        Some(qr_id.as_str())
    );
    pc.assert_console_clean().await;
    phone.assert_console_clean().await;
    pc.close().await;
    phone.close().await;
}
