//! The box office's part of the OpenAPI document: its paths under `/api/boxoffice` and their
//! schemas, merged into [`crate::openapi::document`].

use serde_json::{Map, Value, json};

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn error(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema("BoxOfficeError") } } })
}

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let kind = if name == "id" { "integer" } else { "string" };
            json!({ "name": name, "in": "path", "required": true, "schema": { "type": kind } })
        })
        .collect()
}

/// A create: 201 with the created object; 409 duplicate; 422 bad value or unknown reference.
fn create(path: &str, summary: &str, body: &str, answer: &str) -> Value {
    json!({ "post": {
        "summary": summary,
        "parameters": path_params(path),
        "requestBody": { "required": true, "content": { "application/json": { "schema": schema(body) } } },
        "responses": {
            "201": { "description": "created", "content": { "application/json": { "schema": schema(answer) } } },
            "400": error("malformed JSON; nothing was written"),
            "404": error("unknown organization (or parent resource) in the path"),
            "409": error("a code or number already taken; `field` names it"),
            "422": error("a bad value, a broken rule or an unknown reference; `field` names it")
        }
    } })
}

/// A ticket operation: 200 with the ticket; 409 with `currentStatus` on an illegal move.
fn operation(path: &str, summary: &str, body: Option<&str>, status: &str, answer: &str) -> Value {
    let mut post = json!({
        "summary": summary,
        "parameters": path_params(path),
        "responses": {
            status: { "description": "done", "content": { "application/json": { "schema": schema(answer) } } },
            "404": error("unknown organization or ticket"),
            "409": error("the state machine refuses the move; `currentStatus` is the ticket's status"),
            "422": error("a bad reason code")
        }
    });
    if let Some(body) = body {
        post["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": schema(body) } } });
    }
    json!({ "post": post })
}

fn read(path: &str, summary: &str, query: &[(&str, &str)], answer: Value) -> Value {
    let mut parameters = path_params(path);
    for (name, kind) in query {
        parameters.push(json!({ "name": name, "in": "query", "schema": { "type": kind } }));
    }
    json!({ "get": {
        "summary": summary,
        "parameters": parameters,
        "responses": { "200": { "description": "found", "content": answer }, "400": error("bad query parameter"), "404": error("not found") }
    } })
}

fn as_json(name: &str) -> Value {
    json!({ "application/json": { "schema": schema(name) } })
}

const ORG: &str = "/api/boxoffice/organizations/{org}";

/// The box office's paths.
pub fn paths() -> Map<String, Value> {
    let at = |suffix: &str| format!("{ORG}{suffix}");
    let mut paths = Map::new();
    let mut add = |path: String, item: Value| {
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry.as_object_mut().unwrap().extend(item.as_object().unwrap().clone());
    };
    add("/api/boxoffice/organizations".into(), create("", "Create an organization", "NewOrganization", "Organization"));
    add(ORG.into(), read(ORG, "One organization, with its inventory owner", &[], as_json("Organization")));
    add(at("/seasons"), create(ORG, "Create a season (inventory owners only)", "NewSeason", "Created"));
    add(at("/products"), create(ORG, "Create a product (inventory owners only)", "NewProduct", "Created"));
    let perf = at("/products/{product}/performances");
    add(perf.clone(), create(&perf, "Create a performance of an EVENT or MATCH product", "NewPerformance", "Created"));
    for (resource, what) in [
        ("seat-categories", "a seat category (inventory owners only)"),
        ("tariffs", "a tariff (inventory owners only)"),
        ("contingents", "a contingent (inventory owners only)"),
        ("sales-channels", "a sales channel"),
    ] {
        add(at(&format!("/{resource}")), create(ORG, &format!("Create {what}"), "NewReference", "Created"));
    }
    let pos = at("/sales-channels/{channel}/points-of-sale");
    add(pos.clone(), create(&pos, "Create a point of sale of a sales channel", "NewReference", "Created"));
    add(at("/shipment-modes"), create(ORG, "Create a shipment mode", "NewShipmentMode", "Created"));
    add(at("/contacts"), create(ORG, "Create a contact", "NewContact", "Contact"));
    add(
        at("/contacts"),
        read(
            ORG,
            "Contacts with an e-mail, the preferred first (SPEC §7.1)",
            &[("email", "string")],
            json!({
                "application/json": { "schema": { "type": "object", "properties": { "contacts": { "type": "array", "items": schema("Contact") } } } }
            }),
        ),
    );
    let contact = at("/contacts/{id}");
    add(contact.clone(), read(&contact, "One contact", &[], as_json("Contact")));
    add(
        at("/files"),
        create(ORG, "Issue a file (order) and its NOT_PRINTED tickets, all or nothing", "NewFile", "File"),
    );
    let file = at("/files/{fileNumber}");
    add(file.clone(), read(&file, "One file with its tickets", &[], as_json("File")));
    add(
        at("/tickets"),
        read(
            ORG,
            "A page of tickets by id",
            &[("status", "string"), ("performance", "string"), ("limit", "integer"), ("afterId", "integer")],
            json!({
                "application/json": { "schema": { "type": "object", "properties": {
                    "tickets": { "type": "array", "items": schema("BoxOfficeTicket") },
                    "nextAfterId": { "type": ["integer", "null"], "description": "pass as afterId; null on the last page" } } } }
            }),
        ),
    );
    let ticket = at("/tickets/{id}");
    add(
        ticket.clone(),
        read(
            &ticket,
            "One ticket, every column, with the feedback mirror and both histories",
            &[],
            as_json("BoxOfficeTicket"),
        ),
    );
    for (op, summary, body) in [
        ("cancel", "Cancel: CANCELLED with a reason code", Some("Reason")),
        ("invalidate", "Invalidate: INVALIDATED with a reason code", Some("Reason")),
        ("reason", "Change the reason of a CANCELLED or INVALIDATED ticket", Some("Reason")),
        ("control", "Back-office check-in: CONTROLLED", None),
    ] {
        let path = at(&format!("/tickets/{{id}}/{op}"));
        add(path.clone(), operation(&path, summary, body, "200", "BoxOfficeTicket"));
    }
    let reprint = at("/tickets/{id}/reprint");
    add(
        reprint.clone(),
        operation(
            &reprint,
            "Reprint: invalidate with REPRINT and issue a linked NOT_PRINTED copy with a new barcode",
            None,
            "201",
            "Reprint",
        ),
    );
    add(
        at("/scans"),
        operation(
            ORG,
            "Gate scan: control the ticket with this barcode (404 unknown; 409 code ALREADY_CONTROLLED or NOT_VALID)",
            Some("Scan"),
            "200",
            "BoxOfficeTicket",
        ),
    );
    add(
        at("/import/csv"),
        json!({ "post": {
        "summary": "Load tickets from CSV (UTF-8, header row, ≤ 64 MiB, ≤ 1,000,000 rows), all or nothing",
        "parameters": path_params(ORG),
        "requestBody": { "required": true, "content": { "text/csv": { "schema": { "type": "string",
            "description": "columns: fileNumber, contactEmail, contactFirstName, contactLastName, productCode, performanceCode, seatCategoryCode, tariffCode, contingentCode, shipmentModeCode, taxNumber, barcode, block, row, seat, priceCents, currency, salesChannelCode (the first two and productCode, shipmentModeCode required)" } } } },
        "responses": {
            "201": { "description": "written", "content": as_json("ImportOutcome") },
            "404": error("unknown organization"),
            "413": error("body or row count over the limit"),
            "422": { "description": "bad header, or bad rows (each listed in badRows); nothing was written", "content": as_json("ImportRefused") }
        }
    } }),
    );
    let away = at("/performances/{product}/{performance}/away-export");
    let mut away_item = read(
        &away,
        "Away fans' spreadsheet: MOBILE_EXTERNAL tickets of the performance (SPEC §7.2)",
        &[("seatCategory", "string"), ("contingent", "string")],
        json!({ "text/csv": { "schema": { "type": "string", "description": "block,row,seat,barcode,ticketId,firstName,lastName,email (the last three empty)" } } }),
    );
    away_item["get"]["responses"].as_object_mut().unwrap().remove("400");
    add(away, away_item);
    paths
}

fn strings(names: &[&str]) -> Value {
    Value::Object(names.iter().map(|n| ((*n).to_owned(), json!({ "type": "string" }))).collect())
}

/// The box office's schemas.
pub fn schemas() -> Map<String, Value> {
    let statuses: Vec<&str> = tixbridge_domain::TicketStatus::ALL.iter().map(|s| s.as_str()).collect();
    let kinds: Vec<&str> = tixbridge_domain::ProductKind::ALL.iter().map(|s| s.as_str()).collect();
    let shapes: Vec<&str> = tixbridge_domain::SeasonShape::ALL.iter().map(|s| s.as_str()).collect();
    let shipment: Vec<&str> = tixbridge_domain::ShipmentType::ALL.iter().map(|s| s.as_str()).collect();
    let reason = json!({ "type": "string", "maxLength": 64, "pattern": "^[A-Z0-9_]+$" });
    let date_time =
        json!({ "type": "string", "format": "date-time", "description": "RFC 3339 with offset, kept as given" });
    let mut contact = strings(&[
        "title",
        "firstName",
        "lastName",
        "email",
        "phone",
        "nationality",
        "idNumber",
        "countryCode",
        "birthRegion",
        "birthPlace",
        "language",
    ]);
    let c = contact.as_object_mut().unwrap();
    c.insert("kind".into(), json!({ "enum": ["INDIVIDUAL", "RELAY"], "default": "INDIVIDUAL" }));
    c.insert("birthDate".into(), json!({ "type": "string", "format": "date" }));
    for flag in ["temporary", "pendingCreation", "hasInternetAccount", "consentMarketing", "consentThirdParty"] {
        c.insert(flag.into(), json!({ "type": "boolean", "default": false }));
    }
    let mut ticket_request = strings(&[
        "productCode",
        "performanceCode",
        "seatCategoryCode",
        "tariffCode",
        "contingentCode",
        "shipmentModeCode",
        "taxNumber",
        "barcode",
        "block",
        "row",
        "seat",
        "gate",
        "level",
        "area",
        "currency",
    ]);
    let t = ticket_request.as_object_mut().unwrap();
    t.insert("priceCents".into(), json!({ "type": "integer", "minimum": 0 }));
    t.insert("holderContactId".into(), json!({ "type": "integer" }));
    t.insert("validityStart".into(), date_time.clone());
    t.insert("validityEnd".into(), date_time.clone());
    let mut ticket = strings(&[
        "organizationCode",
        "fileNumber",
        "productCode",
        "productKind",
        "performanceCode",
        "seatCategoryCode",
        "tariffCode",
        "contingentCode",
        "shipmentModeCode",
        "shipmentModeType",
        "salesChannelCode",
        "taxNumber",
        "barcode",
        "block",
        "row",
        "seat",
        "gate",
        "level",
        "area",
        "currency",
        "validityStart",
        "validityEnd",
        "invalidationReason",
        "issuedAt",
        "statusChangedAt",
        "mobileStatus",
        "walletOwnerEmail",
        "walletHolder",
        "walletSyncedAt",
    ]);
    let t = ticket.as_object_mut().unwrap();
    for id in [
        "id",
        "organizationId",
        "fileId",
        "productId",
        "performanceId",
        "contactId",
        "holderContactId",
        "replacesTicketId",
        "replacedByTicketId",
        "priceCents",
        "forwardTransfers",
        "backwardTransfers",
    ] {
        t.insert(id.into(), json!({ "type": "integer" }));
    }
    t.insert("status".into(), json!({ "enum": statuses }));
    t.insert("mobileHistory".into(), json!({ "type": "array", "description": "GET one ticket only", "items": { "type": "object", "properties": { "at": { "type": "string" }, "status": { "type": "string" }, "action": { "type": "string" }, "detail": {} } } }));
    t.insert("distributionHistory".into(), json!({ "type": "array", "description": "GET one ticket only", "items": { "type": "object", "properties": { "contactId": { "type": "integer" }, "action": { "type": "string" }, "status": { "enum": ["PENDING", "CANCELLED", "CONFIRMED"] }, "at": { "type": "string", "format": "date-time" } } } }));
    let schemas = json!({
        "BoxOfficeError": { "type": "object", "required": ["error"], "properties": {
            "error": { "type": "string" }, "field": { "type": "string" },
            "currentStatus": { "enum": statuses, "description": "on a refused move" },
            "code": { "enum": ["ALREADY_CONTROLLED", "NOT_VALID"], "description": "on a refused scan" },
            "ticketId": { "type": "integer", "description": "on a refused scan" } } },
        "NewOrganization": { "type": "object", "required": ["code", "name"], "properties": {
            "code": { "type": "string" }, "name": { "type": "string" }, "parentCode": { "type": "string" },
            "ownsInventory": { "type": "boolean", "default": true } } },
        "Organization": { "type": "object", "properties": {
            "id": { "type": "integer" }, "code": { "type": "string" }, "name": { "type": "string" }, "parentCode": { "type": ["string", "null"] },
            "ownsInventory": { "type": "boolean" }, "inventoryOwnerId": { "type": ["integer", "null"] }, "inventoryOwnerCode": { "type": ["string", "null"] } } },
        "Created": { "type": "object", "required": ["id", "code"], "description": "the created object, with its id", "properties": {
            "id": { "type": "integer" }, "code": { "type": "string" } } },
        "NewSeason": { "type": "object", "required": ["code", "name", "start", "end"], "properties": {
            "code": { "type": "string" }, "name": { "type": "string" }, "start": date_time, "end": date_time } },
        "NewProduct": { "type": "object", "required": ["code", "name", "kind", "family"], "properties": {
            "code": { "type": "string" }, "name": { "type": "string" }, "externalName": { "type": "string" },
            "kind": { "enum": kinds }, "family": { "type": "string" }, "seasonCode": { "type": "string" },
            "seasonShape": { "enum": shapes, "description": "SEASON_TICKET_CARD only; default CARD_ONLY" },
            "mobileEnabled": { "type": "boolean", "default": true },
            "comfortVariables": { "type": "object", "additionalProperties": false, "description": "undated products only (SPEC §7.3)", "properties": {
                "TIXAct": { "type": "string" }, "TIXStart": { "type": "string" }, "TIXExp": { "type": "string" },
                "TIXRGrp": { "type": "string", "maxLength": 50 } } } } },
        "NewPerformance": { "type": "object", "required": ["code", "start", "site"], "properties": {
            "code": { "type": "string" }, "start": date_time, "durationMinutes": { "type": "integer", "minimum": 1, "maximum": 10080 },
            "site": { "type": "object", "required": ["name"], "properties": {
                "name": { "type": "string" }, "externalName": { "type": "string" }, "space": { "type": "string" },
                "address": { "type": "object", "properties": { "line1": { "type": "string" }, "city": { "type": "string" }, "zip": { "type": "string" }, "countryCode": { "type": "string" } } } } },
            "hostTeam": { "type": "string" }, "opposingTeam": { "type": "string" } } },
        "NewReference": { "type": "object", "required": ["code", "name"], "properties": { "code": { "type": "string" }, "name": { "type": "string" } } },
        "NewShipmentMode": { "type": "object", "required": ["code", "name", "type"], "properties": {
            "code": { "type": "string" }, "name": { "type": "string" }, "type": { "enum": shipment } } },
        "NewContact": { "type": "object", "description": "lastName or email required", "properties": contact },
        "Contact": { "type": "object", "properties": contact },
        "TicketRequest": { "type": "object", "required": ["productCode", "shipmentModeCode", "priceCents"], "properties": ticket_request },
        "NewFile": { "type": "object", "required": ["contactId", "tickets"], "properties": {
            "fileNumber": { "type": "string", "description": "generated when absent" }, "contactId": { "type": "integer" },
            "salesChannelCode": { "type": "string" },
            "tickets": { "type": "array", "minItems": 1, "maxItems": 10000, "items": schema("TicketRequest") } } },
        "File": { "type": "object", "properties": {
            "id": { "type": "integer" }, "organizationCode": { "type": "string" }, "fileNumber": { "type": "string" },
            "contactId": { "type": "integer" }, "salesChannelCode": { "type": ["string", "null"] },
            "tickets": { "type": "array", "items": schema("BoxOfficeTicket") } } },
        "BoxOfficeTicket": { "type": "object", "properties": ticket },
        "Reason": { "type": "object", "required": ["reason"], "properties": { "reason": reason } },
        "Scan": { "type": "object", "required": ["barcode"], "properties": { "barcode": { "type": "string" } } },
        "Reprint": { "type": "object", "properties": { "old": schema("BoxOfficeTicket"), "new": schema("BoxOfficeTicket") } },
        "ImportOutcome": { "type": "object", "properties": {
            "rows": { "type": "integer" }, "ticketsCreated": { "type": "integer" }, "filesCreated": { "type": "integer" }, "contactsCreated": { "type": "integer" } } },
        "ImportRefused": { "type": "object", "properties": {
            "error": { "type": "string" }, "field": { "type": "string" }, "badRowCount": { "type": "integer" },
            "badRows": { "type": "array", "maxItems": 1000, "items": { "type": "object", "properties": {
                "row": { "type": "integer", "description": "data row, from 1" }, "line": { "type": "integer" },
                "field": { "type": "string" }, "error": { "type": "string" } } } } } }
    });
    match schemas {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
