//! Signing in and out of the console, who is signed in, and the CSRF token of every form.
//!
//! The session is the box office's operator session (`POST /api/boxoffice/session`): its
//! cookie is `HttpOnly`, `SameSite=Strict`, `Secure` on https, and it ends after 30 minutes
//! without use. Every form carries a token derived from the session's secret (which scripts
//! cannot read), and every POST is refused without it. The sign-in form, before any session,
//! carries a random token that must match a cookie of its own (double submit).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, FromRequest, FromRequestParts, Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tixbridge_boxoffice::access::guard::cookie;
use tixbridge_boxoffice::access::sessions;

use crate::Console;
use crate::api::{As, Problem};
use crate::fields::Fields;

/// The cookie holding the sign-in form's token.
const SIGN_IN_COOKIE: &str = "tixbridge_console_csrf";

/// The signed-in operator, as the API knows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Operator {
    #[serde(skip)]
    pub who: As,
    pub organization: String,
    pub role: String,
    pub email: String,
    /// The token every form of this session carries.
    pub csrf: String,
}

impl Operator {
    /// May change the interface, functions, templates (admins).
    pub fn may_administer(&self) -> bool {
        self.role == "admin"
    }

    /// May run functions and change tickets (admins, operators).
    pub fn may_write(&self) -> bool {
        matches!(self.role.as_str(), "admin" | "operator")
    }
}

/// The CSRF token of the session whose cookie is `cookie`: not guessable without the cookie,
/// which scripts of other sites (and of this one: `HttpOnly`) cannot read.
fn csrf_of(cookie: &str) -> String {
    hex::encode(&Sha256::digest(format!("tixbridge console form|{cookie}"))[..16])
}

fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn client(parts: &Parts) -> Option<SocketAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| *addr)
}

/// Where a request without a live session is sent.
fn to_sign_in(parts: &Parts) -> Response {
    let next = if parts.method == Method::GET { parts.uri.path() } else { "/console/" };
    Redirect::to(&format!("/console/sign-in?next={}", crate::api::segment(next))).into_response()
}

impl FromRequestParts<Console> for Operator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Console) -> Result<Self, Response> {
        let Some(value) = cookie(&parts.headers, sessions::COOKIE) else { return Err(to_sign_in(parts)) };
        let who = As { cookie: value, client: client(parts) };
        let reply = console.get(&who, "/api/boxoffice/session").await;
        if reply.status == StatusCode::UNAUTHORIZED {
            return Err(to_sign_in(parts));
        }
        if !reply.ok() || reply.body["kind"] != "operator" {
            return Err(console.problem(None, &reply));
        }
        let text = |key: &str| reply.body[key].as_str().unwrap_or_default().to_owned();
        Ok(Operator {
            csrf: csrf_of(&who.cookie),
            organization: text("organization"),
            role: text("role"),
            email: text("name"),
            who,
        })
    }
}

/// A submitted console form whose CSRF token matched: the operator and the form's fields.
pub struct Posted {
    pub operator: Operator,
    pub fields: Fields,
}

impl FromRequest<Console> for Posted {
    type Rejection = Response;

    async fn from_request(request: Request, console: &Console) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let operator = Operator::from_request_parts(&mut parts, console).await?;
        let request = Request::from_parts(parts, body);
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, console)
            .await
            .map_err(|rejection| rejection.into_response())?;
        let fields = Fields::new(pairs);
        if !same(fields.text("csrf"), &operator.csrf) {
            return Err(refused_form(console, Some(&operator)));
        }
        Ok(Posted { operator, fields })
    }
}

fn refused_form(console: &Console, operator: Option<&Operator>) -> Response {
    let body = console.pages.page(
        "message.html",
        operator,
        context! {
            title => "Form refused",
            message => "This form is out of date or did not come from the console (its security token did not match). Nothing was changed: go back, reload the page and try again.",
        },
    );
    (StatusCode::FORBIDDEN, body).into_response()
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// A path inside the console to go to after signing in; anything else is the dashboard.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with("/console/") && !path.starts_with("//") && !path.contains("://") => {
            path.to_owned()
        }
        _ => "/console/".to_owned(),
    }
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn sign_in_page(
    console: &Console,
    next: &str,
    values: Value,
    problem: Option<Problem>,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let secure = if console.secure_cookies { "; Secure" } else { "" };
    let set = format!("{SIGN_IN_COOKIE}={token}; Path=/console/; HttpOnly; SameSite=Strict{secure}");
    let body = console.pages.page(
        "sign_in.html",
        None,
        context! { title => "Sign in", csrf => token, next => next, values => values, problem => problem },
    );
    let mut response = (status, body).into_response();
    if let Ok(value) = HeaderValue::from_str(&set) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// `GET /console/sign-in`.
pub async fn sign_in_form(
    State(console): State<Console>,
    axum::extract::Query(query): axum::extract::Query<NextQuery>,
) -> Response {
    sign_in_page(&console, &safe_next(query.next.as_deref()), json!({}), None, StatusCode::OK)
}

/// `POST /console/sign-in`: signs in through `POST /api/boxoffice/session` and hands its
/// cookie to the browser.
pub async fn sign_in(State(console): State<Console>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let expected = cookie(&parts.headers, SIGN_IN_COOKIE).unwrap_or_default();
    let who = As { cookie: String::new(), client: client(&parts) };
    let Ok(Form(pairs)) = Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), &console).await
    else {
        return (StatusCode::BAD_REQUEST, "a form was expected").into_response();
    };
    let fields = Fields::new(pairs);
    let next = safe_next(Some(fields.text("next")));
    let values = json!({ "organization": fields.text("organization"), "email": fields.text("email") });
    if !same(fields.text("csrf"), &expected) {
        let problem = Problem { message: "The form was out of date; please sign in again.".into(), field: None };
        return sign_in_page(&console, &next, values, Some(problem), StatusCode::FORBIDDEN);
    }
    let body = json!({
        "organization": fields.text("organization").trim(),
        "email": fields.text("email").trim(),
        "password": fields.text("password"),
    });
    let reply = console.call(&who, Method::POST, "/api/boxoffice/session", Some(body)).await;
    if !reply.ok() {
        let status = reply.status;
        return sign_in_page(&console, &next, values, Some(Problem::of(&reply)), status);
    }
    let Some(set_cookie) = reply.set_cookie.clone() else {
        return console.problem(None, &reply);
    };
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = HeaderValue::from_str(&set_cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// `POST /console/sign-out`: ends the session (`DELETE /api/boxoffice/session`).
pub async fn sign_out(State(console): State<Console>, posted: Posted) -> Response {
    let reply = console.call(&posted.operator.who, Method::DELETE, "/api/boxoffice/session", None).await;
    let mut response = Redirect::to("/console/sign-in").into_response();
    if let Some(Ok(value)) = reply.set_cookie.as_deref().map(HeaderValue::from_str) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}
