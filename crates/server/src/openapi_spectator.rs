//! The spectator wallet and gate part of the OpenAPI document: spectator API, per-event and
//! device settings, gate verification, offline bundle and scan upload, and the gate scan.

use serde_json::{Value, json};

fn op(summary: &str, security: &str, body: Option<&str>, ok: &str) -> Value {
    let mut operation = json!({
        "summary": summary,
        "security": match security {
            "spectator" => json!([{ "spectatorSession": [] }]),
            "organizer" => json!([{ "basic": [] }, { "apiKey": [] }]),
            _ => json!([]),
        },
        "responses": {
            ok: { "description": "done", "content": { "application/json": {} } },
            "400": { "$ref": "#/components/responses/BadRequest" },
            "401": { "$ref": "#/components/responses/Unauthorized" },
            "404": { "$ref": "#/components/responses/NotFound" },
            "409": { "description": "the ticket's status or an event rule forbids it now (the reason names it)",
                     "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        }
    });
    if let Some(schema) = body {
        operation["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": {
            "$ref": format!("#/components/schemas/{schema}") } } } });
    }
    operation
}

/// Paths of the spectator API and the gate.
pub fn paths() -> Value {
    let id = json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" }, "description": "the wallet's ticket (or transfer) id" });
    let event = json!({ "name": "eventId", "in": "path", "required": true, "schema": { "type": "string" } });
    let mut sign_in = op(
        "Mail a one-time sign-in code and link (same answer whether or not the address has tickets)",
        "",
        Some("SignIn"),
        "202",
    );
    sign_in["responses"]["429"] = json!({ "description": "too many sign-in attempts for this account or address" });
    let mut session = op(
        "Exchange a code (with its e-mail) or a link token for a session on a device",
        "",
        Some("SessionRequest"),
        "200",
    );
    session["responses"]["403"] = json!({ "description": "past the account's device limits; the message says which" });
    session["responses"]["429"] = json!({ "description": "too many sign-in attempts for this account or address" });
    json!({
        "/api/spectator/sign-in": { "post": sign_in },
        "/api/spectator/session": { "post": session },
        "/api/spectator/sign-out": { "post": op("Sign this device out: its sessions end and it releases its tickets", "spectator", None, "204") },
        "/api/spectator/tickets": { "get": op("Own tickets (summaries)", "spectator", None, "200") },
        "/api/spectator/tickets/{id}": { "parameters": [id],
            "get": op("Fetch own ticket on this device: first fetch DOWNLOADED; online activation when due; barcode sealed, key and device secret only once revealed", "spectator", None, "200") },
        "/api/spectator/tickets/{id}/code": { "parameters": [id],
            "get": op("The rotating entry code this device shows now (activated tickets only)", "spectator", None, "200") },
        "/api/spectator/tickets/{id}/holder": { "parameters": [id],
            "post": op("Name the holder (ASSIGNED)", "spectator", Some("Holder"), "200") },
        "/api/spectator/tickets/{id}/activate": { "parameters": [id],
            "post": op("Activate: manual code, offline report, or online once the time is reached", "spectator", Some("Activate"), "200") },
        "/api/spectator/tickets/{id}/transfer": { "parameters": [id],
            "post": op("Offer the ticket to an e-mail (PENDING_TRANSFER)", "spectator", Some("TransferOffer"), "200") },
        "/api/spectator/tickets/{id}/return": { "parameters": [id],
            "post": op("Offer the ticket back to its previous owner (a backward transfer)", "spectator", None, "200") },
        "/api/spectator/transfers": { "get": op("Open transfers offered to me and by me", "spectator", None, "200") },
        "/api/spectator/transfers/{id}/{action}": { "parameters": [id,
            { "name": "action", "in": "path", "required": true, "schema": { "enum": ["accept", "reject", "cancel"] } }],
            "post": op("Accept or reject (recipient), or cancel (sender) an open transfer", "spectator", None, "200") },
        "/api/spectator/devices/sync": { "post": op("Tell which tickets this device still holds; answers which to delete", "spectator", Some("DeviceSync"), "200") },
        "/api/organizer/events/{eventId}/settings": { "parameters": [event],
            "put": op("Set the event's rules: transfers, holder fields, activation, code period", "organizer", Some("EventSettings"), "200"),
            "get": op("The event's rules", "organizer", None, "200") },
        "/api/organizer/device-limits": {
            "put": op("Set the spectators' device limits (active 1-10, ever used 1-50)", "organizer", Some("DeviceLimits"), "200"),
            "get": op("The spectators' device limits", "organizer", None, "200") },
        "/api/organizer/gate/verify": { "post": op("Verify one scanned code; ACCEPTED makes the ticket CONTROLLED", "organizer", Some("Scan"), "200") },
        "/api/organizer/gate/offline-scans": { "post": op("Upload scans recorded offline (each with its time), without double entry", "organizer", Some("OfflineScans"), "200") },
        "/api/gate/bundle": { "get": { "summary": "The signed offline bundle of one event", "security": [{ "basic": [] }, { "apiKey": [] }],
            "parameters": [{ "name": "event", "in": "query", "required": true, "schema": { "type": "string" } }],
            "responses": { "200": { "description": "payload (base64 JSON) and its Ed25519 signature",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SignedBundle" } } } },
                "400": { "$ref": "#/components/responses/BadRequest" }, "401": { "$ref": "#/components/responses/Unauthorized" },
                "404": { "$ref": "#/components/responses/NotFound" } } } },
        "/api/gate/public-key": { "get": { "summary": "The Ed25519 public key bundles are signed with",
            "responses": { "200": { "description": "{algorithm, publicKey (base64)}" } } } },
        "/api/gate/scan": { "post": op("Gate scan with a box-office gate token (bound to its events, or the scan names its event): verified with the organization's wallet using its interface credentials; ACCEPTED marks CONTROLLED the organization's own ticket", "organizer", Some("Scan"), "200") }
    })
}

/// Schemas of the spectator API and the gate.
pub fn schemas() -> Value {
    let text = json!({ "type": "string" });
    json!({
        "SignIn": { "type": "object", "required": ["email"], "properties": { "email": text } },
        "SessionRequest": { "type": "object", "properties": { "email": text, "code": text, "token": text,
            "deviceId": { "type": "string", "description": "a device this spectator used before" }, "deviceName": text } },
        "Holder": { "type": "object", "required": ["firstName", "lastName"], "properties": {
            "firstName": { "type": "string", "maxLength": 50 }, "lastName": { "type": "string", "maxLength": 100 },
            "birthDate": { "type": "string", "format": "date" }, "email": text, "phone": text } },
        "Activate": { "type": "object", "properties": { "manualCode": text, "method": { "enum": ["online", "offline"] } } },
        "TransferOffer": { "type": "object", "required": ["email"], "properties": { "email": text } },
        "DeviceSync": { "type": "object", "required": ["tickets"], "properties": { "tickets": { "type": "array", "items": { "type": "integer" } } } },
        "EventSettings": { "type": "object", "properties": {
            "transfersEnabled": { "type": "boolean", "default": true }, "maxTransfers": { "type": "integer", "minimum": 0 },
            "transferAfterActivation": { "type": "boolean", "default": true },
            "transferExpiryHours": { "type": "integer", "minimum": 1, "default": 72 },
            "holderBirthDate": { "enum": ["OPTIONAL", "REQUIRED"] }, "holderEmail": { "enum": ["OPTIONAL", "REQUIRED"] },
            "holderPhone": { "enum": ["OPTIONAL", "REQUIRED"] },
            "activationAt": { "type": "string", "format": "date-time" }, "activationHoursBefore": { "type": "integer" },
            "activationTimeOfDay": { "type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$" },
            "manualCode": { "type": "string", "minLength": 4, "maxLength": 32 },
            "codePeriodSeconds": { "type": "integer", "minimum": 1, "maximum": 300, "default": 15 } } },
        "DeviceLimits": { "type": "object", "required": ["maxActiveDevices", "maxDevicesEver"], "properties": {
            "maxActiveDevices": { "type": "integer", "minimum": 1, "maximum": 10 },
            "maxDevicesEver": { "type": "integer", "minimum": 1, "maximum": 50 } } },
        "Scan": { "type": "object", "required": ["code"], "properties": { "code": text,
            "scannedAt": { "type": "string", "format": "date-time" }, "event": { "type": "string", "description": "the event this gate admits to" } } },
        "OfflineScans": { "type": "object", "required": ["scans"], "properties": { "scans": { "type": "array", "maxItems": 10000,
            "items": { "type": "object", "required": ["code", "scannedAt"], "properties": { "code": text,
                "scannedAt": { "type": "string", "format": "date-time" }, "event": text } } } } },
        "GateResult": { "enum": ["ACCEPTED", "UNKNOWN", "NOT_ACTIVE", "EXPIRED_CODE", "REPLAYED", "DELETED", "ALREADY_CONTROLLED", "WRONG_EVENT"] },
        "SignedBundle": { "type": "object", "required": ["payload", "signature"], "properties": {
            "payload": { "type": "string", "description": "base64 of the bundle's JSON" },
            "signature": { "type": "string", "description": "base64 Ed25519 signature of the payload bytes" } } }
    })
}
