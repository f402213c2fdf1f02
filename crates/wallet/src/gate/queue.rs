//! Group commit of online scans (docs/wallet-api.md#secure-entry-code). Every scan of an
//! organizer needs that organizer's feed lock, so concurrent scans wait for each other anyway;
//! instead of one transaction each, the scans that arrived while a transaction was running go
//! together in the next one ([`verify_scans`]), and each caller still gets its own verdict.
//! One lane (a task) per organizer takes what is queued — never waiting for more — so a lone
//! scan is not delayed, and a busy gate pays one `BEGIN`, lock and `COMMIT` per group.
//!
//! Should a group's transaction fail, nothing of it was written: its scans are verified again
//! one by one, so only the scan at fault gets the error.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tixbridge_store::Db;
use tixbridge_vault::ServerKey;
use tokio::sync::{mpsc, oneshot};

use super::verify::{Scan, Verdict, verify_scans};

/// The most scans one transaction takes.
const MAX_GROUP: usize = 64;
/// Scans waiting for a lane before a caller waits to queue.
const LANE_CAPACITY: usize = 1_024;

/// A scan and where its verdict goes.
struct Job {
    scan: Scan,
    answer: oneshot::Sender<Result<Verdict, sqlx::Error>>,
}

/// The organizers' lanes of one wallet.
#[derive(Clone)]
pub struct ScanQueue {
    db: Db,
    key: ServerKey,
    lanes: Arc<Mutex<HashMap<i64, mpsc::Sender<Job>>>>,
}

impl ScanQueue {
    pub fn new(db: Db, key: ServerKey) -> Self {
        Self { db, key, lanes: Arc::default() }
    }

    /// Verifies one online scan of `organizer`, in a group with the scans queued beside it.
    pub async fn verify(&self, organizer: i64, scan: Scan) -> Result<Verdict, sqlx::Error> {
        let (answer, verdict) = oneshot::channel();
        let mut job = Job { scan, answer };
        // a lane whose task ended (its runtime stopped) is replaced once
        for _ in 0..2 {
            match self.lane(organizer).send(job).await {
                Ok(()) => return verdict.await.map_err(|_| lane_gone())?,
                Err(mpsc::error::SendError(returned)) => {
                    self.lanes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&organizer);
                    job = returned;
                }
            }
        }
        Err(lane_gone())
    }

    fn lane(&self, organizer: i64) -> mpsc::Sender<Job> {
        let mut lanes = self.lanes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(lane) = lanes.get(&organizer).filter(|lane| !lane.is_closed()) {
            return lane.clone();
        }
        let (lane, jobs) = mpsc::channel(LANE_CAPACITY);
        tokio::spawn(run_lane(self.db.clone(), self.key.clone(), organizer, jobs));
        lanes.insert(organizer, lane.clone());
        lane
    }
}

fn lane_gone() -> sqlx::Error {
    sqlx::Error::Protocol("the gate's scan queue stopped".into())
}

/// Takes the queued scans of `organizer` in groups until every sender is gone.
async fn run_lane(db: Db, key: ServerKey, organizer: i64, mut jobs: mpsc::Receiver<Job>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while jobs.recv_many(&mut group, MAX_GROUP).await > 0 {
        let scans: Vec<Scan> = group.iter().map(|job| job.scan.clone()).collect();
        match verify_scans(&db, &key, organizer, &scans).await {
            Ok(verdicts) => {
                for (job, verdict) in group.drain(..).zip(verdicts) {
                    let _ = job.answer.send(Ok(verdict));
                }
            }
            Err(err) if group.len() == 1 => {
                if let Some(job) = group.pop() {
                    let _ = job.answer.send(Err(err));
                }
            }
            Err(_) => {
                for job in group.drain(..) {
                    let alone = verify_scans(&db, &key, organizer, std::slice::from_ref(&job.scan)).await;
                    let _ = job.answer.send(alone.map(|mut verdicts| verdicts.pop().unwrap_or_else(Verdict::unknown)));
                }
            }
        }
    }
}
