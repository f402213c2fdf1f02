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
    session["responses"]["429"] = json!({ "description": "too many sign-in attempts for this account or address" });
    let mut ticket = op(
        "Fetch own ticket on this device: first fetch DOWNLOADED; online activation when due. Never the barcode: `entry` \
         gives what the device needs to make its codes (code reference and device secret), once they may be revealed",
        "spectator",
        None,
        "200",
    );
    ticket["responses"]["200"]["content"]["application/json"] =
        json!({ "schema": { "$ref": "#/components/schemas/SpectatorTicket" } });
    let mut code =
        op("The rotating entry code this device shows now (activated tickets only)", "spectator", None, "200");
    code["responses"]["200"]["content"]["application/json"] =
        json!({ "schema": { "$ref": "#/components/schemas/EntryCode" } });
    let mut activate = op(
        "Activate: manual code, offline report, or online once the time is reached",
        "spectator",
        Some("Activate"),
        "200",
    );
    activate["responses"]["422"] = json!({ "description": "a wrong manualCode (field named); each counts as a try" });
    activate["responses"]["429"] = json!({ "description": "5 wrong manual codes for this ticket on this device within 15 minutes: wait for the window" });
    let mut settings = op(
        "Set the event's rules: transfers, holder fields, activation, code period. A manual activation code is generated \
         by the server (manualActivation) and answered once as manualCode",
        "organizer",
        Some("EventSettings"),
        "200",
    );
    settings["responses"]["422"] =
        json!({ "description": "a bad value, naming the field (manualCode: codes are never chosen)" });
    let mut verify = op(
        "Verify one scanned code; ACCEPTED makes the ticket CONTROLLED and uses the code up",
        "organizer",
        Some("Scan"),
        "200",
    );
    verify["responses"]["422"] = json!({ "description": "scannedAt more than 2 minutes from the server clock: upload such scans to /api/organizer/gate/offline-scans" });
    let mut gate_scan = op(
        "Gate scan with a box-office gate token (bound to its events, or the scan names its event): verified with the organization's wallet using its interface credentials; ACCEPTED marks CONTROLLED the organization's own ticket",
        "organizer",
        Some("Scan"),
        "200",
    );
    gate_scan["responses"]["422"] =
        json!({ "description": "the wallet refused the scan (e.g. scannedAt), naming the field" });
    let mut paths = json!({
        "/api/spectator/sign-in": { "post": sign_in },
        "/api/spectator/session": { "post": session },
        "/api/spectator/sign-out": { "post": op("Sign this device out: its sessions end and it releases its tickets", "spectator", None, "204") },
        "/api/spectator/tickets": { "get": op("Own tickets (summaries)", "spectator", None, "200") },
        "/api/spectator/tickets/{id}": { "parameters": [id],
            "get": ticket },
        "/api/spectator/tickets/{id}/code": { "parameters": [id],
            "get": code },
        "/api/spectator/tickets/{id}/holder": { "parameters": [id],
            "post": op("Name the holder (ASSIGNED)", "spectator", Some("Holder"), "200") },
        "/api/spectator/tickets/{id}/activate": { "parameters": [id],
            "post": activate },
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
            "put": settings,
            "get": op("The event's rules", "organizer", None, "200") },
        "/api/organizer/device-limits": {
            "put": op("Set the spectators' device limits (active 1-10, ever used 1-50)", "organizer", Some("DeviceLimits"), "200"),
            "get": op("The spectators' device limits", "organizer", None, "200") },
        "/api/organizer/audit": {
            "get": op("The organizer's configuration changes (event rules, device limits), newest first: when, what, which fields, never a value", "organizer", None, "200") },
        "/api/organizer/gate/verify": { "post": verify },
        "/api/organizer/gate/offline-scans": { "post": op("Upload scans recorded offline (each with its time), without double entry", "organizer", Some("OfflineScans"), "200") },
        "/api/gate/bundle": { "get": { "summary": "The signed offline bundle of one event", "security": [{ "basic": [] }, { "apiKey": [] }],
            "parameters": [{ "name": "event", "in": "query", "required": true, "schema": { "type": "string" } }],
            "responses": { "200": { "description": "payload (base64 JSON) and its Ed25519 signature",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SignedBundle" } } } },
                "400": { "$ref": "#/components/responses/BadRequest" }, "401": { "$ref": "#/components/responses/Unauthorized" },
                "404": { "$ref": "#/components/responses/NotFound" } } } },
        "/api/gate/public-key": { "get": { "summary": "The Ed25519 public key bundles are signed with",
            "responses": { "200": { "description": "{algorithm, publicKey (base64)}" } } } },
        "/api/gate/scan": { "post": gate_scan }
    });
    guard_spectator_writes(&mut paths);
    paths
}

/// Every spectator API write names the `X-CSRF-Token` header it needs and the refusals of the
/// cross-site guard.
fn guard_spectator_writes(paths: &mut Value) {
    let header = json!({ "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" },
        "description": "cross-site request guard: before sign-in (sign-in, session) any non-empty value; with a session, the csrfToken the session answer gave (the web wallet's forms carry the same token). A page on another site cannot send a custom header without a CORS preflight, which this server never allows." });
    let Some(paths) = paths.as_object_mut() else { return };
    for (_, item) in paths.iter_mut().filter(|(path, _)| path.starts_with("/api/spectator/")) {
        let Some(post) = item.get_mut("post") else { continue };
        let parameters = post.as_object_mut().map(|p| p.entry("parameters").or_insert_with(|| json!([])));
        if let Some(Value::Array(list)) = parameters {
            list.push(header.clone());
        }
        post["responses"]["403"] = json!({ "description": "X-CSRF-Token missing or not this session's, or an Origin header of another site (or, at session: past the device limits)",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        post["responses"]["415"] = json!({ "description": "the body is not Content-Type: application/json",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    }
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
        "Activate": { "type": "object", "properties": { "manualCode": { "type": "string",
            "description": "the event's code as generated by the server; case, spaces and dashes do not matter" },
            "method": { "enum": ["online", "offline", "bluetooth"] } } },
        "SpectatorTicket": { "type": "object", "description": "own ticket as this device sees it; the injected body without security (no barcode) nor ticketDetails.hidden",
            "properties": { "id": { "type": "integer" }, "ticketId": text, "status": text, "event": { "type": "object" },
            "details": { "type": "object" }, "entry": { "$ref": "#/components/schemas/Entry" } } },
        "Entry": { "type": "object", "description": "what the device needs to make its rotating codes, and nothing else (never the barcode)",
            "properties": {
            "method": { "enum": ["online", "offline"] }, "activatesAt": { "type": "string", "format": "date-time" }, "groupId": text,
            "periodSeconds": { "type": "integer" }, "deviceId": text,
            "codeReference": { "type": ["string", "null"], "description": "opaque random name of this ticket on this device (hex); null until revealed" },
            "deviceSecret": { "type": ["string", "null"], "description": "base64 HMAC key of this ticket on this device; null until revealed" } } },
        "EntryCode": { "type": "object", "properties": {
            "code": { "type": "string", "pattern": "^TB2:[0-9a-f]{32}:-?[0-9]+:[0-9a-f]{16}$",
                "description": "TB2:<codeReference>:<step>:<value>, value = first 8 bytes (hex) of HMAC-SHA256(deviceSecret, len-prefixed \"rotating-code/2\", step as 8 bytes big-endian, codeReference), step = unix ms / (periodSeconds * 1000); carries no barcode" },
            "periodSeconds": { "type": "integer" }, "refreshAt": { "type": "string", "format": "date-time" } } },
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
            "manualActivation": { "type": "boolean", "default": false,
                "description": "the event takes a manual activation code: the current one is kept, else the server generates one (8 characters) and answers it once as manualCode" },
            "newManualCode": { "type": "boolean", "default": false, "description": "replace the manual code by a newly generated one (answered once)" },
            "codePeriodSeconds": { "type": "integer", "minimum": 1, "maximum": 300, "default": 15 } } },
        "DeviceLimits": { "type": "object", "required": ["maxActiveDevices", "maxDevicesEver"], "properties": {
            "maxActiveDevices": { "type": "integer", "minimum": 1, "maximum": 10 },
            "maxDevicesEver": { "type": "integer", "minimum": 1, "maximum": 50 } } },
        "Scan": { "type": "object", "required": ["code"], "properties": { "code": text,
            "scannedAt": { "type": "string", "format": "date-time",
                "description": "when scanned (default now); online within 2 minutes of the server clock, older scans go through the offline upload" },
            "event": { "type": "string", "description": "the event this gate admits to" } } },
        "OfflineScans": { "type": "object", "required": ["scans"], "properties": { "scans": { "type": "array", "maxItems": 10000,
            "items": { "type": "object", "required": ["code", "scannedAt"], "properties": { "code": text,
                "scannedAt": { "type": "string", "format": "date-time" }, "event": text } } } } },
        "GateResult": { "enum": ["ACCEPTED", "UNKNOWN", "NOT_ACTIVE", "EXPIRED_CODE", "REPLAYED", "DELETED", "ALREADY_CONTROLLED", "WRONG_EVENT"] },
        "SignedBundle": { "type": "object", "required": ["payload", "signature"], "properties": {
            "payload": { "type": "string", "description": "base64 of the bundle's JSON" },
            "signature": { "type": "string", "description": "base64 Ed25519 signature of the payload bytes" } } }
    })
}
