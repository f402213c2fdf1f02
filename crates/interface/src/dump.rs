//! Keeping the wallet request and response bodies of a run, up to
//! `maxLengthDumpedCallsInKbs`, for troubleshooting. Off when the parameter is unset.

use std::sync::{Arc, Mutex};

use serde_json::Value;

#[derive(Clone, Default)]
pub struct CallDump {
    limit_bytes: Option<usize>,
    text: Arc<Mutex<String>>,
}

impl CallDump {
    pub fn new(limit_kb: Option<usize>) -> Self {
        Self { limit_bytes: limit_kb.map(|kb| kb * 1024), text: Arc::default() }
    }

    pub fn record(&self, request: &Value, status: u16, response: &str) {
        let Some(limit) = self.limit_bytes else { return };
        let mut text = self.text.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if text.len() >= limit {
            return;
        }
        let entry = format!(">>> {request}\n<<< {status} {response}\n");
        let room = limit - text.len();
        let cut = entry.char_indices().map(|(i, _)| i).take_while(|i| *i <= room).last().unwrap_or(0);
        text.push_str(if entry.len() <= room { &entry } else { &entry[..cut] });
    }

    /// What was kept, if dumping is on.
    pub fn take(&self) -> Option<String> {
        self.limit_bytes?;
        Some(std::mem::take(&mut *self.text.lock().unwrap_or_else(|poisoned| poisoned.into_inner())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dump_stops_at_its_limit_and_is_off_by_default() {
        let off = CallDump::new(None);
        off.record(&Value::Null, 200, "x");
        assert_eq!(off.take(), None);
        let dump = CallDump::new(Some(1));
        for _ in 0..100 {
            dump.record(&Value::String("y".repeat(100)), 200, "ok");
        }
        let text = dump.take().unwrap();
        assert!(text.len() <= 1024 && text.starts_with(">>> "));
    }
}
