//! SQLite beyond the suite: restarts, backups, read-only and locked files, foreign
//! data, bad URLs.

mod common;

use common::TempDb;
use qrlogin_db::conformance::fixtures::{
    event, hash, mobile_token, stored_account, web_session, LONG, NOW,
};
use qrlogin_db::conformance::{run, Flavor};
use qrlogin_db::{ActivityKind, DbError};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;

/// A restart (a new open of the same file) keeps accounts, tokens, sessions, and
/// revocations made before it.
#[test]
fn a_restart_keeps_accounts_tokens_sessions_and_revocations() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        let db = qrlogin_db::open(&tmp.url()).await.expect("open");
        let acc = stored_account(&*db).await;
        let (kept, revoked) = (hash(), hash());
        for k in [&kept, &revoked] {
            assert!(db
                .put_mobile_token(k, &mobile_token(&acc.id, NOW + LONG))
                .await
                .expect("put"));
        }
        let (ses_key, ses) = web_session(&acc.id, NOW, NOW + LONG);
        assert!(db.put_web_session(&ses_key, &ses).await.expect("put"));
        assert!(db.revoke_mobile_token(&revoked).await.expect("revoke"));
        drop(db);

        let db = qrlogin_db::open(&tmp.url()).await.expect("reopen");
        assert_eq!(
            db.account_by_id(&acc.id).await.expect("get"),
            Some(acc.clone())
        );
        assert!(db.mobile_token(&kept, NOW).await.expect("get").is_some());
        assert_eq!(db.mobile_token(&revoked, NOW).await.expect("get"), None);
        assert_eq!(
            db.web_session_by_token(&ses_key, NOW).await.expect("get"),
            Some(ses)
        );
    });
}

/// A backup taken while the database is open, opened as a database, has the same
/// accounts, tokens and sessions; a second backup onto it is refused.
#[test]
fn a_backup_opened_as_a_database_has_the_same_data() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        let db = qrlogin_db::open(&tmp.url()).await.expect("open");
        let acc = stored_account(&*db).await;
        let tok = hash();
        assert!(db
            .put_mobile_token(&tok, &mobile_token(&acc.id, NOW + LONG))
            .await
            .expect("put"));
        let (ses_key, ses) = web_session(&acc.id, NOW, NOW + LONG);
        assert!(db.put_web_session(&ses_key, &ses).await.expect("put"));

        let dest = tmp.dir.join("backup.db");
        qrlogin_db::backup_sqlite(&tmp.url(), &dest)
            .await
            .expect("backup");
        let again = qrlogin_db::backup_sqlite(&tmp.url(), &dest).await;
        assert!(matches!(again, Err(DbError::Invalid(_))), "{again:?}");

        let copy = qrlogin_db::open(&format!("sqlite://{}", dest.display()))
            .await
            .expect("copy");
        assert_eq!(copy.list_accounts().await.expect("list"), vec![acc.clone()]);
        assert!(copy.mobile_token(&tok, NOW).await.expect("get").is_some());
        assert_eq!(
            copy.web_sessions_of(&acc.id, NOW).await.expect("list"),
            vec![ses]
        );
    });
}

/// Only SQLite databases are backed up this way; a missing source is an error, not a
/// new empty file.
#[test]
fn a_backup_of_anything_but_an_existing_sqlite_file_is_refused() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        let dest = tmp.dir.join("b.db");
        for url in ["memory", "postgres://postgres@127.0.0.1:5432/postgres"] {
            let r = qrlogin_db::backup_sqlite(url, &dest).await;
            assert!(matches!(r, Err(DbError::Invalid(_))), "{url}: {r:?}");
        }
        let r = qrlogin_db::backup_sqlite(&tmp.url(), &dest).await;
        assert!(matches!(r, Err(DbError::Unavailable(_))), "{r:?}");
        assert!(!tmp.path().exists() && !dest.exists());
    });
}

/// A database opened read-only still reads, and a write answers `Unavailable` saying
/// "read-only", changing nothing. (Tests run as root, whom file modes do not stop, so
/// read-only is asked for with `mode=ro`; SQLite reports a write-protected file the
/// same way.)
#[test]
fn a_read_only_database_reads_and_refuses_writes_clearly() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        let rw = qrlogin_db::open(&tmp.url()).await.expect("open");
        let acc = stored_account(&*rw).await;
        let ro = qrlogin_db::open(&format!("{}?mode=ro", tmp.url()))
            .await
            .expect("open ro");
        assert_eq!(
            ro.account_by_id(&acc.id).await.expect("read"),
            Some(acc.clone())
        );
        let r = ro.set_disabled(&acc.id, true, NOW).await;
        let Err(DbError::Unavailable(msg)) = r else {
            panic!("expected Unavailable, got {r:?}");
        };
        assert!(msg.contains("read-only"), "{msg}");
        assert!(
            !rw.account_by_id(&acc.id)
                .await
                .expect("read")
                .expect("acc")
                .disabled
        );
    });
}

/// While another process holds the write lock longer than the busy timeout, a write
/// answers `Unavailable` ("busy") and reads still work; once the lock is gone, writes
/// work again.
#[test]
fn a_locked_database_answers_unavailable_and_recovers() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        let db = qrlogin_db::open(&tmp.url()).await.expect("open");
        let acc = stored_account(&*db).await;
        let mut other = sqlx::sqlite::SqliteConnectOptions::from_str(&tmp.url())
            .expect("url")
            .connect()
            .await
            .expect("connect");
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .expect("lock");
        let r = db.set_disabled(&acc.id, true, NOW).await;
        let Err(DbError::Unavailable(msg)) = r else {
            panic!("expected Unavailable, got {r:?}");
        };
        assert!(msg.contains("busy") || msg.contains("locked"), "{msg}");
        assert!(db.account_by_id(&acc.id).await.expect("read").is_some());
        sqlx::query("ROLLBACK")
            .execute(&mut other)
            .await
            .expect("unlock");
        other.close().await.expect("close");
        assert!(db.set_disabled(&acc.id, true, NOW).await.expect("write"));
    });
}

/// Rows written by something else that break the rules (a bad username, a bad id, a
/// bad device column) read as `Corrupt`, never a panic.
#[test]
fn foreign_data_reads_as_corrupt_not_a_panic() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        let db = qrlogin_db::open(&tmp.url()).await.expect("open");
        let mut raw = sqlx::sqlite::SqliteConnectOptions::from_str(&tmp.url())
            .expect("url")
            .connect()
            .await
            .expect("connect");
        sqlx::query(
            "INSERT INTO accounts VALUES ('acc_ok', 'NOT VALID!', 'x', NULL, NULL, 0, 1, 1), \
             ('bad id with spaces', 'fine', 'x', NULL, NULL, 0, 1, 1)",
        )
        .execute(&mut raw)
        .await
        .expect("insert");
        sqlx::query(
            "INSERT INTO mobile_tokens VALUES (x'00', 'acc_ok', '{not json', 1, 9999999999999)",
        )
        .execute(&mut raw)
        .await
        .expect("insert");
        let r = db.list_accounts().await;
        assert!(matches!(r, Err(DbError::Corrupt(_))), "{r:?}");
        let token = db
            .mobile_token(&qrlogin_core::TokenHash([0; 32]), NOW)
            .await;
        assert!(token.expect("a wrong-length hash finds nothing").is_none());
        sqlx::query("UPDATE mobile_tokens SET token_hash = zeroblob(32)")
            .execute(&mut raw)
            .await
            .expect("update");
        let token = db
            .mobile_token(&qrlogin_core::TokenHash([0; 32]), NOW)
            .await;
        assert!(matches!(token, Err(DbError::Corrupt(_))), "{token:?}");
    });
}

/// An event of a kind this version does not know (written by a newer instance on the
/// same database) is left out of the log, and the rest still reads.
#[test]
fn events_of_unknown_kinds_are_left_out() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        let db = qrlogin_db::open(&tmp.url()).await.expect("open");
        let acc = stored_account(&*db).await;
        let known = event(&acc.id, NOW, ActivityKind::QrScanned);
        db.append_event(&known).await.expect("append");
        let mut raw = sqlx::sqlite::SqliteConnectOptions::from_str(&tmp.url())
            .expect("url")
            .connect()
            .await
            .expect("connect");
        sqlx::query(
            "INSERT INTO activity_events (id, account_id, at, kind) \
             VALUES ('evt_new', $1, $2, 'teleported')",
        )
        .bind(acc.id.as_str())
        .bind(NOW + 1)
        .execute(&mut raw)
        .await
        .expect("insert");
        assert_eq!(
            db.events_of(&acc.id, 50).await.expect("events"),
            vec![known]
        );
    });
}

/// A file that is not a SQLite database is refused with a clear error, and left as is.
#[test]
fn a_file_that_is_not_a_database_is_refused_and_untouched() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        let junk = vec![b'x'; 4096];
        std::fs::write(tmp.path(), &junk).expect("write");
        let r = qrlogin_db::open(&tmp.url()).await;
        let Err(DbError::Corrupt(msg)) = r.as_ref().map(|_| ()) else {
            panic!("expected Corrupt, got {:?}", r.map(|_| ()));
        };
        assert!(msg.contains("not a database"), "{msg}");
        assert_eq!(std::fs::read(tmp.path()).expect("read"), junk);
    });
}

/// URLs that name no backend are `Invalid`, with any password starred out.
#[test]
fn an_unknown_url_is_invalid() {
    run(Flavor::Current, async {
        let r = qrlogin_db::open("mysql://root:hunter2@db/x").await;
        let Err(DbError::Invalid(msg)) = r else {
            panic!("expected Invalid");
        };
        assert!(!msg.contains("hunter2"), "{msg}");
    });
}

/// Eight instances opening one fresh file at the same moment all come up with the full
/// schema: the losers of the migration race (a `CREATE` or an `ALTER TABLE … ADD
/// COLUMN` the winner is committing) retry and find it recorded.
#[test]
fn instances_opening_one_fresh_file_together_all_migrate() {
    run(Flavor::Multi, async {
        for _ in 0..10 {
            let tmp = TempDb::new();
            let url = tmp.url();
            let opens: Vec<_> = (0..8)
                .map(|_| {
                    let url = url.clone();
                    tokio::spawn(async move { qrlogin_db::open(&url).await.map(drop) })
                })
                .collect();
            for o in opens {
                o.await.expect("task").expect("every instance opens");
            }
        }
    });
}
