//! Path and query extractors whose refusals are our error shape naming the parameter and the
//! rule ("limit: must be a whole number of at least 0 (got "ten")"), used everywhere instead
//! of axum's, whose refusals are plain text in serde's words.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, path::ErrorKind};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::{ApiError, serde_words};

/// The path parameters, parsed as `T`.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(path_refusal(rejection)),
        }
    }
}

fn path_refusal(rejection: PathRejection) -> ApiError {
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        return ApiError::internal(format!("path parameters unavailable: {rejection}"));
    };
    let (field, rule) = match failed.into_kind() {
        ErrorKind::ParseErrorAtKey { key, value, expected_type } => {
            (key, format!("must be {} (got {value:?})", serde_words::expected(expected_type)))
        }
        ErrorKind::DeserializeError { key, value, message } => {
            let (_, rule) = serde_words::field_and_rule(&key, &message);
            (key, format!("{rule} (got {value:?})"))
        }
        ErrorKind::ParseErrorAtIndex { value, expected_type, .. } | ErrorKind::ParseError { value, expected_type } => {
            ("path".to_owned(), format!("must be {} (got {value:?})", serde_words::expected(expected_type)))
        }
        ErrorKind::InvalidUtf8InPathParam { key } => (key, "must be UTF-8 text".to_owned()),
        other => return ApiError::internal(format!("path parameters do not fit the handler: {other}")),
    };
    ApiError::bad_request(field.clone(), format!("{field}: {rule}")).with_rule(field, rule)
}

/// The query string, parsed as `T` (an absent query parses as an empty one).
#[derive(Debug, Default)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(Query)
    }
}

/// Parses a query string as `T`, naming the parameter at fault.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let (field, rule) = serde_words::field_and_rule(&path, &err.into_inner().to_string());
        let field = if field == "body" { "query".to_owned() } else { field };
        ApiError::bad_request(field.clone(), format!("{field}: {rule}")).with_rule(field, rule)
    })
}

fn form_urlencoded_parse(query: &str) -> url::form_urlencoded::Parse<'_> {
    url::form_urlencoded::parse(query.as_bytes())
}
