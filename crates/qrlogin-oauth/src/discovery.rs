//! The OpenID Provider metadata (OpenID Connect Discovery 1.0 §3), served at
//! `/.well-known/openid-configuration`. Built from the issuer alone, so the document
//! and the routes cannot drift: every path here is a constant the router uses too.

use crate::client::Grant;
use serde::{Deserialize, Serialize};

/// Authorization endpoint path.
pub const AUTHORIZE_PATH: &str = "/oauth2/authorize";
/// Token endpoint path.
pub const TOKEN_PATH: &str = "/oauth2/token";
/// UserInfo endpoint path.
pub const USERINFO_PATH: &str = "/oauth2/userinfo";
/// JWK Set path.
pub const JWKS_PATH: &str = "/oauth2/jwks";
/// RFC 7009 revocation endpoint path.
pub const REVOKE_PATH: &str = "/oauth2/revoke";
/// RFC 8628 device authorization endpoint path.
pub const DEVICE_AUTHORIZATION_PATH: &str = "/oauth2/device_authorization";
/// The discovery document's own path.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The claims an ID token or userinfo answer may carry.
pub const CLAIMS_SUPPORTED: [&str; 13] = [
    "iss",
    "sub",
    "aud",
    "azp",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "sid",
    "amr",
    "name",
    "preferred_username",
    "picture",
];

/// The metadata document. Field names are the registry's, so serde writes it as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    /// The issuer (`--public-url`, no trailing slash): the `iss` of every token.
    pub issuer: String,
    /// `/oauth2/authorize`.
    pub authorization_endpoint: String,
    /// `/oauth2/token`.
    pub token_endpoint: String,
    /// `/oauth2/userinfo`.
    pub userinfo_endpoint: String,
    /// `/oauth2/jwks`.
    pub jwks_uri: String,
    /// `/oauth2/revoke`.
    pub revocation_endpoint: String,
    /// `/oauth2/device_authorization`.
    pub device_authorization_endpoint: String,
    /// `["code"]`.
    pub response_types_supported: Vec<String>,
    /// `["query"]`.
    pub response_modes_supported: Vec<String>,
    /// Every grant's `grant_type`.
    pub grant_types_supported: Vec<String>,
    /// `["public"]`: `sub` is the account id for every client.
    pub subject_types_supported: Vec<String>,
    /// `["ES256", "RS256"]`.
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// `openid`, `profile`, `offline_access`, `qr:approve`.
    pub scopes_supported: Vec<String>,
    /// `client_secret_basic`, `client_secret_post`, `none`.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// The same methods at the revocation endpoint.
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    /// `["S256"]`: `plain` is refused.
    pub code_challenge_methods_supported: Vec<String>,
    /// RFC 9207: authorization responses carry `iss`.
    pub authorization_response_iss_parameter_supported: bool,
    /// The claims we issue.
    pub claims_supported: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl ProviderMetadata {
    /// The document for `issuer` (a trailing `/` is dropped, so `iss` and the endpoint
    /// URLs are spelt one way).
    pub fn for_issuer(issuer: &str) -> Self {
        let issuer = issuer.trim_end_matches('/').to_owned();
        let at = |path: &str| format!("{issuer}{path}");
        let auth_methods = strings(&["client_secret_basic", "client_secret_post", "none"]);
        Self {
            authorization_endpoint: at(AUTHORIZE_PATH),
            token_endpoint: at(TOKEN_PATH),
            userinfo_endpoint: at(USERINFO_PATH),
            jwks_uri: at(JWKS_PATH),
            revocation_endpoint: at(REVOKE_PATH),
            device_authorization_endpoint: at(DEVICE_AUTHORIZATION_PATH),
            issuer,
            response_types_supported: strings(&["code"]),
            response_modes_supported: strings(&["query"]),
            grant_types_supported: Grant::ALL
                .iter()
                .map(|g| g.grant_type().to_owned())
                .collect(),
            subject_types_supported: strings(&["public"]),
            id_token_signing_alg_values_supported: strings(&["ES256", "RS256"]),
            scopes_supported: strings(&[
                crate::scope::OPENID,
                crate::scope::PROFILE,
                crate::scope::OFFLINE_ACCESS,
                crate::scope::QR_APPROVE,
            ]),
            token_endpoint_auth_methods_supported: auth_methods.clone(),
            revocation_endpoint_auth_methods_supported: auth_methods,
            code_challenge_methods_supported: strings(&["S256"]),
            authorization_response_iss_parameter_supported: true,
            claims_supported: strings(&CLAIMS_SUPPORTED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_names_every_endpoint_under_the_issuer() {
        let m = ProviderMetadata::for_issuer("https://id.example/");
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["issuer"], "https://id.example");
        assert_eq!(
            v["authorization_endpoint"],
            "https://id.example/oauth2/authorize"
        );
        assert_eq!(v["token_endpoint"], "https://id.example/oauth2/token");
        assert_eq!(v["userinfo_endpoint"], "https://id.example/oauth2/userinfo");
        assert_eq!(v["jwks_uri"], "https://id.example/oauth2/jwks");
        assert_eq!(v["revocation_endpoint"], "https://id.example/oauth2/revoke");
        assert_eq!(
            v["device_authorization_endpoint"],
            "https://id.example/oauth2/device_authorization"
        );
    }

    #[test]
    fn the_document_states_what_the_contract_requires() {
        let v = serde_json::to_value(ProviderMetadata::for_issuer("https://id.example")).unwrap();
        assert_eq!(
            v["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(v["authorization_response_iss_parameter_supported"], true);
        assert_eq!(
            v["id_token_signing_alg_values_supported"],
            serde_json::json!(["ES256", "RS256"])
        );
        assert_eq!(v["response_types_supported"], serde_json::json!(["code"]));
        assert_eq!(v["subject_types_supported"], serde_json::json!(["public"]));
        assert_eq!(
            v["token_endpoint_auth_methods_supported"],
            serde_json::json!(["client_secret_basic", "client_secret_post", "none"])
        );
        let grants = v["grant_types_supported"].as_array().unwrap();
        assert!(grants.contains(&"urn:ietf:params:oauth:grant-type:device_code".into()));
        assert!(grants.contains(&"urn:ietf:params:oauth:grant-type:token-exchange".into()));
        assert_eq!(grants.len(), 5);
    }
}
