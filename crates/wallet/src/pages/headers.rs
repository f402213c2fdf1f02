//! What every answer under `/wallet/` tells the browser: run only this site's own script and
//! style files (no inline script), never be framed, send no referrer (the sign-in link's token
//! is in the URL), never guess a content type, and keep nothing in the HTTP cache (the pages
//! show personal data and entry codes; only the wallet's own service worker keeps the list and
//! ticket pages for offline use, docs/offline-entry-code.md). The script and style are served
//! here as files so the policy can stay this strict.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy of every wallet page.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the headers above to every wallet answer.
pub(crate) async fn secure_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The wallet's one script, `assets/qr.js` (a QR encoder) then `assets/app.js`: the service
/// worker's installation and the ticket page's entry code, made on the device each period.
const SCRIPT: &str = concat!(include_str!("../../assets/qr.js"), include_str!("../../assets/app.js"));

pub(crate) async fn get_script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

pub(crate) async fn get_style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], super::html::STYLE)
}
