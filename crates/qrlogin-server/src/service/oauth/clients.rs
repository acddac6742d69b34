//! Client lookup and authentication for the token, revocation and device authorization
//! endpoints, and the demo client of `--demo`.

use super::{oauth, OResult};
use qrlogin_core::Millis;
use qrlogin_db::Db;
use qrlogin_oauth::client::{authenticate, credentials_from_request};
use qrlogin_oauth::{Alg, Client, ErrorCode, Grant};

/// The demo client's id.
pub const DEMO_CLIENT_ID: &str = "demo";

/// The public client `demo` of API.md: redirect `http://127.0.0.1/callback` (any
/// loopback port), authorization code, refresh and device grants.
pub fn demo_client(now: Millis) -> Client {
    Client {
        id: DEMO_CLIENT_ID.into(),
        name: "Demo".into(),
        secret_hash: None,
        redirect_uris: vec!["http://127.0.0.1/callback".into()],
        grants: vec![
            Grant::AuthorizationCode,
            Grant::RefreshToken,
            Grant::DeviceCode,
        ],
        scopes: vec!["openid".into(), "profile".into(), "offline_access".into()],
        id_token_alg: Alg::ES256,
        created_at: now,
    }
}

/// Registers the demo client unless a client `demo` exists (`--demo` on every start).
pub async fn seed_demo(db: &dyn Db, now: Millis) -> anyhow::Result<()> {
    if db.client(DEMO_CLIENT_ID).await?.is_none() {
        db.create_client(&demo_client(now)).await?;
    }
    Ok(())
}

/// The calling client, authenticated from the `Authorization` header and the form's
/// `client_id`/`client_secret`. Unknown clients and wrong secrets answer alike.
pub async fn authenticated(
    db: &dyn Db,
    authorization: Option<&str>,
    form_client_id: Option<&str>,
    form_client_secret: Option<&str>,
) -> OResult<Client> {
    let creds = credentials_from_request(authorization, form_client_id, form_client_secret)?;
    let client = db
        .client(&creds.client_id)
        .await?
        .ok_or_else(|| oauth(ErrorCode::InvalidClient, "client authentication failed"))?;
    authenticate(&client, &creds)?;
    Ok(client)
}

/// The client an OAuth QR session asks for (the phone's scan answer names it); `None`
/// for a plain QR login. The session says which: a plain one costs no lookup, one made
/// for a client costs the client's; only a session of an older record, which does not
/// say, is looked up by its OAuth request first.
pub async fn of_qr(
    state: &crate::state::AppState,
    session: &qrlogin_core::QrSession,
) -> crate::service::Result<Option<qrlogin_core::api::ClientView>> {
    use qrlogin_core::QrClient;
    let client_id = match &session.client {
        QrClient::Plain => return Ok(None),
        QrClient::Client(id) => id.clone(),
        QrClient::Unrecorded => {
            let found = state.db.oauth_request(session.id.as_str(), state.now());
            match found.await? {
                Some(req) => req.client_id,
                None => return Ok(None),
            }
        }
    };
    Ok(state
        .db
        .client(&client_id)
        .await?
        .map(|c| qrlogin_core::api::ClientView {
            id: c.id,
            name: c.name,
        }))
}
