//! Records of the account store. Plain data with serde, so every backend can keep them
//! as one JSON value.

use qrlogin_core::{DeviceInfo, Millis};
use serde::{Deserialize, Serialize};

/// An account that can sign in on a phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Opaque id (`acc_…`).
    pub id: String,
    /// Login name, unique.
    pub username: String,
    /// Shown on the PC and the phone.
    pub display_name: String,
    /// Avatar image URL, if any.
    pub avatar_url: Option<String>,
    /// Argon2id hash in PHC string form; never the password.
    pub password_hash: String,
    /// When the account was made.
    pub created_at: Millis,
}

/// A phone's access token, bound to one account and one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MobileToken {
    /// The account it signs in.
    pub account_id: String,
    /// The device it was issued to (`id` and `kind` always set).
    pub device: DeviceInfo,
    /// When it was issued.
    pub created_at: Millis,
    /// When it stops working.
    pub expires_at: Millis,
}

/// A PC session made by a redeemed QR login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSession {
    /// Public id (`ses_…`), as listed to the phone; not the token.
    pub id: String,
    /// The signed-in account.
    pub account_id: String,
    /// When it was made.
    pub created_at: Millis,
    /// When it stops working.
    pub expires_at: Millis,
    /// The PC's device as it described itself at QR creation.
    pub device: Option<DeviceInfo>,
    /// The PC's IP at QR creation.
    pub ip: String,
}
