//! Ranges of ticket ids and the parts a range is cut into, so a client can bisect: both sides
//! hash the same parts, and only a part whose digests differ is looked into.

use serde::{Deserialize, Serialize};

use super::{Digest, TicketState, digest};

/// Ticket ids `from ≤ id < to` in byte order; an absent bound is open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl IdRange {
    pub fn new(from: Option<&str>, to: Option<&str>) -> Self {
        Self { from: from.map(str::to_owned), to: to.map(str::to_owned) }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.from.as_deref().is_none_or(|from| from <= id) && self.to.as_deref().is_none_or(|to| id < to)
    }

    /// Whether no id can be in the range.
    pub fn is_empty(&self) -> bool {
        matches!((&self.from, &self.to), (Some(from), Some(to)) if from >= to)
    }

    /// Where the range starts and ends in `sorted` (sorted by ticket id).
    pub fn bounds(&self, sorted: &[TicketState]) -> std::ops::Range<usize> {
        let start = self.from.as_deref().map_or(0, |from| sorted.partition_point(|s| &*s.ticket_id < from));
        let end = self.to.as_deref().map_or(sorted.len(), |to| sorted.partition_point(|s| &*s.ticket_id < to));
        start..end.max(start)
    }

    /// The states of `sorted` (sorted by ticket id) that fall in the range.
    pub fn slice<'a>(&self, sorted: &'a [TicketState]) -> &'a [TicketState] {
        &sorted[self.bounds(sorted)]
    }
}

/// One part of a range and its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub range: IdRange,
    pub digest: Digest,
}

/// Cuts `range` into at most `count` parts holding about as many of `states` each (the
/// states in the range, sorted). The parts cover the whole range — also ids only the other
/// side has — and each part after the first starts at one of `states`, so a part is never
/// empty on this side unless the range is.
pub fn parts(range: &IdRange, states: &[TicketState], count: usize) -> Vec<Part> {
    let count = count.max(1);
    let mut starts: Vec<usize> = (1..count).map(|i| i * states.len() / count).filter(|&at| at > 0).collect();
    starts.dedup();
    let mut bounds: Vec<(usize, Option<String>)> = vec![(0, range.from.clone())];
    bounds.extend(starts.into_iter().map(|at| (at, Some(states[at].ticket_id.to_string()))));
    let mut out = Vec::with_capacity(bounds.len());
    for (i, (at, from)) in bounds.iter().enumerate() {
        let (end, to) = match bounds.get(i + 1) {
            Some((next, to)) => (*next, to.clone()),
            None => (states.len(), range.to.clone()),
        };
        out.push(Part { range: IdRange { from: from.clone(), to }, digest: digest(&states[*at..end]) });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::DigestStatus;

    fn states(ids: &[&str]) -> Vec<TicketState> {
        ids.iter().map(|id| TicketState::new(*id, DigestStatus::Valid, id, None, None)).collect()
    }

    #[test]
    fn parts_cover_the_range_end_to_end_and_split_it_evenly() {
        let all = states(&["1", "2", "3", "4", "5", "6", "7"]);
        let range = IdRange::new(Some("0"), None);
        let cut = parts(&range, &all, 3);
        assert_eq!(cut.len(), 3);
        assert_eq!(cut[0].range.from.as_deref(), Some("0"));
        assert_eq!(cut.last().unwrap().range.to, None);
        for pair in cut.windows(2) {
            assert_eq!(pair[0].range.to, pair[1].range.from, "no gap between parts");
        }
        let counts: Vec<u64> = cut.iter().map(|p| p.digest.count).collect();
        assert_eq!(counts, [2, 2, 3]);
        for part in &cut {
            assert_eq!(part.digest, digest(part.range.slice(&all)), "a part's digest is its slice's");
        }
    }

    #[test]
    fn a_range_with_fewer_tickets_than_parts_gives_one_part_per_ticket_and_an_empty_one_a_single_part() {
        let two = states(&["a", "b"]);
        assert_eq!(parts(&IdRange::default(), &two, 16).len(), 2);
        let none = parts(&IdRange::new(Some("x"), Some("y")), &[], 16);
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].digest.count, 0);
        assert_eq!(none[0].range, IdRange::new(Some("x"), Some("y")));
    }

    #[test]
    fn a_range_holds_from_and_stops_before_to() {
        let range = IdRange::new(Some("10"), Some("20"));
        assert!(range.contains("10") && range.contains("15") && range.contains("199"));
        assert!(!range.contains("20") && !range.contains("9") && !range.contains("1"));
        let all = states(&["1", "10", "15", "20", "9"]);
        let ids: Vec<&str> = range.slice(&all).iter().map(|s| &*s.ticket_id).collect();
        assert_eq!(ids, ["10", "15"]);
        assert!(IdRange::new(Some("b"), Some("a")).is_empty());
    }
}
