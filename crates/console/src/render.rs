//! The console's HTML: minijinja templates compiled into the binary, autoescaped, drawn in one
//! layout (`layout.html`) with the navigation the operator's role may use.

use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, Value as Context, context};

use crate::Console;
use crate::api::{Problem, Reply};
use crate::session::Operator;

/// The templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("dashboard.html", include_str!("../templates/dashboard.html")),
    ("interface.html", include_str!("../templates/interface.html")),
    ("function_form.html", include_str!("../templates/function_form.html")),
    ("function_new.html", include_str!("../templates/function_new.html")),
    ("function.html", include_str!("../templates/function.html")),
    ("run.html", include_str!("../templates/run.html")),
    ("templates.html", include_str!("../templates/templates.html")),
    ("template.html", include_str!("../templates/template.html")),
    ("tickets.html", include_str!("../templates/tickets.html")),
    ("ticket.html", include_str!("../templates/ticket.html")),
    ("away.html", include_str!("../templates/away.html")),
];

/// The compiled templates.
pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.add_filter("when", when);
        for (name, source) in TEMPLATES {
            if let Err(err) = env.add_template(name, source) {
                panic!("console template {name} does not compile: {err:#}");
            }
        }
        Self { env }
    }

    /// Page `name` with `values`, for `operator` (none on the sign-in page).
    pub fn page(&self, name: &str, operator: Option<&Operator>, values: Context) -> Html<String> {
        let may = operator.map(|op| context! { administer => op.may_administer(), write => op.may_write() });
        let all = context! { operator => operator, may => may, ..values };
        match self.env.get_template(name).and_then(|template| template.render(all)) {
            Ok(html) => Html(html),
            Err(err) => {
                tracing::error!(page = name, error = %format!("{err:#}"), "a console page failed to render");
                Html(format!("<!doctype html><title>Error</title><p>The page {name} could not be drawn.</p>"))
            }
        }
    }
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

/// An RFC 3339 instant as `2026-12-01 10:15:31 UTC`; anything else unchanged.
fn when(value: String) -> String {
    chrono::DateTime::parse_from_rfc3339(&value)
        .map(|at| at.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or(value)
}

impl Console {
    /// The page of an API refusal: 404 and 403 keep their status, as the API answered.
    pub fn problem(&self, operator: Option<&Operator>, reply: &Reply) -> Response {
        let problem = Problem::of(reply);
        let title = match reply.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::CONFLICT => "Not now",
            status if status.is_client_error() => "Refused",
            _ => "Something went wrong",
        };
        let status = if reply.status.is_success() { StatusCode::BAD_GATEWAY } else { reply.status };
        let body = self.pages.page("message.html", operator, context! { title => title, message => problem.message });
        (status, body).into_response()
    }

    /// Renders page `name` for `operator`.
    pub fn render(&self, name: &str, operator: &Operator, values: Context) -> Response {
        self.pages.page(name, Some(operator), values).into_response()
    }

    /// Renders page `name` with status `status` (a refused form, drawn again with its problem).
    pub fn render_status(&self, status: StatusCode, name: &str, operator: &Operator, values: Context) -> Response {
        (status, self.pages.page(name, Some(operator), values)).into_response()
    }
}

/// `GET /console/static/console.css`.
pub async fn stylesheet() -> Response {
    static_file("text/css; charset=utf-8", include_str!("../static/console.css"))
}

/// `GET /console/static/console.js`.
pub async fn script() -> Response {
    static_file("text/javascript; charset=utf-8", include_str!("../static/console.js"))
}

fn static_file(kind: &'static str, text: &'static str) -> Response {
    ([(CONTENT_TYPE, kind), (CACHE_CONTROL, "max-age=300")], text).into_response()
}
