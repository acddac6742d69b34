//! RFC 8693 token exchange: a phone trades a JWT of its product's own identity provider
//! (a trusted issuer) for a qrlogin phone token bound to its device. Every check happens
//! before anything is written, so a refused exchange makes no account, link or token.

use super::{oauth, Failure, OResult};
use crate::service::linked;
use crate::state::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use qrlogin_core::{validate_device, DeviceInfo, DeviceRule, Secret, SecretKind};
use qrlogin_db::{ActivityKind, ClientRef, MobileToken, TrustedIssuer};
use qrlogin_oauth::token::TokenRequest;
use qrlogin_oauth::verify::{verify_external, ExternalClaims};
use qrlogin_oauth::{Client, ErrorCode, TokenResponse, VerifyError};

fn invalid_grant(why: &str) -> Failure {
    oauth(ErrorCode::InvalidGrant, why)
}

/// The `iss` a JWT claims, read *unverified*: only to pick the issuer whose keys then
/// verify everything, `iss` included.
fn claimed_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("iss")?.as_str().map(str::to_owned)
}

/// Verifies `token` with the issuer's keys; on an unknown `kid`, fetches them once more
/// (at most once a minute per issuer) and tries again.
async fn verify(state: &AppState, issuer: &TrustedIssuer, token: &str) -> OResult<ExternalClaims> {
    let now = state.now();
    let unavailable = |e: super::jwks_cache::FetchError| {
        tracing::warn!(issuer = %issuer.issuer, error = %e, "token exchange: no JWKS");
        invalid_grant("the issuer's keys cannot be fetched")
    };
    let keys = state
        .jwks
        .keys(&issuer.issuer, &issuer.jwks_uri)
        .await
        .map_err(unavailable)?;
    let check = |keys: &qrlogin_oauth::JwkSet| {
        verify_external(token, keys, &issuer.issuer, &issuer.audience, now)
    };
    let result = match check(&keys) {
        Err(VerifyError::UnknownKid) => {
            match state
                .jwks
                .refetch(&issuer.issuer, &issuer.jwks_uri, now)
                .await
                .map_err(unavailable)?
            {
                Some(fresh) => check(&fresh),
                None => Err(VerifyError::UnknownKid),
            }
        }
        other => other,
    };
    result.map_err(|e| {
        tracing::info!(issuer = %issuer.issuer, reason = %e, "token exchange refused");
        invalid_grant(&format!("subject_token refused: {e}"))
    })
}

/// The device the phone names, required id and type, as an `invalid_request`.
fn device(req: &TokenRequest) -> OResult<DeviceInfo> {
    let d = DeviceInfo {
        id: req.device_id.clone(),
        kind: req.device_type.clone(),
        name: req.device_name.clone(),
    };
    validate_device(d, DeviceRule::IdAndType).map_err(|e| {
        oauth(
            ErrorCode::InvalidRequest,
            &format!("device_id and device_type are required: {e}"),
        )
    })
}

/// The token exchange grant for `client` (authenticated, holding the grant).
pub async fn exchange(
    state: &AppState,
    client: &Client,
    req: &TokenRequest,
) -> OResult<TokenResponse> {
    let token = req.exchange_subject_token()?;
    let device = device(req)?;
    let iss = claimed_issuer(token).ok_or_else(|| invalid_grant("subject_token is not a JWT"))?;
    let issuer = state
        .db
        .issuer(&iss)
        .await?
        .ok_or_else(|| invalid_grant("the subject_token's issuer is not trusted"))?;
    let claims = verify(state, &issuer, token).await?;
    let name = linked::display_name(
        issuer
            .name_claim
            .as_deref()
            .and_then(|c| claims.claim_str(c)),
        "User",
    );
    let avatar = linked::avatar_url(
        issuer
            .picture_claim
            .as_deref()
            .and_then(|c| claims.claim_str(c)),
    );
    let namespace = linked::issuer_namespace(&issuer.issuer);
    let account = linked::link_or_create(state, &namespace, &claims.sub, name, avatar).await?;
    if account.disabled {
        return Err(invalid_grant("the account is disabled"));
    }
    let now = state.now();
    let l = &state.config.lifetimes;
    let mobile = Secret::generate(SecretKind::Mobile);
    let record = MobileToken {
        account_id: account.id.clone(),
        device: device.clone(),
        created_at: now,
        expires_at: now + l.mobile_token_ms,
    };
    if !state.db.put_mobile_token(&mobile.hash(), &record).await? {
        return Err(invalid_grant("the account is disabled"));
    }
    let client_ref = ClientRef {
        id: client.id.clone(),
        name: client.name.clone(),
    };
    linked::record(
        state,
        &account,
        ActivityKind::PhoneSignedIn,
        Some(device),
        Some(client_ref),
        Some("token_exchange"),
    )
    .await;
    metrics::counter!("qrlogin_phone_logins_total", "outcome" => "token_exchange").increment(1);
    tracing::info!(account = %account.id, issuer = %issuer.issuer, "phone signed in by token exchange");
    Ok(TokenResponse::mobile_exchange(
        mobile.expose().to_owned(),
        (l.mobile_token_ms / 1000) as u64,
    ))
}
