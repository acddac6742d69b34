//! Stored records the server cannot read (written by a newer release, or damaged) are
//! a logged 500 problem, never a panic and never a guess at the state.

use crate::helpers::*;
use qrlogin_testkit::raw;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_record_of_a_newer_format_is_a_500_problem_not_a_wrong_state() {
    let Some((redis, apps)) = on_private_redis(1).await else {
        return;
    };
    let app = &apps[0];
    let pc = app.pc().await;
    let key = format!("qrl:{{{}}}", pc.qr_id());
    let set = raw(redis.port, &format!("HSET {key} f 99")).expect("redis answers");
    assert!(set.starts_with(':'), "HSET answered {set:?}");
    let url = format!("{}/api/v1/qr/{}", app.url, pc.qr_id());
    let status = app.raw().get(&url).bearer_auth(pc.poll_token().expose());
    expect_problem(status, 500, "internal").await;
    // Put back as it was written, it reads again: nothing else was harmed.
    raw(redis.port, &format!("HSET {key} f 1")).expect("redis answers");
    assert_eq!(pc.status().await.expect("status").version, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_record_in_an_impossible_state_is_a_500_problem() {
    let Some((redis, apps)) = on_private_redis(1).await else {
        return;
    };
    let app = &apps[0];
    let pc = app.pc().await;
    let key = format!("qrl:{{{}}}", pc.qr_id());
    // "Scanned", but no phone ever scanned it.
    raw(redis.port, &format!("HSET {key} s 1")).expect("redis answers");
    let url = format!("{}/api/v1/qr/{}", app.url, pc.qr_id());
    let status = app.raw().get(&url).bearer_auth(pc.poll_token().expose());
    expect_problem(status, 500, "internal").await;
}
