//! Deciding, before touching the database, which definitions and instances of a call are
//! well-formed: each is checked on its own, repeats within the call are refused, and an
//! instance of a definition refused in the same call is refused with it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tixbridge_domain::inject::privilege::{ValidDefinition, ValidInstance, validate_definition, validate_instance};

use super::answer::{DefinitionResult, PrivilegeResult};

/// A valid item and the hash of its canonical content.
pub(crate) struct Hashed<T> {
    pub item: T,
    pub body_text: String,
    pub content_hash: Vec<u8>,
}

fn hashed<T>(item: T, body: &Value) -> Hashed<T> {
    let body_text = body.to_string();
    let content_hash = Sha256::digest(body_text.as_bytes()).to_vec();
    Hashed { item, body_text, content_hash }
}

/// One position of the call, in the order it was sent.
pub(crate) enum Slot<T, R> {
    Refused(R),
    Valid(Box<Hashed<T>>),
}

pub(crate) type DefinitionSlot = Slot<ValidDefinition, DefinitionResult>;
pub(crate) type InstanceSlot = Slot<ValidInstance, PrivilegeResult>;

fn id_of(item: &Value, key: &str, i: usize) -> String {
    item.get(key).and_then(Value::as_str).map_or_else(|| format!("[{i}]"), str::to_owned)
}

pub(crate) fn plan(
    definitions: Vec<Value>,
    instances: Vec<Value>,
    now: DateTime<Utc>,
) -> (Vec<DefinitionSlot>, Vec<InstanceSlot>) {
    let mut seen = HashSet::with_capacity(definitions.len());
    // Definition id → refusal reason, for the instances that name a refused definition.
    let mut refused: HashMap<String, String> = HashMap::new();
    let definitions: Vec<DefinitionSlot> = definitions
        .iter()
        .enumerate()
        .map(|(i, value)| match validate_definition(value, now) {
            Err(rejection) => {
                let id = id_of(value, "definitionId", i);
                refused.insert(id.clone(), rejection.to_string());
                Slot::Refused(DefinitionResult::rejected(id, rejection.to_string()))
            }
            Ok(d) if !seen.insert(d.definition_id.clone()) => Slot::Refused(DefinitionResult::rejected(
                d.definition_id,
                "definitionId: appears more than once in this call",
            )),
            Ok(d) => {
                let body = d.body.clone();
                Slot::Valid(Box::new(hashed(d, &body)))
            }
        })
        .collect();

    let mut seen = HashSet::with_capacity(instances.len());
    let instances = instances
        .iter()
        .enumerate()
        .map(|(i, value)| match validate_instance(value) {
            Err(rejection) => {
                Slot::Refused(PrivilegeResult::rejected(id_of(value, "privilegeId", i), rejection.to_string()))
            }
            Ok(p) if !seen.insert(p.privilege_id.clone()) => Slot::Refused(PrivilegeResult::rejected(
                p.privilege_id,
                "privilegeId: appears more than once in this call",
            )),
            Ok(p) => match refused.get(&p.definition_id) {
                Some(reason) => Slot::Refused(PrivilegeResult::rejected(
                    p.privilege_id,
                    format!("definitionId: definition {:?} was rejected in this call ({reason})", p.definition_id),
                )),
                None => {
                    let body = p.body.clone();
                    Slot::Valid(Box::new(hashed(p, &body)))
                }
            },
        })
        .collect();
    (definitions, instances)
}
