//! Records of the OpenID Provider as the database keeps them. Clients, codes and refresh
//! grants are the pure domain's own types (`qrlogin_oauth`); these are the ones that
//! only exist because they are stored.

use qrlogin_core::{AccountId, Millis, TokenHash};
use qrlogin_oauth::PollPace;

/// A signing key as stored: the private half as PKCS#8 PEM (never logged, never
/// served); `qrlogin_oauth::SigningKey::from_stored` makes it usable.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// RFC 7638 thumbprint, the JWT `kid`.
    pub kid: String,
    /// `ES256` or `RS256`.
    pub alg: String,
    /// PKCS#8 PEM of the private key.
    pub private_pem: String,
    /// When it was made: the newest live key of an algorithm signs.
    pub created_at: Millis,
    /// Set when retired by a rotation: still published (to verify what it signed)
    /// until then, never used to sign again.
    pub not_after: Option<Millis>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("private_pem", &"***")
            .field("created_at", &self.created_at)
            .field("not_after", &self.not_after)
            .finish()
    }
}

/// What an OAuth QR session carries, kept under its `qr_id`: the authorization request
/// (the page's QR), or the device grant (the device's QR, with its device and user
/// codes). The QR session itself keeps the state machine, so its compare-and-set
/// `redeem` is what makes a code or a device grant one-use on every instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthRequest {
    /// The QR session it belongs to.
    pub qr_id: String,
    /// The asking client.
    pub client_id: String,
    /// The redirect URI (authorization code flow), as the client sent it.
    pub redirect_uri: Option<String>,
    /// Granted scopes, space-delimited.
    pub scope: String,
    /// The client's `state`, echoed in the redirect.
    pub state: Option<String>,
    /// The client's `nonce`, for the ID token.
    pub nonce: Option<String>,
    /// PKCE challenge (S256).
    pub code_challenge: Option<String>,
    /// Hash of the device code (device grant only).
    pub device_code_hash: Option<TokenHash>,
    /// Hash of the user code (device grant only).
    pub user_code_hash: Option<TokenHash>,
    /// The device's polling pace.
    pub pace: PollPace,
    /// Forgotten after then.
    pub expires_at: Millis,
}

/// A device-token poll as recorded ([`crate::OAuthDb::poll_device`]): the grant after
/// the poll, and whether the poll came too soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePoll {
    /// The device grant, its pace as this poll left it.
    pub request: OAuthRequest,
    /// Sooner than the interval after the previous poll: answer `slow_down`.
    pub slow_down: bool,
}

/// An opaque access token (`qla_…`) as stored under its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The client it was issued to.
    pub client_id: String,
    /// The user; `None` for `client_credentials` (the client acts for itself).
    pub account_id: Option<AccountId>,
    /// Granted scopes, space-delimited.
    pub scope: String,
    /// The refresh token family it came with, revoked with it.
    pub family_id: Option<String>,
    /// When it was issued.
    pub created_at: Millis,
    /// Dead from then on.
    pub expires_at: Millis,
}
