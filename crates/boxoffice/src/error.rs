//! The box office's error type. Library functions return it; [`From`] maps it once to the HTTP
//! answer (`{"error", "field"}` plus `currentStatus` for a refused move).

use axum::http::StatusCode;
use tixbridge_domain::{IllegalTicketMove, TicketStatus};
use tixbridge_web::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum BoxOfficeError {
    /// An unknown organization, ticket, contact… named in the path.
    #[error("{0} not found")]
    NotFound(String),
    /// An unknown object named in the request body by `field`.
    #[error("{field}: {what} not found")]
    Missing { field: String, what: String },
    /// A code or number already taken.
    #[error("{field}: {message}")]
    Duplicate { field: String, message: String },
    /// What the request asks for is gone: a place beyond a capacity, a seat already sold.
    #[error("{field}: {message}")]
    Unavailable { field: String, message: String },
    /// A bad value, a broken rule or an unknown reference in the request body.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Several bad values at once, each `(field, rule)`: validation reports every one.
    #[error("{} fields are invalid", .0.len())]
    InvalidFields(Vec<(String, String)>),
    /// A status change the state machine refuses.
    #[error(transparent)]
    IllegalMove(#[from] IllegalTicketMove),
    /// A gate scan that cannot let the holder in: `ALREADY_CONTROLLED` or `NOT_VALID`.
    #[error("{code}: the ticket is {current}")]
    ScanRefused { code: &'static str, current: TicketStatus, ticket_id: tixbridge_domain::TicketId },
    /// Too many attempts (operator sign-in): come back later.
    #[error("{0}")]
    TooMany(String),
    /// The caller's role may not do this (its organization was already checked).
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

impl BoxOfficeError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }

    pub fn duplicate(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Duplicate { field: field.into(), message: message.into() }
    }

    pub fn unavailable(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Unavailable { field: field.into(), message: message.into() }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    /// The refusals of several checks as one: every bad field listed; a refusal that is not
    /// about a value (a database failure) wins alone.
    pub fn all(errors: Vec<BoxOfficeError>) -> Self {
        let mut fields = Vec::new();
        for err in errors {
            match err {
                BoxOfficeError::Invalid { field, message } => fields.push((field, message)),
                BoxOfficeError::InvalidFields(more) => fields.extend(more),
                other => return other,
            }
        }
        match fields.len() {
            1 => {
                let (field, message) = fields.remove(0);
                BoxOfficeError::Invalid { field, message }
            }
            _ => BoxOfficeError::InvalidFields(fields),
        }
    }
}

impl From<BoxOfficeError> for ApiError {
    fn from(err: BoxOfficeError) -> Self {
        match err {
            BoxOfficeError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            BoxOfficeError::Missing { field, what } => {
                ApiError::not_found(format!("{what} not found")).with_field(field)
            }
            BoxOfficeError::Duplicate { field, message } => ApiError::conflict(field, message),
            BoxOfficeError::Unavailable { field, message } => ApiError::conflict(field, message),
            BoxOfficeError::Invalid { field, message } => ApiError::unprocessable(field, message),
            BoxOfficeError::InvalidFields(fields) => ApiError::invalid_fields(
                StatusCode::UNPROCESSABLE_ENTITY,
                fields.into_iter().map(|(field, rule)| tixbridge_web::FieldRule::new(field, rule)).collect(),
            ),
            BoxOfficeError::IllegalMove(refused) => ApiError::new(StatusCode::CONFLICT, refused.to_string())
                .with_field("status")
                .with_detail("currentStatus", refused.from.as_str()),
            BoxOfficeError::ScanRefused { code, current, ticket_id } => {
                ApiError::new(StatusCode::CONFLICT, format!("{code}: the ticket is {current}"))
                    .with_field("barcode")
                    .with_detail("code", code)
                    .with_detail("currentStatus", current.as_str())
                    .with_detail("ticketId", ticket_id.get())
            }
            BoxOfficeError::TooMany(message) => ApiError::new(StatusCode::TOO_MANY_REQUESTS, message),
            BoxOfficeError::Forbidden(message) => ApiError::new(StatusCode::FORBIDDEN, message),
            BoxOfficeError::Sql(err) => ApiError::internal(err),
        }
    }
}
