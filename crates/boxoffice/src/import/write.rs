//! Writing a checked import in one transaction, a chunk of rows at a time: contacts found by
//! e-mail or created, files created on first sight of their number, then the tickets, all in
//! multi-row statements — within the capacities and on free seats
//! (docs/products-and-statuses.md#capacity-and-seats, docs/boxoffice-api.md#csv-import).

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use tixbridge_store::{Db, Tx, sql};

use super::bad::BadRows;
use super::check::FileSummary;
use super::parse::ParsedRow;
use super::{BadRow, ImportError, ImportOutcome, Progress, Reading};
use crate::BoxOfficeError;
use crate::capacity::{SaleCheck, is_seat_clash};
use crate::contacts::preference_rank;
use crate::idempotency::{Answer, Idempotency};
use crate::issue::{ResolvedTicket, existing_barcodes, insert_tickets};

/// Binds per row are small here (≤ 6), so bigger chunks for contacts and files.
const KEY_CHUNK: usize = 1_000;

/// Writes the checked file `reading` brings (a second read of it) in one transaction, chunk
/// by chunk; nothing is kept of a chunk once written. A barcode another ticket uses, or a
/// place beyond a capacity, refuses the whole file: the chunks after it are still read, to
/// name every such row, and the transaction is rolled back.
pub(crate) async fn write<R: Send + 'static>(
    db: &Db,
    org: i64,
    summary: FileSummary,
    mut reading: Reading<R>,
    key: &Idempotency,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Answer, ImportError> {
    let now = crate::now_ms();
    let total = summary.rows;
    let mut tx = db.begin_write().await?;
    tx.plan_each_statement().await?;
    if let Some(replay) = key.claim(&mut tx, org).await? {
        return Ok(replay);
    }
    // Capacities, counted under the performances' locks (seats were checked in the first pass).
    let mut sale = SaleCheck::start(
        &mut tx,
        &summary.performance_ids,
        summary.seat_category_ids.clone(),
        summary.contingent_ids.clone(),
    )
    .await?;
    let (mut barcodes_taken, mut beyond) = (BadRows::default(), BadRows::default());
    let mut outcome = ImportOutcome { rows: total, tickets_created: total, files_created: 0, contacts_created: 0 };
    let mut done = 0;
    while let Some(chunk) = reading.next().await {
        let rows = chunk
            .into_iter()
            .map(|checked| checked.parsed.filter(|_| checked.errors.is_empty()).ok_or_else(file_changed))
            .collect::<Result<Vec<ParsedRow>, _>>()?;
        done += rows.len();
        let barcodes: Vec<&str> = rows.iter().map(|r| r.ticket.barcode.as_str()).collect();
        let taken = existing_barcodes(&mut tx, org, &barcodes).await?;
        for row in rows.iter().filter(|r| taken.contains(&r.ticket.barcode)) {
            barcodes_taken.push(bad(row, "barcode", "already used by another ticket".to_owned()));
        }
        if barcodes_taken.is_empty() {
            let tickets: Vec<&ResolvedTicket> = rows.iter().map(|r| &r.ticket).collect();
            let seat_sold: HashSet<usize> = (0..rows.len())
                .filter(|&i| summary.seat_sold_rows.binary_search(&(rows[i].row as u32)).is_ok())
                .collect();
            for refusal in sale.beyond_capacity(&tickets, &seat_sold) {
                beyond.push(bad(&rows[refusal.index], refusal.field, refusal.message));
            }
        }
        if barcodes_taken.is_empty() && beyond.is_empty() && summary.seats_sold.is_empty() {
            write_rows(&mut tx, org, &rows, now, &mut outcome).await?;
        }
        progress(Progress::Written { done: done.min(total), total });
    }
    reading.end().await?;
    if done != total {
        return Err(file_changed());
    }
    if !barcodes_taken.is_empty() {
        return Err(barcodes_taken.into_error());
    }
    if !beyond.is_empty() || !summary.seats_sold.is_empty() {
        return Err(summary.seats_sold.merged(beyond).into_error());
    }
    tx.announce_change().await?;
    let answer = key.finish(tx, org, StatusCode::CREATED, &outcome).await?;
    db.changes().signal();
    db.refresh_statistics(&["bo_tickets", "bo_files", "bo_contacts"]).await.map_err(|e| match e {
        tixbridge_store::StoreError::Sql(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    })?;
    Ok(answer)
}

fn bad(row: &ParsedRow, field: &str, error: String) -> BadRow {
    BadRow { row: row.row, line: row.line, field: field.to_owned(), error }
}

/// The second read of the file found other rows than the first.
fn file_changed() -> ImportError {
    ImportError::Header("the file changed while it was imported; nothing was written".to_owned())
}

/// Writes one chunk of rows: contacts found by e-mail or created, files found by number or
/// created (earlier chunks' are found, being in the same transaction), then the tickets.
async fn write_rows(
    tx: &mut Tx,
    org: i64,
    rows: &[ParsedRow],
    now: i64,
    outcome: &mut ImportOutcome,
) -> Result<(), ImportError> {
    // First sighting of each e-mail (with its names) and each file number (with its row).
    let mut emails: Vec<&ParsedRow> = Vec::new();
    let mut seen_email = HashSet::new();
    let mut numbers: Vec<&ParsedRow> = Vec::new();
    let mut seen_number = HashSet::new();
    for row in rows {
        if seen_email.insert(row.email.as_str()) {
            emails.push(row);
        }
        if seen_number.insert(row.file_number.as_str()) {
            numbers.push(row);
        }
    }

    // Contacts: the preferred existing one per e-mail, else a new one.
    let mut contact_of: HashMap<String, ((bool, bool, i64), i64)> = HashMap::new();
    for chunk in emails.chunks(KEY_CHUNK) {
        let mut select = sql("SELECT id, email, has_internet_account, kind FROM bo_contacts WHERE organization_id = ");
        select.push_bind(org).push(" AND email IN ");
        select.push_list(chunk.iter().map(|row| row.email.as_str()));
        let found: Vec<(i64, String, bool, String)> = select.fetch_all(&mut *tx).await?;
        for (id, email, internet, kind) in found {
            let rank = preference_rank(internet, &kind, id);
            let entry = contact_of.entry(email).or_insert((rank, id));
            if rank < entry.0 {
                *entry = (rank, id);
            }
        }
    }
    let new_contacts: Vec<&&ParsedRow> = emails.iter().filter(|r| !contact_of.contains_key(&r.email)).collect();
    for chunk in new_contacts.chunks(KEY_CHUNK) {
        let mut insert =
            sql("INSERT INTO bo_contacts (organization_id, kind, first_name, last_name, email, created_at) ");
        insert.push_values(chunk, |b, row| {
            b.bind(org)
                .bind("INDIVIDUAL")
                .bind(row.first_name.as_deref())
                .bind(row.last_name.as_deref())
                .bind(row.email.as_str())
                .bind(now);
        });
        insert.push(" RETURNING id, email");
        let created: Vec<(i64, String)> = insert.fetch_all(&mut *tx).await?;
        contact_of.extend(created.into_iter().map(|(id, email)| (email, ((false, false, id), id))));
    }

    // Files: existing ones are added to, new ones belong to their first row's contact.
    let mut file_of: HashMap<String, i64> = HashMap::new();
    for chunk in numbers.chunks(KEY_CHUNK) {
        let mut select = sql("SELECT id, file_number FROM bo_files WHERE organization_id = ");
        select.push_bind(org).push(" AND file_number IN ");
        select.push_list(chunk.iter().map(|row| row.file_number.as_str()));
        let found: Vec<(i64, String)> = select.fetch_all(&mut *tx).await?;
        file_of.extend(found.into_iter().map(|(id, number)| (number, id)));
    }
    let new_files: Vec<&&ParsedRow> = numbers.iter().filter(|r| !file_of.contains_key(&r.file_number)).collect();
    for chunk in new_files.chunks(KEY_CHUNK) {
        let mut insert =
            sql("INSERT INTO bo_files (organization_id, file_number, contact_id, sales_channel_id, created_at) ");
        insert.push_values(chunk, |b, row| {
            b.bind(org)
                .bind(row.file_number.as_str())
                .bind(contact_of[&row.email].1)
                .bind(row.ticket.sales_channel_id)
                .bind(now);
        });
        insert.push(" RETURNING id, file_number");
        let created: Vec<(i64, String)> = insert.fetch_all(&mut *tx).await?;
        file_of.extend(created.into_iter().map(|(id, number)| (number, id)));
    }

    let tickets: Vec<(i64, i64, &ResolvedTicket)> =
        rows.iter().map(|r| (file_of[&r.file_number], contact_of[&r.email].1, &r.ticket)).collect();
    insert_tickets(tx, org, &tickets, now).await.map_err(|err| {
        if is_seat_clash(&err) {
            ImportError::from(BoxOfficeError::unavailable(
                "seat",
                "a seat of this file was sold meanwhile; nothing was written",
            ))
        } else {
            err.into()
        }
    })?;
    outcome.contacts_created += new_contacts.len();
    outcome.files_created += new_files.len();
    Ok(())
}
