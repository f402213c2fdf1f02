//! Ticket templates (docs/interface.md#ticket-templates) over real HTTP on both databases:
//! listed, read, changed and deleted under the access rules of the interface; errors that
//! point at the line; a preview rendering a real ticket with and without the template; and a
//! run that checks its interface still takes templates.

use crate::common;

use crate::common::seed::{Seeded, injection_settings, merge};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Seeds `tickets` tickets of `org` behind an interface of type `TIXNGO_WITH_TEMPLATE`.
async fn templated(app: &common::TestApp, org: &str, tickets: usize) -> Seeded {
    let seeded = app.seed_match(org, tickets).await;
    app.configure_interface(&seeded, None, json!({ "type": "TIXNGO_WITH_TEMPLATE" })).await;
    seeded
}

fn templates(org: &str) -> String {
    format!("/api/boxoffice/organizations/{org}/templates")
}

fn match_template() -> Value {
    json!({ "name": "Match", "fields": {
        "event.name": "${Performance_hostTeam} vs ${Performance_opposingTeam}",
        "ticketDetails.main.0.value": "Block ${Ticket_block}" } })
}

async fn injection_with(app: &common::TestApp, org: &str, extra: Value) -> i64 {
    let mut settings = injection_settings();
    merge(&mut settings, extra);
    app.function(org, "INJECTION", settings).await
}

on_both_databases! {
    async fn templates_are_listed_read_changed_and_deleted_by_their_organization_only(app: TestApp) {
        templated(&app, "FTL", 0).await;
        let created = app.create(&templates("FTL"), match_template()).await;
        let id = created["id"].as_i64().unwrap();
        let listed = app.bo_get(&templates("FTL")).await;
        assert_eq!(listed["results"].as_array().unwrap().len(), 1, "{listed}");
        assert_eq!(listed["results"][0]["fields"]["event.name"], "${Performance_hostTeam} vs ${Performance_opposingTeam}");
        let one = format!("{}/{id}", templates("FTL"));
        let source = "{\n  \"event.name\": \"${Product_externalName}\",\n  \"event.address.site\": \"${Site_externalName}\"\n}";
        let (status, changed) = app.send(Method::PUT, &one, "", Some(&json!({ "name": "Renamed", "source": source }))).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        let read = app.bo_get(&one).await;
        assert_eq!((read["name"].as_str(), read["source"].as_str()), (Some("Renamed"), Some(source)), "the text is kept as written");
        assert_eq!(read["fields"]["event.address.site"], "${Site_externalName}");

        // the neighbours' rule: viewers read, only admins change; another organization sees nothing
        let viewer = app.token("FTL", "viewer", None).await;
        assert_eq!(app.get_json(&one, &viewer).await.0, StatusCode::OK);
        assert_eq!(app.send(Method::DELETE, &one, &viewer, None).await.0, StatusCode::FORBIDDEN);
        app.seed_match("FTO", 0).await;
        let other = app.admin_token_for("FTO").await;
        for (method, body) in [(Method::GET, None), (Method::PUT, Some(match_template())), (Method::DELETE, None)] {
            let (status, answer) = app.send(method.clone(), &one, &other, body.as_ref()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} by another organization: {answer}");
            let (status, _) = app.send(method.clone(), &format!("{}/{id}", templates("FTO")), &other, body.as_ref()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} through another organization's path");
        }

        // a template a function names stays until the function lets it go
        let injection = injection_with(&app, "FTL", json!({ "templateId": id })).await;
        assert_eq!(app.bo_get(&one).await["usedBy"], json!([injection]));
        let (status, refused) = app.send(Method::DELETE, &one, "", None).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::CONFLICT, Some("id")), "{refused}");
        let (status, _) = app.send(Method::PUT, &format!("/api/boxoffice/functions/{injection}"), "",
            Some(&json!({ "kind": "INJECTION", "name": "no template", "settings": injection_settings() }))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(app.send(Method::DELETE, &one, "", None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(app.get_json(&one, "").await.0, StatusCode::NOT_FOUND);
        let (status, refused) = app.post_json("/api/boxoffice/organizations/FTL/interface/functions", "",
            &json!({ "kind": "INJECTION", "name": "gone", "settings": merge_into(injection_settings(), json!({ "templateId": id })) })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("settings.templateId")), "{refused}");
    }

    async fn a_template_error_points_at_the_line_it_is_on_and_nothing_is_saved(app: TestApp) {
        templated(&app, "FTE", 0).await;
        let cases = [
            ("{\n  \"event.name\": \"x\",\n  \"event.id\": \"${Product_code}\"\n}", "line 3 (event.id)"),
            ("{\n  \"event.name\": \"x\",\n  \"event.address.city\": \"${Nowhere}\"\n}", "line 3 (event.address.city): unknown variable"),
            ("{\n  \"event.name\": \"x\"\n  \"event.address.city\": \"y\"\n}", "line 3, column"),
        ];
        for (source, expected) in cases {
            let (status, refused) = app.post_json(&templates("FTE"), "", &json!({ "name": "Bad", "source": source })).await;
            assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("source")), "{refused}");
            assert!(refused["error"].as_str().unwrap().contains(expected), "{expected}: {refused}");
        }
        assert_eq!(app.bo_get(&templates("FTE")).await["results"], json!([]));
    }

    async fn a_preview_shows_the_json_the_wallet_would_receive_next_to_the_untemplated_one_and_sends_nothing(app: TestApp) {
        let seeded = templated(&app, "FTP", 1).await;
        let ticket = seeded.ticket_ids[0];
        let id = app.create(&templates("FTP"), match_template()).await["id"].as_i64().unwrap();
        let injection = injection_with(&app, "FTP", json!({ "templateId": id, "barcodePrefix": "PX-" })).await;
        let preview = format!("{}/{id}/preview", templates("FTP"));
        let (status, shown) = app.post_json(&preview, "", &json!({ "ticketId": ticket })).await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert_eq!(shown["untemplated"]["event"]["name"], "Lions - Eagles");
        assert_eq!(shown["templated"]["event"]["name"], "Lions vs Eagles");
        let block = shown["untemplated"]["block"].as_str().unwrap_or_else(|| panic!("no block: {shown}"));
        assert_eq!(shown["templated"]["ticketDetails"]["main"][0]["value"], format!("Block {block}"));
        assert_eq!(shown["functionId"], injection, "the settings of the function naming the template apply");
        assert!(shown["templated"]["security"]["barcode"].as_str().unwrap().starts_with("PX-"), "{shown}");
        assert_eq!(shown["walletCheck"]["accepted"], true, "{shown}");
        let name_change = shown["changes"].as_array().unwrap().iter().find(|c| c["path"] == "event.name").unwrap();
        assert_eq!((name_change["line"].as_u64(), name_change["before"].as_str()), (Some(2), Some("Lions - Eagles")), "{shown}");

        // a draft the wallet would refuse says so, naming the line that caused it
        let long = "x".repeat(200);
        let draft = format!("{{\n  \"ticketDetails.extra.0.value\": \"fine\",\n  \"event.name\": \"{long}\"\n}}");
        let (status, refused) = app.post_json(&preview, "", &json!({ "ticketId": ticket, "source": draft })).await;
        assert_eq!(status, StatusCode::OK, "{refused}");
        assert_eq!((refused["walletCheck"]["accepted"].as_bool(), refused["walletCheck"]["line"].as_u64()), (Some(false), Some(3)), "{refused}");
        assert_eq!(refused["walletCheck"]["field"], "event.name");

        assert_eq!(app.ticket("FTP", ticket).await["status"], "NOT_PRINTED", "a preview prints nothing");
        assert_eq!(app.wallet_ticket(&seeded, ticket).await.0, 404, "a preview sends nothing");
        let viewer = app.token("FTP", "viewer", None).await;
        assert_eq!(app.post_json(&preview, &viewer, &json!({ "ticketId": ticket })).await.0, StatusCode::FORBIDDEN);
        let foreign = app.seed_match("FTQ", 1).await.ticket_ids[0];
        let (status, missing) = app.post_json(&preview, "", &json!({ "ticketId": foreign })).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another organization's ticket: {missing}");
    }

    async fn a_run_whose_interface_no_longer_takes_templates_ends_in_error_and_sends_nothing(app: TestApp) {
        let seeded = templated(&app, "FTR", 2).await;
        let id = app.create(&templates("FTR"), match_template()).await["id"].as_i64().unwrap();
        let injection = injection_with(&app, "FTR", json!({ "templateId": id })).await;
        let interface = app.bo_get("/api/boxoffice/organizations/FTR/interface").await;
        let mut plain = json!({ "name": interface["name"], "type": "TIXNGO", "url": interface["url"], "login": interface["login"] });
        merge(&mut plain, json!({ "customParameters": interface["customParameters"] }));
        let (status, changed) = app.send(Method::PUT, "/api/boxoffice/organizations/FTR/interface", "", Some(&plain)).await;
        assert_eq!(status, StatusCode::OK, "{changed}");

        let run = app.run(injection).await;
        assert_eq!(run["result"], "ERROR", "{run}");
        let cause = run["cause"].as_str().unwrap();
        assert!(cause.contains("settings.templateId") && cause.contains("TIXNGO_WITH_TEMPLATE"), "{cause}");
        assert_eq!(run["counts"]["sent"], 0);
        for ticket in &seeded.ticket_ids {
            assert_eq!(app.ticket("FTR", *ticket).await["status"], "NOT_PRINTED");
            assert_eq!(app.wallet_ticket(&seeded, *ticket).await.0, 404);
        }
        let (status, refused) = app.send(Method::PUT, &format!("/api/boxoffice/functions/{injection}"), "",
            Some(&json!({ "kind": "INJECTION", "name": "again", "settings": merge_into(injection_settings(), json!({ "templateId": id })) }))).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("settings.templateId")),
            "saving the function is refused the same way: {refused}");
    }
}

fn merge_into(mut target: Value, extra: Value) -> Value {
    merge(&mut target, extra);
    target
}
