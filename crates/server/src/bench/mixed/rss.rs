//! The server's resident memory over the load: `VmRSS` of a process read from `/proc` every
//! few seconds (this process when it runs the server, else `--server-pid`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// `VmRSS` of process `pid` (`None`: this process) in MiB, if it can be read.
pub fn rss_mib(pid: Option<u32>) -> Option<f64> {
    let path = pid.map_or_else(|| "/proc/self/status".to_owned(), |pid| format!("/proc/{pid}/status"));
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Samples `pid` every `every` until aborted; the samples are read with [`Sampler::finish`].
pub struct Sampler {
    pid: Option<u32>,
    samples: std::sync::Arc<std::sync::Mutex<Vec<(f64, f64)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sampler {
    pub fn start(pid: Option<u32>, every: Duration) -> Self {
        let samples = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = samples.clone();
        let task = tokio::spawn(async move {
            let started = Instant::now();
            let mut ticker = tokio::time::interval(every);
            loop {
                ticker.tick().await;
                if let Some(mib) = rss_mib(pid) {
                    kept.lock().expect("samples").push((started.elapsed().as_secs_f64(), mib));
                }
            }
        });
        Self { pid, samples, task }
    }

    /// Stops sampling; the maximum, the last and every sample `[seconds, MiB]`.
    pub fn finish(self) -> Value {
        self.task.abort();
        if let Some(mib) = rss_mib(self.pid) {
            let mut samples = self.samples.lock().expect("samples");
            let at = samples.last().map_or(0.0, |(t, _)| *t);
            samples.push((at, mib));
        }
        let samples = self.samples.lock().expect("samples").clone();
        let round = |x: f64| (x * 10.0).round() / 10.0;
        let max = samples.iter().map(|(_, mib)| *mib).fold(0.0, f64::max);
        json!({
            "process": self.pid.map_or_else(|| "this process (server and load together)".to_owned(), |pid| format!("pid {pid}")),
            "max_mib": round(max),
            "last_mib": round(samples.last().map_or(0.0, |(_, mib)| *mib)),
            "samples": samples.iter().map(|(t, mib)| json!([t.round(), round(*mib)])).collect::<Vec<_>>(),
        })
    }
}
