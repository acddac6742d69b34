//! The conformance suite against SQLite: a temporary file per test, and every
//! "instance" a new pool on that file, which is exactly what a restart is.

mod common;

use common::TempDb;
use qrlogin_db::conformance::{async_trait, Harness};
use qrlogin_db::Db;
use std::sync::Arc;

struct Sqlite(TempDb);

#[async_trait]
impl Harness for Sqlite {
    async fn open(&self) -> Arc<dyn Db> {
        qrlogin_db::open(&self.0.url()).await.expect("sqlite db")
    }
}

qrlogin_db::db_conformance_tests!(Sqlite(TempDb::new()));
