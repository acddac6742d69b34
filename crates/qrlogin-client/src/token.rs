//! [`Token`]: a bearer secret held by a client handle.
//!
//! Handles are `Debug` so they can sit in test assertions and `tracing` fields; the
//! secrets inside must still never reach a log, so their `Debug` shows only the kind
//! prefix (`qlp_`, `qlm_`, …). There is deliberately no `Display`.

use std::fmt;

/// A poll, mobile, session token or scan ticket, as the server handed it out.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token text (from a response, a file, an environment variable).
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The clear text, for the `Authorization` header or the 0600 file that keeps it.
    /// Named so that every place that reveals a secret is easy to find.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Token {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Token {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<&Token> for Token {
    fn from(t: &Token) -> Self {
        t.clone()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Show the prefix only when it is one of ours (`abc_`), never part of the body.
        let prefix = match self.0.get(..4) {
            Some(p) if p.ends_with('_') && p[..3].bytes().all(|b| b.is_ascii_lowercase()) => p,
            _ => "",
        };
        write!(f, "Token({prefix}***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_prints_only_its_prefix() {
        let t = Token::new("qlp_SECRETSECRETSECRET");
        assert_eq!(format!("{t:?}"), "Token(qlp_***)");
        assert_eq!(t.expose(), "qlp_SECRETSECRETSECRET");
        assert_eq!(format!("{:?}", Token::new("SECRET")), "Token(***)");
        assert_eq!(format!("{:?}", Token::new("é")), "Token(***)");
    }
}
