//! The one HTTP error type. Client errors carry a message, the field at fault and the list of
//! every bad field with the rule it breaks; internal errors are logged once, here, and answered
//! with a generic message. The shape is documented in docs/errors.md.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// One bad field and the rule it breaks, as listed in an answer's `errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRule {
    pub field: String,
    pub rule: String,
}

impl FieldRule {
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { field: field.into(), rule: rule.into() }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    pub field: Option<String>,
    /// Every bad field when there are several (validation reports them all at once); when
    /// empty, the answer lists `field` with `error` as its rule.
    pub errors: Vec<FieldRule>,
    /// More members of the JSON answer beside `error` and `field` (e.g. `currentStatus`, or
    /// the list of bad rows of an import).
    pub details: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self { status, error: error.into(), field: None, errors: Vec::new(), details: Map::new() }
    }

    pub fn bad_request(field: impl Into<String>, error: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error).with_field(field)
    }

    pub fn unprocessable(field: impl Into<String>, error: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, error).with_field(field)
    }

    /// A 422 listing every bad field; `error` and `field` name the first.
    pub fn invalid_fields(status: StatusCode, errors: Vec<FieldRule>) -> Self {
        let Some(first) = errors.first() else {
            return Self::new(status, "the request is invalid");
        };
        let error = match errors.len() {
            1 => format!("{}: {}", first.field, first.rule),
            n => format!("{n} fields are invalid; the first, {}: {}", first.field, first.rule),
        };
        let field = first.field.clone();
        Self { status, error, field: Some(field), errors, details: Map::new() }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, what)
    }

    pub fn conflict(field: impl Into<String>, error: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, error).with_field(field)
    }

    pub fn unauthorized(error: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, error)
    }

    /// An unexpected failure: logged with its cause, answered without it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error; see the server log")
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Lists `field` and the `rule` it breaks in the answer's `errors`.
    pub fn with_rule(mut self, field: impl Into<String>, rule: impl Into<String>) -> Self {
        self.errors.push(FieldRule::new(field, rule));
        self
    }

    /// Adds a member to the JSON answer.
    pub fn with_detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }

    /// The JSON answer: `{"error", "field"?, "errors": [{"field", "rule"}], …details}`.
    pub fn body(&self) -> Value {
        let mut body = self.details.clone();
        body.insert("error".to_owned(), json!(self.error));
        if let Some(field) = &self.field {
            body.insert("field".to_owned(), json!(field));
        }
        let errors: Vec<Value> = if self.errors.is_empty() {
            self.field.iter().map(|field| json!({"field": field, "rule": self.error})).collect()
        } else {
            self.errors.iter().map(|e| json!({"field": e.field, "rule": e.rule})).collect()
        };
        body.insert("errors".to_owned(), Value::Array(errors));
        Value::Object(body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Basic realm=\"tixbridge\""),
            );
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(err)
    }
}

impl From<tixbridge_store::StoreError> for ApiError {
    fn from(err: tixbridge_store::StoreError) -> Self {
        Self::internal(err)
    }
}
