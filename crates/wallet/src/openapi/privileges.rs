//! Schemas of the organizer API's privilege and CSV injection calls
//! (docs/products-and-statuses.md#products-that-go-to-the-wallet,
//! docs/wallet-api.md#the-organizer-api, docs/interface.md#away-fans), whose answers are
//! built in place.
#![allow(dead_code)] // schemas only

use utoipa::ToSchema;

use super::tickets::{Outcome, SpectatorDetails, wallet_status};

#[derive(ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

#[derive(ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrivilegeStatus {
    Active,
    Used,
}

#[derive(ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrivilegeKind {
    MembershipCard,
    SeasonTicketCard,
}

#[derive(ToSchema)]
pub struct PrivilegeRequest {
    #[schema(max_items = 1000)]
    definitions: Option<Vec<PrivilegeDefinition>>,
    #[schema(max_items = 10000)]
    instances: Option<Vec<PrivilegeInstance>>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivilegeDefinition {
    #[schema(max_length = 256, pattern = r"^[A-Za-z0-9 *.\-_+/()]+$")]
    definition_id: String,
    #[schema(max_length = 128)]
    name: String,
    #[schema(max_length = 4096)]
    description: Option<String>,
    #[schema(max_length = 256)]
    image_url: Option<String>,
    #[schema(format = DateTime)]
    valid_from: String,
    #[schema(format = DateTime)]
    valid_until: String,
    kind: PrivilegeKind,
    #[schema(value_type = Option<Value>)]
    metadata: Option<()>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivilegeInstance {
    #[schema(max_length = 256, pattern = r"^[A-Za-z0-9 *.\-_+/()]+$")]
    privilege_id: String,
    /// sent in this call or before
    definition_id: String,
    spectator_details: SpectatorDetails,
    /// wallet tickets of the same organizer
    #[schema(max_items = 1000)]
    linked_ticket_ids: Option<Vec<String>>,
    #[schema(max_length = 512)]
    barcode: Option<String>,
    /// true marks the card used; a used card is never made unused
    used: Option<bool>,
}

#[derive(ToSchema)]
pub struct PrivilegeAnswer {
    definitions: Vec<DefinitionResult>,
    results: Vec<PrivilegeResult>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionResult {
    definition_id: String,
    status: Outcome,
    reason: Option<String>,
    change: Option<Change>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivilegeResult {
    privilege_id: String,
    status: Outcome,
    /// field or rule; for a refused use, the current status
    reason: Option<String>,
    change: Option<Change>,
    current_status: Option<PrivilegeStatus>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UseRequest {
    privilege_id: String,
    #[schema(format = DateTime)]
    used_at: Option<String>,
}

#[derive(ToSchema)]
pub struct UseAnswer {
    results: Vec<PrivilegeResult>,
}

/// One privilege, whole, with its definition and linked tickets.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Privilege {
    privilege_id: String,
    status: PrivilegeStatus,
    /// always false
    transferable: bool,
    definition: PrivilegeDefinition,
    #[schema(value_type = Object)]
    owner: (),
    #[schema(required = true)]
    barcode: Option<String>,
    linked_ticket_ids: Vec<String>,
    linked_tickets: Vec<LinkedTicket>,
    #[schema(format = DateTime)]
    injected_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    #[schema(format = DateTime, required = true)]
    used_at: Option<String>,
    privilege: PrivilegeInstance,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkedTicket {
    ticket_id: String,
    #[schema(schema_with = wallet_status)]
    status: String,
    event_id: String,
}

#[derive(ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    InProgress,
    Completed,
    Failed,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CsvJobCreated {
    job_id: String,
    /// IN_PROGRESS
    status: JobStatus,
    total: i64,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CsvJob {
    job_id: String,
    status: JobStatus,
    total: i64,
    processed: Option<i64>,
    accepted: i64,
    rejected: i64,
    failure: Option<String>,
    #[schema(format = DateTime)]
    created_at: Option<String>,
    #[schema(format = DateTime)]
    finished_at: Option<String>,
    results: Vec<CsvRowResult>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CsvRowResult {
    /// the line the row starts on; the header is line 1
    row: i64,
    ticket_id: Option<String>,
    status: Outcome,
    /// the column at fault and the rule
    reason: Option<String>,
}

/// The event columns given once for every row (then the file must not have that column).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct CsvEventColumns {
    /// the column's value for every row (then the file must not have that column)
    event_id: Option<String>,
    /// the column's value for every row (then the file must not have that column)
    event_name: Option<String>,
    /// the column's value for every row (then the file must not have that column)
    event_start_time: Option<String>,
    /// the column's value for every row (then the file must not have that column)
    event_expiration_date: Option<String>,
}
