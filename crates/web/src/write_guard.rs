//! The browser guard of the JSON APIs: a request that changes something must come from this
//! site or from no site at all, and must say it is JSON.
//!
//! A page on another site can make a visitor's browser send a "simple" cross-site request — a
//! form post or a `fetch` with `text/plain` — without asking first, and the browser attaches
//! whatever it holds for us (cookies). Two rules close that door for every write (`POST`,
//! `PUT`, `PATCH`, `DELETE`) under the guarded prefixes:
//!
//! - an `Origin` header that is not this site's (its scheme://host:port differs from both the
//!   configured public URL and the request's `Host`) is refused with 403. Scripts and `curl`
//!   send no `Origin` and pass.
//! - the body must be `Content-Type: application/json` (415 otherwise), which no browser sends
//!   cross-site without a CORS preflight, and this server answers no preflight. A write with no
//!   body and no content type passes (nothing for a form to smuggle). A few routes take another
//!   type (a CSV upload) and name it here.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// Which requests the guard looks at, and which site is ours.
#[derive(Debug, Clone)]
pub struct WriteGuard {
    prefixes: Vec<String>,
    /// `(path suffix, content type)`: writes whose path ends so may also carry that type.
    other_types: Vec<(String, String)>,
    /// The origin of the configured public URL (`https://tickets.example.org`), if any.
    public_origin: Option<url::Origin>,
}

impl WriteGuard {
    /// Guards writes under each of `prefixes`; `public_url` is the address users reach this
    /// server at, when it differs from what the `Host` header says (behind a proxy).
    pub fn new(prefixes: &[&str], public_url: Option<&str>) -> Self {
        Self {
            prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
            other_types: Vec::new(),
            public_origin: public_url.and_then(|u| url::Url::parse(u).ok()).map(|u| u.origin()),
        }
    }

    /// Lets writes whose path ends with `suffix` carry `content_type` instead of JSON.
    pub fn allow_type_at(mut self, suffix: &str, content_type: &str) -> Self {
        self.other_types.push((suffix.to_owned(), content_type.to_owned()));
        self
    }

    /// Checks one request; `Err` is the refusal to answer with.
    pub fn check(&self, method: &Method, path: &str, headers: &HeaderMap) -> Result<(), ApiError> {
        let write = matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
        if !write || !self.prefixes.iter().any(|p| path.starts_with(p.as_str())) {
            return Ok(());
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("null");
            if !self.is_own_origin(origin, headers) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    format!("requests from another site ({origin}) may not change anything here"),
                )
                .with_field("Origin"));
            }
        }
        self.check_content_type(path, headers)
    }

    fn check_content_type(&self, path: &str, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(given) = headers.get(header::CONTENT_TYPE) else {
            return if has_body(headers) { Err(unsupported("none", "application/json")) } else { Ok(()) };
        };
        let given = given.to_str().unwrap_or("");
        let essence = given.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence == "application/json" {
            return Ok(());
        }
        let other = self.other_types.iter().find(|(suffix, _)| path.ends_with(suffix.as_str()));
        match other {
            Some((_, allowed)) if essence == *allowed => Ok(()),
            Some((_, allowed)) => Err(unsupported(given, &format!("application/json or {allowed}"))),
            None => Err(unsupported(given, "application/json")),
        }
    }

    /// Whether `origin` (the header's text) names this site: the public URL's origin, or the
    /// host and port the request was addressed to (either scheme: a TLS proxy may sit in front).
    fn is_own_origin(&self, origin: &str, headers: &HeaderMap) -> bool {
        let Ok(parsed) = url::Url::parse(origin) else { return false };
        let origin = parsed.origin();
        if !origin.is_tuple() {
            return false;
        }
        if self.public_origin.as_ref() == Some(&origin) {
            return true;
        }
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
        let Ok(addressed) = url::Url::parse(&format!("{}://{host}", parsed.scheme())) else { return false };
        addressed.origin() == origin
    }
}

fn has_body(headers: &HeaderMap) -> bool {
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).map(str::trim);
    headers.contains_key(header::TRANSFER_ENCODING) || length.is_some_and(|l| l != "0")
}

fn unsupported(given: &str, wanted: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("a request that changes something must be sent as Content-Type: {wanted} (got {given})"),
    )
    .with_field("Content-Type")
}

/// The guard as an axum middleware: `axum::middleware::from_fn_with_state(guard, guard_writes)`.
pub async fn guard_writes(
    axum::extract::State(guard): axum::extract::State<std::sync::Arc<WriteGuard>>,
    request: Request,
    next: Next,
) -> Response {
    match guard.check(request.method(), request.uri().path(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}
