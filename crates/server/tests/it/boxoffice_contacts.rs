//! Contacts read, corrected and merged through the API (docs/boxoffice-api.md#contacts), over
//! real HTTP on SQLite and PostgreSQL: every change in the audit record, bad input refused
//! naming the field with nothing changed, another organization's contact a 404.

use crate::common::TestApp;
use crate::common::boxoffice::{bo_create, bo_get, bo_post, match_ticket, seed_match};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn patch(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    app.send(Method::PATCH, &format!("/api/boxoffice{path}"), "", Some(body)).await
}

/// The audit record's entries about contacts, newest first: (action, object, fields).
async fn contact_audit(app: &TestApp, org_path: &str) -> Vec<(String, String, Value)> {
    let (status, page) = bo_get(app, &format!("{org_path}/audit")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"].as_str().unwrap().starts_with("contact."))
        .map(|c| {
            (c["action"].as_str().unwrap().to_owned(), c["object"].as_str().unwrap().to_owned(), c["fields"].clone())
        })
        .collect()
}

on_both_databases! {
    async fn a_contact_is_read_and_corrected_with_each_change_in_the_audit_record(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let p = &club.org_path;
        let created = bo_create(&app, &format!("{p}/contacts"),
            &json!({ "lastName": "Lovelace", "phone": "+41 22 000 00 00", "language": "en" })).await;
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["email"], Value::Null, "a contact without an e-mail…");

        let (status, changed) = patch(&app, &format!("{p}/contacts/{id}"),
            &json!({ "email": "  Ada@Example.ORG ", "firstName": "Ada", "phone": null, "consentMarketing": true })).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["email"], "ada@example.org", "…gets one, stored lower-cased");
        assert_eq!((changed["firstName"].as_str(), changed["phone"].as_str()), (Some("Ada"), None));
        assert_eq!((changed["lastName"].as_str(), changed["language"].as_str()), (Some("Lovelace"), Some("en")), "the others stay");
        assert_eq!(changed["consentMarketing"], true);
        let (_, read) = bo_get(&app, &format!("{p}/contacts/{id}")).await;
        assert_eq!(read, changed);
        let (_, by_email) = bo_get(&app, &format!("{p}/contacts?email=ada@example.org")).await;
        assert_eq!(by_email["results"][0]["id"], id);

        let audit = contact_audit(&app, p).await;
        assert_eq!(audit, [("contact.update".to_owned(), format!("contact {id}"),
            json!(["firstName", "email", "phone", "consentMarketing"]))]);
        let (_, page) = bo_get(&app, &format!("{p}/audit")).await;
        assert!(!page.to_string().contains("ada@example.org"), "never a value: {page}");
    }

    async fn a_bad_correction_is_refused_naming_the_field_and_changes_nothing(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let p = &club.org_path;
        let id = club.contact_ids[1];
        let (_, before) = bo_get(&app, &format!("{p}/contacts/{id}")).await;
        for (body, status, field) in [
            (json!({ "email": "not-an-email" }), StatusCode::UNPROCESSABLE_ENTITY, "email"),
            (json!({ "firstName": "Ok", "birthDate": "31/12/1990" }), StatusCode::UNPROCESSABLE_ENTITY, "birthDate"),
            (json!({ "countryCode": "FRANCE" }), StatusCode::UNPROCESSABLE_ENTITY, "countryCode"),
            (json!({ "kind": "COMPANY" }), StatusCode::UNPROCESSABLE_ENTITY, "kind"),
            (json!({ "kind": null }), StatusCode::UNPROCESSABLE_ENTITY, "kind"),
            (json!({ "temporary": null }), StatusCode::UNPROCESSABLE_ENTITY, "temporary"),
            (json!({ "lastName": null, "email": null }), StatusCode::UNPROCESSABLE_ENTITY, "lastName"),
            (json!({ "favouriteColour": "blue" }), StatusCode::BAD_REQUEST, "favouriteColour"),
            (json!({ "email": 7 }), StatusCode::BAD_REQUEST, "email"),
        ] {
            let (got, refused) = patch(&app, &format!("{p}/contacts/{id}"), &body).await;
            assert_eq!((got, refused["field"].as_str()), (status, Some(field)), "{body}: {refused}");
        }
        let (_, after) = bo_get(&app, &format!("{p}/contacts/{id}")).await;
        assert_eq!(after, before, "nothing changed");
        assert!(contact_audit(&app, p).await.is_empty(), "nothing recorded");
    }

    async fn another_organizations_contact_is_a_404_to_read_correct_or_merge_and_a_viewer_may_not_change_one(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let rival = seed_match(&app, "RIVAL", 0).await;
        let theirs = rival.contact_ids[0];
        let ours = club.contact_ids[0];
        let (status, _) = bo_get(&app, &format!("{}/contacts/{theirs}", club.org_path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = patch(&app, &format!("{}/contacts/{theirs}", club.org_path), &json!({ "firstName": "X" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = bo_post(&app, &format!("{}/contacts/{theirs}/merge", club.org_path), &json!({ "duplicateId": ours })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, refused) = bo_post(&app, &format!("{}/contacts/{ours}/merge", club.org_path), &json!({ "duplicateId": theirs })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::NOT_FOUND, Some("duplicateId")), "{refused}");
        let (status, refused) = bo_post(&app, &format!("{}/contacts/{ours}/merge", club.org_path), &json!({ "duplicateId": ours })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("duplicateId")), "{refused}");
        let (_, still) = bo_get(&app, &format!("{}/contacts/{theirs}", rival.org_path)).await;
        assert_eq!(still["firstName"], "Fan1", "untouched");

        let viewer = app.token("CLUB", "viewer", None).await;
        let (status, _) = app.send(Method::PATCH, &format!("/api/boxoffice{}/contacts/{ours}", club.org_path), &viewer,
            Some(&json!({ "firstName": "X" }))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.send(Method::POST, &format!("/api/boxoffice{}/contacts/{ours}/merge", club.org_path), &viewer,
            Some(&json!({ "duplicateId": club.contact_ids[1] }))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, read) = app.send(Method::GET, &format!("/api/boxoffice{}/contacts/{ours}", club.org_path), &viewer, None).await;
        assert_eq!(status, StatusCode::OK, "{read}");
    }

    async fn merging_moves_tickets_files_and_history_to_the_kept_contact_and_removes_the_duplicate(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let p = &club.org_path;
        let keep = bo_create(&app, &format!("{p}/contacts"), &json!({ "lastName": "Hopper", "firstName": "Grace" })).await;
        let dup = bo_create(&app, &format!("{p}/contacts"),
            &json!({ "lastName": "HOPPER", "email": "grace@example.org", "phone": "+1 555", "hasInternetAccount": true })).await;
        let (keep, dup) = (keep["id"].as_i64().unwrap(), dup["id"].as_i64().unwrap());
        let mut held = match_ticket(&club, 2);
        held["holderContactId"] = json!(dup);
        let file = bo_create(&app, &format!("{p}/files"),
            &json!({ "fileNumber": "DUP-1", "contactId": dup, "tickets": [match_ticket(&club, 1)] })).await;
        bo_create(&app, &format!("{p}/files"), &json!({ "fileNumber": "OTHER-1", "contactId": club.contact_ids[0], "tickets": [held] })).await;

        let (status, merged) = bo_post(&app, &format!("{p}/contacts/{keep}/merge"), &json!({ "duplicateId": dup })).await;
        assert_eq!(status, StatusCode::OK, "{merged}");
        assert_eq!((merged["mergedContactId"].as_i64(), merged["ticketsMoved"].as_i64(), merged["filesMoved"].as_i64()),
            (Some(dup), Some(2), Some(1)), "{merged}");
        assert_eq!(merged["fieldsFilled"], json!(["hasInternetAccount", "email", "phone"]));
        let contact = &merged["contact"];
        assert_eq!((contact["lastName"].as_str(), contact["email"].as_str(), contact["hasInternetAccount"].as_bool()),
            (Some("Hopper"), Some("grace@example.org"), Some(true)), "the kept values stay, the empty ones are filled");

        let (_, moved) = bo_get(&app, &format!("{p}/files/DUP-1")).await;
        assert_eq!((moved["contactId"].as_i64(), moved["tickets"][0]["contactId"].as_i64()), (Some(keep), Some(keep)));
        let ticket = file["tickets"][0]["id"].as_i64().unwrap();
        assert_eq!(bo_get(&app, &format!("{p}/tickets/{ticket}")).await.1["contactId"], keep);
        let (_, other) = bo_get(&app, &format!("{p}/files/OTHER-1")).await;
        assert_eq!(other["tickets"][0]["holderContactId"], keep);
        assert_eq!(bo_get(&app, &format!("{p}/contacts/{dup}")).await.0, StatusCode::NOT_FOUND);
        let (_, by_email) = bo_get(&app, &format!("{p}/contacts?email=grace@example.org")).await;
        assert_eq!(by_email["results"].as_array().unwrap().len(), 1);

        let audit = contact_audit(&app, p).await;
        assert_eq!(audit, [("contact.merge".to_owned(), format!("contact {keep} (contact {dup} merged into it)"),
            json!(["duplicateId", "hasInternetAccount", "email", "phone"]))]);
        let (status, _) = bo_post(&app, &format!("{p}/contacts/{keep}/merge"), &json!({ "duplicateId": dup })).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "merged once");
    }
}
