//! Signing a phone in with a passkey: discoverable (no username), the credential
//! checked against its stored key and counter, then a device-bound token, the same
//! answer as the password login. A counter that goes back is a clone warning.

use super::accounts::account_view;
use super::passkeys::{
    refused, stash, take, user_handle, webauthn, Challenge, ChallengeResponse, LoginFinishRequest,
    Purpose,
};
use super::passkeys_flows::event;
use super::{Error, RequestContext, Result};
use crate::limits::entry;
use crate::state::AppState;
use qrlogin_core::api::LoginResponse;
use qrlogin_core::{validate_device, DeviceInfo, DeviceRule, Millis, Secret, SecretKind};
use qrlogin_db::{Account, ActivityKind, MobileToken};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PublicKeyCredential, WebauthnError,
};

/// `POST /api/v1/auth/passkeys/login/start` (no auth): discoverable, so no username.
/// Counted against the address's passkey budget, as `login_finish` is: each start
/// stores a challenge.
pub async fn login_start(state: &AppState, ctx: &RequestContext) -> Result<ChallengeResponse> {
    entry::passkey_sign_in(state.counters.as_ref(), &state.config.limits, &ctx.ip).await?;
    let rp = webauthn(state)?;
    let (rcr, auth) = rp
        .start_discoverable_authentication()
        .map_err(Error::internal)?;
    let mut options = serde_json::to_value(&rcr).map_err(Error::internal)?;
    // webauthn-rs asks for conditional mediation (autofill); the phone app asks on a
    // button press instead, so the plain modal request.
    if let Some(o) = options.as_object_mut() {
        o.remove("mediation");
    }
    let challenge = Challenge {
        purpose: Purpose::Login,
        account: None,
        enrollment: None,
        expires_at: 0,
        state: serde_json::to_value(&auth).map_err(Error::internal)?,
    };
    let challenge_id = stash(state, challenge).await?;
    Ok(ChallengeResponse {
        challenge_id,
        options,
    })
}

/// `POST /api/v1/auth/passkeys/login/finish` (no auth): checks the assertion against
/// the stored credential and issues a phone token bound to the device.
pub async fn login_finish(
    state: &AppState,
    req: LoginFinishRequest,
    ctx: &RequestContext,
) -> Result<LoginResponse> {
    entry::passkey_sign_in(state.counters.as_ref(), &state.config.limits, &ctx.ip).await?;
    let device = validate_device(req.device, DeviceRule::IdAndType)?;
    let rp = webauthn(state)?;
    let challenge = take(state, &req.challenge_id, Purpose::Login).await?;
    let auth: DiscoverableAuthentication =
        serde_json::from_value(challenge.state).map_err(Error::internal)?;
    let credential: PublicKeyCredential = serde_json::from_value(req.credential)
        .map_err(|e| Error::bad_request(format!("credential: {e}")))?;
    let (handle, cred_id) = rp
        .identify_discoverable_authentication(&credential)
        .map_err(refused)?;
    let record = state
        .db
        .passkey_by_credential(cred_id)
        .await?
        .ok_or_else(|| refused("unknown credential"))?;
    let account = state
        .db
        .account_by_id(&record.account_id)
        .await?
        .filter(|a| !a.disabled && user_handle(&a.id) == handle)
        .ok_or_else(|| refused("no enabled account for this credential"))?;
    let mut passkey: Passkey = serde_json::from_str(&record.passkey).map_err(Error::internal)?;
    let result = match rp.finish_discoverable_authentication(
        &credential,
        auth,
        &[DiscoverableKey::from(&passkey)],
    ) {
        Ok(r) => r,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            tracing::warn!(account = %account.id, passkey = %record.id,
                "passkey counter did not increase: the credential may have been cloned; sign-in refused");
            let kind = ActivityKind::PasskeyCloneWarning;
            event(state, &account.id, kind, ctx, Some(device), None).await;
            return Err(refused("possibly cloned credential"));
        }
        Err(e) => return Err(refused(e)),
    };
    passkey.update_credential(&result);
    let json = serde_json::to_string(&passkey).map_err(Error::internal)?;
    let now = state.now();
    let counter = i64::from(result.counter());
    if !state
        .db
        .record_passkey_use(&record.id, &json, counter, now)
        .await?
    {
        return Err(refused("passkey removed meanwhile"));
    }
    let answer = issue_phone_token(state, &account, device.clone(), now).await?;
    let kind = ActivityKind::PhoneSignedIn;
    event(state, &account.id, kind, ctx, Some(device), Some("passkey")).await;
    Ok(answer)
}

/// A phone token for `account` bound to `device`: the password login's answer.
async fn issue_phone_token(
    state: &AppState,
    account: &Account,
    device: DeviceInfo,
    now: Millis,
) -> Result<LoginResponse> {
    let l = &state.config.lifetimes;
    let token = Secret::generate(SecretKind::Mobile);
    let record = MobileToken {
        account_id: account.id.clone(),
        device: device.clone(),
        created_at: now,
        expires_at: now + l.mobile_token_ms,
    };
    if !state.db.put_mobile_token(&token.hash(), &record).await? {
        return Err(refused("account disabled or removed meanwhile"));
    }
    metrics::counter!("qrlogin_phone_logins_total", "outcome" => "ok").increment(1);
    tracing::info!(account = %account.id, device = device.id.as_deref().unwrap_or(""), "phone signed in with a passkey");
    Ok(LoginResponse {
        access_token: token.expose().to_owned(),
        token_type: "Bearer".into(),
        expires_in: (l.mobile_token_ms / 1000) as u64,
        account: account_view(account),
        device,
    })
}
