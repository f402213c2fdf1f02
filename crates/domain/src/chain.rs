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

/// One stored log row as the chain check reads it: its content and the two hashes it keeps.
#[derive(Debug, Clone)]
pub struct StoredEntry<'a> {
    pub entry: LogEntry<'a>,
    pub prev_hash: &'a [u8],
    pub hash: &'a [u8],
}

/// Re-walks a ticket's log, oldest first, from [`GENESIS`]: every row must sit at the next
/// position, link to the hash of the row before and hold the hash of its own content, and the
/// last hash must be the one the ticket keeps (`head_hash`), so a removed last row shows too.
/// `Err(i)` names the first row (0-based index) that does not verify; `Err(len)` when the rows
/// verify but do not reach the ticket's head.
pub fn verify_chain(entries: &[StoredEntry<'_>], head_hash: &[u8]) -> Result<(), usize> {
    let mut expected_prev: &[u8] = &GENESIS;
    for (index, stored) in entries.iter().enumerate() {
        let in_place = usize::try_from(stored.entry.position).is_ok_and(|position| position == index);
        let linked = stored.prev_hash == expected_prev;
        if !in_place || !linked || entry_hash(stored.prev_hash, &stored.entry).as_slice() != stored.hash {
            return Err(index);
        }
        expected_prev = stored.hash;
    }
    if expected_prev == head_hash { Ok(()) } else { Err(entries.len()) }
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

    #[test]
    fn a_chain_verifies_until_a_row_is_altered_and_names_that_row() {
        let first = entry("{}");
        let mut second = entry("{\"a\":1}");
        second.position = 1;
        let h0 = entry_hash(&GENESIS, &first);
        let h1 = entry_hash(&h0, &second);
        let rows = [
            StoredEntry { entry: first.clone(), prev_hash: &GENESIS, hash: &h0 },
            StoredEntry { entry: second.clone(), prev_hash: &h0, hash: &h1 },
        ];
        assert_eq!(verify_chain(&rows, &h1), Ok(()));
        assert_eq!(verify_chain(&rows[..1], &h1), Err(1), "a removed last row");
        let mut altered = rows.clone();
        altered[1].entry.detail = "{\"a\":2}";
        assert_eq!(verify_chain(&altered, &h1), Err(1));
        let mut altered = rows.clone();
        altered[0].entry.status = "CONTROLLED";
        assert_eq!(verify_chain(&altered, &h1), Err(0));
    }
}
