//! Outgoing e-mail: the interface's failure notices and the spectator wallet's sign-in codes.
//!
//! Callers hold an `Arc<dyn Mailer>` chosen once at start-up by [`mailer_from_env`]: an
//! [`SmtpMailer`] when `TIXBRIDGE_SMTP_URL` names a relay, otherwise a [`FolderMailer`] that
//! writes `.eml` files, so a fresh install works without any mail server. With the
//! `test-server` feature, [`testing::TestSmtpServer`] is a real SMTP receiver for tests.

mod email;
mod env;
mod error;
mod folder;
mod message;
mod smtp;
#[cfg(feature = "test-server")]
pub mod testing;

pub use email::Email;
pub use env::{DEFAULT_MAIL_FOLDER, MAIL_FOLDER_VAR, SMTP_URL_VAR, mailer_from_env, mailer_from_url};
pub use error::MailError;
pub use folder::FolderMailer;
pub use smtp::{DEFAULT_FROM, SmtpMailer};

/// Sends one e-mail. Object safe, so the application wires one `Arc<dyn Mailer>` at start-up.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers `email` (to the relay, or to the folder). An error means it was not accepted.
    async fn send(&self, email: &Email) -> Result<(), MailError>;

    /// Where mail goes, for logs and the admin page; never contains a password.
    fn describe(&self) -> String;

    /// A warning the caller logs once at start-up, when mail does not leave the machine.
    fn startup_notice(&self) -> Option<String> {
        None
    }
}
