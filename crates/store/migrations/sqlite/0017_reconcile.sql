-- The digest of an event's tickets (GET …/organizer/tickets/digest) reads a range of ticket ids
-- of one event: this index keeps that a range scan, in the digest's byte order.
CREATE INDEX wallet_tickets_event ON wallet_tickets (event_pk, ticket_id);

-- Tickets the wallet held that the box office never sold, which a reconcile deleted there (or
-- found deleted): the box office then believes the wallet holds them deleted, so the next
-- reconcile does not find them again.
CREATE TABLE itf_wallet_foreign (
    interface_id INTEGER NOT NULL REFERENCES itf_interfaces(id),
    ticket_ref TEXT NOT NULL,
    event_id TEXT NOT NULL,
    reason TEXT,
    show_deleted_ticket INTEGER NOT NULL DEFAULT 0,
    run_id INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (interface_id, ticket_ref)
);
