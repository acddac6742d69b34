//! A temporary SQLite file for the tests, removed (with its WAL files) when dropped.

#![allow(dead_code)] // each test file uses part of it

use qrlogin_core::AccountId;
use std::path::PathBuf;

/// A fresh directory under the system temp dir holding one database file.
pub struct TempDb {
    /// The directory, removed on drop.
    pub dir: PathBuf,
}

impl TempDb {
    /// A new, empty directory.
    pub fn new() -> Self {
        let tag = AccountId::generate().into_string().to_ascii_lowercase();
        let dir = std::env::temp_dir().join(format!("qrlogin-db-test-{tag}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self { dir }
    }

    /// The database file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join("qrlogin.db")
    }

    /// Its `--db` URL.
    pub fn url(&self) -> String {
        format!("sqlite://{}", self.path().display())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
