//! Settings as files and variables write them: every field a key, lists and booleans
//! in their loose forms, unknown keys refused, redaction of URL passwords only.

use super::*;

#[test]
fn keys_lists_every_field() {
    let all = Settings {
        public_url: Some("u".into()),
        rp_id: Some("r".into()),
        tls_cert: Some("c".into()),
        tls_key: Some("k".into()),
        max_connections: Some(1),
        ..Settings::default()
    };
    let value = serde_json::to_value(&all).unwrap();
    let mut fields: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    let mut sorted_keys = KEYS.to_vec();
    sorted_keys.sort_unstable();
    assert_eq!(fields, sorted_keys);
}

#[test]
fn lists_and_booleans_read_as_variables_write_them() {
    let s: Settings = serde_json::from_value(serde_json::json!({
        "trusted_proxies": "10.0.0.0/8, 192.168.0.0/16",
        "cors_origin": ["https://a.example"],
        "demo": "yes",
        "trust_proxy": 1,
    }))
    .unwrap();
    assert_eq!(s.trusted_proxies, ["10.0.0.0/8", "192.168.0.0/16"]);
    assert_eq!(s.cors_origin, ["https://a.example"]);
    assert!(s.demo && s.trust_proxy);
}

#[test]
fn an_unknown_key_is_refused_by_name() {
    let err = serde_json::from_value::<Settings>(serde_json::json!({ "lisen": "x" })).unwrap_err();
    assert!(err.to_string().contains("lisen"), "{err}");
}

#[test]
fn redaction_hides_url_passwords_only() {
    let s = Settings {
        store: "redis://:hunter2@h:6379/0".into(),
        db: "postgres://app:s3cret@db/qr".into(),
        ..Settings::default()
    }
    .redacted();
    assert_eq!(s.store, "redis://:***@h:6379/0");
    assert_eq!(s.db, "postgres://app:***@db/qr");
    assert_eq!(s.listen, Settings::default().listen);
}
