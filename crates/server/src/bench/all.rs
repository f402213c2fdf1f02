//! `tixbridge bench all`: every scenario, one after the other, each in a process of its own
//! (so each peak memory figure is that scenario's alone), then README's Performance table
//! with the machine it ran on — so anyone can reproduce the figures (docs/benchmarks.md).

use std::process::{Command, Stdio};

use anyhow::Context;
use clap::Args;
use serde_json::Value;

#[derive(Debug, Args)]
pub struct AllArgs {
    /// Small sizes and a few seconds per scenario: a smoke check that every scenario runs and
    /// passes its checks, not figures to publish.
    #[arg(long)]
    pub quick: bool,
    /// Also run every scenario on PostgreSQL: a server URL on which fresh databases are created.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Minutes of the steady-rate scenarios (control, cancel, mixed); default 1 (0.1 with `--quick`).
    #[arg(long)]
    pub minutes: Option<f64>,
}

/// One scenario: its row label and its arguments for a full and a quick run.
struct Row {
    label: &'static str,
    full: Vec<String>,
    quick: Vec<String>,
}

fn rows(minutes: f64) -> Vec<Row> {
    let m = minutes.to_string();
    let args = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let timed = |s: &str| {
        let mut a = args(s);
        a.extend(["--minutes".to_owned(), m.clone()]);
        a
    };
    vec![
        Row { label: "inject 100,000", full: args("inject --tickets 100000"), quick: args("inject --tickets 2000") },
        Row {
            label: "baseline 100,000",
            full: args("baseline --tickets 100000"),
            quick: args("baseline --tickets 2000"),
        },
        Row {
            label: "wallet API alone, 100,000",
            full: args("api --tickets 100000"),
            quick: args("api --tickets 2000"),
        },
        Row { label: "inject 1,000,000", full: args("inject --tickets 1000000"), quick: args("inject --tickets 5000") },
        Row {
            label: "scan → CONTROLLED at 10,000/min",
            full: timed("control --scans-per-minute 10000"),
            quick: timed("control --scans-per-minute 1000"),
        },
        Row {
            label: "cancel → DELETED at 10,000/min",
            full: timed("cancel --cancels-per-minute 10000"),
            quick: timed("cancel --cancels-per-minute 1000"),
        },
        Row {
            label: "feedback of 100,000 changes",
            full: args("feedback --changes 100000"),
            quick: args("feedback --changes 2000"),
        },
        Row {
            label: "gate scans, 16 scanners",
            full: args("gate --scans 5000 --concurrency 16"),
            quick: args("gate --scans 200 --concurrency 4"),
        },
        Row {
            label: "reconcile 100,000, 10 differences",
            full: args("reconcile --tickets 100000 --differences 10"),
            quick: args("reconcile --tickets 2000 --differences 4"),
        },
        Row { label: "mixed match day", full: timed("mixed"), quick: timed("mixed") },
    ]
}

/// Runs `tixbridge bench --json --database DATABASE ARGS…` in a child process; its JSON line
/// (or why there is none) and the machine's load average just before it started.
fn run_one(database: &str, args: &[String]) -> (Result<Value, String>, String) {
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    eprintln!("bench all: {} on {database} (load {load}) …", args.join(" "));
    let output = std::env::current_exe().map_err(|e| e.to_string()).and_then(|exe| {
        Command::new(exe)
            .args(["bench", "--json", "--database", database])
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| e.to_string())
    });
    let result = output.and_then(|out| {
        let text = String::from_utf8_lossy(&out.stdout);
        let line =
            text.lines().rev().find(|l| l.starts_with('{')).ok_or_else(|| format!("no JSON ({})", out.status))?;
        serde_json::from_str::<Value>(line).map_err(|e| e.to_string())
    });
    (result, load)
}

fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.round());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 && c != '-' {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One cell: the figure that scenario is known by, and a warning when its checks failed.
pub fn cell(report: &Value) -> String {
    let n = |key: &str| report[key].as_f64().unwrap_or(0.0);
    let latency = |v: &Value| {
        format!(
            "p50 {} ms, p99 {} ms, max {} ms",
            v["p50_ms"].as_f64().unwrap_or(0.0),
            v["p99_ms"].as_f64().unwrap_or(0.0),
            v["max_ms"].as_f64().unwrap_or(0.0)
        )
    };
    let figure = match report["scenario"].as_str().unwrap_or_default() {
        "control" | "cancel" => latency(report),
        "gate" => format!("{}/s, p99 {} ms", thousands(n("items_per_s")), n("p99_ms")),
        "reconcile" => format!(
            "clean {:.2} s; with differences {:.2} s",
            n("wall_s"),
            report["with_differences"]["wall_s"].as_f64().unwrap_or(0.0)
        ),
        "mixed" => {
            let f = &report["functions"];
            let p99 = |name: &str| f[name]["p99_ms"].as_f64().unwrap_or(0.0);
            format!(
                "p99 sale→wallet {} ms, cancel {} ms, scan {} ms, phone→box office {} ms; server RSS max {} MiB",
                p99("injection"),
                p99("push_cancelled"),
                p99("push_controlled"),
                p99("feedback"),
                report["server_rss"]["max_mib"].as_f64().unwrap_or(0.0)
            )
        }
        _ => format!("{:.2} s ({}/s), peak {:.0} MiB", n("wall_s"), thousands(n("items_per_s")), n("peak_rss_mib")),
    };
    if report["checks_passed"] == Value::Bool(true) { figure } else { format!("{figure} — **checks failed**") }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(|| "unknown".into(), |o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let build = if cfg!(debug_assertions) { "debug build (figures not comparable)" } else { "release build" };
    format!(
        "{cores} cores ({cpu}), {memory_gib:.0} GiB, {build}, commit {commit}, {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )
}

pub fn run(args: &AllArgs) -> anyhow::Result<bool> {
    let minutes = args.minutes.unwrap_or(if args.quick { 0.1 } else { 1.0 });
    anyhow::ensure!(minutes > 0.0, "--minutes must be above 0");
    let databases: Vec<&str> = std::iter::once("sqlite").chain(args.postgres.as_deref()).collect();
    let described = machine();
    let mut lines = Vec::new();
    let mut all_passed = true;
    for row in rows(minutes) {
        let mut cells = Vec::new();
        let mut loads = Vec::new();
        for database in &databases {
            let (result, load) = run_one(database, if args.quick { &row.quick } else { &row.full });
            if let Ok(report) = &result {
                println!("{report}");
            }
            all_passed &= result.as_ref().is_ok_and(|r| r["checks_passed"] == Value::Bool(true));
            cells.push(result.map_or_else(|e| format!("did not run: {e}"), |r| cell(&r)));
            loads.push(load);
        }
        let label = if row.label.contains("/min") || row.label.starts_with("mixed") {
            format!("{} for {minutes} min", row.label)
        } else {
            row.label.to_owned()
        };
        lines.push(format!("| {label} | {} | {} |", cells.join(" | "), loads.join(" / ")));
    }
    let mut header = "| scenario | SQLite |".to_owned();
    let mut rule = "|---|---|".to_owned();
    if args.postgres.is_some() {
        header.push_str(" PostgreSQL |");
        rule.push_str("---|");
    }
    println!();
    println!("Measured on {described}{}:", if args.quick { " (--quick: smoke sizes)" } else { "" });
    println!();
    println!("{header} load average before |");
    println!("{rule}---|");
    for line in lines {
        println!("{line}");
    }
    std::io::Write::flush(&mut std::io::stdout()).context("printing the table")?;
    Ok(all_passed)
}

#[cfg(test)]
mod tests {
    use super::{cell, thousands};
    use serde_json::json;

    #[test]
    fn cells_name_each_scenario_by_its_figure_and_flag_failed_checks() {
        assert_eq!(thousands(1_366.4), "1,366");
        assert_eq!(thousands(28_200.0), "28,200");
        let inject = json!({ "scenario": "inject", "wall_s": 3.5, "items_per_s": 28_571.0, "peak_rss_mib": 174.2, "checks_passed": true });
        assert_eq!(cell(&inject), "3.50 s (28,571/s), peak 174 MiB");
        let control =
            json!({ "scenario": "control", "p50_ms": 8.0, "p99_ms": 35.0, "max_ms": 130.0, "checks_passed": false });
        assert_eq!(cell(&control), "p50 8 ms, p99 35 ms, max 130 ms — **checks failed**");
    }
}
