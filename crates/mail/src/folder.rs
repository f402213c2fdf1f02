//! [`FolderMailer`]: without a relay, each mail becomes an `.eml` file in an outbox folder,
//! so sign-in codes and failure notices stay readable on a machine with no mail server.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use lettre::message::Mailbox;

use crate::email::parse_mailbox;
use crate::{DEFAULT_FROM, Email, MailError, Mailer, SMTP_URL_VAR, message};

/// Writes each mail as RFC 5322 text (From, To, Subject, Date, body) into `folder`.
#[derive(Debug)]
pub struct FolderMailer {
    folder: PathBuf,
    from: Mailbox,
    /// Keeps file names in sending order within one process.
    sequence: AtomicU64,
}

impl FolderMailer {
    /// The folder is created on the first mail, not here, so start-up never fails on it.
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        Self {
            folder: folder.into(),
            from: parse_mailbox(DEFAULT_FROM).expect("the default sender is a valid address"),
            sequence: AtomicU64::new(0),
        }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    fn file_name(&self) -> String {
        let now = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let n = self.sequence.fetch_add(1, Ordering::Relaxed);
        let unique = uuid::Uuid::new_v4().simple().to_string();
        format!("{now}-{n:04}-{}.eml", &unique[..8])
    }
}

#[async_trait::async_trait]
impl Mailer for FolderMailer {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let text = message::build(&self.from, email)?.formatted();
        let failed = |path: &Path| {
            let path = path.to_owned();
            move |source| MailError::Folder { path, source }
        };
        // Mails carry sign-in codes and links: the folder and each file are the owner's alone.
        let mut folder = tokio::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        folder.mode(0o700);
        folder.create(&self.folder).await.map_err(failed(&self.folder))?;
        let path = self.folder.join(self.file_name());
        // Written aside then renamed, so whoever watches the folder never reads half a mail.
        let partial = path.with_extension("eml.partial");
        let mut file = tokio::fs::OpenOptions::new();
        file.write(true).create(true).truncate(true);
        #[cfg(unix)]
        file.mode(0o600);
        let mut out = file.open(&partial).await.map_err(failed(&partial))?;
        tokio::io::AsyncWriteExt::write_all(&mut out, &text).await.map_err(failed(&partial))?;
        tokio::io::AsyncWriteExt::flush(&mut out).await.map_err(failed(&partial))?;
        drop(out);
        tokio::fs::rename(&partial, &path).await.map_err(failed(&path))?;
        tracing::debug!(path = %path.display(), "mail written to the outbox folder");
        Ok(())
    }

    fn describe(&self) -> String {
        format!("folder {}", self.folder.display())
    }

    fn startup_notice(&self) -> Option<String> {
        Some(format!("no SMTP relay configured ({SMTP_URL_VAR}); mails are written to {}", self.folder.display()))
    }
}
