//! [`Email`]: a validated plain-text message, so a bad address cannot reach a transport.

use lettre::message::Mailbox;

use crate::MailError;

/// A plain-text e-mail to one or more recipients. Built only through [`Email::new`], which
/// checks every address, so transports never see an invalid one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    to: Vec<String>,
    subject: String,
    body: String,
}

impl Email {
    /// Validates the recipients (`a@b.c` or `Name <a@b.c>`) and the subject (one line).
    /// A bad address is an error naming it.
    pub fn new(
        to: impl IntoIterator<Item = impl Into<String>>,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Result<Self, MailError> {
        let to: Vec<String> = to.into_iter().map(|a| a.into().trim().to_owned()).collect();
        if to.is_empty() {
            return Err(MailError::InvalidEmail("no recipient".into()));
        }
        for address in &to {
            parse_mailbox(address)?;
        }
        let subject = subject.into();
        if subject.contains(['\r', '\n']) {
            return Err(MailError::InvalidEmail("the subject must be a single line".into()));
        }
        Ok(Self { to, subject, body: body.into() })
    }

    pub fn to(&self) -> &[String] {
        &self.to
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub fn body(&self) -> &str {
        &self.body
    }
}

/// Parses one address, naming it in the error.
pub(crate) fn parse_mailbox(address: &str) -> Result<Mailbox, MailError> {
    address
        .parse::<Mailbox>()
        .map_err(|e| MailError::InvalidAddress { address: address.to_owned(), reason: e.to_string() })
}
