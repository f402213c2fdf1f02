//! The web wallet's pages over real HTTP: the mailed link signs the browser in with an
//! HttpOnly, SameSite=Strict cookie; forms need the session's CSRF token; another spectator's
//! ticket is not found.

use crate::common;

use crate::support::*;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

on_both_databases! {
    async fn the_link_signs_in_with_a_strict_cookie_and_forms_need_the_csrf_token(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        inject(&app, &key, &["T2"], "EV1", "bob@example.org").await;
        let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &common::test_key(), "ada@example.org").await.unwrap().unwrap();
        let response = app.client.get(app.url(&format!("/wallet/sign-in?token={}", issued.link_token))).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookies: Vec<String> = response.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        let session = cookies.iter().find(|c| c.starts_with("tb_session=")).expect("a session cookie");
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
        let cookie = session.split(';').next().unwrap().to_owned();
        let home = response.text().await.unwrap();
        assert!(home.contains("· T1<") && !home.contains("· T2<"), "{home}");
        let again = app.client.get(app.url(&format!("/wallet/sign-in?token={}", issued.link_token))).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "a link works once");

        let ada_id: i64 = home.split("/wallet/tickets/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        let page = app.client.get(app.url(&format!("/wallet/tickets/{ada_id}"))).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("BC-T1"), "no barcode before activation");
        let csrf = csrf_of(&page);
        let holder = |token: &str| {
            app.client.post(app.url(&format!("/wallet/tickets/{ada_id}/holder"))).header(COOKIE, &cookie)
                .form(&[("csrf", token), ("firstName", "Ada"), ("lastName", "Lovelace")]).send()
        };
        assert_eq!(holder("forged").await.unwrap().status(), StatusCode::FORBIDDEN);
        let saved = holder(&csrf).await.unwrap();
        assert!(saved.status().is_success() || saved.status().is_redirection(), "{}", saved.status());
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "ASSIGNED");

        let bob = sign_in(&app, "bob@example.org").await;
        let bobs = bob.id_of(&app, "T2").await;
        let theirs = app.client.get(app.url(&format!("/wallet/tickets/{bobs}"))).header(COOKIE, &cookie).send().await.unwrap();
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);

        set_event(&app, &key, "EV1", activation_due()).await;
        let page = app.client.get(app.url(&format!("/wallet/tickets/{ada_id}"))).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("<svg") && page.contains("code.svg"), "the QR and its refresh script");
        let svg = app.client.get(app.url(&format!("/wallet/tickets/{ada_id}/code.svg"))).header(COOKIE, &cookie).send().await.unwrap();
        assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    }
}
