//! The conformance suite against PostgreSQL (the local server, trust auth): a fresh
//! database per test, dropped afterwards even when the test fails. The server is always
//! there on this machine and in CI, so an unreachable one fails the tests.

use qrlogin_core::AccountId;
use qrlogin_db::conformance::{async_trait, fixtures, run, Flavor, Harness};
use qrlogin_db::{Db, DbError};
use sqlx::{Connection, PgConnection};
use std::sync::Arc;

/// Where the test databases are made.
const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh database `qrlogin_test_<random>`; dropped on drop.
struct Postgres {
    name: String,
}

impl Postgres {
    async fn new() -> Self {
        let tag = AccountId::generate().into_string().to_ascii_lowercase();
        let name = format!("qrlogin_test_{}", tag.replace('-', "_"));
        let mut admin = PgConnection::connect(ADMIN_URL)
            .await
            .expect("the PostgreSQL server on 127.0.0.1:5432 must be running");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        Self { name }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime (maybe while unwinding): do the async
        // cleanup on a thread of its own, and wait for it.
        let name = self.name.clone();
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut admin = PgConnection::connect(ADMIN_URL).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map(drop)
            })
        })
        .join();
        if !matches!(done, Ok(Ok(()))) {
            eprintln!("could not drop test database {}: {done:?}", self.name);
        }
    }
}

#[async_trait]
impl Harness for Postgres {
    async fn open(&self) -> Arc<dyn Db> {
        qrlogin_db::open(&self.url()).await.expect("postgres db")
    }
}

qrlogin_db::db_conformance_tests!(Postgres::new().await);

#[test]
fn an_unreachable_server_answers_unavailable() {
    run(Flavor::Current, async {
        let err = qrlogin_db::open("postgres://postgres@127.0.0.1:1/x").await;
        let Err(DbError::Unavailable(msg)) = err else {
            panic!("expected Unavailable, got {:?}", err.map(|_| ()));
        };
        assert!(msg.contains("refused"), "{msg}");
    });
}

#[test]
fn a_missing_database_answers_unavailable() {
    run(Flavor::Current, async {
        let err = qrlogin_db::open("postgres://postgres@127.0.0.1:5432/qrlogin_no_such_db").await;
        let Err(DbError::Unavailable(msg)) = err else {
            panic!("expected Unavailable, got {:?}", err.map(|_| ()));
        };
        assert!(msg.contains("qrlogin_no_such_db"), "{msg}");
    });
}

/// Connections killed by the server (a restart, a failover) cost at most a failed call
/// or two, each `Unavailable`; then the pool reconnects and the data is all there.
#[test]
fn killed_connections_recover_with_the_data_intact() {
    run(Flavor::Current, async {
        let pg = Postgres::new().await;
        let db = pg.open().await;
        let acc = fixtures::stored_account(&*db).await;
        let mut admin = PgConnection::connect(ADMIN_URL).await.expect("admin");
        let killed = sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        )
        .bind(&pg.name)
        .execute(&mut admin)
        .await
        .expect("terminate");
        assert!(killed.rows_affected() >= 1);
        let mut answer = None;
        for _ in 0..10 {
            match db.account_by_id(&acc.id).await {
                Ok(found) => {
                    answer = Some(found);
                    break;
                }
                Err(DbError::Unavailable(_)) => continue,
                Err(other) => panic!("a killed connection must be Unavailable: {other}"),
            }
        }
        assert_eq!(answer, Some(Some(acc)));
    });
}

/// Two instances starting at once on an empty database both migrate without error
/// (sqlx's advisory lock), and see one schema.
#[test]
fn instances_starting_together_migrate_once() {
    run(Flavor::Multi, async {
        let pg = Postgres::new().await;
        let url = pg.url();
        let (a, b) = tokio::join!(qrlogin_db::open(&url), qrlogin_db::open(&url));
        let (a, b) = (a.expect("first"), b.expect("second"));
        let acc = fixtures::stored_account(&*a).await;
        assert_eq!(b.account_by_id(&acc.id).await.expect("get"), Some(acc));
    });
}
