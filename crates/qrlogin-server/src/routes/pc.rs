//! PC endpoints: create a QR session, its image, status with long poll, redeem, cancel.
//! Each parses the request, calls one use case of [`service::qr`](crate::service::qr)
//! and renders the answer.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Authorization, ClientInfo, ClientIp, OptionalJson, QrPath};
use crate::qrimage;
use crate::service::qr;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::future::{Either, FutureExt as _};
use qrlogin_core::api::{CreateQrRequest, CreateQrResponse, Problem, RedeemResponse, Status};
use serde::Deserialize;

/// Routes of the PC role.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/qr", post(create_qr))
        .route("/api/v1/qr/{qr_id}", get(status).delete(cancel))
        .route("/api/v1/qr/{qr_id}/qr.svg", get(qr_svg))
        .route("/api/v1/qr/{qr_id}/qr.png", get(qr_png))
        .route("/api/v1/qr/{qr_id}/redeem", post(redeem))
}

/// Creates a QR session.
#[utoipa::path(post, path = "/api/v1/qr", tag = "pc", request_body(content = Option<CreateQrRequest>),
    responses((status = 201, body = CreateQrResponse), (status = 400, body = Problem), (status = 415, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn create_qr(
    State(state): State<AppState>,
    client: ClientInfo,
    OptionalJson(body): OptionalJson<serde_json::Value>,
) -> ApiResult<impl IntoResponse> {
    // An object or nothing: serde would read `[]` as a struct with no fields.
    let body: CreateQrRequest = match body {
        None => CreateQrRequest::default(),
        Some(v) if v.is_object() => serde_json::from_value(v)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?,
        Some(_) => return Err(ApiError::bad_request("the body must be a JSON object")),
    };
    let res = qr::create_for(&state, body.device, body.client_id, client.0).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(res),
    ))
}

async fn image(state: &AppState, id: &qrlogin_core::QrId, png: bool) -> ApiResult<Response> {
    let content = qr::image_content(state, id).await?;
    let (mime, body) = if png {
        (
            "image/png",
            qrimage::png(&content).map_err(ApiError::internal)?,
        )
    } else {
        (
            "image/svg+xml",
            qrimage::svg(&content)
                .map_err(ApiError::internal)?
                .into_bytes(),
        )
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// The QR image as SVG (public: it holds no secret).
#[utoipa::path(get, path = "/api/v1/qr/{qr_id}/qr.svg", tag = "pc", params(("qr_id" = String, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn qr_svg(State(state): State<AppState>, QrPath(id): QrPath) -> ApiResult<Response> {
    image(&state, &id, false).await
}

/// The QR image as PNG (public: it holds no secret).
#[utoipa::path(get, path = "/api/v1/qr/{qr_id}/qr.png", tag = "pc", params(("qr_id" = String, Path)),
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn qr_png(State(state): State<AppState>, QrPath(id): QrPath) -> ApiResult<Response> {
    image(&state, &id, true).await
}

/// Query of the status endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Seconds to hold the request, 0..=[`qr::MAX_WAIT`] (default 0).
    #[param(minimum = 0, maximum = 60)]
    pub wait: Option<u64>,
    /// The version the client has; held only while it is still current.
    pub since: Option<u64>,
}

/// Status, as a short poll or a long poll.
#[utoipa::path(get, path = "/api/v1/qr/{qr_id}", tag = "pc", params(("qr_id" = String, Path), StatusQuery),
    security(("poll_token" = [])),
    responses((status = 200, body = Status), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 429, body = Problem), (status = 503, body = Problem)))]
// A plain fn returning the use case's future mapped, not an `async fn` or an async
// block: either would keep the arguments beside the use case's own copies, and this
// future is held for the whole wait of every long poll.
pub fn status(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    ClientIp(ip): ClientIp,
    auth: Authorization,
    query: Result<Query<StatusQuery>, axum::extract::rejection::QueryRejection>,
) -> impl std::future::Future<Output = ApiResult<Response>> + Send {
    let q = match query {
        Ok(Query(q)) => q,
        Err(e) => {
            let e = ApiError::bad_request(format!("bad query: {}", e.body_text()));
            return Either::Left(std::future::ready(Err(e)));
        }
    };
    // Only the token is handed on (the use case drops it before a wait), not the header.
    let token = auth.bearer().map(str::to_owned);
    let status = qr::status(state, id, token, q.wait.unwrap_or(0), q.since, ip);
    Either::Right(status.map(|r| r.map(|s| status_json(&s)).map_err(ApiError::from)))
}

/// The status as `application/json` with `Cache-Control: no-store`: the bytes
/// `Json(s)` answers, written to a `Vec` (one buffer, no `BytesMut` writer) under static
/// header values (from a `&str` they are checked and copied on every poll).
fn status_json(s: &Status) -> Response {
    match serde_json::to_vec(s) {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body,
        )
            .into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// Redeems a confirmed QR session for a PC session, exactly once.
#[utoipa::path(post, path = "/api/v1/qr/{qr_id}/redeem", tag = "pc", params(("qr_id" = String, Path)),
    security(("poll_token" = [])),
    responses((status = 200, body = RedeemResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn redeem(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    auth: Authorization,
) -> ApiResult<Response> {
    let body = qr::redeem(&state, &id, auth.bearer()).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// The PC gives up: `pending`/`scanned` → `cancelled`.
#[utoipa::path(delete, path = "/api/v1/qr/{qr_id}", tag = "pc", params(("qr_id" = String, Path)),
    security(("poll_token" = [])),
    responses((status = 200, body = Status), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    QrPath(id): QrPath,
    auth: Authorization,
) -> ApiResult<Json<Status>> {
    qr::cancel(&state, &id, auth.bearer())
        .await
        .map(Json)
        .map_err(Into::into)
}
