//! The floor that injection is measured against: the same N tickets written straight into
//! the same database in large transactions — the wallet rows (ticket with its JSON body and
//! first log row) and the box-office printing (the same box-office function the injection
//! calls) — with no HTTP, JSON parsing or payload checks.

use std::time::Instant;

use serde_json::json;
use tixbridge_boxoffice::wallet_side::printing::print_tickets;
use tixbridge_boxoffice::wallet_side::tallies::tickets_in_status;
use tixbridge_domain::TicketStatus;
use tixbridge_store::sql;

use super::Report;
use super::harness::Harness;

const TRANSACTION: usize = 10_000;
const CHUNK: usize = 1_000;

pub async fn run(database: &str, tickets: usize) -> anyhow::Result<Report> {
    let harness = Harness::start(database).await?;
    harness.seed_tickets(tickets).await?;
    let organizer: i64 = harness.count("SELECT MIN(id) FROM wallet_organizers").await?;
    let spectator: i64 =
        sql("INSERT INTO wallet_spectators (email, created_at) VALUES ('floor@example.org', 0) RETURNING id")
            .scalar(&mut harness.db().writer().await?)
            .await?;
    let event: i64 = sql("INSERT INTO wallet_events (organizer_id, event_id, name, start_time, expiration_date, body)
         VALUES ($1, 'FLOOR', 'Floor', '2099-01-01T00:00:00Z', '2099-01-02T00:00:00Z', '{}') RETURNING id")
    .bind(organizer)
    .scalar(&mut harness.db().writer().await?)
    .await?;
    let body = json!(tixbridge_domain::inject::example_ticket("0000000", "FLOOR", "floor@example.org")).to_string();
    let hash = vec![0u8; 32];
    eprintln!("bench: writing {tickets} tickets straight into the database …");
    let started = Instant::now();
    let ids: Vec<i64> = (1..=tickets as i64).collect();
    for transaction in ids.chunks(TRANSACTION) {
        let mut tx = harness.db().begin_write().await?;
        for chunk in transaction.chunks(CHUNK) {
            let mut insert = sql(
                "INSERT INTO wallet_tickets (organizer_id, ticket_id, event_pk, status, body, content_hash, barcode,
                     initial_owner_id, owner_id, injected_at, change_seq, log_len, last_hash) ",
            );
            insert.push_values(chunk, |row, id| {
                row.bind(organizer)
                    .bind(id.to_string())
                    .bind(event)
                    .bind("INJECTED")
                    .bind(body.as_str())
                    .bind(hash.as_slice())
                    .bind(id.to_string())
                    .bind(spectator)
                    .bind(spectator)
                    .bind(0_i64)
                    .bind(*id)
                    .bind(1_i64)
                    .bind(hash.as_slice());
            });
            insert.push(" RETURNING id");
            let pks: Vec<i64> = insert.scalars(&mut tx).await?;
            let mut log =
                sql("INSERT INTO wallet_ticket_log (ticket_pk, position, feed_seq, at, status, action, actor, detail,
                     prev_hash, hash) ");
            log.push_values(&pks, |row, pk| {
                row.bind(*pk)
                    .bind(0_i64)
                    .bind(*pk)
                    .bind(0_i64)
                    .bind("INJECTED")
                    .bind("INJECT")
                    .bind("organizer")
                    .bind("{}")
                    .bind(hash.as_slice())
                    .bind(hash.as_slice());
            });
            log.execute(&mut tx).await?;
            // the box-office side of printing, as the injection does it
            print_tickets(&mut tx, chunk, chrono::Utc::now().timestamp_millis(), None).await?;
        }
        tx.commit().await?;
    }
    let wall_s = started.elapsed().as_secs_f64();
    let written = harness.count("SELECT COUNT(*) FROM wallet_tickets").await?;
    let printed = tickets_in_status(&mut harness.db().reader().await?, TicketStatus::Printed).await?;
    Ok(Report {
        scenario: "baseline",
        backend: harness.backend.clone(),
        wall_s,
        items: tickets as u64,
        latencies_ms: Vec::new(),
        checks_passed: written == tickets as i64 && printed == tickets as i64,
        checks: vec![format!("{written} wallet rows and {printed} printed box-office tickets written")],
        extra: Vec::new(),
    })
}
