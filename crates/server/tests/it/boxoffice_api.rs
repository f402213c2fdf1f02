//! The box office's JSON API over real HTTP, on SQLite and PostgreSQL: catalog, files,
//! ticket operations and their state machine, scans, contacts.

use crate::common::boxoffice::{bo_all, bo_create, bo_get, bo_post, match_ticket, seed_match};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<i64> {
    page["results"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

on_both_databases! {
    async fn the_catalog_lives_in_the_inventory_owner_and_is_refused_elsewhere(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let shop = bo_create(&app, "/organizations", &json!({ "code": "SHOP", "name": "Shop", "parentCode": "CLUB", "ownsInventory": false })).await;
        assert_eq!(shop["inventoryOwnerCode"], "CLUB");
        assert_eq!(shop["ownsInventory"], false);
        let (status, refused) = bo_post(&app, "/organizations/SHOP/products",
            &json!({ "code": "X", "name": "X", "kind": "EVENT", "family": "F" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["field"], "organization");
        assert!(refused["error"].as_str().unwrap().contains("does not own the inventory"), "{refused}");
        let (status, refused) = bo_post(&app, "/organizations/SHOP/seat-categories", &json!({ "code": "C", "name": "C" })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("organization")));

        // The shop sells from the club's catalog.
        let contact = bo_create(&app, "/organizations/SHOP/contacts", &json!({ "lastName": "Buyer", "email": "b@example.org" })).await;
        let file = bo_create(&app, "/organizations/SHOP/files",
            &json!({ "contactId": contact["id"], "tickets": [match_ticket(&club, 1)] })).await;
        assert_eq!(file["tickets"][0]["productCode"], "MATCH1");
        assert_eq!(file["tickets"][0]["organizationCode"], "SHOP");
        assert!(file["fileNumber"].as_str().unwrap().starts_with('F'));

        let (status, dup) = bo_post(&app, "/organizations/CLUB/products",
            &json!({ "code": "MATCH1", "name": "again", "kind": "MATCH", "family": "F" })).await;
        assert_eq!((status, dup["field"].as_str()), (StatusCode::CONFLICT, Some("code")));
        let (status, dup) = bo_post(&app, "/organizations", &json!({ "code": "CLUB", "name": "again" })).await;
        assert_eq!((status, dup["field"].as_str()), (StatusCode::CONFLICT, Some("code")));
        let (status, bad) = bo_post(&app, "/organizations/CLUB/products",
            &json!({ "code": "M2", "name": "M2", "kind": "MATCH", "family": "F", "seasonShape": "CARD_ONLY" })).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("seasonShape")));
        let (status, bad) = bo_post(&app, "/organizations/CLUB/products",
            &json!({ "code": "M3", "name": "M3", "kind": "CONCERT", "family": "F" })).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
        let (status, bad) = bo_post(&app, "/organizations/CLUB/products",
            &json!({ "code": "PASS", "name": "Pass", "kind": "OPEN_PASS", "family": "F", "comfortVariables": { "TIXAct": "soon" } })).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("comfortVariables.TIXAct")));
        let (status, bad) = bo_post(&app, "/organizations/CLUB/products",
            &json!({ "code": "PASS", "name": "Pass", "kind": "OPEN_PASS", "family": "F", "comfortVariables": { "TIXStart": "start_of_season" } })).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("comfortVariables.TIXStart")));
        let card = bo_create(&app, "/organizations/CLUB/products",
            &json!({ "code": "CARD", "name": "Season card", "kind": "SEASON_TICKET_CARD", "family": "F", "seasonCode": "S2099",
                     "seasonShape": "CARD_AND_TICKETS", "comfortVariables": { "TIXAct": "-2h", "TIXStart": "start_of_season", "TIXRGrp": "G1" } })).await;
        assert_eq!(card["seasonShape"], "CARD_AND_TICKETS");
        assert_eq!(card["comfortVariables"]["TIXRGrp"], "G1");
        let (status, bad) = bo_post(&app, "/organizations/CLUB/products/CARD/performances",
            &json!({ "code": "P", "start": "2099-01-01T20:00:00+01:00", "site": { "name": "S" } })).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("product")));
        let (status, bad) = bo_post(&app, "/organizations/CLUB/products/MATCH1/performances",
            &json!({ "code": "P2", "start": "2099-01-01 20:00", "site": { "name": "S" } })).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("start")));
        let (status, _) = bo_get(&app, "/organizations/NOPE").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn a_file_of_dated_and_undated_tickets_is_issued_not_printed(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let p = &club.org_path;
        bo_create(&app, &format!("{p}/products"), &json!({ "code": "PASS", "name": "Pass", "kind": "OPEN_PASS", "family": "F", "seasonCode": "S2099" })).await;
        bo_create(&app, &format!("{p}/products"), &json!({ "code": "PARKING", "name": "Parking", "kind": "SERVICE", "family": "F" })).await;
        let pass = json!({ "productCode": "PASS", "shipmentModeCode": "MOBILE", "priceCents": 10000, "tariffCode": "REDUCED", "holderContactId": club.contact_ids[1] });
        let parking = json!({ "productCode": "PARKING", "shipmentModeCode": "MOBILE", "priceCents": 1500, "barcode": "PARK-0001",
            "validityStart": "2099-08-01T08:00:00+02:00", "validityEnd": "2099-08-01T23:00:00+02:00" });
        let file = bo_create(&app, &format!("{p}/files"), &json!({ "fileNumber": "ORDER-1", "contactId": club.contact_ids[0],
            "salesChannelCode": "WEB", "tickets": [match_ticket(&club, 7), pass, parking] })).await;
        assert_eq!(file["fileNumber"], "ORDER-1");
        let tickets = file["tickets"].as_array().unwrap();
        assert_eq!(tickets.len(), 3);
        for ticket in tickets {
            assert_eq!(ticket["status"], "NOT_PRINTED");
            assert_eq!(ticket["salesChannelCode"], "WEB");
            assert_eq!(ticket["contactId"], club.contact_ids[0]);
        }
        assert_eq!(tickets[0]["performanceCode"], "P1");
        assert_eq!(tickets[0]["seat"], "7");
        assert_eq!(tickets[0]["shipmentModeType"], "MOBILE");
        assert_eq!(tickets[0]["barcode"].as_str().unwrap().len(), 20);
        assert_eq!(tickets[1]["validityStart"], "2099-07-01T00:00:00+02:00", "defaults to the season");
        assert_eq!(tickets[1]["validityEnd"], "2100-06-30T23:59:00+02:00");
        assert_eq!(tickets[1]["holderContactId"], club.contact_ids[1]);
        assert_eq!(tickets[2]["barcode"], "PARK-0001");
        assert_eq!(tickets[2]["validityStart"], "2099-08-01T08:00:00+02:00");

        let (status, again) = bo_get(&app, &format!("{p}/files/ORDER-1")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["tickets"], file["tickets"]);
        let id = tickets[0]["id"].as_i64().unwrap();
        let (status, one) = bo_get(&app, &format!("{p}/tickets/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{one}");
        assert_eq!(one["mobileStatus"], Value::Null);
        assert_eq!(one["forwardTransfers"], 0);
        assert_eq!(one["mobileHistory"], json!([]));
        assert_eq!(one["distributionHistory"], json!([]));
        assert_eq!(one["fileNumber"], "ORDER-1");
    }

    async fn issuing_refuses_bad_tickets_naming_the_field_and_writes_nothing(app: TestApp) {
        let club = seed_match(&app, "CLUB", 1).await;
        let p = &club.org_path;
        bo_create(&app, &format!("{p}/products"), &json!({ "code": "PARKING", "name": "Parking", "kind": "SERVICE", "family": "F" })).await;
        let contact = club.contact_ids[0];
        let mut no_performance = match_ticket(&club, 2);
        no_performance.as_object_mut().unwrap().remove("performanceCode");
        let mut unknown_product = match_ticket(&club, 2);
        unknown_product["productCode"] = json!("NOPE");
        let mut unknown_performance = match_ticket(&club, 2);
        unknown_performance["performanceCode"] = json!("P9");
        let performance_on_undated = json!({ "productCode": "PARKING", "performanceCode": "P1", "shipmentModeCode": "MOBILE", "priceCents": 1,
            "validityStart": "2099-08-01T08:00:00+02:00", "validityEnd": "2099-08-01T23:00:00+02:00" });
        let undated_without_dates = json!({ "productCode": "PARKING", "shipmentModeCode": "MOBILE", "priceCents": 1 });
        let mut validity_on_dated = match_ticket(&club, 2);
        validity_on_dated["validityStart"] = json!("2099-08-01T08:00:00+02:00");
        let mut unknown_tariff = match_ticket(&club, 2);
        unknown_tariff["tariffCode"] = json!("FREE");
        let mut taken_barcode = match_ticket(&club, 2);
        taken_barcode["barcode"] = json!(club.barcodes[0]);
        let cases = [
            (vec![match_ticket(&club, 3), unknown_product], StatusCode::UNPROCESSABLE_ENTITY, "tickets[1].productCode"),
            (vec![no_performance], StatusCode::UNPROCESSABLE_ENTITY, "tickets[0].performanceCode"),
            (vec![unknown_performance], StatusCode::UNPROCESSABLE_ENTITY, "tickets[0].performanceCode"),
            (vec![performance_on_undated], StatusCode::UNPROCESSABLE_ENTITY, "tickets[0].performanceCode"),
            (vec![undated_without_dates], StatusCode::UNPROCESSABLE_ENTITY, "tickets[0].validityStart"),
            (vec![validity_on_dated], StatusCode::UNPROCESSABLE_ENTITY, "tickets[0].validityStart"),
            (vec![unknown_tariff], StatusCode::UNPROCESSABLE_ENTITY, "tickets[0].tariffCode"),
            (vec![match_ticket(&club, 4), taken_barcode], StatusCode::CONFLICT, "tickets[1].barcode"),
        ];
        for (tickets, expected, field) in cases {
            let (status, answer) = bo_post(&app, &format!("{p}/files"), &json!({ "contactId": contact, "tickets": tickets })).await;
            assert_eq!((status, answer["field"].as_str()), (expected, Some(field)), "{answer}");
        }
        let (status, answer) = bo_post(&app, &format!("{p}/files"), &json!({ "contactId": 999999, "tickets": [match_ticket(&club, 5)] })).await;
        assert_eq!((status, answer["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("contactId")));
        let (status, answer) = bo_post(&app, &format!("{p}/files"),
            &json!({ "fileNumber": club.file_numbers[0], "contactId": contact, "tickets": [match_ticket(&club, 5)] })).await;
        assert_eq!((status, answer["field"].as_str()), (StatusCode::CONFLICT, Some("fileNumber")));
        let (_, page) = bo_get(&app, &format!("{p}/tickets")).await;
        assert_eq!(ids(&page), club.ticket_ids, "nothing half-written");
    }

    async fn each_operation_follows_the_state_machine_and_an_illegal_move_names_the_status(app: TestApp) {
        let club = seed_match(&app, "CLUB", 4).await;
        let t = |i: usize| format!("{}/tickets/{}", club.org_path, club.ticket_ids[i]);
        let (status, cancelled) = bo_post(&app, &format!("{}/cancel", t(0)), &json!({ "reason": "CANCELLATION" })).await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");
        assert_eq!((cancelled["status"].as_str(), cancelled["invalidationReason"].as_str()), (Some("CANCELLED"), Some("CANCELLATION")));
        let (status, again) = bo_post(&app, &format!("{}/cancel", t(0)), &json!({ "reason": "CANCELLATION" })).await;
        assert_eq!((status, again["currentStatus"].as_str()), (StatusCode::CONFLICT, Some("CANCELLED")), "{again}");
        let (status, control) = bo_post(&app, &format!("{}/control", t(0)), &json!({})).await;
        assert_eq!((status, control["currentStatus"].as_str()), (StatusCode::CONFLICT, Some("CANCELLED")));
        assert!(control["error"].as_str().unwrap().contains("CANCELLED"));

        let (_, invalidated) = bo_post(&app, &format!("{}/invalidate", t(1)), &json!({ "reason": "RESALE" })).await;
        assert_eq!((invalidated["status"].as_str(), invalidated["invalidationReason"].as_str()), (Some("INVALIDATED"), Some("RESALE")));
        let (status, amended) = bo_post(&app, &format!("{}/reason", t(1)), &json!({ "reason": "MOBILE_TAKE_BACK" })).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((amended["status"].as_str(), amended["invalidationReason"].as_str()), (Some("INVALIDATED"), Some("MOBILE_TAKE_BACK")));
        let (status, _) = bo_post(&app, &format!("{}/reason", t(2)), &json!({ "reason": "RESALE" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "a live ticket has no reason to amend");

        let (status, controlled) = bo_post(&app, &format!("{}/control", t(2)), &json!({})).await;
        assert_eq!((status, controlled["status"].as_str()), (StatusCode::OK, Some("CONTROLLED")));
        let (status, twice) = bo_post(&app, &format!("{}/control", t(2)), &json!({})).await;
        assert_eq!((status, twice["currentStatus"].as_str()), (StatusCode::CONFLICT, Some("CONTROLLED")));
        let (_, cancelled) = bo_post(&app, &format!("{}/cancel", t(2)), &json!({ "reason": "CANCELLATION" })).await;
        assert_eq!(cancelled["status"], "CANCELLED", "a controlled ticket can still be cancelled");

        let (status, bad) = bo_post(&app, &format!("{}/cancel", t(3)), &json!({ "reason": "not a code" })).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        let (status, _) = bo_post(&app, &format!("{}/tickets/999999/cancel", club.org_path), &json!({ "reason": "X" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, untouched) = bo_get(&app, &t(3)).await;
        assert_eq!(untouched["status"], "NOT_PRINTED");
    }

    async fn a_reprint_invalidates_the_old_ticket_and_issues_a_linked_copy(app: TestApp) {
        let club = seed_match(&app, "CLUB", 2).await;
        let old = club.ticket_ids[0];
        let (status, answer) = bo_post(&app, &format!("{}/tickets/{old}/reprint", club.org_path), &json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let (before, after) = (&answer["old"], &answer["new"]);
        assert_eq!((before["status"].as_str(), before["invalidationReason"].as_str()), (Some("INVALIDATED"), Some("REPRINT")));
        assert_eq!(after["status"], "NOT_PRINTED");
        assert_eq!(after["replacesTicketId"], old);
        assert_eq!(before["replacedByTicketId"], after["id"]);
        assert_ne!(after["barcode"], before["barcode"]);
        for same in ["seat", "block", "row", "productCode", "performanceCode", "seatCategoryCode", "contactId", "fileNumber", "priceCents"] {
            assert_eq!(after[same], before[same], "{same}");
        }
        let (status, again) = bo_post(&app, &format!("{}/tickets/{old}/reprint", club.org_path), &json!({})).await;
        assert_eq!((status, again["currentStatus"].as_str()), (StatusCode::CONFLICT, Some("INVALIDATED")));
    }

    async fn a_scan_controls_a_ticket_once_and_refuses_unknown_or_invalid_barcodes(app: TestApp) {
        let club = seed_match(&app, "CLUB", 3).await;
        let scans = format!("{}/scans", club.org_path);
        let (status, scanned) = bo_post(&app, &scans, &json!({ "barcode": club.barcodes[0] })).await;
        assert_eq!((status, scanned["status"].as_str()), (StatusCode::OK, Some("CONTROLLED")), "{scanned}");
        assert_eq!(scanned["id"], club.ticket_ids[0]);
        let (status, twice) = bo_post(&app, &scans, &json!({ "barcode": club.barcodes[0] })).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!((twice["code"].as_str(), twice["currentStatus"].as_str()), (Some("ALREADY_CONTROLLED"), Some("CONTROLLED")));
        let (status, _) = bo_post(&app, &scans, &json!({ "barcode": "NO-SUCH-CODE" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        bo_post(&app, &format!("{}/tickets/{}/cancel", club.org_path, club.ticket_ids[1]), &json!({ "reason": "CANCELLATION" })).await;
        let (status, invalid) = bo_post(&app, &scans, &json!({ "barcode": club.barcodes[1] })).await;
        assert_eq!((status, invalid["code"].as_str()), (StatusCode::CONFLICT, Some("NOT_VALID")));
        assert_eq!(invalid["currentStatus"], "CANCELLED");

        // The same operation as a library call, as other parts use it.
        let db = &app.app.db;
        let org = tixbridge_domain::OrganizationId::new(club.org_id);
        let done = tixbridge_boxoffice::tickets::control_by_barcode(db, org, &club.barcodes[2]).await.unwrap();
        assert_eq!(done.ticket_id.get(), club.ticket_ids[2]);
        let refused = tixbridge_boxoffice::tickets::control_by_barcode(db, org, &club.barcodes[2]).await;
        assert!(matches!(refused, Err(tixbridge_boxoffice::BoxOfficeError::ScanRefused { code: "ALREADY_CONTROLLED", .. })));
    }

    async fn contacts_by_email_prefer_an_internet_account_then_an_individual(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let contacts = format!("{}/contacts", club.org_path);
        let relay = bo_create(&app, &contacts, &json!({ "kind": "RELAY", "lastName": "Agency", "email": "Shared@Example.org" })).await;
        assert_eq!(relay["email"], "shared@example.org", "stored lower-cased");
        let person = bo_create(&app, &contacts, &json!({ "lastName": "Person", "email": "shared@example.org", "birthDate": "1990-02-03",
            "consentMarketing": true })).await;
        let (_, listed) = bo_get(&app, &format!("{contacts}?email=SHARED@example.org")).await;
        let order: Vec<&Value> = listed["results"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
        assert_eq!(order, [&person["id"], &relay["id"]], "an individual before a relay");
        let online = bo_create(&app, &contacts, &json!({ "kind": "RELAY", "lastName": "Online", "email": "shared@example.org", "hasInternetAccount": true })).await;
        let preferred = tixbridge_boxoffice::contacts::find_by_email_preferring(&app.app.db, club.org_id, " Shared@example.org ").await.unwrap().unwrap();
        assert_eq!(json!(preferred.id), online["id"], "an internet account first");
        assert!(tixbridge_boxoffice::contacts::find_by_email_preferring(&app.app.db, club.org_id, "none@example.org").await.unwrap().is_none());

        let (status, one) = bo_get(&app, &format!("{contacts}/{}", person["id"])).await;
        assert_eq!((status, one["consentMarketing"].as_bool()), (StatusCode::OK, Some(true)));
        assert_eq!(one["birthDate"], "1990-02-03");
        for (body, field) in [
            (json!({ "lastName": "X", "birthDate": "03/02/1990" }), "birthDate"),
            (json!({ "lastName": "X", "email": "not-an-email" }), "email"),
            (json!({ "firstName": "Only" }), "lastName"),
            (json!({ "lastName": "X", "kind": "ROBOT" }), "kind"),
        ] {
            let (status, bad) = bo_post(&app, &contacts, &body).await;
            assert_eq!((status, bad["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{bad}");
        }
    }

    async fn tickets_are_listed_by_page_and_filtered(app: TestApp) {
        let club = seed_match(&app, "CLUB", 5).await;
        let p = &club.org_path;
        bo_post(&app, &format!("{p}/tickets/{}/cancel", club.ticket_ids[2]), &json!({ "reason": "CANCELLATION" })).await;
        let seen: Vec<i64> = bo_all(&app, &format!("{p}/tickets?status=NOT_PRINTED&performance=P1&limit=2")).await
            .iter().map(|t| t["id"].as_i64().unwrap()).collect();
        let expected: Vec<i64> = club.ticket_ids.iter().copied().filter(|id| *id != club.ticket_ids[2]).collect();
        assert_eq!(seen, expected);
        let (_, cancelled) = bo_get(&app, &format!("{p}/tickets?status=CANCELLED")).await;
        assert_eq!(ids(&cancelled), [club.ticket_ids[2]]);
        let (status, bad) = bo_get(&app, &format!("{p}/tickets?status=LOST")).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::BAD_REQUEST, Some("status")));
        let (status, bad) = bo_get(&app, &format!("{p}/tickets?limit=0")).await;
        assert_eq!((status, bad["field"].as_str()), (StatusCode::BAD_REQUEST, Some("limit")));
    }
}
