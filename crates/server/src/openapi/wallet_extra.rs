//! The OpenAPI entries of the wallet's privilege and CSV injection calls (SPEC §2, §5, §7.2),
//! merged into the one document by [`super::document`].

use serde_json::{Value, json};

fn answer(description: &str, schema: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

pub(super) fn paths() -> Value {
    let security = json!([{ "basic": [] }, { "apiKey": [] }]);
    let event_parameters: Vec<Value> = ["eventId", "eventName", "eventStartTime", "eventExpirationDate"]
        .iter()
        .map(|name| {
            json!({ "name": name, "in": "query", "schema": { "type": "string" },
                    "description": "the column's value for every row (then the file must not have that column)" })
        })
        .collect();
    json!({
        "/api/organizer/privileges": { "post": {
            "summary": "Inject privilege definitions (one per product) and instances (one per card); idempotent per definitionId and privilegeId",
            "security": security,
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PrivilegeRequest" } } } },
            "responses": {
                "200": answer("one result per definition and per instance, in order", "PrivilegeAnswer"),
                "400": { "$ref": "#/components/responses/BadRequest" },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "413": { "$ref": "#/components/responses/BadRequest" }
            }
        } },
        "/api/organizer/tickets/transfers/cancel": { "post": {
            "summary": "Cancel pending transfers: each ticket goes back to its sender as FAILURE",
            "security": security,
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "array", "maxItems": 10000, "items": { "type": "object", "required": ["ticketId"],
                    "properties": { "ticketId": { "type": "string" } } } } } } },
            "responses": {
                "200": answer("one result per ticket, in order; REJECTED names the status when no offer is pending", "BatchAnswer"),
                "400": { "$ref": "#/components/responses/BadRequest" },
                "401": { "$ref": "#/components/responses/Unauthorized" }
            }
        } },
        "/api/organizer/privileges/use": { "post": {
            "summary": "Mark privileges used; a used privilege is refused naming its status",
            "security": security,
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "array", "maxItems": 10000, "items": { "$ref": "#/components/schemas/UseRequest" } } } } },
            "responses": {
                "200": answer("one result per privilege, in order", "UseAnswer"),
                "400": { "$ref": "#/components/responses/BadRequest" },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "413": { "$ref": "#/components/responses/BadRequest" }
            }
        } },
        "/api/organizer/privileges/{privilegeId}": { "get": {
            "summary": "One privilege, whole, with its definition and linked tickets",
            "security": security,
            "parameters": [{ "name": "privilegeId", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": {
                "200": answer("the privilege", "Privilege"),
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "404": { "$ref": "#/components/responses/NotFound" }
            }
        } },
        "/api/organizer/tickets/csv": { "post": {
            "summary": "Inject tickets from a CSV file (UTF-8, header row, at most 20,000 rows) as a background job",
            "description": "Columns, in any order: ticketId, eventId, eventName, eventStartTime, eventExpirationDate, barcode, email (required), firstName, lastName, block, row, seat, category, price, currency, purchaseDate, fileNumber, site, city, countryCode. Dates are RFC 3339. Comma, semicolon or tab separated. The event columns may instead be given once as query parameters. A malformed file is refused and creates no job; each row is then injected like a ticket of POST /api/organizer/tickets.",
            "security": security,
            "parameters": event_parameters,
            "requestBody": { "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } },
            "responses": {
                "202": answer("the file is stored; its job is IN_PROGRESS (Location: the job)", "CsvJobCreated"),
                "400": { "$ref": "#/components/responses/BadRequest" },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "413": { "$ref": "#/components/responses/BadRequest" },
                "415": { "$ref": "#/components/responses/BadRequest" }
            }
        } },
        "/api/organizer/tickets/csv/{jobId}": { "get": {
            "summary": "A CSV injection job: its status and one result per row",
            "security": security,
            "parameters": [
                { "name": "jobId", "in": "path", "required": true, "schema": { "type": "string" } },
                { "name": "waitSeconds", "in": "query", "schema": { "type": "integer", "minimum": 0, "maximum": 60, "default": 0 },
                  "description": "hold the answer until the job ends or this many seconds pass" }
            ],
            "responses": {
                "200": answer("the job", "CsvJob"),
                "400": { "$ref": "#/components/responses/BadRequest" },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "404": { "$ref": "#/components/responses/NotFound" }
            }
        } }
    })
}

pub(super) fn schemas() -> Value {
    let outcome = json!({ "enum": ["ACCEPTED", "REJECTED"] });
    let change = json!({ "enum": ["CREATED", "UPDATED", "UNCHANGED"] });
    let privilege_status = json!({ "enum": ["ACTIVE", "USED"] });
    json!({
        "PrivilegeRequest": { "type": "object", "properties": {
            "definitions": { "type": "array", "maxItems": 1000, "items": { "$ref": "#/components/schemas/PrivilegeDefinition" } },
            "instances": { "type": "array", "maxItems": 10000, "items": { "$ref": "#/components/schemas/PrivilegeInstance" } } } },
        "PrivilegeDefinition": { "type": "object", "required": ["definitionId", "name", "validFrom", "validUntil", "kind"], "properties": {
            "definitionId": { "type": "string", "maxLength": 256, "pattern": "^[A-Za-z0-9 *.\\-_+/()]+$" },
            "name": { "type": "string", "maxLength": 128 }, "description": { "type": "string", "maxLength": 4096 },
            "imageUrl": { "type": "string", "maxLength": 256 },
            "validFrom": { "type": "string", "format": "date-time" }, "validUntil": { "type": "string", "format": "date-time" },
            "kind": { "enum": ["MEMBERSHIP_CARD", "SEASON_TICKET_CARD"] }, "metadata": {} } },
        "PrivilegeInstance": { "type": "object", "required": ["privilegeId", "definitionId", "spectatorDetails"], "properties": {
            "privilegeId": { "type": "string", "maxLength": 256, "pattern": "^[A-Za-z0-9 *.\\-_+/()]+$" },
            "definitionId": { "type": "string", "description": "sent in this call or before" },
            "spectatorDetails": { "$ref": "#/components/schemas/InjectedTicket/properties/spectatorDetails" },
            "linkedTicketIds": { "type": "array", "maxItems": 1000, "items": { "type": "string" }, "description": "wallet tickets of the same organizer" },
            "barcode": { "type": "string", "maxLength": 512 },
            "used": { "type": "boolean", "description": "true marks the card used; a used card is never made unused" } } },
        "PrivilegeAnswer": { "type": "object", "required": ["definitions", "results"], "properties": {
            "definitions": { "type": "array", "items": { "type": "object", "required": ["definitionId", "status"], "properties": {
                "definitionId": { "type": "string" }, "status": outcome, "reason": { "type": "string" }, "change": change } } },
            "results": { "type": "array", "items": { "$ref": "#/components/schemas/PrivilegeResult" } } } },
        "PrivilegeResult": { "type": "object", "required": ["privilegeId", "status"], "properties": {
            "privilegeId": { "type": "string" }, "status": outcome, "reason": { "type": "string", "description": "field or rule; for a refused use, the current status" },
            "change": change, "currentStatus": privilege_status } },
        "UseRequest": { "type": "object", "required": ["privilegeId"], "properties": {
            "privilegeId": { "type": "string" }, "usedAt": { "type": "string", "format": "date-time" } } },
        "UseAnswer": { "type": "object", "required": ["results"], "properties": {
            "results": { "type": "array", "items": { "$ref": "#/components/schemas/PrivilegeResult" } } } },
        "Privilege": { "type": "object", "properties": {
            "privilegeId": { "type": "string" }, "status": privilege_status, "transferable": { "const": false },
            "definition": { "$ref": "#/components/schemas/PrivilegeDefinition" }, "owner": { "type": "object" },
            "barcode": { "type": ["string", "null"] }, "linkedTicketIds": { "type": "array", "items": { "type": "string" } },
            "linkedTickets": { "type": "array", "items": { "type": "object", "properties": {
                "ticketId": { "type": "string" }, "status": { "$ref": "#/components/schemas/WalletStatus" }, "eventId": { "type": "string" } } } },
            "injectedAt": { "type": "string", "format": "date-time" }, "updatedAt": { "type": "string", "format": "date-time" },
            "usedAt": { "type": ["string", "null"], "format": "date-time" },
            "privilege": { "$ref": "#/components/schemas/PrivilegeInstance" } } },
        "CsvJobCreated": { "type": "object", "required": ["jobId", "status", "total"], "properties": {
            "jobId": { "type": "string" }, "status": { "const": "IN_PROGRESS" }, "total": { "type": "integer" } } },
        "CsvJob": { "type": "object", "required": ["jobId", "status", "total", "accepted", "rejected", "results"], "properties": {
            "jobId": { "type": "string" }, "status": { "enum": ["IN_PROGRESS", "COMPLETED", "FAILED"] },
            "total": { "type": "integer" }, "processed": { "type": "integer" },
            "accepted": { "type": "integer" }, "rejected": { "type": "integer" },
            "failure": { "type": ["string", "null"] },
            "createdAt": { "type": "string", "format": "date-time" }, "finishedAt": { "type": ["string", "null"], "format": "date-time" },
            "results": { "type": "array", "items": { "type": "object", "required": ["row", "status"], "properties": {
                "row": { "type": "integer", "description": "the line the row starts on; the header is line 1" },
                "ticketId": { "type": ["string", "null"] }, "status": outcome,
                "reason": { "type": "string", "description": "the column at fault and the rule" } } } } } }
    })
}
