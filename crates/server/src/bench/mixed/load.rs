//! The box office's side of a match day, each at its own steady rate: new sales (a contact
//! and a one-ticket file through `POST …/files`), cancellations, and gate scans of barcodes
//! (`POST …/scans`). Every request is sent on its tick whatever the earlier ones are doing,
//! so a slow answer never lowers the rate; each records when it was sent.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::setup::Target;

/// One box-office change the load made.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The box-office ticket id (the wallet's `ticketId`), when the change succeeded.
    pub ticket: Option<i64>,
    /// When the request left, in milliseconds since the epoch (the wallet's clock).
    pub at_ms: i64,
    /// How long the box office took to answer.
    pub answer_ms: f64,
    /// The refusal or failure, if any.
    pub error: Option<String>,
}

/// Calls `act(i)` at `per_minute` for `duration`, at most `limit` times; collects every result.
pub async fn paced<F, Fut, T>(per_minute: u32, duration: Duration, limit: usize, act: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    if per_minute == 0 || limit == 0 {
        return Vec::new();
    }
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(60.0 / f64::from(per_minute)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut handles = Vec::new();
    for i in 0..limit {
        ticker.tick().await;
        if started.elapsed() >= duration {
            break;
        }
        handles.push(tokio::spawn(act(i)));
    }
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        if let Ok(result) = handle.await {
            results.push(result);
        }
    }
    results
}

/// POSTs `body` to `path` with the admin token; the answer's JSON or why not.
pub async fn post(target: &Target, path: &str, body: &Value) -> Result<Value, String> {
    let response = target
        .http
        .post(target.url(path))
        .bearer_auth(&target.admin_token)
        .json(body)
        .send()
        .await
        .map_err(|err| err.to_string())?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() { Ok(answer) } else { Err(format!("POST {path}: {status} {answer}")) }
}

/// Times `request`, which answers the ticket it changed.
async fn timed(request: impl Future<Output = Result<i64, String>>) -> Sent {
    let at_ms = chrono::Utc::now().timestamp_millis();
    let started = Instant::now();
    let outcome = request.await;
    let answer_ms = started.elapsed().as_secs_f64() * 1000.0;
    match outcome {
        Ok(ticket) => Sent { ticket: Some(ticket), at_ms, answer_ms, error: None },
        Err(error) => Sent { ticket: None, at_ms, answer_ms, error: Some(error) },
    }
}

/// New sales: a buyer (contact) and a file of one mobile ticket each.
pub async fn sales(target: Arc<Target>, per_minute: u32, duration: Duration) -> Vec<Sent> {
    paced(per_minute, duration, usize::MAX, move |i| {
        let target = target.clone();
        async move {
            timed(async {
                let contact = post(
                    &target,
                    &target.org_path("/contacts"),
                    &json!({ "firstName": "Buyer", "lastName": format!("N{i}"),
                             "email": format!("buyer{i}-{}@mixed.example.org", target.org) }),
                )
                .await?;
                let ticket = json!({ "productCode": "DERBY", "performanceCode": "M1", "seatCategoryCode": "CAT1",
                                     "tariffCode": "FULL", "shipmentModeCode": "MOB", "priceCents": 4500, "currency": "CHF" });
                let file = post(
                    &target,
                    &target.org_path("/files"),
                    &json!({ "contactId": contact["id"], "salesChannelCode": "WEB", "tickets": [ticket] }),
                )
                .await?;
                file["tickets"][0]["id"].as_i64().ok_or_else(|| format!("a file without a ticket id: {file}"))
            })
            .await
        }
    })
    .await
}

/// Cancellations of the preloaded tickets `ids`, in order.
pub async fn cancels(target: Arc<Target>, ids: Arc<Vec<i64>>, per_minute: u32, duration: Duration) -> Vec<Sent> {
    let limit = ids.len();
    paced(per_minute, duration, limit, move |i| {
        let (target, id) = (target.clone(), ids[i]);
        async move {
            timed(async {
                let path = target.org_path(&format!("/tickets/{id}/cancel"));
                post(&target, &path, &json!({ "reason": "CANCELLATION" })).await.map(|_| id)
            })
            .await
        }
    })
    .await
}

/// Gate scans of the preloaded tickets `tickets` (id, barcode), in order.
pub async fn scans(
    target: Arc<Target>,
    tickets: Arc<Vec<(i64, String)>>,
    per_minute: u32,
    duration: Duration,
) -> Vec<Sent> {
    let limit = tickets.len();
    paced(per_minute, duration, limit, move |i| {
        let (target, (id, barcode)) = (target.clone(), tickets[i].clone());
        async move {
            timed(async { post(&target, &target.org_path("/scans"), &json!({ "barcode": barcode })).await.map(|_| id) })
                .await
        }
    })
    .await
}
