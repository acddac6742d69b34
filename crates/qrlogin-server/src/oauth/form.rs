//! Reading `application/x-www-form-urlencoded` bodies for the OAuth endpoints: a
//! malformed or repeated parameter is RFC 6749 `invalid_request`, not axum's plain-text
//! rejection.

use qrlogin_oauth::{ErrorCode, OAuthError};
use std::collections::BTreeMap;

/// The parameters of a form body; a parameter sent twice is refused (RFC 6749 §3.1).
pub fn parse(body: &[u8]) -> Result<BTreeMap<String, String>, OAuthError> {
    let mut out = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.insert(k.clone().into_owned(), v.into_owned()).is_some() {
            return Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                format!("parameter {k} sent more than once"),
            ));
        }
    }
    Ok(out)
}

/// The form as a typed request (every field optional, so only types can fail).
pub fn typed<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, OAuthError> {
    let map = parse(body)?;
    serde_json::to_value(map)
        .and_then(serde_json::from_value)
        .map_err(|_| OAuthError::new(ErrorCode::InvalidRequest, "malformed form body"))
}
