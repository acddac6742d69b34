//! Accounts and passwords: argon2id hashing off the async threads, the demo accounts,
//! the phone's password login that issues a device-bound token, and what a signed-in PC
//! asks about itself (`me`, logout).

use super::{auth, Error, RequestContext, Result};
use crate::state::AppState;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use qrlogin_core::api::{AccountView, LoginRequest, LoginResponse, MeResponse, MeSession};
use qrlogin_core::time::rfc3339;
use qrlogin_core::{validate_device, AccountId, DeviceRule, ErrorCode, Millis, Secret, SecretKind};
use qrlogin_store::{Account, AccountStore, MobileToken};

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

/// Checks a password against a PHC hash on the blocking pool; `false` on any mismatch
/// or unreadable hash.
pub async fn verify_password(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// Adds an account with a fresh id, created at `now`; `false` if the username is taken.
pub async fn create_account(
    store: &dyn AccountStore,
    username: &str,
    password: &str,
    display_name: &str,
    now: Millis,
) -> anyhow::Result<bool> {
    let account = Account {
        id: AccountId::generate().into_string(),
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        avatar_url: None,
        password_hash: hash_password(password.to_owned()).await?,
        created_at: now,
    };
    Ok(store.create_account(&account).await?)
}

/// Seeds `alice`/`alice-demo` and `bob`/`bob-demo` (kept if they exist already, as on a
/// shared Redis that another instance seeded), created at `now`.
pub async fn seed_demo(store: &dyn AccountStore, now: Millis) -> anyhow::Result<()> {
    for (user, pass, name) in [("alice", "alice-demo", "Alice"), ("bob", "bob-demo", "Bob")] {
        if store.account_by_username(user).await?.is_none() {
            create_account(store, user, pass, name, now).await?;
        }
    }
    Ok(())
}

/// The public view of an account.
pub fn account_view(a: &Account) -> AccountView {
    AccountView {
        id: a.id.clone(),
        display_name: a.display_name.clone(),
        avatar_url: a.avatar_url.clone(),
    }
}

/// Password login of a phone: same answer and similar time for unknown users and wrong
/// passwords; throttled per username and IP; issues a token bound to the device.
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
    state
        .login_limiter
        .check(&req.username, &ctx.ip)
        .map_err(|secs| {
            Error::new(
                ErrorCode::RateLimited,
                "too many failed logins; try again later",
            )
            .retry_after(secs)
        })?;
    let account = state.accounts.account_by_username(&req.username).await?;
    let phc = account
        .as_ref()
        .map_or_else(|| state.dummy_hash.to_string(), |a| a.password_hash.clone());
    let ok = verify_password(req.password, phc).await;
    let Some(account) = account.filter(|_| ok) else {
        state.login_limiter.failed(&req.username, &ctx.ip);
        metrics::counter!("qrlogin_phone_logins_total", "outcome" => "failed").increment(1);
        return Err(Error::new(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    };
    state.login_limiter.succeeded(&req.username);
    let now = state.now();
    let l = &state.config.lifetimes;
    let token = Secret::generate(SecretKind::Mobile);
    let record = MobileToken {
        account_id: account.id.clone(),
        device: device.clone(),
        created_at: now,
        expires_at: now + l.mobile_token_ms,
    };
    state
        .accounts
        .put_mobile_token(&token.hash(), &record)
        .await?;
    metrics::counter!("qrlogin_phone_logins_total", "outcome" => "ok").increment(1);
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
        .account_cache
        .get(state.accounts.as_ref(), &pc.session.account_id, state.now())
        .await?
        .ok_or_else(Error::unauthorized)?;
    Ok(MeResponse {
        account: account_view(&account),
        session: MeSession {
            id: pc.session.id,
            created_at: rfc3339(pc.session.created_at),
            expires_at: rfc3339(pc.session.expires_at),
        },
    })
}

/// Signs a PC out: revokes the presented session token.
pub async fn logout(state: &AppState, token: Option<&str>) -> Result<()> {
    let pc = auth::pc_session(state, token).await?;
    state.accounts.revoke_web_session_token(&pc.hash).await?;
    Ok(())
}
