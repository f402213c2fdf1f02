//! The demo spectator: one fan of the demo organizer whose match is activated, so their
//! wallet shows a live rotating code, and a sign-in link that opens that wallet directly.
//! Used by `tixbridge demo` and by the browser test, so both show the same thing.

use anyhow::Context;
use serde_json::json;
use tixbridge_store::sql;
use tixbridge_vault::ServerKey;

use crate::app::RunningApp;

/// What the demo prints for its spectator.
#[derive(Debug, Clone)]
pub struct DemoSpectator {
    pub email: String,
    pub event_id: String,
    pub ticket_id: String,
    /// The wallet's id of the ticket (`/wallet/tickets/{id}`).
    pub wallet_ticket: i64,
    /// Opens the wallet, signed in, on that ticket; works once, for 15 minutes.
    pub link: String,
}

/// Picks the organizer's first ticket still in the spectator's hands (preferring a fan with
/// another ticket to the same event, so the wallet shows a list), activates its event now
/// (through the organizer API), and issues a sign-in link for its owner.
pub async fn prepare(
    app: &RunningApp,
    key: &ServerKey,
    api_key: &str,
    organizer: i64,
) -> anyhow::Result<DemoSpectator> {
    let found: Option<(i64, String, String, String)> =
        sql("SELECT t.id, t.ticket_id, s.email, e.event_id FROM wallet_tickets t
             JOIN wallet_spectators s ON s.id = t.owner_id JOIN wallet_events e ON e.id = t.event_pk
             WHERE t.organizer_id = $1 AND t.status = 'INJECTED'
             ORDER BY CASE WHEN (SELECT COUNT(*) FROM wallet_tickets u WHERE u.owner_id = t.owner_id
                                 AND u.event_pk = t.event_pk AND u.status = 'INJECTED') > 1 THEN 0 ELSE 1 END, t.id
             LIMIT 1")
        .bind(organizer)
        .fetch_optional(&mut app.db.reader().await?)
        .await?;
    let (wallet_ticket, ticket_id, email, event_id) = found.context("the demo has no injected wallet ticket")?;
    let activate_now = json!({ "activationAt": (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339() });
    let response = reqwest::Client::new()
        .put(app.url(&format!("/api/organizer/events/{event_id}/settings")))
        .header("X-Api-Key", api_key)
        .json(&activate_now)
        .send()
        .await?;
    anyhow::ensure!(response.status().is_success(), "activating the demo event answered {}", response.status());
    let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&app.db, key, &email)
        .await?
        .context("the demo spectator has no account")?;
    let link = app.url(&format!("/wallet/sign-in?token={}&ticket={wallet_ticket}", issued.link_token));
    Ok(DemoSpectator { email, event_id, ticket_id, wallet_ticket, link })
}
