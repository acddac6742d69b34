//! Enrollment: the first passkey of an account made with `--no-password`. The operator
//! prints a one-use link (`qrlogin accounts enroll`), `{public_url}/m/enroll#qle_…`,
//! valid 24 hours; the secret is after `#`, so it never reaches a server or proxy log,
//! and only its hash is stored. The page presents it to `enroll/start` and
//! `enroll/finish`; the link is used in the transaction that stores the passkey.

use super::accounts::account_view;
use super::passkeys::{
    passkey_name, refused, take, EnrollFinishRequest, EnrollStartRequest, EnrollStartResponse,
    PasskeyView, Purpose,
};
use super::passkeys_flows::{event, finish_registration, start_registration};
use super::{RequestContext, Result};
use crate::limits::entry;
use crate::state::AppState;
use qrlogin_core::{AccountId, Millis, Secret, SecretKind, TokenHash, Username};
use qrlogin_db::{Account, ActivityKind, Db};

/// How long an enrollment link may be used (API.md: 24 hours).
pub const ENROLLMENT_TTL_MS: Millis = 24 * 3_600_000;

/// Makes a one-use enrollment link for `account`, stored hashed: the link, with the
/// secret after `#`. `None` if the account is unknown.
pub async fn enrollment_link(
    db: &dyn Db,
    public_url: &str,
    account: &AccountId,
    now: Millis,
) -> anyhow::Result<Option<String>> {
    let secret = Secret::generate(SecretKind::Enrollment);
    let stored = db
        .put_enrollment(&secret.hash(), account, now, now + ENROLLMENT_TTL_MS)
        .await?;
    Ok(stored.then(|| {
        format!(
            "{}/m/enroll#{}",
            public_url.trim_end_matches('/'),
            secret.expose()
        )
    }))
}

/// Adds an account that can sign in with passkeys only (`--no-password`: no password
/// hash, so the password login refuses it like a wrong password); `false` if the
/// username is taken. Its first passkey comes from [`enrollment_link`].
pub async fn create_passwordless_account(
    db: &dyn Db,
    username: &Username,
    display_name: &str,
    avatar_url: Option<&str>,
    now: Millis,
) -> anyhow::Result<Option<AccountId>> {
    let account = Account {
        id: AccountId::generate(),
        username: username.clone(),
        display_name: display_name.to_owned(),
        avatar_url: avatar_url.map(str::to_owned),
        password_hash: None,
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    Ok(db.create_account(&account).await?.then_some(account.id))
}

/// The hash of a presented link secret; a malformed one is refused like a used one.
fn link_hash(token: &str) -> Result<TokenHash> {
    Secret::parse_hash(SecretKind::Enrollment, token.trim())
        .map_err(|_| refused("malformed enrollment secret"))
}

/// `POST /api/v1/auth/passkeys/enroll/start` (no auth; the link's secret): creation
/// options for the link's account. A used, expired or unknown link is 401.
pub async fn enroll_start(
    state: &AppState,
    req: EnrollStartRequest,
    ctx: &RequestContext,
) -> Result<EnrollStartResponse> {
    entry::passkey_enroll(state.counters.as_ref(), &state.config.limits, &ctx.ip).await?;
    let hash = link_hash(&req.token)?;
    let account_id = state
        .db
        .enrollment_account(&hash, state.now())
        .await?
        .ok_or_else(|| refused("unknown, used or expired enrollment link"))?;
    let account = state
        .db
        .account_by_id(&account_id)
        .await?
        .filter(|a| !a.disabled)
        .ok_or_else(|| refused("enrollment link of a disabled or removed account"))?;
    let started = start_registration(state, &account, Purpose::Enroll, Some(hash.to_hex())).await?;
    Ok(EnrollStartResponse {
        challenge_id: started.challenge_id,
        options: started.options,
        account: account_view(&account),
    })
}

/// `POST /api/v1/auth/passkeys/enroll/finish` (no auth; the link's secret): checks the
/// new credential, then uses the link and stores the passkey in one transaction, so a
/// link enrolls once.
pub async fn enroll_finish(
    state: &AppState,
    req: EnrollFinishRequest,
    ctx: &RequestContext,
) -> Result<PasskeyView> {
    entry::passkey_enroll(state.counters.as_ref(), &state.config.limits, &ctx.ip).await?;
    let hash = link_hash(&req.token)?;
    let name = passkey_name(req.name)?;
    let challenge = take(state, &req.challenge_id, Purpose::Enroll).await?;
    if challenge.enrollment.as_deref() != Some(hash.to_hex().as_str()) {
        return Err(refused("a challenge of another enrollment link"));
    }
    let record = finish_registration(state, challenge, req.credential, name)?;
    if !state.db.enroll_passkey(&hash, &record, state.now()).await? {
        return Err(refused("enrollment link used or expired meanwhile"));
    }
    event(
        state,
        &record.account_id,
        ActivityKind::PasskeyAdded,
        ctx,
        None,
        None,
    )
    .await;
    Ok(PasskeyView::from(&record))
}
