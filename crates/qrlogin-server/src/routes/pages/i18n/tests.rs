//! The language files are complete, every key the pages use exists in every one of
//! them, and the language is chosen as documented.

use super::{catalog, Choice, DEFAULT};
use crate::routes::pages::Assets;
use std::collections::BTreeSet;

/// The namespaces of keys used by the page scripts (`'m.sessions_none'`, …).
const NAMESPACES: &[&str] = &["widget.", "pc.", "m.", "error.", "activity."];

/// The error codes of API.md's table (and the two extra ones the server may send).
const ERROR_CODES: &[&str] = &[
    "invalid_request",
    "unauthorized",
    "device_mismatch",
    "invalid_credentials",
    "forbidden",
    "invalid_scan_ticket",
    "qr_not_found",
    "not_found",
    "already_scanned",
    "invalid_state",
    "already_redeemed",
    "qr_expired",
    "payload_too_large",
    "unsupported_media_type",
    "rate_limited",
    "store_unavailable",
    "internal",
    "method_not_allowed",
    "unavailable",
];

/// The activity kinds of API.md "Phone additions" and "Passkeys".
const ACTIVITY_KINDS: &[&str] = &[
    "phone_signed_in",
    "phone_signed_out",
    "sign_in_failed",
    "qr_scanned",
    "qr_confirmed",
    "qr_declined",
    "session_revoked",
    "password_changed",
    "passkey_added",
    "passkey_removed",
];

/// The widget's keys it builds from its state rather than writes out.
const WIDGET_STATES: &[&str] = &[
    "loading",
    "pending",
    "confirmed",
    "error",
    "offline",
    "used",
];

fn text_of(path: &str) -> String {
    let file = Assets::get(path).unwrap_or_else(|| panic!("{path} is embedded"));
    String::from_utf8(file.data.into_owned()).unwrap_or_else(|_| panic!("{path} is UTF-8"))
}

/// `{{key}}` placeholders of an HTML page (without the `@` ones).
fn html_keys(html: &str) -> Vec<String> {
    html.split("{{")
        .skip(1)
        .filter_map(|part| part.split_once("}}").map(|(k, _)| k.trim().to_owned()))
        .filter(|k| !k.starts_with('@'))
        .collect()
}

/// Quoted literals of a script that start with a key namespace: `'m.revoke'`.
/// A literal ending in a dot (`'error.' + code`) is a prefix, not a key.
fn script_keys(js: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for quote in ['\'', '"'] {
        for (i, _) in js.match_indices(quote) {
            let rest = &js[i + 1..];
            if !NAMESPACES.iter().any(|ns| rest.starts_with(ns)) {
                continue;
            }
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            let key = &rest[..len];
            if rest[len..].starts_with(quote) && !key.ends_with('.') {
                keys.push(key.to_owned());
            }
        }
    }
    keys
}

/// The widget's own `t('pending')` calls, as their full keys (`widget.pending`).
fn widget_keys(js: &str) -> Vec<String> {
    js.match_indices("t('")
        // `t(` itself, not `request(`.
        .filter(|(i, _)| !js[..*i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        .filter_map(|(i, _)| js[i + 3..].split_once('\'').map(|(k, _)| k))
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|k| format!("widget.{k}"))
        .chain(WIDGET_STATES.iter().map(|s| format!("widget.{s}")))
        .collect()
}

/// Every key some page, script or the widget needs, with where it is used.
fn used_keys() -> Vec<(String, String)> {
    let mut used = Vec::new();
    for path in Assets::iter() {
        let path = path.to_string();
        let keys = if path.ends_with(".html") {
            html_keys(&text_of(&path))
        } else if path == "qrlogin.js" {
            widget_keys(&text_of(&path))
        } else if path.ends_with(".js") && !path.starts_with("tests/") {
            script_keys(&text_of(&path))
        } else {
            continue;
        };
        used.extend(keys.into_iter().map(|k| (k, path.clone())));
    }
    let families = ERROR_CODES
        .iter()
        .map(|c| format!("error.{c}"))
        .chain(ACTIVITY_KINDS.iter().map(|k| format!("activity.{k}")));
    used.extend(families.map(|k| (k, "API.md".to_owned())));
    used
}

#[test]
fn there_are_english_and_simplified_chinese_files_with_the_same_keys() {
    let cat = catalog();
    let langs: Vec<&str> = cat.languages().collect();
    assert!(
        langs.contains(&"en") && langs.contains(&"zh-CN"),
        "{langs:?}"
    );
    let files = Assets::iter().filter(|p| p.starts_with("i18n/")).count();
    assert_eq!(
        files,
        langs.len(),
        "every language file parses as a map of strings"
    );
    let en: BTreeSet<&String> = cat.strings(DEFAULT).expect("English").keys().collect();
    for lang in langs {
        let keys: BTreeSet<&String> = cat.strings(lang).expect("listed").keys().collect();
        let missing: Vec<_> = en.difference(&keys).collect();
        let extra: Vec<_> = keys.difference(&en).collect();
        assert!(missing.is_empty(), "{lang}.json lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "{lang}.json has keys English lacks: {extra:?}"
        );
        for (k, v) in cat.strings(lang).expect("listed") {
            assert!(!v.trim().is_empty(), "{lang}.json: {k} is empty");
        }
    }
}

#[test]
fn every_key_a_page_uses_exists_in_every_language_file() {
    let cat = catalog();
    let used = used_keys();
    assert!(
        used.len() > 100,
        "the scan finds the pages' keys: {}",
        used.len()
    );
    for lang in cat.languages() {
        let strings = cat.strings(lang).expect("listed");
        let missing: Vec<_> = used
            .iter()
            .filter(|(k, _)| !strings.contains_key(k))
            .collect();
        assert!(
            missing.is_empty(),
            "{lang}.json lacks keys used by the pages: {missing:?}"
        );
    }
}

#[test]
fn the_key_scan_sees_keys_in_scripts_and_pages_but_not_prefixes() {
    let js = "t('m.revoke'); t(\"pc.title\"); t('error.' + code); x('other.key')";
    assert_eq!(script_keys(js), ["m.revoke", "pc.title"]);
    assert_eq!(html_keys("<b>{{ m.title }}</b>{{@lang}}"), ["m.title"]);
    let widget = widget_keys("this.t('qrAlt'); t(st); request('GET')");
    assert!(widget.contains(&"widget.qrAlt".to_owned()));
    assert!(!widget.contains(&"widget.GET".to_owned()));
}

#[test]
fn the_language_comes_from_the_query_then_accept_language_then_english() {
    let cat = catalog();
    let zh = Choice {
        lang: "zh-CN",
        forced: false,
    };
    let en = Choice {
        lang: "en",
        forced: false,
    };
    assert_eq!(cat.choose(None, None), en);
    assert_eq!(cat.choose(None, Some("zh-CN,zh;q=0.9,en;q=0.8")), zh);
    assert_eq!(cat.choose(None, Some("zh-TW")), zh, "by the primary subtag");
    assert_eq!(cat.choose(None, Some("ZH-cn")), zh, "case-insensitive");
    assert_eq!(cat.choose(None, Some("fr-FR, en-GB;q=0.5")), en);
    assert_eq!(
        cat.choose(None, Some("en;q=0.1, zh;q=0.9")),
        zh,
        "by weight"
    );
    assert_eq!(
        cat.choose(None, Some("zh;q=0, en")),
        en,
        "q=0 means not this one"
    );
    assert_eq!(
        cat.choose(None, Some("fr, de")),
        en,
        "none of ours: English"
    );
    assert_eq!(cat.choose(None, Some(";;,q=x,*")), en, "garbage: English");
    let forced = cat.choose(Some("a=1&lang=en"), Some("zh-CN"));
    assert_eq!(
        forced,
        Choice {
            lang: "en",
            forced: true
        }
    );
    let forced = cat.choose(Some("lang=zh-cn"), None);
    assert_eq!(
        forced,
        Choice {
            lang: "zh-CN",
            forced: true
        }
    );
    assert_eq!(
        cat.choose(Some("lang=xx"), Some("zh")),
        zh,
        "unknown ?lang= is ignored"
    );
}

#[test]
fn a_page_is_rendered_in_its_language_with_escaped_texts() {
    let cat = catalog();
    let html = "<html lang=\"{{@lang}}\"><a href=\"/m{{@langq}}\">{{m.signin}}</a>{{no.such}}";
    let zh = cat.render(
        html,
        Choice {
            lang: "zh-CN",
            forced: true,
        },
    );
    assert_eq!(
        zh,
        "<html lang=\"zh-CN\"><a href=\"/m?lang=zh-CN\">登录</a>no.such"
    );
    let en = cat.render(
        html,
        Choice {
            lang: "en",
            forced: false,
        },
    );
    assert_eq!(en, "<html lang=\"en\"><a href=\"/m\">Sign in</a>no.such");
    // Texts are escaped: a translation cannot inject markup.
    let mut out = String::new();
    super::escape_into(&mut out, "<b>\"x\" & 'y'</b>");
    assert_eq!(out, "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
}

#[test]
fn the_widget_script_registers_every_language() {
    let script = catalog().script();
    assert!(script.contains("Q.addLanguage(\"en\", {"), "{script:.200}");
    assert!(script.contains("Q.addLanguage(\"zh-CN\", {"));
    assert!(script.contains("请用手机扫码"));
}
