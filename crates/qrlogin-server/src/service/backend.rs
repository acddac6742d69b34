//! A trusted backend approving a QR login for one of its own users: a confidential
//! client's `client_credentials` access token with scope `qr:approve`, acting for a
//! subject of its own namespace (`client:<id>`), through the very scan/confirm/decline
//! of a phone ([`phone::scan_as`], [`phone::decide_as`]): same state machine, tickets
//! and races. A client cannot reach another's subjects: the namespace is its id.

use super::linked::{self, client_namespace};
use super::phone::{self, Actor};
use super::{qr, Error, RequestContext, Result};
use crate::state::AppState;
use qrlogin_core::api::{ScanResponse, TransitionResponse};
use qrlogin_core::{
    validate_device, Command, DeviceInfo, DeviceRule, ErrorCode, QrId, Scanner, Secret, SecretKind,
};
use qrlogin_db::{Account, ActivityKind, ClientRef};
use qrlogin_oauth::scope::QR_APPROVE;
use qrlogin_oauth::{Client, Scopes};
use serde::Deserialize;

/// Longest subject a backend may name.
const MAX_SUBJECT_LEN: usize = 255;

/// What a backend says about its user when it scans.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BackendScan {
    /// The user's id in the backend's own system.
    pub subject: Option<String>,
    /// The name shown on the PC.
    pub display_name: Option<String>,
    /// The avatar shown on the PC.
    pub avatar_url: Option<String>,
    /// The user's device, for the activity log.
    pub device: Option<DeviceInfo>,
}

/// A backend's confirm or cancel.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BackendDecision {
    /// The user's id in the backend's own system.
    pub subject: Option<String>,
    /// The ticket of the backend's scan.
    pub scan_ticket: Option<String>,
}

/// The authenticated backend: its client, from a live `qr:approve` access token.
async fn backend(state: &AppState, token: Option<&str>) -> Result<Client> {
    let token = token.ok_or_else(Error::unauthorized)?;
    let hash = Secret::parse_hash(SecretKind::Access, token).map_err(|_| Error::unauthorized())?;
    let record = state
        .db
        .access_token(&hash, state.now())
        .await?
        .ok_or_else(Error::unauthorized)?;
    let forbidden = || {
        Error::new(
            ErrorCode::Forbidden,
            "this token is not a backend's token with scope qr:approve",
        )
    };
    let scopes = Scopes::parse(&record.scope).map_err(|_| forbidden())?;
    if record.account_id.is_some() || !scopes.contains(QR_APPROVE) {
        return Err(forbidden());
    }
    state
        .db
        .client(&record.client_id)
        .await?
        .ok_or_else(Error::unauthorized)
}

fn subject(s: Option<&str>) -> Result<&str> {
    s.map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= MAX_SUBJECT_LEN)
        .ok_or_else(|| Error::bad_request("subject is required (1 to 255 characters)"))
}

fn client_ref(client: &Client) -> ClientRef {
    ClientRef {
        id: client.id.clone(),
        name: client.name.clone(),
    }
}

/// The device id a backend's tickets are bound to: the backend itself.
fn actor(client: &Client, account: Account) -> Actor {
    Actor {
        account,
        device_id: client_namespace(&client.id),
    }
}

/// Scans QR session `raw_id` for the backend's user `req.subject`, making the linked
/// account on first use. A refused scan makes no account.
pub async fn scan(
    state: &AppState,
    token: Option<&str>,
    raw_id: &str,
    req: BackendScan,
    ctx: &RequestContext,
) -> Result<ScanResponse> {
    let client = backend(state, token).await?;
    let id = QrId::parse(raw_id).map_err(|_| Error::bad_request("malformed qr_id"))?;
    let sub = subject(req.subject.as_deref())?;
    let device = req
        .device
        .map(|d| validate_device(d, DeviceRule::Optional))
        .transpose()?;
    let session = qr::get(state, &id).await?;
    let ns = client_namespace(&client.id);
    let name = linked::display_name(req.display_name.as_deref(), sub);
    let avatar = linked::avatar_url(req.avatar_url.as_deref());
    let account = match state.db.account_by_link(&ns, sub).await? {
        Some(a) => {
            if a.display_name != name || a.avatar_url != avatar {
                let now = state.now();
                state
                    .db
                    .update_profile(&a.id, &name, avatar.as_deref(), now)
                    .await?;
            }
            let fresh = state.db.account_by_id(&a.id).await?;
            fresh.unwrap_or(a)
        }
        None => {
            // Decide first with a stand-in scanner (a new account cannot have scanned
            // before), so a refused scan leaves no account behind.
            let probe = Scanner {
                account_id: qrlogin_core::AccountId::generate().as_str().to_owned(),
                device_id: ns.clone(),
                display_name: name.clone(),
                avatar_url: avatar.clone(),
                ticket_hash: Secret::generate(SecretKind::ScanTicket).hash(),
            };
            session.apply(&Command::Scan(probe), state.now(), &state.config.lifetimes)?;
            linked::link_or_create(state, &ns, sub, name, avatar).await?
        }
    };
    if account.disabled {
        return Err(Error::new(
            ErrorCode::Forbidden,
            "this user's account is disabled",
        ));
    }
    let actor = actor(&client, account);
    let (answer, _) = phone::scan_as(state, &actor, &id, Some(session), ctx).await?;
    let kind = ActivityKind::QrScanned;
    linked::record(
        state,
        &actor.account,
        kind,
        device,
        Some(client_ref(&client)),
        None,
    )
    .await;
    Ok(answer)
}

/// Confirms (`true`) or cancels (`false`) for the backend's user with the ticket of the
/// backend's scan. A subject the backend never scanned for has no ticket: 403.
pub async fn decide(
    state: &AppState,
    token: Option<&str>,
    raw_id: &str,
    req: BackendDecision,
    confirm: bool,
) -> Result<TransitionResponse> {
    let client = backend(state, token).await?;
    let id = QrId::parse(raw_id).map_err(|_| Error::bad_request("malformed qr_id"))?;
    let sub = subject(req.subject.as_deref())?;
    let session = qr::get(state, &id).await?;
    let ns = client_namespace(&client.id);
    let account = state.db.account_by_link(&ns, sub).await?.ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidScanTicket,
            "no scan ticket of this subject for this QR code",
        )
    })?;
    let actor = actor(&client, account);
    let ticket = req.scan_ticket.as_deref();
    let (answer, _) = phone::decide_as(state, &actor, &id, Some(session), ticket, confirm).await?;
    let kind = if confirm {
        ActivityKind::QrConfirmed
    } else {
        ActivityKind::QrDeclined
    };
    linked::record(
        state,
        &actor.account,
        kind,
        None,
        Some(client_ref(&client)),
        None,
    )
    .await;
    Ok(answer)
}
