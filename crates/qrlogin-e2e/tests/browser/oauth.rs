//! The OpenID Provider's authorization page in a real browser: it names the client,
//! shows the QR login, and once the phone confirms (or declines) the browser lands on
//! the client's redirect URI with a code (or `access_denied`), the poll token never in
//! a URL.

use crate::app::Server;
use crate::harness::{Test, WAIT};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// The S256 challenge of RFC 7636's example verifier.
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A loopback "client" that answers every request with a small page: the redirect
/// target. Its port.
async fn callback_server() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf).await;
            let body = "<!doctype html><title>callback</title>back at the client";
            let res = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(res.as_bytes()).await;
        }
    });
    port
}

async fn login(confirm: bool) {
    let Some(t) = Test::start("oauth").await else {
        return;
    };
    let server = Server::start().await;
    let port = callback_server().await;
    let pc = t.desktop().await;
    pc.goto(&server.at(&format!(
        "/oauth2/authorize?response_type=code&client_id=demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback&scope=openid&state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256"
    )))
    .await;
    assert!(pc.text("#oauth-title").await.contains("Sign in to Demo"));
    pc.wait_state("pending").await;
    let qr_id = pc.attr(".qrlogin", "data-qr-id").await.expect("a qr id");
    let phone = server.alice().await;
    let scan = phone.scan(&qr_id).await.expect("scan");
    let client = scan
        .requester
        .client
        .clone()
        .expect("the scan names the client");
    assert_eq!(client.name, "Demo");
    if confirm {
        phone
            .confirm(&qr_id, &scan.scan_ticket)
            .await
            .expect("confirm");
    } else {
        phone
            .decline(&qr_id, &scan.scan_ticket)
            .await
            .expect("decline");
    }
    let prefix = format!("http://127.0.0.1:{port}/callback?");
    let landed = pc
        .wait_for(
            "the redirect to the client",
            &format!("location.href.indexOf('{prefix}') === 0 ? location.href : null"),
            WAIT,
        )
        .await;
    let landed = url::Url::parse(landed.as_str().expect("a URL")).expect("URL");
    let get = |k: &str| {
        landed
            .query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(get("state").as_deref(), Some("s1"));
    assert_eq!(get("iss").as_deref(), Some(server.url.as_str()));
    if confirm {
        assert!(get("code").is_some_and(|c| c.starts_with("qlo_")));
    } else {
        assert_eq!(get("error").as_deref(), Some("access_denied"));
    }
    assert!(
        !landed.as_str().contains("qlp_"),
        "no poll token in the URL"
    );
    pc.close().await;
}

#[tokio::test]
async fn a_confirmed_login_on_the_authorization_page_lands_on_the_client_with_a_code() {
    login(true).await;
}

#[tokio::test]
async fn a_declined_login_on_the_authorization_page_lands_on_the_client_with_access_denied() {
    login(false).await;
}
