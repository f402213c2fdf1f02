//! A JSON body extractor that answers every malformed request with our JSON error shape:
//! too large → 413, not JSON or wrong shape → 400/422 naming the problem.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The largest request body any endpoint accepts.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// A request body parsed as JSON into `T`.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let BodyBytes(bytes) = BodyBytes::from_request(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A request body as bytes, for handlers that parse it borrowing from them (parts of it as
/// [`serde_json::value::RawValue`]), with the same refusals as [`JsonBody`] for a body too
/// large or cut short.
pub struct BodyBytes(pub Bytes);

impl<S> FromRequest<S> for BodyBytes
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("request body is larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024)),
                )
                .with_field("body")
            } else {
                ApiError::bad_request("body", rejection.body_text())
            }
        })?;
        Ok(BodyBytes(bytes))
    }
}

/// Parses `bytes` as `T` (which may borrow from them), naming the line, column and problem
/// when it fails.
pub fn parse_json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|err| {
        let kind = match err.classify() {
            serde_json::error::Category::Data => "request body has the wrong shape",
            _ => "request body is not valid JSON",
        };
        ApiError::bad_request("body", format!("{kind}: {err}"))
    })
}
