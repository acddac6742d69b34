//! Whole logins: confirmed (from an image, and by answering `y`), declined, expired,
//! and cancelled with Ctrl-C; then the session as `me` and `sessions` see it.

use crate::helpers::{interrupt, mode, Sandbox, TestServer};

/// Runs a login confirmed by `qrlogin scan qr.png --yes`, leaving the session saved in
/// `sandbox`, and checks what both sides printed on the way.
fn login_confirmed_from_the_png(sandbox: &Sandbox, server: &TestServer) {
    sandbox.phone_login(server);
    let mut login = sandbox.start_login(server, &[]);
    let created = login.until("created");
    let png = sandbox.file("qr.png");
    server.download(created["qr_png"].as_str().unwrap(), &png);

    let scan = sandbox.run(&["scan", png.to_str().unwrap(), "--yes"]);
    assert_eq!(scan.code, 0, "{scan:?}");
    assert!(scan.stdout.contains("qrlogin CLI on"), "{}", scan.stdout);
    assert!(scan.stdout.contains("127.0.0.1"), "{}", scan.stdout);

    let mut scanner_seen = None;
    let signed_in = loop {
        let ev = login.next_event();
        if ev["event"] == "status" && !ev["scanner"].is_null() {
            scanner_seen = ev["scanner"]["display_name"].as_str().map(str::to_owned);
        }
        if ev["event"] != "status" {
            break ev;
        }
    };
    assert_eq!(signed_in["event"], "signed_in", "{signed_in}");
    assert_eq!(signed_in["account"]["display_name"], "Alice");
    assert_eq!(scanner_seen.as_deref(), Some("Alice"));
    let out = login.wait();
    assert_eq!(out.code, 0, "{out:?}");
    for secret in ["qlw_", "qlp_", "qlm_", "qls_"] {
        assert!(
            !out.stdout.contains(secret),
            "a token was printed: {}",
            out.stdout
        );
        assert!(!out.stderr.contains(secret));
        assert!(!scan.stdout.contains(secret));
    }
}

#[test]
fn a_login_confirmed_from_a_png_signs_the_terminal_in_and_keeps_the_session_private() {
    let server = TestServer::start();
    let sandbox = Sandbox::new();
    login_confirmed_from_the_png(&sandbox, &server);

    let dir = sandbox.config_dir();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("session.json")), 0o600);
    assert_eq!(mode(&dir.join("phone.json")), 0o600);
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("session.json")).unwrap()).unwrap();
    assert!(saved["session_token"].as_str().unwrap().starts_with("qlw_"));
    assert_eq!(saved["server"], server.url.as_str());

    let me = sandbox.run(&["me"]);
    assert_eq!(me.code, 0, "{me:?}");
    assert!(me.stdout.contains("Signed in as Alice"), "{}", me.stdout);
}

#[test]
fn the_phone_can_list_and_revoke_the_session_and_then_me_says_to_sign_in_again() {
    let server = TestServer::start();
    let sandbox = Sandbox::new();
    login_confirmed_from_the_png(&sandbox, &server);

    let list = sandbox.run(&["sessions", "--json"]);
    assert_eq!(list.code, 0, "{list:?}");
    let sessions: Vec<serde_json::Value> = list
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(sessions.len(), 1, "{}", list.stdout);
    let id = sessions[0]["id"].as_str().unwrap();
    let table = sandbox.run(&["sessions"]);
    assert!(table.stdout.contains(id), "{}", table.stdout);

    let revoke = sandbox.run(&["sessions", "revoke", id]);
    assert_eq!(revoke.code, 0, "{revoke:?}");
    let me = sandbox.run(&["me"]);
    assert_eq!(me.code, 4, "{me:?}");
    assert!(
        me.stderr.contains("sign in again with `qrlogin login`"),
        "{}",
        me.stderr
    );
    let again = sandbox.run(&["sessions", "revoke", id]);
    assert_eq!(again.code, 7, "{again:?}");
}

#[test]
fn answering_y_at_the_prompt_for_a_qr_url_confirms_the_login() {
    let server = TestServer::start();
    let sandbox = Sandbox::new();
    sandbox.phone_login(&server);
    let mut login = sandbox.start_login(&server, &["--device-name", "Build box"]);
    let created = login.until("created");
    let url = created["qr_content"].as_str().unwrap();

    let scan = sandbox.run_with(&["scan", url], &[], "y\n");
    assert_eq!(scan.code, 0, "{scan:?}");
    assert!(scan.stdout.contains("Build box (cli)"), "{}", scan.stdout);
    assert!(scan.stdout.contains("Confirm? [y/N]"), "{}", scan.stdout);
    assert_eq!(login.until("signed_in")["account"]["display_name"], "Alice");
    assert_eq!(login.wait().code, 0);
}

#[test]
fn a_login_declined_on_the_phone_exits_with_code_5_and_saves_nothing() {
    let server = TestServer::start();
    let sandbox = Sandbox::new();
    sandbox.phone_login(&server);
    let mut login = sandbox.start_login(&server, &[]);
    let qr_id = login.until("created")["qr_id"].as_str().unwrap().to_owned();

    let scan = sandbox.run(&["scan", &qr_id, "--decline"]);
    assert_eq!(scan.code, 0, "{scan:?}");
    assert!(scan.stdout.contains("Declined"), "{}", scan.stdout);

    let error = login.until("error");
    assert_eq!(error["exit_code"], 5);
    let out = login.wait();
    assert_eq!(out.code, 5, "{out:?}");
    assert!(
        out.stderr.contains("declined on the phone"),
        "{}",
        out.stderr
    );
    assert!(!sandbox.config_dir().join("session.json").exists());
}

#[test]
fn an_expired_code_is_replaced_and_after_max_codes_the_login_exits_with_code_6() {
    let server = TestServer::on_manual_clock();
    let past_expiry = server.qr_lifetime_ms() + 1;
    let sandbox = Sandbox::new();
    let mut login = sandbox.start_login(&server, &["--max-codes", "2"]);
    let first = login.until("created")["qr_id"].clone();
    assert_eq!(login.until("status")["state"], "pending");
    server.advance(past_expiry);
    assert_eq!(login.until("status")["state"], "expired");
    let second = login.until("created")["qr_id"].clone();
    assert_ne!(first, second, "a new code, not the old one again");
    assert_eq!(login.until("status")["state"], "pending");
    server.advance(past_expiry);
    let error = login.until("error");
    assert_eq!(error["code"], "qr_expired");
    assert_eq!(error["exit_code"], 6);
    let out = login.wait();
    assert_eq!(out.code, 6, "{out:?}");
    assert!(
        out.stderr
            .contains("This QR code has expired — run the command again"),
        "{}",
        out.stderr
    );
}

#[test]
fn ctrl_c_cancels_the_qr_session_before_exiting() {
    let server = TestServer::start();
    let sandbox = Sandbox::new();
    sandbox.phone_login(&server);
    let mut login = sandbox.start_login(&server, &[]);
    let qr_id = login.until("created")["qr_id"].as_str().unwrap().to_owned();
    login.until("status");

    interrupt(login.pid());
    let out = login.wait();
    assert_eq!(out.code, 5, "{out:?}");
    assert!(out.stderr.contains("Cancelled"), "{}", out.stderr);

    // The code is dead: the phone can no longer scan it.
    let scan = sandbox.run(&["scan", &qr_id, "--yes"]);
    assert_eq!(scan.code, 1, "{scan:?}");
    assert!(
        scan.stderr.contains("can no longer be used"),
        "{}",
        scan.stderr
    );
}
