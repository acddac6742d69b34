//! The conformance suite against the `memory` backend.

use qrlogin_db::conformance::{async_trait, Harness};
use qrlogin_db::Db;
use std::sync::Arc;

/// One in-memory database per test; every "instance" is the same handle, as several
/// handles in one process are.
struct Memory(Arc<dyn Db>);

impl Memory {
    async fn new() -> Self {
        Self(qrlogin_db::open("memory").await.expect("memory db"))
    }
}

#[async_trait]
impl Harness for Memory {
    async fn open(&self) -> Arc<dyn Db> {
        Arc::clone(&self.0)
    }
}

qrlogin_db::db_conformance_tests!(Memory::new().await);

#[test]
fn two_memory_databases_share_nothing() {
    qrlogin_db::conformance::run(qrlogin_db::conformance::Flavor::Current, async {
        let (a, b) = (Memory::new().await, Memory::new().await);
        let acc = qrlogin_db::conformance::fixtures::account();
        assert!(a.0.create_account(&acc).await.expect("create"));
        assert_eq!(b.0.account_by_id(&acc.id).await.expect("get"), None);
    });
}
