//! The mailed sign-in link opens a page whose button signs in: following the link alone (as a
//! mail scanner does) uses nothing up.

use crate::common;

use crate::support::*;
use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;

on_both_databases! {
    async fn opening_the_mailed_link_uses_nothing_up_until_its_button_is_pressed(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &common::test_key(), "ada@example.org").await.unwrap().unwrap();
        let link = app.url(&format!("/wallet/sign-in?token={}", issued.link_token));
        for _ in 0..2 {
            let scanned = app.client.get(&link).send().await.unwrap();
            assert_eq!(scanned.status(), StatusCode::OK);
            assert!(scanned.headers().get(SET_COOKIE).is_none(), "opening the link signs nobody in");
            let page = scanned.text().await.unwrap();
            assert!(page.contains("method=\"post\" action=\"/wallet/sign-in/link\"") && page.contains(&issued.link_token), "{page}");
        }
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "INJECTED");

        let pressed = app.client.post(app.url("/wallet/sign-in/link")).form(&[("token", issued.link_token.as_str())]).send().await.unwrap();
        assert_eq!(pressed.status(), StatusCode::OK);
        assert!(pressed.headers().get_all(SET_COOKIE).iter().any(|c| c.to_str().unwrap().starts_with("tb_session=")));
        assert!(pressed.text().await.unwrap().contains("· T1<"), "the wallet opens");
        let again = app.client.post(app.url("/wallet/sign-in/link")).form(&[("token", issued.link_token.as_str())]).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "the button works once");
    }
}
