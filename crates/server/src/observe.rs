//! Every HTTP request, observed once (docs/observability.md): a request id (the caller's
//! `X-Request-Id` when it is sane, else a new one) returned as `X-Request-Id`, one log line with
//! method, route, status and duration, and the latency in the metrics by route and status.
//!
//! The route is the matched template (`/api/boxoffice/organizations/{org}/tickets/{id}`), never
//! the raw path: paths carry ids, codes and tokens, which neither belong in a log line nor make
//! bounded metric labels. A request no route matched is `unmatched`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tixbridge_store::Metrics;

/// The header carrying the request id, in and out.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest incoming request id kept; a longer one is replaced.
const MAX_REQUEST_ID: usize = 64;

/// The request id a handler may quote (e.g. in an error it logs), from the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn observe_request(State(metrics): State<Metrics>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_sane(id))
        .map_or_else(new_request_id, str::to_owned);
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().clone();
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    metrics.http_request(method.as_str(), &route, status, took);
    tracing::info!(
        target: "tixbridge::http",
        method = %method,
        request.id = %id,
        route = %route,
        status,
        duration_ms = took.as_secs_f64() * 1000.0,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// A caller's id is kept when it is short and made of letters, digits, `-`, `_`, `.` and `:`
/// only: it goes into log lines and a response header, so nothing else gets through.
fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::is_sane;

    #[test]
    fn request_ids_with_other_characters_or_too_long_are_not_kept() {
        assert!(is_sane("abc-123_X.y:z"));
        assert!(!is_sane(""));
        assert!(!is_sane("has space"));
        assert!(!is_sane("line\nbreak"));
        assert!(!is_sane(&"a".repeat(65)));
        assert!(is_sane(&"a".repeat(64)));
    }
}
