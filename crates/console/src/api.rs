//! Calls to the box-office and interface API, in-process, as the signed-in operator: the
//! request carries the operator's session cookie, so the API's guard decides exactly as it
//! would for a `curl` with that cookie. Reading a list or an error of the API goes through
//! [`results`] and [`Problem::of`] only, the two places that know the API's shapes.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, Method, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::Console;

/// The largest API answer the console reads.
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// An API answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub location: Option<String>,
    /// The cookie the API set (signing in and out).
    pub set_cookie: Option<String>,
}

impl Reply {
    pub fn ok(&self) -> bool {
        self.status.is_success()
    }
}

/// Who the API is called as: the session cookie (and the client's address, for the sign-in
/// throttle).
#[derive(Debug, Clone, Default)]
pub struct As {
    pub cookie: String,
    pub client: Option<SocketAddr>,
}

impl Console {
    /// Calls `method path` of the API with `body` (JSON) as `who`.
    pub async fn call(&self, who: &As, method: Method, path: &str, body: Option<Value>) -> Reply {
        let raw = self.call_raw(who, method, path, body).await;
        let body = serde_json::from_slice(&raw.bytes).unwrap_or(Value::Null);
        let header = |name| raw.headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        Reply { status: raw.status, body, location: header(LOCATION), set_cookie: header(SET_COOKIE) }
    }

    /// [`Console::call`] answering the bytes as sent (a file to download) with the headers.
    pub async fn call_raw(&self, who: &As, method: Method, path: &str, body: Option<Value>) -> RawReply {
        let mut request = Request::builder().method(method).uri(path);
        if !who.cookie.is_empty() {
            request =
                request.header(COOKIE, format!("{}={}", tixbridge_boxoffice::access::sessions::COOKIE, who.cookie));
        }
        let body = match body {
            Some(value) => {
                request = request.header(CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        let mut request = match request.body(body) {
            Ok(request) => request,
            Err(err) => return RawReply::failed(format!("building the request: {err}")),
        };
        if let Some(client) = who.client {
            request.extensions_mut().insert(ConnectInfo(client));
        }
        let response = match self.api.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES).await.unwrap_or_default();
        RawReply { status, headers, bytes }
    }

    pub async fn get(&self, who: &As, path: &str) -> Reply {
        self.call(who, Method::GET, path, None).await
    }
}

/// An API answer as sent: status, headers and body bytes.
#[derive(Debug, Clone)]
pub struct RawReply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: axum::body::Bytes,
}

impl RawReply {
    fn failed(message: String) -> RawReply {
        RawReply {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            headers: Default::default(),
            bytes: serde_json::json!({ "error": message }).to_string().into(),
        }
    }

    /// The answer read as JSON (a refusal).
    pub fn reply(&self) -> Reply {
        let body = serde_json::from_slice(&self.bytes).unwrap_or(Value::Null);
        Reply { status: self.status, body, location: None, set_cookie: None }
    }
}

/// The items of an API list answer: `{"results": [...]}`, or the older `{"<key>": [...]}`.
pub fn results(body: &Value, key: &str) -> Vec<Value> {
    body.get("results").or_else(|| body.get(key)).and_then(Value::as_array).cloned().unwrap_or_default()
}

/// What an API refusal says: its message and the field it names, if any.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Problem {
    pub message: String,
    pub field: Option<String>,
}

impl Problem {
    /// Reads `{"error","field"}`, or `{"error","errors":[{"field","rule"}]}`.
    pub fn of(reply: &Reply) -> Problem {
        let body = &reply.body;
        let first = body.get("errors").and_then(Value::as_array).and_then(|all| all.first());
        let field = body
            .get("field")
            .and_then(Value::as_str)
            .or_else(|| first.and_then(|e| e.get("field")).and_then(Value::as_str))
            .map(str::to_owned);
        let message = body
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("the server answered {}", reply.status));
        Problem { message, field }
    }
}

/// `text` made safe as one path segment.
pub fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The API path of the organization `org`, followed by `rest`.
pub fn org_path(org: &str, rest: &str) -> String {
    format!("/api/boxoffice/organizations/{}{rest}", segment(org))
}
