//! The failure e-mail (docs/interface.md#runs): one per failed or interrupted run, to the
//! interface's notification list, naming the interface, the function, the run, the cause and
//! the counts. It is built when the run is recorded and queued with it ([`crate::outbox`]).

use crate::outbox::Notice;
use crate::runs::Counts;

/// What the e-mail says about a failed run.
pub(crate) struct FailedRun<'a> {
    pub interface_id: i64,
    pub interface_name: &'a str,
    pub function_id: i64,
    pub function_name: &'a str,
    pub kind: &'a str,
    pub run_id: i64,
    pub started_at: &'a str,
    pub ended_at: &'a str,
    pub cause: &'a str,
    pub counts: &'a Counts,
    /// The run's log lines: the ticket (or `None` for the run) and the message.
    pub problems: &'a [(Option<String>, String)],
}

/// The e-mail to `recipients` about `run`; `None` when nobody is to be told.
pub(crate) fn failure_notice(recipients: &[String], run: &FailedRun<'_>) -> Option<Notice> {
    if recipients.is_empty() {
        return None;
    }
    let subject = format!("[tixbridge] {} / {}: run {} failed", run.interface_name, run.function_name, run.run_id);
    let counts = run.counts;
    let mut body = format!(
        "Interface: {} (id {})\nFunction: {} ({}, id {})\nRun: {} started {} ended {}\nResult: ERROR\nCause: {}\n\nCounts: selected {}, sent {}, accepted {}, rejected {}, skipped {}\n",
        run.interface_name,
        run.interface_id,
        run.function_name,
        run.kind,
        run.function_id,
        run.run_id,
        run.started_at,
        run.ended_at,
        run.cause,
        counts.selected,
        counts.sent,
        counts.accepted,
        counts.rejected,
        counts.skipped,
    );
    if !run.problems.is_empty() {
        body.push_str("\nFirst problems:\n");
        for (ticket, message) in run.problems.iter().take(20) {
            body.push_str(&format!("- {}: {message}\n", ticket.as_deref().unwrap_or("run")));
        }
    }
    Some(Notice { recipients: recipients.to_vec(), subject, body })
}
