//! The OpenAPI document of the HTTP API (`GET /api/openapi.json`). Snapshot-tested, so a
//! change to the contract shows up in review.

mod wallet_extra;

use axum::Json;
use serde_json::{Value, json};

pub async fn get_openapi() -> Json<Value> {
    Json(document())
}

/// The whole document: the wallet's part below, plus each other part's own paths and schemas.
pub fn document() -> Value {
    let mut document = wallet_document();
    let object = |value: Value| value.as_object().cloned().unwrap_or_default();
    let parts = [
        (object(wallet_extra::paths()), object(wallet_extra::schemas())),
        (crate::openapi_boxoffice::paths(), crate::openapi_boxoffice::schemas()),
        (object(crate::openapi_interface::paths()), object(crate::openapi_interface::schemas())),
        (object(crate::openapi_spectator::paths()), object(crate::openapi_spectator::schemas())),
        (crate::openapi_access::paths(), crate::openapi_access::schemas()),
    ];
    for (paths, schemas) in parts {
        if let Some(all) = document["paths"].as_object_mut() {
            all.extend(paths);
        }
        if let Some(all) = document["components"]["schemas"].as_object_mut() {
            all.extend(schemas);
        }
    }
    crate::openapi_access::secure(&mut document);
    document
}

fn batch_call(summary: &str, item_schema: &str) -> Value {
    json!({
        "post": {
            "summary": summary,
            "security": [{ "basic": [] }, { "apiKey": [] }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "array", "maxItems": 10000, "items": { "$ref": format!("#/components/schemas/{item_schema}") }
            } } } },
            "responses": {
                "200": { "description": "one result per ticket, in order", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BatchAnswer" } } } },
                "400": { "$ref": "#/components/responses/BadRequest" },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "413": { "$ref": "#/components/responses/BadRequest" }
            }
        }
    })
}

/// The wallet's paths and the shared components.
fn wallet_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "tixbridge", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Wallet organizer API (TIXnGO-compatible) and the box office." },
        "paths": {
            "/api/organizer/tickets": batch_call("Inject a batch of tickets; idempotent per ticketId", "InjectedTicket"),
            "/api/organizer/tickets/delete": batch_call("Delete tickets: DELETION_PENDING, or DELETED when no device holds them", "DeleteRequest"),
            "/api/organizer/tickets/control": batch_call("Mark tickets CONTROLLED", "ControlRequest"),
            "/api/organizer/tickets/diff": { "get": {
                "summary": "Tickets changed after paginationKey, oldest first",
                "security": [{ "basic": [] }, { "apiKey": [] }],
                "parameters": [
                    { "name": "paginationKey", "in": "query", "schema": { "type": "string" }, "description": "empty starts from the beginning" },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 10000, "default": 1000 } }
                ],
                "responses": {
                    "200": { "description": "a page of the feed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Diff" } } } },
                    "400": { "$ref": "#/components/responses/BadRequest" },
                    "401": { "$ref": "#/components/responses/Unauthorized" }
                }
            } },
            "/api/organizer/tickets/{ticketId}": { "get": {
                "summary": "One ticket, whole, with its hash-chained status log",
                "security": [{ "basic": [] }, { "apiKey": [] }],
                "parameters": [{ "name": "ticketId", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": {
                    "200": { "description": "the ticket", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Ticket" } } } },
                    "401": { "$ref": "#/components/responses/Unauthorized" },
                    "404": { "$ref": "#/components/responses/NotFound" }
                }
            } },
            "/api/openapi.json": { "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1" } } } }
        },
        "components": {
            "securitySchemes": {
                "basic": { "type": "http", "scheme": "basic", "description": "organizer admin login and API key" },
                "apiKey": { "type": "apiKey", "in": "header", "name": "X-Api-Key" },
                "spectatorSession": { "type": "http", "scheme": "bearer", "description": "a spectator session token (the web wallet sends it as the tb_session cookie)" }
            },
            "responses": {
                "BadRequest": { "description": "malformed request; nothing was written", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "Unauthorized": { "description": "missing or wrong credentials", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "NotFound": { "description": "no such resource for this caller", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": {
                    "error": { "type": "string" }, "field": { "type": "string" } } },
                "BatchAnswer": { "type": "object", "required": ["results"], "properties": { "results": { "type": "array", "items": {
                    "type": "object", "required": ["ticketId", "status"], "properties": {
                        "ticketId": { "type": "string" },
                        "status": { "enum": ["ACCEPTED", "REJECTED"] },
                        "reason": { "type": "string", "description": "field or rule; for a refused move, the current status" },
                        "currentStatus": { "$ref": "#/components/schemas/WalletStatus" } } } } } },
                "WalletStatus": { "enum": tixbridge_domain::WalletStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>() },
                "InjectedTicket": { "type": "object", "required": ["ticketId", "event", "security", "spectatorDetails", "purchaseDetails"], "properties": {
                    "ticketId": { "type": "string", "maxLength": 256, "pattern": "^[A-Za-z0-9 *.\\-_+/()]+$" },
                    "event": { "type": "object", "required": ["id", "name", "startTime", "expirationDate"], "properties": {
                        "id": { "type": "string" }, "name": { "type": "string", "maxLength": 128 },
                        "startTime": { "type": "string", "format": "date-time" }, "expirationDate": { "type": "string", "format": "date-time" },
                        "address": { "type": "object", "properties": { "site": { "type": "string", "maxLength": 200 }, "city": { "type": "string" },
                            "countryCode": { "type": "string" }, "zip": { "type": "string" }, "line1": { "type": "string" }, "line2": { "type": "string" }, "line3": { "type": "string" } } },
                        "website": { "type": "string" }, "group": { "type": "object" }, "imageUrl": { "type": "string", "maxLength": 256 }, "metadata": {} } },
                    "security": { "type": "object", "required": ["barcode"], "properties": { "barcode": { "type": "string", "maxLength": 512 } } },
                    "purchaseDetails": { "type": "object", "properties": {
                        "purchaseDate": { "type": "string", "format": "date-time" }, "fileNumber": { "type": "string" }, "price": { "type": "number" },
                        "currency": { "type": "string", "maxLength": 20 }, "category": { "type": "string", "maxLength": 512 },
                        "taxNumber": { "type": "string", "maxLength": 256 }, "tariffId": {}, "seatCategoryId": {}, "contingentId": {} } },
                    "spectatorDetails": { "type": "object", "required": ["email"], "properties": {
                        "title": { "type": "string" }, "gender": { "enum": ["M", "F", "U", "X"] },
                        "firstName": { "type": "string", "maxLength": 50 }, "lastName": { "type": "string", "maxLength": 100 },
                        "email": { "type": "string", "maxLength": 256 }, "birthDate": { "type": "string", "format": "date" },
                        "nationality": { "type": "string" }, "idNumber": { "type": "string" }, "countryCode": { "type": "string" },
                        "birthRegion": { "type": "string" }, "birthPlace": { "type": "string" }, "mainApplicant": { "type": "boolean", "default": false } } },
                    "activationParameters": { "type": "object", "properties": {
                        "method": { "enum": ["online", "offline"] }, "time": { "type": "string", "format": "date-time" },
                        "groupId": { "type": "string", "maxLength": 50 }, "instanceId": { "type": "string", "maxLength": 128 } } },
                    "ticketDetails": { "type": "object", "properties": { "main": { "type": "array" }, "extra": { "type": "array" }, "hidden": { "type": "array" } } },
                    "seated": { "type": "boolean" }, "numbered": { "type": "boolean" }, "gate": { "type": "string" }, "level": { "type": "string" },
                    "area": { "type": "string" }, "block": { "type": "string" }, "row": { "type": "string" }, "seat": { "type": "string" },
                    "externalEntrance": { "type": "string" } } },
                "DeleteRequest": { "type": "object", "required": ["ticketId"], "properties": {
                    "ticketId": { "type": "string" }, "reason": { "type": "string", "maxLength": 256 }, "showDeletedTicket": { "type": "boolean" } } },
                "ControlRequest": { "type": "object", "required": ["ticketId"], "properties": {
                    "ticketId": { "type": "string" }, "controlledAt": { "type": "string", "format": "date-time" } } },
                "Ticket": { "type": "object", "properties": {
                    "ticketId": { "type": "string" }, "status": { "$ref": "#/components/schemas/WalletStatus" }, "eventId": { "type": "string" },
                    "owner": { "type": "object" }, "initialOwner": { "type": "object" }, "previousOwner": { "type": ["object", "null"] },
                    "holder": { "type": ["object", "null"] }, "forwardTransfers": { "type": "integer" }, "backwardTransfers": { "type": "integer" },
                    "history": { "type": "array", "items": { "$ref": "#/components/schemas/HistoryEntry" } },
                    "event": { "type": "object" }, "ticket": { "$ref": "#/components/schemas/InjectedTicket" } } },
                "HistoryEntry": { "type": "object", "properties": {
                    "position": { "type": "integer" }, "at": { "type": "string", "format": "date-time" },
                    "status": { "$ref": "#/components/schemas/WalletStatus" }, "action": { "type": "string" }, "actor": { "type": "string" },
                    "detail": {}, "hash": { "type": "string", "description": "SHA-256 over the entry and the previous hash" } } },
                "Diff": { "type": "object", "required": ["tickets", "nextPaginationKey"], "properties": {
                    "tickets": { "type": "array", "items": { "$ref": "#/components/schemas/Ticket" } },
                    "nextPaginationKey": { "type": "string" } } }
            }
        }
    })
}
