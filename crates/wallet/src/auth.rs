//! The organizer behind a request: HTTP Basic (login + API key) or `X-Api-Key`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use tixbridge_web::ApiError;

use crate::WalletState;

/// An authenticated organizer's id.
#[derive(Debug, Clone, Copy)]
pub struct Organizer(pub i64);

impl FromRequestParts<WalletState> for Organizer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WalletState) -> Result<Self, ApiError> {
        let (login, key) = credentials(parts)?;
        crate::organizers::authenticate(&state.db, login.as_deref(), &key)
            .await?
            .map(Organizer)
            .ok_or_else(|| ApiError::unauthorized("unknown login or API key"))
    }
}

fn credentials(parts: &Parts) -> Result<(Option<String>, String), ApiError> {
    if let Some(key) = parts.headers.get("x-api-key") {
        let key = key.to_str().map_err(|_| ApiError::unauthorized("X-Api-Key is not text"))?;
        return Ok((None, key.trim().to_owned()));
    }
    let header =
        parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(|| {
            ApiError::unauthorized("credentials required: HTTP Basic (login and API key) or X-Api-Key")
        })?;
    let encoded = header
        .strip_prefix("Basic ")
        .ok_or_else(|| ApiError::unauthorized("Authorization must use the Basic scheme"))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| ApiError::unauthorized("Authorization is not valid Basic credentials"))?;
    let (login, key) =
        decoded.split_once(':').ok_or_else(|| ApiError::unauthorized("Basic credentials must be login:apikey"))?;
    Ok((Some(login.to_owned()), key.to_owned()))
}
