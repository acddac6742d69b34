//! `qrlogin serve --config FILE` and `qrlogin config show` as an operator runs them:
//! the layers (file < environment < flags) seen through `config show` and through the
//! port a served file names, and the start-up errors that name what is wrong.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// `qrlogin ARGS` in `dir` with only the `QRLOGIN_*` variables given (none inherited).
fn qrlogin(dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qrlogin"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("QRLOGIN_") {
            cmd.env_remove(key);
        }
    }
    cmd.current_dir(dir).args(args).envs(envs.iter().copied());
    cmd
}

fn run(dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> Output {
    qrlogin(dir, envs, args).output().expect("qrlogin runs")
}

/// `qrlogin config show …`, which must succeed, as a TOML table.
fn show(dir: &Path, envs: &[(&str, &str)], flags: &[&str]) -> toml::Table {
    let out = run(dir, envs, &[&["config", "show"], flags].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "config show failed: {stderr}");
    toml::from_str(&String::from_utf8_lossy(&out.stdout)).expect("config show prints TOML")
}

/// A failed start: non-zero exit, nothing on stdout, the message on stderr.
fn refused(out: &Output) -> String {
    assert!(!out.status.success(), "it started");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn dir_with(file: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("qrlogin.toml"), file).unwrap();
    dir
}

#[test]
fn config_show_layers_file_then_environment_then_flags() {
    let dir =
        dir_with("listen = \"127.0.0.1:7001\"\nqr_ttl = 30\nconfirm_ttl = 31\nmax_waiters = 7\n");
    let envs = [("QRLOGIN_QR_TTL", "40"), ("QRLOGIN_CONFIRM_TTL", "41")];
    let s = show(
        dir.path(),
        &envs,
        &["--config", "qrlogin.toml", "--confirm-ttl", "50"],
    );
    assert_eq!(s["listen"].as_str(), Some("127.0.0.1:7001"), "file");
    assert_eq!(s["max_waiters"].as_integer(), Some(7), "file");
    assert_eq!(s["qr_ttl"].as_integer(), Some(40), "environment over file");
    assert_eq!(
        s["confirm_ttl"].as_integer(),
        Some(50),
        "flag over environment"
    );
    assert_eq!(s["store"].as_str(), Some("memory"), "default");
    assert_eq!(s["db"].as_str(), Some("sqlite://qrlogin.db"), "default");
}

#[test]
fn config_show_reads_the_file_named_by_qrlogin_config() {
    let dir = dir_with("api = \"phone\"\ntrusted_proxies = [\"10.0.0.0/8\"]\n");
    let s = show(dir.path(), &[("QRLOGIN_CONFIG", "qrlogin.toml")], &[]);
    assert_eq!(s["api"].as_str(), Some("phone"));
    assert_eq!(s["trusted_proxies"].as_array().map(Vec::len), Some(1));
}

#[test]
fn serve_listens_where_the_config_file_says() {
    let port = {
        let free = TcpListener::bind("127.0.0.1:0").unwrap();
        free.local_addr().unwrap().port()
    };
    let dir = dir_with(&format!(
        "listen = \"127.0.0.1:{port}\"\ndb = \"memory\"\nqr_ttl = 33\n"
    ));
    let mut child = qrlogin(
        dir.path(),
        &[("QRLOGIN_LOG", "warn")],
        &["serve", "--config", "qrlogin.toml"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("qrlogin starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let created = (|| {
        let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        let req =
            "POST /api/v1/qr HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        s.write_all(req.as_bytes()).ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    })();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        line.trim(),
        format!("qrlogin listening on http://127.0.0.1:{port}")
    );
    let created = created.expect("an answer on the file's port");
    assert!(created.contains("\"expires_in\":33"), "{created}");
}

#[test]
fn an_unknown_key_stops_the_start_naming_it() {
    let dir = dir_with("listen = \"127.0.0.1:0\"\nmax_waiter = 5\n");
    let err = refused(&run(
        dir.path(),
        &[],
        &["serve", "--config", "qrlogin.toml"],
    ));
    assert!(err.contains("max_waiter"), "{err}");
}

#[test]
fn a_wrong_type_stops_the_start_naming_the_key() {
    let dir = dir_with("listen = \"127.0.0.1:0\"\nqr_ttl = \"two minutes\"\n");
    let err = refused(&run(
        dir.path(),
        &[],
        &["serve", "--config", "qrlogin.toml"],
    ));
    assert!(err.contains("qr_ttl"), "{err}");
    let env = [
        ("QRLOGIN_MAX_WAITERS", "lots"),
        ("QRLOGIN_LISTEN", "127.0.0.1:0"),
    ];
    let err = refused(&run(dir.path(), &env, &["serve"]));
    assert!(err.to_ascii_lowercase().contains("max_waiters"), "{err}");
}

#[test]
fn a_bad_cidr_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--trusted-proxies",
        "10.0.0.0/8,10.0.0.300/8",
    ];
    let err = refused(&run(dir.path(), &[], &args));
    assert!(err.contains("10.0.0.300/8"), "{err}");
    let env = [("QRLOGIN_TRUSTED_PROXIES", "not-a-net")];
    let err = refused(&run(dir.path(), &env, &["config", "show"]));
    assert!(
        err.contains("trusted_proxies") && err.contains("not-a-net"),
        "{err}"
    );
}

#[test]
fn config_show_prints_passwords_as_stars() {
    let dir = dir_with("db = \"postgres://app:s3cret-db@127.0.0.1:5432/qrlogin\"\n");
    let env = [("QRLOGIN_STORE", "redis://:hunter2@127.0.0.1:6379/0")];
    let out = run(
        dir.path(),
        &env,
        &["config", "show", "--config", "qrlogin.toml"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !stdout.contains("hunter2") && !stdout.contains("s3cret-db"),
        "{stdout}"
    );
    assert!(stdout.contains("redis://:***@127.0.0.1:6379/0"), "{stdout}");
    assert!(
        stdout.contains("postgres://app:***@127.0.0.1:5432/qrlogin"),
        "{stdout}"
    );
}

#[test]
fn a_missing_config_file_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = refused(&run(dir.path(), &[], &["serve", "--config", "absent.toml"]));
    assert!(err.contains("absent.toml"), "{err}");
}
