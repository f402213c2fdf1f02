//! Sending a body one byte over a limit, and reading the refusal every time. A client that
//! writes a large body while the server has already answered 413 and closed races the close
//! (a broken pipe, or a reset that drops the answer). Announcing the body with
//! `Expect: 100-continue` lets the server answer from `Content-Length` alone, which it does: the
//! body is only sent if the server asks for it with `100 Continue`.

use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// POSTs `length` bytes of `content_type` to `path` at `addr` with `headers`; the status, the
/// response headers (lower-cased names) and the JSON answer.
pub async fn post_oversized(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    content_type: &str,
    length: usize,
) -> (StatusCode, Vec<(String, String)>, Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nExpect: 100-continue\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let read = stream.read(&mut buffer).await.unwrap_or(0);
        if read == 0 {
            break;
        }
        received.extend_from_slice(&buffer[..read]);
        if received.starts_with(b"HTTP/1.1 100") && received.windows(4).any(|w| w == b"\r\n\r\n") {
            let end = received.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            received.drain(..end);
            // asked for the body after all: send it; a refusal may close the connection mid-way
            let _ = stream.write_all(&vec![b' '; length]).await;
        }
    }
    parse_response(&received)
}

fn parse_response(bytes: &[u8]) -> (StatusCode, Vec<(String, String)>, Value) {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no complete answer: {text:?}"));
    let mut lines = head.lines();
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    let json = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (StatusCode::from_u16(status).unwrap(), headers, json)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}
