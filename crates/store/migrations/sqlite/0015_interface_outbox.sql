-- Failure e-mails of the interface, queued in the transaction that records the failed (or
-- interrupted) run and deleted once the relay accepted them, so a relay outage loses no notice
-- (docs/interface.md#runs). recipients: comma-separated addresses. A sender claims a row
-- (claimed_by, claimed_until) before sending, so two processes never send one mail twice;
-- a failed attempt sets next_attempt_at later and keeps last_error.
CREATE TABLE itf_outbox (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES itf_runs(id),
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_by TEXT,
    claimed_until INTEGER,
    last_error TEXT
);
CREATE INDEX itf_outbox_due ON itf_outbox (next_attempt_at);
