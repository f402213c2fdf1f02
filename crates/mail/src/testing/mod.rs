//! A real SMTP receiver on 127.0.0.1 for tests (feature `test-server`): the mailer under
//! test talks real SMTP to it, and the test reads back what arrived.
//!
//! ```
//! # use std::time::Duration;
//! # use tixbridge_mail::{testing::TestSmtpServer, Email, mailer_from_url};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tixbridge_mail::MailError> {
//! let server = TestSmtpServer::start().await;
//! let mailer = mailer_from_url(Some(&server.url()), "unused")?;
//! mailer.send(&Email::new(["ops@example.com"], "Run 12 failed", "timeout")?).await?;
//! let mails = server.wait_for(1, Duration::from_secs(5)).await;
//! assert_eq!(mails[0].subject, "Run 12 failed");
//! # Ok(())
//! # }
//! ```

mod parse;
mod session;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use parse::ReceivedMessage;

/// How the receiver answers, to test both a working and a failing relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    Accept,
    /// Every `RCPT TO` gets `554`, as a relay refusing to relay.
    RefuseRecipients,
    /// Connections are accepted and never answered, as a hung relay.
    Silent,
    /// Connections are closed at once, as a relay that is down.
    Down,
}

/// What the connections share: the messages and a counter that wakes [`TestSmtpServer::wait_for`].
pub(crate) struct Inbox {
    messages: Mutex<Vec<ReceivedMessage>>,
    count: watch::Sender<usize>,
}

impl Inbox {
    pub(crate) fn push(&self, message: ReceivedMessage) {
        let mut messages = self.messages.lock().unwrap();
        messages.push(message);
        self.count.send_replace(messages.len());
    }
}

/// The receiver; stops accepting when dropped.
pub struct TestSmtpServer {
    addr: SocketAddr,
    inbox: Arc<Inbox>,
    /// How new connections are answered; switched by [`TestSmtpServer::go_silent`] and co.
    behaviour: Arc<Mutex<Behaviour>>,
    accept_loop: JoinHandle<()>,
}

impl TestSmtpServer {
    /// Binds 127.0.0.1 on a free port and accepts every mail.
    pub async fn start() -> Self {
        Self::spawn(Behaviour::Accept).await
    }

    /// Binds like [`start`](Self::start) but answers `554` to every recipient, so no mail
    /// is ever accepted.
    pub async fn start_refusing() -> Self {
        Self::spawn(Behaviour::RefuseRecipients).await
    }

    async fn spawn(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the test SMTP server on 127.0.0.1");
        let addr = listener.local_addr().expect("test SMTP server address");
        let inbox = Arc::new(Inbox { messages: Mutex::new(Vec::new()), count: watch::Sender::new(0) });
        let behaviour = Arc::new(Mutex::new(behaviour));
        let (shared, now) = (inbox.clone(), behaviour.clone());
        let accept_loop = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let behaviour = *now.lock().unwrap();
                match behaviour {
                    Behaviour::Down => drop(stream),
                    Behaviour::Silent => {
                        tokio::spawn(session::stay_silent(stream));
                    }
                    Behaviour::Accept | Behaviour::RefuseRecipients => {
                        tokio::spawn(session::serve(stream, behaviour, shared.clone()));
                    }
                }
            }
        });
        Self { addr, inbox, behaviour, accept_loop }
    }

    /// From now on, accepts connections and never says a word (a hung relay): a client
    /// waits until its own timeout.
    pub fn go_silent(&self) {
        *self.behaviour.lock().unwrap() = Behaviour::Silent;
    }

    /// From now on, closes every connection at once (a relay that is down).
    pub fn go_down(&self) {
        *self.behaviour.lock().unwrap() = Behaviour::Down;
    }

    /// From now on, accepts every mail again (connections already held silent stay so).
    pub fn come_back(&self) {
        *self.behaviour.lock().unwrap() = Behaviour::Accept;
    }

    /// `smtp://127.0.0.1:PORT`, ready for `TIXBRIDGE_SMTP_URL` or `mailer_from_url`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every message received so far, in arrival order.
    pub fn messages(&self) -> Vec<ReceivedMessage> {
        self.inbox.messages.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages arrived and returns them all; panics after
    /// `timeout`, saying how many did arrive.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMessage> {
        let mut count = self.inbox.count.subscribe();
        let arrived = tokio::time::timeout(timeout, count.wait_for(|c| *c >= n)).await.is_ok();
        if !arrived {
            let got = self.inbox.messages.lock().unwrap().len();
            panic!("test SMTP server: expected {n} message(s) within {timeout:?}, got {got}");
        }
        self.messages()
    }
}

impl Drop for TestSmtpServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}
