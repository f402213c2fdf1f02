//! The digital privileges injection (SPEC §2, §6.2): membership and season ticket cards of
//! the selected products go to the wallet's `POST …/organizer/privileges` as one definition per
//! product and one instance per card; the cards the wallet accepted become `PRINTED`.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tixbridge_store::on_reader;

use crate::client::CallError;
use crate::engine::{Failure, RunCtx, now_ms};
use crate::functions::settings::PrivilegesSettings;
use crate::processed::{Processed, mark_processed};

#[derive(sqlx::FromRow)]
struct CardRow {
    id: i64,
    file_id: i64,
    barcode: String,
    product_id: i64,
    product_name: String,
    product_external_name: Option<String>,
    kind: String,
    validity_start_local: Option<String>,
    validity_end_local: Option<String>,
    season_start: Option<String>,
    season_end: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

const SELECT: &str = "SELECT t.id, t.file_id, t.barcode, p.id AS product_id, p.name AS product_name,
        p.external_name AS product_external_name, p.kind, t.validity_start_local, t.validity_end_local,
        s.starts_local AS season_start, s.ends_local AS season_end,
        o.email, o.first_name, o.last_name
    FROM bo_tickets t
    CROSS JOIN bo_products p
    CROSS JOIN bo_shipment_modes sm
    CROSS JOIN bo_contacts o
    LEFT JOIN bo_seasons s ON s.id = p.season_id
    WHERE p.id = t.product_id AND sm.id = t.shipment_mode_id AND o.id = t.contact_id
      AND t.status = 'NOT_PRINTED' AND sm.type = 'MOBILE'
      AND p.kind IN ('MEMBERSHIP_CARD', 'SEASON_TICKET_CARD')";

fn definition(card: &CardRow) -> Result<Value, String> {
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
    let db = ctx.engine.db.clone();
    let organization = ctx.interface.organization_id;
    let iteration = ctx.interface.params.ticket_iteration_size;
    let injection_of_interface = ctx.interface.id;
    let mut windows = crate::paging::IdWindows::new(&db, iteration).await?;
    let mut remaining = settings.batch_size;
    while remaining > 0 {
        let Some((after_id, upper_id)) = windows.next() else { break };
        let limit = remaining.min(iteration) as i64;
        let cards: Vec<CardRow> = on_reader!(&db, |pool| {
            let mut q = sqlx::QueryBuilder::new(SELECT);
            q.push(" AND p.organization_id = ").push_bind(organization);
            q.push(" AND t.id > ").push_bind(after_id).push(" AND t.id <= ").push_bind(upper_id);
            q.push(" AND p.code IN (");
            let mut list = q.separated(", ");
            for code in &settings.products {
                list.push_bind(code.as_str());
            }
            q.push(") ORDER BY t.id LIMIT ").push_bind(limit);
            q.build_query_as().fetch_all(pool).await?
        });
        windows.advance(cards.len(), limit as usize, cards.last().map(|c| c.id), upper_id);
        if cards.is_empty() {
            continue;
        }
        remaining -= cards.len();
        ctx.run.counts.selected += cards.len() as u64;
        let mut definitions = BTreeMap::new();
        let mut instances = Vec::new();
        for card in &cards {
            let (definition, email) = match (definition(card), &card.email) {
                (Ok(d), Some(email)) => (d, email),
                (Err(why), _) => {
                    ctx.run.counts.rejected += 1;
                    ctx.run.note(Some(&card.id.to_string()), format!("not sent: {why}"));
                    continue;
                }
                (_, None) => {
                    ctx.run.counts.rejected += 1;
                    ctx.run.note(
                        Some(&card.id.to_string()),
                        "not sent: spectatorDetails.email: the contact has no e-mail",
                    );
                    continue;
                }
            };
            let linked: Vec<i64> = on_reader!(&db, |pool| {
                sqlx::query_scalar(
                    "SELECT t.id FROM bo_tickets t WHERE t.file_id = $1 AND t.id <> $2
                       AND EXISTS (SELECT 1 FROM itf_processed ip JOIN itf_functions f ON f.id = ip.function_id
                                   WHERE ip.ticket_id = t.id AND f.interface_id = $3 AND f.kind = 'INJECTION')
                     ORDER BY t.id",
                )
                .bind(card.file_id)
                .bind(card.id)
                .bind(injection_of_interface)
                .fetch_all(pool)
                .await?
            });
            definitions.insert(definition["definitionId"].as_str().unwrap_or_default().to_owned(), definition.clone());
            instances.push(json!({
                "privilegeId": card.id.to_string(),
                "definitionId": definition["definitionId"],
                "barcode": card.barcode,
                "spectatorDetails": { "email": email, "firstName": card.first_name, "lastName": card.last_name },
                "linkedTicketIds": linked.iter().map(i64::to_string).collect::<Vec<_>>(),
            }));
        }
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
        ctx.run.counts.accepted += accepted.len() as u64;
        ctx.run.counts.written += mark_processed(&db, ctx.function.id, ctx.run.id, &accepted, true, now_ms()).await?;
        ctx.check_kill_ratio()?;
        ctx.keep_lease().await?;
    }
    Ok(())
}
