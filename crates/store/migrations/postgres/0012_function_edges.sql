-- Where and when the box office printed a ticket: the interface prints "as" the point of sale
-- its injection function names (docs/interface.md#ticket-injection).
ALTER TABLE bo_tickets ADD COLUMN printed_at BIGINT;
ALTER TABLE bo_tickets ADD COLUMN printed_point_of_sale_id BIGINT REFERENCES bo_points_of_sale(id);

-- A function's last successful run (ended OK or WARNING: when it started), and when a push's
-- dateFrom was set: a one-off recovery, used up (NULL again) by the first successful run that
-- applied it.
ALTER TABLE itf_functions ADD COLUMN last_success_at BIGINT;
ALTER TABLE itf_functions ADD COLUMN date_from_armed_at BIGINT;

-- Whether the organizer's last control of the ticket asked that its spectator be told.
ALTER TABLE wallet_tickets ADD COLUMN notify_spectator BOOLEAN;
