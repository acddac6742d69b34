//! Races across instances: of conflicting requests spread over two instances on one
//! Redis, exactly one wins, the way it does on one instance.

use crate::helpers::*;
use qrlogin_core::QrState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_24_parallel_confirms_spread_over_two_instances_exactly_one_wins() {
    let Some((_redis, apps)) = on_private_redis(2).await else {
        return;
    };
    let pc = apps[0].pc().await;
    let phone = apps[1].phone("alice", "phone-1").await;
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let phone = apps[i % 2].phone_of(&phone);
            let (id, t) = (pc.qr_id().to_owned(), ticket.clone());
            tokio::spawn(async move { phone.confirm(&id, &t).await })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => {
                won += 1;
                assert_eq!((r.state, r.version), (QrState::Confirmed, 3));
            }
            Err(e) => assert_eq!(e.code().map(|c| c.as_str()), Some("invalid_state")),
        }
    }
    assert_eq!(won, 1, "exactly one confirm wins");
    let s = apps[1].pc_of(&pc).status().await.unwrap();
    assert_eq!((s.state, s.version), (QrState::Confirmed, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_24_parallel_redeems_spread_over_two_instances_exactly_one_gets_a_session() {
    let Some((_redis, apps)) = on_private_redis(2).await else {
        return;
    };
    let pc = apps[0].pc().await;
    let phone = apps[1].phone("alice", "phone-1").await;
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let pc = apps[i % 2].pc_of(&pc);
            tokio::spawn(async move { pc.redeem().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => tokens.push(r.session_token),
            Err(e) => assert_eq!(e.code().map(|c| c.as_str()), Some("already_redeemed")),
        }
    }
    assert_eq!(tokens.len(), 1, "exactly one session token is handed out");
    apps[1]
        .client
        .me(&tokens[0])
        .await
        .expect("the token works");
    let sessions = apps[0].phone_of(&phone).sessions().await.unwrap();
    assert_eq!(sessions.len(), 1, "the phone lists exactly one session");
    let s = pc.status().await.unwrap();
    assert_eq!((s.state, s.version), (QrState::Redeemed, 4));
}
