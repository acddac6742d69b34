//! The JSON bodies of HTTP API v1 (API.md). The server serialises them and the client
//! deserialises the same types, so a field renamed on one side breaks the build, not a
//! user. Unknown fields are tolerated on read so that additions stay compatible.

use crate::state::{DeviceInfo, QrState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/qr` body (optional). Any client-supplied `qr_id` is ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CreateQrRequest {
    /// What the PC says it is; shown to the phone before it confirms.
    #[serde(default)]
    pub device: Option<DeviceInfo>,
    /// A registered OAuth client the login is for: the redeem answer then carries an
    /// `id_token` for it (API.md "Bring your own users").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// `201` answer of `POST /api/v1/qr`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateQrResponse {
    /// Public id of the QR session (22 chars).
    pub qr_id: String,
    /// The PC's secret (`qlp_…`): needed for status, push, redeem, cancel.
    pub poll_token: String,
    /// Always `pending`.
    pub state: QrState,
    /// Always 1.
    pub version: u64,
    /// Exactly the text in the QR image: `public_url` + `/m/qr/{qr_id}`.
    pub qr_content: String,
    /// Path of the SVG image.
    pub qr_svg: String,
    /// Path of the PNG image.
    pub qr_png: String,
    /// RFC 3339 UTC expiry.
    pub expires_at: String,
    /// Seconds until expiry.
    pub expires_in: u64,
    /// Suggested seconds between short polls.
    pub poll_interval: u64,
}

/// The public face of an account: all the PC ever learns about the scanner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicProfile {
    /// "Alice".
    pub display_name: String,
    /// Avatar image URL, if any.
    pub avatar_url: Option<String>,
}

/// Status of a QR session as the PC sees it (status, SSE, WebSocket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Status {
    /// Public id.
    pub qr_id: String,
    /// Current state.
    pub state: QrState,
    /// Current version.
    pub version: u64,
    /// Seconds until expiry; 0 in a terminal state.
    pub expires_in: u64,
    /// From `scanned` on: who scanned. `null` before.
    pub scanner: Option<PublicProfile>,
}

/// An account as shown to its own holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    /// Account id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Avatar image URL, if any.
    pub avatar_url: Option<String>,
}

/// `200` answer of `POST /api/v1/qr/{qr_id}/redeem`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RedeemResponse {
    /// The PC's session token (`qlw_…`).
    pub session_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the session lives.
    pub expires_in: u64,
    /// Who is now signed in.
    pub account: AccountView,
    /// With `client_id` at creation: an ID token for that client (`aud`), signed like
    /// the OpenID Provider's, for the product's backend to verify offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// `POST /api/v1/auth/login` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
    /// The phone; `id` and `type` are required.
    pub device: DeviceInfo,
}

/// `200` answer of `POST /api/v1/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// The phone's token (`qlm_…`), bound to this account and device.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the token lives.
    pub expires_in: u64,
    /// The signed-in account.
    pub account: AccountView,
    /// The device the token is bound to.
    pub device: DeviceInfo,
}

/// What the phone is shown about the requesting PC before it confirms.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequesterView {
    /// Device type and name as the PC gave them (no device id).
    pub device: DeviceInfo,
    /// The PC's IP address.
    pub ip: String,
    /// The PC's user agent.
    pub user_agent: Option<String>,
    /// When the QR session was created (RFC 3339).
    pub created_at: String,
    /// Whether the PC and the scanning phone seem to share a network (same public IP,
    /// or the same private subnet): a login request from elsewhere is worth a second
    /// look before confirming. An addition to API.md; absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_network: Option<bool>,
    /// The OAuth client asking, when the QR session is an OpenID Connect or device
    /// login ("Sign in to Shop"). An addition to API.md; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientView>,
}

/// An OAuth client as the phone shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClientView {
    /// The `client_id`.
    pub id: String,
    /// Its registered name.
    pub name: String,
}

/// `200` answer of `POST /api/v1/qr/{qr_id}/scan`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScanResponse {
    /// Public id.
    pub qr_id: String,
    /// Always `scanned`.
    pub state: QrState,
    /// The ticket (`qls_…`) confirm/cancel must present.
    pub scan_ticket: String,
    /// Seconds until the QR session expires.
    pub expires_in: u64,
    /// Who is asking to log in.
    pub requester: RequesterView,
}

/// Body of confirm and cancel on the phone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TicketRequest {
    /// The ticket from the scan; missing is `403 invalid_scan_ticket`.
    #[serde(default)]
    pub scan_ticket: Option<String>,
}

/// `200` answer of confirm and phone cancel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransitionResponse {
    /// Public id.
    pub qr_id: String,
    /// The new state.
    pub state: QrState,
    /// The new version.
    pub version: u64,
}

/// One PC session in the phone's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    /// Session id (not its token).
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// The PC's device as it described itself.
    pub device: Option<DeviceInfo>,
    /// The PC's IP at login.
    pub ip: String,
}

/// `200` answer of `GET /api/v1/sessions`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionsResponse {
    /// Live PC sessions of the account, newest first.
    pub sessions: Vec<SessionView>,
}

/// The session part of `GET /api/v1/me`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeSession {
    /// Session id.
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `200` answer of `GET /api/v1/me`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeResponse {
    /// The signed-in account.
    pub account: AccountView,
    /// This session.
    pub session: MeSession,
}

/// RFC 9457 problem details, the body of every error.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// `urn:qrlogin:error:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short human title.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Human detail of this occurrence.
    #[serde(default)]
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
}

/// A device as an activity entry shows it: what it called itself, never its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityDevice {
    /// `web`, `ios`, `android`, `cli`, …, if the device said.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Its human name, if it gave one.
    pub name: Option<String>,
}

/// The OAuth client an activity entry names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityClient {
    /// The client's id.
    pub id: String,
    /// Its human name when the event happened.
    pub name: String,
}

/// One entry of `GET /api/v1/activity`, so the user sees what signed in as them and
/// from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityView {
    /// Event id (`evt_…`).
    pub id: String,
    /// When it happened, RFC 3339.
    pub at: String,
    /// `phone_signed_in`, `phone_signed_out`, `sign_in_failed`, `qr_scanned`,
    /// `qr_confirmed`, `qr_declined`, `session_revoked`, `password_changed`, …
    pub kind: String,
    /// The IP the request came from, if known.
    pub ip: Option<String>,
    /// The device involved, if any.
    pub device: Option<ActivityDevice>,
    /// The OAuth client involved, if any.
    pub client: Option<ActivityClient>,
    /// How a phone signed in (`password`, `passkey`, …), on `phone_signed_in`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// `200` answer of `GET /api/v1/activity`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActivityResponse {
    /// This account's latest events, newest first.
    pub events: Vec<ActivityView>,
}
