//! The failure e-mail (docs/interface.md#runs): one per failed run, to the interface's
//! notification list, naming the interface, the function, the run and the cause.

use tixbridge_mail::Email;

use crate::config::Interface;
use crate::engine::Engine;
use crate::functions::FunctionDef;
use crate::runs::{RunRecord, RunSummary};

/// Sends the failure e-mail; a mail that cannot be sent is logged, never fails the run.
pub async fn run_failed(
    engine: &Engine,
    interface: &Interface,
    function: &FunctionDef,
    summary: &RunSummary,
    run: &RunRecord,
) {
    if interface.notification_emails.is_empty() {
        return;
    }
    let subject = format!("[tixbridge] {} / {}: run {} failed", interface.name, function.name, summary.run_id);
    let mut body = format!(
        "Interface: {} (id {})\nFunction: {} ({}, id {})\nRun: {} started {} ended {}\nResult: ERROR\nCause: {}\n\nCounts: selected {}, sent {}, accepted {}, rejected {}, skipped {}\n",
        interface.name,
        interface.id,
        function.name,
        function.kind.as_str(),
        function.id,
        summary.run_id,
        summary.started_at,
        summary.ended_at,
        summary.cause.as_deref().unwrap_or("-"),
        summary.counts.selected,
        summary.counts.sent,
        summary.counts.accepted,
        summary.counts.rejected,
        summary.counts.skipped,
    );
    if !run.log.is_empty() {
        body.push_str("\nFirst problems:\n");
        for (ticket, message) in run.log.iter().take(20) {
            body.push_str(&format!("- {}: {message}\n", ticket.as_deref().unwrap_or("run")));
        }
    }
    match Email::new(interface.notification_emails.iter().cloned(), subject, body) {
        Ok(email) => {
            if let Err(err) = engine.mailer.send(&email).await {
                tracing::warn!(run.id = summary.run_id.get(), error = %err, "failure e-mail not sent");
            }
        }
        Err(err) => tracing::warn!(run.id = summary.run_id.get(), error = %err, "failure e-mail not built"),
    }
}
