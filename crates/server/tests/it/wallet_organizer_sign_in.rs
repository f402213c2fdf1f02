//! Signing in to the wallet organizer's back office over real HTTP on both databases: the
//! login and API key (a wrong pair refused next to the field), guesses throttled like the
//! wallet's other sign-ins, and the session cookie — HttpOnly, SameSite=Strict, only its hash
//! stored — ending when idle or signed out.

use reqwest::StatusCode;
use tixbridge_store::sql;

use crate::support::pages::{PageClient, csrf_of};
use crate::wallet_organizer_pages::{LOGIN, signed_in, try_sign_in};

on_both_databases! {
    async fn an_organizer_signs_in_with_its_login_and_api_key_and_a_wrong_key_is_refused_next_to_the_field(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        let browser = PageClient::new(&app, "en");
        let (status, page) = browser.get("/wallet/organizer/").await;
        assert_eq!((status, page.as_str()), (StatusCode::SEE_OTHER, "redirect to /wallet/organizer/sign-in"), "default deny");
        let (status, page) = try_sign_in(&browser, LOGIN, "tbk_wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let error = page.split("id=\"f-apiKey-error\">").nth(1).expect("the error under the key field");
        assert!(error.starts_with("This login and API key do not match"), "{error}");
        assert!(page.contains("id=\"f-apiKey\" name=\"apiKey\" type=\"password\" value=\"\" aria-describedby=\"f-apiKey-hint f-apiKey-error\" aria-invalid=\"true\""), "{page}");
        assert!(browser.cookie("tb_org_session").is_none());
        let (status, _) = try_sign_in(&browser, "other@example.org", &key).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the key of another login");

        let (status, page) = try_sign_in(&browser, "ORG@example.org ", &key).await;
        assert_eq!((status, page.as_str()), (StatusCode::SEE_OTHER, "redirect to /wallet/organizer/"));
        let (status, page) = browser.get("/wallet/organizer/").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("<h1>Your events</h1>") && page.contains("No events yet"), "{page}");
    }

    async fn sign_in_guesses_are_throttled_like_the_wallets_other_sign_ins(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        let browser = PageClient::new(&app, "en");
        for _ in 0..10 {
            assert_eq!(try_sign_in(&browser, LOGIN, "tbk_guess").await.0, StatusCode::UNAUTHORIZED);
        }
        let (status, page) = try_sign_in(&browser, LOGIN, &key).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right key waits: {page}");
        assert!(page.contains("Too many sign-in attempts: try again in"), "{page}");
        assert!(browser.cookie("tb_org_session").is_none());
    }

    async fn the_session_cookie_is_http_only_and_strict_only_its_hash_is_kept_and_it_ends_when_idle_or_signed_out(app: TestApp) {
        let key = app.organizer(LOGIN).await;
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let form = client.get(app.url("/wallet/organizer/sign-in")).send().await.unwrap();
        let sign_in_cookie = form.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let csrf = csrf_of(&form.text().await.unwrap());
        let answer = client
            .post(app.url("/wallet/organizer/sign-in"))
            .header("cookie", &sign_in_cookie)
            .form(&[("csrf", csrf.as_str()), ("login", LOGIN), ("apiKey", key.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let set = answer.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).find(|v| v.starts_with("tb_org_session=")).unwrap();
        assert!(set.contains("; HttpOnly") && set.contains("; SameSite=Strict") && set.contains("Path=/wallet/organizer"), "{set}");
        let token = set.split(';').next().unwrap().trim_start_matches("tb_org_session=").to_owned();
        let stored: Vec<Vec<u8>> = sql("SELECT token_hash FROM wallet_organizer_sessions").scalars(&mut app.app.db.reader().await.unwrap()).await.unwrap();
        assert_eq!(stored, vec![sha2_of(&token)], "only the token's SHA-256 is kept");

        let browser = signed_in(&app, LOGIN, &key).await;
        assert_eq!(browser.get("/wallet/organizer/").await.0, StatusCode::OK);
        // half an hour without a page passes
        sql("UPDATE wallet_organizer_sessions SET idle_expires_at = idle_expires_at - 1800001, last_seen_at = last_seen_at - 1800001")
            .execute(&mut app.app.db.writer().await.unwrap()).await.unwrap();
        let (status, page) = browser.get("/wallet/organizer/").await;
        assert_eq!((status, page.as_str()), (StatusCode::SEE_OTHER, "redirect to /wallet/organizer/sign-in"), "ended when idle");

        let browser = signed_in(&app, LOGIN, &key).await;
        let (_, page) = browser.get("/wallet/organizer/").await;
        let (status, _) = browser.post("/wallet/organizer/sign-out", &[("csrf", &csrf_of(&page))]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(browser.cookie("tb_org_session").is_none(), "the cookie is cleared");
        let revoked: i64 = sql("SELECT COUNT(*) FROM wallet_organizer_sessions WHERE revoked_at IS NOT NULL").scalar(&mut app.app.db.reader().await.unwrap()).await.unwrap();
        assert_eq!(revoked, 1, "the session ended in the database too");
    }
}

fn sha2_of(text: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).to_vec()
}
