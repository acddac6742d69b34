//! `sqlite://qrlogin.db`, the default, is a file in the working directory. Its own test
//! binary: it changes the process's working directory.

mod common;

use common::TempDb;
use qrlogin_db::conformance::fixtures::stored_account;
use qrlogin_db::conformance::{run, Flavor};

#[test]
fn a_relative_sqlite_path_is_created_in_the_working_directory() {
    run(Flavor::Current, async {
        let tmp = TempDb::new();
        std::env::set_current_dir(&tmp.dir).expect("cd");
        let db = qrlogin_db::open("sqlite://qrlogin.db").await.expect("open");
        let acc = stored_account(&*db).await;
        assert!(tmp.dir.join("qrlogin.db").exists());
        drop(db);
        let again = qrlogin_db::open("sqlite://qrlogin.db")
            .await
            .expect("reopen");
        assert_eq!(again.account_by_id(&acc.id).await.expect("get"), Some(acc));
        qrlogin_db::migrate("sqlite://qrlogin.db")
            .await
            .expect("migrate is idempotent");
    });
}
