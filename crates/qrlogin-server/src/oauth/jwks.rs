//! `GET /oauth2/jwks`: the public signing keys, current and recently retired.

use crate::error::ApiResult;
use crate::service::oauth::keys;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

/// The JWK Set.
#[utoipa::path(get, path = "/oauth2/jwks", tag = "oauth",
    responses((status = 200, description = "JWK Set of the ID token signing keys", content_type = "application/json")))]
pub async fn jwks(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let set = keys::key_set(state.db.as_ref(), state.now()).await?;
    // Short caching: verifiers fetch again on an unknown kid anyway.
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Json(set)))
}
