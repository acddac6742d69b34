//! `POST /oauth2/device_authorization` (RFC 8628), and the phone's typed user code.

use super::{form, no_store};
use crate::error::{ApiError, ApiResult};
use crate::extract::ClientInfo;
use crate::service::oauth::device::{self, DeviceForm};
use crate::service::PhoneCredentials;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};

/// Starts a device login: device code, user code, and the QR content to show.
#[utoipa::path(post, path = "/oauth2/device_authorization", tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", description = "client_id (and secret for confidential clients), scope"),
    responses((status = 200, description = "device_code, user_code, verification_uri, verification_uri_complete, expires_in, interval"),
        (status = 400, description = "RFC 6749 error JSON"), (status = 401, description = "invalid_client"),
        (status = 429, description = "rate_limited (RFC 6749 error JSON), with Retry-After")))]
pub async fn authorize(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = match form::parse(&body) {
        Ok(f) => f,
        Err(e) => return super::oauth_error(e),
    };
    let get = |k: &str| f.get(k).map(String::as_str);
    let req = DeviceForm {
        authorization: headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
        client_id: get("client_id"),
        client_secret: get("client_secret"),
        scope: get("scope"),
    };
    match device::authorize(&state, req, client.0).await {
        Ok(res) => no_store(res),
        Err(e) => super::failure(e),
    }
}

/// Body of `POST /api/v1/device/code`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UserCodeRequest {
    /// The code the device shows, `XXXX-XXXX` (case, spaces and the dash do not matter).
    pub user_code: Option<String>,
}

/// Answer of `POST /api/v1/device/code`: the QR session to open the confirm page of.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserCodeResponse {
    /// The QR session of the device login.
    pub qr_id: String,
}

/// The phone types a device's user code (`/m/device`): the QR session it stands for.
#[utoipa::path(post, path = "/api/v1/device/code", tag = "phone", request_body = UserCodeRequest,
    responses((status = 200, body = UserCodeResponse), (status = 401, description = "unauthorized"), (status = 404, description = "not_found: no live device login with this code"),
        (status = 429, description = "rate_limited: too many codes typed from this address; see Retry-After")),
    security(("mobile_token" = [])))]
pub async fn user_code(
    State(state): State<AppState>,
    client: ClientInfo,
    creds: PhoneCredentials,
    body: Bytes,
) -> ApiResult<Json<UserCodeResponse>> {
    let req: UserCodeRequest = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("body must be {\"user_code\": \"XXXX-XXXX\"}"))?;
    let qr_id =
        device::qr_of_user_code(&state, &creds, req.user_code.as_deref(), &client.0.ip).await?;
    Ok(Json(UserCodeResponse { qr_id }))
}
