//! The configuration file: an optional `tixbridge.toml` in the current folder, or the one
//! `--config FILE` names, holding any setting otherwise given by a `TIXBRIDGE_*` variable.
//! A variable that is set wins over the file; a command-line flag wins over both. A file with
//! an unknown key or a value that breaks its rule stops the process before it does anything,
//! naming the key and the rule. See docs/configuration.md.

pub mod cli;
pub mod keys;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, bail};

pub use keys::{KEYS, Key, Kind};

/// The file read when `--config` is not given (when it exists).
pub const DEFAULT_FILE: &str = "tixbridge.toml";

/// The values of the configuration file, as text, by key name.
#[derive(Debug, Default, Clone)]
pub struct Settings {
    /// The file they came from; `None` when there is none.
    pub file: Option<PathBuf>,
    values: BTreeMap<&'static str, String>,
}

/// Where a setting's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Environment(&'static str),
    File(PathBuf),
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Environment(var) => write!(f, "environment {var}"),
            Self::File(file) => write!(f, "file {}", file.display()),
            Self::Default => write!(f, "default"),
        }
    }
}

static INSTALLED: OnceLock<Settings> = OnceLock::new();

impl Settings {
    /// Reads `explicit` (which must exist), else `tixbridge.toml` in the current folder if
    /// there is one, else nothing.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Self> {
        let file = match explicit {
            Some(file) => file.to_owned(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Self::default()),
        };
        let text =
            std::fs::read_to_string(&file).with_context(|| format!("reading configuration file {}", file.display()))?;
        Self::parse(&text, file.clone()).with_context(|| format!("configuration file {}", file.display()))
    }

    /// The settings `text` (TOML) gives, every key known and every value following its rule.
    pub fn parse(text: &str, file: PathBuf) -> anyhow::Result<Self> {
        let table: toml::Table = toml::from_str(text).map_err(|err| anyhow::anyhow!("not TOML: {}", err.message()))?;
        let mut values = BTreeMap::new();
        for (name, value) in &table {
            let Some(key) = keys::by_name(name) else {
                let known: Vec<_> = KEYS.iter().filter(|k| k.name != "server_key").map(|k| k.name).collect();
                bail!("key {name}: unknown key (known keys: {})", known.join(", "));
            };
            if key.name == "server_key" {
                bail!(
                    "key server_key: the server key is never kept in the configuration file; set \
                     TIXBRIDGE_SERVER_KEY or name its file with server_key_file"
                );
            }
            let text = as_text(key, value).map_err(|rule| anyhow::anyhow!("key {name}: {rule}"))?;
            (key.check)(&text).map_err(|rule| anyhow::anyhow!("key {name}: {rule}"))?;
            values.insert(key.name, text);
        }
        Ok(Self { file: Some(file), values })
    }

    /// Makes these the settings [`value`] reads for the rest of the process (once).
    pub fn install(self) {
        let _ = INSTALLED.set(self);
    }

    /// The effective value of `key` and where it comes from: its variable when set and not
    /// blank, else the file, else the default (`None` when the default is "unset").
    pub fn resolve(&self, key: &Key) -> (Option<String>, Source) {
        if let Some(var) = key.var
            && let Ok(value) = std::env::var(var)
            && !value.trim().is_empty()
        {
            return (Some(value), Source::Environment(var));
        }
        if let (Some(value), Some(file)) = (self.values.get(key.name), &self.file) {
            return (Some(value.clone()), Source::File(file.clone()));
        }
        (Some(key.default.to_owned()).filter(|d| !d.is_empty()), Source::Default)
    }

    /// The file's value of `key`, if it gives one.
    pub fn file_value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
}

/// The value of the setting overridden by `var`: the variable, else the installed file's value
/// (the variable alone when no file was installed, as in tests that build the app directly).
pub fn value(var: &str) -> Option<String> {
    let Some(key) = keys::by_var(var) else {
        return std::env::var(var).ok().filter(|v| !v.trim().is_empty());
    };
    let settings = INSTALLED.get().cloned().unwrap_or_default();
    match settings.resolve(key) {
        (value, Source::Environment(_) | Source::File(_)) => value,
        (_, Source::Default) => None,
    }
}

/// A value as `config check` shows it: a URL's password masked, a secret without a URL whole.
pub fn masked(key: &Key, value: &str) -> String {
    if !key.secret {
        value.to_owned()
    } else if value.contains("://") {
        crate::app::redact_url(value)
    } else {
        "********".to_owned()
    }
}

/// A TOML value as the text its variable would hold.
fn as_text(key: &Key, value: &toml::Value) -> Result<String, String> {
    match (key.kind, value) {
        (Kind::Text, toml::Value::String(text)) => Ok(text.clone()),
        (Kind::Seconds, toml::Value::Integer(seconds)) => Ok(seconds.to_string()),
        (Kind::List, toml::Value::String(text)) => Ok(text.clone()),
        (Kind::List, toml::Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(|| "must be a list of strings".to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map(|items| items.join(",")),
        (Kind::Text, _) => Err("must be a string".into()),
        (Kind::Seconds, _) => Err("must be a whole number of seconds, at least 1 (a number, not a string)".into()),
        (Kind::List, _) => Err("must be a string or a list of strings".into()),
    }
}
