//! Passkeys (WebAuthn) for the phone's own sign-in, on webauthn-rs: the relying party,
//! the one-use challenge state kept in the QR store (so any instance finishes what
//! another started), and the API's bodies. The ceremonies are in [`passkeys_flows`]
//! (register, list, rename, remove, sign in) and [`passkeys_enroll`] (the first passkey
//! of a `--no-password` account, from a one-use link).
//!
//! [`passkeys_flows`]: super::passkeys_flows
//! [`passkeys_enroll`]: super::passkeys_enroll

use super::{Error, Result};
use crate::state::AppState;
use qrlogin_core::time::rfc3339;
use qrlogin_core::{AccountId, ErrorCode, Millis, RandomId};
use qrlogin_db::PasskeyRecord;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use webauthn_rs::prelude::{Url, Uuid, Webauthn, WebauthnBuilder};

/// How long a ceremony may take between its start and its finish (API.md: 5 minutes).
pub const CHALLENGE_TTL_MS: Millis = 5 * 60_000;

/// The prefix of a challenge id.
const CHALLENGE_PREFIX: &str = "pkc_";

/// The relying party of `public_url`: the origin is the public URL, the id `rp_id` or
/// the URL's host. A loopback IP (the default public URL of a server started without
/// `--public-url`) is replaced by `localhost`, since an IP is never a valid rp id and
/// browsers treat `http://localhost` as a secure origin. `None` (passkeys off, logged)
/// when no relying party can be made, e.g. a public URL on a non-loopback IP.
pub fn relying_party(public_url: &str, rp_id: Option<&str>) -> Option<Webauthn> {
    let mut origin = match Url::parse(public_url) {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "passkeys are off: the public URL does not parse");
            return None;
        }
    };
    let loopback = match origin.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    if loopback && origin.set_host(Some("localhost")).is_err() {
        return None;
    }
    let host = origin.host_str().unwrap_or_default().to_owned();
    let id = rp_id.unwrap_or(&host).to_owned();
    let built = WebauthnBuilder::new(&id, &origin).and_then(|b| b.rp_name("qrlogin").build());
    match built {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(rp_id = %id, origin = %origin, error = %e,
                "passkeys are off: the rp id must be the public URL's host or a parent domain of it");
            None
        }
    }
}

/// The relying party, or 503 `unavailable` when this server has none.
pub(super) fn webauthn(state: &AppState) -> Result<&Webauthn> {
    state.webauthn.as_deref().ok_or_else(|| {
        Error::new(
            ErrorCode::Unavailable,
            "passkeys need a public URL with a domain name (--public-url, --rp-id)",
        )
    })
}

/// The WebAuthn user handle of an account: derived from its id, so it needs no column
/// and a discoverable sign-in's handle can be checked against the credential's owner.
pub(super) fn user_handle(account: &AccountId) -> Uuid {
    let digest = Sha256::digest(account.as_str().as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(b)
}

/// What a ceremony is for; a challenge of one kind never finishes another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Purpose {
    /// A signed-in phone adds a passkey.
    Register,
    /// A `--no-password` account registers its first passkey from its link.
    Enroll,
    /// A phone signs in.
    Login,
}

/// The state of a ceremony between start and finish, as kept in the QR store.
#[derive(Serialize, Deserialize)]
pub(super) struct Challenge {
    /// What it is for.
    pub purpose: Purpose,
    /// The account registering (none for a sign-in: the credential names it).
    pub account: Option<AccountId>,
    /// The enrollment link's secret hash (hex), for `Enroll`.
    pub enrollment: Option<String>,
    /// Until when it may be finished, by the server's clock.
    pub expires_at: Millis,
    /// webauthn-rs' state (`PasskeyRegistration`, `DiscoverableAuthentication`).
    pub state: serde_json::Value,
}

/// Keeps a ceremony's state for [`CHALLENGE_TTL_MS`]; its id for the client.
pub(super) async fn stash(state: &AppState, mut c: Challenge) -> Result<String> {
    c.expires_at = state.now() + CHALLENGE_TTL_MS;
    let id = RandomId::generate(CHALLENGE_PREFIX).as_str().to_owned();
    let bytes = serde_json::to_vec(&c).map_err(Error::internal)?;
    state
        .qr
        .put_ephemeral(&store_key(&id), &bytes, c.expires_at)
        .await?;
    Ok(id)
}

/// Takes a ceremony's state, once: an unknown, used, expired or other-purpose
/// challenge is 401 `invalid_credentials`.
pub(super) async fn take(state: &AppState, id: &str, purpose: Purpose) -> Result<Challenge> {
    if RandomId::parse(id).is_err() || !id.starts_with(CHALLENGE_PREFIX) {
        return Err(refused("unknown challenge"));
    }
    let bytes = state.qr.take_ephemeral(&store_key(id)).await?;
    let c: Challenge = match bytes.map(|b| serde_json::from_slice(&b)) {
        Some(Ok(c)) => c,
        Some(Err(e)) => return Err(Error::internal(format!("challenge state: {e}"))),
        None => return Err(refused("unknown, used or expired challenge")),
    };
    if c.purpose != purpose || c.expires_at <= state.now() {
        return Err(refused("unknown, used or expired challenge"));
    }
    Ok(c)
}

fn store_key(id: &str) -> String {
    format!("passkey:{id}")
}

/// 401 `invalid_credentials`, the one answer to every refused ceremony; the reason
/// goes to the log only.
pub(super) fn refused(why: impl std::fmt::Display) -> Error {
    tracing::info!(reason = %why, "passkey ceremony refused");
    Error::new(ErrorCode::InvalidCredentials, "passkey not accepted")
}

/// A passkey's name: trimmed, 1–64 characters; missing or blank is "Passkey".
pub(super) fn passkey_name(name: Option<String>) -> Result<String> {
    let name = name.unwrap_or_default().trim().to_owned();
    if name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Error::bad_request(
            "name: at most 64 characters, no control characters",
        ));
    }
    Ok(if name.is_empty() {
        "Passkey".into()
    } else {
        name
    })
}

/// `{ "challenge_id", "options" }`: the start of every ceremony.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChallengeResponse {
    /// What the finish call names.
    pub challenge_id: String,
    /// `{ "publicKey": … }` for `navigator.credentials.create` / `.get` (binary
    /// fields base64url).
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

/// `POST /api/v1/auth/passkeys/register/finish`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RegisterFinishRequest {
    /// From the start call.
    pub challenge_id: String,
    /// The browser's `PublicKeyCredential` as JSON (binary fields base64url).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// What to call it ("iPhone"); "Passkey" if absent.
    pub name: Option<String>,
}

/// A passkey as the phone lists it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasskeyView {
    /// `pk_…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, or null if it never signed in.
    pub last_used_at: Option<String>,
}

impl From<&PasskeyRecord> for PasskeyView {
    fn from(p: &PasskeyRecord) -> Self {
        Self {
            id: p.id.as_str().to_owned(),
            name: p.name.clone(),
            created_at: rfc3339(p.created_at),
            last_used_at: p.last_used_at.map(rfc3339),
        }
    }
}

/// `GET /api/v1/auth/passkeys`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasskeysResponse {
    /// Oldest first.
    pub passkeys: Vec<PasskeyView>,
}

/// `PATCH /api/v1/auth/passkeys/{id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RenameRequest {
    /// The new name.
    pub name: String,
}

/// `POST /api/v1/auth/passkeys/login/finish`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LoginFinishRequest {
    /// From the start call.
    pub challenge_id: String,
    /// The browser's `PublicKeyCredential` (an assertion) as JSON.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// The phone; `id` and `type` are required, as for the password login.
    pub device: qrlogin_core::DeviceInfo,
}

/// `POST /api/v1/auth/passkeys/enroll/start`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EnrollStartRequest {
    /// The secret after `#` in the enrollment link (`qle_…`).
    pub token: String,
}

/// `200` answer of `POST /api/v1/auth/passkeys/enroll/start`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollStartResponse {
    /// What the finish call names.
    pub challenge_id: String,
    /// Creation options, as for `register/start`.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    /// Whose link it is, to greet the user.
    pub account: qrlogin_core::api::AccountView,
}

/// `POST /api/v1/auth/passkeys/enroll/finish`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EnrollFinishRequest {
    /// The link's secret again: the challenge alone does not prove the link.
    pub token: String,
    /// From the start call.
    pub challenge_id: String,
    /// The browser's `PublicKeyCredential` as JSON.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// What to call it; "Passkey" if absent.
    pub name: Option<String>,
}
