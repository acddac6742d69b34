//! The credential files: the PC session (`session.json`) and the phone token
//! (`phone.json`), in a directory only the user can enter (0700), each file readable
//! only by the user (0600), like `~/.ssh`. Tokens go there and nowhere else: never to
//! stdout, never to a log.
//!
//! Location: `--config-dir` / `QRLOGIN_CONFIG_DIR`, else `$XDG_CONFIG_HOME/qrlogin`,
//! else `~/.config/qrlogin`. A file is written to a fresh 0600 temporary file beside
//! it and renamed over it, so a crash never leaves half a token and the secret is never
//! readable by others, not even for an instant.

use crate::exit::{Exit, Failure};
use qrlogin_client::api::AccountView;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// File name of the PC session.
pub const SESSION_FILE: &str = "session.json";
/// File name of the phone credentials.
pub const PHONE_FILE: &str = "phone.json";

/// What `qrlogin login` keeps: enough for `qrlogin me` / `logout` to talk to the same
/// server with the same session.
#[derive(Serialize, Deserialize)]
pub struct PcSession {
    /// Base URL of the server that issued the session.
    pub server: String,
    /// The `qlw_…` session token (secret).
    pub session_token: String,
    /// Who is signed in.
    pub account: AccountView,
    /// When the session ends (RFC 3339, computed from `expires_in` at redeem).
    pub expires_at: String,
}

/// What `qrlogin phone login` keeps: the mobile token is bound to the device id, so the
/// two are stored together.
#[derive(Serialize, Deserialize)]
pub struct PhoneCredentials {
    /// Base URL of the server that issued the token.
    pub server: String,
    /// The `qlm_…` mobile token (secret).
    pub access_token: String,
    /// The device the token is bound to (sent as `X-Device-Id`).
    pub device_id: String,
    /// Whose phone this is.
    pub account: AccountView,
    /// When the token ends (RFC 3339).
    pub expires_at: String,
}

/// The credential directory, resolved once per command.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store at `override_dir`, or the XDG default.
    pub fn new(override_dir: Option<PathBuf>) -> Result<Self, Failure> {
        let dir = match override_dir {
            Some(d) => d,
            None => default_dir().ok_or_else(|| {
                Failure::new(
                    Exit::Generic,
                    "cannot find a config directory: set HOME, XDG_CONFIG_HOME or --config-dir",
                )
            })?,
        };
        Ok(Self { dir })
    }

    /// The directory itself.
    #[cfg(test)]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the file `name` in the store.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads `name`; `Ok(None)` when it does not exist.
    pub fn load<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Failure> {
        let path = self.path(name);
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_failure("cannot read", &path, &e)),
        };
        warn_if_shared(&path);
        serde_json::from_slice(&text).map(Some).map_err(|_| {
            Failure::new(
                Exit::Generic,
                format!("{} is damaged; delete it and sign in again", path.display()),
            )
        })
    }

    /// Writes `value` to `name` with mode 0600 (directory 0700), atomically.
    pub fn save<T: Serialize>(&self, name: &str, value: &T) -> Result<PathBuf, Failure> {
        create_private_dir(&self.dir).map_err(|e| io_failure("cannot create", &self.dir, &e))?;
        let path = self.path(name);
        let tmp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let json = serde_json::to_vec_pretty(value)
            .map_err(|e| Failure::new(Exit::Generic, format!("cannot encode {name}: {e}")))?;
        let written = write_private(&tmp, &json).and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io_failure("cannot write", &path, &e));
        }
        Ok(path)
    }

    /// Deletes `name`; `Ok(false)` when it was not there.
    pub fn remove(&self, name: &str) -> Result<bool, Failure> {
        let path = self.path(name);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_failure("cannot delete", &path, &e)),
        }
    }
}

/// `$XDG_CONFIG_HOME/qrlogin`, else `$HOME/.config/qrlogin` (relative XDG values are
/// ignored, as the XDG spec says).
fn default_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .map(|h| h.join(".config"))
    })?;
    Some(base.join("qrlogin"))
}

fn io_failure(what: &str, path: &Path, e: &std::io::Error) -> Failure {
    Failure::new(Exit::Generic, format!("{what} {}: {e}", path.display()))
}

/// Creates `dir` (and parents) with mode 0700 for the directories it creates. An
/// existing directory is left as it is: it may be one the user chose on purpose.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `path` anew with mode 0600 from the first byte on, and writes `bytes`.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Says so on stderr when a credential file is readable by others (someone copied or
/// chmod-ed it), the way ssh warns about an unprotected key.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                eprintln!(
                    "qrlogin: warning: {} is readable by other users; run `chmod 600` on it",
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_saved_file_is_readable_only_by_its_owner_in_a_private_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(Some(tmp.path().join("a/qrlogin"))).unwrap();
        let path = store
            .save("x.json", &serde_json::json!({"secret": "qlw_x"}))
            .unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(store.dir()), 0o700);
        let back: serde_json::Value = store.load("x.json").unwrap().unwrap();
        assert_eq!(back["secret"], "qlw_x");
        // Overwriting keeps the mode and leaves no temporary file behind.
        store.save("x.json", &serde_json::json!({})).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_dir(store.dir()).unwrap().count(), 1);
        assert!(store.remove("x.json").unwrap());
        assert!(!store.remove("x.json").unwrap());
        assert!(store.load::<serde_json::Value>("x.json").unwrap().is_none());
    }

    #[test]
    fn a_damaged_file_is_a_clear_failure() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(Some(tmp.path().to_owned())).unwrap();
        std::fs::write(store.path(PHONE_FILE), b"{not json").unwrap();
        let err = store.load::<PhoneCredentials>(PHONE_FILE).err().unwrap();
        assert!(err.message.contains("damaged"), "{}", err.message);
    }
}
