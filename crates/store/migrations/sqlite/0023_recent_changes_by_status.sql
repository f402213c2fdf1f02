-- A continuous push looks for tickets of its own statuses changed recently: by status first,
-- so a burst of other changes (a whole match printed by its injection just before) is not
-- read ticket by ticket. Replaces the index on the time alone, which nothing else used.
DROP INDEX bo_tickets_status_changed;
CREATE INDEX bo_tickets_status_changed ON bo_tickets (status, status_changed_at);
