//! Scopes (RFC 6749 §3.3): parsing the space-delimited list a client asks for and
//! checking it against what the client is registered for.

use crate::client::Client;
use crate::error::{ErrorCode, OAuthError};
use std::collections::BTreeSet;
use std::fmt;

/// Required for OpenID Connect requests: the client wants an ID token.
pub const OPENID: &str = "openid";
/// `name`, `preferred_username`, `picture` in the ID token and userinfo.
pub const PROFILE: &str = "profile";
/// A refresh token is issued.
pub const OFFLINE_ACCESS: &str = "offline_access";
/// Trusted backends: approve QR logins for their own subjects.
pub const QR_APPROVE: &str = "qr:approve";

/// Longest `scope` parameter looked at; more is refused before any work.
const MAX_LEN: usize = 1024;

/// A set of scope tokens, ordered (so its text form is stable).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(BTreeSet<String>);

impl Scopes {
    /// Parses a `scope` parameter: tokens separated by spaces, each of the characters
    /// RFC 6749 §3.3 allows (printable ASCII but `"` and `\`). Duplicates collapse.
    pub fn parse(s: &str) -> Result<Self, OAuthError> {
        if s.len() > MAX_LEN {
            return Err(OAuthError::new(ErrorCode::InvalidScope, "scope too long"));
        }
        let mut set = BTreeSet::new();
        for token in s.split(' ').filter(|t| !t.is_empty()) {
            let ok = token
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
            if !ok {
                return Err(OAuthError::new(ErrorCode::InvalidScope, "malformed scope"));
            }
            set.insert(token.to_owned());
        }
        Ok(Self(set))
    }

    /// The scopes a client is registered for.
    pub fn of_client(client: &Client) -> Self {
        Self(client.scopes.iter().cloned().collect())
    }

    /// Whether `scope` is in the set.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    /// Whether nothing was asked for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every scope here is also in `other`.
    pub fn is_subset_of(&self, other: &Scopes) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The scopes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl fmt::Display for Scopes {
    /// The space-delimited form, for token responses and storage.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(s)?;
            first = false;
        }
        Ok(())
    }
}

/// The scopes a request is granted: the requested ones if the client may have them all
/// (`invalid_scope` otherwise), or the client's registered scopes when it asked for
/// none (RFC 6749 §3.3 lets the server pick a default).
pub fn grant_requested(requested: Option<&str>, client: &Client) -> Result<Scopes, OAuthError> {
    let allowed = Scopes::of_client(client);
    let requested = match requested {
        None => return Ok(allowed),
        Some(s) => Scopes::parse(s)?,
    };
    if requested.is_empty() {
        return Ok(allowed);
    }
    if requested.is_subset_of(&allowed) {
        Ok(requested)
    } else {
        let extra: Vec<&str> = requested.iter().filter(|s| !allowed.contains(s)).collect();
        Err(OAuthError::new(
            ErrorCode::InvalidScope,
            format!("scope not allowed for this client: {}", extra.join(" ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Alg, Grant};

    fn client() -> Client {
        Client {
            id: "shop".into(),
            name: "Shop".into(),
            secret_hash: None,
            redirect_uris: vec![],
            grants: vec![Grant::AuthorizationCode],
            scopes: vec!["openid".into(), "profile".into(), "offline_access".into()],
            id_token_alg: Alg::ES256,
            created_at: 0,
        }
    }

    #[test]
    fn scopes_parse_from_a_space_delimited_list_and_print_back_sorted() {
        let s = Scopes::parse("profile openid  profile").unwrap();
        assert!(s.contains(OPENID) && s.contains(PROFILE));
        assert_eq!(s.to_string(), "openid profile");
        assert!(Scopes::parse("").unwrap().is_empty());
        assert!(Scopes::parse("qr:approve").unwrap().contains(QR_APPROVE));
    }

    #[test]
    fn malformed_scope_tokens_are_invalid_scope() {
        for bad in ["open\"id", "a\\b", "é", "a\tb", &"a".repeat(2000)] {
            assert_eq!(
                Scopes::parse(bad).unwrap_err().error,
                ErrorCode::InvalidScope,
                "{bad}"
            );
        }
    }

    #[test]
    fn a_client_gets_the_scopes_it_asks_for_when_registered_for_them() {
        let got = grant_requested(Some("openid profile"), &client()).unwrap();
        assert_eq!(got.to_string(), "openid profile");
    }

    #[test]
    fn a_scope_the_client_is_not_registered_for_is_invalid_scope() {
        let e = grant_requested(Some("openid qr:approve"), &client()).unwrap_err();
        assert_eq!(e.error, ErrorCode::InvalidScope);
        assert!(e.error_description.unwrap().contains("qr:approve"));
    }

    #[test]
    fn asking_for_nothing_grants_the_registered_scopes() {
        let all = "offline_access openid profile";
        assert_eq!(grant_requested(None, &client()).unwrap().to_string(), all);
        assert_eq!(
            grant_requested(Some(" "), &client()).unwrap().to_string(),
            all
        );
    }
}
