//! The web wallet as a fan meets it (issue 14): opening the mailed link again on a signed-in
//! phone shows the wallet; at the device limit a mailed link signs the other devices out,
//! within the "ever used" limit; a transfer's recipient is mailed a link to accept or refuse,
//! and the sender sees the offer and can withdraw it; the pages speak English, French or German
//! with dates in the event's own time zone, statuses as phrases, and refused fields shown again
//! next to their field with what was typed.

use reqwest::StatusCode;
use serde_json::json;
use tixbridge_domain::inject::example_ticket;

use crate::common::TestApp;
use crate::support::pages::{PageClient, csrf_of, link_in, link_token, ticket_link_id};
use crate::support::*;

const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn device_limits(app: &TestApp, key: &str, active: i64, ever: i64) {
    let body = json!({ "maxActiveDevices": active, "maxDevicesEver": ever });
    let response = app
        .client
        .put(app.url("/api/organizer/device-limits"))
        .header("X-Api-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

on_both_databases! {
    async fn reopening_the_mailed_link_on_a_signed_in_phone_shows_the_wallet_not_401(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let phone = PageClient::new(&app, "en");
        let token = link_token(&app, "ada@example.org").await;
        let (status, home) = phone.post("/wallet/sign-in/link", &[("token", &token)]).await;
        assert_eq!(status, StatusCode::OK, "{home}");
        let id = ticket_link_id(&home, "T1");

        let (status, again) = phone.get(&format!("/wallet/sign-in?token={token}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(again.contains("· T1<") && !again.contains("id=\"sign-in\""), "the wallet, no button: {again}");
        let (status, pressed) = phone.post("/wallet/sign-in/link", &[("token", &token)]).await;
        assert_eq!(status, StatusCode::OK, "pressing the used link's button again: {pressed}");
        assert!(pressed.contains("· T1<"), "{pressed}");
        let (status, ticket) = phone.get(&format!("/wallet/sign-in?token={token}&ticket={id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ticket.contains("<h1>Final: Lions - Eagles</h1>") && ticket.contains("id=\"status\""), "the ticket page: {ticket}");

        // another browser, not signed in, still gets the refusal a used link deserves
        let other = PageClient::new(&app, "en");
        let (status, refused) = other.post("/wallet/sign-in/link", &[("token", &token)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}");
        // and a link of another account opens its own sign-in button, not this wallet
        inject(&app, &key, &["T2"], "EV1", "bob@example.org").await;
        let bobs = link_token(&app, "bob@example.org").await;
        let (status, page) = phone.get(&format!("/wallet/sign-in?token={bobs}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("id=\"sign-in\"") && !page.contains("· T1<"), "{page}");
    }

    async fn at_the_device_limit_a_mailed_link_signs_the_other_devices_out_within_the_ever_used_limit(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        device_limits(&app, &key, 1, 2).await;
        let old_phone = sign_in(&app, "ada@example.org").await;
        assert_eq!(old_phone.get(&app, "/api/spectator/tickets").await.0, StatusCode::OK);

        let new_phone = PageClient::new(&app, "en");
        let (status, refused) = new_phone.sign_in(&app, "ada@example.org").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert!(refused.contains("signed in on 1 devices") && refused.contains("id=\"free-devices\""), "{refused}");
        let before = app.smtp.messages().len();
        let (status, sent) = new_phone.post("/wallet/devices/free-link", &[("email", "ada@example.org")]).await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        let mail = app.smtp.wait_for(before + 1, WAIT).await.pop().unwrap();
        assert_eq!(mail.recipients, ["ada@example.org"]);
        let link = link_in(&mail.body, "http");
        assert!(link.contains("/wallet/devices/free?token=tbf_"), "{}", mail.body);

        let (status, page) = new_phone.get(&link).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(old_phone.get(&app, "/api/spectator/tickets").await.0, StatusCode::OK, "opening the link changes nothing");
        let token = link.split("token=").nth(1).unwrap();
        assert!(page.contains("id=\"free\""), "{page}");
        let (status, wallet) = new_phone.post("/wallet/devices/free", &[("token", token)]).await;
        assert_eq!(status, StatusCode::OK, "{wallet}");
        assert!(wallet.contains("· T1<") && new_phone.cookie("tb_session").is_some(), "{wallet}");
        assert_eq!(old_phone.get(&app, "/api/spectator/tickets").await.0, StatusCode::UNAUTHORIZED, "the old phone is signed out");
        let (status, _) = new_phone.post("/wallet/devices/free", &[("token", token)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the link works once");

        // a third, never-used phone: freeing a slot does not lift the "ever used" limit (2)
        let third = PageClient::new(&app, "en");
        assert_eq!(third.sign_in(&app, "ada@example.org").await.0, StatusCode::FORBIDDEN);
        let before = app.smtp.messages().len();
        third.post("/wallet/devices/free-link", &[("email", "ada@example.org")]).await;
        let mail = app.smtp.wait_for(before + 1, WAIT).await.pop().unwrap();
        let token = link_in(&mail.body, "http").split("token=").nth(1).unwrap().to_owned();
        let (status, refused) = third.post("/wallet/devices/free", &[("token", &token)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert!(refused.contains("already used 2 device"), "{refused}");
        let (status, still) = new_phone.get("/wallet/").await;
        assert!(status == StatusCode::OK && still.contains("· T1<"), "nothing changed for the signed-in phone: {still}");
    }

    async fn the_recipient_is_mailed_a_link_and_accepts_the_ticket_from_it(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let ada = PageClient::new(&app, "en");
        let (_, home) = ada.sign_in(&app, "ada@example.org").await;
        let id = ticket_link_id(&home, "T1");
        let (_, page) = ada.get(&format!("/wallet/tickets/{id}")).await;
        assert!(page.contains("<label for=\"transfer-email\">"), "a labelled recipient field: {page}");
        assert!(!page.contains("Return to sender"), "nobody sent Ada this ticket: {page}");
        assert!(!page.contains("manualCode"), "no activation-code box without a manual code: {page}");
        let before = app.smtp.messages().len();
        let (status, _) = ada.post(&format!("/wallet/tickets/{id}/transfer"), &[("csrf", &csrf_of(&page)), ("email", "bob@example.org")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        let (_, home) = ada.get("/wallet/").await;
        assert!(home.contains("Sent to bob@example.org — waiting for their answer"), "{home}");
        let mail = app.smtp.wait_for(before + 1, WAIT).await.pop().unwrap();
        assert_eq!(mail.recipients, ["bob@example.org"]);
        assert!(mail.subject.contains("ada@example.org"), "{}", mail.subject);
        assert!(mail.body.contains("Sun 14 June 2099, 21:00"), "the event's date, for people: {}", mail.body);
        let link = link_in(&mail.body, "http");

        let bob = PageClient::new(&app, "en");
        let (status, button) = bob.get(&link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(button.contains("id=\"sign-in\""), "{button}");
        let token = link.split("token=").nth(1).unwrap();
        let (status, offered) = bob.post("/wallet/sign-in/link", &[("token", token)]).await;
        assert_eq!(status, StatusCode::OK, "{offered}");
        assert!(offered.contains("ada@example.org offers you a ticket for Final: Lions - Eagles, Sun 14 June 2099, 21:00"), "{offered}");
        let accept = offered.split("action=\"").find(|a| a.contains("/accept\"")).unwrap().split('"').next().unwrap().to_owned();
        let (status, _) = bob.post(&accept, &[("csrf", &csrf_of(&offered))]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let ticket = organizer_ticket(&app, &key, "T1").await;
        assert_eq!(ticket["status"], "TRANSFERRED");
        let (_, bobs) = bob.get("/wallet/").await;
        assert!(bobs.contains("Yours — received by transfer"), "{bobs}");
        let id = ticket_link_id(&bobs, "T1");
        let (_, page) = bob.get(&format!("/wallet/tickets/{id}")).await;
        assert!(page.contains("Return to sender") && page.contains("Give the ticket back to ada@example.org"), "{page}");
    }

    async fn a_sender_sees_the_open_offer_and_withdraws_it(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let ada = PageClient::new(&app, "en");
        let (_, home) = ada.sign_in(&app, "ada@example.org").await;
        let id = ticket_link_id(&home, "T1");
        let (_, page) = ada.get(&format!("/wallet/tickets/{id}")).await;
        ada.post(&format!("/wallet/tickets/{id}/transfer"), &[("csrf", &csrf_of(&page)), ("email", "bob@example.org")]).await;
        let (_, page) = ada.get(&format!("/wallet/tickets/{id}")).await;
        assert!(page.contains("Sent to bob@example.org — waiting for their answer"), "{page}");
        assert!(!page.contains("transfer-email"), "no second offer while one is open: {page}");
        let withdraw = page.split("action=\"").find(|a| a.contains("/cancel\"")).expect("a withdraw button").split('"').next().unwrap().to_owned();
        let (status, _) = ada.post(&withdraw, &[("csrf", &csrf_of(&page))]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "FAILURE_TRANSFER");
        let (_, page) = ada.get(&format!("/wallet/tickets/{id}")).await;
        assert!(page.contains("The offer was refused or withdrawn — the ticket is still yours"), "{page}");
        assert!(page.contains("transfer-email"), "it can be offered again: {page}");
        let bob = sign_in(&app, "bob@example.org").await;
        let (_, offers) = bob.get(&app, "/api/spectator/transfers").await;
        let incoming = offers["results"].as_array().unwrap().iter().filter(|o| o["direction"] == "incoming").count();
        assert_eq!(incoming, 0, "{offers}");
    }

    async fn the_activation_code_box_appears_with_a_manual_code_and_a_wrong_code_is_explained_next_to_it(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let fan = PageClient::new(&app, "fr");
        let (_, home) = fan.sign_in(&app, "ada@example.org").await;
        let id = ticket_link_id(&home, "T1");
        let (_, page) = fan.get(&format!("/wallet/tickets/{id}")).await;
        assert!(!page.contains("activate-manualCode"), "no box without a manual code: {page}");
        let set = set_event(&app, &key, "EV1", json!({ "manualActivation": true, "transfersEnabled": false })).await;
        let code = set["manualCode"].as_str().unwrap().to_owned();
        let (_, page) = fan.get(&format!("/wallet/tickets/{id}")).await;
        assert!(page.contains("<label for=\"activate-manualCode\">Code d&#39;activation"), "{page}");
        assert!(page.contains("saisissez le code d&#39;activation"), "the phrase says what to do: {page}");
        assert!(!page.contains("transfer-email"), "no offer form where the event allows no transfer: {page}");
        let (status, refused) = fan.post(&format!("/wallet/tickets/{id}/activate"), &[("csrf", &csrf_of(&page)), ("manualCode", "WRONG-42")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let field = refused.split("id=\"activate-manualCode\"").nth(1).unwrap().split("</div>").next().unwrap();
        assert!(field.contains("value=\"WRONG-42\"") && field.contains("Ce n&#39;est pas le code d&#39;activation"), "{field}");
        let (status, _) = fan.post(&format!("/wallet/tickets/{id}/activate"), &[("csrf", &csrf_of(&page)), ("manualCode", &code)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = fan.get(&format!("/wallet/tickets/{id}")).await;
        assert!(page.contains("Prêt — montrez ce code à l&#39;entrée") && !page.contains("activate-manualCode"), "{page}");
    }

    async fn dates_statuses_and_refusals_speak_the_fans_language(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        device_limits(&app, &key, 10, 50).await; // a browser per language
        let mut ticket = example_ticket("T2", "EV2", "ada@example.org");
        ticket["event"]["timeZone"] = json!("America/New_York");
        ticket["event"]["name"] = json!({ "en": "Final", "fr": "Finale", "de": "Endspiel" });
        let (status, answer) = app.post_json(TICKETS, &key, &json!([ticket])).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let mut bad = example_ticket("T3", "EV3", "ada@example.org");
        bad["event"]["timeZone"] = json!("Mars/Olympus");
        let (_, answer) = app.post_json(TICKETS, &key, &json!([bad])).await;
        assert_eq!(answer["results"][0]["status"], "REJECTED", "{answer}");

        let cases = [
            ("en-GB,en;q=0.9", "en", "Sun 14 June 2099, 21:00", "Sun 14 June 2099, 15:00", "Final", "Not active yet"),
            ("fr-CH, fr;q=0.9, en;q=0.8", "fr", "dim. 14 juin 2099, 21:00", "dim. 14 juin 2099, 15:00", "Finale", "Pas encore actif"),
            ("de-AT", "de", "So. 14. Juni 2099, 21:00", "So. 14. Juni 2099, 15:00", "Endspiel", "Noch nicht aktiv"),
        ];
        for (accept, code, paris, new_york, name, phrase) in cases {
            let fan = PageClient::new(&app, accept);
            let (_, home) = fan.sign_in(&app, "ada@example.org").await;
            assert!(home.contains(&format!("<html lang=\"{code}\"")), "{accept}: {home}");
            assert!(home.contains(&format!("{paris} · T1<")), "{accept}: the event's own offset: {home}");
            assert!(home.contains(&format!("{new_york} · T2<")), "{accept}: the event's time zone: {home}");
            assert!(home.contains(&format!("<strong>{name}</strong>")) && home.contains(phrase), "{accept}: {home}");
            assert!(!home.contains("INJECTED") && !home.contains("DOWNLOADED"), "no status names: {home}");

            let id = ticket_link_id(&home, "T1");
            let (_, page) = fan.get(&format!("/wallet/tickets/{id}")).await;
            let typed = [("csrf", csrf_of(&page)), ("firstName", "Ada".into()), ("lastName", "Lovelace".into()), ("birthDate", "10/12/1815".into()), ("phone", "+44 20".into())];
            let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, refused) = fan.post(&format!("/wallet/tickets/{id}/holder"), &typed).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
            let field = refused.split("id=\"holder-birthDate\"").nth(1).unwrap().split("</div>").next().unwrap();
            assert!(field.contains("value=\"10/12/1815\"") && field.contains("aria-invalid=\"true\""), "{field}");
            assert!(field.contains("id=\"holder-birthDate-error\"") && field.contains("1990-04-23"), "the reason next to the field: {field}");
            assert!(!field.contains("birthDate:") && !field.contains("must be YYYY-MM-DD"), "people's words: {field}");
            assert!(refused.contains("value=\"Lovelace\"") && refused.contains("value=\"+44 20\""), "the other typed values stay: {refused}");
        }
        let (_, sentence) = PageClient::new(&app, "fr").get("/wallet/sign-in?token=x").await;
        assert!(sentence.contains("Me connecter sur cet appareil"), "{sentence}");

        // the switcher: ?lang= wins over Accept-Language and is remembered
        let fan = PageClient::new(&app, "fr");
        fan.sign_in(&app, "ada@example.org").await;
        let (_, page) = fan.get("/wallet/?lang=de").await;
        assert!(page.contains("<html lang=\"de\"") && fan.cookie("tb_lang").as_deref() == Some("de"), "{page}");
        assert!(page.contains("href=\"/wallet/?lang=fr\""), "links to the other languages: {page}");
        let (_, page) = fan.get("/wallet/").await;
        assert!(page.contains("Meine Tickets"), "{page}");

        set_event(&app, &key, "EV1", activation_due()).await;
        let (_, home) = fan.get("/wallet/?lang=en").await;
        let id = ticket_link_id(&home, "T1");
        let (_, page) = fan.get(&format!("/wallet/tickets/{id}")).await;
        assert!(page.contains("Ready — show this code at the gate"), "{page}");
        assert!(page.contains("role=\"img\" aria-label=\"Entry code for Final: Lions - Eagles, block B · row 12 · seat 7: changes every 15 s\""), "the QR's text alternative: {page}");
        assert!(page.contains("id=\"brighten\""), "{page}");
    }
}
