//! The pages in both languages: a browser set up in Simplified Chinese gets the PC page,
//! the widget and the phone app in Chinese; `?lang=` on the URL and the widget's
//! `lang` option override the browser.

use crate::app::Server;
use crate::harness::{Browser, Test, WAIT};
use serde_json::json;

/// `<html lang>` of the page shown.
async fn page_lang(b: &Browser) -> String {
    let v = b.js("return document.documentElement.lang;", vec![]).await;
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_browser_in_chinese_gets_the_pc_page_and_the_phone_app_in_chinese() {
    let Some(t) = Test::start("lang_zh").await else {
        return;
    };
    let server = Server::start().await;
    let pc = t.desktop_in("pc-zh", "zh-CN").await;
    let phone = t.phone_in("phone-zh", 390, 844, 1.0, Some("zh-CN")).await;

    pc.goto(&server.at("/")).await;
    pc.wait_state("pending").await;
    assert_eq!(page_lang(&pc).await, "zh-CN");
    assert_eq!(pc.text("#login-title").await, "用手机扫码登录");
    assert_eq!(pc.text(".qrlogin-status").await, "请用手机扫码");
    assert_eq!(pc.attr(".qrlogin", "lang").await.as_deref(), Some("zh-CN"));
    pc.shot("01-pc-zh").await;
    let content = pc
        .js(
            "return document.querySelector('.qrlogin-url a').href;",
            vec![],
        )
        .await;

    phone.goto(content.as_str().expect("a link")).await;
    phone.wait_view("signin").await;
    assert_eq!(page_lang(&phone).await, "zh-CN");
    assert_eq!(phone.text("#signin-title").await, "在此手机上登录");
    // An error text the page shows, in Chinese too.
    phone.type_into("#username", "alice").await;
    phone.type_into("#password", "wrong-password").await;
    phone.click("#signin-submit").await;
    phone
        .wait_for(
            "the wrong-password message",
            "document.getElementById('signin-error').textContent === '用户名或密码错误。'",
            WAIT,
        )
        .await;
    phone.find("#password").await.clear().await.expect("clear");
    phone.type_into("#password", "alice-demo").await;
    phone.click("#signin-submit").await;
    phone.wait_view("prescan").await;
    assert_eq!(phone.text("#prescan-continue").await, "继续");
    phone.shot("01-prescan-zh").await;
    phone.click("#prescan-continue").await;
    phone.wait_view("request").await;
    assert_eq!(phone.text("#confirm").await, "确认登录");
    assert_eq!(phone.text(".self-reported dt").await, "电脑自称是");
    phone.shot("02-request-zh").await;
    pc.wait_state("scanned").await;
    assert_eq!(
        pc.text(".qrlogin-status").await,
        "Alice 已扫码，请在手机上确认"
    );
    phone.click("#confirm").await;
    phone
        .wait_for(
            "the confirmed result",
            "document.querySelector('#view-result[data-result=confirmed]:not([hidden])')",
            WAIT,
        )
        .await;
    assert_eq!(phone.text("#result-title").await, "已登录");
    pc.wait_view("signed-in").await;
    assert_eq!(pc.text("#signed-in-title").await, "您已登录");
    assert_eq!(pc.text("#signout").await, "退出登录");
    pc.shot("02-signed-in-zh").await;

    phone.goto(&server.at("/m")).await;
    phone.wait_view("home").await;
    assert_eq!(phone.text("#sessions-title").await, "已登录的设备");
    phone
        .wait_for(
            "the sessions count",
            "document.getElementById('sessions-status').textContent === '已登录 1 台设备。'",
            WAIT,
        )
        .await;
    phone.shot("03-home-zh").await;

    pc.assert_console_clean().await;
    phone.assert_console_clean().await;
    pc.close().await;
    phone.close().await;
}

#[tokio::test]
async fn the_lang_query_and_the_widget_option_override_the_browser_language() {
    let Some(t) = Test::start("lang_override").await else {
        return;
    };
    let server = Server::start().await;
    let en = t.desktop().await;

    // An English browser, `?lang=zh-CN` on the URL: Chinese, and links keep it.
    en.goto(&server.at("/?lang=zh-CN")).await;
    en.wait_state("pending").await;
    assert_eq!(page_lang(&en).await, "zh-CN");
    assert_eq!(en.text(".qrlogin-status").await, "请用手机扫码");
    assert_eq!(
        en.attr(".pc-hint a", "href").await.as_deref(),
        Some("/m?lang=zh-CN")
    );
    en.goto(&server.at("/m?lang=zh-CN")).await;
    en.wait_view("signin").await;
    assert_eq!(en.text("#signin-title").await, "在此手机上登录");

    // Without it, the same browser gets English.
    en.goto(&server.at("/")).await;
    en.wait_state("pending").await;
    assert_eq!(page_lang(&en).await, "en");
    assert_eq!(en.text(".qrlogin-status").await, "Scan with your phone");

    // The widget's `lang` option wins over the page and the browser.
    en.js(
        "var host = document.createElement('div'); host.id = 'zh-widget';
         document.querySelector('main').appendChild(host);
         QrLogin.mount(host, { lang: arguments[0], css: false });",
        vec![json!("zh-CN")],
    )
    .await;
    en.wait_for(
        "the Chinese widget",
        "(function (w) { return w && w.getAttribute('data-state') === 'pending' && \
           w.querySelector('.qrlogin-status').textContent; })(document.querySelector('#zh-widget .qrlogin'))",
        WAIT,
    )
    .await;
    assert_eq!(en.text("#zh-widget .qrlogin-status").await, "请用手机扫码");
    assert_eq!(en.text("#zh-widget .qrlogin-cancel").await, "取消");
    en.shot("01-widget-option").await;
    en.assert_console_clean().await;
    en.close().await;

    // A Chinese browser asking for `?lang=en` gets English.
    let zh = t.desktop_in("pc-zh", "zh-CN").await;
    zh.goto(&server.at("/m?lang=en")).await;
    zh.wait_view("signin").await;
    assert_eq!(page_lang(&zh).await, "en");
    assert_eq!(zh.text("#signin-title").await, "Sign in on this phone");
    zh.goto(&server.at("/m")).await;
    zh.wait_view("signin").await;
    assert_eq!(
        page_lang(&zh).await,
        "zh-CN",
        "the browser's language without ?lang="
    );
    zh.assert_console_clean().await;
    zh.close().await;
}
