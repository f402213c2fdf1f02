//! The one error type of the mail crate.

use std::path::PathBuf;

/// Why a mail could not be built, configured or delivered. Messages never contain a password.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A recipient or sender address that is not a valid mailbox.
    #[error("invalid e-mail address {address:?}: {reason}")]
    InvalidAddress { address: String, reason: String },
    /// A mail that cannot be sent as given (no recipient, line break in the subject...).
    #[error("invalid e-mail: {0}")]
    InvalidEmail(String),
    /// The mail configuration (environment variable `var`) cannot be used.
    #[error("{var} is invalid: {problem}")]
    Config { var: &'static str, problem: String },
    /// The relay refused the mail or could not be reached; includes its reply.
    #[error("SMTP relay {relay} did not accept the mail: {reason}")]
    Relay { relay: String, reason: String },
    /// The outbox folder could not be written.
    #[error("cannot write mail to {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
