//! The one-step transition on Redis, beyond the conformance suite: records of the
//! previous format, and the poll index living as long as a confirmed session.

mod common;

use common::*;
use qrlogin_core::Clock as _;
use qrlogin_core::{
    Command, Lifetimes, QrClient, QrId, QrSession, QrState, Requester, Scanner, SystemClock,
    TicketProof, TokenHash,
};
use qrlogin_store::{CasOutcome, QrStore, Transition};
use qrlogin_testkit::{redis_available, RedisServer};

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

fn poll_key(hash: &TokenHash) -> Vec<u8> {
    let mut k = b"qrl:p:".to_vec();
    k.extend_from_slice(&hash.0);
    k
}

/// A session scanned by account `acc_1` on device `ph`, and the fields format 1 stored
/// it as (the scanner inside the requester's text).
fn scanned_format_1(now: i64) -> (QrSession, Vec<(&'static str, Vec<u8>)>) {
    let mut s = QrSession::new(
        QrId::generate(),
        TokenHash([0x11; 32]),
        Requester {
            device: None,
            ip: "127.0.0.1".into(),
            user_agent: None,
        },
        now,
        &Lifetimes::default(),
    );
    s.state = QrState::Scanned;
    (s.version, s.rev) = (2, 2);
    s.scanner = Some(Scanner {
        account_id: "acc_1".into(),
        device_id: "ph".into(),
        display_name: "Al".into(),
        avatar_url: None,
        ticket_hash: TokenHash([0x22; 32]),
    });
    // Format 1 does not say whether the session was made for a client.
    s.client = QrClient::Unrecorded;
    let fields = vec![
        ("f", b"1".to_vec()),
        ("r", b"2".to_vec()),
        ("v", b"2".to_vec()),
        ("s", b"1".to_vec()),
        ("c", s.created_at.to_string().into_bytes()),
        ("e", s.expires_at.to_string().into_bytes()),
        ("p", vec![0x11; 32]),
        ("t", vec![0x22; 32]),
        (
            "x0",
            b"\x02\x0a127.0.0.1\x00\x06acc_1\x03ph\x03Al\x00".to_vec(),
        ),
    ];
    (s, fields)
}

#[tokio::test]
async fn a_record_of_format_1_is_refused_whole_then_rewritten_by_compare_and_set() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    let now = SystemClock.now();
    let (s, fields) = scanned_format_1(now);
    let mut c = raw(&redis.url()).await;
    let key = format!("qrl:{{{}}}", s.id);
    let _: () = redis::cmd("HSET")
        .arg(&key)
        .arg(fields)
        .query_async(&mut c)
        .await
        .unwrap();
    let l = Lifetimes::default();
    let confirm = Command::Confirm(TicketProof {
        account_id: "acc_1".into(),
        device_id: "ph".into(),
        ticket_hash: Some(TokenHash([0x22; 32])),
    });
    // The script does not patch an older format: it answers the record, read right.
    let plan = confirm.plan(now, &l).unwrap();
    let out = store.transition(&s.id, &plan).await.unwrap();
    assert_eq!(out, Transition::Refused(s.clone()));
    // The caller's fallback: the core's record, written whole, in format 2: the layout
    // of the current format for a session that does not know its client.
    let next = s.apply(&confirm, now, &l).unwrap();
    let written = store.compare_and_set(s.rev, &next, next.purge_at(&l)).await;
    assert_eq!(written.unwrap(), CasOutcome::Written);
    let f: String = redis::cmd("HGET")
        .arg(&key)
        .arg("f")
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(f, "2");
    // From then on, one step.
    let redeem = Command::Redeem.plan(now, &l).unwrap();
    let out = store.transition(&s.id, &redeem).await.unwrap();
    assert_eq!(
        out,
        Transition::Applied(next.apply(&Command::Redeem, now, &l).unwrap())
    );
}

#[tokio::test]
async fn a_confirm_that_lengthens_the_session_lengthens_its_poll_index_too() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    let l = Lifetimes::default();
    // Created long enough ago that the confirm's lifetime ends after the QR's.
    let now = SystemClock.now();
    let mut s = pending();
    s.created_at = now - l.qr_ms + 5_000;
    s.expires_at = now + 5_000;
    store.create(&s, purge(&s)).await.unwrap();
    let ticket = TokenHash([0x33; 32]);
    let scan = Command::Scan(Scanner {
        account_id: "acc_1".into(),
        device_id: "ph".into(),
        display_name: "Al".into(),
        avatar_url: None,
        ticket_hash: ticket,
    });
    let confirm = Command::Confirm(TicketProof {
        account_id: "acc_1".into(),
        device_id: "ph".into(),
        ticket_hash: Some(ticket),
    });
    for cmd in [scan, confirm] {
        let out = store.transition(&s.id, &cmd.plan(now, &l).unwrap()).await;
        assert!(matches!(out.unwrap(), Transition::Applied(_)), "{cmd:?}");
    }
    let mut c = raw(&redis.url()).await;
    let session_expiry: i64 = redis::cmd("PEXPIRETIME")
        .arg(format!("qrl:{{{}}}", s.id))
        .query_async(&mut c)
        .await
        .unwrap();
    let index_expiry: i64 = redis::cmd("PEXPIRETIME")
        .arg(poll_key(&s.poll_hash))
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(session_expiry, now + l.confirm_ms + l.grace_ms);
    assert_eq!(index_expiry, session_expiry);
}
