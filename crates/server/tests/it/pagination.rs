//! One pagination for every list (docs/boxoffice-api.md#lists, docs/wallet-api.md#lists): each
//! list of the box office, the interface, the wallet's organizer API and the spectator API is
//! walked two items at a time by following `next`, and must give every item once, in the order
//! of one large page; a bad `limit` and a garbled or foreign cursor are refused naming the
//! parameter, on both databases.

use crate::common::{self, TestApp, path_of};
use crate::support::{activation_due, inject, set_event, sign_in};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// How to read one list: its path and the credential the harness sends with it.
struct List<'a> {
    path: String,
    key: &'a str,
}

impl List<'_> {
    /// The list read as one page of 1,000.
    async fn at_once(&self, app: &TestApp) -> Vec<Value> {
        let (status, page) = app.get_json(&with(&self.path, "limit=1000"), self.key).await;
        assert_eq!(status, StatusCode::OK, "{}: {page}", self.path);
        assert_eq!(page["next"], Value::Null, "{}: one page holds it all", self.path);
        page["results"].as_array().unwrap().clone()
    }

    /// Walks the list two by two and checks it against [`Self::at_once`]; returns the items.
    async fn walk(&self, app: &TestApp, at_least: usize) -> Vec<Value> {
        let whole = self.at_once(app).await;
        assert!(whole.len() >= at_least, "{}: {} items, expected at least {at_least}", self.path, whole.len());
        let (mut walked, mut path, mut pages) = (Vec::new(), with(&self.path, "limit=2"), 0);
        loop {
            let (status, page) = app.get_json(&path, self.key).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            let results = page["results"].as_array().unwrap();
            assert!(results.len() <= 2, "{path}: the limit holds");
            walked.extend(results.iter().cloned());
            pages += 1;
            match page["next"].as_str() {
                Some(next) => {
                    assert!(next.starts_with("http://"), "next is a full URL: {next}");
                    assert!(next.contains("limit=2"), "next keeps the limit: {next}");
                    path = path_of(next);
                }
                None => break,
            }
        }
        assert_eq!(walked, whole, "{}: every item once, in order", self.path);
        assert_eq!(pages, whole.len().div_ceil(2).max(1), "{}: no empty page at the end", self.path);
        walked
    }

    /// A bad `limit` and a garbled cursor are refused naming them; returns the second page's
    /// cursor for a check on another list.
    async fn refuses_bad_parameters(&self, app: &TestApp) -> String {
        for limit in ["0", "1001", "ten", "-3"] {
            let (status, answer) = app.get_json(&with(&self.path, &format!("limit={limit}")), self.key).await;
            assert_eq!(
                (status, answer["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("limit")),
                "{}: {answer}",
                self.path
            );
        }
        let (_, first) = app.get_json(&with(&self.path, "limit=1"), self.key).await;
        let next = first["next"].as_str().unwrap_or_else(|| panic!("{}: more than one item: {first}", self.path));
        let cursor = cursor_of(next);
        let mut garbled = cursor.clone().into_bytes();
        garbled[1] = if garbled[1] == b'A' { b'B' } else { b'A' };
        let garbled = String::from_utf8(garbled).unwrap();
        for bad in [garbled.as_str(), "not-a-cursor", "eyJ9.00"] {
            let (status, answer) = app.get_json(&with(&self.path, &format!("cursor={bad}")), self.key).await;
            assert_eq!(
                (status, answer["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("cursor")),
                "{}: {answer}",
                self.path
            );
        }
        cursor
    }

    /// A cursor made by another list is refused here.
    async fn refuses_foreign_cursor(&self, app: &TestApp, cursor: &str) {
        let (status, answer) = app.get_json(&with(&self.path, &format!("cursor={cursor}")), self.key).await;
        assert_eq!(
            (status, answer["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("cursor")),
            "{}: {answer}",
            self.path
        );
    }
}

fn with(path: &str, parameter: &str) -> String {
    format!("{path}{}{parameter}", if path.contains('?') { '&' } else { '?' })
}

fn cursor_of(next: &str) -> String {
    let url = reqwest::Url::parse(next).unwrap();
    url.query_pairs().find(|(name, _)| name == "cursor").map(|(_, value)| value.into_owned()).expect("a cursor")
}

fn ids(items: &[Value], field: &str) -> Vec<i64> {
    items.iter().map(|item| item[field].as_i64().unwrap_or_else(|| panic!("{field} in {item}"))).collect()
}

on_both_databases! {
    async fn every_box_office_and_interface_list_pages_by_cursor_without_skipping_or_repeating(app: TestApp) {
        let seeded = app.seed_match("FCL", 5).await;
        let org = "/api/boxoffice/organizations/FCL";
        for i in 0..3 {
            app.create(&format!("{org}/contacts"), json!({ "lastName": format!("Shared{i}"), "email": "shared@example.org",
                "kind": if i == 0 { "RELAY" } else { "INDIVIDUAL" }, "hasInternetAccount": i == 2 })).await;
            app.create(&format!("{org}/tokens"), json!({ "name": format!("scanner {i}"), "role": "viewer" })).await;
            app.create(&format!("{org}/operators"), json!({ "email": format!("op{i}@fcl.example.org"), "role": "viewer",
                "password": "correct horse battery" })).await;
            app.create(&format!("{org}/templates"), json!({ "name": format!("T{i}"), "fields": { "event.name": "${Performance_hostTeam}" } })).await;
        }
        // three tickets the wallet refuses (no e-mail): three log lines in the run
        let walk_in = app.create(&format!("{org}/contacts"), json!({ "lastName": "Walk-in" })).await;
        app.issue_tickets("FCL", walk_in["id"].as_i64().unwrap(), 3, "MOB").await;
        app.configure_interface(&seeded, None, json!({})).await;
        let injection = app.function("FCL", "INJECTION", common::seed::injection_settings()).await;
        app.function("FCL", "FEEDBACK", json!({ "batchSize": 100 })).await;
        app.create(&format!("{org}/interface/functions"), json!({ "kind": "FEEDBACK", "name": "spare", "active": false,
            "settings": { "batchSize": 100 } })).await;
        let mut run_ids = Vec::new();
        for _ in 0..3 {
            run_ids.push(app.run(injection).await["runId"].as_i64().unwrap());
        }

        let tickets = List { path: format!("{org}/tickets"), key: "" }.walk(&app, 8).await;
        assert_eq!(ids(&tickets, "id").windows(2).filter(|w| w[0] >= w[1]).count(), 0, "by id");
        let filtered = List { path: format!("{org}/tickets?status=NOT_PRINTED&performance=P1"), key: "" };
        assert!(filtered.walk(&app, 1).await.iter().all(|t| t["status"] == "NOT_PRINTED"), "the filters stay on every page");
        let contacts = List { path: format!("{org}/contacts"), key: "" }.walk(&app, 5).await;
        let shared = List { path: format!("{org}/contacts?email=shared@example.org"), key: "" }.walk(&app, 3).await;
        assert_eq!(shared.len(), 3);
        assert_eq!((shared[0]["hasInternetAccount"].as_bool(), shared[2]["kind"].as_str()), (Some(true), Some("RELAY")), "preferred first: {shared:?}");
        let runs = List { path: format!("/api/boxoffice/functions/{injection}/runs"), key: "" }.walk(&app, 3).await;
        run_ids.reverse();
        assert_eq!(ids(&runs, "id"), run_ids, "newest first");
        let lines = List { path: format!("/api/boxoffice/runs/{}/lines", run_ids[2]), key: "" };
        assert_eq!(lines.walk(&app, 3).await.len(), 3, "one line per refused ticket");
        let run = app.bo_get(&format!("/api/boxoffice/runs/{}", run_ids[2])).await;
        assert_eq!((run["log"].as_array().map(Vec::len), &run["logNext"]), (Some(3), &Value::Null), "{run}");
        let lists = [
            List { path: format!("{org}/tickets"), key: "" },
            List { path: format!("{org}/contacts"), key: "" },
            List { path: format!("{org}/tokens"), key: "" },
            List { path: format!("{org}/operators"), key: "" },
            List { path: format!("{org}/audit"), key: "" },
            List { path: format!("{org}/interface/functions"), key: "" },
            List { path: format!("{org}/templates"), key: "" },
            List { path: format!("/api/boxoffice/functions/{injection}/runs"), key: "" },
            lines,
        ];
        let mut cursors = Vec::new();
        for list in &lists {
            list.walk(&app, 2).await;
            cursors.push(list.refuses_bad_parameters(&app).await);
        }
        for (i, list) in lists.iter().enumerate() {
            list.refuses_foreign_cursor(&app, &cursors[(i + 1) % cursors.len()]).await;
        }
        assert!(contacts.len() >= 4 && tickets.len() >= 8);
    }

    async fn the_wallet_organizer_and_spectator_lists_page_by_cursor_and_transfers_say_their_direction(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1", "T2", "T3", "T4", "T5"], "EV1", "ada@example.org").await;
        inject(&app, &key, &["B1"], "EV2", "bob@example.org").await;
        for event in ["EV1", "EV2"] {
            set_event(&app, &key, event, activation_due()).await;
        }
        let audit = List { path: "/api/organizer/audit".into(), key: &key };
        audit.walk(&app, 2).await;
        let cursor = audit.refuses_bad_parameters(&app).await;

        let ada = sign_in(&app, "ada@example.org").await;
        let bob = sign_in(&app, "bob@example.org").await;
        let own = walk_spectator(&app, &ada.token, "/api/spectator/tickets").await;
        assert_eq!(own.len(), 5);
        for ticket in ["T1", "T2"] {
            let (id, _) = ada.fetch(&app, ticket).await;
            let (status, offer) = ada.post(&app, &format!("/api/spectator/tickets/{id}/transfer"), json!({ "email": "bob@example.org" })).await;
            assert_eq!(status, StatusCode::OK, "{offer}");
        }
        let (b1, _) = bob.fetch(&app, "B1").await;
        let (status, offer) = bob.post(&app, &format!("/api/spectator/tickets/{b1}/transfer"), json!({ "email": "ada@example.org" })).await;
        assert_eq!(status, StatusCode::OK, "{offer}");
        let transfers = walk_spectator(&app, &bob.token, "/api/spectator/transfers").await;
        let directions: Vec<&str> = transfers.iter().map(|t| t["direction"].as_str().unwrap()).collect();
        assert_eq!(directions, ["incoming", "incoming", "outgoing"], "{transfers:?}");

        let (status, refused) = ada_get(&app, &ada.token, &format!("/api/spectator/tickets?cursor={cursor}")).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor")), "another list's cursor: {refused}");
        let (status, refused) = ada_get(&app, &ada.token, "/api/spectator/transfers?limit=0").await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::BAD_REQUEST, Some("limit")), "{refused}");
    }
}

async fn ada_get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    common::read(app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap()).await
}

/// A spectator's list walked one by one, checked against one large page.
async fn walk_spectator(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let (status, whole) = ada_get(app, token, &format!("{path}?limit=1000")).await;
    assert_eq!(status, StatusCode::OK, "{whole}");
    let (mut walked, mut next) = (Vec::new(), format!("{path}?limit=1"));
    loop {
        let (status, page) = ada_get(app, token, &next).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        walked.extend(page["results"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(url) => next = path_of(url),
            None => break,
        }
    }
    assert_eq!(&Value::Array(walked.clone()), &whole["results"], "{path}: every item once, in order");
    walked
}
