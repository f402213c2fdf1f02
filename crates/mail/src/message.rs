//! Turns an [`Email`] into RFC 5322 text, shared by the SMTP and the folder transports so
//! both produce the same message.

use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;

use crate::email::parse_mailbox;
use crate::{Email, MailError};

/// Builds the lettre message (adds Date, Message-ID and MIME headers).
pub(crate) fn build(from: &Mailbox, email: &Email) -> Result<Message, MailError> {
    let mut builder = Message::builder().from(from.clone()).subject(email.subject()).header(ContentType::TEXT_PLAIN);
    for to in email.to() {
        builder = builder.to(parse_mailbox(to)?);
    }
    builder.body(email.body().to_owned()).map_err(|e| MailError::InvalidEmail(e.to_string()))
}
