//! Idempotent creates (docs/boxoffice-api.md#idempotent-creates): a create sent with an
//! `Idempotency-Key` header is done once per organization and key; sending the same request
//! again within 24 hours answers the first answer (same status, same body) without doing
//! anything, and the same key with another request is refused naming the header.
//!
//! The key is claimed by the first statement of the create's transaction and the answer is
//! written by its last, so the create and its stored answer commit together: a retry after a
//! crash either finds both or neither. A concurrent request with the same key waits on the
//! claim (PostgreSQL's unique index; SQLite has one writer) and then replays the answer.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tixbridge_store::{Db, Tx, sql};
use tixbridge_web::{ApiError, BodyBytes, parse_json};

use crate::BoxOfficeError;

/// The request header naming a create.
pub const HEADER: &str = "Idempotency-Key";
/// The header a replayed answer carries (`true`).
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";
/// How long an answer is kept for its key.
pub const WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest key.
pub const MAX_KEY_LENGTH: usize = 255;

/// The `Idempotency-Key` of a request, with the fingerprint of what the request asks (method,
/// path and body); none when the request has no key.
#[derive(Debug, Clone, Default)]
pub struct Idempotency {
    keyed: Option<Keyed>,
}

#[derive(Debug, Clone)]
struct Keyed {
    key: String,
    fingerprint: String,
}

/// A create's answer: freshly made, or the stored first answer of its key.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    /// The JSON body, exactly as first sent.
    pub body: String,
    pub replayed: bool,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, [(CONTENT_TYPE, HeaderValue::from_static("application/json"))], self.body).into_response();
        if self.replayed {
            response
                .headers_mut()
                .insert(HeaderName::from_static("idempotent-replayed"), HeaderValue::from_static("true"));
        }
        response
    }
}

impl Idempotency {
    /// A request without a key (the command line, a library caller).
    pub fn none() -> Self {
        Self::default()
    }

    /// The key of a request to `path` with `body`; a malformed key is refused naming the header.
    pub fn new(headers: &HeaderMap, method: &Method, path: &str, body: &[u8]) -> Result<Self, BoxOfficeError> {
        let Some(value) = headers.get(HEADER) else { return Ok(Self::none()) };
        let key = value.to_str().unwrap_or_default();
        if key.is_empty() || key.len() > MAX_KEY_LENGTH || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BoxOfficeError::invalid(
                HEADER,
                format!("must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID"),
            ));
        }
        let mut hash = Sha256::new();
        hash.update(method.as_str().as_bytes());
        hash.update(b" ");
        hash.update(path.as_bytes());
        hash.update(b"\n");
        // The same JSON written with other spacing or key order is the same request.
        match serde_json::from_slice::<Value>(body) {
            Ok(json) => {
                let mut text = String::with_capacity(body.len());
                canonical(&json, &mut text);
                hash.update(text.as_bytes());
            }
            Err(_) => hash.update(body),
        }
        Ok(Self { keyed: Some(Keyed { key: key.to_owned(), fingerprint: hex(&hash.finalize()) }) })
    }

    /// Refuses a key on a create whose answer holds a secret shown once (tokens, operators):
    /// storing that answer would keep the secret.
    pub fn refuse_on(headers: &HeaderMap, what: &str) -> Result<(), BoxOfficeError> {
        match headers.get(HEADER) {
            None => Ok(()),
            Some(_) => Err(BoxOfficeError::invalid(
                HEADER,
                format!("not taken when creating {what}: the answer holds a secret shown once and is never stored"),
            )),
        }
    }

    /// Before any work: the first answer to this key in `organization_id` when it was used
    /// within 24 hours by the same request; a refusal when it was used by another.
    pub async fn replay(&self, db: &Db, organization_id: i64) -> Result<Option<Answer>, BoxOfficeError> {
        let Some(keyed) = &self.keyed else { return Ok(None) };
        // Now and then (one keyed request in 256), forget the answers older than 24 hours.
        if rand::random::<u8>() == 0
            && let Err(err) = Self::purge_expired(db).await
        {
            tracing::warn!(error = %err, "forgetting old idempotency keys failed; tried again later");
        }
        let stored: Option<(String, i64, String)> = sql("SELECT fingerprint, status, body FROM bo_idempotency_keys
             WHERE organization_id = $1 AND idempotency_key = $2 AND created_at >= $3")
        .bind(organization_id)
        .bind(keyed.key.as_str())
        .bind(crate::now_ms() - WINDOW_MS)
        .fetch_optional(&mut db.reader().await?)
        .await?;
        stored.map(|stored| keyed.answer(stored)).transpose()
    }

    /// The first statement of the create's transaction `tx`: takes the key, or — when another
    /// request took it and committed — gives its answer (or refuses another request). A key
    /// older than 24 hours is taken afresh.
    pub async fn claim(&self, tx: &mut Tx, organization_id: i64) -> Result<Option<Answer>, BoxOfficeError> {
        let Some(keyed) = &self.keyed else { return Ok(None) };
        let now = crate::now_ms();
        let taken: Option<i64> = sql(
            "INSERT INTO bo_idempotency_keys (organization_id, idempotency_key, fingerprint, status, body, created_at)
             VALUES ($1, $2, $3, 0, '', $4)
             ON CONFLICT (organization_id, idempotency_key) DO UPDATE
                 SET fingerprint = excluded.fingerprint, status = 0, body = '', created_at = excluded.created_at
                 WHERE bo_idempotency_keys.created_at < $5
             RETURNING created_at",
        )
        .bind(organization_id)
        .bind(keyed.key.as_str())
        .bind(keyed.fingerprint.as_str())
        .bind(now)
        .bind(now - WINDOW_MS)
        .scalar_optional(tx)
        .await?;
        if taken.is_some() {
            return Ok(None);
        }
        let stored: (String, i64, String) = sql(
            "SELECT fingerprint, status, body FROM bo_idempotency_keys WHERE organization_id = $1 AND idempotency_key = $2",
        )
        .bind(organization_id)
        .bind(keyed.key.as_str())
        .fetch_one(tx)
        .await?;
        keyed.answer(stored).map(Some)
    }

    /// The last statement of the create: stores `answer` for the key (when there is one) in
    /// `tx`, commits, and gives the answer to send.
    pub async fn finish<T: Serialize>(
        &self,
        mut tx: Tx,
        organization_id: i64,
        status: StatusCode,
        answer: &T,
    ) -> Result<Answer, BoxOfficeError> {
        let body = serde_json::to_string(answer).map_err(|err| BoxOfficeError::Sql(sqlx::Error::Encode(err.into())))?;
        if let Some(keyed) = &self.keyed {
            sql("UPDATE bo_idempotency_keys SET status = $1, body = $2
                 WHERE organization_id = $3 AND idempotency_key = $4")
            .bind(i64::from(status.as_u16()))
            .bind(body.as_str())
            .bind(organization_id)
            .bind(keyed.key.as_str())
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Answer { status, body, replayed: false })
    }

    /// Forgets answers older than 24 hours (their keys would be taken afresh anyway).
    pub async fn purge_expired(db: &Db) -> Result<u64, sqlx::Error> {
        sql("DELETE FROM bo_idempotency_keys WHERE created_at < $1")
            .bind(crate::now_ms() - WINDOW_MS)
            .execute(&mut db.writer().await?)
            .await
    }
}

impl Keyed {
    /// The stored answer when `stored` was made by this same request, else the refusal.
    fn answer(&self, (fingerprint, status, body): (String, i64, String)) -> Result<Answer, BoxOfficeError> {
        if fingerprint != self.fingerprint {
            return Err(BoxOfficeError::invalid(
                HEADER,
                format!(
                    "{:?} was used within the last 24 hours for another request (another path or body); \
                     use a new key for a new request",
                    self.key
                ),
            ));
        }
        let status = u16::try_from(status).ok().and_then(|s| StatusCode::from_u16(s).ok()).filter(|s| s.is_success());
        let status = status.ok_or_else(|| {
            BoxOfficeError::Sql(sqlx::Error::Protocol(format!(
                "idempotency key {:?} stored without an answer",
                self.key
            )))
        })?;
        Ok(Answer { status, body, replayed: true })
    }
}

/// `value` as JSON text with every object's keys sorted: one text per meaning.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key of a request without a body (a reprint).
impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::new(&parts.headers, &parts.method, parts.uri.path(), b"")?)
    }
}

/// A JSON body `T` and the request's [`Idempotency`] key.
pub struct Idempotent<T>(pub Idempotency, pub T);

impl<S, T> FromRequest<S> for Idempotent<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (headers, method, path) =
            (request.headers().clone(), request.method().clone(), request.uri().path().to_owned());
        let BodyBytes(bytes) = BodyBytes::from_request(request, state).await?;
        let key = Idempotency::new(&headers, &method, &path, &bytes)?;
        Ok(Self(key, parse_json(&bytes)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(body: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_static("k1"));
        Idempotency::new(&headers, &Method::POST, "/x", body.as_bytes()).unwrap().keyed.unwrap().fingerprint
    }

    #[test]
    fn the_same_json_written_differently_is_the_same_request_and_another_value_is_not() {
        assert_eq!(
            fingerprint(r#"{"a":1,"b":[1,{"d":2,"c":3}]}"#),
            fingerprint(r#"{ "b": [1, {"c":3, "d":2}], "a": 1 }"#)
        );
        assert_ne!(fingerprint(r#"{"a":1}"#), fingerprint(r#"{"a":2}"#));
    }

    #[test]
    fn a_key_must_be_visible_ascii_of_bounded_length() {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_static("has space"));
        assert!(Idempotency::new(&headers, &Method::POST, "/x", b"").is_err());
        headers.insert(HEADER, HeaderValue::from_str(&"k".repeat(256)).unwrap());
        assert!(Idempotency::new(&headers, &Method::POST, "/x", b"").is_err());
    }
}
