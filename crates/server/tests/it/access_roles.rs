//! Who may act on the box office: every operation needs a credential, each role does only what
//! it may, another organization's objects are 404 even by number, tokens and operator sessions
//! end when revoked, expired or signed out, and configuration changes are audited without
//! their secrets.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;

/// The operations that answer without a credential, by method and documented path.
const PUBLIC: &[&str] = &[
    "POST /api/boxoffice/session",
    "GET /api/gate/public-key",
    "GET /api/openapi.json",
    "GET /healthz",
    "GET /readyz",
    "POST /api/spectator/sign-in",
    "POST /api/spectator/session",
];

#[tokio::test]
async fn every_operation_of_the_api_document_answers_401_without_a_credential_except_the_public_ones() {
    let app = TestApp::sqlite().await;
    app.seed_match("FCA", 1).await;
    let admin = app.admin_token_for("FCA").await;
    let document: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut public = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{org}", "FCA")
            .replace("{id}", "1")
            .replace("{ticketId}", "1")
            .replace("{eventId}", "EV1")
            .replace("{jobId}", "1")
            .replace("{privilegeId}", "1")
            .replace("{action}", "accept")
            .replace("{product}", "FINAL")
            .replace("{performance}", "P1")
            .replace("{channel}", "WEB")
            .replace("{file_number}", "F1");
        for (method, operation) in item.as_object().unwrap().iter().filter(|(key, _)| *key != "parameters") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // The spectator API's cross-site header, so what is checked here is the credential.
            let mut request = app.client.request(method.clone(), app.url(&concrete)).header("X-CSRF-Token", "walk");
            if method != Method::GET {
                request = request.json(&json!({}));
            }
            let response = request.send().await.unwrap();
            let name = format!("{method} {path}");
            if response.status() != StatusCode::UNAUTHORIZED {
                public.push(name);
                continue;
            }
            let secured = operation["security"].as_array().is_some_and(|s| !s.is_empty());
            assert!(secured, "{name} answers 401 but the document declares no security");
            if path.starts_with("/api/boxoffice") {
                let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
                assert!(challenge.starts_with("Bearer"), "{name}: {challenge}");
                // Default deny must not hide a documented operation from its admin.
                let body = if method == Method::GET { None } else { Some(json!({})) };
                // An id no object has, so the pass changes nothing (not even the admin's own token).
                let unknown = concrete.replace("/1/", "/999999/").replace("/tokens/1", "/tokens/999999");
                let (_, answer) = app.send(method.clone(), &unknown, &admin, body.as_ref()).await;
                assert_ne!(
                    answer["error"], "unknown, expired or revoked credential",
                    "{name}: the admin pass must keep its token"
                );
                assert!(!answer.to_string().contains("no access rule"), "{name} has no access rule");
            }
        }
    }
    public.sort();
    let mut expected: Vec<String> = PUBLIC.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(public, expected, "only the listed operations answer without a credential");
}

/// A ticket of `org`'s seeded match: its path prefix and id.
fn ticket_path(org: &str, id: i64) -> String {
    format!("/api/boxoffice/organizations/{org}/tickets/{id}")
}

on_both_databases! {
    async fn a_viewer_only_reads_an_operator_does_not_administer_and_a_gate_token_only_scans(app: TestApp) {
        let seeded = app.seed_match("FCA", 2).await;
        let ticket = ticket_path("FCA", seeded.ticket_ids[0]);
        let viewer = app.token("FCA", "viewer", None).await;
        let operator = app.token("FCA", "operator", None).await;
        let gate = app.token("FCA", "gate", Some(vec!["EV1".into()])).await;
        let cancel = json!({ "reason": "CANCELLATION" });

        assert_eq!(app.get_json(&ticket, &viewer).await.0, StatusCode::OK);
        let (status, refused) = app.post_json(&format!("{ticket}/cancel"), &viewer, &cancel).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert!(refused["error"].as_str().unwrap().contains("viewer"), "{refused}");
        assert_eq!(app.get_json(&ticket, &viewer).await.1["status"], "NOT_PRINTED", "nothing changed");

        assert_eq!(app.get_json(&ticket, &gate).await.0, StatusCode::FORBIDDEN, "a gate token reads nothing");
        let scan = json!({ "barcode": "nope" });
        assert_eq!(app.post_json("/api/boxoffice/organizations/FCA/scans", &gate, &scan).await.0, StatusCode::NOT_FOUND);

        let interface = json!({ "name": "W", "type": "TIXNGO", "url": app.url("/api/organizer/tickets"),
                                "login": "x@fca.example.org", "password": seeded.wallet_key });
        let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/interface", &operator, &interface).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the interface is an admin's");
        let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/tokens", &operator,
            &json!({ "name": "mine", "role": "admin" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "an operator cannot mint an admin token");
        let (status, answer) = app.post_json(&format!("{ticket}/cancel"), &operator, &cancel).await;
        assert_eq!((status, answer["status"].as_str()), (StatusCode::OK, Some("CANCELLED")), "{answer}");
    }

    async fn another_organizations_objects_are_not_found_even_by_their_number(app: TestApp) {
        let a = app.seed_match("FCA", 1).await;
        let b = app.seed_match("FCB", 1).await;
        app.configure_interface(&b, None, json!({})).await;
        let function = app.function("FCB", "INJECTION", crate::common::seed::injection_settings()).await;
        let run = app.run(function).await["runId"].as_i64().unwrap();
        let a_admin = app.admin_token_for("FCA").await;
        let b_ticket = b.ticket_ids[0];
        for path in [
            "/api/boxoffice/organizations/FCB".to_owned(),
            "/api/boxoffice/organizations/FCB/tickets".to_owned(),
            format!("/api/boxoffice/organizations/FCA/tickets/{b_ticket}"),
            format!("/api/boxoffice/organizations/FCA/contacts/{}", b.contact_id),
            format!("/api/boxoffice/functions/{function}"),
            format!("/api/boxoffice/functions/{function}/runs"),
            format!("/api/boxoffice/runs/{run}"),
            "/api/boxoffice/organizations/NOSUCH".to_owned(),
        ] {
            let (status, answer) = app.get_json(&path, &a_admin).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}: {answer}");
        }
        let (status, _) = app.post_json(&format!("/api/boxoffice/organizations/FCA/tickets/{b_ticket}/cancel"), &a_admin,
            &json!({ "reason": "CANCELLATION" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.post_json(&format!("/api/boxoffice/functions/{function}/runs"), &a_admin, &Value::Null).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "nobody runs another organization's function");
        assert_eq!(app.ticket("FCB", b_ticket).await["status"], "PRINTED");
        let _ = a;
    }

    async fn an_inventory_owners_admin_acts_for_the_organizations_selling_from_it_but_not_the_reverse(app: TestApp) {
        app.seed_match("OWNER", 0).await;
        let owner = app.admin_token_for("OWNER").await;
        let (status, child) = app.post_json("/api/boxoffice/organizations", &owner,
            &json!({ "code": "SHOP", "name": "Shop", "parentCode": "OWNER", "ownsInventory": false })).await;
        assert_eq!(status, StatusCode::CREATED, "{child}");
        assert_eq!(app.get_json("/api/boxoffice/organizations/SHOP", &owner).await.0, StatusCode::OK);
        let shop_admin = app.token("SHOP", "admin", None).await;
        assert_eq!(app.get_json("/api/boxoffice/organizations/SHOP", &shop_admin).await.0, StatusCode::OK);
        assert_eq!(app.get_json("/api/boxoffice/organizations/OWNER", &shop_admin).await.0, StatusCode::NOT_FOUND);
        let owner_operator = app.token("OWNER", "operator", None).await;
        assert_eq!(app.get_json("/api/boxoffice/organizations/SHOP", &owner_operator).await.0, StatusCode::NOT_FOUND,
            "only an admin crosses into the organizations selling from its inventory");
        let (status, _) = app.post_json("/api/boxoffice/organizations", &shop_admin,
            &json!({ "code": "ROGUE", "name": "Rogue" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a top-level organization is a command-line act");
        let (status, refused) = app.post_json("/api/boxoffice/organizations", &shop_admin,
            &json!({ "code": "ROGUE", "name": "Rogue", "parentCode": "OWNER" })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("parentCode")));
    }

    async fn a_revoked_or_expired_token_is_refused_and_its_last_use_is_recorded(app: TestApp) {
        app.seed_match("FCA", 0).await;
        let admin = app.admin_token_for("FCA").await;
        let (status, created) = app.post_json("/api/boxoffice/organizations/FCA/tokens", &admin,
            &json!({ "name": "scanner 1", "role": "viewer" })).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let token = created["token"].as_str().unwrap().to_owned();
        assert_eq!(app.get_json("/api/boxoffice/organizations/FCA", &token).await.0, StatusCode::OK);
        let (_, listed) = app.get_json("/api/boxoffice/organizations/FCA/tokens", &admin).await;
        let mine = listed["results"].as_array().unwrap().iter().find(|t| t["id"] == created["id"]).unwrap().clone();
        assert!(mine["lastUsedAt"].is_string(), "{mine}");
        assert!(!listed.to_string().contains(&token), "a token's text is never listed");

        let (status, _) = app.send(Method::DELETE, &format!("/api/boxoffice/organizations/FCA/tokens/{}", created["id"]), &admin, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(app.get_json("/api/boxoffice/organizations/FCA", &token).await.0, StatusCode::UNAUTHORIZED);

        let (status, refused) = app.post_json("/api/boxoffice/organizations/FCA/tokens", &admin,
            &json!({ "name": "old", "role": "viewer", "expiresAt": "2020-01-01T00:00:00Z" })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("expiresAt")));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
        let (_, short) = app.post_json("/api/boxoffice/organizations/FCA/tokens", &admin,
            &json!({ "name": "short", "role": "viewer", "expiresAt": soon })).await;
        let short = short["token"].as_str().unwrap().to_owned();
        // Expiry is a stored time: move it into the past rather than waiting for it.
        let id: i64 = short.split('_').nth(1).unwrap().parse().unwrap();
        tixbridge_store::sql("UPDATE bo_api_tokens SET expires_at = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut app.app.db.writer().await.unwrap())
            .await
            .unwrap();
        assert_eq!(app.get_json("/api/boxoffice/organizations/FCA", &short).await.0, StatusCode::UNAUTHORIZED);
        let mut forged = token.clone();
        forged.pop();
        assert_eq!(app.get_json("/api/boxoffice/organizations/FCA", &format!("{forged}x")).await.0, StatusCode::UNAUTHORIZED);
    }

    async fn an_operator_signs_in_with_a_strict_cookie_acts_with_its_role_and_signing_out_ends_the_session(app: TestApp) {
        let seeded = app.seed_match("FCA", 1).await;
        let admin = app.admin_token_for("FCA").await;
        let (status, created) = app.post_json("/api/boxoffice/organizations/FCA/operators", &admin,
            &json!({ "email": "Anna@FCA.example.org", "role": "viewer", "password": "correct horse battery" })).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert!(created.get("generatedPassword").is_none() && !created.to_string().contains("correct horse"));
        let (status, refused) = app.post_json("/api/boxoffice/organizations/FCA/operators", &admin,
            &json!({ "email": "bob@fca.example.org", "role": "viewer", "password": "short" })).await;
        assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")));

        let sign_in = |password: &str| app.client.post(app.url("/api/boxoffice/session"))
            .json(&json!({ "organization": "FCA", "email": "anna@fca.example.org", "password": password })).send();
        assert_eq!(sign_in("wrong horse battery").await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let signed = sign_in("correct horse battery").await.unwrap();
        assert_eq!(signed.status(), StatusCode::CREATED);
        let set_cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let with_cookie = |method: Method, path: String| app.client.request(method, app.url(&path)).header("cookie", &cookie);

        let me: Value = with_cookie(Method::GET, "/api/boxoffice/session".into()).send().await.unwrap().json().await.unwrap();
        assert_eq!((me["kind"].as_str(), me["role"].as_str(), me["name"].as_str()), (Some("operator"), Some("viewer"), Some("anna@fca.example.org")));
        let ticket = ticket_path("FCA", seeded.ticket_ids[0]);
        assert_eq!(with_cookie(Method::GET, ticket.clone()).send().await.unwrap().status(), StatusCode::OK);
        let cancel = with_cookie(Method::POST, format!("{ticket}/cancel")).json(&json!({ "reason": "CANCELLATION" })).send().await.unwrap();
        assert_eq!(cancel.status(), StatusCode::FORBIDDEN);

        assert_eq!(with_cookie(Method::DELETE, "/api/boxoffice/session".into()).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        assert_eq!(with_cookie(Method::GET, ticket).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }

    async fn configuration_changes_are_audited_with_their_fields_and_never_a_secret(app: TestApp) {
        let seeded = app.seed_match("FCA", 0).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let function = app.function("FCA", "INJECTION", crate::common::seed::injection_settings()).await;
        let admin = app.admin_token_for("FCA").await;
        let (_, token) = app.post_json("/api/boxoffice/organizations/FCA/tokens", &admin, &json!({ "name": "ci", "role": "operator" })).await;
        let (status, audit) = app.get_json("/api/boxoffice/organizations/FCA/audit", &admin).await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let changes = audit["results"].as_array().unwrap();
        let actions: Vec<&str> = changes.iter().map(|c| c["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["token.create", "function.create", "interface.create", "token.create"], "{audit}");
        assert_eq!(changes[1]["object"], format!("function {function}"));
        assert!(changes[2]["fields"].as_array().unwrap().contains(&json!("password")));
        assert!(changes[..3].iter().all(|c| c["actor"].as_str().unwrap().starts_with("token ")), "{audit}");
        let text = audit.to_string();
        assert!(!text.contains(&seeded.wallet_key) && !text.contains(token["token"].as_str().unwrap()), "no secret in the audit");
        let viewer = app.token("FCA", "viewer", None).await;
        assert_eq!(app.get_json("/api/boxoffice/organizations/FCA/audit", &viewer).await.0, StatusCode::FORBIDDEN);
    }
}

on_both_databases! {
    async fn an_organizers_rule_and_device_limit_changes_are_audited_for_it_alone_without_the_manual_code(app: TestApp) {
        let key = app.organizer("org@example.org").await;
        let other = app.organizer("other@example.org").await;
        crate::support::inject(&app, &key, &["T1"], "EV1", "ada@example.org").await;
        let settings = crate::support::set_event(&app, &key, "EV1", json!({ "manualActivation": true })).await;
        let code = settings["manualCode"].as_str().expect("the generated code, shown once").to_owned();
        let (status, _) = app.send(Method::PUT, "/api/organizer/device-limits", &key,
            Some(&json!({ "maxActiveDevices": 2, "maxDevicesEver": 5 }))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, audit) = app.get_json("/api/organizer/audit", &key).await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let changes = audit["results"].as_array().unwrap();
        assert_eq!((changes[0]["action"].as_str(), changes[0]["object"].as_str()), (Some("device_limits.update"), Some("device limits")));
        assert_eq!((changes[1]["action"].as_str(), changes[1]["object"].as_str()), (Some("event_settings.replace"), Some("event EV1")));
        assert_eq!(changes[1]["fields"], json!(["manualActivation"]));
        assert!(!audit.to_string().contains(&code), "never the manual code");
        let (_, theirs) = app.get_json("/api/organizer/audit", &other).await;
        assert_eq!(theirs["results"], json!([]), "another organizer sees none of it");
    }
}

on_both_databases! {
    async fn password_guessing_is_throttled_per_network_without_locking_the_operator_out_elsewhere(app: TestApp) {
        app.seed_match("FCA", 0).await;
        let admin = app.admin_token_for("FCA").await;
        let (status, _) = app.post_json("/api/boxoffice/organizations/FCA/operators", &admin,
            &json!({ "email": "anna@fca.example.org", "role": "viewer", "password": "correct horse battery" })).await;
        assert_eq!(status, StatusCode::CREATED);
        let attempt = |client: reqwest::Client, password: &'static str| {
            let url = app.url("/api/boxoffice/session");
            async move {
                client.post(url).json(&json!({ "organization": "FCA", "email": "anna@fca.example.org", "password": password }))
                    .send().await.unwrap().status()
            }
        };
        let here = reqwest::Client::new();
        for _ in 0..tixbridge_boxoffice::access::sessions::ATTEMPTS_PER_ACCOUNT_AND_NETWORK {
            assert_eq!(attempt(here.clone(), "a wrong guess here").await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(attempt(here.clone(), "correct horse battery").await, StatusCode::TOO_MANY_REQUESTS,
            "past the limit even the right password waits");
        let elsewhere = reqwest::Client::builder().local_address("127.0.1.1".parse::<std::net::IpAddr>().unwrap()).build().unwrap();
        assert_eq!(attempt(elsewhere, "correct horse battery").await, StatusCode::CREATED, "the operator, elsewhere, signs in");
    }
}
