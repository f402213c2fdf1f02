//! The spectator's own details (docs/wallet-api.md#the-spectators-profile): title, names,
//! phone, birth date, nationality, ID or passport number, country, language and the two
//! consents. The organizers of the tickets the spectator owns read them with the owner in
//! their feed, which is how a box office completes the contact of a transfer's recipient.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_store::sql;
use tixbridge_web::{ApiError, JsonBody};

use super::holder::{check_birth_date, check_phone, country, text};
use super::session::SpectatorSession;
use crate::WalletState;
use crate::error::WalletError;

/// A whole profile: a field left out is cleared.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ProfileBody {
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub id_number: Option<String>,
    pub country_code: Option<String>,
    pub language: Option<String>,
    pub consent_marketing: Option<bool>,
    pub consent_third_party: Option<bool>,
}

/// A checked profile, as stored.
#[derive(Debug, Default, sqlx::FromRow)]
struct Profile {
    title: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    birth_date: Option<String>,
    nationality: Option<String>,
    id_number: Option<String>,
    country_code: Option<String>,
    language: Option<String>,
    consent_marketing: bool,
    consent_third_party: bool,
}

impl ProfileBody {
    fn validate(&self) -> Result<Profile, WalletError> {
        let phone = text("phone", &self.phone, 30, false)?;
        check_phone(&phone)?;
        let birth_date = text("birthDate", &self.birth_date, 10, false)?;
        check_birth_date(&birth_date)?;
        let language = match text("language", &self.language, 5, false)? {
            None => None,
            Some(code) => Some(language_code(&code).ok_or_else(|| {
                WalletError::invalid("language", "must be a language code: two letters, e.g. fr or fr-CH")
            })?),
        };
        Ok(Profile {
            title: text("title", &self.title, 20, false)?,
            first_name: text("firstName", &self.first_name, 50, false)?,
            last_name: text("lastName", &self.last_name, 100, false)?,
            phone,
            birth_date,
            nationality: country("nationality", &self.nationality)?,
            id_number: text("idNumber", &self.id_number, 50, false)?,
            country_code: country("countryCode", &self.country_code)?,
            language,
            consent_marketing: self.consent_marketing.unwrap_or(false),
            consent_third_party: self.consent_third_party.unwrap_or(false),
        })
    }
}

/// A language code written `fr` or `fr-CH` (two letters, optionally a dash and a region's
/// two letters), whatever the case it was typed in.
fn language_code(code: &str) -> Option<String> {
    let letters = |part: &str| part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic());
    match code.split_once('-') {
        Some((language, region)) if letters(language) && letters(region) => {
            Some(format!("{}-{}", language.to_ascii_lowercase(), region.to_ascii_uppercase()))
        }
        None if letters(code) => Some(code.to_ascii_lowercase()),
        _ => None,
    }
}

impl Profile {
    fn json(&self, email: &str) -> Value {
        json!({
            "email": email,
            "title": self.title,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "phone": self.phone,
            "birthDate": self.birth_date,
            "nationality": self.nationality,
            "idNumber": self.id_number,
            "countryCode": self.country_code,
            "language": self.language,
            "consentMarketing": self.consent_marketing,
            "consentThirdParty": self.consent_third_party,
        })
    }
}

/// The signed-in spectator's profile (every field `null`, consents `false`, before one is given).
pub(crate) async fn show(state: &WalletState, session: &SpectatorSession) -> Result<Value, WalletError> {
    let found: Option<Profile> = sql("SELECT title, first_name, last_name, phone, birth_date, nationality, id_number,
             country_code, language, consent_marketing, consent_third_party
         FROM wallet_spectator_profiles WHERE spectator_id = $1")
    .bind(session.spectator_id)
    .fetch_optional(&mut state.db.reader().await?)
    .await?;
    Ok(found.unwrap_or_default().json(&session.email))
}

/// Replaces the signed-in spectator's profile with `body`.
pub(crate) async fn replace(
    state: &WalletState,
    session: &SpectatorSession,
    body: &ProfileBody,
) -> Result<Value, WalletError> {
    let profile = body.validate()?;
    let now = crate::millis(Utc::now());
    let mut tx = state.db.begin_write().await?;
    sql("INSERT INTO wallet_spectator_profiles (spectator_id, title, first_name, last_name, phone, birth_date,
             nationality, id_number, country_code, language, consent_marketing, consent_third_party, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (spectator_id) DO UPDATE SET title = excluded.title, first_name = excluded.first_name,
             last_name = excluded.last_name, phone = excluded.phone, birth_date = excluded.birth_date,
             nationality = excluded.nationality, id_number = excluded.id_number,
             country_code = excluded.country_code, language = excluded.language,
             consent_marketing = excluded.consent_marketing, consent_third_party = excluded.consent_third_party,
             updated_at = excluded.updated_at")
    .bind(session.spectator_id)
    .bind(profile.title.as_deref())
    .bind(profile.first_name.as_deref())
    .bind(profile.last_name.as_deref())
    .bind(profile.phone.as_deref())
    .bind(profile.birth_date.as_deref())
    .bind(profile.nationality.as_deref())
    .bind(profile.id_number.as_deref())
    .bind(profile.country_code.as_deref())
    .bind(profile.language.as_deref())
    .bind(profile.consent_marketing)
    .bind(profile.consent_third_party)
    .bind(now)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(profile.json(&session.email))
}

#[utoipa::path(
    get,
    path = "/api/spectator/profile",
    summary = "My own details (title, names, phone, birth date, nationality, ID, country, language, consents)",
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn get_profile(
    State(state): State<WalletState>,
    session: SpectatorSession,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(show(&state, &session).await?))
}

#[utoipa::path(
    put,
    path = "/api/spectator/profile",
    summary = "Give my own details, shared with the organizers of the tickets I own (the whole profile; a field left out is cleared)",
    request_body = crate::openapi::spectator::Profile,
    responses(
        (status = 200, description = "done", body = serde_json::Value),
        crate::openapi::Refusals
    ),
    security(("spectatorSession" = []))
)]
pub(crate) async fn put_profile(
    State(state): State<WalletState>,
    session: SpectatorSession,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(replace(&state, &session, &super::parse(body)?).await?))
}
