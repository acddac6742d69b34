//! What the PC sees of a session (status, the versions a slow reader missed) and the
//! record as JSON (hashes as hex, the client it was made for).

use super::*;

#[test]
fn the_status_shows_the_scanner_name_only_and_the_time_left() {
    let s = session_in(Scanned, ticket());
    let st = s.status(NOW + 500);
    assert_eq!(st.state, Scanned);
    assert_eq!(st.expires_in, 120);
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(
        json["scanner"],
        serde_json::json!({"display_name": "Alice", "avatar_url": null})
    );
    assert!(!json.to_string().contains("phone-1"));
    let pending = session_in(Pending, ticket()).status(NOW);
    assert!(serde_json::to_value(&pending).unwrap()["scanner"].is_null());
    assert_eq!(session_in(Cancelled, ticket()).status(NOW).expires_in, 0);
}

#[test]
fn a_session_round_trips_through_json_with_hashes_as_hex() {
    let s = session_in(Confirmed, ticket());
    let text = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<QrSession>(&text).unwrap(), s);
}

#[test]
fn statuses_since_rebuild_every_version_a_slow_reader_missed() {
    let s = session_in(Redeemed, ticket());
    let seen: Vec<_> = s
        .statuses_since(Some(1), NOW)
        .into_iter()
        .map(|st| (st.state, st.version))
        .collect();
    assert_eq!(seen, [(Scanned, 2), (Confirmed, 3), (Redeemed, 4)]);
    let all = s.statuses_since(None, NOW);
    assert_eq!(all.len(), 1, "without since, only the current status");
    assert!(s.statuses_since(Some(4), NOW).is_empty());
    assert_eq!(
        s.statuses_since(Some(99), NOW).len(),
        1,
        "an unknown version gets the current status"
    );
    let declined = session_in(Scanned, ticket());
    let cancelled = declined
        .apply(&Command::PcCancel, NOW, &lifetimes())
        .unwrap();
    let seen: Vec<_> = cancelled
        .statuses_since(Some(1), NOW)
        .into_iter()
        .map(|st| (st.state, st.version))
        .collect();
    assert_eq!(seen, [(Scanned, 2), (Cancelled, 3)]);
    assert!(cancelled.statuses_since(Some(1), NOW)[0].scanner.is_some());
    let expired = session_in(Pending, ticket()).at(NOW + 1_000_000);
    let seen: Vec<_> = expired
        .statuses_since(Some(0), NOW + 1_000_000)
        .into_iter()
        .map(|st| st.state)
        .collect();
    assert_eq!(seen, [Pending, Expired]);
}

#[test]
fn a_new_session_is_plain_and_no_transition_changes_the_client_it_was_made_for() {
    let l = lifetimes();
    let plain = QrSession::new(QrId::generate(), ticket(), Requester::default(), NOW, &l);
    assert_eq!(plain.client, QrClient::Plain);
    let t = ticket();
    let mut s = plain.for_client(Some("demo"));
    let proof = TicketProof {
        account_id: "alice".into(),
        device_id: "phone-1".into(),
        ticket_hash: Some(t),
    };
    for c in [
        Command::Scan(scanner("alice", "phone-1", t)),
        Command::Confirm(proof),
        Command::Redeem,
    ] {
        s = s.apply(&c, NOW, &l).unwrap();
        assert_eq!(s.client, QrClient::Client("demo".into()));
    }
}

#[test]
fn a_json_record_without_the_client_reads_as_unrecorded() {
    let s = session_in(Scanned, ticket());
    let mut json = serde_json::to_value(&s).unwrap();
    json.as_object_mut().unwrap().remove("client");
    let back: QrSession = serde_json::from_value(json).unwrap();
    assert_eq!(back.client, QrClient::Unrecorded);
}
