//! A real HTTP server that is not the wallet: it answers every request with one fixed status,
//! headers and body, and counts what it received. Tests point an interface at it to play a
//! thief's server, an internal service holding a secret, or a redirector.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Clone)]
struct Answer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: String,
    hits: Arc<AtomicUsize>,
}

pub struct ForeignServer {
    pub addr: std::net::SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl ForeignServer {
    /// Starts a server answering `status`, `headers` and `body` to every request.
    pub async fn start(status: u16, headers: &[(&str, &str)], body: &str) -> ForeignServer {
        let hits = Arc::new(AtomicUsize::new(0));
        let answer = Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: headers
                .iter()
                .map(|(name, value)| (HeaderName::try_from(*name).unwrap(), HeaderValue::try_from(*value).unwrap()))
                .collect(),
            body: body.to_owned(),
            hits: hits.clone(),
        };
        let app = axum::Router::new().fallback(respond).with_state(answer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        ForeignServer { addr, hits }
    }

    /// How many requests it received.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// An organizer-tickets URL on this server (`host` names it, e.g. `127.0.0.1` or `localhost`).
    pub fn tickets_url(&self, host: &str) -> String {
        format!("http://{host}:{}/api/organizer/tickets", self.addr.port())
    }
}

async fn respond(State(answer): State<Answer>) -> Response {
    answer.hits.fetch_add(1, Ordering::SeqCst);
    let mut response = (answer.status, answer.body.clone()).into_response();
    for (name, value) in answer.headers {
        response.headers_mut().insert(name, value);
    }
    response
}
