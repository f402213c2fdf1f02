//! The interface part of the OpenAPI document: configuration, functions, templates, runs.

use serde_json::{Value, json};

fn op(summary: &str, body: Option<&str>, ok: &str) -> Value {
    let mut operation = json!({
        "summary": summary,
        "responses": {
            ok: { "description": "done", "content": { "application/json": {} } },
            "404": { "$ref": "#/components/responses/NotFound" },
            "422": { "$ref": "#/components/responses/BadRequest" }
        }
    });
    if let Some(schema) = body {
        operation["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": {
            "$ref": format!("#/components/schemas/{schema}") } } } });
    }
    operation
}

/// Paths of the interface API.
pub fn paths() -> Value {
    let org = json!({ "name": "org", "in": "path", "required": true, "schema": { "type": "string" } });
    let id = json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } });
    json!({
        "/api/boxoffice/organizations/{org}/interface": {
            "parameters": [org],
            "post": op("Create the organization's wallet interface (one per organization, in the inventory owner)", Some("InterfaceInput"), "201"),
            "get": op("The interface, without its password", None, "200"),
            "put": op("Change the interface; an absent password keeps the stored one, unless the url or the login changes (422 naming password)", Some("InterfaceInput"), "200")
        },
        "/api/boxoffice/organizations/{org}/interface/functions": {
            "parameters": [org],
            "post": op("Create a function", Some("FunctionInput"), "201"),
            "get": op("The interface's functions", None, "200")
        },
        "/api/boxoffice/organizations/{org}/templates": {
            "parameters": [org],
            "post": op("Save a ticket template (event.id, event.startTime, event.expirationDate refused)", Some("TemplateInput"), "201")
        },
        "/api/boxoffice/functions/{id}": {
            "parameters": [id],
            "get": op("One function", None, "200"),
            "put": op("Change a function", Some("FunctionInput"), "200")
        },
        "/api/boxoffice/functions/{id}/runs": {
            "parameters": [id],
            "post": op("Run the function now (409 while it runs; 403 naming fileToUpload when the caller may not upload files)", Some("RunRequest"), "200"),
            "get": op("The function's latest runs", None, "200")
        },
        "/api/boxoffice/runs/{id}": {
            "parameters": [id],
            "get": op("One run with its per-ticket log lines and, for admins, its dump", None, "200")
        }
    })
}

/// Schemas of the interface API.
pub fn schemas() -> Value {
    json!({
        "InterfaceInput": { "type": "object", "required": ["name", "type", "url", "login"], "properties": {
            "name": { "type": "string", "maxLength": 128 },
            "type": { "enum": ["TIXNGO", "TIXNGO_WITH_TEMPLATE"] },
            "url": { "type": "string", "description": "http(s), no user info, query or fragment, path ending with /organizer/tickets, host among TIXBRIDGE_WALLET_HOSTS when set" },
            "login": { "type": "string", "description": "the wallet organizer admin's e-mail" },
            "password": { "type": "string", "writeOnly": true, "description": "the wallet API key; never shown back" },
            "notificationEmails": { "type": "string", "description": "comma-separated" },
            "customParameters": { "type": "string", "description": "key=value lines (SPEC §6.5)" } } },
        "FunctionInput": { "type": "object", "required": ["kind", "name"], "properties": {
            "kind": { "enum": ["INJECTION", "FEEDBACK", "PUSH_CANCELLED", "PUSH_CONTROLLED", "PRIVILEGES"] },
            "name": { "type": "string" },
            "launch": { "enum": ["MANUAL", "AUTOMATIC", "CONTINUOUS"], "default": "MANUAL" },
            "frequencyMinutes": { "type": "integer", "minimum": 1 },
            "start": { "type": "string", "format": "date-time" },
            "end": { "type": "string", "format": "date-time" },
            "active": { "type": "boolean", "default": true },
            "paginationKey": { "type": "string" },
            "settings": { "type": "object", "description": "the kind's fields (SPEC §6.2), camelCase" } } },
        "TemplateInput": { "type": "object", "required": ["name", "fields"], "properties": {
            "name": { "type": "string" },
            "fields": { "type": "object", "additionalProperties": { "type": "string" },
                        "description": "wallet JSON path → text with ${variables}" } } },
        "RunRequest": { "type": "object", "properties": {
            "fileToUpload": { "type": "string", "description": "admins only. feedback: a diff page naming only tickets this organization injected; pushes: a batch answer naming only tickets the function would select — processed as if the wallet returned it, else refused whole (422)" } } }
    })
}
