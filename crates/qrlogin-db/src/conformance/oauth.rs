//! Checks of [`OAuthDb`](crate::OAuthDb).

use super::fixtures::{hash, stored_account, NOW};
use super::oauth_fixtures::{access, client, code, device_request, key, refresh};
use super::Harness;
use qrlogin_oauth::PollPace;

/// A client reads back exactly on another instance; a second one with its id is
/// refused and changes nothing; a new secret replaces the old.
pub async fn a_client_reads_back_exactly_and_its_id_is_taken_once(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let mut c = client();
    assert!(a.create_client(&c).await.expect("create"));
    assert_eq!(b.client(&c.id).await.expect("get"), Some(c.clone()));
    let mut clash = client();
    clash.id = c.id.clone();
    assert!(!b.create_client(&clash).await.expect("create"));
    let mut public = client();
    public.secret_hash = None;
    assert!(a.create_client(&public).await.expect("create"));
    let mut listed = vec![c.clone(), public];
    listed.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(b.list_clients().await.expect("list"), listed);
    let new = hash();
    assert!(a.set_client_secret(&c.id, &new).await.expect("rotate"));
    c.secret_hash = Some(new);
    assert_eq!(b.client(&c.id).await.expect("get"), Some(c));
    assert!(!a
        .set_client_secret("nobody", &hash())
        .await
        .expect("rotate"));
}

/// Removing a client removes its codes and tokens with it.
pub async fn a_removed_client_takes_its_codes_and_tokens(h: &dyn Harness) {
    let db = h.open().await;
    let acc = stored_account(&*db).await;
    let c = client();
    assert!(db.create_client(&c).await.expect("create"));
    let (ch, rh, ah) = (hash(), hash(), hash());
    assert!(db
        .put_code(&ch, &code(&c.id, &acc.id, NOW + 60_000))
        .await
        .expect("code"));
    assert!(db
        .put_refresh_token(&rh, &refresh(&c.id, &acc.id, "f1"))
        .await
        .expect("rt"));
    assert!(db
        .put_access_token(&ah, &access(&c.id, Some(&acc.id), None, NOW + 1))
        .await
        .expect("at"));
    assert!(db.remove_client(&c.id).await.expect("remove"));
    assert!(!db.remove_client(&c.id).await.expect("remove again"));
    assert_eq!(db.take_code(&ch).await.expect("take"), None);
    assert_eq!(db.refresh_token(&rh).await.expect("rt"), None);
    assert_eq!(db.access_token(&ah, NOW).await.expect("at"), None);
    assert!(!db
        .put_code(&hash(), &code(&c.id, &acc.id, NOW))
        .await
        .expect("code"));
}

/// Keys read back oldest first; a rotation retires every other live key of the
/// algorithm and a purge forgets them once retired.
pub async fn retiring_keys_keeps_the_new_one_and_purging_forgets_the_old(h: &dyn Harness) {
    let db = h.open().await;
    let (old, rsa, new) = (
        key("k1", "ES256", NOW),
        key("k2", "RS256", NOW + 1),
        key("k3", "ES256", NOW + 2),
    );
    for k in [&old, &rsa, &new] {
        db.put_signing_key(k).await.expect("put");
    }
    assert_eq!(
        db.signing_keys().await.expect("list"),
        vec![old.clone(), rsa.clone(), new.clone()]
    );
    assert_eq!(
        db.retire_signing_keys("ES256", "k3", NOW + 100)
            .await
            .expect("retire"),
        1
    );
    let keys = db.signing_keys().await.expect("list");
    assert_eq!(keys[0].not_after, Some(NOW + 100));
    assert_eq!((keys[1].not_after, keys[2].not_after), (None, None));
    assert_eq!(db.purge_signing_keys(NOW + 99).await.expect("purge"), 0);
    assert_eq!(db.purge_signing_keys(NOW + 100).await.expect("purge"), 1);
    assert_eq!(db.signing_keys().await.expect("list"), vec![rsa, new]);
}

/// A code reads back exactly once, on whichever instance takes it first.
pub async fn a_code_is_taken_exactly_once(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let acc = stored_account(&*a).await;
    let c = client();
    assert!(a.create_client(&c).await.expect("create"));
    let ch = hash();
    let grant = code(&c.id, &acc.id, NOW + 60_000);
    assert!(a.put_code(&ch, &grant).await.expect("put"));
    assert_eq!(b.take_code(&ch).await.expect("take"), Some(grant));
    assert_eq!(a.take_code(&ch).await.expect("take"), None);
}

/// Of concurrent takes of one code on two instances, exactly one gets it.
pub async fn of_concurrent_code_redemptions_exactly_one_wins(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let acc = stored_account(&*a).await;
    let c = client();
    assert!(a.create_client(&c).await.expect("create"));
    let ch = hash();
    assert!(a
        .put_code(&ch, &code(&c.id, &acc.id, NOW + 60_000))
        .await
        .expect("put"));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            db.take_code(&ch).await.expect("take").is_some()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.expect("task"));
    }
    assert_eq!(won, 1);
}

/// A refresh token is marked used once; revoking its family deletes every refresh and
/// access token of the family and nothing else.
pub async fn a_refresh_token_is_used_once_and_its_family_revoked_whole(h: &dyn Harness) {
    let db = h.open().await;
    let acc = stored_account(&*db).await;
    let c = client();
    assert!(db.create_client(&c).await.expect("create"));
    let (r1, r2, other) = (hash(), hash(), hash());
    let g1 = refresh(&c.id, &acc.id, "fam");
    assert!(db.put_refresh_token(&r1, &g1).await.expect("put"));
    assert!(db
        .put_refresh_token(&r2, &refresh(&c.id, &acc.id, "fam"))
        .await
        .expect("put"));
    assert!(db
        .put_refresh_token(&other, &refresh(&c.id, &acc.id, "else"))
        .await
        .expect("put"));
    let (a1, a2) = (hash(), hash());
    assert!(db
        .put_access_token(&a1, &access(&c.id, Some(&acc.id), Some("fam"), NOW + 10))
        .await
        .expect("at"));
    assert!(db
        .put_access_token(&a2, &access(&c.id, Some(&acc.id), Some("else"), NOW + 10))
        .await
        .expect("at"));
    assert_eq!(db.refresh_token(&r1).await.expect("get"), Some(g1.clone()));
    assert!(db.mark_refresh_used(&r1).await.expect("use"));
    assert!(!db.mark_refresh_used(&r1).await.expect("use again"));
    let used = db
        .refresh_token(&r1)
        .await
        .expect("get")
        .expect("still there");
    assert!(used.used);
    assert_eq!(db.revoke_family("fam").await.expect("revoke"), 3);
    assert_eq!(db.refresh_token(&r1).await.expect("get"), None);
    assert_eq!(db.refresh_token(&r2).await.expect("get"), None);
    assert_eq!(db.access_token(&a1, NOW).await.expect("get"), None);
    assert!(db.refresh_token(&other).await.expect("get").is_some());
    assert!(db.access_token(&a2, NOW).await.expect("get").is_some());
}

/// An access token is found until it expires, also without an account
/// (client_credentials); only its own client revokes it; a disabled account's is dead.
pub async fn an_access_token_lives_until_expiry_and_only_its_client_revokes_it(h: &dyn Harness) {
    let db = h.open().await;
    let acc = stored_account(&*db).await;
    let c = client();
    assert!(db.create_client(&c).await.expect("create"));
    let (user, machine) = (hash(), hash());
    let t = access(&c.id, Some(&acc.id), None, NOW + 600_000);
    assert!(db.put_access_token(&user, &t).await.expect("put"));
    let m = access(&c.id, None, None, NOW + 600_000);
    assert!(db.put_access_token(&machine, &m).await.expect("put"));
    assert_eq!(db.access_token(&user, NOW).await.expect("get"), Some(t));
    assert_eq!(db.access_token(&machine, NOW).await.expect("get"), Some(m));
    assert_eq!(
        db.access_token(&user, NOW + 600_000).await.expect("get"),
        None
    );
    assert!(!db
        .revoke_access_token(&machine, "someone-else")
        .await
        .expect("revoke"));
    assert!(db
        .revoke_access_token(&machine, &c.id)
        .await
        .expect("revoke"));
    assert_eq!(db.access_token(&machine, NOW).await.expect("get"), None);
    assert!(db.set_disabled(&acc.id, true, NOW).await.expect("disable"));
    assert_eq!(db.access_token(&user, NOW).await.expect("get"), None);
    assert!(!db
        .put_access_token(&hash(), &access(&c.id, Some(&acc.id), None, NOW + 1))
        .await
        .expect("put"));
}

/// A device request is found by its QR session, device code and user code; a poll is
/// recorded; once expired only the device code still finds it (for `expired_token`)
/// and the purge removes it.
pub async fn a_device_request_is_found_by_each_key_and_records_its_polls(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let c = client();
    assert!(a.create_client(&c).await.expect("create"));
    let r = device_request(&c.id, "qr-1");
    a.put_oauth_request(&r).await.expect("put");
    let (dc, uc) = (
        r.device_code_hash.expect("dc"),
        r.user_code_hash.expect("uc"),
    );
    assert_eq!(
        b.oauth_request("qr-1", NOW).await.expect("get"),
        Some(r.clone())
    );
    assert_eq!(b.device_request(&dc).await.expect("get"), Some(r.clone()));
    assert_eq!(
        b.request_by_user_code(&uc, NOW).await.expect("get"),
        Some(r.clone())
    );
    let polled = b.poll_device(&dc, &c.id, NOW + 5).await.expect("poll");
    assert_eq!(polled.map(|p| p.slow_down), Some(false));
    let read = a.device_request(&dc).await.expect("get").expect("there");
    assert_eq!(read.pace.last_poll_at, Some(NOW + 5));
    let later = r.expires_at;
    assert_eq!(a.oauth_request("qr-1", later).await.expect("get"), None);
    assert_eq!(a.request_by_user_code(&uc, later).await.expect("get"), None);
    assert!(a.device_request(&dc).await.expect("get").is_some());
    assert_eq!(a.purge_expired_oauth(later).await.expect("purge"), 1);
    assert_eq!(a.device_request(&dc).await.expect("get"), None);
}

/// Device polls are paced exactly as `PollPace::poll` says (a poll sooner than the
/// interval is `slow_down` and grows it by 5 s; one at the interval is fine), whichever
/// handle records them; another client's poll with the code finds nothing and records
/// nothing.
pub async fn device_polls_are_paced_as_the_pure_rule_says(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let c = client();
    assert!(a.create_client(&c).await.expect("create"));
    let r = device_request(&c.id, "qr-p");
    a.put_oauth_request(&r).await.expect("put");
    let dc = r.device_code_hash.expect("dc");
    let mut pure = PollPace::default();
    for (i, at) in [0, 4_999, 14_000, 29_000, 33_000, 60_000]
        .into_iter()
        .enumerate()
    {
        let db = if i % 2 == 0 { &a } else { &b };
        let polled = db.poll_device(&dc, &c.id, NOW + at).await.expect("poll");
        let polled = polled.expect("found");
        let expected = pure.poll(NOW + at).is_err();
        assert_eq!(polled.slow_down, expected, "poll at +{at} ms");
        assert_eq!(polled.request.pace, pure, "pace after the poll at +{at} ms");
    }
    assert_eq!(
        a.poll_device(&dc, "someone-else", NOW + 90_000)
            .await
            .expect("poll"),
        None
    );
    let read = b.device_request(&dc).await.expect("get").expect("there");
    assert_eq!(read.pace, pure, "the other client's poll recorded nothing");
}
