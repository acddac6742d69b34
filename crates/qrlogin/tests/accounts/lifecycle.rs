//! `disable`, `enable`, `remove` and `passwd` take effect on a running server at its
//! next request; a read-only SQLite file serves reads and refuses writes with 503.

use crate::helpers::*;

#[test]
fn disable_stops_tokens_and_logins_at_once_and_enable_brings_no_token_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "a.db");
    add_account(dir.path(), &db, "hana", "hana-password");
    let rt = runtime();
    let server = Server::start(dir.path(), &db, &[]);
    let c = server.client.clone();
    let (phone, pc) = rt.block_on(async {
        let phone = phone(&c, "hana", "hana-password", "ph").await;
        let pc = pc_login(&c, &phone).await;
        (phone, pc)
    });
    cli_ok(dir.path(), &db, &["accounts", "disable", "hana"], "");
    let shown = cli_ok(dir.path(), &db, &["accounts", "show", "hana", "--json"], "");
    assert!(shown.contains("\"disabled\":true"), "{shown}");
    rt.block_on(async {
        assert_eq!(code(phone.sessions().await), "unauthorized");
        assert_eq!(code(c.me(&pc).await), "unauthorized");
        let login = c.login("hana", "hana-password", device("ph2")).await;
        assert_eq!(code(login), "invalid_credentials");
    });
    cli_ok(dir.path(), &db, &["accounts", "enable", "hana"], "");
    rt.block_on(async {
        assert_eq!(code(phone.sessions().await), "unauthorized");
        assert_eq!(code(c.me(&pc).await), "unauthorized");
        let again = super::helpers::phone(&c, "hana", "hana-password", "ph3").await;
        again.sessions().await.expect("a new login works");
    });
    server.stop();
}

#[test]
fn passwd_revokes_every_token_and_the_new_password_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "a.db");
    add_account(dir.path(), &db, "ivan", "ivan-password");
    let rt = runtime();
    let server = Server::start(dir.path(), &db, &[]);
    let c = server.client.clone();
    let (phone, pc) = rt.block_on(async {
        let phone = phone(&c, "ivan", "ivan-password", "pi").await;
        let pc = pc_login(&c, &phone).await;
        (phone, pc)
    });
    cli_ok(
        dir.path(),
        &db,
        &["accounts", "passwd", "ivan", "--password-stdin"],
        "ivan-new-password\n",
    );
    rt.block_on(async {
        assert_eq!(code(phone.sessions().await), "unauthorized");
        assert_eq!(code(c.me(&pc).await), "unauthorized");
        let old = c.login("ivan", "ivan-password", device("pi")).await;
        assert_eq!(code(old), "invalid_credentials");
        let fresh = super::helpers::phone(&c, "ivan", "ivan-new-password", "pi").await;
        let kinds: Vec<String> = fresh
            .activity(None)
            .await
            .expect("activity")
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds[0], "phone_signed_in");
        assert!(kinds.contains(&"password_changed".to_owned()), "{kinds:?}");
    });
    server.stop();
}

#[test]
fn remove_deletes_the_account_with_its_tokens_and_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "a.db");
    add_account(dir.path(), &db, "jan", "jan-password");
    add_account(dir.path(), &db, "kim", "kim-password");
    let rt = runtime();
    let server = Server::start(dir.path(), &db, &[]);
    let c = server.client.clone();
    let (phone, pc, other) = rt.block_on(async {
        let phone = phone(&c, "jan", "jan-password", "pj").await;
        let pc = pc_login(&c, &phone).await;
        let other = super::helpers::phone(&c, "kim", "kim-password", "pk").await;
        (phone, pc, other)
    });
    cli_ok(dir.path(), &db, &["accounts", "remove", "jan"], "");
    rt.block_on(async {
        assert_eq!(code(phone.sessions().await), "unauthorized");
        assert_eq!(code(c.me(&pc).await), "unauthorized");
        let login = c.login("jan", "jan-password", device("pj")).await;
        assert_eq!(code(login), "invalid_credentials");
        other
            .sessions()
            .await
            .expect("another account is untouched");
    });
    server.stop();
    assert_eq!(usernames(dir.path(), &db), ["kim"]);
    // The name is free again.
    add_account(dir.path(), &db, "jan", "jan-password-2");
}

#[test]
fn a_read_only_sqlite_file_serves_reads_and_answers_writes_with_503() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "a.db");
    add_account(dir.path(), &db, "lena", "lena-password");
    let rt = runtime();
    let server = Server::start(dir.path(), &db, &[]);
    let (phone, pc) = rt.block_on(async {
        let phone = phone(&server.client, "lena", "lena-password", "pl").await;
        let pc = pc_login(&server.client, &phone).await;
        (phone, pc)
    });
    server.stop();
    let ro = Server::start(dir.path(), &format!("{db}?mode=ro"), &[]);
    rt.block_on(async {
        let c = &ro.client;
        let phone = c.phone(phone.token(), phone.device_id());
        let sessions = phone.sessions().await.expect("reads work");
        c.me(&pc).await.expect("the PC session reads");
        let login = c.login("lena", "lena-password", device("pl2")).await;
        assert_eq!(code(login), "store_unavailable");
        assert_eq!(
            code(phone.revoke(&sessions[0].id).await),
            "store_unavailable"
        );
        assert_eq!(code(phone.logout().await), "store_unavailable");
        assert_eq!(code(c.logout(&pc).await), "store_unavailable");
    });
    ro.stop();
    // Nothing was half written: on the writable file, all of it still works.
    let rw = Server::start(dir.path(), &db, &[]);
    rt.block_on(async {
        let phone = rw.client.phone(phone.token(), phone.device_id());
        assert_eq!(phone.sessions().await.expect("still one session").len(), 1);
        rw.client.me(&pc).await.expect("still signed in");
    });
    rw.stop();
}

#[test]
fn phone_logout_on_the_command_line_revokes_the_token_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "a.db");
    add_account(dir.path(), &db, "olga", "olga-password");
    let server = Server::start(dir.path(), &db, &[]);
    let cfg = dir.path().join("cfg");
    let run = |args: &[&str]| {
        let out = qrlogin(dir.path())
            .arg("--config-dir")
            .arg(&cfg)
            .args(args)
            .env("QRLOGIN_PASSWORD", "olga-password")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    };
    run(&[
        "phone",
        "login",
        "--server",
        server.client.base_url(),
        "--username",
        "olga",
    ]);
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cfg.join("phone.json")).unwrap()).unwrap();
    let phone = server.client.phone(
        saved["access_token"].as_str().unwrap(),
        saved["device_id"].as_str().unwrap(),
    );
    let rt = runtime();
    rt.block_on(phone.sessions()).expect("signed in");
    run(&["phone", "logout"]);
    assert!(!cfg.join("phone.json").exists());
    assert_eq!(code(rt.block_on(phone.sessions())), "unauthorized");
    server.stop();
}
