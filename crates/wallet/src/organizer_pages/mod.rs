//! The wallet organizer's own back office at `/wallet/organizer/` (docs/wallet-organizer-pages.md):
//! server-rendered pages, no script. Signed in with the organizer's login and API key (the
//! organizer API's credentials); a session cookie scoped to these pages, a CSRF token on every
//! form, and every page but the sign-in needs a live session (default deny). An organizer
//! only ever reaches its own events and tickets: another's is a 404, as an unknown one.

mod counters;
mod device_limits;
mod event;
mod events;
mod fields;
mod rules_form;
mod session;
mod sign_in;
mod ticket;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::WalletState;
use crate::error::WalletError;
use crate::pages::headers::secure_headers;
use crate::pages::html::escape;
pub(crate) use session::OrganizerSession;

/// Where these pages live.
pub(crate) const BASE: &str = "/wallet/organizer";

pub(crate) fn routes() -> Router<WalletState> {
    Router::new()
        .route(BASE, get(|| async { Redirect::permanent("/wallet/organizer/") }))
        .route("/wallet/organizer/", get(events::get_events))
        .route("/wallet/organizer/style.css", get(get_style))
        .route("/wallet/organizer/sign-in", get(sign_in::get_sign_in).post(sign_in::post_sign_in))
        .route("/wallet/organizer/sign-out", post(sign_in::post_sign_out))
        .route("/wallet/organizer/events/{event}", get(event::get_event))
        .route("/wallet/organizer/events/{event}/rules", post(event::post_rules))
        .route("/wallet/organizer/events/{event}/find", get(event::get_find_ticket))
        .route("/wallet/organizer/tickets/{ticket}", get(ticket::get_ticket))
        .route("/wallet/organizer/device-limits", get(device_limits::get_limits).post(device_limits::post_limits))
        .layer(axum::middleware::from_fn(secure_headers))
}

/// The organizer pages' additions to the wallet's style sheet: room for tables, hints, the
/// chain's mark. Colours keep a contrast of at least 4.5:1 on white; focus stays visible.
const STYLE: &str = "body{max-width:64rem}table{border-collapse:collapse;margin:.6rem 0}
th,td{border-bottom:1px solid #99a;padding:.35rem .6rem;text-align:left;vertical-align:top}td.n,th.n{text-align:right}
caption{text-align:left;font-weight:bold;padding:.3rem 0}.hint{color:#3d4451;font-size:.9rem;margin:.1rem 0}
.verified{color:#0a5a2a;font-weight:bold}.broken{color:#a00;font-weight:bold}.summary{border:2px solid #a00;padding:.4rem .8rem}
.notice{border:2px solid #0a5a2a;padding:.4rem .8rem}.once{font-family:monospace;font-size:1.5rem;letter-spacing:.12em}
.check label{display:inline;margin-left:.3rem}fieldset{border:1px solid #99a;margin:.8rem 0}legend{font-weight:bold}
select{font-size:1rem;padding:.3rem}select:focus-visible,input:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}
header form{margin:0}.table-wrap{overflow-x:auto}code{word-break:break-all}";

async fn get_style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

/// A whole page: the wallet's style sheet and these pages' own, a banner with the organizer's
/// navigation and sign-out when signed in, and `body` (already HTML) in `main`.
pub(crate) fn frame(title: &str, signed_in: Option<(&OrganizerSession, &str)>, body: &str) -> String {
    let nav = match signed_in {
        Some((session, csrf)) => format!(
            "<nav aria-label=\"Back office\"><ul><li><a href=\"/wallet/organizer/\">Events</a></li>\
             <li><a href=\"/wallet/organizer/device-limits\">Device limits</a></li>\
             <li>{}</li></ul></nav>",
            crate::pages::html::form("/wallet/organizer/sign-out", csrf, "", &format!("Sign out {}", session.login))
        ),
        None => String::new(),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Wallet back office</title><link rel=\"stylesheet\" href=\"/wallet/app.css\">\
         <link rel=\"stylesheet\" href=\"/wallet/organizer/style.css\"></head>\
         <body><a class=\"skip\" href=\"#main\">Skip to the content</a><header><p>Wallet back office</p>{nav}</header>\
         <main id=\"main\">{body}</main></body></html>",
        escape(title)
    )
}

/// A page that could not be served: a status and a sentence for a person.
#[derive(Debug)]
pub(crate) struct OrgPageError(pub StatusCode, pub String);

impl OrgPageError {
    /// Unknown, or another organizer's: the two look the same.
    pub(crate) fn not_found() -> Self {
        Self(StatusCode::NOT_FOUND, "There is no such page among your events and tickets.".into())
    }
}

impl From<sqlx::Error> for OrgPageError {
    fn from(err: sqlx::Error) -> Self {
        Self::from(WalletError::from(err))
    }
}

impl From<WalletError> for OrgPageError {
    fn from(err: WalletError) -> Self {
        let api: tixbridge_web::ApiError = err.into();
        Self(api.status, api.error)
    }
}

impl IntoResponse for OrgPageError {
    fn into_response(self) -> Response {
        let title = if self.0 == StatusCode::NOT_FOUND { "Not found" } else { "Something went wrong" };
        let body = format!(
            "<h1>{title}</h1><p class=\"error\">{}</p><p><a href=\"/wallet/organizer/\">Back to your events</a></p>",
            escape(&self.1)
        );
        (self.0, Html(frame(title, None, &body))).into_response()
    }
}

/// A path segment naming one of the wallet's rows (`/events/{event}`): a number, else nothing
/// is found.
pub(crate) fn row_id(segment: &str) -> Result<i64, OrgPageError> {
    segment.parse().map_err(|_| OrgPageError::not_found())
}
