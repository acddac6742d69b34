//! Accounts and passwords: argon2id hashing off the async threads, the demo accounts,
//! and the phone's password login that issues a device-bound token.

use crate::error::{ApiError, ApiResult};
use crate::extract::ClientInfo;
use crate::state::AppState;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use qrlogin_core::api::{AccountView, LoginRequest, LoginResponse};
use qrlogin_core::time::now_ms;
use qrlogin_core::{DeviceInfo, ErrorCode, RandomId, Secret, SecretKind};
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

/// Adds an account with a fresh id; `false` if the username is taken.
pub async fn create_account(
    store: &dyn AccountStore,
    username: &str,
    password: &str,
    display_name: &str,
) -> anyhow::Result<bool> {
    let account = Account {
        id: RandomId::generate("acc_").to_string(),
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        avatar_url: None,
        password_hash: hash_password(password.to_owned()).await?,
        created_at: now_ms(),
    };
    Ok(store.create_account(&account).await?)
}

/// Seeds `alice`/`alice-demo` and `bob`/`bob-demo` (kept if they exist already, as on a
/// shared Redis that another instance seeded).
pub async fn seed_demo(store: &dyn AccountStore) -> anyhow::Result<()> {
    for (user, pass, name) in [("alice", "alice-demo", "Alice"), ("bob", "bob-demo", "Bob")] {
        if store.account_by_username(user).await?.is_none() {
            create_account(store, user, pass, name).await?;
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

fn required(field: &str, v: &Option<String>) -> ApiResult<String> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() && s.chars().count() <= 128 => Ok(s.to_owned()),
        Some(s) if !s.is_empty() => Err(ApiError::bad_request(format!(
            "{field} is longer than 128 characters"
        ))),
        _ => Err(ApiError::bad_request(format!("{field} is required"))),
    }
}

/// Password login of a phone: same answer and similar time for unknown users and wrong
/// passwords; throttled per username and IP; issues a token bound to the device.
pub async fn login(
    state: &AppState,
    req: LoginRequest,
    client: &ClientInfo,
) -> ApiResult<LoginResponse> {
    let device = DeviceInfo {
        id: Some(required("device.id", &req.device.id)?),
        kind: Some(required("device.type", &req.device.kind)?),
        name: req
            .device
            .name
            .filter(|n| !n.trim().is_empty())
            .map(|n| n.chars().take(128).collect()),
    };
    if req.username.len() > 128 || req.password.len() > 1024 {
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    }
    state
        .login_limiter
        .check(&req.username, &client.ip)
        .map_err(|secs| {
            ApiError::new(
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
        state.login_limiter.failed(&req.username, &client.ip);
        metrics::counter!("qrlogin_phone_logins_total", "outcome" => "failed").increment(1);
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    };
    state.login_limiter.succeeded(&req.username);
    let now = now_ms();
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
