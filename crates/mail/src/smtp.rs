//! [`SmtpMailer`]: delivery to a relay named by `smtp://[user:pass@]host:port[?from=addr]`.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use percent_encoding::percent_decode_str;
use url::Url;

use crate::email::parse_mailbox;
use crate::{Email, MailError, Mailer, SMTP_URL_VAR, message};

/// Sender used when the URL has no `?from=`.
pub const DEFAULT_FROM: &str = "tixbridge@localhost";

/// Bound on each network step (connect, each reply), so a stuck relay cannot hold a run.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound on a whole delivery, for a relay that answers, but slowly.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends through a plain-SMTP relay (no TLS: meant for a local relay or a loopback test
/// server), with optional AUTH. One short SMTP session per mail.
#[derive(Clone)]
pub struct SmtpMailer {
    host: String,
    port: u16,
    user: Option<String>,
    has_password: bool,
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    /// Parses the relay URL. Errors name `TIXBRIDGE_SMTP_URL` and the problem, never the
    /// URL itself (it may hold a password).
    pub fn from_url(raw: &str) -> Result<Self, MailError> {
        let url = Url::parse(raw.trim()).map_err(|e| config(format!("not a URL ({e})")))?;
        match url.scheme() {
            "smtp" => {}
            "smtps" => {
                return Err(config("smtps:// needs TLS, which this build does not include; use smtp://".into()));
            }
            _ => {
                return Err(config("must start with smtp://, as in smtp://user:pass@relay.example.com:25".into()));
            }
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| config("no host".into()))?;
        // `Url` keeps IPv6 hosts bracketed; the socket address wants them bare.
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let port = url.port().unwrap_or(25);
        if url.path() != "" && url.path() != "/" {
            return Err(config(format!("unexpected path {:?}", url.path())));
        }
        let from = from_param(&url)?;
        let user = Some(decode(url.username())).filter(|u| !u.is_empty());
        let password = url.password().map(decode);
        if password.is_some() && user.is_none() {
            return Err(config("a password without a user name".into()));
        }

        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(port)
            .timeout(Some(STEP_TIMEOUT));
        if let Some(user) = &user {
            let credentials = Credentials::new(user.clone(), password.clone().unwrap_or_default());
            builder = builder.credentials(credentials);
        }
        Ok(Self { host, port, user, has_password: password.is_some(), from, transport: builder.build() })
    }

    fn relay(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

fn config(problem: String) -> MailError {
    MailError::Config { var: SMTP_URL_VAR, problem }
}

fn decode(part: &str) -> String {
    percent_decode_str(part).decode_utf8_lossy().into_owned()
}

/// Reads `?from=`; any other parameter is refused so a typo does not go unnoticed.
fn from_param(url: &Url) -> Result<Mailbox, MailError> {
    let mut from = None;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "from" => from = Some(value.into_owned()),
            other => return Err(config(format!("unknown parameter {other:?} (only from=)"))),
        }
    }
    parse_mailbox(from.as_deref().unwrap_or(DEFAULT_FROM)).map_err(|e| config(format!("from: {e}")))
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let message = message::build(&self.from, email)?;
        let refused = |reason: String| MailError::Relay { relay: self.relay(), reason };
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(e)) => Err(refused(e.to_string())),
            Err(_) => Err(refused(format!("no answer within {SEND_TIMEOUT:?}"))),
        }
    }

    fn describe(&self) -> String {
        let auth = match (&self.user, self.has_password) {
            (Some(user), true) => format!("{user}:***@"),
            (Some(user), false) => format!("{user}@"),
            (None, _) => String::new(),
        };
        format!("SMTP relay smtp://{auth}{}:{} (from {})", self.host, self.port, self.from)
    }
}

/// Hand-written so the transport (which holds the credentials) is never printed.
impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
