//! Comparing the box office's view with the wallet's by digest: one call for the whole scope,
//! then only into the parts whose digests differ, until a part is small enough to be listed
//! ticket by ticket. A clean scope costs one call; each difference costs a few more calls and
//! a few dozen tickets listed, whatever the scope's size.

use tixbridge_domain::digest::{self, Difference, IdRange, TicketState, compare};

use crate::client::{CallError, DigestAnswer, DigestPart, ListedTicket, WalletClient};

/// How many parts each digest call cuts its range into.
pub const PARTS: usize = 256;
/// A part holding at most this many tickets is listed rather than cut again.
pub const LIST_AT: usize = 64;
/// How deep cutting may go before the wallet's answers are taken for nonsense (each level
/// divides a range by up to [`PARTS`]).
const MAX_DEPTH: usize = 16;

/// One differing ticket: its position in the box office's view (if it has it), the wallet's
/// state (if it holds it) and event, and the cause class.
#[derive(Debug, Clone)]
pub(super) struct Pair {
    pub expected: Option<usize>,
    pub held: Option<TicketState>,
    pub held_event: Option<String>,
    pub class: Difference,
}

/// What a comparison found and what it cost.
#[derive(Debug, Default)]
pub(super) struct Compared {
    pub pairs: Vec<Pair>,
    pub wallet_tickets: u64,
    pub digest_calls: u64,
    pub tickets_listed: u64,
}

/// Why a comparison could not finish.
#[derive(Debug, thiserror::Error)]
pub(super) enum CompareError {
    #[error(transparent)]
    Call(#[from] CallError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    /// The wallet does not know the event, nor does the box office.
    #[error("no event {0:?} in the box office or the wallet")]
    UnknownEvent(String),
}

fn same(digest: &digest::Digest, count: u64, hash: &str) -> bool {
    digest.count == count && digest.hash_hex().eq_ignore_ascii_case(hash)
}

/// The parts must cover `range` end to end, or tickets between them would go unchecked.
fn check_parts(range: &IdRange, answer: &DigestAnswer) -> Result<(), CallError> {
    let bad = |what: &str| Err(CallError::BadAnswer(format!("digest parts {what}")));
    let (Some(first), Some(last)) = (answer.parts.first(), answer.parts.last()) else { return bad("missing") };
    if first.from != range.from || last.to != range.to {
        return bad("do not cover the range asked");
    }
    if answer.parts.windows(2).any(|pair| pair[0].to != pair[1].from || pair[0].to.is_none()) {
        return bad("leave gaps");
    }
    if answer.parts.iter().map(|p| p.count).sum::<u64>() != answer.count {
        return bad("do not add up");
    }
    Ok(())
}

/// The wallet's digest of the whole scope: the first call of a comparison, which needs
/// nothing from the box office (so both sides can be read at once).
pub(super) async fn whole_digest(client: &WalletClient, event: Option<&str>) -> Result<DigestAnswer, CallError> {
    client.digest(event, &IdRange::default(), PARTS, 0).await
}

/// Compares `expected` (sorted) with the wallet's tickets of `event` (all when `None`), the
/// wallet's digest of the whole being `top` (from [`whole_digest`]).
pub(super) async fn compare_with_wallet(
    client: &WalletClient,
    event: Option<&str>,
    expected: &[TicketState],
    top: Result<DigestAnswer, CallError>,
) -> Result<Compared, CompareError> {
    let mut found = Compared::default();
    let whole = IdRange::default();
    let top = match top {
        Ok(answer) => answer,
        Err(CallError::Status { status: 404, .. }) if event.is_some() => {
            // the wallet has no such event: all the box office expects there is missing
            found.digest_calls = 1;
            if expected.is_empty() {
                return Err(CompareError::UnknownEvent(event.unwrap_or_default().to_owned()));
            }
            merge(&mut found, expected, 0, &[]);
            return Ok(found);
        }
        Err(err) => return Err(err.into()),
    };
    found.digest_calls = 1;
    found.wallet_tickets = top.count;
    let mut todo = vec![(whole, top, 0)];
    while let Some((range, answer, depth)) = todo.pop() {
        // the parts cover the range: comparing them compares the whole, in one pass
        let bounds = range.bounds(expected);
        if let Some(tickets) = &answer.tickets {
            found.tickets_listed += tickets.len() as u64;
            let listed: Vec<&ListedTicket> = tickets.iter().filter(|t| range.contains(&t.state.ticket_id)).collect();
            merge(&mut found, &expected[bounds.clone()], bounds.start, &listed);
            continue;
        }
        check_parts(&range, &answer)?;
        if depth >= MAX_DEPTH {
            return Err(CallError::BadAnswer("digest parts never get small enough to list".into()).into());
        }
        for part in &answer.parts {
            let DigestPart { from, to, count, hash } = part;
            let part_range = IdRange { from: from.clone(), to: to.clone() };
            let bounds = part_range.bounds(expected);
            if same(&digest::digest(&expected[bounds.clone()]), *count, hash) {
                continue;
            }
            if *count == 0 {
                // nothing there in the wallet: every ticket the box office expects is missing
                merge(&mut found, &expected[bounds.clone()], bounds.start, &[]);
                continue;
            }
            if *count >= answer.count && answer.parts.len() > 1 {
                return Err(CallError::BadAnswer("a digest part as large as its range".into()).into());
            }
            let sub = client.digest(event, &part_range, PARTS, LIST_AT).await?;
            found.digest_calls += 1;
            todo.push((part_range, sub, depth + 1));
        }
    }
    found.pairs.sort_by(|a, b| pair_id(a, expected).cmp(pair_id(b, expected)));
    Ok(found)
}

fn pair_id<'a>(pair: &'a Pair, expected: &'a [TicketState]) -> &'a str {
    match (&pair.held, pair.expected) {
        (Some(held), _) => &held.ticket_id,
        (None, Some(at)) => &expected[at].ticket_id,
        (None, None) => "",
    }
}

/// Walks `ours` (the box office's states of a range, the first at position `offset`) and
/// `theirs` (the wallet's, sorted) side by side and records every ticket they disagree on.
fn merge(found: &mut Compared, ours: &[TicketState], offset: usize, theirs: &[&ListedTicket]) {
    let mut theirs: Vec<&ListedTicket> = theirs.to_vec();
    theirs.sort_by(|a, b| a.state.ticket_id.cmp(&b.state.ticket_id));
    let (mut i, mut j) = (0, 0);
    while i < ours.len() || j < theirs.len() {
        let order = match (ours.get(i), theirs.get(j)) {
            (Some(a), Some(b)) => a.ticket_id.cmp(&b.state.ticket_id),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (expected, held) = match order {
            std::cmp::Ordering::Less => (Some(i), None),
            std::cmp::Ordering::Greater => (None, Some(theirs[j])),
            std::cmp::Ordering::Equal => (Some(i), Some(theirs[j])),
        };
        if let Some(class) = compare(expected.map(|at| &ours[at]), held.map(|t| &t.state)) {
            found.pairs.push(Pair {
                expected: expected.map(|at| at + offset),
                held: held.map(|t| t.state.clone()),
                held_event: held.and_then(|t| t.event_id.clone()),
                class,
            });
        }
        i += usize::from(expected.is_some());
        j += usize::from(held.is_some());
    }
}
