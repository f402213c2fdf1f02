//! The wallet organizer's back office at `/wallet/organizer/` over real HTTP on both
//! databases (signing in and the session: `wallet_organizer_sign_in.rs`): the events' counters
//! after real ticket changes, rules and device limits edited on the pages and then holding for spectators,
//! another organizer's pages not found, forms without the session's CSRF token refused, and a
//! ticket's log verified — and shown broken where a row was altered in the database.

use reqwest::StatusCode;
use serde_json::json;
use tixbridge_store::sql;

use crate::common::TestApp;
use crate::support::pages::{PageClient, csrf_of};
use crate::support::*;

pub(crate) const LOGIN: &str = "org@example.org";

/// A browser signed in to the back office as `login` with `key`.
pub(crate) async fn signed_in(app: &TestApp, login: &str, key: &str) -> PageClient {
    let browser = PageClient::new(app, "en");
    let (status, answer) = try_sign_in(&browser, login, key).await;
    assert_eq!((status, answer.as_str()), (StatusCode::SEE_OTHER, "redirect to /wallet/organizer/"));
    browser
}

pub(crate) async fn try_sign_in(browser: &PageClient, login: &str, key: &str) -> (StatusCode, String) {
    let (status, form) = browser.get("/wallet/organizer/sign-in").await;
    assert_eq!(status, StatusCode::OK, "{form}");
    browser.post("/wallet/organizer/sign-in", &[("csrf", &csrf_of(&form)), ("login", login), ("apiKey", key)]).await
}

/// The counters of event `event_id` on the events page, in the page's order, and the link
/// to its page.
fn counters_of(page: &str, event_id: &str) -> (Vec<i64>, String) {
    let row = page
        .split("<tr>")
        .find(|row| row.contains(&format!("{event_id} · ")) && row.contains("<td class=\"n\">"))
        .expect("the event's row");
    let numbers =
        row.split("<td class=\"n\">").skip(1).map(|cell| cell.split('<').next().unwrap().parse().unwrap()).collect();
    let link = row.split("href=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    (numbers, link)
}

/// The id of ticket `ticket_id`'s page, as the event page's finder answers it.
async fn ticket_page(browser: &PageClient, event_link: &str, ticket_id: &str) -> String {
    let (status, found) = browser.get(&format!("{event_link}/find?ticketId={ticket_id}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{found}");
    found.strip_prefix("redirect to ").unwrap().to_owned()
}

/// The rules form as the page shows it, with `changes` over it (an empty value unticks).
fn rules_form(page: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let form = page.split("/rules\">").nth(1).expect("the rules form").split("</form>").next().unwrap();
    let mut fields: Vec<(String, String)> = Vec::new();
    for tag in form.split('<').filter(|t| t.starts_with("input") || t.starts_with("select")) {
        let attr =
            |name: &str| tag.split(&format!(" {name}=\"")).nth(1).map(|v| v.split('"').next().unwrap().to_owned());
        let Some(name) = attr("name") else { continue };
        let value = if tag.starts_with("select") {
            let options = form.split(&format!("name=\"{name}\"")).nth(1).unwrap().split("</select>").next().unwrap();
            options
                .split("<option value=\"")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .unwrap_or("OPTIONAL\"")
                .split('"')
                .next()
                .unwrap()
                .to_owned()
        } else {
            attr("value").unwrap_or_default()
        };
        let ticked = tag.contains(" checked");
        if (tag.contains("type=\"checkbox\"") || tag.contains("type=\"radio\"")) && !ticked {
            continue;
        }
        fields.push((name, value));
    }
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        if !value.is_empty() {
            fields.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    fields
}

async fn post_form(browser: &PageClient, path: &str, fields: &[(String, String)]) -> (StatusCode, String) {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post(path, &pairs).await
}

on_both_databases! {
    async fn each_events_counters_match_what_happened_to_its_tickets(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        inject(&app, &key, &["T1", "T2", "T3", "T4", "T5"], "EV1", "ada@example.org").await;
        inject(&app, &key, &["T6", "T7"], "EV2", "ada@example.org").await;
        set_event(&app, &key, "EV2", activation_due()).await;
        let ada = sign_in(&app, "ada@example.org").await;
        let mut ids = std::collections::HashMap::new();
        for ticket in ["T1", "T2", "T3", "T6"] {
            ids.insert(ticket, ada.fetch(&app, ticket).await.0);
        }
        let (status, named) = ada.post(&app, &format!("/api/spectator/tickets/{}/holder", ids["T1"]), json!({ "firstName": "Grace", "lastName": "Hopper" })).await;
        assert_eq!(status, StatusCode::OK, "{named}");
        assert_eq!(ada.offer(&app, ids["T2"], "bob@example.org").await.0, StatusCode::OK);
        assert_eq!(ada.offer(&app, ids["T3"], "bob@example.org").await.0, StatusCode::OK);
        let (_, cancelled) = app.post_json("/api/organizer/tickets/transfers/cancel", &key, &json!([{ "ticketId": "T3" }])).await;
        assert_eq!(cancelled["results"][0]["status"], "ACCEPTED", "{cancelled}");
        let (_, deleted) = app.post_json("/api/organizer/tickets/delete", &key, &json!([{ "ticketId": "T5", "reason": "CANCELLATION" }, { "ticketId": "T7", "reason": "CANCELLATION" }])).await;
        assert!(deleted["results"].as_array().unwrap().iter().all(|r| r["status"] == "ACCEPTED"), "{deleted}");
        let code = ada.code(&app, ids["T6"]).await;
        assert_eq!(verify(&app, &key, json!({ "code": code, "event": "EV2" })).await["result"], "ACCEPTED");

        let browser = signed_in(&app, LOGIN, &key).await;
        let (status, page) = browser.get("/wallet/organizer/").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        // injected, downloaded, assigned, pending transfers, deleted, activated, controlled
        assert_eq!(counters_of(&page, "EV1").0, [5, 3, 1, 1, 1, 0, 0], "{page}");
        assert_eq!(counters_of(&page, "EV2").0, [2, 1, 0, 0, 1, 1, 1], "{page}");
        assert!(page.contains("EV1 · Sun 14 June 2099, 21:00"), "the start for people: {page}");
        let (_, link) = counters_of(&page, "EV1");
        let (status, event) = browser.get(&link).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(counters_of(&event, "EV1").0, [5, 3, 1, 1, 1, 0, 0], "the event's own page");
    }

    async fn a_manual_code_made_on_the_rules_page_then_activates_a_ticket_and_a_bad_value_changes_nothing(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let browser = signed_in(&app, LOGIN, &key).await;
        let (_, events) = browser.get("/wallet/organizer/").await;
        let (_, link) = counters_of(&events, "EV1");
        let (_, page) = browser.get(&link).await;

        let refused = rules_form(&page, &[("maxTransfers", "500"), ("manualActivation", "true")]);
        let (status, answer) = post_form(&browser, &format!("{link}/rules"), &refused).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        let error = answer.split("id=\"f-maxTransfers-error\">").nth(1).expect("the error next to the field");
        assert!(error.starts_with("Must be from 0 to 100."), "{error}");
        assert!(answer.contains("Nothing was saved.") && answer.contains("value=\"500\""), "the form as sent: {answer}");
        let (_, read) = app.get_json("/api/organizer/events/EV1/settings", &key).await;
        assert_eq!((read["manualCodeSet"].as_bool(), read["maxTransfers"].is_null()), (Some(false), true), "nothing written: {read}");
        let (status, answer) = post_form(&browser, &format!("{link}/rules"), &rules_form(&page, &[("transferExpiryHours", "a day")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.contains("id=\"f-transferExpiryHours-error\">Enter a whole number"), "{answer}");

        let wanted = rules_form(&page, &[("manualActivation", "true"), ("maxTransfers", "2")]);
        let (status, answer) = post_form(&browser, &format!("{link}/rules"), &wanted).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let code = answer.split("<span class=\"once\">").nth(1).expect("the new code, once").split('<').next().unwrap().to_owned();
        let (_, read) = app.get_json("/api/organizer/events/EV1/settings", &key).await;
        assert_eq!((read["manualCodeSet"].as_bool(), read["maxTransfers"].as_i64()), (Some(true), Some(2)), "{read}");
        let (_, again) = browser.get(&link).await;
        assert!(!again.contains(&code), "shown once only");
        // saving again keeps the code
        let (status, answer) = post_form(&browser, &format!("{link}/rules"), &rules_form(&again, &[])).await;
        assert_eq!((status, answer.as_str()), (StatusCode::SEE_OTHER, format!("redirect to {link}?saved=1").as_str()));

        let phone = sign_in(&app, "ada@example.org").await;
        let (id, _) = phone.fetch(&app, "T1").await;
        let (status, ticket) = phone.post(&app, &format!("/api/spectator/tickets/{id}/activate"), json!({ "manualCode": code })).await;
        assert_eq!((status, ticket["status"].as_str()), (StatusCode::OK, Some("MANUAL_ACTIVATED")), "{ticket}");
    }

    async fn device_limits_edited_on_the_page_hold_at_the_next_sign_in(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let browser = signed_in(&app, LOGIN, &key).await;
        let (status, page) = browser.get("/wallet/organizer/device-limits").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("name=\"maxActiveDevices\" type=\"number\" value=\"3\""), "{page}");
        let csrf = csrf_of(&page);
        let (status, refused) = browser.post("/wallet/organizer/device-limits", &[("csrf", &csrf), ("maxActiveDevices", "4"), ("maxDevicesEver", "2")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.contains("id=\"f-maxDevicesEver-error\">Must be at least the number of devices signed in at once."), "{refused}");
        assert_eq!(app.get_json("/api/organizer/device-limits", &key).await.1["maxActiveDevices"], 3, "nothing written");
        let (status, _) = browser.post("/wallet/organizer/device-limits", &[("csrf", &csrf), ("maxActiveDevices", "1"), ("maxDevicesEver", "5")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = browser.get("/wallet/organizer/device-limits?saved=1").await;
        assert!(page.contains("The limits are saved.") && page.contains("value=\"1\""), "{page}");
        sign_in(&app, "ada@example.org").await;
        let refused = try_sign_in_spectator(&app, "ada@example.org").await;
        assert_eq!(refused, StatusCode::FORBIDDEN, "one device at once");
    }

    async fn another_organizers_event_and_ticket_are_not_found(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        let other = app.organizer("rival@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        inject(&app, &other, &["R1"], "EVR", "bob@example.org").await;
        let rival = signed_in(&app, "rival@example.org", &other).await;
        let (_, events) = rival.get("/wallet/organizer/").await;
        let (_, rival_event) = counters_of(&events, "EVR");
        let rival_ticket = ticket_page(&rival, &rival_event, "R1").await;
        assert!(!events.contains("EV1"), "only its own events");

        let browser = signed_in(&app, LOGIN, &key).await;
        let (_, page) = browser.get("/wallet/organizer/").await;
        let csrf = csrf_of(&page);
        for path in [rival_event.clone(), rival_ticket.clone(), format!("{rival_event}/find?ticketId=R1"), "/wallet/organizer/events/x".into(), "/wallet/organizer/tickets/999999".into()] {
            let (status, page) = browser.get(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {page}");
            assert!(page.contains("There is no such page among your events and tickets."), "{page}");
        }
        let (status, _) = browser.post(&format!("{rival_event}/rules"), &[("csrf", &csrf), ("manualActivation", "true"), ("transferExpiryHours", "72"), ("codePeriodSeconds", "15"), ("activationRule", "none")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, read) = app.get_json("/api/organizer/events/EVR/settings", &other).await;
        assert_eq!(read["manualCodeSet"], false, "nothing written: {read}");
    }

    async fn a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let browser = signed_in(&app, LOGIN, &key).await;
        let (_, events) = browser.get("/wallet/organizer/").await;
        let (_, link) = counters_of(&events, "EV1");
        let (_, page) = browser.get(&link).await;
        let mut forged = rules_form(&page, &[("manualActivation", "true")]);
        forged.retain(|(name, _)| name != "csrf");
        forged.push(("csrf".into(), "forged".into()));
        let (status, answer) = post_form(&browser, &format!("{link}/rules"), &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert!(answer.contains("Nothing was changed"), "{answer}");
        let (status, _) = browser.post("/wallet/organizer/device-limits", &[("maxActiveDevices", "1"), ("maxDevicesEver", "1")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "no token at all");
        let (status, _) = browser.post("/wallet/organizer/sign-out", &[("csrf", "forged")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(app.get_json("/api/organizer/events/EV1/settings", &key).await.1["manualCodeSet"], false);
        assert_eq!(app.get_json("/api/organizer/device-limits", &key).await.1["maxActiveDevices"], 3);
        assert_eq!(browser.get("/wallet/organizer/").await.0, StatusCode::OK, "still signed in");
        // another browser's token is not this one's
        let other = signed_in(&app, LOGIN, &key).await;
        let (_, theirs) = other.get("/wallet/organizer/").await;
        let (status, _) = browser.post("/wallet/organizer/device-limits", &[("csrf", &csrf_of(&theirs)), ("maxActiveDevices", "1"), ("maxDevicesEver", "1")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // the sign-in form too: without its cookie-bound token
        let stranger = PageClient::new(&app, "en");
        let (status, answer) = stranger.post("/wallet/organizer/sign-in", &[("csrf", "x"), ("login", LOGIN), ("apiKey", key.as_str())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert!(stranger.cookie("tb_org_session").is_none());
    }

    async fn a_tickets_log_is_verified_and_shows_the_entry_where_it_was_tampered_with(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let (status, _) = ada.post(&app, &format!("/api/spectator/tickets/{id}/holder"), json!({ "firstName": "Grace", "lastName": "Hopper" })).await;
        assert_eq!(status, StatusCode::OK);
        let browser = signed_in(&app, LOGIN, &key).await;
        let (_, events) = browser.get("/wallet/organizer/").await;
        let (_, link) = counters_of(&events, "EV1");
        let ticket = ticket_page(&browser, &link, "T1").await;
        let (status, page) = browser.get(&ticket).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("✓ Verified: all 3 entries of the log are intact and in order."), "{page}");
        assert!(page.contains("<td>ASSIGNED</td>") && page.contains("Grace Hopper") && page.contains("ada@example.org"), "{page}");

        sql("UPDATE wallet_ticket_log SET detail = $1 WHERE position = 1")
            .bind("{\"forged\":true}")
            .execute(&mut app.app.db.writer().await.unwrap())
            .await
            .unwrap();
        let (_, page) = browser.get(&ticket).await;
        assert!(page.contains("✗ Not verified: the log is broken at entry 2."), "{page}");
        assert!(!page.contains("✓ Verified"), "{page}");
    }
}

async fn try_sign_in_spectator(app: &TestApp, email: &str) -> StatusCode {
    match crate::support::try_sign_in(app, email, None).await {
        Ok(_) => StatusCode::OK,
        Err((status, _)) => status,
    }
}
