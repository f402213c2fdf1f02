//! Progress of long command-line work (`boxoffice import-csv`, `interface run`, `bench`;
//! docs/observability.md): a bar on a terminal, and on anything else (a log file, a CI job, a
//! pipe) a plain line now and then — never carriage returns or escape codes a log keeps.
//!
//! Both go to standard error, so standard output stays the command's result.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The environment variable setting how often plain progress lines are written, in seconds
/// (default 5); `0` writes one at every step.
pub const PROGRESS_EVERY_VAR: &str = "TIXBRIDGE_PROGRESS_EVERY_SECS";

/// One piece of long work being followed.
pub struct Progress {
    task: String,
    shown: Shown,
}

enum Shown {
    Bar(ProgressBar),
    Lines { every: Duration, last: Option<Instant>, done: u64, total: Option<u64>, unit: String },
}

impl Progress {
    /// Starts following `task` (e.g. `import-csv`), counting in `unit`s up to `total` when known.
    pub fn start(task: &str, unit: &str, total: Option<u64>) -> Self {
        Self::start_on(task, unit, total, std::io::stderr().is_terminal())
    }

    /// [`start`](Self::start) deciding the terminal question itself (for tests).
    pub fn start_on(task: &str, unit: &str, total: Option<u64>, terminal: bool) -> Self {
        let shown = if terminal {
            let bar = match total {
                Some(total) => ProgressBar::new(total).with_style(
                    ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed}, eta {eta})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                ),
                None => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{prefix} {spinner} {pos} {msg} ({elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                ),
            };
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_prefix(task.to_owned());
            bar.set_message(unit.to_owned());
            bar.enable_steady_tick(Duration::from_millis(200));
            Shown::Bar(bar)
        } else {
            let every = crate::settings::value(PROGRESS_EVERY_VAR)
                .and_then(|text| text.trim().parse::<u64>().ok())
                .map_or(Duration::from_secs(5), Duration::from_secs);
            Shown::Lines { every, last: None, done: 0, total, unit: unit.to_owned() }
        };
        Self { task: task.to_owned(), shown }
    }

    /// Sets how much is done (and the total, once it is known).
    pub fn set(&mut self, done: u64, total: Option<u64>) {
        match &mut self.shown {
            Shown::Bar(bar) => {
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
            }
            Shown::Lines { every, last, done: shown_done, total: shown_total, unit } => {
                *shown_done = done;
                if total.is_some() {
                    *shown_total = total;
                }
                if last.is_none_or(|at| at.elapsed() >= *every) {
                    *last = Some(Instant::now());
                    line(&self.task, done, *shown_total, unit, "");
                }
            }
        }
    }

    /// Ends the work with a closing word (`done`, `failed`, …).
    pub fn finish(self, word: &str) {
        match self.shown {
            Shown::Bar(bar) => bar.finish_with_message(word.to_owned()),
            Shown::Lines { done, total, unit, .. } => line(&self.task, done, total, &unit, word),
        }
    }
}

fn line(task: &str, done: u64, total: Option<u64>, unit: &str, word: &str) {
    let amount = match total {
        Some(total) if total > 0 => format!("{done}/{total} {unit} ({}%)", done * 100 / total),
        Some(total) => format!("{done}/{total} {unit}"),
        None => format!("{done} {unit}"),
    };
    let word = if word.is_empty() { String::new() } else { format!(": {word}") };
    let _ = writeln!(std::io::stderr(), "{task}: {amount}{word}");
}
