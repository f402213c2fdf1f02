//! Who may use the console: every page sends a visitor without a live session to the sign-in
//! form and every form is refused without one; another organization's objects are 404; a
//! role is offered only what it may do and refused the rest by the server; every form
//! without its CSRF token is refused and changes nothing; the session cookie is HttpOnly and
//! SameSite=Strict, and ends on sign-out and after 30 idle minutes.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use tixbridge_store::sql;

use crate::common::TestApp;
use crate::common::seed::injection_settings;

/// A browser-like client of the console: no automatic redirects, cookies kept by hand.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    pub cookies: Vec<(String, String)>,
}

/// An answer of the console: status, `Location`, the page.
pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub html: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { http, base: app.url(""), cookies: Vec::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn answer(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let (name, rest) = text.split(';').next().unwrap().split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != name);
            if !rest.is_empty() && !text.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), rest.to_owned()));
            }
        }
        let status = response.status();
        let location = response.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        Page { status, location, html: response.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response =
            self.http.get(format!("{}{path}", self.base)).header(COOKIE, self.cookie_header()).send().await.unwrap();
        self.answer(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.answer(response).await
    }

    /// Signs in through the console's form; the answer of the form's POST.
    pub async fn sign_in(&mut self, org: &str, email: &str, password: &str) -> Page {
        let form = self.get("/console/sign-in").await;
        let token = csrf_of(&form.html);
        self.post(
            "/console/sign-in",
            &[("csrf", &token), ("organization", org), ("email", email), ("password", password), ("next", "/console/")],
        )
        .await
    }

    /// The CSRF token of this session's forms (read from the dashboard).
    pub async fn csrf(&mut self) -> String {
        csrf_of(&self.get("/console/").await.html)
    }
}

/// The value of the first `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a form with a csrf field") + 19;
    html[start..].split('"').next().unwrap().to_owned()
}

const PASSWORD: &str = "correct horse battery staple";

/// An operator of `org` with `role`, signed in to the console.
pub async fn signed_in(app: &TestApp, org: &str, role: &str) -> Browser {
    let email = format!("{role}@{}.example.org", org.to_lowercase());
    let (status, body) = app
        .post_json(
            &format!("/api/boxoffice/organizations/{org}/operators"),
            "",
            &json!({ "email": email, "role": role, "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut browser = Browser::new(app);
    let page = browser.sign_in(org, &email, PASSWORD).await;
    assert_eq!((page.status, page.location.as_str()), (StatusCode::SEE_OTHER, "/console/"), "{}", page.html);
    browser
}

/// Organization `org` with an interface, an injection function that has run once, a template
/// and tickets: `(function id, run id, template id, first ticket id)`.
pub async fn organization_with_everything(app: &TestApp, org: &str) -> (i64, i64, i64, i64) {
    let seeded = app.seed_match(org, 3).await;
    app.configure_interface(&seeded, None, json!({ "type": "TIXNGO_WITH_TEMPLATE" })).await;
    let function = app.function(org, "INJECTION", injection_settings()).await;
    let run = app.run(function).await;
    let template = app
        .create(
            &format!("/api/boxoffice/organizations/{org}/templates"),
            json!({ "name": "Gold", "source": "{\"eventName\": \"Gold ${Product_name}\"}" }),
        )
        .await;
    (
        function,
        run["runId"].as_i64().or(run["id"].as_i64()).unwrap(),
        template["id"].as_i64().unwrap(),
        seeded.ticket_ids[0],
    )
}

/// How many runs function `function` (of FCA) has.
async fn run_count(app: &TestApp, function: i64) -> usize {
    let token = app.admin_token_for("FCA").await;
    let (_, runs) = app.get_json(&format!("/api/boxoffice/functions/{function}/runs"), &token).await;
    runs["runs"].as_array().or(runs["results"].as_array()).unwrap().len()
}

fn pages(function: i64, run: i64, template: i64, ticket: i64) -> Vec<String> {
    vec![
        "/console/".into(),
        "/console/interface".into(),
        "/console/functions/new?kind=INJECTION".into(),
        format!("/console/functions/{function}"),
        format!("/console/runs/{run}"),
        format!("/console/runs/{run}/progress"),
        "/console/templates".into(),
        "/console/templates/new".into(),
        format!("/console/templates/{template}"),
        "/console/tickets?barcode=x".into(),
        format!("/console/tickets/{ticket}"),
        "/console/away?product=FINAL&performance=P1".into(),
    ]
}

fn forms(function: i64, template: i64, ticket: i64) -> Vec<String> {
    vec![
        "/console/sign-out".into(),
        "/console/interface".into(),
        "/console/functions".into(),
        format!("/console/functions/{function}"),
        format!("/console/functions/{function}/run"),
        "/console/templates".into(),
        format!("/console/templates/{template}"),
        format!("/console/templates/{template}/delete"),
        format!("/console/templates/{template}/preview"),
        format!("/console/tickets/{ticket}/cancel"),
        format!("/console/tickets/{ticket}/reprint"),
        format!("/console/tickets/{ticket}/control"),
        "/console/away/export".into(),
    ]
}

on_both_databases! {
    async fn every_console_page_and_form_sends_a_visitor_without_a_live_session_to_the_sign_in_form(app: TestApp) {
        let (function, run, template, ticket) = organization_with_everything(&app, "FCA").await;
        let mut stranger = Browser::new(&app);
        for path in pages(function, run, template, ticket) {
            let page = stranger.get(&path).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "GET {path}");
            assert!(page.location.starts_with("/console/sign-in?next="), "GET {path}: {}", page.location);
        }
        stranger.cookies.push(("tixbridge_console".into(), "tbs_1_forged".into()));
        for path in forms(function, template, ticket) {
            let page = stranger.post(&path, &[("csrf", "x"), ("reason", "LOST"), ("name", "x")]).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "POST {path}");
            assert!(page.location.starts_with("/console/sign-in"), "POST {path}: {}", page.location);
        }
        assert_eq!(run_count(&app, function).await, 1, "no form did anything");
        assert_eq!(app.ticket("FCA", ticket).await["status"], "PRINTED");
        let sign_in = stranger.get("/console/sign-in").await;
        assert_eq!(sign_in.status, StatusCode::OK);
        assert!(sign_in.html.contains("<label for=\"password\">"), "the form has labelled fields");
    }

    async fn another_organizations_functions_runs_templates_and_tickets_are_not_found(app: TestApp) {
        let (function, run, template, ticket) = organization_with_everything(&app, "FCA").await;
        app.seed_match("FCB", 0).await;
        let mut other = signed_in(&app, "FCB", "admin").await;
        for path in [
            format!("/console/functions/{function}"),
            format!("/console/runs/{run}"),
            format!("/console/runs/{run}/progress"),
            format!("/console/templates/{template}"),
            format!("/console/tickets/{ticket}"),
        ] {
            assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "GET {path}");
        }
        let csrf = other.csrf().await;
        for path in [format!("/console/functions/{function}/run"), format!("/console/tickets/{ticket}/control")] {
            assert_eq!(other.post(&path, &[("csrf", &csrf)]).await.status, StatusCode::NOT_FOUND, "POST {path}");
        }
        assert_eq!(run_count(&app, function).await, 1);
        assert_eq!(app.ticket("FCA", ticket).await["status"], "PRINTED");
        let search = other.get(&format!("/console/tickets?barcode={}", app.ticket("FCA", ticket).await["barcode"].as_str().unwrap())).await;
        assert!(search.html.contains("0 ticket(s) found"), "{}", search.html);
    }

    async fn a_role_is_offered_only_what_it_may_do_and_the_server_refuses_the_rest(app: TestApp) {
        let (function, _, template, ticket) = organization_with_everything(&app, "FCA").await;
        let mut viewer = signed_in(&app, "FCA", "viewer").await;
        let page = viewer.get(&format!("/console/functions/{function}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.html.contains("id=\"run-now\"") && !page.html.contains("Edit the function"), "{}", page.html);
        let interface = viewer.get("/console/interface").await;
        assert!(!interface.html.contains("id=\"interface-form\"") && interface.html.contains("Wallet"));
        let ticket_page = viewer.get(&format!("/console/tickets/{ticket}")).await;
        assert!(!ticket_page.html.contains("id=\"cancel\""));
        let csrf = viewer.csrf().await;
        let refused = viewer.post(&format!("/console/functions/{function}/run"), &[("csrf", &csrf)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = viewer.post(&format!("/console/tickets/{ticket}/cancel"), &[("csrf", &csrf), ("reason", "LOST")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(run_count(&app, function).await, 1);
        assert_eq!(app.ticket("FCA", ticket).await["status"], "PRINTED");

        let mut operator = signed_in(&app, "FCA", "operator").await;
        let page = operator.get(&format!("/console/functions/{function}")).await;
        assert!(page.html.contains("id=\"run-now\"") && !page.html.contains("Edit the function"));
        let csrf = operator.csrf().await;
        let fields = [("csrf", csrf.as_str()), ("name", "Hijacked"), ("type", "TIXNGO"), ("url", "http://127.0.0.1:9/organizer/tickets"), ("login", "x@example.org")];
        assert_eq!(operator.post("/console/interface", &fields).await.status, StatusCode::FORBIDDEN);
        let (_, stored) = app.get_json("/api/boxoffice/organizations/FCA/interface", "").await;
        assert_eq!(stored["name"], "Wallet");
        let template_page = operator.post(&format!("/console/templates/{template}/delete"), &[("csrf", &csrf)]).await;
        assert_eq!(template_page.status, StatusCode::FORBIDDEN);
        let ran = operator.post(&format!("/console/functions/{function}/run"), &[("csrf", &csrf)]).await;
        assert_eq!(ran.status, StatusCode::SEE_OTHER);
        assert!(ran.location.starts_with("/console/runs/"), "{}", ran.location);
    }

    async fn a_form_without_its_sessions_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        let (function, _, template, ticket) = organization_with_everything(&app, "FCA").await;
        let mut admin = signed_in(&app, "FCA", "admin").await;
        let mut another = signed_in(&app, "FCA", "operator").await;
        let foreign_token = another.csrf().await;
        for token in ["", "0123456789abcdef0123456789abcdef", foreign_token.as_str()] {
            for path in forms(function, template, ticket) {
                let page = admin.post(&path, &[("csrf", token), ("reason", "LOST"), ("name", "x"), ("source", "{}")]).await;
                assert_eq!(page.status, StatusCode::FORBIDDEN, "POST {path} with token {token:?}");
            }
        }
        assert_eq!(run_count(&app, function).await, 1);
        assert_eq!(app.ticket("FCA", ticket).await["status"], "PRINTED");
        let (status, _) = app.get_json(&format!("/api/boxoffice/organizations/FCA/templates/{template}"), "").await;
        assert_eq!(status, StatusCode::OK, "the template is still there");
        assert_eq!(admin.get("/console/").await.status, StatusCode::OK, "still signed in");

        // the sign-in form's token must match its own cookie
        let mut visitor = crate::console_access::Browser::new(&app);
        visitor.get("/console/sign-in").await;
        let page = visitor
            .post("/console/sign-in", &[("csrf", "forged"), ("organization", "FCA"), ("email", "admin@fca.example.org"), ("password", PASSWORD)])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(!visitor.cookies.iter().any(|(name, _)| name == "tixbridge_console"));
    }

    async fn the_session_cookie_is_strict_and_http_only_and_ends_on_sign_out_and_when_idle(app: TestApp) {
        app.seed_match("FCA", 0).await;
        let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/operators", "",
            &json!({ "email": "ann@fca.example.org", "role": "admin", "password": PASSWORD })).await;
        assert_eq!(status, StatusCode::CREATED);
        let mut browser = Browser::new(&app);
        let wrong = browser.sign_in("FCA", "ann@fca.example.org", "wrong horse battery staple").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.html.contains("unknown organization, e-mail or password"), "{}", wrong.html);

        let form = browser.get("/console/sign-in").await;
        let token = csrf_of(&form.html);
        let response = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
            .post(app.url("/console/sign-in"))
            .header(COOKIE, browser.cookie_header())
            .form(&[("csrf", token.as_str()), ("organization", "FCA"), ("email", "ann@fca.example.org"), ("password", PASSWORD), ("next", "https://evil.example/")])
            .send().await.unwrap();
        assert_eq!(response.headers()[LOCATION], "/console/", "next never leaves the console");
        let set: Vec<String> = response.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        let session = set.iter().find(|c| c.starts_with("tixbridge_console=")).expect("a session cookie");
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict") && !session.contains("Secure"), "{session}");
        browser.answer(response).await;
        assert_eq!(browser.get("/console/").await.status, StatusCode::OK);

        // 31 minutes without a request end the session
        sql("UPDATE bo_operator_sessions SET last_seen_at = last_seen_at - $1")
            .bind(31 * 60 * 1000_i64)
            .execute(&mut app.app.db.writer().await.unwrap())
            .await
            .unwrap();
        let idle = browser.get("/console/interface").await;
        assert_eq!((idle.status, idle.location.as_str()), (StatusCode::SEE_OTHER, "/console/sign-in?next=%2Fconsole%2Finterface"));

        browser.sign_in("FCA", "ann@fca.example.org", PASSWORD).await;
        assert_eq!(browser.get("/console/").await.status, StatusCode::OK);
        let csrf = browser.csrf().await;
        let out = browser.post("/console/sign-out", &[("csrf", &csrf)]).await;
        assert_eq!((out.status, out.location.as_str()), (StatusCode::SEE_OTHER, "/console/sign-in"));
        let session: Value = json!(browser.cookies.iter().any(|(name, _)| name == "tixbridge_console"));
        assert_eq!(session, json!(false), "the cookie is cleared");
        assert_eq!(browser.get("/console/").await.status, StatusCode::SEE_OTHER);
    }
}
