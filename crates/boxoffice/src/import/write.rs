//! Writing a checked import in one transaction: contacts found by e-mail or created, files
//! created on first sight of their number, then the tickets, all in multi-row statements —
//! within the capacities and on free seats (docs/products-and-statuses.md#capacity-and-seats).

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use tixbridge_store::{Db, sql};

use super::parse::ParsedRow;
use super::{BadRow, ImportError, ImportOutcome, Progress};
use crate::BoxOfficeError;
use crate::capacity::{check_sale, is_seat_clash};
use crate::contacts::preference_rank;
use crate::idempotency::{Answer, Idempotency};
use crate::issue::{CHUNK, ResolvedTicket, existing_barcodes, insert_tickets};

/// Binds per row are small here (≤ 6), so bigger chunks for contacts and files.
const KEY_CHUNK: usize = 1_000;

pub(crate) async fn write(
    db: &Db,
    org: i64,
    rows: Vec<ParsedRow>,
    key: &Idempotency,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Answer, ImportError> {
    let now = crate::now_ms();
    let total = rows.len();
    // First sighting of each e-mail (with its names) and each file number (with its row).
    let mut emails: Vec<&ParsedRow> = Vec::new();
    let mut seen_email = HashSet::new();
    let mut numbers: Vec<&ParsedRow> = Vec::new();
    let mut seen_number = HashSet::new();
    for row in &rows {
        if seen_email.insert(row.email.as_str()) {
            emails.push(row);
        }
        if seen_number.insert(row.file_number.as_str()) {
            numbers.push(row);
        }
    }
    let barcodes: Vec<&str> = rows.iter().map(|r| r.ticket.barcode.as_str()).collect();
    let mut tx = db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, org).await? {
        return Ok(replay);
    }
    let taken = existing_barcodes(&mut tx, org, &barcodes).await?;
    if !taken.is_empty() {
        let bad = rows.iter().filter(|r| taken.contains(&r.ticket.barcode)).map(|r| BadRow {
            row: r.row,
            line: r.line,
            field: "barcode".to_owned(),
            error: "already used by another ticket".to_owned(),
        });
        return Err(bad_rows(bad));
    }
    // Capacities and seats, counted under the performances' locks.
    let sale: Vec<&ResolvedTicket> = rows.iter().map(|r| &r.ticket).collect();
    let refused = check_sale(&mut tx, &sale).await?;
    if !refused.is_empty() {
        let bad = refused.into_iter().map(|refusal| BadRow {
            row: rows[refusal.index].row,
            line: rows[refusal.index].line,
            field: refusal.field.to_owned(),
            error: refusal.message,
        });
        return Err(bad_rows(bad));
    }

    // Contacts: the preferred existing one per e-mail, else a new one.
    let mut contact_of: HashMap<String, ((bool, bool, i64), i64)> = HashMap::new();
    for chunk in emails.chunks(KEY_CHUNK) {
        let mut select = sql("SELECT id, email, has_internet_account, kind FROM bo_contacts WHERE organization_id = ");
        select.push_bind(org).push(" AND email IN ");
        select.push_list(chunk.iter().map(|row| row.email.as_str()));
        let found: Vec<(i64, String, bool, String)> = select.fetch_all(&mut tx).await?;
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
        let created: Vec<(i64, String)> = insert.fetch_all(&mut tx).await?;
        contact_of.extend(created.into_iter().map(|(id, email)| (email, ((false, false, id), id))));
    }

    // Files: existing ones are added to, new ones belong to their first row's contact.
    let mut file_of: HashMap<String, i64> = HashMap::new();
    for chunk in numbers.chunks(KEY_CHUNK) {
        let mut select = sql("SELECT id, file_number FROM bo_files WHERE organization_id = ");
        select.push_bind(org).push(" AND file_number IN ");
        select.push_list(chunk.iter().map(|row| row.file_number.as_str()));
        let found: Vec<(i64, String)> = select.fetch_all(&mut tx).await?;
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
        let created: Vec<(i64, String)> = insert.fetch_all(&mut tx).await?;
        file_of.extend(created.into_iter().map(|(id, number)| (number, id)));
    }

    let tickets: Vec<(i64, i64, &ResolvedTicket)> =
        rows.iter().map(|r| (file_of[&r.file_number], contact_of[&r.email].1, &r.ticket)).collect();
    for (done, part) in tickets.chunks(CHUNK * 10).enumerate() {
        insert_tickets(&mut tx, org, part, now).await.map_err(|err| {
            if is_seat_clash(&err) {
                ImportError::from(BoxOfficeError::unavailable(
                    "seat",
                    "a seat of this file was sold meanwhile; nothing was written",
                ))
            } else {
                err.into()
            }
        })?;
        progress(Progress::Written { done: (done * CHUNK * 10 + part.len()).min(total), total });
    }
    tx.announce_change().await?;
    let outcome = ImportOutcome {
        rows: total,
        tickets_created: total,
        contacts_created: new_contacts.len(),
        files_created: new_files.len(),
    };
    let answer = key.finish(tx, org, StatusCode::CREATED, &outcome).await?;
    db.changes().signal();
    db.refresh_statistics(&["bo_tickets", "bo_files", "bo_contacts"]).await.map_err(|e| match e {
        tixbridge_store::StoreError::Sql(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    })?;
    Ok(answer)
}

/// The refusal listing `bad` (at most [`super::MAX_LISTED_BAD_ROWS`] of them, all counted).
fn bad_rows(bad: impl Iterator<Item = BadRow>) -> ImportError {
    let mut rows = Vec::new();
    let mut count = 0;
    let mut last_row = 0;
    for bad in bad {
        if bad.row != last_row {
            count += 1;
            last_row = bad.row;
        }
        if rows.len() < super::MAX_LISTED_BAD_ROWS {
            rows.push(bad);
        }
    }
    ImportError::BadRows { rows, count }
}
