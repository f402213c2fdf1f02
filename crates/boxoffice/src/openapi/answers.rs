//! What the box office's operations answer besides their object: the refusal body and, per
//! kind of operation, the refusals it may give.

use tixbridge_domain::{ProductKind, SeasonShape, ShipmentType, TicketStatus};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoResponses, ToSchema};

/// A refusal: `error` and `field` as everywhere, plus what a refused move or scan adds.
#[derive(ToSchema)]
#[schema(as = BoxOfficeError)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // a schema only: the answer itself is built from `crate::BoxOfficeError`
pub struct ErrorBody {
    error: String,
    #[schema(required = false)]
    field: String,
    /// every bad field and the rule it breaks (docs/errors.md)
    errors: Vec<tixbridge_web::openapi::FieldRuleBody>,
    /// on a refused move
    #[schema(required = false, schema_with = ticket_status)]
    current_status: String,
    /// on a refused scan
    #[schema(required = false, schema_with = scan_refusal)]
    code: String,
    /// on a refused scan
    #[schema(required = false)]
    ticket_id: i64,
}

/// The refusals of a create.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum CreateRefusals {
    #[response(status = 400, description = "malformed JSON; nothing was written")]
    Malformed(ErrorBody),
    #[response(status = 404, description = "unknown organization (or parent resource) in the path")]
    Unknown(ErrorBody),
    #[response(status = 409, description = "a code or number already taken; `field` names it")]
    Duplicate(ErrorBody),
    #[response(status = 422, description = "a bad value, a broken rule or an unknown reference; `field` names it")]
    Invalid(ErrorBody),
}

/// The refusals of a sale (a file): those of a create, and a place or seat no longer there.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum SaleRefusals {
    #[response(status = 400, description = "malformed JSON; nothing was written")]
    Malformed(ErrorBody),
    #[response(status = 404, description = "unknown organization in the path")]
    Unknown(ErrorBody),
    #[response(
        status = 409,
        description = "a file number or barcode already taken, a seat already sold (`field` `tickets[i].seat`, the message names block, row and seat), or a capacity reached (`field` `tickets[i].performanceCode`, `.seatCategoryCode` or `.contingentCode`); nothing was written"
    )]
    Conflict(ErrorBody),
    #[response(
        status = 422,
        description = "a bad value, a broken rule, an unknown reference, or an Idempotency-Key used for another request; `field` names it"
    )]
    Invalid(ErrorBody),
}

/// The refusals of an operation on a ticket.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum MoveRefusals {
    #[response(status = 404, description = "unknown organization or ticket")]
    Unknown(ErrorBody),
    #[response(
        status = 409,
        description = "the state machine refuses the move; `currentStatus` is the ticket's status"
    )]
    Refused(ErrorBody),
    #[response(status = 422, description = "a bad reason code")]
    BadReason(ErrorBody),
}

/// The refusals of a change to an existing object (a contact's correction or merge).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ChangeRefusals {
    #[response(status = 400, description = "malformed JSON; nothing was changed")]
    Malformed(ErrorBody),
    #[response(
        status = 404,
        description = "unknown organization or object, or one of another organization (`field` names the member when the body named it)"
    )]
    Unknown(ErrorBody),
    #[response(status = 422, description = "a bad value or a broken rule; `field` names it; nothing was changed")]
    Invalid(ErrorBody),
}

/// The refusals of a read.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ReadRefusals {
    #[response(status = 400, description = "bad query parameter")]
    BadQuery(ErrorBody),
    #[response(status = 404, description = "not found")]
    Unknown(ErrorBody),
}

/// A refusal of the away export.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ExportRefusals {
    #[response(status = 404, description = "not found")]
    Unknown(ErrorBody),
    #[response(status = 422, description = "a seat category or contingent code this catalog does not have")]
    Invalid(ErrorBody),
}

fn one_of(values: impl IntoIterator<Item = String>) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).into()
}

/// A ticket's status, one of the domain's.
pub fn ticket_status() -> RefOr<Schema> {
    one_of(TicketStatus::ALL.iter().map(|s| s.as_str().to_owned()))
}

pub fn scan_refusal() -> RefOr<Schema> {
    one_of(["ALREADY_CONTROLLED", "NOT_VALID"].map(str::to_owned))
}

pub fn product_kind() -> RefOr<Schema> {
    one_of(ProductKind::ALL.iter().map(|s| s.as_str().to_owned()))
}

pub fn season_shape() -> RefOr<Schema> {
    one_of(SeasonShape::ALL.iter().map(|s| s.as_str().to_owned()))
}

/// A product's season shape as answered: `null` for a product that is not a season ticket.
pub fn season_shape_or_null() -> RefOr<Schema> {
    let shapes = SeasonShape::ALL.iter().map(|s| Some(s.as_str().to_owned())).chain([None]);
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(shapes))
        .into()
}

pub fn shipment_type() -> RefOr<Schema> {
    one_of(ShipmentType::ALL.iter().map(|s| s.as_str().to_owned()))
}

/// A refused import: a bad header, or the bad rows, each naming its field.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ImportRefused {
    error: String,
    field: String,
    /// every bad field and the rule it breaks (docs/errors.md)
    errors: Vec<tixbridge_web::openapi::FieldRuleBody>,
    /// absent when the import was refused whole (a bad header, or an `Idempotency-Key` used for another request)
    #[schema(required = false)]
    bad_row_count: i64,
    /// absent when the import was refused whole
    #[schema(required = false, max_items = 1000)]
    bad_rows: Vec<crate::import::BadRow>,
}
