//! Turning a box-office ticket into the wallet's injected ticket
//! (docs/products-and-statuses.md#products-that-go-to-the-wallet,
//! docs/wallet-api.md#injected-ticket-fields, docs/interface.md#who-receives-the-ticket,
//! docs/interface.md#comfort-variables). The payload is a pure function of the stored data
//! — no clock, no randomness — so a ticket sent again after a crash is byte-for-byte the
//! same and the wallet sees no change.

use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, SecondsFormat};
use serde_json::{Map, Value, json};
use tixbridge_domain::ComfortVariables;
use tixbridge_domain::comfort::resolve;

use crate::functions::settings::InjectionSettings;
use crate::params::CustomParameters;
use tixbridge_boxoffice::wallet_side::injection_catalog::{Coded, Performance, TicketRow};

/// Why a ticket could not be turned into a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError(pub String);

fn fail(message: impl Into<String>) -> PayloadError {
    PayloadError(message.into())
}

fn parse_local(field: &str, text: Option<&str>) -> Result<Option<DateTime<FixedOffset>>, PayloadError> {
    text.map(|t| DateTime::parse_from_rfc3339(t).map_err(|_| fail(format!("{field}: {t:?} is not RFC 3339"))))
        .transpose()
}

fn text(at: DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A text the wallet shows, as `sendMultilingualAsJsonObject` asks: `{"en": "…"}` (the box
/// office holds one language) or plain text.
fn shown(text: &str, params: &CustomParameters) -> Value {
    if params.send_multilingual_as_json_object { json!({ "en": text }) } else { json!(text) }
}

/// The wallet event: from the performance for dated products, from comfort variables or the
/// ticket's validity for undated ones. Also the activation parameters comfort variables set.
fn event_and_activation(row: &TicketRow, params: &CustomParameters) -> Result<(Value, Option<Value>), PayloadError> {
    let performance = row.performance.as_deref();
    let teams = performance.and_then(|pf| pf.host_team.as_ref().zip(pf.opposing_team.as_ref()));
    let name = match teams {
        Some((host, opposing)) => format!("{host} - {opposing}"),
        None => row.product.external_name.clone().unwrap_or_else(|| row.product.name.clone()),
    };
    let name = shown(&name, params);
    let mut address = Map::new();
    if let Some(pf) = performance {
        for (key, value) in [
            ("site", pf.site_external_name.as_ref().or(pf.site_name.as_ref())),
            ("line1", pf.address_line1.as_ref()),
            ("city", pf.city.as_ref()),
        ] {
            if let Some(value) = value {
                address.insert(key.into(), shown(value, params));
            }
        }
        // codes, never translated
        for (key, value) in [("zip", pf.zip.as_ref()), ("countryCode", pf.country_code.as_ref())] {
            if let Some(value) = value {
                address.insert(key.into(), json!(value));
            }
        }
    }
    if let Some(pf) = performance {
        let start_text = pf.starts_local.as_str();
        let start = parse_local("performance.start", Some(start_text))?.expect("given");
        let minutes = pf.duration_minutes.filter(|m| *m > 0).unwrap_or(24 * 60);
        let expiry = start + Duration::minutes(minutes);
        let event = json!({
            "id": format!("P{}", pf.id),
            "name": name,
            "startTime": start_text,
            "expirationDate": text(expiry),
            "address": address,
        });
        return Ok((event, None));
    }
    let vars = ComfortVariables::from_json_text(&row.product.comfort_variables).map_err(|e| fail(e.to_string()))?;
    let validity_start = parse_local("validityStart", row.t.validity_start_local.as_deref())?;
    let validity_end = parse_local("validityEnd", row.t.validity_end_local.as_deref())?;
    let season_start = parse_local("season.start", row.product.season_start.as_deref())?;
    let season_end = parse_local("season.end", row.product.season_end.as_deref())?;
    let reference = validity_start
        .or(season_start)
        .ok_or_else(|| fail("validityStart: an undated ticket needs a validity start (or a season)"))?;
    let offset = *reference.offset();
    let comfort = |value| resolve(value, reference, season_start, season_end, offset).map_err(|e| fail(e.to_string()));
    let start = match vars.start {
        Some(value) => comfort(value)?,
        None => reference,
    };
    let expiry = match vars.expiration {
        Some(value) => comfort(value)?,
        None => validity_end
            .or(season_end)
            .ok_or_else(|| fail("validityEnd: an undated ticket needs a validity end (or TIXExp)"))?,
    };
    let event = json!({
        "id": format!("U{}-{}-{}", row.product.id, start.timestamp(), expiry.timestamp()),
        "name": name,
        "startTime": text(start),
        "expirationDate": text(expiry),
        "address": address,
    });
    let mut activation = Map::new();
    if let Some(value) = vars.activation {
        activation.insert("time".into(), json!(text(comfort(value)?)));
    }
    if let Some(group) = vars.group {
        activation.insert("groupId".into(), json!(group));
    }
    Ok((event, (!activation.is_empty()).then_some(Value::Object(activation))))
}

/// The id of the wallet event `row` is injected into
/// (docs/products-and-statuses.md#dates-of-the-wallet-event).
pub fn event_id(row: &TicketRow, params: &CustomParameters) -> Result<String, PayloadError> {
    let (event, _) = event_and_activation(row, params)?;
    Ok(event["id"].as_str().unwrap_or_default().to_owned())
}

/// Who receives the ticket (docs/interface.md#who-receives-the-ticket): the box-office
/// owner, or for a reprint of an injected ticket the last owner the wallet reported —
/// unless the old ticket's invalidation reason asks to reset to the current box-office
/// holder.
fn recipient_email(row: &TicketRow, params: &CustomParameters) -> Option<String> {
    if row.t.replaces_ticket_id.is_some() {
        let reset =
            row.t.replaced_reason.as_ref().is_some_and(|r| params.reset_injection_invalidation_reasons.contains(r));
        if reset {
            return row.t.holder_email.clone().or_else(|| row.t.owner_email.clone());
        }
        if params.overlay_spectator_details_with_last_owner
            && let Some(last_owner) = &row.t.replaced_wallet_owner
        {
            return Some(last_owner.clone());
        }
    }
    row.t.owner_email.clone()
}

fn code(coded: &Option<Arc<Coded>>) -> Option<&str> {
    coded.as_ref().map(|c| c.code.as_str())
}

fn filled(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.trim().is_empty())
}

/// Builds the wallet payload of one ticket.
pub fn build(row: &TicketRow, settings: &InjectionSettings, params: &CustomParameters) -> Result<Value, PayloadError> {
    let (event, activation) = event_and_activation(row, params)?;
    let mut spectator = Map::new();
    // without one the wallet refuses the ticket: checked before sending when
    // `enforceMandatoryParameters=true`, else left for the wallet to refuse
    if let Some(email) = recipient_email(row, params) {
        spectator.insert("email".into(), json!(email));
    }
    for (key, value) in [
        ("title", &row.t.holder_title),
        ("firstName", &row.t.holder_first_name),
        ("lastName", &row.t.holder_last_name),
        ("birthDate", &row.t.holder_birth_date),
        ("nationality", &row.t.holder_nationality),
        ("idNumber", &row.t.holder_id_number),
        ("countryCode", &row.t.holder_country_code),
        ("birthRegion", &row.t.holder_birth_region),
        ("birthPlace", &row.t.holder_birth_place),
    ] {
        if filled(value) {
            spectator.insert(key.into(), json!(value));
        }
    }
    if settings.main_applicant
        && filled(&row.t.holder_first_name)
        && filled(&row.t.holder_last_name)
        && filled(&row.t.holder_email)
    {
        spectator.insert("mainApplicant".into(), json!(true));
    }
    let mut purchase = Map::new();
    purchase.insert("fileNumber".into(), json!(row.t.file_number));
    if let Some(at) = DateTime::from_timestamp_millis(row.t.file_created_at) {
        purchase.insert("purchaseDate".into(), json!(at.to_rfc3339_opts(SecondsFormat::Secs, true)));
    }
    purchase.insert("price".into(), json!(row.t.price_cents as f64 / 100.0));
    purchase.insert("currency".into(), json!(row.t.currency));
    if let Some(category) = &row.seat_category {
        purchase.insert("category".into(), shown(&category.name, params));
    }
    for (key, value) in [
        ("taxNumber", row.t.tax_number.as_deref()),
        ("tariffId", code(&row.tariff)),
        ("seatCategoryId", code(&row.seat_category)),
        ("contingentId", code(&row.contingent)),
    ] {
        if let Some(value) = value {
            purchase.insert(key.into(), json!(value));
        }
    }
    let barcode = format!("{}{}{}", settings.barcode_prefix, row.t.barcode, settings.barcode_postfix);
    let mut ticket = json!({
        "ticketId": row.t.id.to_string(),
        "event": event,
        "security": { "barcode": barcode },
        "spectatorDetails": spectator,
        "purchaseDetails": purchase,
        "seated": row.t.block.is_some() || row.t.row_name.is_some() || row.t.seat.is_some(),
        "numbered": row.t.seat.is_some(),
    });
    for (key, value) in [
        ("block", &row.t.block),
        ("row", &row.t.row_name),
        ("seat", &row.t.seat),
        ("gate", &row.t.gate),
        ("level", &row.t.level_name),
        ("area", &row.t.area),
    ] {
        if let Some(value) = value {
            ticket[key] = json!(value);
        }
    }
    if let Some(activation) = activation {
        ticket["activationParameters"] = activation;
    }
    ticket["ticketDetails"] = ticket_details(row, params);
    Ok(ticket)
}

fn ticket_details(row: &TicketRow, params: &CustomParameters) -> Value {
    let text = |value: &str| shown(value, params);
    let mut main = Vec::new();
    if let Some(category) = &row.seat_category {
        main.push(json!({ "key": "Category", "value": text(&category.name) }));
    }
    if let Some(tariff) = &row.tariff {
        main.push(json!({ "key": "Tariff", "value": text(&tariff.name) }));
    }
    json!({ "main": main, "extra": [{ "key": "File", "value": text(&row.t.file_number) }] })
}

/// The box-office variables a template may use, by name (`${Performance_hostTeam}` …).
pub fn variables(row: &TicketRow) -> Vec<(&'static str, String)> {
    let (product, performance) = (&row.product, row.performance.as_deref());
    let of_performance = |field: fn(&Performance) -> &Option<String>| performance.and_then(|pf| field(pf).clone());
    let mut vars = vec![
        ("Product_name", Some(product.name.clone())),
        ("Product_externalName", product.external_name.clone().or_else(|| Some(product.name.clone()))),
        ("Product_code", Some(product.code.clone())),
        ("Performance_code", performance.map(|pf| pf.code.clone())),
        ("Performance_hostTeam", of_performance(|pf| &pf.host_team)),
        ("Performance_opposingTeam", of_performance(|pf| &pf.opposing_team)),
        ("Site_name", of_performance(|pf| &pf.site_name)),
        (
            "Site_externalName",
            of_performance(|pf| &pf.site_external_name).or_else(|| of_performance(|pf| &pf.site_name)),
        ),
        ("Space_name", of_performance(|pf| &pf.space_name)),
        ("SeatCategory_name", row.seat_category.as_ref().map(|c| c.name.clone())),
        ("Tariff_name", row.tariff.as_ref().map(|c| c.name.clone())),
        ("File_number", Some(row.t.file_number.clone())),
        ("Ticket_block", row.t.block.clone()),
        ("Ticket_row", row.t.row_name.clone()),
        ("Ticket_seat", row.t.seat.clone()),
        ("Contact_firstName", row.t.holder_first_name.clone()),
        ("Contact_lastName", row.t.holder_last_name.clone()),
    ];
    vars.retain(|(_, v)| v.is_some());
    vars.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect()
}
