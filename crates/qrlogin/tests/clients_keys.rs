//! `qrlogin clients …` and `qrlogin keys …` on a SQLite `--db`, run as the binary.

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

fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    (dir, url)
}

#[test]
fn a_confidential_client_gets_a_secret_once_and_a_duplicate_id_is_refused() {
    let (_dir, db) = temp_db();
    let add = [
        "clients",
        "add",
        "shop",
        "--name",
        "The Shop",
        "--redirect-uri",
        "https://shop.example/cb",
    ];
    let first = run(&db, &add);
    assert!(first.status.success(), "{first:?}");
    let out = stdout(&first);
    assert!(out.contains("client_id: shop"), "{out}");
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("client_secret: "))
        .expect("secret");
    assert!(secret.starts_with("qlc_"));
    let again = run(&db, &add);
    assert_eq!(again.status.code(), Some(1));
    let list = stdout(&run(&db, &["clients", "list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&list).expect("json");
    assert_eq!(v[0]["client_id"], "shop");
    assert_eq!(v[0]["public"], false);
    assert!(!list.contains(secret), "the secret is never listed");
    let rotated = stdout(&run(&db, &["clients", "rotate-secret", "shop"]));
    assert!(rotated.contains("qlc_") && !rotated.contains(secret));
}

#[test]
fn a_public_client_has_no_secret_and_bad_registrations_write_nothing() {
    let (_dir, db) = temp_db();
    let ok = run(
        &db,
        &[
            "clients",
            "add",
            "tv",
            "--name",
            "TV",
            "--public",
            "--grant",
            "device_code",
        ],
    );
    assert!(ok.status.success(), "{ok:?}");
    assert!(!stdout(&ok).contains("client_secret"));
    assert_eq!(
        run(&db, &["clients", "rotate-secret", "tv"]).status.code(),
        Some(1)
    );
    for bad in [
        vec![
            "clients",
            "add",
            "x y",
            "--name",
            "X",
            "--public",
            "--grant",
            "device_code",
        ],
        vec![
            "clients",
            "add",
            "web",
            "--name",
            "W",
            "--redirect-uri",
            "not a url",
        ],
        vec![
            "clients", "add", "g", "--name", "G", "--public", "--grant", "magic",
        ],
        vec![
            "clients",
            "add",
            "a",
            "--name",
            "A",
            "--public",
            "--grant",
            "device_code",
            "--id-token-alg",
            "HS256",
        ],
    ] {
        assert_eq!(run(&db, &bad).status.code(), Some(1), "{bad:?}");
    }
    let show: serde_json::Value =
        serde_json::from_str(&stdout(&run(&db, &["clients", "show", "tv"]))).expect("json");
    assert_eq!(show["public"], true);
    assert_eq!(stdout(&run(&db, &["clients", "list"])).lines().count(), 1);
    assert!(run(&db, &["clients", "remove", "tv"]).status.success());
    assert_eq!(
        run(&db, &["clients", "remove", "tv"]).status.code(),
        Some(1)
    );
}

#[test]
fn a_key_rotation_adds_active_keys_and_retires_the_old_ones() {
    let (_dir, db) = temp_db();
    assert!(run(&db, &["keys", "rotate"]).status.success());
    let before = stdout(&run(&db, &["keys", "list"]));
    assert_eq!(
        before.lines().filter(|l| l.ends_with("active")).count(),
        2,
        "{before}"
    );
    assert!(run(&db, &["keys", "rotate"]).status.success());
    let after = stdout(&run(&db, &["keys", "list"]));
    assert_eq!(after.lines().count(), 4, "{after}");
    assert_eq!(
        after.lines().filter(|l| l.contains("retired")).count(),
        2,
        "{after}"
    );
    assert!(!after.contains("PRIVATE"), "private keys are never printed");
}
