//! The passkey ceremonies of a phone: register one (signed in), list, rename and
//! remove its account's, and sign in with one (discoverable: no username) for a
//! device-bound token, the same answer as the password login.

use super::accounts::account_view;
use super::passkeys::{
    passkey_name, refused, stash, take, user_handle, webauthn, Challenge, ChallengeResponse,
    LoginFinishRequest, PasskeyView, PasskeysResponse, Purpose, RegisterFinishRequest,
};
use super::{auth, Error, PhoneCredentials, RequestContext, Result};
use crate::state::AppState;
use qrlogin_core::api::LoginResponse;
use qrlogin_core::{
    validate_device, AccountId, DeviceInfo, DeviceRule, ErrorCode, EventId, Millis, RandomId,
    Secret, SecretKind,
};
use qrlogin_db::{Account, ActivityEvent, ActivityKind, MobileToken, PasskeyRecord};
use serde_json::Value;
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, DiscoverableKey, Passkey,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, WebauthnError,
};

/// Creation options as the browser gets them: a resident (discoverable) credential is
/// required, so that the phone can later sign in without a username.
pub(super) fn creation_options(ccr: &CreationChallengeResponse) -> Result<Value> {
    let mut v = serde_json::to_value(ccr).map_err(Error::internal)?;
    if let Some(pk) = v.get_mut("publicKey").and_then(Value::as_object_mut) {
        let sel = pk
            .entry("authenticatorSelection")
            .or_insert_with(|| serde_json::json!({}));
        if let Some(sel) = sel.as_object_mut() {
            sel.insert("residentKey".into(), "required".into());
            sel.insert("requireResidentKey".into(), true.into());
        }
    }
    Ok(v)
}

/// Starts registering a passkey for an account: the options and the stashed state.
pub(super) async fn start_registration(
    state: &AppState,
    account: &Account,
    purpose: Purpose,
    enrollment: Option<String>,
) -> Result<ChallengeResponse> {
    let rp = webauthn(state)?;
    let exclude = state
        .db
        .passkeys_of(&account.id)
        .await?
        .iter()
        .map(|p| p.credential_id.clone().into())
        .collect::<Vec<_>>();
    let (ccr, reg) = rp
        .start_passkey_registration(
            user_handle(&account.id),
            account.username.as_str(),
            &account.display_name,
            Some(exclude),
        )
        .map_err(Error::internal)?;
    let options = creation_options(&ccr)?;
    let challenge = Challenge {
        purpose,
        account: Some(account.id.clone()),
        enrollment,
        expires_at: 0,
        state: serde_json::to_value(&reg).map_err(Error::internal)?,
    };
    let challenge_id = stash(state, challenge).await?;
    Ok(ChallengeResponse {
        challenge_id,
        options,
    })
}

/// Checks a registration response against its stashed state: the new passkey's
/// record (not yet stored), or 401 for a wrong origin, rp id, challenge or signature.
pub(super) fn finish_registration(
    state: &AppState,
    challenge: Challenge,
    credential: Value,
    name: String,
) -> Result<PasskeyRecord> {
    let rp = webauthn(state)?;
    let account = challenge.account.ok_or_else(|| refused("no account"))?;
    let reg: PasskeyRegistration =
        serde_json::from_value(challenge.state).map_err(Error::internal)?;
    let credential: RegisterPublicKeyCredential = serde_json::from_value(credential)
        .map_err(|e| Error::bad_request(format!("credential: {e}")))?;
    let passkey = rp
        .finish_passkey_registration(&credential, &reg)
        .map_err(refused)?;
    Ok(PasskeyRecord {
        id: RandomId::generate(qrlogin_db::PASSKEY_ID_PREFIX),
        account_id: account,
        name,
        credential_id: passkey.cred_id().as_ref().to_vec(),
        passkey: serde_json::to_string(&passkey).map_err(Error::internal)?,
        counter: 0,
        created_at: state.now(),
        last_used_at: None,
    })
}

/// `POST /api/v1/auth/passkeys/register/start` (phone auth).
pub async fn register_start(
    state: &AppState,
    creds: &PhoneCredentials,
) -> Result<ChallengeResponse> {
    let phone = auth::phone(state, creds).await?;
    start_registration(state, &phone.account, Purpose::Register, None).await
}

/// `POST /api/v1/auth/passkeys/register/finish` (phone auth): the passkey, stored.
pub async fn register_finish(
    state: &AppState,
    creds: &PhoneCredentials,
    req: RegisterFinishRequest,
    ctx: &RequestContext,
) -> Result<PasskeyView> {
    let phone = auth::phone(state, creds).await?;
    let name = passkey_name(req.name)?;
    let challenge = take(state, &req.challenge_id, Purpose::Register).await?;
    if challenge.account.as_ref() != Some(&phone.account.id) {
        return Err(refused("a challenge of another account"));
    }
    let record = finish_registration(state, challenge, req.credential, name)?;
    if !state.db.add_passkey(&record).await? {
        return Err(Error::new(
            ErrorCode::InvalidState,
            "this passkey is registered already",
        ));
    }
    let device = Some(phone.token.device.clone());
    event(
        state,
        &record.account_id,
        ActivityKind::PasskeyAdded,
        ctx,
        device,
        None,
    )
    .await;
    Ok(PasskeyView::from(&record))
}

/// `GET /api/v1/auth/passkeys` (phone auth).
pub async fn list(state: &AppState, creds: &PhoneCredentials) -> Result<PasskeysResponse> {
    let phone = auth::phone(state, creds).await?;
    let all = state.db.passkeys_of(&phone.account.id).await?;
    Ok(PasskeysResponse {
        passkeys: all.iter().map(PasskeyView::from).collect(),
    })
}

/// A passkey id from a path; anything malformed is simply not found.
fn passkey_id(id: &str) -> Result<RandomId> {
    RandomId::parse(id).map_err(|_| not_found())
}

fn not_found() -> Error {
    Error::new(ErrorCode::NotFound, "no such passkey")
}

/// `PATCH /api/v1/auth/passkeys/{id}` (phone auth): renames one of the account's.
pub async fn rename(
    state: &AppState,
    creds: &PhoneCredentials,
    id: &str,
    name: String,
) -> Result<PasskeyView> {
    let phone = auth::phone(state, creds).await?;
    let name = passkey_name(Some(name))?;
    let id = passkey_id(id)?;
    if !state
        .db
        .rename_passkey(&phone.account.id, &id, &name)
        .await?
    {
        return Err(not_found());
    }
    let all = state.db.passkeys_of(&phone.account.id).await?;
    let p = all.iter().find(|p| p.id == id).ok_or_else(not_found)?;
    Ok(PasskeyView::from(p))
}

/// `DELETE /api/v1/auth/passkeys/{id}` (phone auth): another account's or an unknown
/// id is 404 alike.
pub async fn remove(
    state: &AppState,
    creds: &PhoneCredentials,
    id: &str,
    ctx: &RequestContext,
) -> Result<()> {
    let phone = auth::phone(state, creds).await?;
    let id = passkey_id(id)?;
    if !state.db.remove_passkey(&phone.account.id, &id).await? {
        return Err(not_found());
    }
    let device = Some(phone.token.device.clone());
    event(
        state,
        &phone.account.id,
        ActivityKind::PasskeyRemoved,
        ctx,
        device,
        None,
    )
    .await;
    Ok(())
}

/// `POST /api/v1/auth/passkeys/login/start` (no auth): discoverable, so no username.
pub async fn login_start(state: &AppState) -> Result<ChallengeResponse> {
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

/// Appends an activity event; a failure is logged, never the user's problem (the
/// action it records has happened).
pub(super) async fn event(
    state: &AppState,
    account: &AccountId,
    kind: ActivityKind,
    ctx: &RequestContext,
    device: Option<DeviceInfo>,
    method: Option<&str>,
) {
    let e = ActivityEvent {
        id: EventId::generate(),
        account_id: account.clone(),
        at: state.now(),
        kind,
        ip: Some(ctx.ip.clone()).filter(|ip| !ip.is_empty()),
        device,
        client: None,
        method: method.map(str::to_owned),
    };
    if let Err(err) = state.db.append_event(&e).await {
        tracing::warn!(error = %err, kind = %kind, "activity event not recorded");
    }
}
