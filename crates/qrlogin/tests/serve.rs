//! `qrlogin serve` as an operator runs it: the bound address printed once it accepts
//! connections (port 0 works), flags from `QRLOGIN_*` variables, and a graceful stop on
//! SIGTERM that answers held long polls first. Plain std HTTP, so the binary is driven
//! exactly as from a shell.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `qrlogin serve` child process, killed on drop.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(envs: &[(&str, &str)], args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qrlogin"))
        .arg("serve")
        .args(args)
        // Nothing kept: without it the default SQLite file lands in the crate folder.
        .env("QRLOGIN_DB", "memory")
        .envs(envs.iter().copied())
        .env("QRLOGIN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("qrlogin starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("a line on stdout");
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .expect("an address")
        .to_owned();
    assert!(line.starts_with("qrlogin listening on http://"), "{line:?}");
    Served { child, addr }
}

/// One HTTP/1.1 request; returns (status, body).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A string field of a flat JSON answer (enough here; keeps this test on std alone).
fn field(json: &str, name: &str) -> String {
    let key = format!("\"{name}\":\"");
    let start = json
        .find(&key)
        .map(|i| i + key.len())
        .unwrap_or_else(|| panic!("no {name} in {json}"));
    json[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn serve_on_port_0_prints_the_bound_address_and_answers() {
    let s = serve(&[], &["--listen", "127.0.0.1:0", "--demo"]);
    assert!(!s.addr.ends_with(":0"));
    assert_eq!(http(&s.addr, "GET", "/healthz", &[], "").0, 200);
    assert_eq!(http(&s.addr, "GET", "/readyz", &[], "").0, 200);
    let login = r#"{"username":"alice","password":"alice-demo","device":{"id":"p1","type":"ios"}}"#;
    let (status, _) = http(
        &s.addr,
        "POST",
        "/api/v1/auth/login",
        &[("content-type", "application/json")],
        login,
    );
    assert_eq!(status, 200, "--demo seeds alice");
}

#[test]
fn flags_can_come_from_qrlogin_environment_variables() {
    let s = serve(
        &[
            ("QRLOGIN_LISTEN", "127.0.0.1:0"),
            ("QRLOGIN_PUBLIC_URL", "https://login.example.test"),
            ("QRLOGIN_QR_TTL", "30"),
        ],
        &[],
    );
    let (status, body) = http(&s.addr, "POST", "/api/v1/qr", &[], "");
    assert_eq!(status, 201);
    assert!(
        field(&body, "qr_content").starts_with("https://login.example.test/m/qr/"),
        "{body}"
    );
    assert!(body.contains("\"expires_in\":30"), "{body}");
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_qrlogin"))
        .args(["serve", "--qr-ttl", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sigterm_answers_held_long_polls_then_exits_cleanly() {
    let mut s = serve(&[], &["--listen", "127.0.0.1:0"]);
    let (_, created) = http(&s.addr, "POST", "/api/v1/qr", &[], "");
    let (id, token) = (field(&created, "qr_id"), field(&created, "poll_token"));
    let addr = s.addr.clone();
    let poll = std::thread::spawn(move || {
        let auth = format!("Bearer {token}");
        http(
            &addr,
            "GET",
            &format!("/api/v1/qr/{id}?wait=60&since=1"),
            &[("authorization", &auth)],
            "",
        )
    });
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    let pid = s.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let (status, body) = poll.join().unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("\"state\":\"pending\""), "{body}");
    let code = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st.code();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0));
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "the 60 s poll did not hold the shutdown"
    );
}
