//! A browser without a browser, for the web wallet's pages over real HTTP: it keeps the cookies
//! the server sets (as a browser does), sends an `Accept-Language`, follows no redirect on its
//! own, and reads what a page offers (its forms' CSRF token, links in mails).

use std::collections::BTreeMap;
use std::sync::Mutex;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};

use crate::common::TestApp;

pub struct PageClient {
    client: reqwest::Client,
    base: String,
    cookies: Mutex<BTreeMap<String, String>>,
    accept_language: String,
}

impl PageClient {
    /// A fresh browser (no cookie) that prefers `accept_language`.
    pub fn new(app: &TestApp, accept_language: &str) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { client, base: app.url(""), cookies: Default::default(), accept_language: accept_language.into() }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base.trim_end_matches('/')) }
    }

    fn cookie_header(&self) -> String {
        self.cookies.lock().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// The value of cookie `name` this browser holds.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    async fn read(&self, response: reqwest::Response) -> (StatusCode, String) {
        {
            let mut jar = self.cookies.lock().unwrap();
            for value in response.headers().get_all(SET_COOKIE) {
                let value = value.to_str().unwrap();
                let (name, rest) = value.split(';').next().unwrap().split_once('=').unwrap();
                if rest.is_empty() || value.contains("Max-Age=0") {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_owned(), rest.to_owned());
                }
            }
        }
        let status = response.status();
        let location = response.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
        let text = response.text().await.unwrap();
        (status, location.map(|l| format!("redirect to {l}")).unwrap_or(text))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let request = self.client.get(self.url(path)).header(ACCEPT_LANGUAGE, &self.accept_language);
        let response = request.header(COOKIE, self.cookie_header()).send().await.unwrap();
        self.read(response).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let request = self.client.post(self.url(path)).header(ACCEPT_LANGUAGE, &self.accept_language);
        let response = request.header(COOKIE, self.cookie_header()).form(form).send().await.unwrap();
        self.read(response).await
    }

    /// Signs in with a freshly issued link for `email`, pressing the link page's button.
    pub async fn sign_in(&self, app: &TestApp, email: &str) -> (StatusCode, String) {
        let token = link_token(app, email).await;
        self.post("/wallet/sign-in/link", &[("token", &token)]).await
    }
}

/// A freshly issued sign-in link token for `email`.
pub async fn link_token(app: &TestApp, email: &str) -> String {
    tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &crate::common::test_key(), email)
        .await
        .unwrap()
        .expect("the spectator exists")
        .link_token
}

/// The CSRF token of the first form on `page`.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).expect("a form with a CSRF token").split('"').next().unwrap().to_owned()
}

/// The first address in `text` starting with `prefix` (up to white space).
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The wallet id of the ticket the page links to for ticket `ticket_id` (home page card).
pub fn ticket_link_id(home: &str, ticket_id: &str) -> i64 {
    let card =
        home.split("<div class=\"card\">").find(|c| c.contains(&format!("· {ticket_id}<"))).expect("the ticket's card");
    card.split("/wallet/tickets/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
}
