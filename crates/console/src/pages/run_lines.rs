//! A run's per-ticket lines on its page, a page of the API's list at a time
//! (`GET /api/boxoffice/runs/{id}/lines`, its cursor carried in the page's "Next lines" link).
//! "Every line" shows the run's log lines (what did not go through, and notes) first, then the
//! tickets the wallet accepted; a filter shows one kind. A ticket is searched by its id or its
//! barcode: a barcode the organization's tickets know is searched as that ticket's id.

use serde_json::{Value, json};

use crate::Console;
use crate::api::{Reply, org_path, results, segment};
use crate::session::Operator;

/// The kinds a line may be filtered by (the API's `kind`).
pub const KINDS: [&str; 4] = ["accepted", "rejected", "skipped", "note"];

/// What the page was asked to show.
#[derive(serde::Deserialize, Default)]
pub struct LinesAsked {
    /// A kind of [`KINDS`]; empty: every line.
    show: Option<String>,
    /// A ticket id or barcode.
    ticket: Option<String>,
    /// Every line: `log` (first) or `accepted` (then).
    part: Option<String>,
    /// The API's cursor of the page to show.
    cursor: Option<String>,
    /// How many lines the pages before this one showed (for "lines 101 to 200").
    at: Option<u64>,
}

/// The lines a run's page shows, ready for its template.
#[derive(serde::Serialize)]
pub struct Lines {
    items: Vec<Value>,
    show: Option<String>,
    /// The ticket as typed.
    ticket: Option<String>,
    /// What it was searched as, when a barcode was found.
    ticket_id: Option<String>,
    /// The number of the first line shown (from 1).
    first: u64,
    /// The following page, if any.
    next: Option<String>,
}

impl Lines {
    /// Reads the page of run `id`'s lines `asked` for; the API's refusal (a garbled cursor) as is.
    pub async fn read(console: &Console, operator: &Operator, id: i64, asked: LinesAsked) -> Result<Lines, Reply> {
        let show = asked.show.filter(|s| KINDS.contains(&s.as_str()));
        let ticket = asked.ticket.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        let ticket_id = match &ticket {
            Some(text) => ticket_of_barcode(console, operator, text).await,
            None => None,
        };
        let reference = ticket_id.clone().or_else(|| ticket.clone());
        let mut part = match (&show, asked.part.as_deref()) {
            (Some(kind), _) => kind.clone(),
            (None, Some("accepted")) => "accepted".to_owned(),
            (None, _) => "log".to_owned(),
        };
        let cursor = asked.cursor.filter(|c| !c.is_empty());
        let mut page = fetch(console, operator, id, &part, reference.as_deref(), cursor.as_deref(), None).await?;
        if show.is_none() && part == "log" && cursor.is_none() && page.results.is_empty() {
            // no log line at all: every line is the accepted tickets
            part = "accepted".to_owned();
            page = fetch(console, operator, id, &part, reference.as_deref(), None, None).await?;
        }
        let at = asked.at.unwrap_or(0);
        let shown = page.results.len() as u64;
        let link = |part: &str, cursor: Option<&str>| {
            let mut query = vec![("at".to_owned(), (at + shown).to_string())];
            if let Some(show) = &show {
                query.push(("show".into(), show.clone()));
            } else {
                query.push(("part".into(), part.to_owned()));
            }
            if let Some(ticket) = &ticket {
                query.push(("ticket".into(), ticket.clone()));
            }
            if let Some(cursor) = cursor {
                query.push(("cursor".into(), cursor.to_owned()));
            }
            let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", segment(v))).collect();
            format!("/console/runs/{id}?{}#lines", query.join("&"))
        };
        let next = match page.cursor {
            Some(cursor) => Some(link(&part, Some(&cursor))),
            None if show.is_none() && part == "log" => {
                // the log lines are done: the accepted tickets follow, if there are any
                let accepted = fetch(console, operator, id, "accepted", reference.as_deref(), None, Some(1)).await?;
                (!accepted.results.is_empty()).then(|| link("accepted", None))
            }
            None => None,
        };
        let items = page.results.into_iter().map(line_view).collect();
        Ok(Lines { items, show, ticket, ticket_id, first: at + 1, next })
    }
}

/// One page of the API's list: its lines and the cursor of the following one.
struct ApiPage {
    results: Vec<Value>,
    cursor: Option<String>,
}

async fn fetch(
    console: &Console,
    operator: &Operator,
    run: i64,
    part: &str,
    ticket: Option<&str>,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<ApiPage, Reply> {
    let mut query = Vec::new();
    if part != "log" {
        query.push(format!("kind={}", segment(part)));
    }
    if let Some(ticket) = ticket {
        query.push(format!("ticket={}", segment(ticket)));
    }
    if let Some(cursor) = cursor {
        query.push(format!("cursor={}", segment(cursor)));
    }
    if let Some(limit) = limit {
        query.push(format!("limit={limit}"));
    }
    let path = format!("/api/boxoffice/runs/{run}/lines?{}", query.join("&"));
    let reply = console.get(&operator.who, &path).await;
    if !reply.ok() {
        return Err(reply);
    }
    let cursor = reply.body["next"].as_str().and_then(cursor_of);
    Ok(ApiPage { results: results(&reply.body, "results"), cursor })
}

/// The `cursor` of an API `next` address.
fn cursor_of(next: &str) -> Option<String> {
    let (_, query) = next.split_once('?')?;
    let value = query.split('&').find_map(|pair| pair.strip_prefix("cursor="))?;
    Some(percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned())
}

/// The id of the organization's ticket with barcode `text`, if there is one.
async fn ticket_of_barcode(console: &Console, operator: &Operator, text: &str) -> Option<String> {
    let path = org_path(&operator.organization, &format!("/tickets?barcode={}&limit=1", segment(text)));
    let reply = console.get(&operator.who, &path).await;
    let found = results(&reply.body, "tickets");
    found.first().and_then(|ticket| ticket["id"].as_i64()).map(|id| id.to_string())
}

/// A line for the template: with `ticketId` when its reference is a box-office ticket's id.
fn line_view(line: Value) -> Value {
    let ticket = line["ticket"].as_str().map(str::to_owned);
    let linked = ticket.as_deref().and_then(|t| t.parse::<i64>().ok());
    json!({
        "ticket": ticket,
        "ticketId": linked,
        "message": line["message"],
        "kind": line["kind"],
    })
}
