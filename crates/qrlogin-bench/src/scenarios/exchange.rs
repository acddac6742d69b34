//! `exchange`: the authorization-code exchange at the token endpoint
//! (`grant_type=authorization_code` with PKCE), timed alone. Codes are one-use and
//! short-lived, so they are minted before each timed phase (qrlogin: whole authorize
//! flows through its API, see [`crate::scenarios::oauth`]; the peer: its loopback
//! helper route `POST /bench/codes`), and only the exchanges are timed, on both sides.

use crate::http::{find, request_typed, Conn};
use crate::scenarios::status::Throughput;
use crate::stats::{CpuMeter, CpuUse};
use anyhow::{bail, Context as _};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Form bodies, as OAuth token endpoints take them.
pub const FORM: &str = "application/x-www-form-urlencoded";
/// The redirect both sides' clients registered (a loopback port, RFC 8252).
pub const REDIRECT: &str = "http://127.0.0.1:49152/callback";
/// [`REDIRECT`] form-encoded.
pub const REDIRECT_ENC: &str = "http%3A%2F%2F127.0.0.1%3A49152%2Fcallback";
/// The PKCE verifier of every bench code (RFC 7636: 43–128 unreserved characters).
pub const VERIFIER: &str = "qrlogin-bench-pkce-verifier-0123456789-abcdefghijklmnop";
/// The peer's code-exchange client (`bench/peer/server.mjs`).
const PEER_CLIENT: &str = "bench-code";
/// Codes the peer mints per batch: its in-memory store is an LRU of 1000 entries.
const PEER_BATCH: usize = 200;

/// The S256 challenge of [`VERIFIER`], computed as the server checks it.
pub fn challenge() -> String {
    qrlogin_oauth::pkce::CodeChallenge::from_verifier(VERIFIER)
        .expect("VERIFIER is a valid RFC 7636 verifier")
        .as_str()
        .to_owned()
}

/// `POST /token`-style exchange of `code` by the public client `client_id`.
pub fn exchange_req(path: &str, client_id: &str, code: &str) -> Vec<u8> {
    let body = format!(
        "grant_type=authorization_code&client_id={client_id}&code={code}&code_verifier={VERIFIER}&redirect_uri={REDIRECT_ENC}"
    );
    request_typed("POST", path, &[], Some((FORM, &body)))
}

/// A token answer with an access token.
pub fn issued(status: u16, body: &[u8]) -> bool {
    status == 200 && find(body, b"\"access_token\"").is_some()
}

/// Exchanges per second of the timed phases, and what minting took.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExchangeResult {
    /// Token answers with an access token (`ok`), per second of the timed phases only.
    pub exchanges: Throughput,
    /// Codes minted before the timed phases.
    pub minted: u64,
    /// Seconds spent minting them (untimed).
    pub mint_s: f64,
    /// Mint-then-exchange rounds.
    pub rounds: u32,
}

/// Sums of several timed rounds, turned into one [`Throughput`].
#[derive(Debug, Default)]
pub struct Tally {
    ok: u64,
    errors: u64,
    wall: f64,
    gen_s: f64,
    server_s: f64,
    /// A round without the server's CPU figure: the sum has none either.
    server_unknown: bool,
}

impl Tally {
    /// Adds one round.
    pub fn add(&mut self, ok: u64, errors: u64, cpu: &CpuUse) {
        self.ok += ok;
        self.errors += errors;
        self.wall += cpu.wall_s;
        self.gen_s += cpu.generator_cores * cpu.wall_s;
        match cpu.server_cores {
            Some(c) => self.server_s += c * cpu.wall_s,
            None => self.server_unknown = true,
        }
    }

    /// Seconds timed so far.
    pub fn wall(&self) -> f64 {
        self.wall
    }

    /// The rounds as one figure.
    pub fn throughput(&self) -> Throughput {
        let wall = self.wall.max(1e-9);
        Throughput {
            ok: self.ok,
            errors: self.errors,
            per_sec: self.ok as f64 / wall,
            cpu: CpuUse {
                wall_s: self.wall,
                generator_cores: self.gen_s / wall,
                server_cores: (!self.server_unknown).then(|| self.server_s / wall),
            },
        }
    }
}

/// Opens `n` keep-alive connections (before a timed phase, so connecting is not timed).
pub async fn connect_n(addr: SocketAddr, n: usize) -> anyhow::Result<Vec<Conn>> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        conns.push(Conn::connect(addr, None).await.context("connect")?);
    }
    Ok(conns)
}

/// Sends every request of `reqs` once over `conns` (one in flight each) until all are
/// answered or `deadline`; returns the connections still usable, successes and errors.
pub async fn each_once(
    conns: Vec<Conn>,
    reqs: Arc<Vec<Vec<u8>>>,
    deadline: Instant,
    counts: fn(u16, &[u8]) -> bool,
) -> (Vec<Conn>, u64, u64) {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(conns.len());
    for mut conn in conns {
        let (reqs, next) = (reqs.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let Some(req) = reqs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    break;
                };
                match conn.roundtrip(req).await {
                    Ok(st) if counts(st, conn.body()) => ok += 1,
                    Ok(_) => errors += 1,
                    Err(_) => return (None, ok, errors + 1),
                }
            }
            (Some(conn), ok, errors)
        }));
    }
    let (mut back, mut ok, mut errors) = (Vec::new(), 0, 0);
    for t in tasks {
        let (conn, o, e) = t.await.unwrap_or((None, 0, 1));
        back.extend(conn);
        ok += o;
        errors += e;
    }
    (back, ok, errors)
}

#[derive(Deserialize)]
struct Minted {
    codes: Vec<String>,
}

/// The peer's side: rounds of (mint [`PEER_BATCH`] codes, exchange them timed) until
/// `duration` of exchanging has been timed.
pub async fn run_peer(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    pid: Option<u32>,
) -> anyhow::Result<ExchangeResult> {
    let mint = request_typed(
        "POST",
        &format!("/bench/codes?n={PEER_BATCH}&challenge={}", challenge()),
        &[],
        None,
    );
    let mut minter = Conn::connect(addr, None).await?;
    let mut conns = connect_n(addr, connections).await?;
    let (mut tally, mut res) = (Tally::default(), ExchangeResult::default());
    // Bounded in wall time too: minting is not timed but takes time.
    let until = Instant::now() + duration * 4;
    while tally.wall() < duration.as_secs_f64() && Instant::now() < until {
        let t0 = Instant::now();
        let st = minter.roundtrip(&mint).await?;
        if st != 200 {
            bail!(
                "peer /bench/codes answered {st} (is bench/peer/server.mjs current?): {}",
                String::from_utf8_lossy(minter.body())
            );
        }
        let m: Minted = serde_json::from_slice(minter.body())?;
        res.minted += m.codes.len() as u64;
        res.mint_s += t0.elapsed().as_secs_f64();
        let reqs: Vec<Vec<u8>> = m
            .codes
            .iter()
            .map(|c| exchange_req("/token", PEER_CLIENT, c))
            .collect();
        let left = Duration::from_secs_f64(duration.as_secs_f64() - tally.wall());
        let meter = CpuMeter::start(pid);
        let (back, ok, errors) =
            each_once(conns, Arc::new(reqs), Instant::now() + left, issued).await;
        tally.add(ok, errors, &meter.stop());
        res.rounds += 1;
        if ok == 0 {
            bail!("no peer code exchange succeeded ({errors} errors)");
        }
        conns = back;
        if conns.is_empty() {
            conns = connect_n(addr, connections).await?;
        }
    }
    res.exchanges = tally.throughput();
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_rfc_7636_s256_of_the_verifier() {
        // RFC 7636 appendix B's example pair, through the same encoding.
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let c = qrlogin_oauth::pkce::CodeChallenge::from_verifier(v).expect("valid");
        assert_eq!(c.as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!((43..=128).contains(&VERIFIER.len()));
        assert_eq!(challenge().len(), 43);
    }

    #[test]
    fn rounds_add_up_to_one_throughput() {
        let mut t = Tally::default();
        let cpu = |w, s| CpuUse {
            wall_s: w,
            generator_cores: 0.5,
            server_cores: Some(s),
        };
        t.add(100, 1, &cpu(1.0, 1.0));
        t.add(300, 0, &cpu(1.0, 2.0));
        let x = t.throughput();
        assert_eq!((x.ok, x.errors), (400, 1));
        assert!((x.per_sec - 200.0).abs() < 1e-9);
        assert!((x.cpu.server_cores.unwrap() - 1.5).abs() < 1e-9);
    }
}
