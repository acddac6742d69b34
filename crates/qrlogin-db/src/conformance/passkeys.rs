//! Checks of [`PasskeyDb`](crate::PasskeyDb).

use super::fixtures::{account, hash, stored_account, NOW};
use super::Harness;
use crate::PasskeyRecord;
use qrlogin_core::{AccountId, RandomId};

/// One day.
const DAY: i64 = 24 * 3_600_000;

/// A fresh passkey of `account`, registered at [`NOW`], never used.
pub fn passkey(account: &AccountId) -> PasskeyRecord {
    let id = RandomId::generate(crate::PASSKEY_ID_PREFIX);
    PasskeyRecord {
        credential_id: id.as_str().as_bytes().iter().rev().copied().collect(),
        id,
        account_id: account.clone(),
        name: "Ålice's \"iPhone\" 😀".into(),
        passkey: r#"{"cred":{"cred_id":"AAEC","counter":0}}"#.into(),
        counter: 0,
        created_at: NOW,
        last_used_at: None,
    }
}

/// A stored passkey reads back exactly, by its credential id and in its account's
/// list (oldest first), on another instance.
pub async fn a_passkey_reads_back_by_credential_and_in_its_accounts_list(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let owner = stored_account(&*a).await;
    let first = passkey(&owner.id);
    let mut second = passkey(&owner.id);
    second.created_at = NOW + 1;
    assert!(a.add_passkey(&second).await.expect("add"));
    assert!(a.add_passkey(&first).await.expect("add"));
    let found = b.passkey_by_credential(&first.credential_id).await;
    assert_eq!(found.expect("get"), Some(first.clone()));
    assert_eq!(
        b.passkeys_of(&owner.id).await.expect("list"),
        vec![first, second]
    );
    assert_eq!(
        b.passkey_by_credential(b"unknown").await.expect("get"),
        None
    );
}

/// A credential id registers once (to any account), and never for an unknown or
/// disabled account.
pub async fn a_credential_registers_once_and_not_for_a_disabled_or_unknown_account(
    h: &dyn Harness,
) {
    let db = h.open().await;
    let (x, y) = (stored_account(&*db).await, stored_account(&*db).await);
    let p = passkey(&x.id);
    assert!(db.add_passkey(&p).await.expect("add"));
    let mut again = passkey(&y.id);
    again.credential_id = p.credential_id.clone();
    assert!(!db.add_passkey(&again).await.expect("add"));
    assert!(!db
        .add_passkey(&passkey(&AccountId::generate()))
        .await
        .expect("add"));
    db.set_disabled(&y.id, true, NOW).await.expect("disable");
    assert!(!db.add_passkey(&passkey(&y.id)).await.expect("add"));
    assert_eq!(db.passkeys_of(&y.id).await.expect("list"), vec![]);
}

/// Rename and remove act on the account's own passkey only; another account's id
/// answers like an unknown one and changes nothing.
pub async fn a_passkey_is_renamed_and_removed_only_by_its_own_account(h: &dyn Harness) {
    let db = h.open().await;
    let (x, y) = (stored_account(&*db).await, stored_account(&*db).await);
    let p = passkey(&x.id);
    assert!(db.add_passkey(&p).await.expect("add"));
    assert!(!db
        .rename_passkey(&y.id, &p.id, "mine")
        .await
        .expect("rename"));
    assert!(!db.remove_passkey(&y.id, &p.id).await.expect("remove"));
    assert!(db
        .rename_passkey(&x.id, &p.id, "Work phone")
        .await
        .expect("rename"));
    let listed = db.passkeys_of(&x.id).await.expect("list");
    assert_eq!(listed[0].name, "Work phone");
    assert!(db.remove_passkey(&x.id, &p.id).await.expect("remove"));
    assert!(!db.remove_passkey(&x.id, &p.id).await.expect("remove"));
    assert_eq!(
        db.passkey_by_credential(&p.credential_id)
            .await
            .expect("get"),
        None
    );
}

/// A sign-in stores the updated credential, its counter and the time of use; a
/// removed passkey records nothing.
pub async fn a_use_stores_the_new_counter_and_time(h: &dyn Harness) {
    let db = h.open().await;
    let owner = stored_account(&*db).await;
    let p = passkey(&owner.id);
    assert!(db.add_passkey(&p).await.expect("add"));
    let json = r#"{"cred":{"counter":7}}"#;
    assert!(db
        .record_passkey_use(&p.id, json, 7, NOW + 5)
        .await
        .expect("use"));
    let got = db
        .passkey_by_credential(&p.credential_id)
        .await
        .expect("get");
    let got = got.expect("stored");
    assert_eq!(
        (got.passkey.as_str(), got.counter, got.last_used_at),
        (json, 7, Some(NOW + 5))
    );
    let gone = RandomId::generate(crate::PASSKEY_ID_PREFIX);
    assert!(!db
        .record_passkey_use(&gone, json, 8, NOW)
        .await
        .expect("use"));
}

/// An enrollment link finds its account until it is used or expires; it enrolls one
/// passkey, once, and only for its own account.
pub async fn an_enrollment_link_enrolls_once_and_not_after_it_expires(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (x, y) = (stored_account(&*a).await, stored_account(&*a).await);
    let link = hash();
    assert!(a
        .put_enrollment(&link, &x.id, NOW, NOW + DAY)
        .await
        .expect("put"));
    assert!(!a
        .put_enrollment(&hash(), &AccountId::generate(), NOW, NOW + DAY)
        .await
        .expect("put"));
    assert_eq!(
        b.enrollment_account(&link, NOW).await.expect("get"),
        Some(x.id.clone())
    );
    assert_eq!(
        b.enrollment_account(&link, NOW + DAY).await.expect("get"),
        None
    );
    assert!(!b
        .enroll_passkey(&link, &passkey(&y.id), NOW)
        .await
        .expect("other account"));
    assert!(!b
        .enroll_passkey(&link, &passkey(&x.id), NOW + DAY)
        .await
        .expect("expired"));
    let p = passkey(&x.id);
    assert!(b.enroll_passkey(&link, &p, NOW + 1).await.expect("enroll"));
    assert!(!a
        .enroll_passkey(&link, &passkey(&x.id), NOW + 2)
        .await
        .expect("twice"));
    assert_eq!(
        a.enrollment_account(&link, NOW + 2).await.expect("get"),
        None
    );
    assert_eq!(a.passkeys_of(&x.id).await.expect("list"), vec![p]);
}

/// A use whose passkey cannot be stored (its credential is taken) leaves the link
/// unused.
pub async fn a_failed_enrollment_leaves_the_link_unused(h: &dyn Harness) {
    let db = h.open().await;
    let x = stored_account(&*db).await;
    let taken = passkey(&x.id);
    assert!(db.add_passkey(&taken).await.expect("add"));
    let link = hash();
    assert!(db
        .put_enrollment(&link, &x.id, NOW, NOW + DAY)
        .await
        .expect("put"));
    let mut clash = passkey(&x.id);
    clash.credential_id = taken.credential_id.clone();
    assert!(!db.enroll_passkey(&link, &clash, NOW).await.expect("enroll"));
    assert_eq!(
        db.enrollment_account(&link, NOW).await.expect("get"),
        Some(x.id)
    );
}

/// Eight racing uses of one link, on two instances: exactly one passkey is enrolled.
pub async fn racing_uses_of_one_enrollment_link_enroll_one_passkey(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let x = stored_account(&*a).await;
    let link = hash();
    assert!(a
        .put_enrollment(&link, &x.id, NOW, NOW + DAY)
        .await
        .expect("put"));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = if i % 2 == 0 { a.clone() } else { b.clone() };
        let p = passkey(&x.id);
        tasks.push(tokio::spawn(async move {
            db.enroll_passkey(&link, &p, NOW).await.expect("enroll")
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.expect("task"));
    }
    assert_eq!(won, 1);
    assert_eq!(a.passkeys_of(&x.id).await.expect("list").len(), 1);
}

/// Removing an account removes its passkeys and enrollment links with it.
pub async fn a_removed_account_leaves_no_passkey_or_link(h: &dyn Harness) {
    let db = h.open().await;
    let x = account();
    assert!(db.create_account(&x).await.expect("create"));
    let p = passkey(&x.id);
    assert!(db.add_passkey(&p).await.expect("add"));
    let link = hash();
    assert!(db
        .put_enrollment(&link, &x.id, NOW, NOW + DAY)
        .await
        .expect("put"));
    assert!(db.remove_account(&x.id).await.expect("remove"));
    assert_eq!(
        db.passkey_by_credential(&p.credential_id)
            .await
            .expect("get"),
        None
    );
    assert_eq!(db.enrollment_account(&link, NOW).await.expect("get"), None);
}
