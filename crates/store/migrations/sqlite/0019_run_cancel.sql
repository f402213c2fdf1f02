-- An operator's request to cancel a running run (POST /api/boxoffice/runs/{id}/cancel): who
-- asked. The run stops before its next wallet call and ends ERROR naming them.
ALTER TABLE itf_runs ADD COLUMN cancel_requested_by TEXT;
