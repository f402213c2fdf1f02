//! The operator's console: server-rendered pages under `/console/` (docs/console.md).
//!
//! Every page is drawn from the box-office and interface API, called in-process with the
//! operator's own session cookie ([`api`]), so what the console shows and does is exactly what
//! the API allows that operator: the access rules live in one place, the API's guard. The
//! console adds only what a browser needs: the sign-in form, a CSRF token on every form
//! ([`session`]), and HTML.

mod api;
mod fields;
mod pages;
mod render;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

/// What every console handler needs.
#[derive(Clone)]
pub struct Console {
    /// The API routers (box office, interface), each behind its access guard.
    api: Router,
    /// Whether cookies are marked `Secure` (the public address is https).
    secure_cookies: bool,
    pages: Arc<render::Pages>,
}

/// The console's routes, calling `api` (the box-office and interface routers with their
/// guard) for everything it shows or changes.
pub fn router(api: Router, secure_cookies: bool) -> Router {
    use pages::*;
    let console = Console { api, secure_cookies, pages: Arc::new(render::Pages::new()) };
    Router::new()
        .route("/console", get(|| async { axum::response::Redirect::to("/console/") }))
        .route("/console/", get(dashboard::show))
        .route("/console/static/console.css", get(render::stylesheet))
        .route("/console/static/console.js", get(render::script))
        .route("/console/sign-in", get(session::sign_in_form).post(session::sign_in))
        .route("/console/sign-out", post(session::sign_out))
        .route("/console/interface", get(interface::show).post(interface::save))
        .route("/console/functions/new", get(functions::new_form))
        .route("/console/functions", post(functions::create))
        .route("/console/functions/{id}", get(functions::show).post(functions::update))
        .route("/console/functions/{id}/run", post(functions::run))
        .route("/console/runs/{id}", get(runs::show))
        .route("/console/runs/{id}/progress", get(runs::progress))
        .route("/console/runs/{id}/cancel", post(runs::cancel))
        .route("/console/templates", get(templates::list).post(templates::create))
        .route("/console/templates/new", get(templates::new_form))
        .route("/console/templates/{id}", get(templates::show).post(templates::save))
        .route("/console/templates/{id}/delete", post(templates::delete))
        .route("/console/templates/{id}/preview", post(templates::preview))
        .route("/console/tickets", get(tickets::search))
        .route("/console/tickets/{id}", get(tickets::show))
        .route("/console/tickets/{id}/{operation}", post(tickets::operate))
        .route("/console/away", get(away::show))
        .route("/console/away/export", post(away::export))
        .with_state(console)
}
