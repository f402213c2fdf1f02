//! The test receiver itself, driven by a hand-written SMTP client: several messages on one
//! connection, dot-unstuffing, RSET, NOOP, command order.

use std::time::Duration;

use tixbridge_mail::testing::TestSmtpServer;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

struct Client {
    read: BufReader<OwnedReadHalf>,
    write: OwnedWriteHalf,
}

impl Client {
    async fn connect(server: &TestSmtpServer) -> Self {
        let (read, write) = TcpStream::connect(server.addr()).await.unwrap().into_split();
        let mut client = Self { read: BufReader::new(read), write };
        assert!(client.reply().await.starts_with("220"));
        client
    }

    /// Reads one (possibly multi-line) reply and returns its last line.
    async fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            self.read.read_line(&mut line).await.unwrap();
            if line.as_bytes().get(3) != Some(&b'-') {
                return line.trim_end().to_owned();
            }
        }
    }

    async fn say(&mut self, command: &str) -> String {
        self.write.write_all(format!("{command}\r\n").as_bytes()).await.unwrap();
        self.reply().await
    }
}

#[tokio::test]
async fn several_messages_on_one_connection_are_recorded_with_dots_unstuffed() {
    let server = TestSmtpServer::start().await;
    let mut client = Client::connect(&server).await;
    assert!(client.say("EHLO client").await.starts_with("250"));

    for n in 1..=2 {
        assert!(client.say("MAIL FROM:<a@example.com>").await.starts_with("250"));
        assert!(client.say("RCPT TO:<b@example.com>").await.starts_with("250"));
        assert!(client.say("RCPT TO:<c@example.com>").await.starts_with("250"));
        assert!(client.say("DATA").await.starts_with("354"));
        let data = format!("Subject: message {n}\r\n\r\nline one\r\n..dotted\r\n.");
        assert!(client.say(&data).await.starts_with("250"));
    }
    assert!(client.say("NOOP").await.starts_with("250"));
    assert!(client.say("QUIT").await.starts_with("221"));

    let messages = server.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(messages[0].subject, "message 1");
    assert_eq!(messages[1].subject, "message 2");
    assert_eq!(messages[1].recipients, ["b@example.com", "c@example.com"]);
    assert_eq!(messages[1].body, "line one\n.dotted\n");
}

#[tokio::test]
async fn rset_forgets_the_envelope_and_commands_out_of_order_are_refused() {
    let server = TestSmtpServer::start().await;
    let mut client = Client::connect(&server).await;
    assert!(client.say("HELO client").await.starts_with("250"));

    assert!(client.say("RCPT TO:<b@example.com>").await.starts_with("503"));
    assert!(client.say("MAIL FROM:<a@example.com>").await.starts_with("250"));
    assert!(client.say("RCPT TO:<b@example.com>").await.starts_with("250"));
    assert!(client.say("RSET").await.starts_with("250"));
    assert!(client.say("DATA").await.starts_with("503"));
    assert!(client.say("BOGUS").await.starts_with("502"));
    assert!(client.say("QUIT").await.starts_with("221"));

    assert!(server.messages().is_empty());
}

#[tokio::test]
#[should_panic(expected = "expected 1 message(s)")]
async fn waiting_for_a_mail_that_never_comes_fails_with_the_count() {
    let server = TestSmtpServer::start().await;
    server.wait_for(1, Duration::from_millis(50)).await;
}
