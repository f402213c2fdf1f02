//! Idempotent creates (docs/boxoffice-api.md#idempotent-creates), over real HTTP on SQLite and
//! PostgreSQL: the same `Idempotency-Key` and request within 24 hours answers the first answer
//! and creates nothing more — sent again, or sent by several clients at once; the same key with
//! another request is refused naming the header; keys are per organization.

use crate::common;
use crate::common::TestApp;
use crate::common::boxoffice::{Seeded, bo_all, bo_get, match_ticket, seed_match};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `POST /api/boxoffice{path}` with `body` (sent as given) and `key`, as the organization's admin;
/// the status, the JSON answer and whether it was marked replayed.
async fn post_keyed(app: &TestApp, org: &str, path: &str, key: &str, body: &str) -> (StatusCode, Value, bool) {
    let response = app
        .client
        .post(app.url(&format!("/api/boxoffice{path}")))
        .bearer_auth(app.admin_token_for(org).await)
        .header("content-type", if path.ends_with("/csv") { "text/csv" } else { "application/json" })
        .header("Idempotency-Key", key)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let (status, answer) = common::read(response).await;
    (status, answer, replayed)
}

async fn ticket_count(app: &TestApp, club: &Seeded) -> usize {
    bo_all(app, &format!("{}/tickets?limit=1000", club.org_path)).await.len()
}

fn order(club: &Seeded, seats: &[usize]) -> String {
    let tickets: Vec<Value> = seats.iter().map(|n| match_ticket(club, *n)).collect();
    json!({ "contactId": club.contact_ids[0], "salesChannelCode": "WEB", "tickets": tickets }).to_string()
}

on_both_databases! {
    async fn two_identical_file_posts_with_one_key_create_one_order_and_answer_alike(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let files = format!("{}/files", club.org_path);
        let body = order(&club, &[1, 2]);
        let (status, first, replayed) = post_keyed(&app, "CLUB", &files, "order-7f3a", &body).await;
        assert_eq!((status, replayed), (StatusCode::CREATED, false), "{first}");
        let (status, again, replayed) = post_keyed(&app, "CLUB", &files, "order-7f3a", &body).await;
        assert_eq!((status, replayed), (StatusCode::CREATED, true), "{again}");
        assert_eq!(again, first, "the first answer, file number and barcodes included");
        assert_eq!(ticket_count(&app, &club).await, 2, "one order");
        // The same request written otherwise (key order, spacing) is the same request.
        let reordered: Value = serde_json::from_str(&body).unwrap();
        let reordered = format!("{{ \"tickets\": {},\n \"salesChannelCode\": \"WEB\", \"contactId\": {} }}",
            reordered["tickets"], reordered["contactId"]);
        let (status, same, _) = post_keyed(&app, "CLUB", &files, "order-7f3a", &reordered).await;
        assert_eq!((status, &same), (StatusCode::CREATED, &first));

        // The same key with another body, or on another path: refused naming the header.
        let (status, refused, _) = post_keyed(&app, "CLUB", &files, "order-7f3a", &order(&club, &[3])).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key")), "{refused}");
        let (status, refused, _) = post_keyed(&app, "CLUB", &format!("{}/contacts", club.org_path), "order-7f3a",
            &json!({ "lastName": "Other" }).to_string()).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key")), "{refused}");
        assert_eq!(ticket_count(&app, &club).await, 2, "nothing more");

        // Keys are per organization: another one's same key is its own.
        let other = seed_match(&app, "OTHER", 0).await;
        let (status, theirs, replayed) = post_keyed(&app, "OTHER", &format!("{}/files", other.org_path), "order-7f3a", &order(&other, &[1, 2])).await;
        assert_eq!((status, replayed), (StatusCode::CREATED, false), "{theirs}");
        assert_ne!(theirs["fileNumber"], first["fileNumber"]);

        // A refused request stores nothing: sent again with its key once fixed, it is done.
        let (status, refused, _) = post_keyed(&app, "CLUB", &files, "order-2", &order(&club, &[1])).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[0].seat")), "{refused}");
        let (status, _, replayed) = post_keyed(&app, "CLUB", &files, "order-2", &order(&club, &[5])).await;
        assert_eq!((status, replayed), (StatusCode::CREATED, false));

        // A key is kept 24 hours: an older one is taken afresh.
        tixbridge_store::sql("UPDATE bo_idempotency_keys SET created_at = created_at - 90000000")
            .execute(&mut app.app.db.writer().await.unwrap()).await.unwrap();
        let (status, later, replayed) = post_keyed(&app, "CLUB", &files, "order-7f3a", &order(&club, &[8])).await;
        assert_eq!((status, replayed), (StatusCode::CREATED, false), "{later}");
        assert_eq!(ticket_count(&app, &club).await, 4);

        for bad in ["", "has space", &"k".repeat(256)] {
            let (status, refused, _) = post_keyed(&app, "CLUB", &files, bad, &order(&club, &[9])).await;
            assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key")), "{bad:?}: {refused}");
        }
    }

    async fn identical_file_posts_with_one_key_from_eight_clients_at_once_create_one_order(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let url = app.url(&format!("/api/boxoffice{}/files", club.org_path));
        let token = app.admin_token_for("CLUB").await;
        let body = order(&club, &[1, 2, 3]);
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        let clients: Vec<_> = (0..8)
            .map(|_| {
                let (url, token, body, barrier) = (url.clone(), token.clone(), body.clone(), barrier.clone());
                tokio::spawn(async move {
                    let request = reqwest::Client::new().post(url).bearer_auth(token)
                        .header("content-type", "application/json").header("Idempotency-Key", "same-order").body(body);
                    barrier.wait().await;
                    common::read(request.send().await.unwrap()).await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for client in clients {
            answers.push(client.await.unwrap());
        }
        for (status, answer) in &answers {
            assert_eq!(*status, StatusCode::CREATED, "{answer}");
            assert_eq!(answer, &answers[0].1, "every client gets the one answer");
        }
        assert_eq!(ticket_count(&app, &club).await, 3, "one order");
    }

    async fn contacts_imports_and_reprints_with_a_key_are_done_once_and_secrets_take_no_key(app: TestApp) {
        let club = seed_match(&app, "CLUB", 1).await;
        let p = &club.org_path;
        let contact = json!({ "lastName": "Once", "email": "once@example.org" }).to_string();
        let (_, first, _) = post_keyed(&app, "CLUB", &format!("{p}/contacts"), "c-1", &contact).await;
        let (status, again, replayed) = post_keyed(&app, "CLUB", &format!("{p}/contacts"), "c-1", &contact).await;
        assert_eq!((status, replayed, &again), (StatusCode::CREATED, true, &first));
        let (_, found) = bo_get(&app, &format!("{p}/contacts?email=once@example.org")).await;
        assert_eq!(found["results"].as_array().unwrap().len(), 1);

        let csv = "fileNumber,contactEmail,productCode,performanceCode,shipmentModeCode,block,row,seat\n\
                   IMP-1,once@example.org,MATCH1,P1,MOBILE,C,1,1\nIMP-1,once@example.org,MATCH1,P1,MOBILE,C,1,2\n";
        let (status, imported, _) = post_keyed(&app, "CLUB", &format!("{p}/import/csv"), "import-1", csv).await;
        assert_eq!(status, StatusCode::CREATED, "{imported}");
        let (status, again, replayed) = post_keyed(&app, "CLUB", &format!("{p}/import/csv"), "import-1", csv).await;
        assert_eq!((status, replayed, &again), (StatusCode::CREATED, true, &imported));
        assert_eq!(ticket_count(&app, &club).await, 3);

        let reprint = format!("{p}/tickets/{}/reprint", club.ticket_ids[0]);
        let (status, first, _) = post_keyed(&app, "CLUB", &reprint, "reprint-1", "").await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let (status, again, replayed) = post_keyed(&app, "CLUB", &reprint, "reprint-1", "").await;
        assert_eq!((status, replayed, &again), (StatusCode::CREATED, true, &first), "the copy, not a refused second reprint");
        assert_eq!(ticket_count(&app, &club).await, 4, "one copy");

        // A product, a season, a reference: done once each.
        for (path, body) in [
            ("products", json!({ "code": "CUP", "name": "Cup", "kind": "MATCH", "family": "F" })),
            ("seasons", json!({ "code": "S1", "name": "S1", "start": "2099-07-01T00:00:00+02:00", "end": "2100-06-30T23:59:00+02:00" })),
            ("tariffs", json!({ "code": "KIDS", "name": "Kids" })),
        ] {
            let url = format!("{p}/{path}");
            let (status, first, _) = post_keyed(&app, "CLUB", &url, &format!("k-{path}"), &body.to_string()).await;
            assert_eq!(status, StatusCode::CREATED, "{path}: {first}");
            let (status, again, replayed) = post_keyed(&app, "CLUB", &url, &format!("k-{path}"), &body.to_string()).await;
            assert_eq!((status, replayed, &again), (StatusCode::CREATED, true, &first), "{path}");
        }

        // A token's answer holds its secret, which is never stored: a key is refused there.
        let (status, refused, _) = post_keyed(&app, "CLUB", &format!("{p}/tokens"), "t-1",
            &json!({ "name": "ci", "role": "viewer" }).to_string()).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key")), "{refused}");
    }
}
