-- Continuous pushes look only at tickets whose status changed recently; this index keeps
-- that look proportional to the recent changes rather than to every ticket ever controlled.
CREATE INDEX bo_tickets_status_changed ON bo_tickets (status_changed_at);
