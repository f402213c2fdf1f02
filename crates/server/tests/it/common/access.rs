//! Box-office credentials in tests. A top-level organization is created the way an operator
//! does it (`tixbridge boxoffice create-organization`, here through the same library call),
//! with an admin token; every helper call to a box-office path then carries the token of the
//! organization the path names, so tests read like the API calls they make.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::response::IntoResponse;
use reqwest::StatusCode;
use serde_json::Value;
use tixbridge_boxoffice::access::tokens::{self, NewToken};
use tixbridge_boxoffice::organizations::{self, NewOrganization};

use super::TestApp;

/// Admin tokens by organization code, and the organization named last (which a path with a
/// bare function or run number acts for).
#[derive(Default)]
pub struct Tokens {
    by_org: Mutex<HashMap<String, String>>,
    last: Mutex<Option<String>>,
}

impl Tokens {
    pub fn insert(&self, org: &str, token: String) {
        self.by_org.lock().unwrap().insert(org.to_owned(), token);
        *self.last.lock().unwrap() = Some(org.to_owned());
    }

    pub fn get(&self, org: &str) -> Option<String> {
        self.by_org.lock().unwrap().get(org).cloned()
    }

    /// The token a call to `path` (with `body`) carries: the named organization's, or for a
    /// child organization's creation its parent's, else the last organization's.
    pub fn for_path(&self, path: &str, body: Option<&Value>) -> Option<String> {
        let named = path
            .strip_prefix("/api/boxoffice/organizations/")
            .map(|rest| rest.split(['/', '?']).next().unwrap_or_default().to_owned())
            .or_else(|| body.and_then(|b| b["parentCode"].as_str()).map(str::to_owned));
        match named.and_then(|org| self.get(&org).map(|token| (org, token))) {
            Some((org, token)) => {
                *self.last.lock().unwrap() = Some(org);
                Some(token)
            }
            None => self.last_token(),
        }
    }

    fn last_token(&self) -> Option<String> {
        let last = self.last.lock().unwrap().clone()?;
        self.get(&last)
    }
}

impl TestApp {
    /// `POST /api/boxoffice/organizations` without a parent is not an API call any more: it is
    /// done as the CLI does it, answered as the API would answer, and an admin token kept.
    /// `None` when the body names a parent (then it is a real API call by the parent's admin).
    pub(super) async fn create_top_level_organization(&self, body: &Value) -> Option<(StatusCode, Value)> {
        if body.get("parentCode").is_some_and(|p| !p.is_null()) {
            return None;
        }
        let new: NewOrganization = match serde_json::from_value(body.clone()) {
            Ok(new) => new,
            Err(err) => return Some((StatusCode::UNPROCESSABLE_ENTITY, serde_json::json!({ "error": err.to_string() }))),
        };
        match organizations::create(&self.app.db, new).await {
            Ok(org) => {
                self.admin_token_for(&org.code).await;
                Some((StatusCode::CREATED, serde_json::to_value(&org).unwrap()))
            }
            Err(err) => {
                let response = tixbridge_web::ApiError::from(err).into_response();
                let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
                Some((status, serde_json::from_slice(&bytes).unwrap()))
            }
        }
    }

    /// The admin token of organization `org` (created on first use).
    pub async fn admin_token_for(&self, org: &str) -> String {
        if let Some(token) = self.tokens.get(org) {
            return token;
        }
        let token = self.token(org, "admin", None).await;
        self.tokens.insert(org, token.clone());
        token
    }

    /// A new token of organization `org` with `role`, bound to `events` when given.
    pub async fn token(&self, org: &str, role: &str, events: Option<Vec<String>>) -> String {
        let org = organizations::find(&self.app.db, org).await.unwrap();
        let new = NewToken { name: format!("test {role}"), role: role.to_owned(), expires_at: None, events };
        tokens::create(&self.app.db, org.id, &new, "test").await.unwrap().token
    }
}
