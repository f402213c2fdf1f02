//! One SMTP conversation on the test receiver: enough of RFC 5321 for lettre and for
//! hand-written clients (several messages per connection, RSET, NOOP, AUTH PLAIN).

use std::sync::Arc;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::parse::ReceivedMessage;
use super::{Behaviour, Inbox};

/// Larger messages are refused rather than buffered without end.
const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// The envelope being built between `MAIL FROM` and the end of `DATA`.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    recipients: Vec<String>,
}

/// Serves one connection until QUIT or until the client goes away; I/O errors just end it.
pub(crate) async fn serve(stream: TcpStream, behaviour: Behaviour, inbox: Arc<Inbox>) {
    let _ = converse(stream, behaviour, &inbox).await;
}

/// Holds a connection without a word until the client goes away.
pub(crate) async fn stay_silent(mut stream: TcpStream) {
    let mut sink = [0_u8; 1024];
    while let Ok(1..) = tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await {}
}

async fn converse(stream: TcpStream, behaviour: Behaviour, inbox: &Inbox) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut envelope = Envelope::default();
    let mut auth_user: Option<String> = None;
    write.write_all(b"220 tixbridge-test ESMTP ready\r\n").await?;

    while let Some(line) = read_line(&mut lines).await? {
        let (verb, arg) = match line.split_once(' ') {
            Some((verb, arg)) => (verb.to_ascii_uppercase(), arg.trim()),
            None => (line.to_ascii_uppercase(), ""),
        };
        let reply: String = match verb.as_str() {
            "EHLO" => {
                envelope = Envelope::default();
                "250-tixbridge-test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-AUTH PLAIN\r\n250 OK".into()
            }
            "HELO" => {
                envelope = Envelope::default();
                "250 tixbridge-test".into()
            }
            "AUTH" => {
                let mut parts = arg.split_whitespace();
                let mechanism = parts.next().unwrap_or("").to_ascii_uppercase();
                let initial = match parts.next() {
                    Some(initial) => Some(initial.to_owned()),
                    None if mechanism == "PLAIN" => {
                        write.write_all(b"334 \r\n").await?;
                        read_line(&mut lines).await?
                    }
                    None => None,
                };
                match initial.filter(|_| mechanism == "PLAIN").and_then(plain_user) {
                    Some(user) => {
                        auth_user = Some(user);
                        "235 2.7.0 Authentication successful".into()
                    }
                    None => "535 5.7.8 Authentication failed".into(),
                }
            }
            "MAIL" => match address_after(arg, "FROM:") {
                Some(from) => {
                    envelope = Envelope { from: Some(from), recipients: Vec::new() };
                    "250 2.1.0 OK".into()
                }
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".into(),
            },
            "RCPT" => match (&envelope.from, address_after(arg, "TO:")) {
                (None, _) => "503 5.5.1 MAIL first".into(),
                (Some(_), None) => "501 5.5.4 Syntax: RCPT TO:<address>".into(),
                (Some(_), Some(_)) if behaviour == Behaviour::RefuseRecipients => {
                    "554 5.7.1 Relay access denied by test server".into()
                }
                (Some(_), Some(to)) => {
                    envelope.recipients.push(to);
                    "250 2.1.5 OK".into()
                }
            },
            "DATA" if envelope.recipients.is_empty() => "503 5.5.1 RCPT first".into(),
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let Some(data) = read_data(&mut lines).await? else {
                    return Ok(());
                };
                let envelope = std::mem::take(&mut envelope);
                if data.len() > MAX_MESSAGE_BYTES {
                    "552 5.3.4 Message too big".into()
                } else {
                    let from = envelope.from.unwrap_or_default();
                    let message = ReceivedMessage::parse(from, envelope.recipients, auth_user.clone(), data);
                    inbox.push(message);
                    "250 2.0.0 OK queued".into()
                }
            }
            "RSET" => {
                envelope = Envelope::default();
                "250 2.0.0 OK".into()
            }
            "NOOP" => "250 2.0.0 OK".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not recognized".into(),
        };
        // One write per reply: a split write meets Nagle and delayed ACK (40 ms a command).
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}

/// One line without its CRLF (a bare LF is accepted too); `None` at end of stream.
async fn read_line(lines: &mut (impl AsyncBufReadExt + Unpin)) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    if lines.read_until(b'\n', &mut buf).await? == 0 {
        return Ok(None);
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// The DATA section up to the lone `.`, dot-unstuffed, lines joined with CRLF.
async fn read_data(lines: &mut (impl AsyncBufReadExt + Unpin)) -> std::io::Result<Option<String>> {
    let mut data = String::new();
    while let Some(line) = read_line(lines).await? {
        if line == "." {
            return Ok(Some(data));
        }
        if data.len() <= MAX_MESSAGE_BYTES {
            data.push_str(line.strip_prefix('.').unwrap_or(&line));
            data.push_str("\r\n");
        }
    }
    Ok(None)
}

/// `FROM:<a@b> BODY=8BITMIME` → `a@b` (the null sender `<>` gives an empty string).
fn address_after(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// AUTH PLAIN: base64 of `authzid \0 user \0 password`; any password is accepted.
fn plain_user(initial: String) -> Option<String> {
    let decoded = base64::engine::general_purpose::STANDARD.decode(initial.trim()).ok()?;
    let mut fields = decoded.split(|b| *b == 0);
    let _authzid = fields.next()?;
    let user = fields.next()?;
    fields.next()?;
    Some(String::from_utf8_lossy(user).into_owned())
}
