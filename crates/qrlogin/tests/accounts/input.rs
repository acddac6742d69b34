//! What `qrlogin accounts` refuses: each refusal exits 1 with a sentence on stderr and
//! writes nothing.

use crate::helpers::*;

#[test]
fn a_duplicate_username_is_refused_in_any_case_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "a.db");
    let id = add_account(dir.path(), &db, "erin", "erin-password");
    assert!(id.starts_with("acc_"), "{id}");
    for name in ["erin", "ERIN", "Erin"] {
        let out = cli(
            dir.path(),
            &db,
            &["accounts", "add", name, "--password-stdin"],
            "another-password\n",
        );
        assert_refused(&out, "already exists");
    }
    let shown = cli_ok(dir.path(), &db, &["accounts", "show", "erin", "--json"], "");
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(usernames(dir.path(), &db), ["erin"]);
}

#[test]
fn invalid_usernames_are_refused_before_the_database_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "never.db");
    let long = "a".repeat(65);
    for name in ["", "a b", "al/ice", "älice", "a@b", long.as_str()] {
        let out = cli(
            dir.path(),
            &db,
            &["accounts", "add", name, "--password-stdin"],
            "good-password\n",
        );
        assert_refused(&out, "invalid username");
    }
    assert!(
        !dir.path().join("never.db").exists(),
        "a database was created"
    );
}

#[test]
fn short_long_and_missing_passwords_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "a.db");
    let long = format!("{}\n", "p".repeat(1025));
    for stdin in ["short\n", "1234567\n", "", long.as_str()] {
        let out = cli(
            dir.path(),
            &db,
            &["accounts", "add", "frank", "--password-stdin"],
            stdin,
        );
        assert_refused(&out, "password");
    }
    // No --password-stdin and no terminal: refused, the password is never guessed.
    let out = cli(
        dir.path(),
        &db,
        &["accounts", "add", "frank"],
        "good-password\n",
    );
    assert_refused(&out, "--password-stdin");
    assert!(!dir.path().join("a.db").exists(), "a database was created");
    add_account(dir.path(), &db, "frank", "12345678");
    let out = cli(
        dir.path(),
        &db,
        &["accounts", "passwd", "frank", "--password-stdin"],
        "short\n",
    );
    assert_refused(&out, "at least 8");
    // The old password still signs in.
    let server = Server::start(dir.path(), &db, &[]);
    runtime().block_on(phone(&server.client, "frank", "12345678", "pf"));
    server.stop();
}

#[test]
fn commands_on_an_unknown_user_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "a.db");
    add_account(dir.path(), &db, "gina", "gina-password");
    for args in [
        &["accounts", "show", "nobody"][..],
        &["accounts", "disable", "nobody"],
        &["accounts", "enable", "nobody"],
        &["accounts", "remove", "nobody"],
        &["accounts", "passwd", "nobody", "--password-stdin"],
    ] {
        let out = cli(dir.path(), &db, args, "whatever-password\n");
        assert_refused(&out, "no account named nobody");
    }
    assert_eq!(usernames(dir.path(), &db), ["gina"]);
}

#[test]
fn the_database_comes_from_the_environment_or_the_config_file_else_qrlogin_db() {
    let dir = tempfile::tempdir().unwrap();
    // Default: sqlite://qrlogin.db in the working directory.
    let out = qrlogin(dir.path())
        .args(["db", "migrate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("qrlogin.db").exists());
    // QRLOGIN_DB.
    let out = qrlogin(dir.path())
        .args(["db", "migrate"])
        .env("QRLOGIN_DB", "sqlite://from-env.db")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("from-env.db").exists());
    // The `db` key of --config.
    std::fs::write(
        dir.path().join("q.toml"),
        "db = \"sqlite://from-file.db\"\n",
    )
    .unwrap();
    let out = qrlogin(dir.path())
        .args(["db", "migrate", "--config", "q.toml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("from-file.db").exists());
}

#[test]
fn the_memory_database_has_nothing_to_migrate_or_back_up_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli_ok(dir.path(), "memory", &["db", "migrate"], "");
    assert!(out.contains("no schema to migrate"), "{out}");
    let copy = dir.path().join("copy.db");
    let out = cli(
        dir.path(),
        "memory",
        &["db", "backup", copy.to_str().unwrap()],
        "",
    );
    assert_refused(&out, "nothing to back up");
    assert!(!copy.exists());
}
