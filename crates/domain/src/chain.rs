//! The hash chain of a ticket's status log: each entry's hash covers its content and the
//! hash of the entry before, so altering, removing or reordering a row is detectable.

use sha2::{Digest, Sha256};

/// The `prev_hash` of a ticket's first log entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// The content of one log entry that its hash covers.
#[derive(Debug, Clone)]
pub struct LogEntry<'a> {
    pub ticket_id: &'a str,
    pub position: i64,
    pub at_ms: i64,
    pub status: &'a str,
    pub action: &'a str,
    pub actor: &'a str,
    pub detail: &'a str,
}

/// The hash of `entry` chained after `prev_hash`. Fields are length-prefixed so that no two
/// different entries can serialize to the same bytes.
pub fn entry_hash(prev_hash: &[u8], entry: &LogEntry<'_>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash);
    hasher.update(entry.position.to_be_bytes());
    hasher.update(entry.at_ms.to_be_bytes());
    for field in [entry.ticket_id, entry.status, entry.action, entry.actor, entry.detail] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(detail: &str) -> LogEntry<'_> {
        LogEntry {
            ticket_id: "T1",
            position: 0,
            at_ms: 1,
            status: "INJECTED",
            action: "INJECT",
            actor: "organizer",
            detail,
        }
    }

    #[test]
    fn a_changed_field_or_predecessor_changes_the_hash() {
        let base = entry_hash(&GENESIS, &entry("{}"));
        assert_ne!(base, entry_hash(&GENESIS, &entry("{ }")));
        assert_ne!(base, entry_hash(&[1; 32], &entry("{}")));
        assert_eq!(base, entry_hash(&GENESIS, &entry("{}")));
    }
}
