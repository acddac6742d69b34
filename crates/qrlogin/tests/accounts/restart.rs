//! A restart on the same SQLite file keeps every account, phone token, PC session and
//! revocation; `--demo` on every start only adds what is missing.

use crate::helpers::*;

#[test]
fn a_restart_on_the_same_sqlite_file_keeps_accounts_tokens_sessions_and_revocations() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "qrlogin.db");
    add_account(dir.path(), &db, "carol", "carol-password");
    let rt = runtime();

    let server = Server::start(dir.path(), &db, &[]);
    let (token, device_id, kept, revoked) = rt.block_on(async {
        let phone = phone(&server.client, "carol", "carol-password", "phone-c").await;
        let kept = pc_login(&server.client, &phone).await;
        let revoked = pc_login(&server.client, &phone).await;
        let revoked_id = server.client.me(&revoked).await.expect("me").session.id;
        phone.revoke(&revoked_id).await.expect("revoke");
        let token = phone.token().expose().to_owned();
        (token, phone.device_id().to_owned(), kept, revoked)
    });
    server.stop();

    let server = Server::start(dir.path(), &db, &[]);
    rt.block_on(async {
        let c = &server.client;
        let phone = c.phone(token, device_id);
        assert_eq!(
            phone
                .sessions()
                .await
                .expect("phone token still works")
                .len(),
            1
        );
        let me = c.me(&kept).await.expect("the PC session still works");
        assert_eq!(me.account.display_name, "carol");
        assert_eq!(code(c.me(&revoked).await), "unauthorized");
        // The account itself: a new password login and a new QR login.
        let again = super::helpers::phone(c, "carol", "carol-password", "phone-d").await;
        let pc = pc_login(c, &again).await;
        c.me(&pc).await.expect("a new PC session");
    });
    server.stop();
}

#[test]
fn demo_given_on_every_start_of_one_sqlite_file_adds_alice_and_bob_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "qrlogin.db");
    let rt = runtime();
    let first = Server::start(dir.path(), &db, &["--demo"]);
    rt.block_on(phone(&first.client, "alice", "alice-demo", "p1"));
    first.stop();
    // An operator changed alice's password in between: the second --demo keeps it.
    cli_ok(
        dir.path(),
        &db,
        &["accounts", "passwd", "alice", "--password-stdin"],
        "alice-new-password\n",
    );
    let second = Server::start(dir.path(), &db, &["--demo"]);
    rt.block_on(async {
        let c = &second.client;
        phone(c, "alice", "alice-new-password", "p2").await;
        phone(c, "bob", "bob-demo", "p3").await;
        assert_eq!(
            code(c.login("alice", "alice-demo", device("p4")).await),
            "invalid_credentials"
        );
    });
    second.stop();
    assert_eq!(usernames(dir.path(), &db), ["alice", "bob"]);
}

#[test]
fn db_backup_makes_a_copy_that_serves_the_same_accounts_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "qrlogin.db");
    add_account(dir.path(), &db, "dave", "dave-password");
    let rt = runtime();
    let server = Server::start(dir.path(), &db, &[]);
    let phone = rt.block_on(phone(&server.client, "dave", "dave-password", "pd"));
    let copy = dir.path().join("copy.db");
    cli_ok(
        dir.path(),
        &db,
        &["db", "backup", copy.to_str().unwrap()],
        "",
    );
    server.stop();
    let copy_url = sqlite_url(dir.path(), "copy.db");
    let served = Server::start(dir.path(), &copy_url, &[]);
    rt.block_on(async {
        let p = served.client.phone(phone.token(), phone.device_id());
        p.sessions().await.expect("the token works on the copy");
    });
    served.stop();
    // A second backup to the same path is refused.
    let again = cli(
        dir.path(),
        &db,
        &["db", "backup", copy.to_str().unwrap()],
        "",
    );
    assert_eq!(again.status.code(), Some(1));
}
