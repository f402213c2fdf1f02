//! Schemas of the organizer API's ticket calls. The injected ticket is read field by field by
//! the domain's checks (`tixbridge_domain::inject`) and the answers are built in place, so
//! their shapes are stated here, beside the handlers' annotations that use them.
#![allow(dead_code)] // schemas only

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoResponses, ToSchema};

/// A wallet ticket's status, one of the domain's.
pub fn wallet_status() -> RefOr<Schema> {
    let all = tixbridge_domain::WalletStatus::ALL.iter().map(|s| s.as_str().to_owned());
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(all)).into()
}

#[derive(ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Accepted,
    Rejected,
}

/// One result per ticket, in order.
#[derive(ToSchema)]
pub struct BatchAnswer {
    results: Vec<BatchResult>,
}

/// What a batch call of the organizer API answers: one result per ticket, or a refusal of the
/// whole batch.
#[derive(IntoResponses)]
pub enum BatchAnswers {
    #[response(status = 200, description = "one result per ticket, in order")]
    Results(BatchAnswer),
    #[response(status = 400)]
    Malformed(#[ref_response] tixbridge_web::openapi::BadRequest),
    #[response(status = 401)]
    Unauthenticated(#[ref_response] tixbridge_web::openapi::Unauthorized),
    #[response(status = 413)]
    TooLarge(#[ref_response] tixbridge_web::openapi::BadRequest),
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    ticket_id: String,
    status: Outcome,
    /// field or rule; for a refused move, the current status
    reason: Option<String>,
    #[schema(schema_with = wallet_status, required = false)]
    current_status: String,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InjectedTicket {
    #[schema(max_length = 256, pattern = r"^[A-Za-z0-9 *.\-_+/()]+$")]
    ticket_id: String,
    event: InjectedEvent,
    security: TicketSecurity,
    purchase_details: PurchaseDetails,
    spectator_details: SpectatorDetails,
    activation_parameters: Option<ActivationParameters>,
    ticket_details: Option<TicketDetails>,
    seated: Option<bool>,
    numbered: Option<bool>,
    gate: Option<String>,
    level: Option<String>,
    area: Option<String>,
    block: Option<String>,
    row: Option<String>,
    seat: Option<String>,
    external_entrance: Option<String>,
}

/// A text the wallet shows: plain, or by language code (`{"en": "Final", "fr": "Finale"}`),
/// each language's text within the field's limit (docs/wallet-api.md#injected-ticket-fields).
#[derive(ToSchema)]
#[serde(untagged)]
pub enum ShownText {
    Text(String),
    ByLanguage(std::collections::BTreeMap<String, String>),
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InjectedEvent {
    id: String,
    /// at most 128 characters (each language's)
    name: ShownText,
    #[schema(format = DateTime)]
    start_time: String,
    #[schema(format = DateTime)]
    expiration_date: String,
    address: Option<EventAddress>,
    website: Option<String>,
    #[schema(value_type = Option<Object>)]
    group: Option<()>,
    #[schema(max_length = 256)]
    image_url: Option<String>,
    #[schema(value_type = Option<Value>)]
    metadata: Option<()>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventAddress {
    /// at most 200 characters (each language's)
    site: Option<ShownText>,
    city: Option<ShownText>,
    country_code: Option<String>,
    zip: Option<String>,
    line1: Option<ShownText>,
    line2: Option<ShownText>,
    line3: Option<ShownText>,
}

#[derive(ToSchema)]
pub struct TicketSecurity {
    #[schema(max_length = 512)]
    barcode: String,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseDetails {
    #[schema(format = DateTime)]
    purchase_date: Option<String>,
    file_number: Option<String>,
    price: Option<f64>,
    #[schema(max_length = 20)]
    currency: Option<String>,
    /// at most 512 characters (each language's)
    category: Option<ShownText>,
    #[schema(max_length = 256)]
    tax_number: Option<String>,
    #[schema(value_type = Option<Value>)]
    tariff_id: Option<()>,
    #[schema(value_type = Option<Value>)]
    seat_category_id: Option<()>,
    #[schema(value_type = Option<Value>)]
    contingent_id: Option<()>,
}

#[derive(ToSchema)]
pub enum Gender {
    M,
    F,
    U,
    X,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpectatorDetails {
    title: Option<String>,
    gender: Option<Gender>,
    #[schema(max_length = 50)]
    first_name: Option<String>,
    #[schema(max_length = 100)]
    last_name: Option<String>,
    #[schema(max_length = 256)]
    email: String,
    #[schema(format = Date)]
    birth_date: Option<String>,
    nationality: Option<String>,
    id_number: Option<String>,
    country_code: Option<String>,
    birth_region: Option<String>,
    birth_place: Option<String>,
    #[schema(default = false)]
    main_applicant: Option<bool>,
}

#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ActivationMethod {
    Online,
    Offline,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivationParameters {
    method: Option<ActivationMethod>,
    #[schema(format = DateTime)]
    time: Option<String>,
    #[schema(max_length = 50)]
    group_id: Option<String>,
    #[schema(max_length = 128)]
    instance_id: Option<String>,
}

#[derive(ToSchema)]
pub struct TicketDetails {
    #[schema(value_type = Option<Vec<Value>>)]
    main: Option<()>,
    #[schema(value_type = Option<Vec<Value>>)]
    extra: Option<()>,
    #[schema(value_type = Option<Vec<Value>>)]
    hidden: Option<()>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteRequest {
    ticket_id: String,
    #[schema(max_length = 256)]
    reason: Option<String>,
    show_deleted_ticket: Option<bool>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ControlRequest {
    ticket_id: String,
    #[schema(format = DateTime)]
    controlled_at: Option<String>,
    /// default false: when true, the spectator's wallet tells them the ticket was controlled
    notify_spectator: Option<bool>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelTransferRequest {
    ticket_id: String,
}

/// One ticket, whole, with its hash-chained status log.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    ticket_id: String,
    #[schema(schema_with = wallet_status)]
    status: String,
    /// the barcode the ticket was injected with (`security.barcode`)
    barcode: String,
    event_id: String,
    #[schema(value_type = Object)]
    owner: (),
    #[schema(value_type = Object)]
    initial_owner: (),
    #[schema(value_type = Option<Object>)]
    previous_owner: Option<()>,
    #[schema(value_type = Option<Object>)]
    holder: Option<()>,
    forward_transfers: i64,
    backward_transfers: i64,
    history: Vec<HistoryEntry>,
    /// the injected event; only when the ticket is read alone (`GET …/tickets/{ticketId}`),
    /// not in the diff
    #[schema(value_type = Object, required = false)]
    event: (),
    /// the injected ticket; only when the ticket is read alone, not in the diff
    #[schema(required = false)]
    ticket: InjectedTicket,
}

#[derive(ToSchema)]
pub struct HistoryEntry {
    position: i64,
    #[schema(format = DateTime)]
    at: String,
    #[schema(schema_with = wallet_status)]
    status: String,
    action: String,
    actor: String,
    #[schema(value_type = Value)]
    detail: (),
    /// SHA-256 over the entry and the previous hash
    hash: String,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    tickets: Vec<Ticket>,
    next_pagination_key: String,
}

/// A ticket's state as the digest covers it (docs/wallet-api.md#digest).
#[derive(ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DigestStatus {
    /// any status but CONTROLLED, DELETION_PENDING and DELETED
    Valid,
    Controlled,
    /// DELETION_PENDING or DELETED
    Deleted,
}

/// The digest of a range of ticket ids: `from` ≤ ticketId < `to`, in byte order.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DigestRange {
    /// absent: open
    from: Option<String>,
    /// absent: open
    to: Option<String>,
    count: u64,
    /// SHA-256 (hex) over the range's tickets in ticket-id order
    hash: String,
}

/// One ticket of a listed range.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DigestTicket {
    ticket_id: String,
    status: DigestStatus,
    /// 16 hex digits of the barcode's SHA-256; null when DELETED
    barcode_version: Option<String>,
    /// the deletion reason; null unless DELETED
    reason: Option<String>,
    /// false unless DELETED
    show_deleted_ticket: bool,
    event_id: String,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DigestAnswer {
    event_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    count: u64,
    hash: String,
    /// the range cut into parts of about equal counts, end to end; each part after the first
    /// starts at a ticket of the range
    parts: Vec<DigestRange>,
    /// only when `list` was given and the range holds at most that many tickets
    tickets: Option<Vec<DigestTicket>>,
}
