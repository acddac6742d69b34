//! Checks of [`IssuerDb`](crate::IssuerDb).

use super::fixtures::NOW;
use super::Harness;
use crate::TrustedIssuer;

fn issuer(iss: &str) -> TrustedIssuer {
    TrustedIssuer {
        issuer: iss.to_owned(),
        jwks_uri: format!("{iss}/.well-known/jwks.json"),
        audience: "qrlogin-ñ \"aud\"".to_owned(),
        name_claim: Some("name".to_owned()),
        picture_claim: None,
        created_at: NOW,
    }
}

/// An issuer reads back exactly on another instance, is registered once, listed by
/// `iss`, and removed once.
pub async fn an_issuer_reads_back_exactly_is_listed_and_removed_once(h: &dyn Harness) {
    let (db, other) = (h.open().await, h.open().await);
    let b = issuer("https://b.example");
    let a = issuer("https://a.example");
    assert!(db.add_issuer(&b).await.expect("add"));
    assert!(db.add_issuer(&a).await.expect("add"));
    let mut again = a.clone();
    again.audience = "other".into();
    assert!(!db.add_issuer(&again).await.expect("add twice"));
    assert_eq!(other.issuer(&a.issuer).await.expect("get"), Some(a.clone()));
    assert_eq!(other.issuer("https://c.example").await.expect("get"), None);
    assert_eq!(
        other.list_issuers().await.expect("list"),
        vec![a.clone(), b.clone()]
    );
    assert!(other.remove_issuer(&a.issuer).await.expect("remove"));
    assert!(!db.remove_issuer(&a.issuer).await.expect("remove twice"));
    assert_eq!(db.list_issuers().await.expect("list"), vec![b]);
}
