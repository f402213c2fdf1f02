//! The e-mail a transfer's recipient gets: who offers which ticket, and a link that signs them
//! in on the device they open it on and shows the offer to accept or refuse. The link's token
//! is issued with the offer, in its transaction, and stays valid as long as the offer; it works
//! once (docs/wallet-pages.md#transfers).

use tixbridge_store::{Tx, sql};

use super::session::{random_token, sha256};
use crate::WalletState;
use crate::error::WalletError;
use crate::i18n::dates::{EventZone, human_ms, human_text};
use crate::i18n::{current, localized, tf};

/// Issues, inside the offer's transaction `tx`, the recipient's link token, valid until `until`.
pub(crate) async fn issue_link(tx: &mut Tx, recipient: i64, now: i64, until: i64) -> Result<String, WalletError> {
    let token = random_token("tbl_");
    sql("INSERT INTO wallet_sign_in_codes (spectator_id, code_hash, link_hash, created_at, expires_at, purpose)
         VALUES ($1, $2, $3, $4, $5, 'TRANSFER')")
    .bind(recipient)
    .bind(sha256(&random_token("")))
    .bind(sha256(&token))
    .bind(now)
    .bind(until)
    .execute(tx)
    .await?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct Offer {
    sender: String,
    recipient: String,
    event_name: String,
    start_time: String,
    event_body: String,
    expires_at: i64,
}

/// Mails the recipient of transfer `id` the link `token` (in the language of the page the
/// sender offered from). Answers whether the mail left; a mail that could not be sent leaves
/// the offer open, and the recipient still finds it by signing in.
pub(crate) async fn send(state: &WalletState, id: i64, token: &str) -> bool {
    match compose_and_send(state, id, token).await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(transfer.id = id, error = %err, "the transfer offer's e-mail was not sent");
            false
        }
    }
}

async fn compose_and_send(
    state: &WalletState,
    id: i64,
    token: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let offer: Offer = sql("SELECT s.email AS sender, r.email AS recipient, e.name AS event_name, e.start_time,
                e.body AS event_body, x.expires_at
         FROM wallet_transfers x
         JOIN wallet_tickets t ON t.id = x.ticket_pk JOIN wallet_events e ON e.id = t.event_pk
         JOIN wallet_spectators s ON s.id = x.sender_id JOIN wallet_spectators r ON r.id = x.recipient_id
         WHERE x.id = $1")
    .bind(id)
    .fetch_one(&mut state.db.reader().await?)
    .await?;
    let body: serde_json::Value = serde_json::from_str(&offer.event_body).unwrap_or_default();
    let zone = EventZone::of(&body, &offer.start_time);
    let lang = current();
    let link = format!("{}/wallet/sign-in?token={token}", state.public_url.trim_end_matches('/'));
    let event = localized(body.get("name"), &offer.event_name);
    let date = human_text(&offer.start_time, zone, lang);
    let until = human_ms(offer.expires_at, zone, lang);
    let subject = tf("mail.offer.subject", &[("sender", &offer.sender)]);
    let text = tf(
        "mail.offer.body",
        &[("sender", &offer.sender), ("event", &event), ("date", &date), ("link", &link), ("until", &until)],
    );
    let mail = tixbridge_mail::Email::new([offer.recipient.as_str()], subject, text)?;
    state.mailer.send(&mail).await?;
    Ok(())
}
