//! The floor that injection is measured against: the same N tickets written straight into
//! the same database in large transactions — the wallet rows (ticket with its JSON body and
//! first log row) and the box-office status change — with no HTTP, JSON parsing or checks.

use std::time::Instant;

use serde_json::json;
use tixbridge_store::on_writer;

use super::Report;
use super::harness::Harness;

const TRANSACTION: usize = 10_000;
const CHUNK: usize = 1_000;

pub async fn run(database: &str, tickets: usize) -> anyhow::Result<Report> {
    let harness = Harness::start(database).await?;
    harness.seed_tickets(tickets).await?;
    let organizer: i64 = harness.count("SELECT MIN(id) FROM wallet_organizers").await?;
    let spectator: i64 = on_writer!(harness.db(), |pool| {
        sqlx::query_scalar(
            "INSERT INTO wallet_spectators (email, created_at) VALUES ('floor@example.org', 0) RETURNING id",
        )
        .fetch_one(pool)
        .await?
    });
    let event: i64 = on_writer!(harness.db(), |pool| {
        sqlx::query_scalar(
            "INSERT INTO wallet_events (organizer_id, event_id, name, start_time, expiration_date, body)
             VALUES ($1, 'FLOOR', 'Floor', '2099-01-01T00:00:00Z', '2099-01-02T00:00:00Z', '{}') RETURNING id",
        )
        .bind(organizer)
        .fetch_one(pool)
        .await?
    });
    let body = json!(tixbridge_domain::inject::example_ticket("0000000", "FLOOR", "floor@example.org")).to_string();
    let hash = vec![0u8; 32];
    eprintln!("bench: writing {tickets} tickets straight into the database …");
    let started = Instant::now();
    let ids: Vec<i64> = (1..=tickets as i64).collect();
    for transaction in ids.chunks(TRANSACTION) {
        on_writer!(harness.db(), |pool| {
            let mut tx = pool.begin().await?;
            for chunk in transaction.chunks(CHUNK) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO wallet_tickets (organizer_id, ticket_id, event_pk, status, body, content_hash, barcode,
                         initial_owner_id, owner_id, injected_at, change_seq, log_len, last_hash) ",
                );
                insert.push_values(chunk, |mut row, id| {
                    row.push_bind(organizer)
                        .push_bind(id.to_string())
                        .push_bind(event)
                        .push_bind("INJECTED")
                        .push_bind(body.as_str())
                        .push_bind(hash.as_slice())
                        .push_bind(id.to_string())
                        .push_bind(spectator)
                        .push_bind(spectator)
                        .push_bind(0_i64)
                        .push_bind(*id)
                        .push_bind(1_i64)
                        .push_bind(hash.as_slice());
                });
                insert.push(" RETURNING id");
                let pks: Vec<i64> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
                let mut log = sqlx::QueryBuilder::new(
                    "INSERT INTO wallet_ticket_log (ticket_pk, position, feed_seq, at, status, action, actor, detail,
                         prev_hash, hash) ",
                );
                log.push_values(&pks, |mut row, pk| {
                    row.push_bind(*pk)
                        .push_bind(0_i64)
                        .push_bind(*pk)
                        .push_bind(0_i64)
                        .push_bind("INJECTED")
                        .push_bind("INJECT")
                        .push_bind("organizer")
                        .push_bind("{}")
                        .push_bind(hash.as_slice())
                        .push_bind(hash.as_slice());
                });
                log.build().execute(&mut *tx).await?;
                let mut print = sqlx::QueryBuilder::new("UPDATE bo_tickets SET status = 'PRINTED' WHERE id IN (");
                let mut list = print.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                print.push(")");
                print.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
    }
    let wall_s = started.elapsed().as_secs_f64();
    let written = harness.count("SELECT COUNT(*) FROM wallet_tickets").await?;
    let printed = harness.count("SELECT COUNT(*) FROM bo_tickets WHERE status = 'PRINTED'").await?;
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
