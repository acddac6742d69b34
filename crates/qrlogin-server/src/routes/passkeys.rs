//! Passkey endpoints of the phone (API.md "Passkeys"): registration and management
//! with the phone's token, discoverable sign-in without one, and enrollment with a
//! one-use link's secret. Each parses, calls one use case of
//! [`service::passkeys_flows`](crate::service::passkeys_flows) or
//! [`service::passkeys_enroll`](crate::service::passkeys_enroll), and renders.

use crate::error::ApiResult;
use crate::extract::{ClientInfo, JsonBody};
use crate::service::passkeys::{
    ChallengeResponse, EnrollFinishRequest, EnrollStartRequest, EnrollStartResponse,
    LoginFinishRequest, PasskeyView, PasskeysResponse, RegisterFinishRequest, RenameRequest,
};
use crate::service::{
    passkeys_enroll as enroll, passkeys_flows as flows, passkeys_login as login, PhoneCredentials,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use qrlogin_core::api::{LoginResponse, Problem};

/// Routes of passkeys (phone role).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/passkeys", get(list))
        .route("/api/v1/auth/passkeys/{id}", delete(remove).patch(rename))
        .route("/api/v1/auth/passkeys/register/start", post(register_start))
        .route(
            "/api/v1/auth/passkeys/register/finish",
            post(register_finish),
        )
        .route("/api/v1/auth/passkeys/login/start", post(login_start))
        .route("/api/v1/auth/passkeys/login/finish", post(login_finish))
        .route("/api/v1/auth/passkeys/enroll/start", post(enroll_start))
        .route("/api/v1/auth/passkeys/enroll/finish", post(enroll_finish))
}

/// Starts registering a passkey for the signed-in account.
#[utoipa::path(post, path = "/api/v1/auth/passkeys/register/start", tag = "passkeys",
    security(("mobile_token" = [])),
    responses((status = 200, body = ChallengeResponse), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn register_start(
    State(state): State<AppState>,
    creds: PhoneCredentials,
) -> ApiResult<Json<ChallengeResponse>> {
    Ok(Json(flows::register_start(&state, &creds).await?))
}

/// Finishes registering: the browser's credential checked and stored.
#[utoipa::path(post, path = "/api/v1/auth/passkeys/register/finish", tag = "passkeys",
    request_body = RegisterFinishRequest, security(("mobile_token" = [])),
    responses((status = 201, body = PasskeyView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 409, body = Problem)))]
pub async fn register_finish(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    client: ClientInfo,
    JsonBody(req): JsonBody<RegisterFinishRequest>,
) -> ApiResult<(StatusCode, Json<PasskeyView>)> {
    let view = flows::register_finish(&state, &creds, req, &client.0).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The account's passkeys, oldest first.
#[utoipa::path(get, path = "/api/v1/auth/passkeys", tag = "passkeys", security(("mobile_token" = [])),
    responses((status = 200, body = PasskeysResponse), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    creds: PhoneCredentials,
) -> ApiResult<Json<PasskeysResponse>> {
    Ok(Json(flows::list(&state, &creds).await?))
}

/// Renames one of the account's passkeys.
#[utoipa::path(patch, path = "/api/v1/auth/passkeys/{id}", tag = "passkeys", params(("id" = String, Path)),
    request_body = RenameRequest, security(("mobile_token" = [])),
    responses((status = 200, body = PasskeyView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn rename(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RenameRequest>,
) -> ApiResult<Json<PasskeyView>> {
    Ok(Json(flows::rename(&state, &creds, &id, req.name).await?))
}

/// Removes one of the account's passkeys; it cannot sign in any more.
#[utoipa::path(delete, path = "/api/v1/auth/passkeys/{id}", tag = "passkeys", params(("id" = String, Path)),
    security(("mobile_token" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    creds: PhoneCredentials,
    client: ClientInfo,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    flows::remove(&state, &creds, &id, &client.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a discoverable sign-in (no username).
#[utoipa::path(post, path = "/api/v1/auth/passkeys/login/start", tag = "passkeys",
    responses((status = 200, body = ChallengeResponse), (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn login_start(
    State(state): State<AppState>,
    client: ClientInfo,
) -> ApiResult<Json<ChallengeResponse>> {
    Ok(Json(login::login_start(&state, &client.0).await?))
}

/// Finishes a sign-in: a phone token bound to the device, as the password login.
#[utoipa::path(post, path = "/api/v1/auth/passkeys/login/finish", tag = "passkeys",
    request_body = LoginFinishRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = Problem), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login_finish(
    State(state): State<AppState>,
    client: ClientInfo,
    JsonBody(req): JsonBody<LoginFinishRequest>,
) -> ApiResult<Json<LoginResponse>> {
    Ok(Json(login::login_finish(&state, req, &client.0).await?))
}

/// Starts enrolling a first passkey with a one-use link's secret.
#[utoipa::path(post, path = "/api/v1/auth/passkeys/enroll/start", tag = "passkeys",
    request_body = EnrollStartRequest,
    responses((status = 200, body = EnrollStartResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn enroll_start(
    State(state): State<AppState>,
    client: ClientInfo,
    JsonBody(req): JsonBody<EnrollStartRequest>,
) -> ApiResult<Json<EnrollStartResponse>> {
    Ok(Json(enroll::enroll_start(&state, req, &client.0).await?))
}

/// Finishes enrolling: the passkey stored and the link used up.
#[utoipa::path(post, path = "/api/v1/auth/passkeys/enroll/finish", tag = "passkeys",
    request_body = EnrollFinishRequest,
    responses((status = 201, body = PasskeyView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn enroll_finish(
    State(state): State<AppState>,
    client: ClientInfo,
    JsonBody(req): JsonBody<EnrollFinishRequest>,
) -> ApiResult<(StatusCode, Json<PasskeyView>)> {
    let view = enroll::enroll_finish(&state, req, &client.0).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
