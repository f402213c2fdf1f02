//! The access part of the OpenAPI document: the sign-in session, an admin's tokens, operators
//! and audit record, and the security of every box-office operation, taken from the access
//! policy itself (`tixbridge_boxoffice::access::policy`) so the document cannot claim a rule
//! the server does not apply.

use serde_json::{Map, Value, json};
use tixbridge_boxoffice::access::policy::{self, Scope};
use tixbridge_boxoffice::access::{Need, Role};

const ORG: &str = "/api/boxoffice/organizations/{org}";

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn answer(description: &str, name: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema(name) } } })
}

fn org_param() -> Value {
    json!({ "name": "org", "in": "path", "required": true, "schema": { "type": "string" } })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

pub fn paths() -> Map<String, Value> {
    let mut paths = Map::new();
    paths.insert("/api/boxoffice/session".into(), json!({
        "post": { "summary": "Sign an operator in: sets the HttpOnly, SameSite=Strict session cookie",
                  "requestBody": body("SignIn"),
                  "responses": { "201": answer("signed in", "Session"), "401": { "$ref": "#/components/responses/Unauthorized" } } },
        "get": { "summary": "Who the credential speaks for", "responses": { "200": answer("the caller", "Caller") } },
        "delete": { "summary": "Sign out (ends the session, clears the cookie)", "responses": { "204": { "description": "signed out" } } }
    }));
    paths.insert(format!("{ORG}/tokens"), json!({
        "post": { "summary": "Create an API token; its text is in this answer only", "parameters": [org_param()],
                  "requestBody": body("NewToken"), "responses": { "201": answer("created", "CreatedToken") } },
        "get": { "summary": "The organization's tokens (never their text)", "parameters": [org_param()],
                 "responses": { "200": { "description": "tokens", "content": { "application/json": { "schema": {
                     "type": "object", "properties": { "tokens": { "type": "array", "items": schema("Token") } } } } } } } }
    }));
    paths.insert(format!("{ORG}/tokens/{{id}}"), json!({
        "delete": { "summary": "Revoke a token", "parameters": [org_param(), id_param()],
                    "responses": { "200": answer("revoked", "Token"), "404": { "$ref": "#/components/responses/NotFound" } } }
    }));
    paths.insert(format!("{ORG}/operators"), json!({
        "post": { "summary": "Create an operator; without a password one is generated and returned once",
                  "parameters": [org_param()], "requestBody": body("NewOperator"),
                  "responses": { "201": answer("created", "Operator") } },
        "get": { "summary": "The organization's operators", "parameters": [org_param()],
                 "responses": { "200": { "description": "operators", "content": { "application/json": { "schema": {
                     "type": "object", "properties": { "operators": { "type": "array", "items": schema("Operator") } } } } } } } }
    }));
    paths.insert(format!("{ORG}/operators/{{id}}"), json!({
        "delete": { "summary": "Disable an operator and end its sessions", "parameters": [org_param(), id_param()],
                    "responses": { "204": { "description": "disabled" }, "404": { "$ref": "#/components/responses/NotFound" } } }
    }));
    paths.insert(format!("{ORG}/audit"), json!({
        "get": { "summary": "Configuration changes, newest first: who, when, what, which fields (never a value)",
                 "parameters": [org_param(),
                    { "name": "before", "in": "query", "schema": { "type": "integer" }, "description": "an id: older changes" },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 } }],
                 "responses": { "200": { "description": "changes", "content": { "application/json": { "schema": {
                     "type": "object", "properties": { "changes": { "type": "array", "items": schema("AuditRecord") } } } } } } } }
    }));
    paths
}

pub fn schemas() -> Map<String, Value> {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let schemas = json!({
        "Role": { "enum": roles, "description": "admin: everything in its organization; operator: catalog, files, tickets, runs; viewer: read only; gate: scans only" },
        "SignIn": { "type": "object", "required": ["organization", "email", "password"], "additionalProperties": false, "properties": {
            "organization": { "type": "string" }, "email": { "type": "string" }, "password": { "type": "string", "format": "password" } } },
        "Session": { "type": "object", "properties": { "organization": { "type": "string" }, "operatorId": { "type": "integer" }, "role": schema("Role") } },
        "Caller": { "type": "object", "properties": { "organization": { "type": "string" }, "role": schema("Role"),
            "kind": { "enum": ["token", "operator"] }, "id": { "type": "integer" }, "name": { "type": "string" } } },
        "NewToken": { "type": "object", "required": ["name", "role"], "additionalProperties": false, "properties": {
            "name": { "type": "string", "maxLength": 100 }, "role": schema("Role"),
            "expiresAt": { "type": "string", "format": "date-time" },
            "events": { "type": "array", "items": { "type": "string" }, "description": "gate tokens only: the wallet events it scans for" } } },
        "Token": { "type": "object", "properties": {
            "id": { "type": "integer" }, "name": { "type": "string" }, "role": schema("Role"),
            "events": { "type": "array", "items": { "type": "string" } },
            "createdAt": { "type": "string", "format": "date-time" }, "expiresAt": { "type": ["string", "null"], "format": "date-time" },
            "lastUsedAt": { "type": ["string", "null"], "format": "date-time" }, "revoked": { "type": "boolean" } } },
        "CreatedToken": { "allOf": [schema("Token"), { "type": "object", "required": ["token"], "properties": {
            "token": { "type": "string", "description": "the bearer credential, shown only in this answer" } } }] },
        "NewOperator": { "type": "object", "required": ["email", "role"], "additionalProperties": false, "properties": {
            "email": { "type": "string" }, "role": schema("Role"), "password": { "type": "string", "minLength": 12, "format": "password" } } },
        "Operator": { "type": "object", "properties": { "id": { "type": "integer" }, "email": { "type": "string" }, "role": schema("Role"),
            "generatedPassword": { "type": "string", "description": "only when created without a password" } } },
        "AuditRecord": { "type": "object", "properties": { "id": { "type": "integer" }, "at": { "type": "string", "format": "date-time" },
            "actor": { "type": "string" }, "action": { "type": "string" }, "object": { "type": "string" },
            "fields": { "type": "array", "items": { "type": "string" } } } }
    });
    schemas.as_object().cloned().unwrap_or_default()
}

/// The roles that may perform an act of kind `need`, in words for the document.
fn roles_for(need: Need) -> String {
    Role::ALL.iter().filter(|role| role.may(need)).map(|role| role.as_str()).collect::<Vec<_>>().join(", ")
}

/// Sets the security of every operation the access policy governs: a box-office token or an
/// operator session, the roles that may call it, and the 401/403 answers; none for public ones.
pub fn secure(document: &mut Value) {
    let Some(paths) = document["paths"].as_object_mut() else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            let Some(rule) = policy::rule(&method.to_uppercase(), path) else { continue };
            if rule.scope == Scope::Public {
                operation["security"] = json!([]);
                continue;
            }
            operation["security"] = json!([{ "boxofficeToken": [] }, { "operatorSession": [] }]);
            operation["x-roles"] = json!(roles_for(rule.need).split(", ").collect::<Vec<_>>());
            let responses = &mut operation["responses"];
            responses["401"] = json!({ "$ref": "#/components/responses/Unauthorized" });
            responses["403"] = json!({ "$ref": "#/components/responses/Forbidden" });
        }
    }
    let components = &mut document["components"];
    components["securitySchemes"]["boxofficeToken"] = json!({
        "type": "http", "scheme": "bearer",
        "description": "a box-office API token (tbt_…) of one organization and one role"
    });
    components["securitySchemes"]["operatorSession"] = json!({
        "type": "apiKey", "in": "cookie", "name": tixbridge_boxoffice::access::sessions::COOKIE,
        "description": "an operator's session, set by POST /api/boxoffice/session"
    });
    components["responses"]["Forbidden"] = json!({
        "description": "the caller's role may not do this",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    });
}
