//! Where log lines go and what they look like (docs/observability.md): standard error,
//! filtered by `TIXBRIDGE_LOG` (default `info,sqlx=warn`); readable text, coloured only when
//! standard error is a terminal (and `NO_COLOR` is unset), or one JSON object per line with
//! `TIXBRIDGE_LOG_FORMAT=json` for a log collector.

use std::io::IsTerminal;

use anyhow::bail;
use tracing_subscriber::EnvFilter;

/// The environment variable choosing the log format: `text` (default) or `json`.
pub const LOG_FORMAT_VAR: &str = "TIXBRIDGE_LOG_FORMAT";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// Reads [`LOG_FORMAT_VAR`]; an unknown value is an error naming the variable.
    pub fn from_env() -> anyhow::Result<Self> {
        match crate::settings::value(LOG_FORMAT_VAR).unwrap_or_default().trim().to_ascii_lowercase().as_str() {
            "" | "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => bail!("{LOG_FORMAT_VAR}: {other:?} is not a log format (text or json)"),
        }
    }
}

/// Installs the process's log subscriber; call once, first thing in `main`.
pub fn init() -> anyhow::Result<()> {
    let format = LogFormat::from_env()?;
    let filter = crate::settings::value("TIXBRIDGE_LOG")
        .and_then(|filter| EnvFilter::try_new(filter).ok())
        .unwrap_or_else(|| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).with_span_list(false).try_init(),
        LogFormat::Text => {
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            builder.with_ansi(colour).try_init()
        }
    }
    .map_err(|err| anyhow::anyhow!("installing the log subscriber: {err}"))
}
