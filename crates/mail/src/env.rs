//! Chooses the mailer at start-up from the environment.

use std::path::PathBuf;
use std::sync::Arc;

use crate::{FolderMailer, MailError, Mailer, SmtpMailer};

/// The relay URL: `smtp://[user:pass@]host:port[?from=addr]`. Unset or empty: no relay.
pub const SMTP_URL_VAR: &str = "TIXBRIDGE_SMTP_URL";
/// The outbox folder used when there is no relay.
pub const MAIL_FOLDER_VAR: &str = "TIXBRIDGE_MAIL_FOLDER";
/// The outbox folder when `TIXBRIDGE_MAIL_FOLDER` is unset.
pub const DEFAULT_MAIL_FOLDER: &str = "./mail-outbox";

/// Reads `TIXBRIDGE_SMTP_URL` and `TIXBRIDGE_MAIL_FOLDER`. Log
/// [`Mailer::startup_notice`] once after calling it.
pub fn mailer_from_env() -> Result<Arc<dyn Mailer>, MailError> {
    let url = non_empty_var(SMTP_URL_VAR)?;
    let folder = non_empty_var(MAIL_FOLDER_VAR)?.unwrap_or_else(|| DEFAULT_MAIL_FOLDER.into());
    mailer_from_url(url.as_deref(), folder)
}

/// An [`SmtpMailer`] for `Some(url)`, else a [`FolderMailer`] writing into `folder`.
pub fn mailer_from_url(url: Option<&str>, folder: impl Into<PathBuf>) -> Result<Arc<dyn Mailer>, MailError> {
    match url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => Ok(Arc::new(SmtpMailer::from_url(url)?)),
        None => Ok(Arc::new(FolderMailer::new(folder))),
    }
}

fn non_empty_var(var: &'static str) -> Result<Option<String>, MailError> {
    match std::env::var(var) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(MailError::Config { var, problem: "not valid UTF-8".into() }),
    }
}
