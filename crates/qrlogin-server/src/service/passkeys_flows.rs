//! The passkey ceremonies of a signed-in phone: register one, list, rename and remove
//! its account's (signing in with one is in `passkeys_login`).

use super::passkeys::{
    passkey_name, refused, stash, take, user_handle, webauthn, Challenge, ChallengeResponse,
    PasskeyView, PasskeysResponse, Purpose, RegisterFinishRequest,
};
use super::{auth, Error, PhoneCredentials, RequestContext, Result};
use crate::state::AppState;
use qrlogin_core::{AccountId, DeviceInfo, ErrorCode, EventId, RandomId};
use qrlogin_db::{Account, ActivityEvent, ActivityKind, PasskeyRecord};
use serde_json::Value;
use webauthn_rs::prelude::{
    CreationChallengeResponse, PasskeyRegistration, RegisterPublicKeyCredential,
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
    state.activity.write(e).await;
}
