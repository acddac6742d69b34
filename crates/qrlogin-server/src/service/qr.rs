//! QR sessions: create, authorize the PC, and apply commands atomically.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Authorization, ClientInfo};
use crate::state::AppState;
use qrlogin_core::api::CreateQrResponse;
use qrlogin_core::time::{now_ms, rfc3339, secs_until};
use qrlogin_core::{
    Command, DeviceInfo, ErrorCode, QrId, QrSession, Requester, Secret, SecretKind,
};
use qrlogin_store::CasOutcome;

/// How often a transition re-reads after losing a compare-and-set before giving up.
/// Losing means someone else changed the session; re-reading then gives the loser the
/// right error (e.g. `already_redeemed`), so more than a few rounds never happen.
const MAX_CAS_ROUNDS: usize = 16;

/// Limits client-supplied device text so a PC cannot store arbitrary amounts of it.
fn clean_device(d: Option<DeviceInfo>) -> ApiResult<Option<DeviceInfo>> {
    let Some(d) = d else { return Ok(None) };
    for (name, v) in [
        ("device.id", &d.id),
        ("device.type", &d.kind),
        ("device.name", &d.name),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > 128) {
            return Err(ApiError::bad_request(format!(
                "{name} is longer than 128 characters"
            )));
        }
    }
    Ok(Some(d))
}

/// Creates a QR session for the calling PC and hands out its poll token (the only time
/// the token exists in clear).
pub async fn create(
    state: &AppState,
    device: Option<DeviceInfo>,
    client: ClientInfo,
) -> ApiResult<CreateQrResponse> {
    let device = clean_device(device)?;
    let now = now_ms();
    let l = &state.config.lifetimes;
    let poll = Secret::generate(SecretKind::Poll);
    let requester = Requester {
        device,
        ip: client.ip,
        user_agent: client.user_agent,
    };
    let session = QrSession::new(QrId::generate(), poll.hash(), requester, now, l);
    state.qr.create(&session, session.purge_at(l)).await?;
    metrics::counter!("qrlogin_qr_created_total").increment(1);
    let id = session.id.as_str();
    Ok(CreateQrResponse {
        qr_id: id.to_owned(),
        poll_token: poll.expose().to_owned(),
        state: session.state,
        version: session.version,
        qr_content: qr_content(state, &session.id),
        qr_svg: format!("/api/v1/qr/{id}/qr.svg"),
        qr_png: format!("/api/v1/qr/{id}/qr.png"),
        expires_at: rfc3339(session.expires_at),
        expires_in: secs_until(now, session.expires_at),
        poll_interval: 1,
    })
}

/// Exactly the text in the QR image: public URL + `/m/qr/{qr_id}`; no secret.
pub fn qr_content(state: &AppState, id: &QrId) -> String {
    format!("{}/m/qr/{}", state.public_url, id)
}

/// The session as stored, or 404.
pub async fn get(state: &AppState, id: &QrId) -> ApiResult<QrSession> {
    state.qr.get(id).await?.ok_or_else(ApiError::qr_not_found)
}

/// Checks the poll token of the request's `Authorization` against session `id` and
/// returns the stored session. Missing or unknown token: 401; a valid token of another
/// session: 403; no such session (never existed, or forgotten after expiry): 404.
pub async fn authorize_pc(
    state: &AppState,
    id: &QrId,
    auth: &Authorization,
) -> ApiResult<QrSession> {
    authorize_poll_token(state, id, auth.bearer()).await
}

/// [`authorize_pc`] for a token that arrived another way (the WebSocket's first
/// message, for browsers that cannot set headers on a WebSocket).
pub async fn authorize_poll_token(
    state: &AppState,
    id: &QrId,
    token: Option<&str>,
) -> ApiResult<QrSession> {
    let token = token.ok_or_else(ApiError::unauthorized)?;
    let hash = Secret::parse_hash(SecretKind::Poll, token).map_err(|_| ApiError::unauthorized())?;
    let session = state.qr.get(id).await?.ok_or_else(ApiError::qr_not_found)?;
    if session.poll_hash == hash {
        return Ok(session);
    }
    match state.qr.find_by_poll_hash(&hash).await? {
        Some(_) => Err(ApiError::new(
            ErrorCode::Forbidden,
            "this poll token belongs to another QR session",
        )),
        None => Err(ApiError::unauthorized()),
    }
}

/// Applies `cmd` to the session atomically: read, decide in the pure core, write only if
/// nothing changed in between, else decide again on the fresh record. Of concurrent
/// conflicting commands, on any number of instances, exactly one wins.
pub async fn apply(
    state: &AppState,
    id: &QrId,
    cmd: &Command,
    first: Option<QrSession>,
) -> ApiResult<QrSession> {
    let l = &state.config.lifetimes;
    let mut current = first;
    for _ in 0..MAX_CAS_ROUNDS {
        let s = match current.take() {
            Some(s) => s,
            None => get(state, id).await?,
        };
        let next = s.apply(cmd, now_ms(), l)?;
        match state
            .qr
            .compare_and_set(s.rev, &next, next.purge_at(l))
            .await?
        {
            CasOutcome::Written => {
                if next.version != s.version {
                    metrics::counter!("qrlogin_transitions_total", "to" => next.state.as_str())
                        .increment(1);
                }
                return Ok(next);
            }
            CasOutcome::Conflict => continue,
            CasOutcome::Missing => return Err(ApiError::qr_not_found()),
        }
    }
    Err(ApiError::internal("compare-and-set kept conflicting"))
}
