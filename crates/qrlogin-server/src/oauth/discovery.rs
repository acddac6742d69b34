//! `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0).

use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use qrlogin_oauth::ProviderMetadata;

/// The provider metadata for the issuer `public_url`.
#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "oauth",
    responses((status = 200, description = "OpenID Provider metadata", content_type = "application/json")))]
pub async fn configuration(State(state): State<AppState>) -> Json<ProviderMetadata> {
    Json(ProviderMetadata::for_issuer(&state.public_url))
}
