//! What a scenario measured, as a table or one line of JSON.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

pub struct Report {
    pub scenario: &'static str,
    pub backend: String,
    pub wall_s: f64,
    pub items: u64,
    /// Latency scenarios: per-item delays in milliseconds.
    pub latencies_ms: Vec<f64>,
    pub checks_passed: bool,
    pub checks: Vec<String>,
    pub extra: Vec<(&'static str, Value)>,
}

/// The high-water mark before the last [`reset_peak_rss`], in KiB.
static PEAK_BEFORE_RESET_KIB: AtomicU64 = AtomicU64::new(0);

/// This process's resident memory high-water mark since start or the last reset (VmHWM), KiB.
fn high_water_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .unwrap_or(0)
}

/// The peak resident memory of this process so far, in MiB, whatever was reset.
pub fn peak_rss_mib() -> f64 {
    high_water_kib().max(PEAK_BEFORE_RESET_KIB.load(Ordering::Relaxed)) as f64 / 1024.0
}

/// The peak resident memory since the last [`reset_peak_rss`], in MiB: what the measured phase
/// of a scenario needed beyond what its setup left resident.
pub fn phase_peak_rss_mib() -> f64 {
    high_water_kib() as f64 / 1024.0
}

/// Starts measuring a phase's peak: the kernel's high-water mark is set back to the memory
/// resident now (`/proc/self/clear_refs`), the peak so far kept for [`peak_rss_mib`].
pub fn reset_peak_rss() {
    PEAK_BEFORE_RESET_KIB.fetch_max(high_water_kib(), Ordering::Relaxed);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `{count, p50_ms, p99_ms, max_ms}` of `values` (milliseconds), for figures reported per
/// function in `extra`.
pub fn latency_summary(values: &[f64]) -> Value {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    json!({
        "count": sorted.len(),
        "p50_ms": percentile(&sorted, 50.0).round(),
        "p99_ms": percentile(&sorted, 99.0).round(),
        "max_ms": sorted.last().copied().unwrap_or(0.0).round(),
    })
}

impl Report {
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "scenario": self.scenario,
            "backend": self.backend,
            "wall_s": (self.wall_s * 1000.0).round() / 1000.0,
            "items": self.items,
            "items_per_s": (self.items as f64 / self.wall_s.max(1e-9)).round(),
            "peak_rss_mib": (peak_rss_mib() * 10.0).round() / 10.0,
            "checks_passed": self.checks_passed,
        });
        if !self.latencies_ms.is_empty() {
            let mut sorted = self.latencies_ms.clone();
            sorted.sort_by(f64::total_cmp);
            out["p50_ms"] = json!(percentile(&sorted, 50.0).round());
            out["p99_ms"] = json!(percentile(&sorted, 99.0).round());
            out["max_ms"] = json!(sorted.last().copied().unwrap_or(0.0).round());
        }
        for (key, value) in &self.extra {
            out[*key] = value.clone();
        }
        out
    }

    pub fn print(&self, as_json: bool) {
        let value = self.to_json();
        if as_json {
            println!("{value}");
            return;
        }
        println!("scenario {} on {}", self.scenario, self.backend);
        for (key, v) in value.as_object().into_iter().flatten() {
            if key != "scenario" && key != "backend" {
                println!("  {key:<14} {v}");
            }
        }
        for check in &self.checks {
            println!("  check: {check}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 50.0), 50.0);
        assert_eq!(percentile(&sorted, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }
}
