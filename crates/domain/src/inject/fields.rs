//! Path-aware readers over a JSON object, so every refusal names the full field path
//! (`event.address.site`) and the rule.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{Map, Value};

use super::Rejection;

/// A JSON object and the path that leads to it.
pub(super) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    pub fn root(value: &'a Value) -> Result<Self, Rejection> {
        match value {
            Value::Object(map) => Ok(Self { map, path: String::new() }),
            _ => Err(Rejection::new("ticket", "must be a JSON object")),
        }
    }

    pub fn map(&self) -> &'a Map<String, Value> {
        self.map
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }

    pub fn rejection(&self, key: &str, rule: impl Into<String>) -> Rejection {
        Rejection::new(self.path_of(key), rule)
    }

    /// The value at `key`, treating JSON `null` as absent.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn required_obj(&self, key: &str) -> Result<Obj<'a>, Rejection> {
        self.optional_obj(key)?.ok_or_else(|| self.rejection(key, "is required"))
    }

    pub fn optional_obj(&self, key: &str) -> Result<Option<Obj<'a>>, Rejection> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj { map, path: self.path_of(key) })),
            Some(_) => Err(self.rejection(key, "must be an object")),
        }
    }

    pub fn required_str(&self, key: &str, max_chars: usize) -> Result<&'a str, Rejection> {
        match self.optional_str(key, max_chars)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(self.rejection(key, "must not be empty")),
            None => Err(self.rejection(key, "is required")),
        }
    }

    /// The string at `key`, borrowed: a batch checks thousands of them and keeps few.
    pub fn optional_str(&self, key: &str, max_chars: usize) -> Result<Option<&'a str>, Rejection> {
        match self.get(key) {
            None => Ok(None),
            // no more bytes than the limit means no more characters either
            Some(Value::String(s)) if s.len() <= max_chars => Ok(Some(s)),
            Some(Value::String(s)) => {
                let len = s.chars().count();
                if len > max_chars {
                    Err(self.rejection(key, format!("at most {max_chars} characters (got {len})")))
                } else {
                    Ok(Some(s))
                }
            }
            Some(_) => Err(self.rejection(key, "must be a string")),
        }
    }

    /// Text the wallet shows: a string, or a multilingual object `{"en": "…", "fr": "…"}` whose
    /// keys are language codes and whose every text keeps to `max_chars`. Returns the text to
    /// display where one language is needed: English when given, else the first language in
    /// alphabetical order.
    pub fn optional_text(&self, key: &str, max_chars: usize) -> Result<Option<&'a str>, Rejection> {
        let Some(Value::Object(languages)) = self.get(key) else {
            return self.optional_str(key, max_chars).map_err(|_| self.text_rule(key, max_chars));
        };
        if languages.is_empty() {
            return Err(self.rejection(key, "a multilingual object needs at least one language"));
        }
        let texts = Obj { map: languages, path: self.path_of(key) };
        for language in languages.keys() {
            if !is_language_code(language) {
                return Err(texts.rejection(language, "is not a language code (e.g. en, fr, pt-BR)"));
            }
            texts.optional_str(language, max_chars).map_err(|_| texts.text_rule(language, max_chars))?;
        }
        let first = || languages.iter().min_by_key(|(language, _)| language.as_str()).map(|(_, text)| text);
        let shown = languages.get("en").or_else(first);
        Ok(shown.and_then(Value::as_str))
    }

    /// Like [`optional_text`](Self::optional_text), required and not blank.
    pub fn required_text(&self, key: &str, max_chars: usize) -> Result<&'a str, Rejection> {
        match self.optional_text(key, max_chars)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(self.rejection(key, "must not be empty")),
            None => Err(self.rejection(key, "is required")),
        }
    }

    fn text_rule(&self, key: &str, max_chars: usize) -> Rejection {
        let got = match self.get(key) {
            Some(Value::String(s)) => format!(" (got {} characters)", s.chars().count()),
            _ => String::new(),
        };
        self.rejection(key, format!("must be text of at most {max_chars} characters or a multilingual object{got}"))
    }

    pub fn optional_bool(&self, key: &str) -> Result<Option<bool>, Rejection> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.rejection(key, "must be true or false")),
        }
    }

    pub fn optional_one_of(&self, key: &str, allowed: &[&str]) -> Result<(), Rejection> {
        match self.optional_str(key, 64)? {
            Some(v) if !allowed.contains(&v) => {
                Err(self.rejection(key, format!("must be one of {}", allowed.join("|"))))
            }
            _ => Ok(()),
        }
    }

    pub fn required_datetime(&self, key: &str) -> Result<(&'a str, DateTime<FixedOffset>), Rejection> {
        self.optional_datetime(key)?.ok_or_else(|| self.rejection(key, "is required"))
    }

    pub fn optional_datetime(&self, key: &str) -> Result<Option<(&'a str, DateTime<FixedOffset>)>, Rejection> {
        let Some(text) = self.optional_str(key, 64)? else { return Ok(None) };
        DateTime::parse_from_rfc3339(text).map(|at| Some((text, at))).map_err(|_| {
            self.rejection(key, "must be an RFC 3339 date-time with offset, e.g. 2026-06-14T21:00:00+02:00")
        })
    }

    pub fn optional_date(&self, key: &str) -> Result<(), Rejection> {
        if let Some(text) = self.optional_str(key, 32)? {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| self.rejection(key, "must be a date YYYY-MM-DD"))?;
        }
        Ok(())
    }

    pub fn optional_number(&self, key: &str) -> Result<(), Rejection> {
        match self.get(key) {
            None | Some(Value::Number(_)) => Ok(()),
            Some(Value::String(s)) if s.trim().parse::<f64>().is_ok() => Ok(()),
            Some(_) => Err(self.rejection(key, "must be a number")),
        }
    }

    /// Identifiers from the box office may come as numbers or strings.
    pub fn optional_id(&self, key: &str) -> Result<(), Rejection> {
        match self.get(key) {
            None | Some(Value::Number(_)) => Ok(()),
            Some(Value::String(s)) if s.chars().count() <= 256 => Ok(()),
            Some(Value::String(_)) => Err(self.rejection(key, "at most 256 characters")),
            Some(_) => Err(self.rejection(key, "must be a string or a number")),
        }
    }

    /// `ticketDetails.main` and friends: a list of `{ "key": …, "value": … }` objects.
    pub fn optional_key_value_list(&self, key: &str) -> Result<(), Rejection> {
        let Some(value) = self.get(key) else { return Ok(()) };
        let Value::Array(items) = value else {
            return Err(self.rejection(key, "must be a list of {key, value} objects"));
        };
        for (i, item) in items.iter().enumerate() {
            let path = format!("{}[{i}]", self.path_of(key));
            let Value::Object(map) = item else {
                return Err(Rejection::new(path, "must be a {key, value} object"));
            };
            let entry = Obj { map, path };
            entry.required_str("key", 256)?;
            entry.optional_text("value", 2048)?;
        }
        Ok(())
    }
}

/// `en`, `fr`, `pt-BR`: two or three lower-case letters, optionally a region or script of
/// two to eight letters or digits.
fn is_language_code(code: &str) -> bool {
    let (language, region) = match code.split_once('-') {
        Some((language, region)) => (language, Some(region)),
        None => (code, None),
    };
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| (2..=8).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}
