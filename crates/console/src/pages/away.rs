//! Away fans (docs/console.md#away-fans): choose a performance and, if wanted, a seat category
//! or contingent; download the away club's spreadsheet as CSV or `.xlsx` (a POST: the export
//! prints the tickets and records itself); and see which exported tickets the wallet holds now,
//! from the wallet mirror feedback keeps on each box-office ticket — no wallet call.

use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ctx;
use crate::Console;
use crate::api::{Problem, org_path, results, segment};
use crate::session::{Operator, Posted};

/// The most exported tickets the page lists (ten API pages).
const MOST_LISTED: usize = 10_000;

/// Which export the operator chose: a performance (product and performance codes) and at most
/// one of a seat category and a contingent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Choice {
    pub product: String,
    pub performance: String,
    pub seat_category: String,
    pub contingent: String,
}

impl Choice {
    fn trimmed(self) -> Choice {
        Choice {
            product: self.product.trim().to_owned(),
            performance: self.performance.trim().to_owned(),
            seat_category: self.seat_category.trim().to_owned(),
            contingent: self.contingent.trim().to_owned(),
        }
    }

    fn chosen(&self) -> bool {
        !self.product.is_empty() && !self.performance.is_empty()
    }

    /// The export's query: `?seatCategory=…&contingent=…`, or nothing.
    fn filter_query(&self) -> String {
        let mut terms = Vec::new();
        if !self.seat_category.is_empty() {
            terms.push(format!("seatCategory={}", segment(&self.seat_category)));
        }
        if !self.contingent.is_empty() {
            terms.push(format!("contingent={}", segment(&self.contingent)));
        }
        if terms.is_empty() { String::new() } else { format!("?{}", terms.join("&")) }
    }

    /// Whether `ticket` is of the chosen seat category and contingent.
    fn takes(&self, ticket: &Value) -> bool {
        let matches = |wanted: &str, key: &str| wanted.is_empty() || ticket[key].as_str() == Some(wanted);
        matches(&self.seat_category, "seatCategoryCode") && matches(&self.contingent, "contingentCode")
    }
}

/// `GET /console/away?product=…&performance=…`: the choice, and once a performance is chosen
/// its exported tickets by what the wallet does with them.
pub async fn show(State(console): State<Console>, operator: Operator, Query(choice): Query<Choice>) -> Response {
    page(&console, &operator, StatusCode::OK, choice.trimmed(), None).await
}

/// `POST /console/away/export` (`format` csv or xlsx): the spreadsheet, as a download.
pub async fn export(State(console): State<Console>, posted: Posted) -> Response {
    let Posted { operator, fields } = posted;
    let choice = Choice {
        product: fields.text("product").to_owned(),
        performance: fields.text("performance").to_owned(),
        seat_category: fields.text("seatCategory").to_owned(),
        contingent: fields.text("contingent").to_owned(),
    }
    .trimmed();
    let suffix = match fields.text("format") {
        "csv" => "",
        "xlsx" => ".xlsx",
        _ => {
            let problem = Problem { message: "choose CSV or .xlsx".into(), field: Some("format".into()) };
            return page(&console, &operator, StatusCode::UNPROCESSABLE_ENTITY, choice, Some(problem)).await;
        }
    };
    if !choice.chosen() {
        let problem =
            Problem { message: "choose a product and a performance".into(), field: Some("performance".into()) };
        return page(&console, &operator, StatusCode::UNPROCESSABLE_ENTITY, choice, Some(problem)).await;
    }
    let path = org_path(
        &operator.organization,
        &format!(
            "/performances/{}/{}/away-export{suffix}{}",
            segment(&choice.product),
            segment(&choice.performance),
            choice.filter_query()
        ),
    );
    let answer = console.call_raw(&operator.who, Method::POST, &path, None).await;
    if answer.status.is_success() {
        let header = |name| answer.headers.get(name).cloned();
        let mut response = (StatusCode::OK, answer.bytes.clone()).into_response();
        for name in [CONTENT_TYPE, CONTENT_DISPOSITION] {
            if let Some(value) = header(name.clone()) {
                response.headers_mut().insert(name, value);
            }
        }
        response.headers_mut().insert(CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
        return response;
    }
    let reply = answer.reply();
    if matches!(reply.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
        return console.problem(Some(&operator), &reply);
    }
    page(&console, &operator, reply.status, choice, Some(Problem::of(&reply))).await
}

async fn page(
    console: &Console,
    operator: &Operator,
    status: StatusCode,
    choice: Choice,
    problem: Option<Problem>,
) -> Response {
    let mut performance = Value::Null;
    let mut groups = Value::Null;
    let mut more = false;
    if choice.chosen() {
        let path = org_path(
            &operator.organization,
            &format!("/products/{}/performances/{}", segment(&choice.product), segment(&choice.performance)),
        );
        let found = console.get(&operator.who, &path).await;
        if !found.ok() {
            return console.problem(Some(operator), &found);
        }
        performance = found.body;
        let (tickets, cut) = match exported(console, operator, &choice).await {
            Ok(listed) => listed,
            Err(response) => return response,
        };
        more = cut;
        groups = by_wallet(tickets);
    }
    let values = json!({ "choice": choice, "performance": performance, "groups": groups, "more": more,
        "problem": problem, "mostListed": MOST_LISTED });
    console.render_status(status, "away.html", operator, context! { title => "Away fans", ..ctx(&values) })
}

/// The chosen performance's tickets an away export listed, of the chosen category or
/// contingent; `true` when more than [`MOST_LISTED`] were left out.
async fn exported(console: &Console, operator: &Operator, choice: &Choice) -> Result<(Vec<Value>, bool), Response> {
    let mut next = Some(org_path(
        &operator.organization,
        &format!(
            "/tickets?awayExported=true&limit=1000&product={}&performance={}",
            segment(&choice.product),
            segment(&choice.performance)
        ),
    ));
    let mut tickets = Vec::new();
    while let Some(path) = next.take() {
        let reply = console.get(&operator.who, &path).await;
        if !reply.ok() {
            return Err(console.problem(Some(operator), &reply));
        }
        tickets.extend(results(&reply.body, "tickets").into_iter().filter(|ticket| choice.takes(ticket)));
        if tickets.len() >= MOST_LISTED {
            tickets.truncate(MOST_LISTED);
            return Ok((tickets, reply.body["next"].is_string()));
        }
        // `next` is the same request's full address; the API is called by its path.
        next = reply.body["next"].as_str().and_then(|url| url.find("/api/").map(|at| url[at..].to_owned()));
    }
    Ok((tickets, false))
}

/// The exported tickets in three groups by the wallet mirror: held by the wallet now (a
/// wallet status other than deleted), deleted from it, and not seen there yet (feedback has
/// not brought the ticket back: the club's file may have left it out).
fn by_wallet(tickets: Vec<Value>) -> Value {
    let (mut held, mut deleted, mut unseen) = (Vec::new(), Vec::new(), Vec::new());
    for ticket in tickets {
        match ticket["mobileStatus"].as_str() {
            None => unseen.push(ticket),
            Some("DELETED" | "DELETION_PENDING") => deleted.push(ticket),
            Some(_) => held.push(ticket),
        }
    }
    let total = held.len() + deleted.len() + unseen.len();
    json!({ "total": total, "held": held, "deleted": deleted, "unseen": unseen })
}
