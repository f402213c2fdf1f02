//! Signing in with the organizer's login and API key (the organizer API's credentials), and
//! signing out. Every attempt counts in the wallet's sign-in throttle (`ratelimit.rs`), under
//! the login and the client's network, before the key is looked at. The sign-in form carries a
//! CSRF token bound to a cookie of its own, so another site cannot sign a browser in.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::fields::{FieldErrors, input};
use super::session::{self, COOKIE_SECONDS, OrganizerSession, SESSION_COOKIE, same_token, set_cookie, sign_in_csrf};
use super::{OrgPageError, frame};
use crate::WalletState;
use crate::error::WalletError;
use crate::pages::html::escape;
use crate::spectator::ClientAddr;
use crate::spectator::session::random_token;

/// The sign-in form's own cookie, which its CSRF token is bound to.
const SIGN_IN_COOKIE: &str = "tb_org_sign_in";

/// The sign-in page; `problem` is a sentence above the form (a throttle, an expired form).
fn sign_in_page(csrf: &str, login: &str, errors: &FieldErrors, problem: Option<&str>) -> String {
    let problem = problem.map_or_else(String::new, |p| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(p)));
    let fields = [
        input("login", "Login (e-mail address)", "email", login, None, errors, "autocomplete=\"username\" required"),
        input(
            "apiKey",
            "API key",
            "password",
            "",
            Some("The key the wallet gave your organization (it starts with tbk_)."),
            errors,
            "autocomplete=\"current-password\" required",
        ),
    ]
    .concat();
    let body = format!(
        "<h1>Sign in to the wallet back office</h1>{problem}{}",
        crate::pages::html::form("/wallet/organizer/sign-in", csrf, &fields, "Sign in")
    );
    frame("Sign in", None, &body)
}

/// The sign-in cookie the browser holds, or a new one to set.
fn sign_in_cookie(headers: &HeaderMap) -> (String, bool) {
    match crate::pages::cookie(headers, SIGN_IN_COOKIE) {
        Some(value) if !value.is_empty() => (value, false),
        _ => (random_token("tbs_"), true),
    }
}

/// Answers the sign-in page with `status`, setting its cookie when the browser had none.
fn answer(state: &WalletState, headers: &HeaderMap, status: StatusCode, page: impl Fn(&str) -> String) -> Response {
    let (cookie, new) = sign_in_cookie(headers);
    let mut response = (status, Html(page(&sign_in_csrf(state, &cookie)))).into_response();
    if new && let Ok(value) = HeaderValue::from_str(&set_cookie(state, SIGN_IN_COOKIE, &cookie, 3600)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(crate) async fn get_sign_in(State(state): State<WalletState>, headers: HeaderMap) -> Response {
    answer(&state, &headers, StatusCode::OK, |csrf| sign_in_page(csrf, "", &FieldErrors::default(), None))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    api_key: String,
}

pub(crate) async fn post_sign_in(
    State(state): State<WalletState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, OrgPageError> {
    let login = form.login.trim().to_lowercase();
    let refuse = |status: StatusCode, errors: FieldErrors, problem: Option<String>| {
        answer(&state, &headers, status, |csrf| sign_in_page(csrf, &login, &errors, problem.as_deref()))
    };
    let bound = crate::pages::cookie(&headers, SIGN_IN_COOKIE).map(|cookie| sign_in_csrf(&state, &cookie));
    if !bound.is_some_and(|expected| same_token(&expected, &form.csrf)) {
        let problem = "The sign-in form had expired. Please sign in again.".to_owned();
        return Ok(refuse(StatusCode::FORBIDDEN, FieldErrors::default(), Some(problem)));
    }
    let mut errors = FieldErrors::default();
    if !login.contains('@') {
        errors.add("login", "Enter your login: the e-mail address your organization signs in with.");
    }
    if form.api_key.trim().is_empty() {
        errors.add("apiKey", "Enter your API key.");
    }
    if !errors.is_empty() {
        return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, errors, None));
    }
    match state.limiter.attempt(&state.db, &format!("organizer:{login}"), addr).await {
        Err(WalletError::TooMany(why)) => {
            let problem = format!("Too many sign-in attempts: {}.", why.rsplit(": ").next().unwrap_or(&why));
            return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, FieldErrors::default(), Some(problem)));
        }
        other => other?,
    }
    let Some(organizer) = crate::organizers::authenticate(&state.db, Some(&login), form.api_key.trim()).await? else {
        let mut errors = FieldErrors::default();
        errors.add("apiKey", "This login and API key do not match. Check both and try again.");
        return Ok(refuse(StatusCode::UNAUTHORIZED, errors, None));
    };
    let token = session::open(&state, organizer).await?;
    let mut response = Redirect::to("/wallet/organizer/").into_response();
    for cookie in
        [set_cookie(&state, SESSION_COOKIE, &token, COOKIE_SECONDS), set_cookie(&state, SIGN_IN_COOKIE, "", 0)]
    {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn post_sign_out(
    State(state): State<WalletState>,
    session: OrganizerSession,
    Form(form): Form<CsrfForm>,
) -> Result<Response, OrgPageError> {
    session.check_csrf(&state, &form.csrf)?;
    session::close(&state, &session).await?;
    let cookie = set_cookie(&state, SESSION_COOKIE, "", 0);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/wallet/organizer/sign-in")).into_response())
}
