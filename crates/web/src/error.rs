//! The one HTTP error type. Client errors carry a message and the field at fault; internal
//! errors are logged once, here, and answered with a generic message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    pub field: Option<String>,
    /// More members of the JSON answer beside `error` and `field` (e.g. `currentStatus`, or
    /// the list of bad rows of an import).
    pub details: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self { status, error: error.into(), field: None, details: Map::new() }
    }

    pub fn bad_request(field: impl Into<String>, error: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error).with_field(field)
    }

    pub fn unprocessable(field: impl Into<String>, error: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, error).with_field(field)
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

    /// Adds a member to the JSON answer.
    pub fn with_detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = self.details;
        body.insert("error".to_owned(), json!(self.error));
        if let Some(field) = self.field {
            body.insert("field".to_owned(), json!(field));
        }
        let mut response = (self.status, Json(Value::Object(body))).into_response();
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
