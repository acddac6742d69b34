//! What the phone is shown: the PC's own words arrive cleaned of bidi overrides,
//! controls and combining-mark stacks, NFC-normalised, beside the address the server saw.

use crate::helpers::*;
use qrlogin_core::text::{is_bidi_control, MAX_COMBINING};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::is_nfc;

#[tokio::test]
async fn a_confusable_requester_name_reaches_the_phone_cleaned() {
    let app = spawn_app(behind_proxy()).await;
    let spoof = format!(
        "Official Bank PC \u{2714}\u{202E} (enohp siht)\u{202C}\u{0007}\u{0085}\u{2066}\u{200F} Z{}e\u{0301}",
        "\u{0336}".repeat(80)
    );
    let pc = app
        .client
        .create_qr(Some(pc_named(&spoof)))
        .await
        .expect("create");
    let phone = app.phone("alice", "phone-1").await;
    let scan = phone.scan(pc.qr_id()).await.expect("scan");
    let name = scan.requester.device.name.expect("a name");
    assert!(
        !name.chars().any(|c| c.is_control() || is_bidi_control(c)),
        "{name:?}"
    );
    assert!(is_nfc(&name), "{name:?}");
    let mut run = 0;
    for c in name.chars() {
        run = if is_combining_mark(c) { run + 1 } else { 0 };
        assert!(run <= MAX_COMBINING, "{name:?}");
    }
    assert!(
        name.starts_with("Official Bank PC \u{2714} (enohp siht)"),
        "{name:?}"
    );
    assert!(name.ends_with("\u{00E9}"), "{name:?}");
    assert_eq!(
        scan.requester.ip, "127.0.0.1",
        "what the server saw, not the PC's words"
    );
}

#[tokio::test]
async fn a_device_type_with_a_bidi_override_is_refused() {
    let app = spawn_app(behind_proxy()).await;
    let res = app
        .raw()
        .post(format!("{}/api/v1/qr", app.url))
        .json(&serde_json::json!({ "device": { "type": "web\u{202E}", "name": "PC" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(code(res).await, "invalid_request");
}
