//! Spectator changes in bulk for the feedback bench: each fan signed in once (a sign-in link
//! issued in process, exchanged at `POST /api/spectator/session`), then through the spectator
//! API each ticket downloaded (`DOWNLOADED`), given a holder (`ASSIGNED`) and offered to a
//! friend (`PENDING_TRANSFER`) — up to three feed changes per ticket, many tickets at once.

use std::collections::HashMap;

use anyhow::{Context, bail};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use tixbridge_store::sql;

use super::harness::Harness;

/// Spectator calls in flight at once.
const CONCURRENCY: usize = 8;

/// The spectator statuses a ticket goes through here, in order: the change it gets `n`
/// changes in ends at the `n`-th.
pub const STEPS: [&str; 3] = ["DOWNLOADED", "ASSIGNED", "PENDING_TRANSFER"];

/// Makes `changes` spectator changes on the wallet tickets whose `ticketId` is in `ids`
/// (three per ticket, the last ticket fewer when `changes` is not a multiple of three).
/// Answers how many tickets end in each step's status.
pub async fn make_changes(harness: &Harness, ids: &[i64], changes: usize) -> anyhow::Result<[usize; 3]> {
    let needed = changes.div_ceil(STEPS.len());
    anyhow::ensure!(needed <= ids.len(), "{changes} spectator changes need {needed} tickets");
    let tickets = wallet_tickets(harness, &ids[..needed]).await?;
    let sessions = sign_in(harness, &tickets).await?;
    let client = reqwest::Client::new();
    let mut ended = [0usize; 3];
    let plan: Vec<(i64, String, usize)> = tickets
        .iter()
        .enumerate()
        .map(|(i, (pk, email))| (*pk, email.clone(), (changes - i * STEPS.len()).min(STEPS.len())))
        .collect();
    for (_, _, steps) in &plan {
        ended[steps - 1] += 1;
    }
    futures::stream::iter(plan.into_iter().map(|(pk, email, steps)| {
        let (client, session) = (client.clone(), sessions[&email].clone());
        async move { change_one(harness, &client, &session, pk, steps).await }
    }))
    .buffer_unordered(CONCURRENCY)
    .try_collect::<Vec<()>>()
    .await?;
    Ok(ended)
}

/// `(wallet pk, owner e-mail)` of the tickets injected with these box-office ids.
async fn wallet_tickets(harness: &Harness, ids: &[i64]) -> anyhow::Result<Vec<(i64, String)>> {
    let mut found = Vec::with_capacity(ids.len());
    let mut conn = harness.db().reader().await?;
    for chunk in ids.chunks(1_000) {
        let mut select =
            sql("SELECT t.id, s.email FROM wallet_tickets t JOIN wallet_spectators s ON s.id = t.owner_id \
             WHERE t.ticket_id IN ");
        select.push_list(chunk.iter().map(i64::to_string));
        select.push(" ORDER BY t.id");
        found.extend(select.fetch_all::<(i64, String)>(&mut conn).await?);
    }
    anyhow::ensure!(found.len() == ids.len(), "{} of {} tickets found in the wallet", found.len(), ids.len());
    Ok(found)
}

/// A spectator session: its bearer token and CSRF token.
#[derive(Clone)]
struct Session {
    token: String,
    csrf: String,
}

/// One session per owner of `tickets`.
async fn sign_in(harness: &Harness, tickets: &[(i64, String)]) -> anyhow::Result<HashMap<String, Session>> {
    let mut emails: Vec<&str> = tickets.iter().map(|(_, email)| email.as_str()).collect();
    emails.sort_unstable();
    emails.dedup();
    let client = reqwest::Client::new();
    let url = harness.app.url("/api/spectator/session");
    let opened: Vec<(String, Session)> = futures::stream::iter(emails.into_iter().map(|email| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(harness.db(), &harness.server_key, email)
                .await?
                .with_context(|| format!("{email} has no ticket in the wallet"))?;
            let answer = client
                .post(url)
                .header("x-csrf-token", "bench")
                .json(&json!({ "token": issued.link_token, "deviceName": "bench" }))
                .send()
                .await?;
            let status = answer.status();
            let answer: Value = answer.json().await?;
            if !status.is_success() {
                bail!("signing {email} in answered {status}: {answer}");
            }
            let text = |key: &str| answer[key].as_str().map(str::to_owned).with_context(|| format!("no {key}"));
            anyhow::Ok((email.to_owned(), Session { token: text("sessionToken")?, csrf: text("csrfToken")? }))
        }
    }))
    .buffer_unordered(CONCURRENCY)
    .try_collect()
    .await?;
    Ok(opened.into_iter().collect())
}

/// The first `steps` of [`STEPS`] on wallet ticket `pk`, as its owner.
async fn change_one(
    harness: &Harness,
    client: &reqwest::Client,
    session: &Session,
    pk: i64,
    steps: usize,
) -> anyhow::Result<()> {
    let base = harness.app.url(&format!("/api/spectator/tickets/{pk}"));
    for (step, name) in STEPS.iter().enumerate().take(steps) {
        let request = match step {
            0 => client.get(&base),
            1 => client
                .post(format!("{base}/holder"))
                .json(&json!({ "firstName": "Holder", "lastName": format!("H{pk}") })),
            _ => client
                .post(format!("{base}/transfer"))
                .json(&json!({ "email": format!("friend{pk}@bench.example.org") })),
        };
        let answer = request.bearer_auth(&session.token).header("x-csrf-token", &session.csrf).send().await?;
        let status = answer.status();
        if !status.is_success() {
            bail!("spectator step {name} on ticket {pk} answered {status}: {}", answer.text().await?);
        }
    }
    Ok(())
}
