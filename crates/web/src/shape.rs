//! The last word on every refusal: a 4xx/5xx that is not already our JSON shape — the router's
//! empty 404 and 405, a body too large, a request too slow, a framework rejection in plain
//! text — is rewritten into it here, in the API's words (docs/errors.md). HTML error pages (the
//! spectator's screens) pass untouched, and so does every answer that already is JSON.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{ApiError, MAX_BODY_BYTES};

/// The middleware: `router.layer(axum::middleware::from_fn(shape_errors))`, outermost.
pub async fn shape_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_shaped(&response) {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut shaped = refusal(status, &method, &path, allow.as_ref()).into_response();
    // the refusal keeps every header of the answer it replaces (Allow, WWW-Authenticate,
    // Retry-After, the request id, …) but the body's own
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            shaped.headers_mut().append(name, value.clone());
        }
    }
    shaped
}

/// Whether the answer is already JSON (ours) or an HTML page for a person.
fn is_shaped(response: &Response) -> bool {
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "text/html"
}

/// The 405 answer for `method` on `path`, whose methods are `allow` (`GET, POST`), with the
/// `Allow` header.
pub fn method_not_allowed(method: &Method, path: &str, allow: &str) -> Response {
    let mut response = method_not_allowed_error(method, path, allow).into_response();
    if let Ok(value) = HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

fn method_not_allowed_error(method: &Method, path: &str, allow: &str) -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not allowed on {path}; allowed: {allow}"))
        .with_field("method")
        .with_rule("method", format!("must be one of {allow}"))
}

/// The refusal a bare `status` stands for.
fn refusal(status: StatusCode, method: &Method, path: &str, allow: Option<&HeaderValue>) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found(format!("no such route: {method} {path}"))
            .with_rule("path", "names no operation of this API; see /api/openapi.json"),
        StatusCode::METHOD_NOT_ALLOWED => {
            method_not_allowed_error(method, path, allow.and_then(|a| a.to_str().ok()).unwrap_or(""))
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(status, format!("request body is larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024)))
                .with_field("body")
                .with_rule("body", format!("must be at most {MAX_BODY_BYTES} bytes"))
        }
        StatusCode::REQUEST_TIMEOUT => ApiError::new(status, "the request was not sent in time")
            .with_field("body")
            .with_rule("body", "must arrive within the client timeout"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::new(status, "the request body must be sent as Content-Type: application/json")
                .with_field("Content-Type")
                .with_rule("Content-Type", "must be application/json")
        }
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
            ApiError::new(status, "the request could not be read").with_field("body")
        }
        _ if status.is_server_error() => {
            tracing::error!(%status, %method, path, "an error answer without a body was shaped");
            ApiError::new(status, "internal error; see the server log")
        }
        _ => ApiError::new(status, status.canonical_reason().unwrap_or("refused").to_lowercase()),
    }
}
