//! Files (orders): a contact's purchase, holding its tickets. Issuing a file checks every
//! ticket first and writes the file and all its tickets in one transaction, or nothing — within
//! the capacities and on free seats (docs/products-and-statuses.md#capacity-and-seats).

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rand::Rng;
use serde::{Deserialize, Serialize};
use tixbridge_store::{Conn, Db, sql};
use tixbridge_web::ApiError;
use tixbridge_web::Path;

use crate::catalog::Catalog;
use crate::idempotency::{Answer, Idempotency, Idempotent};
use crate::issue::{self, ResolvedTicket, TicketRequest};
use crate::organizations::{self, Organization};
use crate::tickets::{TicketView, view};
use crate::{BoxOfficeError, BoxOfficeState, capacity, validate};

/// The most tickets one file may hold when issued through the API.
pub const MAX_TICKETS_PER_FILE: usize = 10_000;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewFile {
    /// generated when absent
    pub file_number: Option<String>,
    pub contact_id: i64,
    pub sales_channel_code: Option<String>,
    #[schema(min_items = 1, max_items = 10000)]
    pub tickets: Vec<TicketRequest>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = File)]
pub struct FileView {
    pub id: i64,
    pub organization_code: String,
    pub file_number: String,
    pub contact_id: i64,
    pub sales_channel_code: Option<String>,
    #[sqlx(skip)]
    pub tickets: Vec<TicketView>,
}

/// A file number for a file issued without one: `F` and twelve digits.
pub fn generate_file_number() -> String {
    format!("F{:012}", rand::thread_rng().gen_range(0..1_000_000_000_000_u64))
}

/// Issues a file and its tickets (all `NOT_PRINTED`), or refuses naming every bad field;
/// with an idempotency `key`, the first answer to the key instead when it was used before.
pub async fn issue_file(
    db: &Db,
    org: &Organization,
    new: NewFile,
    key: &Idempotency,
) -> Result<Answer, BoxOfficeError> {
    if let Some(replay) = key.replay(db, org.id).await? {
        return Ok(replay);
    }
    // Every field is checked and every bad one reported at once (docs/errors.md).
    let mut bad: Vec<BoxOfficeError> = Vec::new();
    let file_number = match new.file_number.as_deref() {
        Some(number) => validate::code("fileNumber", number).unwrap_or_else(|err| {
            bad.push(err);
            String::new()
        }),
        None => generate_file_number(),
    };
    if new.tickets.is_empty() || new.tickets.len() > MAX_TICKETS_PER_FILE {
        bad.push(BoxOfficeError::invalid("tickets", format!("must hold 1 to {MAX_TICKETS_PER_FILE} tickets")));
    }
    if crate::contacts::get(db, org.id, new.contact_id).await.is_err() {
        bad.push(BoxOfficeError::invalid("contactId", format!("no contact {} in {}", new.contact_id, org.code)));
    }
    let catalog = Catalog::load(db, org).await?;
    let channel_id = new.sales_channel_code.as_deref().and_then(|code| {
        let found = catalog.sales_channels.get(code).copied();
        if found.is_none() {
            bad.push(BoxOfficeError::invalid("salesChannelCode", format!("no sales channel {code:?}")));
        }
        found
    });
    let mut resolved: Vec<ResolvedTicket> = Vec::with_capacity(new.tickets.len());
    for (i, request) in new.tickets.iter().enumerate() {
        match issue::resolve(&catalog, request) {
            Ok(ticket) => resolved.push(ResolvedTicket { sales_channel_id: channel_id, ..ticket }),
            Err(errors) => bad.extend(
                errors
                    .into_iter()
                    .map(|err| BoxOfficeError::invalid(format!("tickets[{i}].{}", err.field), err.message)),
            ),
        }
    }
    if !bad.is_empty() {
        return Err(BoxOfficeError::all(bad));
    }
    check_holders(db, org.id, &resolved).await?;
    if let Some(&i) = issue::repeated_barcodes(resolved.iter().map(|t| t.barcode.as_str())).first() {
        return Err(BoxOfficeError::duplicate(format!("tickets[{i}].barcode"), "given twice in this file"));
    }
    let sale: Vec<&ResolvedTicket> = resolved.iter().collect();
    if let Some(&(i, first)) = capacity::repeated_seats(&sale).first() {
        return Err(BoxOfficeError::duplicate(
            format!("tickets[{i}].seat"),
            format!("{} is given twice in this file (tickets[{first}])", capacity::describe_seat(&resolved[i])),
        ));
    }
    let now = crate::now_ms();
    let barcodes: Vec<&str> = resolved.iter().map(|t| t.barcode.as_str()).collect();
    let mut tx = db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org.id).await? {
        return Ok(replay);
    }
    let file_id: Option<i64> =
        sql("INSERT INTO bo_files (organization_id, file_number, contact_id, sales_channel_id, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization_id, file_number) DO NOTHING RETURNING id")
        .bind(org.id)
        .bind(&file_number)
        .bind(new.contact_id)
        .bind(channel_id)
        .bind(now)
        .scalar_optional(&mut tx)
        .await?;
    let file_id = file_id
        .ok_or_else(|| BoxOfficeError::duplicate("fileNumber", format!("file {file_number:?} already exists")))?;
    let taken = issue::existing_barcodes(&mut tx, org.id, &barcodes).await?;
    if let Some(i) = barcodes.iter().position(|b| taken.contains(*b)) {
        return Err(BoxOfficeError::duplicate(format!("tickets[{i}].barcode"), "already used by another ticket"));
    }
    if let Some(refused) = capacity::check_sale(&mut tx, &sale).await?.into_iter().next() {
        return Err(BoxOfficeError::unavailable(
            format!("tickets[{}].{}", refused.index, refused.field),
            refused.message,
        ));
    }
    let rows: Vec<(i64, i64, &ResolvedTicket)> = resolved.iter().map(|t| (file_id, new.contact_id, t)).collect();
    issue::insert_tickets(&mut tx, org.id, &rows, now).await.map_err(|err| {
        if capacity::is_seat_clash(&err) {
            BoxOfficeError::unavailable("tickets", "a seat of this file was sold meanwhile; nothing was written")
        } else {
            err.into()
        }
    })?;
    let file = find_in(&mut tx, org, &file_number).await?;
    tx.announce_change().await?;
    let answer = key.finish(tx, org.id, StatusCode::CREATED, &file).await?;
    db.changes().signal();
    Ok(answer)
}

/// Holders must be contacts of the organization.
async fn check_holders(db: &Db, org: i64, tickets: &[ResolvedTicket]) -> Result<(), BoxOfficeError> {
    let wanted: HashSet<i64> = tickets.iter().filter_map(|t| t.holder_contact_id).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut select = sql("SELECT id FROM bo_contacts WHERE organization_id = ");
    select.push_bind(org).push(" AND id IN ");
    select.push_list(wanted.iter().copied());
    let known: Vec<i64> = select.scalars(&mut db.reader().await?).await?;
    let known: HashSet<i64> = known.into_iter().collect();
    match tickets.iter().position(|t| t.holder_contact_id.is_some_and(|h| !known.contains(&h))) {
        Some(i) => Err(BoxOfficeError::invalid(format!("tickets[{i}].holderContactId"), "no such contact here")),
        None => Ok(()),
    }
}

/// A file of the organization with its tickets.
pub async fn find(db: &Db, org: &Organization, file_number: &str) -> Result<FileView, BoxOfficeError> {
    find_in(&mut db.reader().await?, org, file_number).await
}

/// [`find`] on `conn` (the transaction that issued the file).
async fn find_in(conn: &mut impl Conn, org: &Organization, file_number: &str) -> Result<FileView, BoxOfficeError> {
    let found: Option<FileView> =
        sql("SELECT f.id, o.code AS organization_code, f.file_number, f.contact_id, ch.code AS sales_channel_code
         FROM bo_files f JOIN bo_organizations o ON o.id = f.organization_id
         LEFT JOIN bo_sales_channels ch ON ch.id = f.sales_channel_id
         WHERE f.organization_id = $1 AND f.file_number = $2")
        .bind(org.id)
        .bind(file_number)
        .fetch_optional(conn)
        .await?;
    let mut file = found.ok_or_else(|| BoxOfficeError::not_found(format!("file {file_number:?}")))?;
    file.tickets = view::of_file(conn, file.id).await?;
    Ok(file)
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/files",
    summary = "Issue a file (order) and its NOT_PRINTED tickets, all or nothing",
    params(crate::openapi::OrgPath, crate::openapi::IdempotencyKey),
    request_body = NewFile,
    responses((status = 201, description = "created (or the first answer to its Idempotency-Key)", body = FileView), crate::openapi::answers::SaleRefusals)
)]
pub(crate) async fn create_file(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
    Idempotent(key, body): Idempotent<NewFile>,
) -> Result<Answer, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    Ok(issue_file(&state.db, &org, body, &key).await?)
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/files/{fileNumber}",
    summary = "One file with its tickets",
    params(("org" = String, Path, description = "the organization's code"), ("fileNumber" = String, Path)),
    responses((status = 200, description = "found", body = FileView), crate::openapi::answers::ReadRefusals)
)]
pub(crate) async fn get_file(
    State(state): State<BoxOfficeState>,
    Path((org, file_number)): Path<(String, String)>,
) -> Result<Json<FileView>, ApiError> {
    let org = organizations::find(&state.db, &org).await?;
    Ok(Json(find(&state.db, &org, &file_number).await?))
}
