//! A checked Config: secrets that never print, defaults taken from Settings, bad
//! proxies and lifetimes refused by the name of their setting.

use super::*;

#[test]
fn a_store_password_never_prints() {
    assert_eq!(
        redact_url("redis://:hunter2@10.0.0.1:6379/0"),
        "redis://:***@10.0.0.1:6379/0"
    );
    assert_eq!(redact_url("redis://user:pw@h/0"), "redis://user:***@h/0");
    assert_eq!(redact_url("redis://h:6379"), "redis://h:6379");
    let c = Config {
        store: "redis://:hunter2@h".into(),
        ..Config::default()
    };
    assert!(!format!("{c:?}").contains("hunter2"));
    let c = Config {
        db: "postgres://app:hunter2@db/qr".into(),
        ..Config::default()
    };
    assert!(!format!("{c:?}").contains("hunter2"));
}

#[test]
fn the_defaults_come_from_settings() {
    let c = Config::default();
    let s = Settings::default();
    assert_eq!((c.listen, c.store, c.db), (s.listen, s.store, s.db));
    assert_eq!(c.lifetimes, Lifetimes::default());
    assert_eq!(c.max_waiters, s.max_waiters);
}

#[test]
fn a_bad_cidr_is_refused_by_name() {
    let s = Settings {
        trusted_proxies: vec!["10.0.0.0/8".into(), "10.0.0.300/8".into()],
        ..Settings::default()
    };
    let err = Config::from_settings(&s).unwrap_err();
    assert_eq!(err.key, "trusted_proxies");
    assert!(err.to_string().contains("10.0.0.300/8"), "{err}");
}

#[test]
fn trust_proxy_trusts_loopback_and_bare_addresses_are_hosts() {
    let s = Settings {
        trust_proxy: true,
        trusted_proxies: vec!["192.0.2.7".into()],
        ..Settings::default()
    };
    let nets = Config::from_settings(&s).unwrap().trusted_proxies;
    let shown: Vec<String> = nets.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["192.0.2.7/32", "127.0.0.0/8", "::1/128"]);
}

#[test]
fn a_ttl_out_of_range_is_refused_by_name() {
    let s = Settings {
        confirm_ttl: 0,
        ..Settings::default()
    };
    assert_eq!(Config::from_settings(&s).unwrap_err().key, "confirm_ttl");
}
