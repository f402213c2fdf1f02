//! The refusals of spectator and gate operations, and how each maps to an HTTP answer.

use axum::http::StatusCode;
use tixbridge_domain::{IllegalTransition, WalletStatus};
use tixbridge_web::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// Unknown, or not the caller's: the two look the same from outside.
    #[error("{0}")]
    NotFound(String),
    /// The state or a rule forbids it now.
    #[error("{0}")]
    Refused(String),
    #[error("{field}: {rule}")]
    Invalid { field: &'static str, rule: String },
    #[error("{0}")]
    Forbidden(String),
    /// As many devices are active as the limit allows: the web wallet then offers to sign
    /// the others out by a mailed link (docs/wallet-pages.md#no-lockouts).
    #[error("{why}")]
    DeviceLimit { active: i64, why: String },
    #[error("{0}")]
    TooMany(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

impl WalletError {
    pub fn invalid(field: &'static str, rule: impl Into<String>) -> Self {
        Self::Invalid { field, rule: rule.into() }
    }

    /// A move the state machine refused, named as docs/wallet-api.md#the-organizer-api
    /// describes: with the current status.
    pub fn illegal(what: &str, err: IllegalTransition) -> Self {
        Self::Refused(format!("{what} is not allowed: ticket is {}", err.from))
    }

    pub fn status(what: &str, status: WalletStatus) -> Self {
        Self::Refused(format!("{what} is not allowed: ticket is {status}"))
    }
}

impl From<WalletError> for ApiError {
    fn from(err: WalletError) -> Self {
        match err {
            WalletError::NotFound(what) => ApiError::not_found(what),
            WalletError::Refused(why) => ApiError::new(StatusCode::CONFLICT, why),
            WalletError::Invalid { field, rule } => ApiError::unprocessable(field, format!("{field}: {rule}")),
            WalletError::Forbidden(why) | WalletError::DeviceLimit { why, .. } => {
                ApiError::new(StatusCode::FORBIDDEN, why)
            }
            WalletError::TooMany(why) => ApiError::new(StatusCode::TOO_MANY_REQUESTS, why),
            WalletError::Unauthorized(why) => ApiError::unauthorized(why),
            WalletError::Sql(err) => ApiError::internal(err),
        }
    }
}
