-- A run's page reads its accepted tickets a page at a time by ticket id
-- (GET /api/boxoffice/runs/{id}/lines?kind=accepted), and says when a cancel was asked.
CREATE INDEX itf_processed_run ON itf_processed (run_id, ticket_id);
ALTER TABLE itf_runs ADD COLUMN cancel_requested_at BIGINT;
