//! `qrlogin issuers …` on a SQLite `--db`, run as the binary.

use std::process::{Command, Output};

fn run(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qrlogin"))
        .args(args)
        .env("QRLOGIN_DB", db)
        .env_remove("QRLOGIN_CONFIG_DIR")
        .output()
        .expect("run qrlogin")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn an_issuer_is_added_once_listed_and_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("q.db").display());
    let add = [
        "issuers",
        "add",
        "https://id.shop.example",
        "--jwks-uri",
        "https://id.shop.example/jwks.json",
        "--audience",
        "qrlogin",
        "--name-claim",
        "name",
    ];
    let first = run(&db, &add);
    assert!(first.status.success(), "{first:?}");
    assert_eq!(run(&db, &add).status.code(), Some(1), "added twice");
    let list = stdout(&run(&db, &["issuers", "list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&list).expect("json");
    assert_eq!(v[0]["issuer"], "https://id.shop.example");
    assert_eq!(v[0]["audience"], "qrlogin");
    assert_eq!(v[0]["name_claim"], "name");
    assert_eq!(v[0]["picture_claim"], serde_json::Value::Null);
    assert!(stdout(&run(&db, &["issuers", "list"])).contains("https://id.shop.example"));
    assert!(run(&db, &["issuers", "remove", "https://id.shop.example"])
        .status
        .success());
    assert_eq!(
        run(&db, &["issuers", "remove", "https://id.shop.example"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        stdout(&run(&db, &["issuers", "list", "--json"])).trim(),
        "[]"
    );
}

#[test]
fn a_bad_jwks_uri_or_empty_audience_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("q.db").display());
    for args in [
        [
            "issuers",
            "add",
            "https://i",
            "--jwks-uri",
            "ftp://i/j",
            "--audience",
            "a",
        ],
        [
            "issuers",
            "add",
            "https://i",
            "--jwks-uri",
            "not a url",
            "--audience",
            "a",
        ],
        [
            "issuers",
            "add",
            "https://i",
            "--jwks-uri",
            "https://i/j",
            "--audience",
            " ",
        ],
    ] {
        assert_eq!(run(&db, &args).status.code(), Some(1), "{args:?}");
    }
    assert_eq!(
        stdout(&run(&db, &["issuers", "list", "--json"])).trim(),
        "[]"
    );
}
