//! The digital privileges injection
//! (docs/products-and-statuses.md#season-tickets-and-digital-privileges,
//! docs/interface.md#functions): membership cards and the season tickets whose shape has a
//! card, of the selected products, go to the wallet's `POST …/organizer/privileges` as one
//! definition per product and one instance per card; the cards the wallet accepted become
//! `PRINTED`.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tixbridge_boxoffice::wallet_side::privilege_selection::{PrivilegeCard, file_tickets_where, privilege_cards_page};

use crate::client::CallError;
use crate::functions::settings::PrivilegesSettings;
use crate::processed::{Print, Processed, injected_by_interface, mark_processed, not, processed_by_interface};
use crate::runs::{Failure, Pages, RunCtx, now_ms};

fn definition(card: &PrivilegeCard) -> Result<Value, String> {
    let from = card.validity_start_local.as_ref().or(card.season_start.as_ref());
    let until = card.validity_end_local.as_ref().or(card.season_end.as_ref());
    let (Some(from), Some(until)) = (from, until) else {
        return Err("validity: a card needs a validity or a season".into());
    };
    Ok(json!({
        "definitionId": format!("D{}", card.product_id),
        "name": card.product_external_name.clone().unwrap_or_else(|| card.product_name.clone()),
        "validFrom": from,
        "validUntil": until,
        "kind": card.kind,
    }))
}

pub async fn run(ctx: &mut RunCtx<'_>, settings: &PrivilegesSettings) -> Result<(), Failure> {
    let db = ctx.db.clone();
    let organization = tixbridge_domain::OrganizationId::new(ctx.interface.organization_id);
    let iteration = ctx.interface.params.ticket_iteration_size;
    let injected = injected_by_interface(ctx.interface.id);
    let not_sent = not(processed_by_interface(ctx.interface.id, "PRIVILEGES"));
    let mut pages = Pages::new(&db, iteration, settings.batch_size).await?;
    while let Some(page) = pages.next() {
        // one reader for the page's selection and its cards' linked tickets, given back
        // before the wallet is called
        let mut conn = db.reader().await?;
        let cards = privilege_cards_page(
            &mut conn,
            organization,
            &settings.products,
            &not_sent,
            page.window,
            page.limit as i64,
        )
        .await?;
        if !pages.took(page, cards.len(), cards.last().map(|c| c.id), &mut ctx.run.counts) {
            continue;
        }
        let mut definitions = BTreeMap::new();
        let mut instances = Vec::new();
        for card in &cards {
            let (definition, email) = match (definition(card), &card.email) {
                (Ok(d), Some(email)) => (d, email),
                (Err(why), _) => {
                    ctx.run.counts.rejected += 1;
                    ctx.run.note(Some(&card.id.to_string()), format!("not sent: {why}"));
                    ctx.check_kill_ratio()?;
                    continue;
                }
                (_, None) => {
                    ctx.run.counts.rejected += 1;
                    ctx.run.note(
                        Some(&card.id.to_string()),
                        "not sent: spectatorDetails.email: the contact has no e-mail",
                    );
                    ctx.check_kill_ratio()?;
                    continue;
                }
            };
            let linked = file_tickets_where(&mut conn, card.file_id, &injected).await?;
            definitions.insert(definition["definitionId"].as_str().unwrap_or_default().to_owned(), definition.clone());
            instances.push(json!({
                "privilegeId": card.id.to_string(),
                "definitionId": definition["definitionId"],
                "barcode": card.barcode,
                "spectatorDetails": { "email": email, "firstName": card.first_name, "lastName": card.last_name },
                "linkedTicketIds": linked.iter().map(i64::to_string).collect::<Vec<_>>(),
            }));
        }
        drop(conn);
        let body = json!({ "definitions": definitions.into_values().collect::<Vec<_>>(), "instances": instances });
        if ctx.run.simulation {
            ctx.would_send.push(body);
            continue;
        }
        if instances.is_empty() {
            continue;
        }
        let answer = ctx.client.privileges(&body).await?;
        ctx.run.counts.sent += instances.len() as u64;
        let results = Some(&answer.results)
            .filter(|r| r.len() == instances.len())
            .ok_or_else(|| CallError::BadAnswer("privileges: one result per instance expected".into()))?;
        let mut accepted = Vec::new();
        for result in results {
            match (result.status.as_str(), result.privilege_id.parse::<i64>()) {
                ("ACCEPTED", Ok(ticket_id)) => accepted.push(Processed { ticket_id, invalidation_reason: None }),
                _ => {
                    ctx.run.counts.rejected += 1;
                    let reason = result.reason.as_deref().unwrap_or("no reason given");
                    ctx.run.note(Some(&result.privilege_id), format!("wallet REJECTED: {reason}"));
                }
            }
        }
        let mut tx = db.begin_write().await?;
        let printed = mark_processed(
            &mut tx,
            ctx.function.id,
            ctx.run.id,
            &accepted,
            Print::Yes { point_of_sale: None },
            now_ms(),
        )
        .await?;
        let mut counts = ctx.run.counts.clone();
        counts.accepted += accepted.len() as u64;
        counts.written += printed;
        ctx.commit_page(tx, counts).await?;
        ctx.check_kill_ratio()?;
        ctx.keep_lease().await?;
    }
    Ok(())
}
