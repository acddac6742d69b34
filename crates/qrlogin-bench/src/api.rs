//! The qrlogin API calls the scenarios make, as pre-built raw requests (see [`crate::http`]),
//! and the set-up steps: phone login, creating and scanning many QR sessions at once.
//!
//! Bodies are qrlogin-core's wire types (`qrlogin_core::api`), the ones the server
//! serialises: a field renamed there breaks the bench's build, not its figures.

use crate::http::{request, Conn};
use anyhow::{bail, Context as _};
use qrlogin_core::api::{
    CreateQrRequest, CreateQrResponse, LoginRequest, LoginResponse, ScanResponse, TicketRequest,
};
use qrlogin_core::DeviceInfo;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// One QR session as the PC holds it: the two fields of [`CreateQrResponse`] the PC
/// keeps (50,000 waiters hold one each, so not the whole answer).
#[derive(Debug, Clone)]
pub struct Qr {
    /// Public id.
    pub qr_id: String,
    /// The PC's secret.
    pub poll_token: String,
}

/// A signed-in phone: token and the device it is bound to.
#[derive(Debug, Clone)]
pub struct Phone {
    /// `qlm_…`.
    pub token: String,
    /// Sent as `X-Device-Id` on every phone request.
    pub device_id: String,
}

impl From<CreateQrResponse> for Qr {
    fn from(a: CreateQrResponse) -> Self {
        Self {
            qr_id: a.qr_id,
            poll_token: a.poll_token,
        }
    }
}

/// JSON of a wire type (they all serialise; a failure would be a bug in qrlogin-core).
fn json<T: serde::Serialize>(body: &T) -> String {
    serde_json::to_string(body).expect("qrlogin-core's wire types serialise")
}

/// A full 111-byte Chrome `User-Agent`, as the PCs of a real site send: the server keeps
/// it with the session (the phone shows it), so it is part of what a pending session
/// costs in Redis. The same as the store's memory test (`pending_from_browser`).
pub const BROWSER_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
     (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// `POST /api/v1/qr`, as a web PC named "qrlogin-bench" (shown to the phone) in Chrome.
pub fn create_req() -> Vec<u8> {
    let body = CreateQrRequest {
        device: Some(DeviceInfo {
            kind: Some("web".into()),
            name: Some("qrlogin-bench".into()),
            ..DeviceInfo::default()
        }),
        ..CreateQrRequest::default()
    };
    let headers = [("User-Agent", BROWSER_UA)];
    request("POST", "/api/v1/qr", &headers, Some(&json(&body)))
}

/// `GET /api/v1/qr/{id}` (short poll), or with `wait`/`since` a long poll.
pub fn status_req(qr: &Qr, long: Option<(u64, u64)>) -> Vec<u8> {
    let path = match long {
        Some((wait, since)) => format!("/api/v1/qr/{}?wait={wait}&since={since}", qr.qr_id),
        None => format!("/api/v1/qr/{}", qr.qr_id),
    };
    let auth = format!("Bearer {}", qr.poll_token);
    request("GET", &path, &[("Authorization", &auth)], None)
}

/// `POST /api/v1/qr/{id}/redeem`.
pub fn redeem_req(qr: &Qr) -> Vec<u8> {
    let auth = format!("Bearer {}", qr.poll_token);
    let path = format!("/api/v1/qr/{}/redeem", qr.qr_id);
    request("POST", &path, &[("Authorization", &auth)], None)
}

/// `POST /api/v1/qr/{id}/scan` by `phone`.
pub fn scan_req(phone: &Phone, qr_id: &str) -> Vec<u8> {
    let auth = format!("Bearer {}", phone.token);
    let path = format!("/api/v1/qr/{qr_id}/scan");
    let headers = [
        ("Authorization", auth.as_str()),
        ("X-Device-Id", &phone.device_id),
    ];
    request("POST", &path, &headers, Some("{}"))
}

/// `POST /api/v1/qr/{id}/confirm` with the scan ticket.
pub fn confirm_req(phone: &Phone, qr_id: &str, ticket: &str) -> Vec<u8> {
    let auth = format!("Bearer {}", phone.token);
    let path = format!("/api/v1/qr/{qr_id}/confirm");
    let headers = [
        ("Authorization", auth.as_str()),
        ("X-Device-Id", &phone.device_id),
    ];
    let body = TicketRequest {
        scan_ticket: Some(ticket.to_owned()),
    };
    request("POST", &path, &headers, Some(&json(&body)))
}

/// Fails with the status and body of an unexpected answer.
pub fn expect(conn: &Conn, status: u16, want: u16, what: &str) -> anyhow::Result<()> {
    if status != want {
        bail!(
            "{what}: HTTP {status}: {}",
            String::from_utf8_lossy(conn.body())
        );
    }
    Ok(())
}

/// Signs a demo phone in (`alice`/`alice-demo` or `bob`/`bob-demo`).
pub async fn login(addr: SocketAddr, user: &str, device_id: &str) -> anyhow::Result<Phone> {
    let mut conn = Conn::connect(addr, None).await?;
    let body = json(&LoginRequest {
        username: user.to_owned(),
        password: format!("{user}-demo"),
        device: DeviceInfo {
            id: Some(device_id.to_owned()),
            kind: Some("ios".into()),
            name: Some("bench phone".into()),
        },
    });
    let st = conn
        .roundtrip(&request("POST", "/api/v1/auth/login", &[], Some(&body)))
        .await?;
    expect(&conn, st, 200, "phone login")?;
    let a: LoginResponse = serde_json::from_slice(conn.body())?;
    Ok(Phone {
        token: a.access_token,
        device_id: device_id.to_owned(),
    })
}

/// Creates one QR session on `conn`.
pub async fn create(conn: &mut Conn, req: &[u8]) -> anyhow::Result<Qr> {
    let st = conn.roundtrip(req).await?;
    expect(conn, st, 201, "create")?;
    Ok(serde_json::from_slice::<CreateQrResponse>(conn.body())?.into())
}

/// Scans `qr_id` with `phone`; returns the scan ticket.
pub async fn scan(conn: &mut Conn, phone: &Phone, qr_id: &str) -> anyhow::Result<String> {
    let st = conn.roundtrip(&scan_req(phone, qr_id)).await?;
    expect(conn, st, 200, "scan")?;
    Ok(serde_json::from_slice::<ScanResponse>(conn.body())?.scan_ticket)
}

/// Creates `n` QR sessions over `conns` connections at once.
pub async fn create_many(addr: SocketAddr, n: usize, conns: usize) -> anyhow::Result<Vec<Qr>> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..conns.clamp(1, n.max(1)) {
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(addr, None).await?;
            let req = create_req();
            let mut out = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                out.push(create(&mut conn, &req).await?);
            }
            anyhow::Ok(out)
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await.context("create task")??);
    }
    Ok(all)
}

/// Scans every QR of `qrs` with `phone` over `conns` connections; returns the tickets
/// in the same order.
pub async fn scan_many(
    addr: SocketAddr,
    phone: &Phone,
    qrs: &[Qr],
    conns: usize,
) -> anyhow::Result<Vec<String>> {
    let ids: Arc<Vec<String>> = Arc::new(qrs.iter().map(|q| q.qr_id.clone()).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..conns.clamp(1, qrs.len().max(1)) {
        let (ids, next, phone) = (ids.clone(), next.clone(), phone.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(addr, None).await?;
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(id) = ids.get(i) else { break };
                out.push((i, scan(&mut conn, &phone, id).await?));
            }
            anyhow::Ok(out)
        }));
    }
    let mut tickets = vec![String::new(); qrs.len()];
    for t in tasks {
        for (i, ticket) in t.await.context("scan task")?? {
            tickets[i] = ticket;
        }
    }
    Ok(tickets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_pc_sends_a_full_length_browser_user_agent() {
        assert_eq!(BROWSER_UA.len(), 111);
        let req = String::from_utf8(create_req()).unwrap();
        assert!(req.contains(&format!("User-Agent: {BROWSER_UA}\r\n")));
    }
}
