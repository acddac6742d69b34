//! Web pages and the drop-in widget, embedded in the binary (rust-embed), served with
//! ETags and a Content-Security-Policy that allows no inline script and no third-party
//! origin.
//!
//! The pages speak the languages of `assets/i18n/*.json` (one file per language, see
//! [`i18n`]): an HTML page is rendered in the language the request asks for (its
//! `{{key}}` placeholders filled, `<html lang>` set), and `/qrlogin.js` carries every
//! language's strings, so the widget and the page scripts can translate too.

pub(crate) mod i18n;

use crate::config::ApiRoles;
use crate::error::problem;
use crate::state::AppState;
use axum::extract::{Path, RawQuery};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use qrlogin_core::ErrorCode;
use rust_embed::RustEmbed;

/// Everything under `assets/`, compiled into the binary.
#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// The policy of every page: own origin only, no inline code, no framing.
pub const CSP: &str =
    "default-src 'self'; img-src 'self' data:; connect-src 'self'; style-src 'self'; \
script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// [`CSP`] with `img-src` widened to `origins`: avatars are account data, often served
/// from a product's own CDN, and the pages would otherwise show a broken image (and a
/// CSP violation) for each.
pub fn csp_with_image_origins(origins: &[String]) -> String {
    if origins.is_empty() {
        return CSP.to_owned();
    }
    CSP.replacen(
        "img-src 'self' data:",
        &format!("img-src 'self' data: {}", origins.join(" ")),
        1,
    )
}

/// Page routes for the roles served.
pub fn routes(roles: ApiRoles) -> Router<AppState> {
    let mut r = Router::new().route(
        "/static/{*file}",
        get(
            |Path(f): Path<String>, RawQuery(q): RawQuery, h: HeaderMap| async move {
                asset(&f, &h, q.as_deref())
            },
        ),
    );
    if roles.pc() {
        r = r
            .route("/", page("index.html"))
            .route("/device", page("device.html"))
            .route("/qrlogin.js", page("qrlogin.js"));
    }
    if roles.phone() {
        // One app for the phone; it reads the path to know whether a QR opened it, or
        // an enrollment link (its secret after `#`, never sent here).
        for path in ["/m", "/m/", "/m/qr/{qr_id}", "/m/enroll", "/m/device"] {
            r = r.route(path, page("m.html"));
        }
    }
    r
}

/// A route answering with one embedded file.
fn page(file: &'static str) -> axum::routing::MethodRouter<AppState> {
    get(move |RawQuery(q): RawQuery, h: HeaderMap| async move { asset(file, &h, q.as_deref()) })
}

/// The body of one embedded file as served: HTML rendered in a language, the widget
/// with the language catalogue appended, anything else as it is.
struct Served {
    body: Vec<u8>,
    hash: [u8; 32],
    /// The language an HTML page was rendered in.
    lang: Option<&'static str>,
}

fn served(path: &str, headers: &HeaderMap, query: Option<&str>) -> Option<Served> {
    // assets/tests/ holds the widget's unit tests (node --test), not something to serve.
    if path.starts_with("tests/") {
        return None;
    }
    let file = Assets::get(path)?;
    let hash = file.metadata.sha256_hash();
    let catalog = i18n::catalog();
    if path.ends_with(".html") {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let choice = catalog.choose(query, accept);
        let html = String::from_utf8_lossy(&file.data);
        let mut hash = i18n::mix(hash, catalog.hash());
        // The page differs by language and by whether `?lang=` chose it (links keep it).
        hash[0] ^= u8::from(choice.forced);
        for (i, b) in choice.lang.bytes().enumerate() {
            hash[1 + i % 30] ^= b;
        }
        return Some(Served {
            body: catalog.render(&html, choice).into_bytes(),
            hash,
            lang: Some(choice.lang),
        });
    }
    if path == "qrlogin.js" {
        let mut body = file.data.into_owned();
        body.extend_from_slice(catalog.script().as_bytes());
        return Some(Served {
            body,
            hash: i18n::mix(hash, catalog.hash()),
            lang: None,
        });
    }
    Some(Served {
        body: file.data.into_owned(),
        hash,
        lang: None,
    })
}

/// One embedded file, or 404; 304 when the client's ETag matches.
fn asset(path: &str, headers: &HeaderMap, query: Option<&str>) -> Response {
    let Some(file) = served(path, headers, query) else {
        return problem(ErrorCode::NotFound, "no such file");
    };
    let etag = format!("\"{}\"", hex_prefix(&file.hash));
    let mime = mime_of(path);
    let mut res = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, mime)], file.body).into_response()
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(lang) = file.lang {
        h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        if let Ok(v) = HeaderValue::from_str(lang) {
            h.insert(header::CONTENT_LANGUAGE, v);
        }
    }
    // Revalidate every time (cheap with the ETag), so a new release is seen at once.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

fn hex_prefix(hash: &[u8; 32]) -> String {
    hash[..12].iter().map(|b| format!("{b:02x}")).collect()
}

fn mime_of(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::asset;
    use axum::body::to_bytes;
    use axum::http::{header, HeaderMap, HeaderValue};
    use axum::response::Response;

    fn accept(lang: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(lang).expect("ascii"),
        );
        h
    }

    async fn body(res: Response) -> String {
        let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn a_page_is_served_in_the_browsers_language_and_varies_by_it() {
        let zh = asset("index.html", &accept("zh-CN,zh;q=0.9"), None);
        assert_eq!(zh.headers()[header::CONTENT_LANGUAGE], "zh-CN");
        assert_eq!(zh.headers()[header::VARY], "Accept-Language");
        let zh_etag = zh.headers()[header::ETAG].clone();
        let html = body(zh).await;
        assert!(html.contains("<html lang=\"zh-CN\">"), "{html:.300}");
        assert!(html.contains("用手机扫码登录") && !html.contains("{{"));

        let en = asset("index.html", &accept("en-US"), None);
        assert_ne!(en.headers()[header::ETAG], zh_etag, "one ETag per language");
        assert!(body(en).await.contains("Sign in with your phone"));

        let forced = asset("m.html", &accept("zh-CN"), Some("lang=en"));
        let html = body(forced).await;
        assert!(html.contains("<html lang=\"en\">") && html.contains("href=\"/m?lang=en\""));
    }

    #[tokio::test]
    async fn the_widget_carries_every_language_and_the_js_tests_are_not_served() {
        let js = body(asset("qrlogin.js", &HeaderMap::new(), None)).await;
        assert!(js.contains("class Widget") && js.contains("Q.addLanguage(\"zh-CN\""));
        let test = asset("tests/sse-parser.test.mjs", &HeaderMap::new(), None);
        assert_eq!(test.status(), 404);
    }
}
