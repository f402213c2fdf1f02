//! First sightings of keys (barcodes, seats) across a whole import file, exact and compact.
//!
//! A million-row file is checked as it streams by, so the only thing kept per row is what the
//! "repeats row N" rules need: its key's bytes in one shared buffer, where they end, the row
//! that first named it and a 4-byte slot in a hash table — about 20 bytes plus the key,
//! instead of a `String` and a map entry of their own (docs/boxoffice-api.md#csv-import).

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

pub(crate) struct FirstSightings {
    /// Indexes into `ends` and `rows`, hashed by the key they stand for.
    table: HashTable<u32>,
    hasher: RandomState,
    /// Every distinct key, one after the other.
    bytes: Vec<u8>,
    /// Where each key ends in `bytes`.
    ends: Vec<u32>,
    /// The data row that first named each key.
    rows: Vec<u32>,
}

fn key_at<'a>(bytes: &'a [u8], ends: &[u32], index: u32) -> &'a [u8] {
    let index = index as usize;
    let start = if index == 0 { 0 } else { ends[index - 1] as usize };
    &bytes[start..ends[index] as usize]
}

impl FirstSightings {
    pub(crate) fn new() -> Self {
        Self {
            table: HashTable::new(),
            hasher: RandomState::new(),
            bytes: Vec::new(),
            ends: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The row that first named `key`, or `None` after noting that `row` is the first.
    pub(crate) fn first_or_note(&mut self, key: &[u8], row: usize) -> Option<usize> {
        let hash = self.hasher.hash_one(key);
        let Self { table, hasher, bytes, ends, rows } = self;
        if let Some(&index) = table.find(hash, |&index| key_at(bytes, ends, index) == key) {
            return Some(rows[index as usize] as usize);
        }
        bytes.extend_from_slice(key);
        ends.push(bytes.len() as u32);
        rows.push(row as u32);
        let index = (rows.len() - 1) as u32;
        table.insert_unique(hash, index, |&index| hasher.hash_one(key_at(bytes, ends, index)));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::FirstSightings;

    #[test]
    fn a_key_seen_again_names_the_row_that_first_had_it() {
        let mut seen = FirstSightings::new();
        assert_eq!(seen.first_or_note(b"A", 1), None);
        assert_eq!(seen.first_or_note(b"AB", 2), None);
        assert_eq!(seen.first_or_note(b"", 3), None);
        assert_eq!(seen.first_or_note(b"A", 4), Some(1));
        assert_eq!(seen.first_or_note(b"", 5), Some(3));
        for row in 10..5_000 {
            assert_eq!(seen.first_or_note(format!("K{row}").as_bytes(), row), None);
        }
        assert_eq!(seen.first_or_note(b"K4321", 9_999), Some(4321));
        assert_eq!(seen.first_or_note(b"AB", 9_999), Some(2));
    }
}
