//! Makes the generated OpenAPI document say what the server really does, for the whole
//! API at once rather than in every handler's annotation (where a status is easily
//! forgotten): errors are `application/problem+json` with the `Problem` schema, every
//! status a shared layer or extractor can answer is listed, and ids carry their pattern.
//! The CI's schemathesis run (`.ci/schemathesis.sh`) holds the server to this document.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, HttpMethod, Ref, RefOr, Response, Schema};
use utoipa::Modify;

/// The media type of every error body of the API (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The pattern of a `qr_id` in a path ([`qrlogin_core::QrId`]: 22 base64url characters).
pub const QR_ID_PATTERN: &str = "^[A-Za-z0-9_-]{22}$";

/// The pattern of a `session_id` in a path ([`qrlogin_core::RandomId`]).
pub const RANDOM_ID_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";

/// The modifier: see the module documentation.
pub struct Conformance;

impl Modify for Conformance {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let api = path.starts_with("/api/");
            let ops = [
                (HttpMethod::Get, &mut item.get),
                (HttpMethod::Put, &mut item.put),
                (HttpMethod::Post, &mut item.post),
                (HttpMethod::Delete, &mut item.delete),
                (HttpMethod::Patch, &mut item.patch),
            ];
            for (method, op) in ops {
                if let Some(op) = op.as_mut() {
                    if api || path == "/readyz" {
                        complete(path, &method, op, api);
                    } else {
                        add(
                            op,
                            500,
                            "internal: a handler failed; details are in the log",
                        );
                    }
                }
            }
        }
    }
}

/// Lists the statuses the shared layers and extractors give an API operation, and makes
/// every error response problem+json.
fn complete(path: &str, method: &HttpMethod, op: &mut Operation, api: bool) {
    add(
        op,
        500,
        "internal: a handler failed; details are in the log",
    );
    add(op, 503, "store_unavailable: nothing was changed");
    if api {
        let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
        let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
        if has_params || op.request_body.is_some() || secured {
            add(
                op,
                400,
                "invalid_request: malformed id, query, header or body",
            );
        }
        if secured {
            add(
                op,
                401,
                "unauthorized: missing, unknown, expired or revoked token",
            );
        }
        if path.contains('{') {
            add(op, 404, "not found: no such resource");
        }
        if matches!(
            method,
            HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch
        ) {
            add(op, 413, "payload_too_large: body over 16 KiB");
            add(op, 415, "unsupported_media_type: a body that is not JSON");
        }
        add(
            op,
            429,
            "rate_limited: too many requests from this client; see Retry-After",
        );
    }
    for param in op.parameters.iter_mut().flatten() {
        let pattern = match (&param.parameter_in, param.name.as_str()) {
            (ParameterIn::Path, "qr_id") => QR_ID_PATTERN,
            (ParameterIn::Path, "session_id") => RANDOM_ID_PATTERN,
            _ => continue,
        };
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .build();
        param.schema = Some(RefOr::T(Schema::Object(schema)));
    }
    for (status, resp) in op.responses.responses.iter_mut() {
        let error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(resp)) = (error, resp) {
            resp.content.clear();
            resp.content.insert(PROBLEM_JSON.to_owned(), problem());
        }
    }
}

/// A problem+json body.
fn problem() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}

/// Adds `status` with a problem+json body to `op`, unless its annotation lists it
/// already (with its own words).
fn add(op: &mut Operation, status: u16, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            let mut resp = Response::new(description);
            resp.content.insert(PROBLEM_JSON.to_owned(), problem());
            RefOr::T(resp)
        });
}

#[cfg(test)]
#[path = "openapi_tests.rs"]
mod tests;
