//! Ids and names of accounts, devices and PC sessions. Each is its own type so that an
//! account id can never be passed where a session id is meant, and each is built valid
//! (`generate` or `parse`) so that a store never sees a malformed one.

use crate::ids::{InvalidId, RandomId};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix every generated id starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A fresh id: the prefix and 128 bits from the OS CSPRNG.
            pub fn generate() -> Self {
                Self(RandomId::generate($prefix).as_str().to_owned())
            }

            /// Accepts any short base64url-like text (ids are looked up, never
            /// trusted, and ids made by older versions must still parse).
            pub fn parse(s: &str) -> Result<Self, InvalidId> {
                RandomId::parse(s).map(|r| Self(r.as_str().to_owned()))
            }

            /// The text form.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text form, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

random_id!(
    /// The opaque id of an account (`acc_…`): what a PC and an ID token call the user.
    AccountId,
    "acc_"
);
random_id!(
    /// The public id of a PC session (`ses_…`), as the phone lists and revokes it.
    SessionId,
    "ses_"
);
random_id!(
    /// The id of one entry of the activity log (`evt_…`).
    EventId,
    "evt_"
);

/// A login name: 1–64 of `a-z 0-9 . _ -`, stored lowercase (API.md "Accounts"), so
/// `Alice` and `alice` are one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

/// Why a username, device or password was refused; the text is for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Username {
    /// Longest username.
    pub const MAX_LEN: usize = 64;

    /// Lowercases, then checks length and characters.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let lower = s.to_ascii_lowercase();
        if lower.is_empty() || lower.len() > Self::MAX_LEN {
            return Err(Invalid("a username has 1 to 64 characters".into()));
        }
        if !lower.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        }) {
            return Err(Invalid(
                "a username may only hold a-z, 0-9, '.', '_' and '-'".into(),
            ));
        }
        Ok(Self(lower))
    }

    /// The stored (lowercase) form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}

impl From<Username> for String {
    fn from(u: Username) -> String {
        u.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Password length rule of API.md (8–1024 characters), checked before any hashing so a
/// huge password cannot make argon2 work on megabytes.
pub fn check_password_len(password: &str) -> Result<(), Invalid> {
    let n = password.chars().count();
    if n < 8 {
        Err(Invalid("a password has at least 8 characters".into()))
    } else if n > 1024 {
        Err(Invalid("a password has at most 1024 characters".into()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_stored_lowercase() {
        assert_eq!(
            Username::parse("Alice.B-1_x").unwrap().as_str(),
            "alice.b-1_x"
        );
    }

    #[test]
    fn usernames_outside_the_rule_are_refused() {
        for bad in ["", "a b", "al!ce", "ü", &"a".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Username::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn passwords_have_eight_to_1024_characters() {
        assert!(check_password_len("1234567").is_err());
        assert!(check_password_len("12345678").is_ok());
        assert!(check_password_len(&"x".repeat(1024)).is_ok());
        assert!(check_password_len(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn generated_ids_carry_their_prefix_and_parse_back() {
        let a = AccountId::generate();
        assert!(a.as_str().starts_with("acc_"));
        assert_eq!(AccountId::parse(a.as_str()).unwrap(), a);
        assert!(SessionId::generate().as_str().starts_with("ses_"));
        assert!(AccountId::parse("no spaces").is_err());
    }
}
