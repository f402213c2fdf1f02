//! Capacity and seats (docs/products-and-statuses.md#capacity-and-seats), over real HTTP on
//! SQLite and PostgreSQL: a performance, a seat category and a contingent are never sold
//! beyond their capacity, a seat is held by one live ticket, a refusal names the seat or the
//! capacity (for an import, its line and field) and writes nothing — under concurrent sales too.

use crate::common;
use crate::common::TestApp;
use crate::common::boxoffice::{Seeded, bo_create, bo_get, bo_post, seed_match};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A performance `code` of the seeded match with `capacity` places.
async fn performance(app: &TestApp, club: &Seeded, code: &str, capacity: i64) {
    let created = bo_create(
        app,
        &format!("{}/products/MATCH1/performances", club.org_path),
        &json!({ "code": code, "start": "2099-08-01T20:00:00+02:00", "site": { "name": "Stadium" }, "capacity": capacity }),
    )
    .await;
    assert_eq!(created["capacity"], capacity);
}

/// A ticket of performance `performance`, block A row 1 seat `seat`.
fn seat(performance: &str, seat: usize) -> Value {
    json!({ "productCode": "MATCH1", "performanceCode": performance, "seatCategoryCode": "CAT1", "tariffCode": "FULL",
            "shipmentModeCode": "MOBILE", "block": "A", "row": "1", "seat": seat.to_string(), "priceCents": 5000 })
}

fn file(club: &Seeded, tickets: Vec<Value>) -> Value {
    json!({ "contactId": club.contact_ids[0], "tickets": tickets })
}

async fn sold(app: &TestApp, club: &Seeded, performance: &str) -> Value {
    let (status, answer) = bo_get(app, &format!("{}/products/MATCH1/performances/{performance}", club.org_path)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// Sends `bodies` to `…/files` all at once, from one client each; their answers in order.
async fn at_once(app: &TestApp, club: &Seeded, bodies: Vec<Value>) -> Vec<(StatusCode, Value)> {
    let url = app.url(&format!("/api/boxoffice{}/files", club.org_path));
    let token = app.admin_token_for(&club.org).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(bodies.len()));
    let sales: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (url, token, barrier) = (url.clone(), token.clone(), barrier.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let request = client.post(url).bearer_auth(token).json(&body);
                barrier.wait().await;
                common::read(request.send().await.unwrap()).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for sale in sales {
        answers.push(sale.await.unwrap());
    }
    answers
}

async fn import(app: &TestApp, club: &Seeded, body: String) -> (StatusCode, Value) {
    let url = app.url(&format!("/api/boxoffice{}/import/csv", club.org_path));
    let token = app.admin_token_for(&club.org).await;
    let response =
        app.client.post(url).bearer_auth(token).header("content-type", "text/csv").body(body).send().await.unwrap();
    common::read(response).await
}

on_both_databases! {
    async fn the_last_seat_sold_from_eight_clients_at_once_goes_to_exactly_one(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        performance(&app, &club, "LAST", 3).await;
        bo_create(&app, &format!("{}/files", club.org_path), &file(&club, vec![seat("LAST", 1), seat("LAST", 2)])).await;

        let answers = at_once(&app, &club, (0..8).map(|_| file(&club, vec![seat("LAST", 3)])).collect()).await;
        let won: Vec<&(StatusCode, Value)> = answers.iter().filter(|(status, _)| *status == StatusCode::CREATED).collect();
        assert_eq!(won.len(), 1, "{answers:?}");
        for (status, refused) in answers.iter().filter(|(status, _)| *status != StatusCode::CREATED) {
            assert_eq!((*status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[0].seat")), "{refused}");
            let error = refused["error"].as_str().unwrap();
            assert!(error.contains(r#"block "A", row "1", seat "3""#) && error.contains("already sold"), "{refused}");
        }
        let usage = sold(&app, &club, "LAST").await;
        assert_eq!((usage["capacity"].as_i64(), usage["sold"].as_i64(), usage["available"].as_i64()), (Some(3), Some(3), Some(0)), "{usage}");
    }

    async fn the_last_place_bought_from_eight_clients_at_once_on_eight_seats_goes_to_exactly_one(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        performance(&app, &club, "LAST", 3).await;
        bo_create(&app, &format!("{}/files", club.org_path), &file(&club, vec![seat("LAST", 1), seat("LAST", 2)])).await;

        let answers = at_once(&app, &club, (3..11).map(|n| file(&club, vec![seat("LAST", n)])).collect()).await;
        assert_eq!(answers.iter().filter(|(status, _)| *status == StatusCode::CREATED).count(), 1, "{answers:?}");
        for (status, refused) in answers.iter().filter(|(status, _)| *status != StatusCode::CREATED) {
            assert_eq!((*status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[0].performanceCode")), "{refused}");
            assert!(refused["error"].as_str().unwrap().contains(r#"performance "LAST" is full: capacity 3"#), "{refused}");
        }
        assert_eq!(sold(&app, &club, "LAST").await["sold"], 3);
    }

    async fn a_file_beyond_a_capacity_or_on_a_sold_seat_is_refused_naming_it_and_writes_nothing(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let p = &club.org_path;
        performance(&app, &club, "SMALL", 4).await;
        let default = bo_create(&app, &format!("{p}/products/MATCH1/performances"),
            &json!({ "code": "BIG", "start": "2099-08-02T20:00:00+02:00", "site": { "name": "Stadium" } })).await;
        assert_eq!(default["capacity"], 100_000, "the default when none is given");

        // Five tickets for four places: the fifth is named, nothing is written.
        let five: Vec<Value> = (1..=5).map(|n| seat("SMALL", n)).collect();
        let (status, refused) = bo_post(&app, &format!("{p}/files"),
            &json!({ "fileNumber": "TOO-MANY", "contactId": club.contact_ids[0], "tickets": five })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[4].performanceCode")), "{refused}");
        assert!(refused["error"].as_str().unwrap().contains("capacity 4, 0 sold before this sale, 4 left"), "{refused}");
        assert_eq!(bo_get(&app, &format!("{p}/files/TOO-MANY")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(sold(&app, &club, "SMALL").await["sold"], 0);

        // Seat 2 sold; a file holding it again is refused whole (its seat 3 stays free).
        let sold_file = bo_create(&app, &format!("{p}/files"), &file(&club, vec![seat("SMALL", 1), seat("SMALL", 2)])).await;
        let (status, refused) = bo_post(&app, &format!("{p}/files"), &file(&club, vec![seat("SMALL", 3), seat("SMALL", 2)])).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[1].seat")), "{refused}");
        assert_eq!(refused["error"], r#"block "A", row "1", seat "2" of performance "SMALL" is already sold"#);
        let (status, refused) = bo_post(&app, &format!("{p}/files"), &file(&club, vec![seat("SMALL", 3), seat("SMALL", 3)])).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[1].seat")), "{refused}");
        assert!(refused["error"].as_str().unwrap().contains("given twice in this file (tickets[0])"), "{refused}");
        assert_eq!(sold(&app, &club, "SMALL").await["sold"], 2);
        // The same seat at another performance is another seat.
        bo_create(&app, &format!("{p}/files"), &file(&club, vec![seat("BIG", 2)])).await;

        // A cancelled ticket frees its seat and its place; an invalidated one too.
        let second = sold_file["tickets"][1]["id"].as_i64().unwrap();
        bo_post(&app, &format!("{p}/tickets/{second}/cancel"), &json!({ "reason": "CANCELLATION" })).await;
        let again = bo_create(&app, &format!("{p}/files"), &file(&club, vec![seat("SMALL", 2), seat("SMALL", 3), seat("SMALL", 4)])).await;
        assert_eq!(sold(&app, &club, "SMALL").await["available"], 0);
        // A reprint of a ticket of the full performance keeps its seat and needs no place.
        let copied = again["tickets"][0]["id"].as_i64().unwrap();
        let (status, reprint) = bo_post(&app, &format!("{p}/tickets/{copied}/reprint"), &json!(null)).await;
        assert_eq!(status, StatusCode::CREATED, "{reprint}");
        assert_eq!(reprint["new"]["seat"], "2");
        let (status, refused) = bo_post(&app, &format!("{p}/files"), &file(&club, vec![seat("SMALL", 9)])).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[0].performanceCode")), "{refused}");
        let usage = sold(&app, &club, "SMALL").await;
        assert_eq!((usage["sold"].as_i64(), usage["available"].as_i64()), (Some(4), Some(0)), "{usage}");

        // Undated tickets have no performance and no capacity; standing tickets no seat.
        bo_create(&app, &format!("{p}/products"), &json!({ "code": "PASS", "name": "Pass", "kind": "OPEN_PASS", "family": "F", "seasonCode": "S2099" })).await;
        let pass = json!({ "productCode": "PASS", "shipmentModeCode": "MOBILE", "priceCents": 100, "block": "A", "row": "1", "seat": "1" });
        bo_create(&app, &format!("{p}/files"), &file(&club, vec![pass.clone(), pass])).await;
        let mut standing = seat("BIG", 0);
        standing["seat"] = Value::Null;
        bo_create(&app, &format!("{p}/files"), &file(&club, vec![standing.clone(), standing])).await;
    }

    async fn a_seat_category_or_contingent_is_sold_up_to_its_capacity_at_each_performance(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let p = &club.org_path;
        let vip = bo_create(&app, &format!("{p}/seat-categories"), &json!({ "code": "VIP", "name": "Boxes", "capacity": 2 })).await;
        assert_eq!(vip["capacity"], 2);
        let guests = bo_create(&app, &format!("{p}/contingents"), &json!({ "code": "GUESTS", "name": "Guests", "capacity": 1 })).await;
        assert_eq!(guests["capacity"], 1);
        let open = bo_create(&app, &format!("{p}/seat-categories"), &json!({ "code": "OPEN", "name": "Open" })).await;
        assert_eq!(open["capacity"], Value::Null, "no capacity of its own");
        performance(&app, &club, "P2", 100).await;
        let ticket = |performance: &str, n: usize, category: &str, contingent: Option<&str>| {
            let mut t = seat(performance, n);
            t["seatCategoryCode"] = json!(category);
            t["contingentCode"] = json!(contingent);
            t
        };

        let (status, refused) = bo_post(&app, &format!("{p}/files"), &file(&club,
            vec![ticket("P1", 1, "VIP", None), ticket("P1", 2, "VIP", None), ticket("P1", 3, "VIP", None)])).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[2].seatCategoryCode")), "{refused}");
        assert!(refused["error"].as_str().unwrap().contains(r#"seat category "VIP" is full at performance "P1": capacity 2"#), "{refused}");
        bo_create(&app, &format!("{p}/files"), &file(&club, vec![ticket("P1", 1, "VIP", None), ticket("P1", 2, "VIP", Some("GUESTS"))])).await;
        // The capacity holds at each performance: P2 has its own two boxes.
        bo_create(&app, &format!("{p}/files"), &file(&club, vec![ticket("P2", 1, "VIP", None), ticket("P2", 2, "VIP", None)])).await;
        let (status, refused) = bo_post(&app, &format!("{p}/files"), &file(&club, vec![ticket("P1", 3, "OPEN", Some("GUESTS"))])).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("tickets[0].contingentCode")), "{refused}");
        bo_create(&app, &format!("{p}/files"), &file(&club, vec![ticket("P1", 3, "OPEN", None)])).await;

        let usage = sold(&app, &club, "P1").await;
        let share = |list: &str, code: &str| usage[list].as_array().unwrap().iter().find(|c| c["code"] == code).cloned().unwrap();
        assert_eq!(share("seatCategories", "VIP"), json!({ "code": "VIP", "capacity": 2, "sold": 2, "available": 0 }));
        assert_eq!(share("seatCategories", "OPEN"), json!({ "code": "OPEN", "capacity": null, "sold": 1, "available": null }));
        assert_eq!(share("contingents", "GUESTS"), json!({ "code": "GUESTS", "capacity": 1, "sold": 1, "available": 0 }));
        assert_eq!(usage["sold"], 3);

        for (path, body) in [
            ("products/MATCH1/performances", json!({ "code": "P0", "start": "2099-08-01T20:00:00+02:00", "site": { "name": "S" }, "capacity": 0 })),
            ("seat-categories", json!({ "code": "HUGE", "name": "Huge", "capacity": 1_000_001 })),
            ("tariffs", json!({ "code": "T", "name": "T", "capacity": 5 })),
        ] {
            let (status, refused) = bo_post(&app, &format!("{p}/{path}"), &body).await;
            assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("capacity")), "{path}: {refused}");
        }
    }

    async fn an_import_beyond_a_capacity_or_on_a_sold_seat_is_refused_with_its_lines_and_writes_nothing(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let p = &club.org_path;
        performance(&app, &club, "FULL", 3).await;
        bo_create(&app, &format!("{p}/files"), &file(&club, vec![seat("FULL", 1)])).await;
        let header = "fileNumber,contactEmail,contactLastName,productCode,performanceCode,shipmentModeCode,block,row,seat";
        let row = |n: usize, name: &str| format!("IMP-1,buyer@example.org,{name},MATCH1,FULL,MOBILE,A,1,{n}");

        // Row 1 (a last name over two lines) sells the sold seat 1; rows 2 and 3 take the two
        // places left; row 4 is beyond the capacity.
        let body = format!("{header}\n{}\n{}\n{}\n{}\n", row(1, "\"Two\nlines\""), row(2, "B"), row(3, "B"), row(4, "B"));
        let (status, refused) = import(&app, &club, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["badRowCount"], 2, "{refused}");
        let bad: Vec<(i64, i64, &str)> = refused["badRows"].as_array().unwrap().iter()
            .map(|b| (b["row"].as_i64().unwrap(), b["line"].as_i64().unwrap(), b["field"].as_str().unwrap())).collect();
        assert_eq!(bad, [(1, 2, "seat"), (4, 6, "performanceCode")], "{refused}");
        assert!(refused["badRows"][0]["error"].as_str().unwrap().contains(r#"seat "1" of performance "FULL" is already sold"#), "{refused}");
        assert!(refused["badRows"][1]["error"].as_str().unwrap().contains("capacity 3, 1 sold before this sale, 2 left"), "{refused}");
        // One seat twice in the file.
        let (status, refused) = import(&app, &club, format!("{header}\n{}\n{}\n", row(2, "B"), row(2, "B"))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["badRows"][0]["row"].as_i64(), refused["badRows"][0]["line"].as_i64(), refused["badRows"][0]["field"].as_str()),
            (Some(2), Some(3), Some("seat")), "{refused}");
        assert!(refused["badRows"][0]["error"].as_str().unwrap().contains("row 1 sells it too"), "{refused}");

        assert_eq!(sold(&app, &club, "FULL").await["sold"], 1, "nothing written");
        assert_eq!(bo_get(&app, &format!("{p}/files/IMP-1")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(bo_get(&app, &format!("{p}/contacts?email=buyer@example.org")).await.1["results"], json!([]));
        let (status, done) = import(&app, &club, format!("{header}\n{}\n{}\n", row(2, "B"), row(3, "B"))).await;
        assert_eq!(status, StatusCode::CREATED, "{done}");
        assert_eq!(sold(&app, &club, "FULL").await["available"], 0);
    }
}
