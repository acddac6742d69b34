//! Under the pages' strict Content-Security-Policy everything still runs, and the
//! browser reports no violation.

use crate::app::Server;
use crate::harness::{is_violation, Test, WAIT};

#[tokio::test]
async fn every_page_runs_its_scripts_and_styles_under_the_csp_without_a_violation() {
    let Some(t) = Test::start("csp").await else {
        return;
    };
    let server = Server::start().await;
    let b = t.desktop().await;

    // The policy the browser is held to: own origin only, nothing inline.
    for path in ["/", "/m", "/qrlogin.js", "/static/pc.js"] {
        let res = server
            .client
            .http()
            .get(server.at(path))
            .send()
            .await
            .expect("GET a page");
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let csp = res
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp:?}");
        assert!(!csp.contains("unsafe-"), "{path}: {csp:?}");
    }

    b.goto(&server.at("/")).await;
    b.wait_state("pending").await;
    let ran = b
        .js(
            "return { widget: typeof QrLogin, \
               css: getComputedStyle(document.querySelector('.qrlogin')).flexDirection, \
               card: getComputedStyle(document.querySelector('.card')).borderRadius, \
               img: document.querySelector('.qrlogin-code').naturalWidth };",
            vec![],
        )
        .await;
    assert_eq!(ran["widget"], "object", "qrlogin.js ran: {ran}");
    assert_eq!(ran["css"], "column", "qrlogin.css applies: {ran}");
    assert_ne!(ran["card"], "0px", "app.css applies: {ran}");
    b.wait_for(
        "the QR image to load",
        "document.querySelector('.qrlogin-code').naturalWidth > 0",
        WAIT,
    )
    .await;

    b.goto(&server.at("/m")).await;
    b.wait_view("signin").await;
    b.goto(&server.at("/m/qr/AAAAAAAAAAAAAAAAAAAAAA")).await;
    b.wait_view("signin").await;
    let context = b.text("#signin-context").await;
    assert!(
        context.contains("approve"),
        "m.js routed /m/qr/{{id}}: {context:?}"
    );
    b.assert_console_clean().await;

    // The check can see a violation: an inline script is refused and reported.
    b.js(
        "var s = document.createElement('script'); s.textContent = 'window.inlineRan = 1;'; \
         document.body.appendChild(s);",
        vec![],
    )
    .await;
    let ran_inline = b.js("return !!window.inlineRan;", vec![]).await;
    assert_eq!(ran_inline, false, "the CSP blocks inline scripts");
    let log = b.console().await;
    assert!(
        log.iter().any(|e| is_violation(&e.message)),
        "the blocked inline script shows in the console log: {log:#?}"
    );
    b.close().await;
}
