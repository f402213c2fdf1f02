//! A client may take only so long to send a request: its headers within the configured bound
//! (the connection is closed), and each part of its body within it (the request is answered
//! with a refusal). A slow client cannot hold connections open for ever.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUND: Duration = Duration::from_secs(1);

/// Reads until the server closes the connection, waiting at most `limit`; what it sent and
/// how long it took, or `None` when it was still open.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut received = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut received)).await {
        Ok(_) => Some((String::from_utf8_lossy(&received).into_owned(), started.elapsed())),
        Err(_) => None,
    }
}

on_both_databases! {
    async fn a_client_that_sends_half_its_headers_is_cut_off_at_the_bound(app: TestApp) {
        let app = app.restart_with(|config| config.client_timeout = BOUND).await;
        let mut stream = TcpStream::connect(app.app.addr).await.unwrap();
        stream.write_all(b"POST /api/spectator/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty").await.unwrap();
        let (_, took) = read_until_closed(&mut stream, BOUND * 4).await
            .expect("the connection is still open long after the header bound");
        assert!(took <= BOUND + Duration::from_millis(1500), "closed after {took:?}");
    }

    async fn a_client_that_stops_sending_its_body_is_answered_at_the_bound(app: TestApp) {
        let app = app.restart_with(|config| config.client_timeout = BOUND).await;
        let mut stream = TcpStream::connect(app.app.addr).await.unwrap();
        stream.write_all(b"POST /api/spectator/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
            X-CSRF-Token: test\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"email\":").await.unwrap();
        let (answer, took) = read_until_closed(&mut stream, BOUND * 4).await
            .expect("no answer long after the body bound");
        assert!(took <= BOUND + Duration::from_millis(1500), "answered after {took:?}");
        let status = answer.split_whitespace().nth(1).unwrap_or("");
        assert!(status.starts_with('4'), "a refusal: {answer}");
    }
}
