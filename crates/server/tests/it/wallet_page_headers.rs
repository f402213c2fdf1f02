//! What the web wallet's answers tell the browser: a Content-Security-Policy without inline
//! script and without framing, no referrer, no sniffing, no caching; and session cookies that
//! only travel over https when spectators reach the wallet at an https address.

use crate::common;
use crate::common::TestApp;

use crate::support::*;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("tb_session="))
        .expect("a session cookie")
}

async fn press_link_button(app: &TestApp, email: &str) -> reqwest::Response {
    let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.app.db, &common::test_key(), email)
        .await
        .unwrap()
        .unwrap();
    app.client
        .post(app.url("/wallet/sign-in/link"))
        .form(&[("token", issued.link_token.as_str())])
        .send()
        .await
        .unwrap()
}

on_both_databases! {
    async fn wallet_pages_forbid_inline_script_framing_referrers_sniffing_and_caching(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        set_event(&app, &key, "EV1", activation_due()).await;
        let signed_in = press_link_button(&app, "ada@example.org").await;
        let cookie = session_cookie(&signed_in).split(';').next().unwrap().to_owned();
        let home = signed_in.text().await.unwrap();
        let id: i64 = home.split("/wallet/tickets/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();

        for path in ["/wallet/".to_owned(), format!("/wallet/tickets/{id}"), format!("/wallet/tickets/{id}/code.svg"), "/wallet/app.js".to_owned()] {
            let response = app.client.get(app.url(&path)).header(COOKIE, &cookie).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let headers = response.headers().clone();
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{path}: {csp}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["cache-control"], "no-store", "{path}");
            let text = response.text().await.unwrap();
            assert!(!text.contains("<script>") && !text.contains("<style>"), "{path}: no inline script or style: {text}");
        }
        let page = app.client.get(app.url(&format!("/wallet/tickets/{id}"))).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("<svg") && page.contains("<script src=\"/wallet/app.js\""), "the QR and its script file: {page}");
    }

    async fn session_cookies_are_secure_when_the_public_url_is_https(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let plain = session_cookie(&press_link_button(&app, "ada@example.org").await);
        assert!(!plain.contains("Secure"), "an http wallet cannot use Secure cookies: {plain}");

        let app = app.restart_with(|config| config.public_url = Some("https://wallet.example.org".into())).await;
        let response = press_link_button(&app, "ada@example.org").await;
        assert_eq!(response.status(), StatusCode::OK);
        let cookies: Vec<String> = response.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert_eq!(cookies.len(), 2, "{cookies:?}");
        for cookie in &cookies {
            assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        }
    }
}
