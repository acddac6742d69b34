//! Redis freezes (SIGSTOP): it accepts nothing and answers nothing, but the sockets stay
//! open, so only timeouts can tell. Requests must still answer 503 within about a
//! second (not hang), and service resumes by itself when Redis thaws.

use crate::helpers::*;
use qrlogin_core::QrState;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_redis_freezes_requests_answer_503_within_a_second_and_resume_when_it_thaws() {
    let Some((redis, apps)) = on_private_redis(2).await else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    let phone = b.phone("alice", "phone-1").await;
    let pc = a.pc().await;
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;

    redis.pause();
    let mut slowest = Duration::ZERO;
    for (what, req) in [
        (
            "confirm",
            phone
                .request(
                    qrlogin_client::Method::POST,
                    &format!("/api/v1/qr/{}/confirm", pc.qr_id()),
                )
                .json(&serde_json::json!({ "scan_ticket": ticket })),
        ),
        (
            "status",
            pc.request(
                qrlogin_client::Method::GET,
                &format!("/api/v1/qr/{}", pc.qr_id()),
            ),
        ),
        (
            "readyz",
            a.client.request(qrlogin_client::Method::GET, "/readyz"),
        ),
    ] {
        let t = Instant::now();
        let res = req.send().await.expect("an answer, not a hang");
        let took = t.elapsed();
        assert!(took < Duration::from_secs(2), "{what} took {took:?}");
        assert_problem(res, 503, "store_unavailable").await;
        slowest = slowest.max(took);
    }
    a.client.healthz().await.expect("healthz stays 200");
    eprintln!(
        "Redis frozen: requests 503 store_unavailable, slowest {}",
        ms(slowest)
    );

    redis.resume();
    let back = eventually(Duration::from_secs(5), "ready after the thaw", || async {
        a.client.readyz().await.is_ok() && b.client.readyz().await.is_ok()
    })
    .await;
    eprintln!("Redis thawed: both instances ready {} later", ms(back));
    let s = pc.status().await.unwrap();
    assert_eq!(
        (s.state, s.version),
        (QrState::Scanned, 2),
        "the refused confirm did not happen"
    );
    let c = phone
        .confirm(pc.qr_id(), &ticket)
        .await
        .expect("confirm after the thaw");
    assert_eq!(c.version, 3);
    pc.redeem().await.expect("redeem after the thaw");
}

/// When Redis pauses writes (as a failover does) the confirm's reads pass, its script
/// waits in Redis and the call answers 503 "nothing was changed" after its timeout. The
/// script runs when the pause ends, but finds on Redis' clock that it is past its
/// deadline and writes nothing (see `docs/scaling.md`, "Failure behaviour").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirm_refused_with_503_while_redis_pauses_writes_never_takes_effect() {
    let Some((redis, apps)) = on_private_redis(1).await else {
        return;
    };
    let phone = apps[0].phone("alice", "phone-1").await;
    let pc = apps[0].pc().await;
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    let paused = qrlogin_testkit::raw(redis.port, "CLIENT PAUSE 1500 WRITE");
    assert!(paused.is_some_and(|r| r.starts_with("+OK")));
    let confirm = phone.confirm(pc.qr_id(), &ticket).await;
    assert_eq!(
        confirm.expect_err("503").code().map(|c| c.as_str()),
        Some("store_unavailable")
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let s = pc.status().await.unwrap();
    assert_eq!((s.state, s.version), (QrState::Scanned, 2));
    // The retry the 503 asked for works, and the login goes on.
    let c = phone
        .confirm(pc.qr_id(), &ticket)
        .await
        .expect("retried confirm");
    assert_eq!(c.version, 3);
    pc.redeem().await.expect("redeem after the pause");
}
