//! `GET /oauth2/authorize` (the QR login page naming the client, or an error page),
//! `POST /oauth2/authorize/session` (the page's QR sessions) and
//! `POST /oauth2/authorize/complete` (the page's way back to the client: `303`).

use super::{form, no_store, oauth_error};
use crate::error::ApiError;
use crate::extract::ClientInfo;
use crate::routes::pages::i18n::catalog;
use crate::service::oauth::authorize::{self, Refusal};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qrlogin_oauth::redirect::error_redirect;
use qrlogin_oauth::{AuthorizeError, AuthorizeParams};

/// The page's template (see the comment in the file).
const PAGE: &str = include_str!("../../assets/oauth.html");

/// The policy of the page: the pages' own, but the form may lead to the client (a
/// form's redirect is checked against `form-action` by browsers).
const CSP: &str = "default-src 'self'; img-src 'self' data:; connect-src 'self'; \
style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The query as the request's parameters (a repeated one is malformed).
fn serde_urlencoded_params(q: &str) -> Option<AuthorizeParams> {
    form::typed(q.as_bytes()).ok()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An error page: the request cannot be sent back to the client (unknown client,
/// unregistered redirect URI), so the user sees why, and nothing redirects.
fn error_page(status: StatusCode, why: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in error</title>\
         <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><section class=\"card\">\
         <h1>This sign-in request cannot be completed</h1><p id=\"oauth-error\">{}</p>\
         </section></main></body></html>",
        escape(why)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CSP),
        ],
        body,
    )
        .into_response()
}

fn refused(state: &AppState, r: Refusal) -> Response {
    match r {
        Refusal::Protocol(AuthorizeError::Page(e)) => error_page(
            StatusCode::BAD_REQUEST,
            e.error_description.as_deref().unwrap_or(e.error.as_str()),
        ),
        Refusal::Protocol(AuthorizeError::Redirect {
            redirect_uri,
            error,
            state: client_state,
        }) => {
            let to = error_redirect(
                &redirect_uri,
                error.error,
                error.error_description.as_deref(),
                client_state.as_deref(),
                &state.public_url,
            );
            (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
        }
        Refusal::Service(e) => ApiError::from(e).into_response(),
    }
}

/// The authorization page.
#[utoipa::path(get, path = "/oauth2/authorize", tag = "oauth",
    params(("client_id" = String, Query, description = "A registered client"), ("redirect_uri" = String, Query, description = "Registered exactly (loopback: any port)"),
        ("response_type" = String, Query, description = "code"), ("scope" = Option<String>, Query, description = "e.g. openid profile"),
        ("state" = Option<String>, Query, description = "Echoed"), ("nonce" = Option<String>, Query, description = "In the ID token"),
        ("code_challenge" = Option<String>, Query, description = "PKCE S256; required for public clients"), ("code_challenge_method" = Option<String>, Query, description = "S256")),
    responses((status = 200, description = "The QR login page naming the client", content_type = "text/html"),
        (status = 303, description = "An error sent back to the client's redirect_uri"),
        (status = 400, description = "Error page: unknown client or unregistered redirect_uri (never a redirect)", content_type = "text/html")))]
pub async fn page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(p) = serde_urlencoded_params(query.as_deref().unwrap_or_default()) else {
        return error_page(StatusCode::BAD_REQUEST, "malformed query");
    };
    let (client, _) = match authorize::check(&state, &p).await {
        Ok(ok) => ok,
        Err(r) => return refused(&state, r),
    };
    let cat = catalog();
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let choice = cat.choose(query.as_deref(), accept);
    let html = cat
        .render(PAGE, choice)
        .replace("[[client_name]]", &escape(&client.name));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CSP),
        ],
        html,
    )
        .into_response()
}

/// A QR session for the page, carrying the authorization request of the query
/// string (the page's own): the answer of `POST /api/v1/qr`.
#[utoipa::path(post, path = "/oauth2/authorize/session", tag = "oauth",
    responses((status = 201, body = qrlogin_core::api::CreateQrResponse), (status = 400, description = "RFC 6749 error JSON")))]
pub async fn session(
    State(state): State<AppState>,
    client: ClientInfo,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(p) = serde_urlencoded_params(query.as_deref().unwrap_or_default()) else {
        return oauth_error(qrlogin_oauth::OAuthError::new(
            qrlogin_oauth::ErrorCode::InvalidRequest,
            "malformed query",
        ));
    };
    match authorize::start(&state, &p, client.0).await {
        Ok(created) => {
            let mut res = no_store(created);
            *res.status_mut() = StatusCode::CREATED;
            res
        }
        Err(Refusal::Protocol(AuthorizeError::Page(e)))
        | Err(Refusal::Protocol(AuthorizeError::Redirect { error: e, .. })) => oauth_error(e),
        Err(Refusal::Service(e)) => ApiError::from(e).into_response(),
    }
}

/// The page hands back its ended QR session (form: `qr_id`, `poll_token`): `303` to
/// the client with a code (confirmed) or `error=access_denied` (declined, expired).
#[utoipa::path(post, path = "/oauth2/authorize/complete", tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", description = "qr_id and poll_token of the page's QR session"),
    responses((status = 303, description = "To redirect_uri?code&state&iss, or ?error=access_denied&state&iss"),
        (status = 400, description = "invalid_request: a malformed form, qr_id or poll token"),
        (status = 401, description = "unauthorized"), (status = 409, description = "invalid_state: not confirmed yet, or already used")))]
pub async fn complete(State(state): State<AppState>, body: Bytes) -> Response {
    let f = match form::parse(&body) {
        Ok(f) => f,
        Err(_) => return ApiError::bad_request("malformed form body").into_response(),
    };
    let get = |k: &str| f.get(k).map(String::as_str);
    match authorize::finish(&state, get("qr_id").unwrap_or_default(), get("poll_token")).await {
        Ok(to) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, to.to_string()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
