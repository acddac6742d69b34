//! The records the database keeps. Plain data: every backend stores and returns them
//! exactly, so the service layer never sees a row or a column.

use qrlogin_core::{AccountId, DeviceInfo, EventId, Millis, SessionId, Username};

/// A person who signs in on a phone, and whom a PC is then signed in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Opaque id (`acc_…`), what a PC and an ID token call the user; never changes.
    pub id: AccountId,
    /// Login name, unique, lowercase.
    pub username: Username,
    /// Shown on the PC and the phone.
    pub display_name: String,
    /// Avatar image URL, if any.
    pub avatar_url: Option<String>,
    /// Argon2id hash in PHC string form; `None` for an account that signs in only with
    /// passkeys or through its product's own identity provider.
    pub password_hash: Option<String>,
    /// A disabled account cannot sign in and none of its tokens work.
    pub disabled: bool,
    /// When the account was made.
    pub created_at: Millis,
    /// When its profile, password or state last changed.
    pub updated_at: Millis,
}

/// A phone's access token (kept by its hash only), bound to one account and one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MobileToken {
    /// The account it signs in.
    pub account_id: AccountId,
    /// The device it was issued to; requests must come with this device id.
    pub device: DeviceInfo,
    /// When it was issued.
    pub created_at: Millis,
    /// The instant it stops working.
    pub expires_at: Millis,
}

/// A PC session made by a redeemed QR login (kept by the hash of its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Public id (`ses_…`), as listed to the phone and revoked by it; not the token.
    pub id: SessionId,
    /// The signed-in account.
    pub account_id: AccountId,
    /// When it was made.
    pub created_at: Millis,
    /// The instant it stops working.
    pub expires_at: Millis,
    /// The PC's device as it described itself at QR creation.
    pub device: Option<DeviceInfo>,
    /// The PC's IP at QR creation.
    pub ip: String,
}

/// An OAuth client named in an activity entry (a product's backend acting for a user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRef {
    /// The client's id.
    pub id: String,
    /// Its human name, as it was when the event happened.
    pub name: String,
}

/// One entry of an account's activity log (`GET /api/v1/activity`), so a user can see
/// what signed in as them, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEvent {
    /// Its id (`evt_…`).
    pub id: EventId,
    /// Whose log it is in.
    pub account_id: AccountId,
    /// When it happened.
    pub at: Millis,
    /// What happened.
    pub kind: ActivityKind,
    /// The IP the request came from, if known.
    pub ip: Option<String>,
    /// The device involved (the phone, or the PC), if any.
    pub device: Option<DeviceInfo>,
    /// The OAuth client involved, if any.
    pub client: Option<ClientRef>,
    /// How a phone signed in (`password`, `passkey`, `token_exchange`), for
    /// `phone_signed_in`.
    pub method: Option<String>,
}

macro_rules! activity_kinds {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// What an [`ActivityEvent`] records. The text forms are those of API.md and
        /// are what the database stores.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ActivityKind {
            $($(#[$doc])* $variant,)*
        }

        impl ActivityKind {
            /// Every kind, for tests and documentation.
            pub const ALL: &'static [ActivityKind] = &[$(ActivityKind::$variant,)*];

            /// The snake_case text form of API.md.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ActivityKind::$variant => $text,)*
                }
            }

            /// Reads the text form back; `None` for a kind this version does not know
            /// (written by a newer instance sharing the database).
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some(ActivityKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

activity_kinds! {
    /// A phone signed in (password, passkey or token exchange).
    PhoneSignedIn => "phone_signed_in",
    /// A phone signed out (its token revoked).
    PhoneSignedOut => "phone_signed_out",
    /// A wrong password was given for this account.
    SignInFailed => "sign_in_failed",
    /// A QR code was scanned by this account.
    QrScanned => "qr_scanned",
    /// A QR login was confirmed: a PC was signed in.
    QrConfirmed => "qr_confirmed",
    /// A QR login was declined on the phone.
    QrDeclined => "qr_declined",
    /// A PC session was revoked from the phone.
    SessionRevoked => "session_revoked",
    /// The password was changed (every token revoked).
    PasswordChanged => "password_changed",
    /// A passkey was registered.
    PasskeyAdded => "passkey_added",
    /// A passkey was removed.
    PasskeyRemoved => "passkey_removed",
    /// A passkey signed with a counter that did not go up: it may have been cloned; the
    /// sign-in was refused.
    PasskeyCloneWarning => "passkey_clone_warning",
    /// The account was disabled by an operator.
    AccountDisabled => "account_disabled",
    /// The account was enabled again by an operator.
    AccountEnabled => "account_enabled",
}

impl std::fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_kinds_have_the_text_forms_of_the_api_and_parse_back() {
        let api = [
            "phone_signed_in",
            "phone_signed_out",
            "sign_in_failed",
            "qr_scanned",
            "qr_confirmed",
            "qr_declined",
            "session_revoked",
            "password_changed",
            "passkey_added",
            "passkey_removed",
        ];
        for text in api {
            let kind = ActivityKind::parse(text).expect(text);
            assert_eq!(kind.as_str(), text);
        }
        for kind in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(ActivityKind::parse("PHONE_SIGNED_IN"), None);
    }
}
