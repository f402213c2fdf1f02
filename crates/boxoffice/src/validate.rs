//! Field checks shared by every resource: each refusal names the field and the rule.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::BoxOfficeError;

/// A code: 1–64 characters of letters, digits and `_ - .`.
pub(crate) fn code(field: &str, value: &str) -> Result<String, BoxOfficeError> {
    let value = value.trim();
    let ok = !value.is_empty()
        && value.len() <= 64
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(BoxOfficeError::invalid(field, "must be 1 to 64 characters of letters, digits, _ - ."))
    }
}

/// Required text of at most `max` characters.
pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<String, BoxOfficeError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(BoxOfficeError::invalid(field, format!("must be 1 to {max} characters")));
    }
    Ok(value.to_owned())
}

/// Optional text: blank becomes `None`.
pub(crate) fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, BoxOfficeError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => text(field, value, max).map(Some),
    }
}

/// An RFC 3339 date-time with its offset, kept as given.
pub(crate) fn local_time(field: &str, value: &str) -> Result<(String, DateTime<FixedOffset>), BoxOfficeError> {
    let value = value.trim();
    DateTime::parse_from_rfc3339(value).map(|at| (value.to_owned(), at)).map_err(|_| {
        BoxOfficeError::invalid(field, "must be an RFC 3339 date-time with offset, e.g. 2026-06-14T21:00:00+02:00")
    })
}

/// `YYYY-MM-DD`.
pub(crate) fn date(field: &str, value: Option<&str>) -> Result<Option<String>, BoxOfficeError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .filter(|_| value.len() == 10)
            .map(|_| Some(value.to_owned()))
            .ok_or_else(|| BoxOfficeError::invalid(field, "must be a date YYYY-MM-DD")),
    }
}

/// An e-mail address, lower-cased, ≤ 256 characters.
pub(crate) fn email(field: &str, value: Option<&str>) -> Result<Option<String>, BoxOfficeError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => {
            let at = value.find('@');
            let ok = value.len() <= 256
                && at.is_some_and(|i| i > 0 && i + 1 < value.len())
                && !value.chars().any(char::is_whitespace);
            if ok {
                Ok(Some(value.to_lowercase()))
            } else {
                Err(BoxOfficeError::invalid(field, "must be an e-mail address of at most 256 characters"))
            }
        }
    }
}

/// An optional capacity: a whole number from 1 to [`crate::capacity::MAX_CAPACITY`].
pub(crate) fn capacity(field: &str, value: Option<i64>) -> Result<Option<i64>, BoxOfficeError> {
    match value {
        Some(n) if !(1..=crate::capacity::MAX_CAPACITY).contains(&n) => {
            Err(BoxOfficeError::invalid(field, "must be a whole number from 1 to 1,000,000"))
        }
        other => Ok(other),
    }
}

/// Checks of several fields taken together: every field is checked, and a refusal lists
/// every bad one (`errors` of docs/errors.md), not the first. Implemented for tuples of
/// results: `let (code, name) = (validate::code(…), validate::text(…)).all_valid()?;`.
pub(crate) trait AllValid {
    type Output;
    fn all_valid(self) -> Result<Self::Output, BoxOfficeError>;
}

macro_rules! all_valid_for_tuple {
    ($($t:ident $v:ident),+) => {
        impl<$($t),+> AllValid for ($(Result<$t, BoxOfficeError>,)+) {
            type Output = ($($t,)+);
            fn all_valid(self) -> Result<Self::Output, BoxOfficeError> {
                let ($($v,)+) = self;
                match ($($v,)+) {
                    ($(Ok($v),)+) => Ok(($($v,)+)),
                    ($($v,)+) => Err(BoxOfficeError::all([$($v.err(),)+].into_iter().flatten().collect())),
                }
            }
        }
    };
}

all_valid_for_tuple!(A a, B b);
all_valid_for_tuple!(A a, B b, C c);
all_valid_for_tuple!(A a, B b, C c, D d);
all_valid_for_tuple!(A a, B b, C c, D d, E e);
all_valid_for_tuple!(A a, B b, C c, D d, E e, F f);
all_valid_for_tuple!(A a, B b, C c, D d, E e, F f, G g);
all_valid_for_tuple!(A a, B b, C c, D d, E e, F f, G g, H h);
