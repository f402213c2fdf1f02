//! The JSON APIs a browser can reach refuse writes that another site's page could make a
//! visitor's browser send: a foreign `Origin` (403), a body that is not JSON (415), and, on the
//! spectator API, a write without the session's `X-CSRF-Token` (403). Nothing is written.

use crate::common::boxoffice::{bo_get, bo_post_raw, seed_match};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases! {
    async fn a_cross_site_cancel_is_refused_and_the_ticket_stays_as_it_was(app: TestApp) {
        let club = seed_match(&app, "CLUB", 1).await;
        let id = club.ticket_ids[0];
        let path = format!("{}/tickets/{id}/cancel", club.org_path);
        let body = r#"{"reason":"CANCELLATION"}"#;

        let (status, refused) =
            bo_post_raw(&app, &path, &[("content-type", "application/json"), ("origin", "http://evil.example")], body).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::FORBIDDEN, Some("Origin")), "{refused}");
        let (status, refused) = bo_post_raw(&app, &path, &[("content-type", "text/plain")], body).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("Content-Type")), "{refused}");
        assert!(refused["error"].as_str().unwrap().contains("application/json"), "{refused}");
        let (_, ticket) = bo_get(&app, &format!("{}/tickets/{id}", club.org_path)).await;
        assert_eq!(ticket["status"], "NOT_PRINTED", "{ticket}");

        // the same request from this site's own pages goes through
        let own = format!("http://{}", app.app.addr);
        let (status, done) =
            bo_post_raw(&app, &path, &[("content-type", "application/json; charset=utf-8"), ("origin", &own)], body).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["status"], "CANCELLED", "{done}");
    }

    async fn spectator_api_writes_need_the_sessions_csrf_token_and_json_from_this_site(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let ada = sign_in(&app, "ada@example.org").await;
        let (id, _) = ada.fetch(&app, "T1").await;
        let path = app.url(&format!("/api/spectator/tickets/{id}/holder"));
        let holder = json!({ "firstName": "Ada", "lastName": "Lovelace" });
        let send = |csrf: Option<&str>, origin: Option<&str>, content_type: &str| {
            let mut request = app.client.post(&path).bearer_auth(&ada.token).header("content-type", content_type).body(holder.to_string());
            if let Some(csrf) = csrf {
                request = request.header("X-CSRF-Token", csrf);
            }
            if let Some(origin) = origin {
                request = request.header("Origin", origin);
            }
            async move {
                let response = request.send().await.unwrap();
                let status = response.status();
                (status, response.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let (status, body) = send(None, None, "application/json").await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::FORBIDDEN, Some("X-CSRF-Token")), "{body}");
        let (status, body) = send(Some("forged"), None, "application/json").await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::FORBIDDEN, Some("X-CSRF-Token")), "{body}");
        let (status, body) = send(Some(&ada.csrf), Some("https://evil.example"), "application/json").await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::FORBIDDEN, Some("Origin")), "{body}");
        let (status, body) = send(Some(&ada.csrf), None, "text/plain").await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("Content-Type")), "{body}");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "DOWNLOADED", "nothing was written");

        let response = app.client.post(app.url("/api/spectator/sign-in")).json(&json!({ "email": "ada@example.org" })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "sign-in too needs the header");

        let (status, body) = send(Some(&ada.csrf), None, "application/json").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(organizer_ticket(&app, &key, "T1").await["status"], "ASSIGNED");
    }
}
