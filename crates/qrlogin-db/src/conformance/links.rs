//! Checks of [`LinkDb`](crate::LinkDb).

use super::fixtures::{account, stored_account, NOW};
use super::Harness;

/// The first use of (namespace, subject) creates the given account and links it; later
/// uses, on any instance, find that account and ignore the new one offered.
pub async fn a_first_use_creates_the_account_and_later_uses_find_it(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    assert_eq!(
        a.account_by_link("https://idp.example", "u1")
            .await
            .expect("get"),
        None
    );
    let first = account();
    let got = a
        .link_or_create("https://idp.example", "u1", &first, NOW)
        .await;
    assert_eq!(got.expect("link"), Some(first.clone()));
    let second = account();
    let again = b
        .link_or_create("https://idp.example", "u1", &second, NOW)
        .await;
    assert_eq!(again.expect("link"), Some(first.clone()));
    assert_eq!(
        b.account_by_link("https://idp.example", "u1")
            .await
            .expect("get"),
        Some(first)
    );
    assert_eq!(b.account_by_id(&second.id).await.expect("get"), None);
}

/// A first use whose new account's username is taken answers `None` and writes
/// nothing: no link, no account.
pub async fn a_link_whose_new_username_is_taken_writes_nothing(h: &dyn Harness) {
    let db = h.open().await;
    let existing = stored_account(&*db).await;
    let mut clash = account();
    clash.username = existing.username.clone();
    assert_eq!(
        db.link_or_create("ns", "s", &clash, NOW)
            .await
            .expect("link"),
        None
    );
    assert_eq!(db.account_by_link("ns", "s").await.expect("get"), None);
    assert_eq!(db.list_accounts().await.expect("list"), vec![existing]);
}

/// One subject in two namespaces (two issuers, or two clients) is two accounts: no
/// client can act for another's subjects.
pub async fn one_subject_in_two_namespaces_is_two_accounts(h: &dyn Harness) {
    let db = h.open().await;
    let (x, y) = (account(), account());
    let got_x = db
        .link_or_create("client-a", "42", &x, NOW)
        .await
        .expect("link");
    let got_y = db
        .link_or_create("client-b", "42", &y, NOW)
        .await
        .expect("link");
    assert_eq!((got_x, got_y), (Some(x), Some(y)));
}

/// Sixteen racing first uses of one subject, on two instances, all get one and the
/// same account, and only that account exists.
pub async fn racing_first_uses_of_one_subject_make_one_account(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let db = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let got = db.link_or_create("iss", "racer", &account(), NOW).await;
            got.expect("link").expect("an account")
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.expect("task").id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one account for one subject: {ids:?}");
    let listed = a.list_accounts().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, ids[0]);
}
