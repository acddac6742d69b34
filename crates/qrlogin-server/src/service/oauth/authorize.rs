//! The authorization code flow over a QR login: the page checks the request, creates a
//! QR session carrying it, follows it like the widget, and on `confirmed` (or
//! `cancelled`) hands its poll token to [`finish`], which redeems the QR session (one
//! use, compare-and-set) and answers where to send the browser: the client's
//! `redirect_uri` with a fresh code, or with `error=access_denied`.

use crate::service::qr::{self, apply};
use crate::service::{auth, Error, RequestContext, Result};
use crate::state::AppState;
use qrlogin_core::api::CreateQrResponse;
use qrlogin_core::{AccountId, Command, DeviceInfo, ErrorCode, QrId, QrState, Secret, SecretKind};
use qrlogin_db::OAuthRequest;
use qrlogin_oauth::authorize::{validate, CODE_TTL_MS};
use qrlogin_oauth::redirect::{error_redirect, match_registered, success_redirect};
use qrlogin_oauth::{AuthorizationRequest, AuthorizeError, AuthorizeParams, Client, CodeGrant};
use url::Url;

/// Why an authorization request is refused.
#[derive(Debug)]
pub enum Refusal {
    /// The protocol's answer: an error page, or an error redirect to the client.
    Protocol(AuthorizeError),
    /// The server failed (database, store).
    Service(Error),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Service(e)
    }
}

impl From<qrlogin_db::DbError> for Refusal {
    fn from(e: qrlogin_db::DbError) -> Self {
        Refusal::Service(e.into())
    }
}

/// Checks an authorization request; the client it names, and the request, when valid.
pub async fn check(
    state: &AppState,
    params: &AuthorizeParams,
) -> std::result::Result<(Client, AuthorizationRequest), Refusal> {
    let client = match params.client_id.as_deref() {
        Some(id) if qrlogin_oauth::client::is_valid_client_id(id) => state.db.client(id).await?,
        _ => None,
    };
    let request = validate(params, client.as_ref()).map_err(Refusal::Protocol)?;
    let client = client.ok_or_else(|| Error::internal("validated without a client"))?;
    Ok((client, request))
}

/// Starts the QR login of an authorization request: a new QR session (the page shows
/// it and follows it with its poll token) carrying the request.
pub async fn start(
    state: &AppState,
    params: &AuthorizeParams,
    ctx: RequestContext,
) -> std::result::Result<CreateQrResponse, Refusal> {
    let (client, request) = check(state, params).await?;
    let device = DeviceInfo {
        id: None,
        kind: Some("web".into()),
        name: Some(client.name.clone()),
    };
    let created = qr::create_made_for(state, Some(device), Some(&client.id), ctx).await?;
    let l = &state.config.lifetimes;
    let row = OAuthRequest {
        qr_id: created.qr_id.clone(),
        client_id: client.id.clone(),
        redirect_uri: params.redirect_uri.clone(),
        scope: request.scopes.to_string(),
        state: request.state.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request
            .code_challenge
            .as_ref()
            .map(|c| c.as_str().to_owned()),
        device_code_hash: None,
        user_code_hash: None,
        pace: Default::default(),
        expires_at: state.now() + l.qr_ms + l.confirm_ms + l.grace_ms,
    };
    state.db.put_oauth_request(&row).await?;
    Ok(created)
}

/// Where the browser goes once the QR session of `raw_id` has ended, for the holder of
/// its poll token: `confirmed` is redeemed (exactly once) for a code; `cancelled` or
/// `expired` is `access_denied`. Still `pending`/`scanned`: 409 `invalid_state`.
pub async fn finish(state: &AppState, raw_id: &str, poll_token: Option<&str>) -> Result<Url> {
    let id = QrId::parse(raw_id).map_err(|_| Error::bad_request("malformed qr_id"))?;
    let session = auth::poll_token(state, &id, poll_token).await?;
    let now = state.now();
    let req = state
        .db
        .oauth_request(id.as_str(), now)
        .await?
        .ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                "this QR session carries no OAuth request",
            )
        })?;
    let client = state
        .db
        .client(&req.client_id)
        .await?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "the client was removed"))?;
    let raw_redirect = req.redirect_uri.as_deref().unwrap_or_default();
    let redirect = match_registered(&client.redirect_uris, raw_redirect, client.is_public())
        .map_err(|_| {
            Error::new(
                ErrorCode::NotFound,
                "the redirect URI is no longer registered",
            )
        })?;
    let iss = &*state.public_url;
    let current = session.at(now);
    match current.state {
        QrState::Cancelled | QrState::Expired => {
            let why = if current.state == QrState::Expired {
                "the QR login expired"
            } else {
                "the user declined the login"
            };
            return Ok(error_redirect(
                &redirect,
                qrlogin_oauth::ErrorCode::AccessDenied,
                Some(why),
                req.state.as_deref(),
                iss,
            ));
        }
        _ => {}
    }
    // Decide before writing anything, so a refused finish leaves no code behind.
    session.apply(&Command::Redeem, now, &state.config.lifetimes)?;
    let scanner = session
        .scanner
        .clone()
        .ok_or_else(|| Error::internal("confirmed session without scanner"))?;
    let account = AccountId::parse(&scanner.account_id).map_err(Error::internal)?;
    let code = Secret::generate(SecretKind::AuthCode);
    let grant = CodeGrant {
        client_id: client.id.clone(),
        redirect_uri: raw_redirect.to_owned(),
        scope: req.scope.clone(),
        nonce: req.nonce.clone(),
        code_challenge: req.code_challenge.clone(),
        account_id: account.as_str().to_owned(),
        session_id: qrlogin_core::SessionId::generate().into_string(),
        auth_time: now,
        expires_at: now + CODE_TTL_MS,
    };
    if !state.db.put_code(&code.hash(), &grant).await? {
        return Err(Error::new(
            ErrorCode::InvalidState,
            "the confirming account no longer exists or is disabled",
        ));
    }
    if let Err(e) = apply(state, &id, &Command::Redeem, Some(session)).await {
        state.db.take_code(&code.hash()).await?;
        return Err(e);
    }
    metrics::counter!("qrlogin_logins_total", "outcome" => "oauth_code").increment(1);
    Ok(success_redirect(
        &redirect,
        code.expose(),
        req.state.as_deref(),
        iss,
    ))
}
