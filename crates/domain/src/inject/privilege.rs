//! Digital privileges (docs/products-and-statuses.md#products-that-go-to-the-wallet): a
//! privilege *definition* per box-office product (membership card, season ticket card) and
//! a privilege *instance* per card. Checked once at the edge like injected tickets, with
//! the same field rules where the fields are the same (ids, spectator), so a refusal names
//! the field and the rule.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::fields::Obj;
use super::{Rejection, Spectator, check_id_chars, validate_spectator};

/// The most tickets one privilege may be linked to.
pub const MAX_LINKED_TICKETS: usize = 1_000;

/// What a privilege card is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivilegeKind {
    MembershipCard,
    SeasonTicketCard,
}

impl PrivilegeKind {
    pub const ALL: [PrivilegeKind; 2] = [PrivilegeKind::MembershipCard, PrivilegeKind::SeasonTicketCard];

    pub fn as_str(self) -> &'static str {
        match self {
            PrivilegeKind::MembershipCard => "MEMBERSHIP_CARD",
            PrivilegeKind::SeasonTicketCard => "SEASON_TICKET_CARD",
        }
    }
}

/// A privilege definition that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDefinition {
    pub definition_id: String,
    pub kind: PrivilegeKind,
    pub name: String,
    /// Kept as sent, so the local offset is shown as given.
    pub valid_from: String,
    pub valid_until: String,
    /// The whole definition, canonical (sorted keys): what the content hash covers.
    pub body: Value,
}

/// A privilege instance (one card) that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidInstance {
    pub privilege_id: String,
    pub definition_id: String,
    pub spectator: Spectator,
    /// Wallet ticket ids of the same organizer, without repeats, in the order sent.
    pub linked_ticket_ids: Vec<String>,
    pub barcode: Option<String>,
    /// `Some(true)` marks the card used; nothing ever marks a used card unused.
    pub used: Option<bool>,
    /// The whole instance without `used`, canonical: what the content hash covers, so that
    /// sending the same card again once it was used is still "no change".
    pub body: Value,
}

fn object<'a>(value: &'a Value, what: &str) -> Result<Obj<'a>, Rejection> {
    if value.is_object() { Obj::root(value) } else { Err(Rejection::new(what, "must be a JSON object")) }
}

/// An identifier with the `ticketId` rules: at most 256 characters of the allowed set.
fn required_id(obj: &Obj<'_>, key: &str) -> Result<String, Rejection> {
    let id = obj.required_str(key, 256)?;
    check_id_chars(key, id)?;
    Ok(id.to_owned())
}

/// Checks one privilege definition at time `now`.
pub fn validate_definition(value: &Value, now: DateTime<Utc>) -> Result<ValidDefinition, Rejection> {
    let definition = object(value, "definition")?;
    let definition_id = required_id(&definition, "definitionId")?;
    let name = definition.required_str("name", 128)?.to_owned();
    definition.optional_str("description", 4096)?;
    definition.optional_str("imageUrl", 256)?;
    let (valid_from, from) = definition.required_datetime("validFrom")?;
    let (valid_until, until) = definition.required_datetime("validUntil")?;
    if until <= from {
        return Err(definition.rejection("validUntil", "must be after validFrom"));
    }
    if until <= now {
        return Err(definition.rejection("validUntil", "the privilege has expired"));
    }
    let kinds: Vec<&str> = PrivilegeKind::ALL.iter().map(|k| k.as_str()).collect();
    let kind = match definition.optional_str("kind", 64)? {
        None => return Err(definition.rejection("kind", "is required")),
        Some(kind) => PrivilegeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind)
            .ok_or_else(|| definition.rejection("kind", format!("must be one of {}", kinds.join("|"))))?,
    };
    let (valid_from, valid_until) = (valid_from.to_owned(), valid_until.to_owned());
    Ok(ValidDefinition { definition_id, kind, name, valid_from, valid_until, body: value.clone() })
}

/// Checks one privilege instance.
pub fn validate_instance(value: &Value) -> Result<ValidInstance, Rejection> {
    let instance = object(value, "instance")?;
    let privilege_id = required_id(&instance, "privilegeId")?;
    let definition_id = required_id(&instance, "definitionId")?;
    let spectator = validate_spectator(&instance.required_obj("spectatorDetails")?)?;
    let barcode = instance.optional_str("barcode", 512)?.map(str::to_owned);
    let used = instance.optional_bool("used")?;
    let linked_ticket_ids = linked_ticket_ids(instance.map().get("linkedTicketIds"))?;
    let mut body = value.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove("used");
    }
    Ok(ValidInstance { privilege_id, definition_id, spectator, linked_ticket_ids, barcode, used, body })
}

fn linked_ticket_ids(value: Option<&Value>) -> Result<Vec<String>, Rejection> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Rejection::new("linkedTicketIds", "must be a list of ticket ids")),
    };
    if items.len() > MAX_LINKED_TICKETS {
        return Err(Rejection::new("linkedTicketIds", format!("at most {MAX_LINKED_TICKETS} tickets")));
    }
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = format!("linkedTicketIds[{i}]");
        let id = match item {
            Value::String(id) if !id.trim().is_empty() && id.chars().count() <= 256 => id,
            Value::String(_) => return Err(Rejection::new(field, "must be a ticket id of 1 to 256 characters")),
            _ => return Err(Rejection::new(field, "must be a string")),
        };
        check_id_chars(&field, id)?;
        if ids.contains(id) {
            return Err(Rejection::new(field, format!("{id:?} is listed more than once")));
        }
        ids.push(id.clone());
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn definition() -> Value {
        json!({ "definitionId": "SEASON-2099", "name": "Season card 2099", "kind": "SEASON_TICKET_CARD",
                "validFrom": "2099-07-01T00:00:00+02:00", "validUntil": "2100-06-30T23:59:59+02:00" })
    }

    fn instance() -> Value {
        json!({ "privilegeId": "P-1", "definitionId": "SEASON-2099", "spectatorDetails": { "email": "Fan@Example.org" },
                "linkedTicketIds": ["T1", "T2"], "used": true })
    }

    #[test]
    fn a_complete_definition_and_instance_are_valid_and_used_is_outside_the_hashed_body() {
        let valid = validate_definition(&definition(), Utc::now()).unwrap();
        assert_eq!(valid.kind, PrivilegeKind::SeasonTicketCard);
        let card = validate_instance(&instance()).unwrap();
        assert_eq!(card.spectator.email, "fan@example.org");
        assert_eq!(card.linked_ticket_ids, ["T1", "T2"]);
        assert_eq!(card.used, Some(true));
        assert!(card.body.get("used").is_none());
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let field_of = |edit: &dyn Fn(&mut Value), definition_side: bool| {
            let mut value = if definition_side { definition() } else { instance() };
            edit(&mut value);
            let err = if definition_side {
                validate_definition(&value, Utc::now()).map(|_| ()).unwrap_err()
            } else {
                validate_instance(&value).map(|_| ()).unwrap_err()
            };
            err.field
        };
        assert_eq!(field_of(&|d| d["name"] = json!("n".repeat(129)), true), "name");
        assert_eq!(field_of(&|d| d["kind"] = json!("VOUCHER"), true), "kind");
        assert_eq!(field_of(&|d| d["validUntil"] = json!("2099-01-01T00:00:00Z"), true), "validUntil");
        assert_eq!(field_of(&|d| d["imageUrl"] = json!("u".repeat(257)), true), "imageUrl");
        assert_eq!(field_of(&|i| i["privilegeId"] = json!("bad#id"), false), "privilegeId");
        assert_eq!(field_of(&|i| i["spectatorDetails"] = json!({}), false), "spectatorDetails.email");
        assert_eq!(field_of(&|i| i["linkedTicketIds"] = json!(["T1", 7]), false), "linkedTicketIds[1]");
        assert_eq!(field_of(&|i| i["linkedTicketIds"] = json!(["T1", "T1"]), false), "linkedTicketIds[1]");
        assert_eq!(field_of(&|i| i["barcode"] = json!("b".repeat(513)), false), "barcode");
    }
}
