//! Comfort variables (docs/interface.md#comfort-variables): the dates and group an undated
//! product gives its wallet tickets. Values are validated when the product is saved
//! ([`ComfortVariables::parse`]) and turned into instants when a ticket is injected
//! ([`resolve`]).

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone};
use serde_json::{Map, Value};

/// Why a comfort variable was refused: the field (`comfortVariables.TIXAct`) and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct ComfortError {
    pub field: String,
    pub rule: String,
}

impl ComfortError {
    fn new(field: &str, rule: impl Into<String>) -> Self {
        Self { field: field.to_owned(), rule: rule.into() }
    }
}

/// A `TIXAct` / `TIXStart` / `TIXExp` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComfortValue {
    StartOfSeason,
    EndOfSeason,
    /// `+1d`, `-2w`, `3h`: an offset from the ticket's reference time (its validity start).
    Relative(Duration),
    /// `dd/mm/yy hh:mm`, in the venue's local time.
    Absolute(NaiveDateTime),
}

const DATE_RULE: &str = "must be start_of_season, end_of_season, a relative offset such as +1d, -2w or 3h \
                         (units h, d, w), or a date dd/mm/yy hh:mm";

/// The largest relative amount accepted, whatever the unit (about 19 years in hours is far
/// beyond any season; the bound keeps the arithmetic safe).
const MAX_AMOUNT: i64 = 99_999;

impl ComfortValue {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "start_of_season" => return Ok(Self::StartOfSeason),
            "end_of_season" => return Ok(Self::EndOfSeason),
            _ => {}
        }
        if let Some(value) = parse_relative(text) {
            return Ok(Self::Relative(value));
        }
        if let Some(value) = parse_absolute(text) {
            return Ok(Self::Absolute(value));
        }
        Err(format!("{text:?} {DATE_RULE}"))
    }

    pub fn needs_season(self) -> bool {
        matches!(self, Self::StartOfSeason | Self::EndOfSeason)
    }
}

fn parse_relative(text: &str) -> Option<Duration> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => (1, text),
    };
    let unit = rest.chars().last()?;
    let digits = &rest[..rest.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: i64 = digits.parse().ok().filter(|n| *n <= MAX_AMOUNT)?;
    let duration = match unit {
        'h' => Duration::hours(amount),
        'd' => Duration::days(amount),
        'w' => Duration::weeks(amount),
        _ => return None,
    };
    Some(duration * sign)
}

fn parse_absolute(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    let shape = b.len() == 14
        && b[2] == b'/'
        && b[5] == b'/'
        && b[8] == b' '
        && b[11] == b':'
        && [0, 1, 3, 4, 6, 7, 9, 10, 12, 13].iter().all(|&i| b[i].is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDateTime::parse_from_str(text, "%d/%m/%y %H:%M").ok()
}

/// The comfort variables of one product, as saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComfortVariables {
    pub activation: Option<ComfortValue>,
    pub start: Option<ComfortValue>,
    pub expiration: Option<ComfortValue>,
    /// `TIXRGrp`: the activation group id, ≤ 50 characters.
    pub group: Option<String>,
    /// The object as given (validated), to store and show back.
    pub raw: Map<String, Value>,
}

impl ComfortVariables {
    pub const MAX_GROUP_LEN: usize = 50;

    /// Parses `{"TIXAct": "...", "TIXStart": ..., "TIXExp": ..., "TIXRGrp": ...}`; any other
    /// key, a non-text value or a bad format is refused naming `comfortVariables.KEY`.
    pub fn parse(object: &Map<String, Value>) -> Result<Self, ComfortError> {
        let mut vars = Self { raw: object.clone(), ..Self::default() };
        for (key, value) in object {
            let field = format!("comfortVariables.{key}");
            let Some(text) = value.as_str() else {
                return Err(ComfortError::new(&field, "must be text"));
            };
            let date = || ComfortValue::parse(text).map_err(|rule| ComfortError::new(&field, rule));
            match key.as_str() {
                "TIXAct" => vars.activation = Some(date()?),
                "TIXStart" => vars.start = Some(date()?),
                "TIXExp" => vars.expiration = Some(date()?),
                "TIXRGrp" => {
                    if text.is_empty() || text.chars().count() > Self::MAX_GROUP_LEN {
                        return Err(ComfortError::new(&field, "must be 1 to 50 characters"));
                    }
                    vars.group = Some(text.to_owned());
                }
                _ => {
                    return Err(ComfortError::new(
                        &field,
                        "unknown comfort variable (known: TIXAct, TIXStart, TIXExp, TIXRGrp)",
                    ));
                }
            }
        }
        Ok(vars)
    }

    /// Parses the stored JSON text of `bo_products.comfort_variables`.
    pub fn from_json_text(text: &str) -> Result<Self, ComfortError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|err| ComfortError::new("comfortVariables", format!("is not JSON: {err}")))?;
        match value {
            Value::Object(map) => Self::parse(&map),
            _ => Err(ComfortError::new("comfortVariables", "must be a JSON object")),
        }
    }

    /// The first date variable that needs a season, with its code.
    pub fn first_needing_season(&self) -> Option<&'static str> {
        [("TIXAct", self.activation), ("TIXStart", self.start), ("TIXExp", self.expiration)]
            .into_iter()
            .find(|(_, value)| value.is_some_and(ComfortValue::needs_season))
            .map(|(code, _)| code)
    }
}

/// Turns a comfort value into an instant shown in the venue's `utc_offset`.
///
/// Relative values count from `reference` (the ticket's validity start); season values need
/// the product's season; absolute values are read in `utc_offset`.
pub fn resolve(
    value: ComfortValue,
    reference: DateTime<FixedOffset>,
    season_start: Option<DateTime<FixedOffset>>,
    season_end: Option<DateTime<FixedOffset>>,
    utc_offset: FixedOffset,
) -> Result<DateTime<FixedOffset>, ComfortError> {
    let no_season = || ComfortError::new("comfortVariables", "refers to the season but the product has none");
    let at = match value {
        ComfortValue::StartOfSeason => season_start.ok_or_else(no_season)?,
        ComfortValue::EndOfSeason => season_end.ok_or_else(no_season)?,
        ComfortValue::Relative(offset) => reference
            .checked_add_signed(offset)
            .ok_or_else(|| ComfortError::new("comfortVariables", "relative date is out of range"))?,
        ComfortValue::Absolute(local) => utc_offset
            .from_local_datetime(&local)
            .single()
            .ok_or_else(|| ComfortError::new("comfortVariables", "absolute date is out of range"))?,
    };
    Ok(at.with_timezone(&utc_offset))
}

#[cfg(test)]
mod tests;
