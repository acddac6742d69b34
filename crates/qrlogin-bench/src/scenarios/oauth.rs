//! `oauth`: qrlogin's OAuth 2.0 face under the load the peer gets in the same run
//! (`scenarios::peer` and [`exchange::run_peer`]): device authorization requests,
//! device-token polls answered "not yet", and authorization-code exchanges with PKCE.
//! All of it as the public client `demo` that `qrlogin serve --demo` registers.

use crate::api::{expect, login, scan, Phone, Qr};
use crate::http::{find, request, request_typed, Conn};
use crate::push::Unsupported;
use crate::scenarios::exchange::{self, challenge, ExchangeResult, Tally, FORM, REDIRECT_ENC};
use crate::scenarios::status::{load, Throughput};
use crate::stats::CpuMeter;
use anyhow::{bail, Context as _};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The public client of `--demo`: grants authorization_code and device_code, redirect
/// `http://127.0.0.1/callback` on any loopback port.
const CLIENT: &str = "demo";
/// Requests per connection at most: time, not count, ends these runs.
const MAX_PER_CONN: u64 = 10_000_000;
/// Codes live 60 s (API.md): minting and exchanging must both fit well inside that.
const CODE_BUDGET: Duration = Duration::from_secs(25);

/// qrlogin's figures for the comparison with the peer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OAuthResult {
    /// `POST /oauth2/device_authorization` answered 200.
    pub device_auth: Throughput,
    /// Device-token polls answered `authorization_pending` or `slow_down`.
    pub device_polls: Throughput,
    /// What a poll answers once the run is over (`slow_down`: polled sooner than the
    /// interval, RFC 8628 §3.5, as a bench poller always is).
    pub poll_answer: String,
    /// Authorization-code exchanges.
    pub exchange: ExchangeResult,
}

fn device_auth_req() -> Vec<u8> {
    let body = format!("client_id={CLIENT}&scope=openid");
    request_typed(
        "POST",
        "/oauth2/device_authorization",
        &[],
        Some((FORM, &body)),
    )
}

fn device_poll_req(device_code: &str) -> Vec<u8> {
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id={CLIENT}&device_code={device_code}"
    );
    request_typed("POST", "/oauth2/token", &[], Some((FORM, &body)))
}

/// A device authorization answered.
fn authorized(status: u16, body: &[u8]) -> bool {
    status == 200 && find(body, b"\"device_code\"").is_some()
}

/// A poll answered "not yet": `authorization_pending`, or `slow_down` (too soon).
fn pending(status: u16, body: &[u8]) -> bool {
    status == 400
        && (find(body, b"authorization_pending").is_some() || find(body, b"slow_down").is_some())
}

/// The `error` of an RFC 6749 error answer.
fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
}

/// Measures polls of `codes` pending device codes, then device authorizations, then
/// code exchanges; each phase `duration` long over `connections` connections.
pub async fn run(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    codes: usize,
    pid: Option<u32>,
) -> anyhow::Result<OAuthResult> {
    let mut conn = Conn::connect(addr, None).await?;
    let auth = device_auth_req();
    let mut polls = Vec::with_capacity(codes);
    for _ in 0..codes.max(1) {
        let st = conn.roundtrip(&auth).await?;
        if st == 404 {
            return Err(
                Unsupported("no /oauth2/device_authorization on this server".into()).into(),
            );
        }
        expect(&conn, st, 200, "device authorization")?;
        let v: serde_json::Value = serde_json::from_slice(conn.body())?;
        let code = v["device_code"].as_str().context("no device_code")?;
        polls.push(device_poll_req(code));
    }
    let st = conn.roundtrip(&polls[0]).await?;
    if !pending(st, conn.body()) {
        bail!("device poll answered {st}: {}", error_code(conn.body()));
    }
    let device_polls = load(
        addr,
        Arc::new(polls.clone()),
        connections,
        duration,
        MAX_PER_CONN,
        pid,
        pending,
    )
    .await;
    conn.roundtrip(&polls[0]).await?;
    let poll_answer = error_code(conn.body());
    let device_auth = load(
        addr,
        Arc::new(vec![auth]),
        connections,
        duration,
        MAX_PER_CONN,
        pid,
        authorized,
    )
    .await;
    let exchange = run_exchange(addr, connections, duration, pid).await?;
    Ok(OAuthResult {
        device_auth,
        device_polls,
        poll_answer,
        exchange,
    })
}

/// `POST /oauth2/authorize/session`: the authorize page's QR session, carrying the
/// authorization request (PKCE S256, scope `openid`, so the exchange signs an ID token).
fn session_req() -> Vec<u8> {
    let q = format!(
        "client_id={CLIENT}&redirect_uri={REDIRECT_ENC}&response_type=code&scope=openid&state=bench&code_challenge={}&code_challenge_method=S256",
        challenge()
    );
    request("POST", &format!("/oauth2/authorize/session?{q}"), &[], None)
}

/// The `code` parameter of a redirect, as sent (already form-safe).
fn code_of(location: &str) -> Option<&str> {
    let query = location.split_once('?')?.1;
    query.split('&').find_map(|kv| kv.strip_prefix("code="))
}

/// The two fields of the authorize page's QR session that the PC side keeps.
#[derive(serde::Deserialize)]
struct AuthorizeSession {
    qr_id: String,
    poll_token: String,
}

impl From<AuthorizeSession> for Qr {
    fn from(a: AuthorizeSession) -> Self {
        Self {
            qr_id: a.qr_id,
            poll_token: a.poll_token,
        }
    }
}

/// One whole authorize flow: the page's QR session, the phone's scan and confirm, the
/// page's completion; answers the code of the `303`.
async fn mint_one(conn: &mut Conn, phone: &Phone, session_r: &[u8]) -> anyhow::Result<String> {
    let st = conn.roundtrip(session_r).await?;
    expect(conn, st, 201, "authorize session")?;
    let qr: Qr = serde_json::from_slice::<AuthorizeSession>(conn.body())?.into();
    let ticket = scan(conn, phone, &qr.qr_id).await?;
    let st = conn
        .roundtrip(&crate::api::confirm_req(phone, &qr.qr_id, &ticket))
        .await?;
    expect(conn, st, 200, "confirm")?;
    let form = format!("qr_id={}&poll_token={}", qr.qr_id, qr.poll_token);
    let st = conn
        .roundtrip(&request_typed(
            "POST",
            "/oauth2/authorize/complete",
            &[],
            Some((FORM, &form)),
        ))
        .await?;
    expect(conn, st, 303, "authorize complete")?;
    let to = conn.header("location").context("303 without Location")?;
    Ok(code_of(to)
        .with_context(|| format!("no code in {to}"))?
        .to_owned())
}

/// Mints codes over `workers` connections for `budget`, as fast as the server goes.
async fn mint_many(
    addr: SocketAddr,
    phone: &Phone,
    workers: usize,
    budget: Duration,
    cap: usize,
) -> anyhow::Result<Vec<String>> {
    let deadline = Instant::now() + budget;
    let count = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..workers.max(1) {
        let (phone, count) = (phone.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(addr, None).await?;
            let session_r = session_req();
            let mut out = Vec::new();
            while Instant::now() < deadline && count.fetch_add(1, Ordering::Relaxed) < cap {
                out.push(mint_one(&mut conn, &phone, &session_r).await?);
            }
            anyhow::Ok(out)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.context("mint task")??);
    }
    Ok(all)
}

/// Mints codes through whole authorize flows (untimed), then times their exchanges.
pub async fn run_exchange(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    pid: Option<u32>,
) -> anyhow::Result<ExchangeResult> {
    let phone = login(addr, "alice", "bench-oauth").await?;
    let budget = duration.min(CODE_BUDGET);
    let t0 = Instant::now();
    let codes = mint_many(addr, &phone, connections, budget, 1_000_000).await?;
    let mint_s = t0.elapsed().as_secs_f64();
    let reqs: Vec<Vec<u8>> = codes
        .iter()
        .map(|c| exchange::exchange_req("/oauth2/token", CLIENT, c))
        .collect();
    let conns = exchange::connect_n(addr, connections).await?;
    let meter = CpuMeter::start(pid);
    let deadline = Instant::now() + budget;
    let (_, ok, errors) =
        exchange::each_once(conns, Arc::new(reqs), deadline, exchange::issued).await;
    let mut tally = Tally::default();
    tally.add(ok, errors, &meter.stop());
    if ok == 0 {
        bail!(
            "no code exchange succeeded ({errors} errors, {} codes)",
            codes.len()
        );
    }
    Ok(ExchangeResult {
        exchanges: tally.throughput(),
        minted: codes.len() as u64,
        mint_s,
        rounds: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_read_from_the_redirect() {
        let to = "http://127.0.0.1:49152/callback?code=qlac_x-Y&state=bench&iss=http%3A%2F%2Fh";
        assert_eq!(code_of(to), Some("qlac_x-Y"));
        assert_eq!(
            code_of("http://127.0.0.1/callback?error=access_denied"),
            None
        );
    }

    #[test]
    fn slow_down_and_pending_both_count_as_not_yet() {
        assert!(pending(400, br#"{"error":"slow_down"}"#));
        assert!(pending(400, br#"{"error":"authorization_pending"}"#));
        assert!(!pending(400, br#"{"error":"expired_token"}"#));
        assert_eq!(error_code(br#"{"error":"slow_down"}"#), "slow_down");
    }
}
