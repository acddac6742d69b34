//! Races with real concurrency: of conflicting requests exactly one wins.

use crate::helpers::*;
use qrlogin_core::QrState;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_phones_scanning_at_once_exactly_one_wins() {
    let app = spawn_app().await;
    let alice = app.phone("alice", "phone-a").await;
    let bob = app.phone("bob", "phone-b").await;
    for _ in 0..20 {
        let pc = app.pc().await;
        let (a, b) = tokio::join!(
            tokio::spawn({
                let (p, id) = (alice.clone(), pc.qr_id().to_owned());
                async move { p.scan(&id).await }
            }),
            tokio::spawn({
                let (p, id) = (bob.clone(), pc.qr_id().to_owned());
                async move { p.scan(&id).await }
            }),
        );
        let results = [a.unwrap(), b.unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
        let loser = results.into_iter().find_map(Result::err).unwrap();
        assert_eq!(loser.code().map(|c| c.as_str()), Some("already_scanned"));
        assert_eq!(pc.status().await.unwrap().version, 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_four_parallel_confirms_give_exactly_one_confirm() {
    let app = spawn_app().await;
    let (pc, phone, ticket) = app.scanned().await;
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let (phone, id, t) = (phone.clone(), pc.qr_id().to_owned(), ticket.clone());
            tokio::spawn(async move { phone.confirm(&id, &t).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => {
                ok += 1;
                assert_eq!((r.state, r.version), (QrState::Confirmed, 3));
            }
            Err(e) => assert_eq!(e.code().map(|c| c.as_str()), Some("invalid_state")),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(pc.status().await.unwrap().version, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_four_parallel_redeems_hand_out_exactly_one_session() {
    let app = spawn_app().await;
    let (pc, phone) = app.confirmed().await;
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let pc = pc.clone();
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
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        phone.sessions().await.unwrap().len(),
        1,
        "losers leave no session behind"
    );
    app.client.me(&tokens[0]).await.unwrap();
    assert_eq!(pc.status().await.unwrap().version, 4);
}
