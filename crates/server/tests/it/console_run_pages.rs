//! The dashboard's tickets waiting and wallet state, and a run's lines in the console: paged
//! past the first hundred, filtered by kind, searched by ticket id or barcode, with the API's
//! `kind` and `ticket` filters beneath them; the dumped calls shown to admins only.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::common::fault_proxy::{Fault, FaultProxy};
use crate::common::seed::injection_settings;
use crate::console_access::signed_in;

/// The text of the dashboard cell of function `function`'s tickets waiting.
fn waiting_cell(html: &str, function: i64) -> String {
    let marker = format!("class=\"waiting\" data-function=\"{function}\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no waiting cell for {function}: {html}")) + marker.len();
    html[start..].split("</td>").next().unwrap().to_owned()
}

/// The rows of the lines table of a run's page, by their kind.
fn line_count(html: &str, kind: &str) -> usize {
    html.matches(&format!("<tr class=\"line-{kind}\">")).count()
}

/// The address of the "Next lines" link of a run's page, if any.
fn next_lines(html: &str) -> Option<String> {
    let start = html.find("id=\"next-lines\"").and_then(|at| html[..at].rfind("href=\""))? + 6;
    Some(html[start..].split('"').next().unwrap().replace("&#x2f;", "/").replace("&amp;", "&"))
}

async fn run_id(app: &TestApp, function: i64) -> i64 {
    let run = app.run(function).await;
    run["runId"].as_i64().or(run["id"].as_i64()).unwrap()
}

on_both_databases! {
    async fn the_dashboard_shows_the_tickets_each_function_would_select_and_whether_the_wallet_answers_without_waiting_for_it(app: TestApp) {
        let seeded = app.seed_match("FCA", 3).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let injection = app.function("FCA", "INJECTION", injection_settings()).await;
        let feedback = app.function("FCA", "FEEDBACK", json!({ "batchSize": 100 })).await;
        let mut viewer = signed_in(&app, "FCA", "viewer").await;

        let page = viewer.get("/console/").await;
        assert_eq!(waiting_cell(&page.html, injection), "3", "the next run would select the 3 tickets");
        assert!(waiting_cell(&page.html, feedback).contains("read from the wallet"));
        assert!(page.html.contains("<span class=\"result result-ok\">reachable</span>"), "{}", page.html);
        let token = app.admin_token_for("FCA").await;
        let (status, waiting) = app.get_json(&format!("/api/boxoffice/functions/{injection}/waiting"), &token).await;
        assert_eq!((status, waiting), (StatusCode::OK, json!({ "functionId": injection, "waiting": 3 })));

        app.run(injection).await;
        app.issue_tickets("FCA", seeded.contact_id, 2, "PAH").await; // not mobile: never selected
        assert_eq!(waiting_cell(&viewer.get("/console/").await.html, injection), "0", "all sent");

        // a wallet that holds every call: the page answers all the same, in words
        let proxy = FaultProxy::start(&app.url("")).await;
        proxy.set(Fault::Stall(Duration::from_secs(120)));
        let changed = json!({ "name": "Wallet", "type": "TIXNGO", "url": proxy.tickets_url(),
            "login": "wallet@fca.example.org", "password": seeded.wallet_key, "notificationEmails": "ops@example.org" });
        let (status, body) = app.send(reqwest::Method::PUT, "/api/boxoffice/organizations/FCA/interface", &token, Some(&changed)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page = viewer.get("/console/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.html.contains("not reachable"), "{}", page.html);
        // the check's own bound, or the runs' wallet timeout when shorter (3 s in the tests)
        assert!(page.html.contains("did not answer within 3"), "{}", page.html);
    }

    async fn a_runs_page_pages_through_every_line_past_the_first_hundred_and_filters_them_by_kind_and_by_ticket(app: TestApp) {
        let seeded = app.seed_match("FCA", 110).await;
        app.configure_interface(&seeded, None, json!({ "customParameters": "ticketIterationSize=50" })).await;
        let (skipped, sent) = seeded.ticket_ids.split_at(105);
        let skip = skipped.iter().map(|id| format!("id:{id}")).collect::<Vec<_>>().join(",");
        let mut settings = injection_settings();
        settings["skipTickets"] = json!(skip);
        let function = app.function("FCA", "INJECTION", settings).await;
        let run = run_id(&app, function).await;
        let mut viewer = signed_in(&app, "FCA", "viewer").await;

        // every line: the 105 skips over two pages, then the 5 accepted tickets
        let first = viewer.get(&format!("/console/runs/{run}")).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!((line_count(&first.html, "skipped"), line_count(&first.html, "accepted")), (100, 0));
        assert!(first.html.contains("1 to 100"), "{}", first.html);
        let second = viewer.get(&next_lines(&first.html).expect("a next page")).await;
        assert_eq!((line_count(&second.html, "skipped"), line_count(&second.html, "accepted")), (5, 0), "{}", second.html);
        assert!(second.html.contains("101 to 105"));
        let third = viewer.get(&next_lines(&second.html).expect("the accepted tickets follow")).await;
        assert_eq!((line_count(&third.html, "skipped"), line_count(&third.html, "accepted")), (0, 5), "{}", third.html);
        assert!(third.html.contains(&format!("href=\"/console/tickets/{}\"", sent[0])));
        assert_eq!(next_lines(&third.html), None);

        // one kind
        let accepted = viewer.get(&format!("/console/runs/{run}?show=accepted")).await;
        assert_eq!(line_count(&accepted.html, "accepted"), 5);
        let rejected = viewer.get(&format!("/console/runs/{run}?show=rejected")).await;
        assert!(rejected.html.contains("No line matches"), "{}", rejected.html);
        let only_skips = viewer.get(&format!("/console/runs/{run}?show=skipped")).await;
        assert_eq!((line_count(&only_skips.html, "skipped"), line_count(&only_skips.html, "accepted")), (100, 0));

        // one ticket, by its barcode or its id
        let barcode = app.ticket("FCA", sent[2]).await["barcode"].as_str().unwrap().to_owned();
        let found = viewer.get(&format!("/console/runs/{run}?ticket={barcode}")).await;
        assert!(found.html.contains(&format!("is ticket {}", sent[2])), "{}", found.html);
        assert_eq!((line_count(&found.html, "skipped"), line_count(&found.html, "accepted")), (0, 1), "{}", found.html);
        let by_id = viewer.get(&format!("/console/runs/{run}?ticket={}", skipped[104])).await;
        assert_eq!((line_count(&by_id.html, "skipped"), line_count(&by_id.html, "accepted")), (1, 0), "{}", by_id.html);

        // the API beneath: kind and ticket filters, refused when wrong
        let token = app.admin_token_for("FCA").await;
        let (status, lines) = app.get_json(&format!("/api/boxoffice/runs/{run}/lines?kind=skipped&limit=1000"), &token).await;
        assert_eq!(status, StatusCode::OK);
        let lines = lines["results"].as_array().unwrap().clone();
        assert_eq!(lines.len(), 105);
        assert!(lines.iter().all(|line| line["kind"] == "skipped"), "{lines:?}");
        let (_, one) = app.get_json(&format!("/api/boxoffice/runs/{run}/lines?kind=accepted&ticket={}", sent[4]), &token).await;
        assert_eq!(one["results"], json!([{ "id": sent[4], "ticket": sent[4].to_string(), "kind": "accepted", "message": "accepted by the wallet" }]));
        let (status, refused) = app.get_json(&format!("/api/boxoffice/runs/{run}/lines?kind=lost"), &token).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::BAD_REQUEST, Some("kind")), "{refused}");
        let (status, refused) = app.get_json(&format!("/api/boxoffice/runs/{run}/lines?ticket=a%00b"), &token).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::BAD_REQUEST, Some("ticket")), "{refused}");
        let (_, accepted_page) = app.get_json(&format!("/api/boxoffice/runs/{run}/lines?kind=accepted&limit=2"), &token).await;
        let cursor = accepted_page["next"].as_str().unwrap().split("cursor=").nth(1).unwrap().to_owned();
        let (status, mixed) = app.get_json(&format!("/api/boxoffice/runs/{run}/lines?cursor={cursor}"), &token).await;
        assert_eq!((status, mixed["field"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor")), "a cursor of the accepted tickets is not one of the log lines");
    }

    async fn the_dumped_calls_of_a_run_are_shown_to_admins_and_withheld_from_a_viewer(app: TestApp) {
        let seeded = app.seed_match("FCA", 2).await;
        app.configure_interface(&seeded, None, json!({ "customParameters": "maxLengthDumpedCallsInKbs=64" })).await;
        let function = app.function("FCA", "INJECTION", injection_settings()).await;
        let run = run_id(&app, function).await;
        let mut admin = signed_in(&app, "FCA", "admin").await;
        let mut viewer = signed_in(&app, "FCA", "viewer").await;
        let shown = admin.get(&format!("/console/runs/{run}")).await;
        assert!(shown.html.contains("id=\"dump\"") && shown.html.contains("&gt;&gt;&gt;"), "{}", shown.html);
        let withheld = viewer.get(&format!("/console/runs/{run}")).await;
        assert!(!withheld.html.contains("id=\"dump\""));
        assert!(withheld.html.contains("shown to admins"));
    }
}
