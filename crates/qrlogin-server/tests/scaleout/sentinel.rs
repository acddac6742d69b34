//! Sentinel: an instance given a `redis+sentinel://` URL finds the master through the
//! Sentinel and serves a whole login on it.

use crate::helpers::*;
use qrlogin_core::QrState;
use qrlogin_server::ApiRoles;
use qrlogin_testkit::{redis_available, spawn_app, RedisSentinel};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_started_with_a_sentinel_url_completes_a_login() {
    if !redis_available() {
        return;
    }
    let sentinel = RedisSentinel::start();
    let app = spawn_app(on(&sentinel.url(), ApiRoles::All)).await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    let session = pc.redeem().await.expect("redeem");
    app.client.me(&session.session_token).await.unwrap();
    assert_eq!(pc.status().await.unwrap().state, QrState::Redeemed);
    // It is the monitored master that holds the data.
    let direct = spawn_app(on(&sentinel.master.url(), ApiRoles::All)).await;
    assert_eq!(direct.pc_of(&pc).status().await.unwrap().version, 4);
}
