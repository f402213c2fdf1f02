//! The phones' side of a match day, through the spectator API as the wallet app calls it:
//! fans sign in with their mailed link, list their tickets and download each one
//! (`DOWNLOADED`); some then offer a ticket to a friend, who signs in, finds the offer,
//! accepts it (`TRANSFERRED`) and downloads it on their own phone.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::load::paced;
use super::setup::Target;

/// What one fan (or one transfer) did.
#[derive(Debug, Clone, Default)]
pub struct Done {
    /// The wallet's `ticketId`s changed (the box-office ticket ids).
    pub tickets: Vec<String>,
    /// How long the whole flow took, sign-in included.
    pub flow_ms: f64,
    pub error: Option<String>,
    /// A transfer's tick came while no downloaded ticket was waiting to be offered.
    pub skipped: bool,
}

/// A signed-in phone.
struct Phone {
    session: String,
    csrf: String,
}

/// A fan whose tickets are downloaded, waiting to offer one: (their phone, wallet pk, ticketId).
type Downloaded = (Phone, i64, String);

async fn call(
    target: &Target,
    method: reqwest::Method,
    path: &str,
    phone: Option<&Phone>,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut request = target.http.request(method.clone(), target.url(path));
    request = match phone {
        Some(phone) => request.bearer_auth(&phone.session).header("X-CSRF-Token", &phone.csrf),
        // the cross-site guard takes any value before sign-in
        None => request.header("X-CSRF-Token", "phone"),
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|err| format!("{method} {path}: {err}"))?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() { Ok(answer) } else { Err(format!("{method} {path}: {status} {answer}")) }
}

async fn sign_in(target: &Target, email: &str) -> Result<Phone, String> {
    let token = target.sign_in_token(email).await.map_err(|err| err.to_string())?;
    let body = json!({ "token": token, "deviceName": "Phone" });
    let session = call(target, reqwest::Method::POST, "/api/spectator/session", None, Some(body)).await?;
    let text = |key: &str| session[key].as_str().map(str::to_owned).ok_or_else(|| format!("a session without {key}"));
    Ok(Phone { session: text("sessionToken")?, csrf: text("csrfToken")? })
}

/// Every ticket of the signed-in fan, fetched once (the first fetch is the download).
async fn download_all(target: &Target, phone: &Phone) -> Result<Vec<(i64, String)>, String> {
    let list = call(target, reqwest::Method::GET, "/api/spectator/tickets", Some(phone), None).await?;
    let mut tickets = Vec::new();
    for ticket in list["results"].as_array().into_iter().flatten() {
        let pk = ticket["id"].as_i64().ok_or("a ticket without id")?;
        call(target, reqwest::Method::GET, &format!("/api/spectator/tickets/{pk}"), Some(phone), None).await?;
        tickets.push((pk, ticket["ticketId"].as_str().unwrap_or_default().to_owned()));
    }
    Ok(tickets)
}

/// Fans of `fans`, in order, each downloading their tickets; the first ticket of each is then
/// offered to a friend at `transfers_per_minute` (while downloaded fans wait).
pub async fn run(
    target: Arc<Target>,
    fans: Arc<Vec<String>>,
    downloads_per_minute: u32,
    transfers_per_minute: u32,
    duration: Duration,
) -> (Vec<Done>, Vec<Done>) {
    let waiting: Arc<Mutex<VecDeque<Downloaded>>> = Arc::default();
    let downloads = {
        let (target, fans, waiting) = (target.clone(), fans.clone(), waiting.clone());
        paced(downloads_per_minute, duration, fans.len(), move |i| {
            let (target, email, waiting) = (target.clone(), fans[i].clone(), waiting.clone());
            async move {
                let started = Instant::now();
                let outcome = async {
                    let phone = sign_in(&target, &email).await?;
                    let tickets = download_all(&target, &phone).await?;
                    if let Some((pk, ticket_id)) = tickets.first().cloned() {
                        waiting.lock().expect("queue").push_back((phone, pk, ticket_id));
                    }
                    Ok::<_, String>(tickets.into_iter().map(|(_, id)| id).collect())
                }
                .await;
                done(started, outcome)
            }
        })
    };
    let transfers = {
        let target = target.clone();
        paced(transfers_per_minute, duration, usize::MAX, move |i| {
            let (target, next) = (target.clone(), waiting.lock().expect("queue").pop_front());
            async move {
                let started = Instant::now();
                let Some((phone, pk, ticket_id)) = next else {
                    return Done { skipped: true, ..Done::default() };
                };
                let friend = format!("friend{i}-{}@mixed.example.org", target.org);
                let outcome = transfer(&target, &phone, pk, &friend).await.map(|()| vec![ticket_id]);
                done(started, outcome)
            }
        })
    };
    tokio::join!(downloads, transfers)
}

fn done(started: Instant, outcome: Result<Vec<String>, String>) -> Done {
    let flow_ms = started.elapsed().as_secs_f64() * 1000.0;
    match outcome {
        Ok(tickets) => Done { tickets, flow_ms, error: None, skipped: false },
        Err(error) => Done { tickets: Vec::new(), flow_ms, error: Some(error), skipped: false },
    }
}

/// Offers ticket `pk` to `friend`, who signs in, accepts and downloads it.
async fn transfer(target: &Target, sender: &Phone, pk: i64, friend: &str) -> Result<(), String> {
    let offer = json!({ "email": friend });
    let offered = call(
        target,
        reqwest::Method::POST,
        &format!("/api/spectator/tickets/{pk}/transfer"),
        Some(sender),
        Some(offer),
    )
    .await?;
    let transfer_id = offered["transferId"].as_i64().ok_or("an offer without transferId")?;
    let phone = sign_in(target, friend).await?;
    let open = call(target, reqwest::Method::GET, "/api/spectator/transfers", Some(&phone), None).await?;
    let offered_to_me = open["results"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| t["transferId"] == transfer_id && t["direction"] == "incoming");
    if !offered_to_me {
        return Err(format!("transfer {transfer_id} is not among {friend}'s incoming offers"));
    }
    let accept = format!("/api/spectator/transfers/{transfer_id}/accept");
    call(target, reqwest::Method::POST, &accept, Some(&phone), Some(json!({}))).await?;
    call(target, reqwest::Method::GET, &format!("/api/spectator/tickets/{pk}"), Some(&phone), None).await?;
    Ok(())
}
