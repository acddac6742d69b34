//! The PC's side of a QR login: create a session, read its status (at once or held
//! until it changes), check it may still be shown, cancel it, redeem it for a PC
//! session, and watch it for the push transports. Every state change goes through
//! [`apply`]: one guarded store step planned by the pure core, with a compare-and-set
//! loop over the core's state machine behind it.

use super::accounts::account_view;
pub use super::transition::apply;
use super::wait::Watcher;
use super::{auth, Error, RequestContext, Result};
use crate::limits::rate::{hit, ip_key};
use crate::state::AppState;
use qrlogin_core::api::{AccountView, CreateQrResponse, RedeemResponse, Status};
use qrlogin_core::time::{rfc3339, secs_until};
use qrlogin_core::{
    validate_device, AccountId, Command, DeviceInfo, DeviceRule, ErrorCode, QrId, QrSession,
    QrState, Requester, Secret, SecretKind, SessionId,
};
use qrlogin_db::WebSession;
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

/// Longest long poll, in seconds (API.md: `wait` 0..=60).
pub const MAX_WAIT: u64 = 60;

/// Creates a QR session for the calling PC and hands out its poll token (the only time
/// the token exists in clear). Counted per address first: past the limit, 429.
pub async fn create(
    state: &AppState,
    device: Option<DeviceInfo>,
    ctx: RequestContext,
) -> Result<CreateQrResponse> {
    create_made_for(state, device, None, ctx).await
}

/// [`create`], recording on the session the OAuth client it is made for (`None`: a
/// plain login). Whoever names a client stores its OAuth request under the `qr_id`
/// right after; a session that records none is never looked up for one (scan, redeem).
pub async fn create_made_for(
    state: &AppState,
    device: Option<DeviceInfo>,
    client_id: Option<&str>,
    ctx: RequestContext,
) -> Result<CreateQrResponse> {
    let device = device
        .map(|d| validate_device(d, DeviceRule::Optional))
        .transpose()?;
    let limits = &state.config.limits;
    let key = format!("qr:ip:{}", ip_key(&ctx.ip));
    let minute = Duration::from_secs(60);
    hit(
        state.counters.as_ref(),
        &key,
        limits.qr_per_ip_per_minute,
        minute,
        "QR codes",
    )
    .await?;
    let now = state.now();
    let l = &state.config.lifetimes;
    let poll = Secret::generate(SecretKind::Poll);
    let requester = Requester {
        device,
        ip: ctx.ip,
        user_agent: ctx.user_agent,
    };
    let session =
        QrSession::new(QrId::generate(), poll.hash(), requester, now, l).for_client(client_id);
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

/// [`create`], for the `client_id` the PC names, if any (a registered client, else 400
/// `invalid_request`, nothing made): its redeem answer then carries an ID token.
pub async fn create_for(
    state: &AppState,
    device: Option<DeviceInfo>,
    client_id: Option<String>,
    ctx: RequestContext,
) -> Result<CreateQrResponse> {
    let Some(client_id) = client_id else {
        return create(state, device, ctx).await;
    };
    super::oauth::qr_client::check(state, &client_id).await?;
    let created = create_made_for(state, device, Some(&client_id), ctx).await?;
    let id = QrId::parse(&created.qr_id).map_err(Error::internal)?;
    let l = &state.config.lifetimes;
    let until = state.now() + l.qr_ms + l.confirm_ms + l.grace_ms;
    super::oauth::qr_client::attach(state, &id, &client_id, until).await?;
    Ok(created)
}

/// Exactly the text in the QR image: public URL + `/m/qr/{qr_id}`; no secret.
pub fn qr_content(state: &AppState, id: &QrId) -> String {
    format!("{}/m/qr/{}", state.public_url, id)
}

/// The text to draw as a QR image for session `id`: 404 if there is no such session,
/// 410 once it has expired (the image is public: it holds no secret).
pub async fn image_content(state: &AppState, id: &QrId) -> Result<String> {
    let s = get(state, id).await?.into_at(state.now());
    if s.state == QrState::Expired {
        return Err(Error::new(ErrorCode::QrExpired, "this QR code has expired"));
    }
    Ok(qr_content(state, id))
}

/// The session as stored, or 404.
pub async fn get(state: &AppState, id: &QrId) -> Result<QrSession> {
    state.qr.get(id).await?.ok_or_else(Error::qr_not_found)
}

/// The status for the holder of `token`: at once, or, with `wait` seconds (0..=60) and
/// `since` equal to the current version of a live session, held until the version moves,
/// the session expires, `wait` passes or the server shuts down.
// A plain fn returning an async block, not an `async fn`: an async fn keeps its
// arguments twice in its state (as arguments and as locals), and this state is held for
// the whole wait of every long poll.
#[allow(clippy::manual_async_fn)]
pub fn status(
    state: AppState,
    id: QrId,
    token: Option<String>,
    wait: u64,
    since: Option<u64>,
    ip: Option<IpAddr>,
) -> impl Future<Output = Result<Status>> + Send {
    async move {
        if wait > MAX_WAIT {
            return Err(Error::bad_request(format!("wait must be 0..={MAX_WAIT}")));
        }
        let s = auth::poll_token(&state, &id, token.as_deref())
            .await?
            .into_at(state.now());
        let hold = wait > 0 && since == Some(s.version) && !s.state.is_terminal();
        let s = if hold {
            // A held request may wait a minute, tens of thousands at once: free what
            // the wait does not need (the token, this read) before it starts.
            let since = s.version;
            drop((token, s));
            let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
            let mut w = Watcher::new(&state, &id, ip).await?;
            w.until_changed(since, deadline).await?
        } else {
            s
        };
        Ok(s.status(state.now()))
    }
}

/// The PC gives up: `pending`/`scanned` → `cancelled`.
pub async fn cancel(state: &AppState, id: &QrId, token: Option<&str>) -> Result<Status> {
    let s = auth::poll_token(state, id, token).await?;
    let next = apply(state, id, &Command::PcCancel, Some(s)).await?;
    metrics::counter!("qrlogin_logins_total", "outcome" => "cancelled_by_pc").increment(1);
    Ok(next.status(state.now()))
}

/// Redeems a confirmed session for a PC session, exactly once. The PC session is written
/// first and only handed out if this redeem wins the compare-and-set; a loser's session
/// is revoked at once and its token never leaves.
pub async fn redeem(state: &AppState, id: &QrId, token: Option<&str>) -> Result<RedeemResponse> {
    let s = auth::poll_token(state, id, token).await?;
    let now = state.now();
    let l = state.config.lifetimes;
    // Decide before creating anything, so a refused redeem leaves no trace.
    s.apply(&Command::Redeem, now, &l)?;
    let scanner = s
        .scanner
        .clone()
        .ok_or_else(|| Error::internal("confirmed session without scanner"))?;
    let gone = || {
        Error::new(
            ErrorCode::InvalidState,
            "the confirming account no longer exists or is disabled",
        )
    };
    let account_id = AccountId::parse(&scanner.account_id).map_err(|_| gone())?;
    // A login for a client signs the account's current profile into its ID token, so
    // it reads the account. A plain login does not: it answers the profile the session
    // holds (the scanner's, as the PC has shown it since the scan), and the PC-session
    // insert below checks that the account still exists and is enabled; one trip.
    let account = if s.client.may_have_request() {
        let found = state.db.account_by_id(&account_id).await?;
        Some(found.filter(|a| !a.disabled).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidState,
                "the confirming account no longer exists",
            )
        })?)
    } else {
        None
    };
    let token = Secret::generate(SecretKind::Session);
    let hash = token.hash();
    let session = WebSession {
        id: SessionId::generate(),
        account_id: account_id.clone(),
        created_at: now,
        expires_at: now + l.web_session_ms,
        device: s.requester.device.clone(),
        ip: s.requester.ip.clone(),
    };
    // Signed before anything is written, so a failure leaves nothing behind.
    let id_token = match &account {
        Some(a) => {
            let sid = session.id.as_str();
            super::oauth::qr_client::id_token(state, id, &s.client, a, sid).await?
        }
        None => None,
    };
    if !state.db.put_web_session(&hash, &session).await? {
        return Err(gone());
    }
    if let Err(e) = apply(state, id, &Command::Redeem, Some(s)).await {
        if let Err(revoke) = state.db.revoke_web_session_token(&hash).await {
            tracing::warn!(error = %revoke, "could not revoke the session of a lost redeem; it expires unused");
        }
        return Err(e);
    }
    metrics::counter!("qrlogin_logins_total", "outcome" => "redeemed").increment(1);
    tracing::info!(qr_id = %id, account = %account_id, session = %session.id, "QR login redeemed");
    let account = match &account {
        Some(a) => account_view(a),
        None => AccountView {
            id: scanner.account_id,
            display_name: scanner.display_name,
            avatar_url: scanner.avatar_url,
        },
    };
    Ok(RedeemResponse {
        session_token: token.expose().to_owned(),
        token_type: "Bearer".into(),
        expires_in: (l.web_session_ms / 1000) as u64,
        account,
        id_token,
    })
}

/// A waiter on session `id` for the holder of poll token `token` at `ip` (WebSocket:
/// the token from a header, or from the first message, checked before the slot).
pub async fn watch(
    state: &AppState,
    id: &QrId,
    token: Option<&str>,
    ip: Option<IpAddr>,
) -> Result<Watcher> {
    auth::poll_token(state, id, token).await?;
    Watcher::new(state, id, ip).await
}

/// [`watch`] for a stream that resumes after version `last` (SSE's `Last-Event-ID`):
/// `last` is the parsed value, or why it could not be read, reported after the token.
pub async fn watch_from(
    state: &AppState,
    id: &QrId,
    token: Option<&str>,
    last: Result<Option<u64>>,
    ip: Option<IpAddr>,
) -> Result<(Watcher, Option<u64>)> {
    auth::poll_token(state, id, token).await?;
    let last = last?;
    Ok((Watcher::new(state, id, ip).await?, last))
}
