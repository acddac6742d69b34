//! The router: routes per role, the OpenAPI document, and the layers every request goes
//! through (metrics, panic catching, problem+json for unknown routes and methods,
//! `nosniff`, CORS when configured: [`headers`]).

pub mod backend;
pub mod guard;
pub mod headers;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod passkeys;
pub mod pc;
pub mod phone;
pub mod session;

use crate::error::problem;
use crate::state::AppState;
use crate::telemetry;
use axum::Router;
use openapi::Conformance;
use qrlogin_core::ErrorCode;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "qrlogin HTTP API", version = "1", description = "QR-code login: the PC shows a QR code, a signed-in phone scans and confirms, the PC is signed in. Errors are RFC 9457 problem+json with a stable `code`."),
    paths(
        pc::create_qr, pc::qr_svg, pc::qr_png, pc::status, pc::redeem, pc::cancel,
        crate::push::sse::events, crate::push::ws::upgrade,
        phone::login, phone::logout, phone::activity_log, phone::scan, phone::confirm, phone::decline, phone::sessions, phone::revoke,
        session::me, session::logout,
        passkeys::register_start, passkeys::register_finish, passkeys::list, passkeys::rename, passkeys::remove,
        passkeys::login_start, passkeys::login_finish, passkeys::enroll_start, passkeys::enroll_finish,
        backend::scan, backend::confirm, backend::cancel,
        ops::healthz, ops::readyz, ops::metrics_text, ops::openapi,
        crate::oauth::discovery::configuration, crate::oauth::jwks::jwks,
        crate::oauth::authorize::page, crate::oauth::authorize::session, crate::oauth::authorize::complete,
        crate::oauth::token::token, crate::oauth::userinfo::userinfo, crate::oauth::revoke::revoke,
        crate::oauth::device::authorize, crate::oauth::device::user_code,
    ),
    modifiers(&BearerSchemes, &Conformance),
    tags((name = "pc", description = "The device that wants to log in"), (name = "phone", description = "The signed-in phone that approves"),
        (name = "passkeys", description = "WebAuthn sign-in of the phone"),
        (name = "session", description = "A PC after login"), (name = "backend", description = "A product's trusted backend approving for its own users"), (name = "ops", description = "Operations"),
        (name = "oauth", description = "OpenID Connect provider and OAuth 2.0 device grant (errors of token, device_authorization and revoke are RFC 6749 JSON)"))
)]
pub struct ApiDoc;

/// Adds the three bearer token schemes (poll, mobile, session) to the document.
struct BearerSchemes;

impl Modify for BearerSchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, desc) in [
            ("poll_token", "qlp_… from POST /api/v1/qr"),
            (
                "mobile_token",
                "qlm_… from POST /api/v1/auth/login, with X-Device-Id",
            ),
            ("session_token", "qlw_… from redeem"),
            (
                "access_token",
                "qla_… from /oauth2/token (client_credentials, scope qr:approve)",
            ),
        ] {
            let scheme = HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(desc))
                .build();
            components.add_security_scheme(name, SecurityScheme::Http(scheme));
        }
    }
}

/// The whole application router for `state`'s configured roles.
pub fn router(state: AppState) -> Router {
    let roles = state.config.roles;
    let mut pages = pages::routes(roles);
    if !state.config.avatar_origins.is_empty() {
        let csp = pages::csp_with_image_origins(&state.config.avatar_origins);
        if let Ok(value) = axum::http::HeaderValue::from_str(&csp) {
            pages = pages.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                axum::http::header::CONTENT_SECURITY_POLICY,
                value,
            ));
        }
    }
    let mut app = Router::new().merge(ops::routes()).merge(pages);
    if roles.pc() {
        app = app
            .merge(pc::routes())
            .merge(crate::push::routes())
            .merge(session::routes())
            .merge(crate::oauth::routes());
    }
    if roles.phone() {
        app = app
            .merge(phone::routes())
            .merge(passkeys::routes())
            .merge(crate::oauth::phone_routes())
            .merge(backend::routes());
    }
    finish(app, state)
}

/// Adds what every route shares (problem+json for unknown routes and methods, metrics,
/// panic catching) and the state. Public so a test can check the layers on a route of
/// its own (a handler that panics).
pub fn finish(app: Router<AppState>, state: AppState) -> Router {
    let cors = headers::cors(&state.config.cors_origins);
    let app = app
        .fallback(|| async { problem(ErrorCode::NotFound, "no such route") })
        .method_not_allowed_fallback(|| async {
            problem(
                ErrorCode::MethodNotAllowed,
                "method not allowed on this route",
            )
        })
        // One `layer` call for both: axum wraps every route once per call, and each
        // wrapping costs every request two allocations (the route's boxed service is
        // cloned, its future boxed) and keeps another ~330 B route future in flight.
        // Panic catching and nosniff outside the metrics, as one layer of their own.
        .layer(
            tower::ServiceBuilder::new()
                .layer(guard::GuardLayer)
                .layer(telemetry::TrackLayer),
        )
        .with_state(state);
    // Outermost, so a preflight is answered before routing (no route has OPTIONS).
    match cors {
        Some(cors) => app.layer(cors),
        None => app,
    }
}
