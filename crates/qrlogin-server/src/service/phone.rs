//! The phone's side of a QR login: scan a code, confirm or decline it with the scan
//! ticket, and list or revoke the PC sessions of its account. Every call authenticates
//! the phone first ([`auth::phone`]).

use super::activity::{self, Details};
use super::auth;
use super::qr::apply;
use super::{Error, PhoneCredentials, RequestContext, Result};
use crate::state::AppState;
use qrlogin_core::api::{
    RequesterView, ScanResponse, SessionView, SessionsResponse, TransitionResponse,
};
use qrlogin_core::state::TicketProof;
use qrlogin_core::time::{rfc3339, secs_until};
use qrlogin_core::{
    Command, DeviceInfo, ErrorCode, QrId, QrSession, Requester, Scanner, Secret, SecretKind,
    SessionId,
};
use qrlogin_db::{Account, ActivityKind};

/// Logs `kind` for a QR session in the phone's account, with the PC that asked (its
/// device and IP): what the user wants to recognise later.
async fn record_qr(state: &AppState, account: &Account, kind: ActivityKind, pc: &Requester) {
    let details = Details::new(&pc.ip, pc.device.clone());
    activity::append(state, &account.id, kind, details, state.now()).await;
}

/// Scans QR session `raw_id`: `pending` → `scanned`, with a ticket for confirm/decline.
/// `ctx` is the phone's own request, compared with the PC's for "same network". `body`
/// is whether the (ignored) request body was well-formed: reported only after the
/// phone, the id and the session have been checked, as the contract orders errors.
pub async fn scan(
    state: &AppState,
    creds: &PhoneCredentials,
    raw_id: &str,
    ctx: &RequestContext,
    body: Result<()>,
) -> Result<ScanResponse> {
    let (phone, id) = auth::phone_for(state, creds, raw_id).await?;
    if let Err(e) = body {
        return Err(auth::known(state, &id, e).await);
    }
    let actor = Actor {
        account: phone.account.clone(),
        device_id: phone.device_id().to_owned(),
    };
    let (res, pc) = scan_as(state, &actor, &id, None, ctx).await?;
    record_qr(state, &actor.account, ActivityKind::QrScanned, &pc).await;
    Ok(res)
}

/// Who scans, confirms or declines: a signed-in phone, or a trusted backend acting for
/// one of its users. The scan ticket is bound to (account, device id).
pub struct Actor {
    /// The account that approves.
    pub account: Account,
    /// The device the ticket is bound to.
    pub device_id: String,
}

/// [`scan`] once the actor is known (and the session read, if it was); also answers
/// the PC that asked, for the activity entry.
pub async fn scan_as(
    state: &AppState,
    actor: &Actor,
    id: &QrId,
    session: Option<QrSession>,
    ctx: &RequestContext,
) -> Result<(ScanResponse, Requester)> {
    let ticket = Secret::generate(SecretKind::ScanTicket);
    let scanner = Scanner {
        account_id: actor.account.id.as_str().to_owned(),
        device_id: actor.device_id.clone(),
        display_name: actor.account.display_name.clone(),
        avatar_url: actor.account.avatar_url.clone(),
        ticket_hash: ticket.hash(),
    };
    let next = apply(state, id, &Command::Scan(scanner), session).await?;
    let client = super::oauth::clients::of_qr(state, &next).await?;
    let req = &next.requester;
    let device = req.device.clone().unwrap_or_default();
    let res = ScanResponse {
        qr_id: id.to_string(),
        state: next.state,
        scan_ticket: ticket.expose().to_owned(),
        expires_in: secs_until(state.now(), next.expires_at),
        requester: RequesterView {
            device: DeviceInfo {
                id: None,
                kind: device.kind,
                name: device.name,
            },
            ip: req.ip.clone(),
            user_agent: req.user_agent.clone(),
            created_at: rfc3339(next.created_at),
            same_network: qrlogin_core::net::same_network(&req.ip, &ctx.ip),
            client,
        },
    };
    Ok((res, next.requester))
}

/// What the actor proves with a confirm or decline: who it is, and the scan ticket.
fn proof(actor: &Actor, ticket: Option<&str>) -> TicketProof {
    TicketProof {
        account_id: actor.account.id.as_str().to_owned(),
        device_id: actor.device_id.clone(),
        // A malformed ticket is as good as none: 403 invalid_scan_ticket either way.
        ticket_hash: ticket
            .and_then(|t| Secret::parse(SecretKind::ScanTicket, t).ok())
            .map(|s| s.hash()),
    }
}

/// Confirms (`true`) or declines (`false`) the login of QR session `raw_id` with the
/// scan ticket the phone got: `scanned` → `confirmed` or `cancelled`. `ticket` is the
/// ticket of the body, or why the body was unreadable (reported after authentication).
pub async fn decide(
    state: &AppState,
    creds: &PhoneCredentials,
    raw_id: &str,
    ticket: Result<Option<String>>,
    confirm: bool,
) -> Result<TransitionResponse> {
    let (phone, id) = auth::phone_for(state, creds, raw_id).await?;
    let ticket = match ticket {
        Ok(t) => t,
        Err(e) => return Err(auth::known(state, &id, e).await),
    };
    let actor = Actor {
        account: phone.account,
        device_id: phone.token.device.id.clone().unwrap_or_default(),
    };
    let (res, pc) = decide_as(state, &actor, &id, None, ticket.as_deref(), confirm).await?;
    let kind = if confirm {
        ActivityKind::QrConfirmed
    } else {
        ActivityKind::QrDeclined
    };
    record_qr(state, &actor.account, kind, &pc).await;
    Ok(res)
}

/// [`decide`] once the actor is known (and the session read, if it was); also answers
/// the PC that asked, for the activity entry.
pub async fn decide_as(
    state: &AppState,
    actor: &Actor,
    id: &QrId,
    session: Option<QrSession>,
    ticket: Option<&str>,
    confirm: bool,
) -> Result<(TransitionResponse, Requester)> {
    let p = proof(actor, ticket);
    let cmd = if confirm {
        Command::Confirm(p)
    } else {
        Command::PhoneCancel(p)
    };
    let next = apply(state, id, &cmd, session).await?;
    if !confirm {
        metrics::counter!("qrlogin_logins_total", "outcome" => "declined").increment(1);
    }
    let res = TransitionResponse {
        qr_id: id.to_string(),
        state: next.state,
        version: next.version,
    };
    Ok((res, next.requester))
}

/// Confirms the login: `scanned` → `confirmed`.
pub async fn confirm(
    state: &AppState,
    creds: &PhoneCredentials,
    raw_id: &str,
    ticket: Result<Option<String>>,
) -> Result<TransitionResponse> {
    decide(state, creds, raw_id, ticket, true).await
}

/// Declines the login: `scanned` → `cancelled`.
pub async fn decline(
    state: &AppState,
    creds: &PhoneCredentials,
    raw_id: &str,
    ticket: Result<Option<String>>,
) -> Result<TransitionResponse> {
    decide(state, creds, raw_id, ticket, false).await
}

/// The live PC sessions of the phone's account made through QR login (no tokens).
pub async fn sessions(state: &AppState, creds: &PhoneCredentials) -> Result<SessionsResponse> {
    let phone = auth::phone(state, creds).await?;
    let list = state
        .db
        .web_sessions_of(&phone.account.id, state.now())
        .await?;
    let sessions = list
        .into_iter()
        .map(|s| SessionView {
            id: s.id.into_string(),
            created_at: rfc3339(s.created_at),
            expires_at: rfc3339(s.expires_at),
            device: s.device,
            ip: s.ip,
        })
        .collect();
    Ok(SessionsResponse { sessions })
}

/// Revokes one of the account's PC sessions at once; 404 for an id that is not one of
/// this account's sessions (another account's answers the same, so ids cannot be probed).
pub async fn revoke(state: &AppState, creds: &PhoneCredentials, session_id: &str) -> Result<()> {
    let phone = auth::phone(state, creds).await?;
    let not_found = || Error::new(ErrorCode::NotFound, "no such session of this account");
    let id = SessionId::parse(session_id).map_err(|_| not_found())?;
    // Read first, for the log entry: which PC (device, IP) was signed out.
    let now = state.now();
    let revoked = state
        .db
        .web_sessions_of(&phone.account.id, now)
        .await?
        .into_iter()
        .find(|s| s.id == id);
    if state.db.revoke_web_session(&phone.account.id, &id).await? {
        tracing::info!(account = %phone.account.id, session = %id, "PC session revoked from the phone");
        let details = revoked
            .map(|s| Details::new(&s.ip, s.device))
            .unwrap_or_default();
        activity::append(
            state,
            &phone.account.id,
            ActivityKind::SessionRevoked,
            details,
            now,
        )
        .await;
        Ok(())
    } else {
        Err(not_found())
    }
}
