//! `qrlogin accounts add --no-password` and `qrlogin accounts enroll` as an operator
//! runs them against a SQLite file, checked through the database afterwards.

use qrlogin_core::{Clock, Secret, SecretKind, SystemClock, Username};
use std::process::{Command, Output};

fn qrlogin(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qrlogin"))
        .args(args)
        .env("QRLOGIN_DB", db)
        .env_remove("QRLOGIN_PUBLIC_URL")
        .output()
        .expect("qrlogin runs")
}

fn db_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("q.db").display())
}

#[tokio::test]
async fn a_passkey_only_account_is_made_without_a_password_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_url(&dir);
    let made = qrlogin(
        &db,
        &[
            "accounts",
            "add",
            "Carol",
            "--display-name",
            "Carol C",
            "--no-password",
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let id = String::from_utf8(made.stdout).unwrap();
    assert!(id.trim().starts_with("acc_"), "prints the new id: {id}");
    let again = qrlogin(&db, &["accounts", "add", "carol", "--no-password"]);
    assert_eq!(again.status.code(), Some(1), "a taken username: exit 1");
    let store = qrlogin_db::open(&db).await.unwrap();
    let carol = store
        .account_by_username(&Username::parse("carol").unwrap())
        .await
        .unwrap()
        .expect("carol exists");
    assert_eq!(carol.password_hash, None);
    assert_eq!(carol.display_name, "Carol C");
}

#[tokio::test]
async fn enroll_prints_a_fresh_one_use_link_with_the_secret_after_the_hash() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_url(&dir);
    assert!(qrlogin(&db, &["accounts", "add", "dave", "--no-password"])
        .status
        .success());
    let url = ["--public-url", "https://login.example.com/"];
    let link = |out: Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let first = link(qrlogin(
        &db,
        &[&["accounts", "enroll", "dave"][..], &url].concat(),
    ));
    let second = link(qrlogin(
        &db,
        &[&["accounts", "enroll", "dave"][..], &url].concat(),
    ));
    assert_ne!(first, second);
    let secret = first
        .strip_prefix("https://login.example.com/m/enroll#")
        .unwrap_or_else(|| panic!("link {first:?}"));
    let hash = Secret::parse_hash(SecretKind::Enrollment, secret).expect("a qle_ secret");
    let store = qrlogin_db::open(&db).await.unwrap();
    let dave = store
        .account_by_username(&Username::parse("dave").unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = SystemClock.now();
    assert_eq!(
        store.enrollment_account(&hash, now).await.unwrap(),
        Some(dave.id)
    );
    let day = 24 * 3_600_000;
    assert_eq!(
        store
            .enrollment_account(&hash, now + day + 60_000)
            .await
            .unwrap(),
        None
    );
    let unknown = qrlogin(&db, &[&["accounts", "enroll", "nobody"][..], &url].concat());
    assert_ne!(
        unknown.status.code(),
        Some(0),
        "no link for an unknown account"
    );
}
