//! Writing a privilege call in one transaction: the definitions first, then the instances
//! whose definition (sent in this call or before) and linked tickets exist, their spectators
//! and their links.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use tixbridge_domain::inject::privilege::{ValidDefinition, ValidInstance};
use tixbridge_store::Db;

use super::answer::{Change, DefinitionResult, InjectAnswer, PrivilegeResult};
use super::definitions::write_definitions;
use super::instances::{Ready, write_instances};
use super::plan::{DefinitionSlot, Hashed, InstanceSlot, Slot};
use super::rows::ids_by_key;

fn valid<T, R>(slots: &[Slot<T, R>]) -> Vec<&Hashed<T>> {
    slots
        .iter()
        .filter_map(|slot| match slot {
            Slot::Valid(item) => Some(item.as_ref()),
            Slot::Refused(_) => None,
        })
        .collect()
}

/// Finds the rows an instance names, or the refusal naming the first that does not exist.
fn resolve<'a>(
    p: &'a Hashed<ValidInstance>,
    definitions: &HashMap<String, i64>,
    tickets: &HashMap<String, i64>,
) -> Result<Ready<'a>, PrivilegeResult> {
    let id = &p.item.privilege_id;
    let definition_pk = *definitions.get(&p.item.definition_id).ok_or_else(|| {
        PrivilegeResult::rejected(
            id,
            format!("definitionId: no privilege definition {:?} for this organizer", p.item.definition_id),
        )
    })?;
    let ticket_pks = p
        .item
        .linked_ticket_ids
        .iter()
        .enumerate()
        .map(|(i, ticket)| {
            tickets.get(ticket).copied().ok_or_else(|| {
                PrivilegeResult::rejected(id, format!("linkedTicketIds[{i}]: no ticket {ticket:?} for this organizer"))
            })
        })
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(Ready { p, definition_pk, ticket_pks })
}

pub(crate) async fn inject(
    db: &Db,
    organizer: i64,
    definitions: Vec<DefinitionSlot>,
    instances: Vec<InstanceSlot>,
    now: DateTime<Utc>,
) -> Result<InjectAnswer, sqlx::Error> {
    let at = crate::millis(now);
    let valid_definitions: Vec<&Hashed<ValidDefinition>> = valid(&definitions);
    let valid_instances: Vec<&Hashed<ValidInstance>> = valid(&instances);
    let mut written: HashMap<String, (i64, Change)> = HashMap::new();
    let mut decided: HashMap<String, PrivilegeResult> = HashMap::new();

    if !valid_definitions.is_empty() || !valid_instances.is_empty() {
        let mut tx = db.begin_write().await?;
        written = write_definitions(&mut tx, organizer, &valid_definitions, at).await?;

        let mut definition_pks: HashMap<String, i64> = written.iter().map(|(id, (pk, _))| (id.clone(), *pk)).collect();
        let earlier: HashSet<&str> = valid_instances
            .iter()
            .map(|p| p.item.definition_id.as_str())
            .filter(|id| !definition_pks.contains_key(*id))
            .collect();
        let earlier: Vec<&str> = earlier.into_iter().collect();
        definition_pks
            .extend(ids_by_key(&mut tx, "wallet_privilege_definitions", "definition_id", organizer, &earlier).await?);

        let linked: HashSet<&str> =
            valid_instances.iter().flat_map(|p| p.item.linked_ticket_ids.iter().map(String::as_str)).collect();
        let linked: Vec<&str> = linked.into_iter().collect();
        let ticket_pks = ids_by_key(&mut tx, "wallet_tickets", "ticket_id", organizer, &linked).await?;

        let mut ready: Vec<Ready<'_>> = Vec::with_capacity(valid_instances.len());
        for p in &valid_instances {
            match resolve(p, &definition_pks, &ticket_pks) {
                Ok(r) => ready.push(r),
                Err(refused) => {
                    decided.insert(p.item.privilege_id.clone(), refused);
                }
            }
        }
        if !ready.is_empty() {
            decided.extend(write_instances(&mut tx, organizer, &ready, at).await?);
        }
        tx.commit().await?;
    }

    let definitions = definitions
        .into_iter()
        .map(|slot| match slot {
            Slot::Refused(result) => result,
            Slot::Valid(d) => match written.get(&d.item.definition_id) {
                Some((_, change)) => DefinitionResult::accepted(&d.item.definition_id, *change),
                None => DefinitionResult::rejected(&d.item.definition_id, "internal: definition was not processed"),
            },
        })
        .collect();
    let results = instances
        .into_iter()
        .map(|slot| match slot {
            Slot::Refused(result) => result,
            Slot::Valid(p) => decided.remove(&p.item.privilege_id).unwrap_or_else(|| {
                PrivilegeResult::rejected(&p.item.privilege_id, "internal: privilege was not processed")
            }),
        })
        .collect();
    Ok(InjectAnswer { definitions, results })
}
