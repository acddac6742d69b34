//! Accounts and passwords: argon2id hashing off the async threads, the demo accounts,
//! the phone's password login that issues a device-bound token, and what a signed-in PC
//! asks about itself (`me`, logout).

use super::activity::{self, Details};
use super::{auth, Error, PhoneCredentials, RequestContext, Result};
use crate::state::AppState;
use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
use argon2::Argon2;
use qrlogin_core::api::{AccountView, LoginRequest, LoginResponse, MeResponse, MeSession};
use qrlogin_core::time::rfc3339;
use qrlogin_core::{
    validate_device, AccountId, DeviceRule, ErrorCode, Millis, Secret, SecretKind, Username,
};
use qrlogin_db::{Account, ActivityKind, Db, MobileToken};

/// Hashes a password with argon2id (default, OWASP-recommended parameters) on the
/// blocking pool: a hash takes tens of milliseconds of CPU and must not stall the
/// async workers that serve everyone else.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

/// Adds an account with a fresh id and an argon2id hash of `password`, created at
/// `now`; `false` if the username is taken (nothing written then).
pub async fn create_account(
    db: &dyn Db,
    username: &Username,
    password: &str,
    display_name: &str,
    now: Millis,
) -> anyhow::Result<bool> {
    let account = Account {
        id: AccountId::generate(),
        username: username.clone(),
        display_name: display_name.to_owned(),
        avatar_url: None,
        password_hash: Some(hash_password(password.to_owned()).await?),
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    Ok(db.create_account(&account).await?)
}

/// Seeds `alice`/`alice-demo` and `bob`/`bob-demo` if they are absent (API.md: `--demo`
/// can be given on every start, and by every instance of a shared database).
pub async fn seed_demo(db: &dyn Db, now: Millis) -> anyhow::Result<()> {
    for (user, pass, name) in [("alice", "alice-demo", "Alice"), ("bob", "bob-demo", "Bob")] {
        let user = Username::parse(user)?;
        if db.account_by_username(&user).await?.is_none() {
            create_account(db, &user, pass, name, now).await?;
        }
    }
    Ok(())
}

/// The public view of an account.
pub fn account_view(a: &Account) -> AccountView {
    AccountView {
        id: a.id.as_str().to_owned(),
        display_name: a.display_name.clone(),
        avatar_url: a.avatar_url.clone(),
    }
}

/// Password login of a phone: same answer and similar time for unknown users and wrong
/// passwords; every attempt counted before its password is checked
/// ([`LoginThrottle`](crate::limits::login::LoginThrottle)), the check itself on the
/// bounded argon2 pool; issues a token bound to the device.
pub async fn login(
    state: &AppState,
    req: LoginRequest,
    ctx: &RequestContext,
) -> Result<LoginResponse> {
    let device = validate_device(req.device, DeviceRule::IdAndType)?;
    if req.username.len() > 128 || req.password.len() > 1024 {
        return Err(Error::new(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    }
    state.login_throttle.admit(&ctx.ip, &req.username).await?;
    // A name outside the username rule cannot exist: it is looked up as nobody, so it
    // costs the same argon2 check and gets the same answer as a wrong password.
    let account = match Username::parse(&req.username) {
        Ok(name) => state.db.account_by_username(&name).await?,
        Err(_) => None,
    };
    // A disabled account, or one without a password (passkeys only), is checked
    // against the dummy hash too, so neither can be told from a wrong password.
    let usable = account.filter(|a| !a.disabled && a.password_hash.is_some());
    let phc = usable.as_ref().and_then(|a| a.password_hash.clone());
    let ok = state
        .passwords
        .verify(
            req.password,
            phc.unwrap_or_else(|| state.dummy_hash.to_string()),
        )
        .await?;
    if let Some(a) = usable.as_ref().filter(|_| !ok) {
        // Written in the background: waiting for it would make a wrong password for a
        // real account slower than one for nobody, and tell the two apart.
        let (state, id, now) = (state.clone(), a.id.clone(), state.now());
        let details = Details::new(&ctx.ip, Some(device.clone()));
        tokio::spawn(async move {
            activity::append(&state, &id, ActivityKind::SignInFailed, details, now).await;
        });
    }
    let Some(account) = usable.filter(|_| ok) else {
        metrics::counter!("qrlogin_phone_logins_total", "outcome" => "failed").increment(1);
        return Err(Error::new(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    };
    state.login_throttle.succeeded(&ctx.ip, &req.username).await;
    let now = state.now();
    let l = &state.config.lifetimes;
    let token = Secret::generate(SecretKind::Mobile);
    let record = MobileToken {
        account_id: account.id.clone(),
        device: device.clone(),
        created_at: now,
        expires_at: now + l.mobile_token_ms,
    };
    if !state.db.put_mobile_token(&token.hash(), &record).await? {
        // Disabled or removed between the check and the write.
        return Err(Error::new(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    }
    metrics::counter!("qrlogin_phone_logins_total", "outcome" => "ok").increment(1);
    let details = Details {
        method: Some("password".into()),
        ..Details::new(&ctx.ip, Some(device.clone()))
    };
    activity::append(
        state,
        &account.id,
        ActivityKind::PhoneSignedIn,
        details,
        now,
    )
    .await;
    tracing::info!(account = %account.id, device = device.id.as_deref().unwrap_or(""), "phone signed in");
    Ok(LoginResponse {
        access_token: token.expose().to_owned(),
        token_type: "Bearer".into(),
        expires_in: (l.mobile_token_ms / 1000) as u64,
        account: account_view(&account),
        device,
    })
}

/// The account and session behind a PC's session token.
pub async fn me(state: &AppState, token: Option<&str>) -> Result<MeResponse> {
    let pc = auth::pc_session(state, token).await?;
    let account = state
        .db
        .account_by_id(&pc.session.account_id)
        .await?
        .ok_or_else(Error::unauthorized)?;
    Ok(MeResponse {
        account: account_view(&account),
        session: MeSession {
            id: pc.session.id.into_string(),
            created_at: rfc3339(pc.session.created_at),
            expires_at: rfc3339(pc.session.expires_at),
        },
    })
}

/// Signs a PC out: revokes the presented session token.
pub async fn logout(state: &AppState, token: Option<&str>) -> Result<()> {
    let pc = auth::pc_session(state, token).await?;
    state.db.revoke_web_session_token(&pc.hash).await?;
    Ok(())
}

/// Signs a phone out: revokes the presented mobile token (after checking it is this
/// device's), and logs `phone_signed_out`.
pub async fn phone_logout(
    state: &AppState,
    creds: &PhoneCredentials,
    ctx: &RequestContext,
) -> Result<()> {
    let phone = auth::phone(state, creds).await?;
    let token = creds.token.as_deref().ok_or_else(Error::unauthorized)?;
    let hash = Secret::parse_hash(SecretKind::Mobile, token).map_err(|_| Error::unauthorized())?;
    if !state.db.revoke_mobile_token(&hash).await? {
        // Revoked by a racing logout or `accounts passwd` in between: it is gone.
        return Err(Error::unauthorized());
    }
    tracing::info!(account = %phone.account.id, device = phone.device_id(), "phone signed out");
    let details = Details::new(&ctx.ip, Some(phone.token.device.clone()));
    activity::append(
        state,
        &phone.account.id,
        ActivityKind::PhoneSignedOut,
        details,
        state.now(),
    )
    .await;
    Ok(())
}
