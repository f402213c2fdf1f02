//! What makes the wallet pages an installable web app that opens offline
//! (docs/offline-entry-code.md): the web app manifest, its icon, and the service worker,
//! which keeps the ticket list and the ticket pages (and their script and style) in the
//! browser's cache and answers them from there when the network is gone.

use axum::http::header;
use axum::response::IntoResponse;

const MANIFEST: &str = include_str!("../../assets/manifest.webmanifest");
const SERVICE_WORKER: &str = include_str!("../../assets/sw.js");
const ICON: &str = include_str!("../../assets/icon.svg");

pub(crate) async fn get_manifest() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/manifest+json")], MANIFEST)
}

/// The service worker; at `/wallet/sw.js`, so its scope is `/wallet/` and nothing else.
pub(crate) async fn get_service_worker() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SERVICE_WORKER)
}

pub(crate) async fn get_icon() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "image/svg+xml")], ICON)
}
