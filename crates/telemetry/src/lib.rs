//! The process's metrics (docs/observability.md): one [`Metrics`] per opened database, so two
//! applications in one process (the tests run dozens) count apart, and the parts record
//! through the handle they all hold already (`Db::metrics`). Served as Prometheus text by the
//! server's `GET /metrics`.
//!
//! Label values are bounded on purpose: function kinds, run results, route templates (never a
//! raw path), HTTP statuses, scan results the wallet documents, difference classes, function
//! ids. Nothing a caller types becomes a label.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The `Content-Type` of [`Metrics::render`]'s text (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Every metric this process records; cheap to clone (one shared set).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

struct Inner {
    registry: Registry,
    runs: Family<RunLabels, Counter>,
    run_tickets: Family<TicketLabels, Counter>,
    wallet_calls: Family<CallLabels, Histogram>,
    http_requests: Family<HttpLabels, Histogram>,
    gate_scans: Family<ResultLabel, Counter>,
    feedback_lag: Family<FunctionLabel, Gauge>,
    writer_wait: Histogram,
    reconcile_checked: Counter,
    reconcile_differences: Family<ClassLabel, Counter>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    kind: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TicketLabels {
    kind: String,
    stage: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    call: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FunctionLabel {
    function: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabel {
    class: String,
}

/// The ticket counts of one finished run, by stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunTickets {
    pub selected: u64,
    pub sent: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub skipped: u64,
}

/// 1 ms to about 33 s, doubling: wallet calls and requests span that whole range.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// 0.1 ms to about 3 s: a writer queued longer than that is a problem in itself.
fn queue_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tixbridge");
        let runs = Family::<RunLabels, Counter>::default();
        registry.register("runs", "Interface runs finished, by function kind and result", runs.clone());
        let run_tickets = Family::<TicketLabels, Counter>::default();
        registry.register(
            "run_tickets",
            "Tickets of finished runs by function kind and stage (selected, sent, accepted, rejected, skipped)",
            run_tickets.clone(),
        );
        let wallet_calls = Family::<CallLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register(
            "wallet_call_duration_seconds",
            "Time the interface waited for each wallet call, by call and outcome",
            wallet_calls.clone(),
        );
        let http_requests = Family::<HttpLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer each HTTP request, by method, matched route template and status",
            http_requests.clone(),
        );
        let gate_scans = Family::<ResultLabel, Counter>::default();
        registry.register("gate_scans", "Gate scans answered, by the wallet's result", gate_scans.clone());
        let feedback_lag = Family::<FunctionLabel, Gauge>::default();
        registry.register(
            "feedback_lag",
            "Feed positions the wallet is ahead of a feedback function's stored key, as of its last page",
            feedback_lag.clone(),
        );
        let writer_wait = queue_histogram();
        registry.register(
            "sqlite_writer_wait_seconds",
            "Time a write waited in the queue for SQLite's one writer connection",
            writer_wait.clone(),
        );
        let reconcile_checked = Counter::default();
        registry.register("reconcile_tickets_checked", "Tickets compared by reconcile runs", reconcile_checked.clone());
        let reconcile_differences = Family::<ClassLabel, Counter>::default();
        registry.register(
            "reconcile_differences",
            "Differing tickets found by reconcile runs, by cause class",
            reconcile_differences.clone(),
        );
        Self(Arc::new(Inner {
            registry,
            runs,
            run_tickets,
            wallet_calls,
            http_requests,
            gate_scans,
            feedback_lag,
            writer_wait,
            reconcile_checked,
            reconcile_differences,
        }))
    }

    /// Counts a finished run of `kind` with its `result` and its tickets by stage.
    pub fn run_finished(&self, kind: &str, result: &str, tickets: RunTickets) {
        let inner = &self.0;
        inner.runs.get_or_create(&RunLabels { kind: kind.to_owned(), result: result.to_owned() }).inc();
        for (stage, n) in [
            ("selected", tickets.selected),
            ("sent", tickets.sent),
            ("accepted", tickets.accepted),
            ("rejected", tickets.rejected),
            ("skipped", tickets.skipped),
        ] {
            inner.run_tickets.get_or_create(&TicketLabels { kind: kind.to_owned(), stage }).inc_by(n);
        }
    }

    /// Records how long a wallet `call` (`inject`, `diff`, …) took and whether it succeeded.
    pub fn wallet_call(&self, call: &'static str, ok: bool, took: Duration) {
        let outcome = if ok { "ok" } else { "error" };
        self.0.wallet_calls.get_or_create(&CallLabels { call, outcome }).observe(took.as_secs_f64());
    }

    /// Records one answered HTTP request; `route` is the matched template (`/api/…/{id}`).
    pub fn http_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let labels = HttpLabels { method: method.to_owned(), route: route.to_owned(), status };
        self.0.http_requests.get_or_create(&labels).observe(took.as_secs_f64());
    }

    /// Counts a gate scan by the wallet's `result` (`ACCEPTED`, `REFUSED`, …).
    pub fn gate_scan(&self, result: &str) {
        self.0.gate_scans.get_or_create(&ResultLabel { result: result.to_owned() }).inc();
    }

    /// Sets how far the wallet's feed is ahead of feedback function `function`'s key.
    pub fn feedback_lag(&self, function: i64, lag: i64) {
        self.0.feedback_lag.get_or_create(&FunctionLabel { function: function.to_string() }).set(lag.max(0));
    }

    /// Records how long a write queued for SQLite's writer connection.
    pub fn writer_wait(&self, waited: Duration) {
        self.0.writer_wait.observe(waited.as_secs_f64());
    }

    /// Counts a reconcile's tickets checked and its differences by class.
    pub fn reconcile(&self, checked: u64, differences: &[(&str, u64)]) {
        self.0.reconcile_checked.inc_by(checked);
        for (class, n) in differences {
            self.0.reconcile_differences.get_or_create(&ClassLabel { class: (*class).to_owned() }).inc_by(*n);
        }
    }

    /// Everything recorded so far, in Prometheus text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut text = String::new();
        // writing into a String cannot fail
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.0.registry);
        text
    }
}
