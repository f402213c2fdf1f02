//! A JSON body extractor that answers every malformed request with our JSON error shape:
//! too large → 413, not JSON or wrong shape → 400/422 naming the problem.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{ApiError, serde_words};

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
        // refused from Content-Length alone, before a byte of the body is read (a client that
        // sent `Expect: 100-continue` then never sends it)
        let announced = req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
        if announced.and_then(|v| v.trim().parse::<u64>().ok()).is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::bad_request(
                    "body",
                    "the request body could not be read to its end (cut short or sent too slowly)",
                )
            }
        })?;
        Ok(BodyBytes(bytes))
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body is larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024)),
    )
    .with_field("body")
    .with_rule("body", format!("must be at most {MAX_BODY_BYTES} bytes"))
}

/// Parses `bytes` as `T` (which may borrow from them). A refusal names the field at fault
/// (`tickets[2].priceCents`, or `body` for JSON that does not parse) and the rule in the API's
/// words ([`crate::serde_words`]), never serde's.
pub fn parse_json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.classify() == serde_json::error::Category::Data {
            let (field, rule) = serde_words::field_and_rule(&path, &inner.to_string());
            ApiError::bad_request(field.clone(), format!("{field}: {rule}")).with_rule(field, rule)
        } else {
            not_json(&inner)
        }
    })?;
    deserializer.end().map_err(|err| not_json(&err))?;
    Ok(value)
}

fn not_json(err: &serde_json::Error) -> ApiError {
    let rule = format!(
        "must be one JSON document ({}: line {}, column {})",
        serde_words::syntax(err.classify()),
        err.line(),
        err.column()
    );
    ApiError::bad_request("body", format!("request body is not valid JSON: {rule}")).with_rule("body", rule)
}
