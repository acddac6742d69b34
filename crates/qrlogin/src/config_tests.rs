//! The layering of `qrlogin serve`'s settings, inside `figment::Jail` (a private
//! directory and environment per test), and README's flag table against the flags.

// `Jail::expect_with` fixes its closures' error type to figment's (large) `Error`.
#![allow(clippy::result_large_err)]

use super::*;
use clap::{Args as _, FromArgMatches as _};
use figment::Jail;
use qrlogin_server::ApiRoles;

fn serve_command() -> Command {
    ServeArgs::augment_args(Command::new("serve"))
}

/// The flags as `qrlogin serve` would parse them.
fn flags(argv: &[&str]) -> ServeArgs {
    let matches = serve_command()
        .try_get_matches_from(std::iter::once("serve").chain(argv.iter().copied()))
        .expect("flags parse");
    ServeArgs::from_arg_matches(&matches).expect("flags convert")
}

/// `load`'s error as text, for the tests that expect one.
fn refused(argv: &[&str]) -> String {
    format!("{:#}", load(&flags(argv)).expect_err("refused"))
}

#[test]
fn with_nothing_set_the_defaults_apply() {
    Jail::expect_with(|_| {
        assert_eq!(load(&flags(&[])).unwrap(), Settings::default());
        Ok(())
    });
}

#[test]
fn the_file_is_overridden_by_the_environment_which_is_overridden_by_flags() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "qrlogin.toml",
            r#"
                listen = "127.0.0.1:7001"
                qr_ttl = 30
                confirm_ttl = 31
                api = "phone"
                db = "sqlite://from-file.db"
            "#,
        )?;
        jail.set_env("QRLOGIN_QR_TTL", "40");
        jail.set_env("QRLOGIN_CONFIRM_TTL", "41");
        let s = load(&flags(&["--config", "qrlogin.toml", "--confirm-ttl", "50"])).unwrap();
        assert_eq!(s.listen, "127.0.0.1:7001", "file over default");
        assert_eq!(s.db, "sqlite://from-file.db", "file over default");
        assert_eq!(s.api, ApiRoles::Phone, "file over default");
        assert_eq!(s.qr_ttl, 40, "environment over file");
        assert_eq!(s.confirm_ttl, 50, "flag over environment");
        assert_eq!(s.max_waiters, Settings::default().max_waiters);
        Ok(())
    });
}

#[test]
fn the_config_file_can_be_named_by_its_variable() {
    Jail::expect_with(|jail| {
        jail.create_file("q.toml", "store = \"redis://127.0.0.1:6379/3\"")?;
        jail.set_env("QRLOGIN_CONFIG", "q.toml");
        assert_eq!(load(&flags(&[])).unwrap().store, "redis://127.0.0.1:6379/3");
        Ok(())
    });
}

#[test]
fn a_switch_not_given_does_not_undo_the_file() {
    Jail::expect_with(|jail| {
        jail.create_file("q.toml", "demo = true\ntrust_proxy = true")?;
        let s = load(&flags(&["--config", "q.toml"])).unwrap();
        assert!(s.demo && s.trust_proxy);
        Ok(())
    });
}

#[test]
fn lists_come_comma_separated_from_variables_and_flags_replace_them() {
    Jail::expect_with(|jail| {
        jail.create_file("q.toml", "cors_origin = [\"https://file.example\"]")?;
        jail.set_env("QRLOGIN_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.0.0/16");
        jail.set_env("QRLOGIN_CORS_ORIGIN", "https://a.example,https://b.example");
        let s = load(&flags(&["--config", "q.toml"])).unwrap();
        assert_eq!(s.trusted_proxies, ["10.0.0.0/8", "192.168.0.0/16"]);
        assert_eq!(s.cors_origin, ["https://a.example", "https://b.example"]);
        let s = load(&flags(&[
            "--trusted-proxies=172.16.0.0/12,::1",
            "--cors-origin=https://c.example",
            "--cors-origin=https://d.example",
        ]))
        .unwrap();
        assert_eq!(s.trusted_proxies, ["172.16.0.0/12", "::1"]);
        assert_eq!(s.cors_origin, ["https://c.example", "https://d.example"]);
        Ok(())
    });
}

#[test]
fn other_qrlogin_variables_are_not_settings() {
    Jail::expect_with(|jail| {
        jail.set_env("QRLOGIN_LOG", "debug");
        jail.set_env("QRLOGIN_CONFIG_DIR", "/nowhere");
        jail.set_env("QRLOGIN_SERVER", "http://127.0.0.1:1");
        assert_eq!(load(&flags(&[])).unwrap(), Settings::default());
        Ok(())
    });
}

#[test]
fn an_unknown_key_in_the_file_is_refused_by_name() {
    Jail::expect_with(|jail| {
        jail.create_file("q.toml", "listen = \"127.0.0.1:0\"\nmax_waiter = 5")?;
        let err = refused(&["--config", "q.toml"]);
        assert!(err.contains("max_waiter"), "{err}");
        Ok(())
    });
}

#[test]
fn a_wrong_type_is_refused_by_key_in_the_file_and_in_a_variable() {
    Jail::expect_with(|jail| {
        jail.create_file("q.toml", "qr_ttl = \"soon\"")?;
        let err = refused(&["--config", "q.toml"]);
        assert!(err.contains("qr_ttl"), "{err}");
        jail.set_env("QRLOGIN_MAX_WAITERS", "many");
        let err = refused(&[]);
        assert!(err.to_ascii_lowercase().contains("max_waiters"), "{err}");
        Ok(())
    });
}

#[test]
fn a_missing_config_file_is_an_error_naming_it() {
    Jail::expect_with(|_| {
        let err = refused(&["--config", "nope.toml"]);
        assert!(err.contains("nope.toml"), "{err}");
        Ok(())
    });
}

#[test]
fn show_redacts_passwords_and_lists_unset_keys() {
    let settings = Settings {
        store: "redis://:hunter2@10.0.0.1:6379/0".into(),
        db: "postgres://app:s3cret@db:5432/qrlogin".into(),
        ..Settings::default()
    };
    let shown = show(&settings).unwrap();
    assert!(
        !shown.contains("hunter2") && !shown.contains("s3cret"),
        "{shown}"
    );
    assert!(
        shown.contains("store = \"redis://:***@10.0.0.1:6379/0\""),
        "{shown}"
    );
    assert!(shown.contains("# rp_id is not set"), "{shown}");
    // What is shown reads back as the same settings (bar the redaction).
    let back: Settings = toml::from_str(&show(&Settings::default()).unwrap()).unwrap();
    assert_eq!(back, Settings::default());
}

#[test]
fn every_settings_flag_is_a_config_key_and_every_key_a_flag() {
    let command = serve_command();
    let mut flagged: Vec<&str> = command.get_arguments().filter_map(key_of).collect();
    flagged.sort_unstable();
    let mut keys = KEYS.to_vec();
    keys.sort_unstable();
    assert_eq!(flagged, keys);
}

#[test]
fn the_help_shows_each_flags_variable_and_default() {
    let help = with_help_notes(serve_command()).render_help().to_string();
    assert!(
        help.contains("[env: QRLOGIN_QR_TTL] [default: 120]"),
        "{help}"
    );
    assert!(
        help.contains("[env: QRLOGIN_DB] [default: sqlite://qrlogin.db]"),
        "{help}"
    );
    assert!(help.contains("[env: QRLOGIN_TRUSTED_PROXIES]"), "{help}");
}

#[test]
fn the_readme_table_is_rendered_from_the_flags() {
    let readme = include_str!("../../../README.md");
    let in_readme: String = readme
        .lines()
        .skip_while(|l| !l.starts_with("| flag | env | default | meaning |"))
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    let rendered = flag_table(&serve_command());
    assert!(
        in_readme == rendered,
        "README.md's `qrlogin serve` table differs from the flags; replace it with:\n\n{rendered}"
    );
}

/// The ```toml blocks of a Markdown text.
fn toml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while lines.any(|l| l == "```toml") {
        let block: String = lines
            .by_ref()
            .take_while(|l| *l != "```")
            .map(|l| format!("{l}\n"))
            .collect();
        blocks.push(block);
    }
    blocks
}

#[test]
fn the_example_files_of_the_docs_are_accepted() {
    let readme = toml_blocks(include_str!("../../../README.md"));
    let deploy = toml_blocks(include_str!("../../../docs/deploy.md"));
    assert!(!readme.is_empty() && !deploy.is_empty());
    for example in readme.iter().chain(&deploy) {
        Jail::expect_with(|jail| {
            jail.create_file("qrlogin.toml", example)?;
            let settings = load(&flags(&["--config", "qrlogin.toml"])).unwrap();
            assert_ne!(settings, Settings::default(), "{example}");
            qrlogin_server::Config::from_settings(&settings).unwrap();
            Ok(())
        });
    }
}
