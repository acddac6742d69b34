//! Failures a user meets: each gets a sentence to act on and its documented exit code,
//! and none, whatever the server or the image, makes the binary panic.

use crate::helpers::{Outcome, Sandbox, TestServer};
use std::io::{Read as _, Write as _};
use std::net::TcpListener;

fn assert_no_panic(out: &Outcome) {
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// A base URL where nothing listens.
fn dead_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A base URL that answers every request with `response`, for `count` requests.
fn fake_server(response: &'static str, count: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(response.as_bytes());
        }
    });
    url
}

#[test]
fn the_help_documents_the_exit_codes() {
    let out = Sandbox::new().run(&["--help"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Exit codes:"), "{}", out.stdout);
    assert!(out.stdout.contains("6  the QR code expired"));
    let login = Sandbox::new().run(&["login", "--help"]);
    assert!(
        login.stdout.contains("5  the login was declined"),
        "{}",
        login.stdout
    );
}

#[test]
fn an_unreadable_image_is_a_clear_failure_with_code_7() {
    let sandbox = Sandbox::new();
    let garbage = sandbox.file("garbage.png");
    std::fs::write(&garbage, b"\x89PNG\r\n\x1a\n this is not an image").unwrap();
    let blank = sandbox.file("blank.png");
    image::GrayImage::from_pixel(120, 80, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let not_ours = sandbox.file("other.png");
    qrcode::QrCode::new("WIFI:S:home;;")
        .unwrap()
        .render::<image::Luma<u8>>()
        .build()
        .save(&not_ours)
        .unwrap();
    for (path, says) in [
        (&garbage, "not a readable image"),
        (&blank, "no QR code found"),
        (&not_ours, "not a qrlogin code"),
    ] {
        let out = sandbox.run(&["scan", path.to_str().unwrap(), "--yes"]);
        assert_eq!(out.code, 7, "{out:?}");
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert_no_panic(&out);
    }
    let out = sandbox.run(&["scan", "no/such/file.png", "--yes"]);
    assert_eq!(out.code, 7, "{out:?}");
}

#[test]
fn an_unreachable_server_exits_with_code_3_and_healthcheck_with_1() {
    let sandbox = Sandbox::new();
    let url = dead_server();
    let login = sandbox.run(&["login", "--server", &url]);
    assert_eq!(login.code, 3, "{login:?}");
    assert!(
        login.stderr.contains("cannot reach the server at"),
        "{}",
        login.stderr
    );
    let phone = sandbox.run_with(
        &["phone", "login", "--server", &url, "--username", "alice"],
        &[("QRLOGIN_PASSWORD", "alice-demo")],
        "",
    );
    assert_eq!(phone.code, 3, "{phone:?}");
    let health = sandbox.run(&["healthcheck", "--server", &url]);
    assert_eq!(health.code, 1, "{health:?}");
    let json = sandbox.run(&["login", "--json", "--server", &url]);
    let event: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!(event["event"], "error");
    assert_eq!(event["exit_code"], 3);
}

#[test]
fn healthcheck_exits_0_when_the_server_is_ready() {
    let server = TestServer::start();
    let out = Sandbox::new().run(&["healthcheck", "--server", &server.url]);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn a_wrong_password_exits_with_code_4_and_saves_nothing() {
    let server = TestServer::start();
    let sandbox = Sandbox::new();
    let out = sandbox.run_with(
        &[
            "phone",
            "login",
            "--server",
            &server.url,
            "--username",
            "alice",
        ],
        &[("QRLOGIN_PASSWORD", "wrong")],
        "",
    );
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr.contains("Wrong username or password"),
        "{}",
        out.stderr
    );
    assert!(!sandbox.config_dir().join("phone.json").exists());
}

#[test]
fn commands_that_need_a_sign_in_say_which_one_with_code_4() {
    let sandbox = Sandbox::new();
    let scan = sandbox.run(&["scan", "pB3xY9_-abcdefghijklmn", "--yes"]);
    assert_eq!(scan.code, 4, "{scan:?}");
    assert!(
        scan.stderr.contains("qrlogin phone login"),
        "{}",
        scan.stderr
    );
    let sessions = sandbox.run(&["sessions"]);
    assert_eq!(sessions.code, 4, "{sessions:?}");
    let me = sandbox.run(&["me"]);
    assert_eq!(me.code, 4, "{me:?}");
    assert!(me.stderr.contains("qrlogin login"), "{}", me.stderr);
}

#[test]
fn an_unknown_qr_id_is_bad_input_with_code_7() {
    let server = TestServer::start();
    let sandbox = Sandbox::new();
    sandbox.phone_login(&server);
    let out = sandbox.run(&["scan", "AAAAAAAAAAAAAAAAAAAAAA", "--yes"]);
    assert_eq!(out.code, 7, "{out:?}");
    assert!(out.stderr.contains("No such QR code"), "{}", out.stderr);
}

#[test]
fn a_server_answering_garbage_gets_a_message_not_a_panic() {
    let sandbox = Sandbox::new();
    let garbage = fake_server(
        "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 9\r\nconnection: close\r\n\r\n{\"qr_id\":",
        1,
    );
    let out = sandbox.run(&["login", "--server", &garbage]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("unexpected answer"), "{}", out.stderr);
    assert_no_panic(&out);

    let proxy = fake_server(
        "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 13\r\nconnection: close\r\n\r\n<h1>oops</h1>",
        1,
    );
    let out = sandbox.run(&["login", "--server", &proxy]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("HTTP 502"), "{}", out.stderr);
    assert_no_panic(&out);
}
