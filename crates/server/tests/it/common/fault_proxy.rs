//! A real HTTP proxy in front of the wallet that can be told to misbehave: answer 500, refuse
//! the credentials, stall past the client's timeout, or misreport a ticket in its feed. Tests
//! point an interface at it to prove how runs behave when the wallet does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    ServerError,
    Unauthorized,
    Stall(Duration),
    /// Answer every ticket of a batch call `REJECTED`, the ticket being in this wallet status
    /// (as a wallet that refuses the change would), without forwarding it.
    RefuseAs(&'static str),
    /// Forward, but report the tickets whose id is in `from..=to` in the diff feed with
    /// `status` (a wallet speaking another dialect, say), so the box office cannot apply them.
    MisreportStatus {
        from: i64,
        to: i64,
        status: &'static str,
    },
    /// A batch call whose first ticket has an id at or above `ticket_id` waits `stall` before
    /// being forwarded; the others go through.
    StallTicketsFrom {
        ticket_id: i64,
        stall: Duration,
    },
    /// The second call (in the order calls arrive since the fault was set) answers 500, but
    /// only once the wallet has answered the third; the third and later calls reach the wallet
    /// at once and their answers come back `hold` later. The run learns of the failure while pages
    /// the wallet accepted are on their way back.
    SecondFailsWhileOthersAreAnswered {
        hold: Duration,
    },
}

#[derive(Clone)]
struct ProxyState {
    target: String,
    fault: Arc<Mutex<Fault>>,
    /// Calls since the fault was set.
    calls: Arc<AtomicUsize>,
    /// Set once the wallet has answered the third call since the fault was set.
    third_answered: Arc<watch::Sender<bool>>,
    client: reqwest::Client,
}

pub struct FaultProxy {
    pub addr: std::net::SocketAddr,
    fault: Arc<Mutex<Fault>>,
    calls: Arc<AtomicUsize>,
    third_answered: Arc<watch::Sender<bool>>,
}

impl FaultProxy {
    /// Starts a proxy forwarding to `target` (e.g. `http://127.0.0.1:PORT`).
    pub async fn start(target: &str) -> FaultProxy {
        let fault = Arc::new(Mutex::new(Fault::None));
        let calls = Arc::new(AtomicUsize::new(0));
        let third_answered = Arc::new(watch::Sender::new(false));
        let state = ProxyState {
            target: target.trim_end_matches('/').to_owned(),
            fault: fault.clone(),
            calls: calls.clone(),
            third_answered: third_answered.clone(),
            client: reqwest::Client::new(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FaultProxy { addr, fault, calls, third_answered }
    }

    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
        self.calls.store(0, Ordering::SeqCst);
        self.third_answered.send_replace(false);
    }

    /// The organizer-tickets URL through this proxy.
    pub fn tickets_url(&self) -> String {
        format!("http://{}/api/organizer/tickets", self.addr)
    }
}

async fn forward(State(state): State<ProxyState>, request: Request) -> Response {
    let fault = *state.fault.lock().unwrap();
    let call = state.calls.fetch_add(1, Ordering::SeqCst) + 1;
    match fault {
        Fault::SecondFailsWhileOthersAreAnswered { .. } if call == 2 => {
            let _ = state.third_answered.subscribe().wait_for(|answered| *answered).await;
            return (StatusCode::INTERNAL_SERVER_ERROR, "wallet exploded").into_response();
        }
        Fault::ServerError => return (StatusCode::INTERNAL_SERVER_ERROR, "wallet exploded").into_response(),
        Fault::Unauthorized => {
            return (StatusCode::UNAUTHORIZED, "{\"error\":\"unknown login or API key\"}").into_response();
        }
        Fault::Stall(duration) => tokio::time::sleep(duration).await,
        Fault::None
        | Fault::RefuseAs(_)
        | Fault::MisreportStatus { .. }
        | Fault::StallTicketsFrom { .. }
        | Fault::SecondFailsWhileOthersAreAnswered { .. } => {}
    }
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    if let Fault::RefuseAs(current) = fault {
        return refuse_all(&body, current);
    }
    if let Fault::StallTicketsFrom { ticket_id, stall } = fault {
        let sent: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let first = sent[0]["ticketId"].as_str().and_then(|id| id.parse::<i64>().ok());
        if first.is_some_and(|first| first >= ticket_id) {
            tokio::time::sleep(stall).await;
        }
    }
    let url = format!("{}{}", state.target, parts.uri.path_and_query().map_or("", |p| p.as_str()));
    let mut outgoing = state.client.request(parts.method, url).body(body);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = outgoing.send().await.unwrap();
    let status = answer.status();
    let mut bytes = answer.bytes().await.unwrap();
    if let Fault::MisreportStatus { from, to, status: reported } = fault
        && parts.uri.path().ends_with("/diff")
    {
        bytes = misreport(&bytes, from..=to, reported);
    }
    if let Fault::SecondFailsWhileOthersAreAnswered { hold } = fault
        && call >= 3
    {
        if call == 3 {
            state.third_answered.send_replace(true);
        }
        tokio::time::sleep(hold).await;
    }
    (status, [("content-type", "application/json")], bytes).into_response()
}

/// The diff page `body` with the tickets of `ids` reported in status `reported`.
fn misreport(body: &[u8], ids: std::ops::RangeInclusive<i64>, reported: &str) -> Bytes {
    let mut page: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let named = |t: &serde_json::Value| {
        t["ticketId"].as_str().and_then(|id| id.parse().ok()).is_some_and(|id| ids.contains(&id))
    };
    if let Some(tickets) = page["tickets"].as_array_mut() {
        for entry in tickets.iter_mut().filter(|t| named(t)) {
            entry["status"] = serde_json::Value::from(reported);
        }
    }
    Bytes::from(serde_json::to_vec(&page).unwrap_or_default())
}

/// The answer of a wallet refusing every ticket of the batch `body`.
fn refuse_all(body: &[u8], current: &str) -> Response {
    let sent: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let items = sent.as_array().cloned().unwrap_or_default();
    let results: Vec<serde_json::Value> = items
        .iter()
        .map(|item| {
            serde_json::json!({ "ticketId": item["ticketId"], "status": "REJECTED",
                "reason": format!("not allowed: ticket is {current}"), "currentStatus": current })
        })
        .collect();
    axum::Json(serde_json::json!({ "results": results })).into_response()
}
