-- The wallet's own tables. Times are milliseconds since the Unix epoch (UTC); event times keep
-- the text the organizer sent so that their local offset is shown as given.
CREATE TABLE wallet_organizers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    login TEXT NOT NULL UNIQUE,
    api_key_hash BLOB NOT NULL UNIQUE,
    -- last position handed out in this organizer's diff feed
    feed_seq INTEGER NOT NULL DEFAULT 0,
    max_active_devices INTEGER NOT NULL DEFAULT 3,
    max_devices_ever INTEGER NOT NULL DEFAULT 10,
    created_at INTEGER NOT NULL
);

CREATE TABLE wallet_events (
    id INTEGER PRIMARY KEY,
    organizer_id INTEGER NOT NULL REFERENCES wallet_organizers(id),
    event_id TEXT NOT NULL,
    name TEXT NOT NULL,
    start_time TEXT NOT NULL,
    expiration_date TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (organizer_id, event_id)
);

CREATE TABLE wallet_spectators (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    first_name TEXT,
    last_name TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE wallet_tickets (
    id INTEGER PRIMARY KEY,
    organizer_id INTEGER NOT NULL REFERENCES wallet_organizers(id),
    ticket_id TEXT NOT NULL,
    event_pk INTEGER NOT NULL REFERENCES wallet_events(id),
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    barcode TEXT NOT NULL,
    initial_owner_id INTEGER NOT NULL REFERENCES wallet_spectators(id),
    owner_id INTEGER NOT NULL REFERENCES wallet_spectators(id),
    previous_owner_id INTEGER REFERENCES wallet_spectators(id),
    holder TEXT,
    forward_transfers INTEGER NOT NULL DEFAULT 0,
    backward_transfers INTEGER NOT NULL DEFAULT 0,
    injected_at INTEGER NOT NULL,
    downloaded_at INTEGER,
    assigned_at INTEGER,
    activated_at INTEGER,
    controlled_at INTEGER,
    deleted_at INTEGER,
    deletion_reason TEXT,
    show_deleted_ticket INTEGER,
    -- position of this ticket's latest change in the organizer's diff feed
    change_seq INTEGER NOT NULL,
    log_len INTEGER NOT NULL,
    last_hash BLOB NOT NULL,
    UNIQUE (organizer_id, ticket_id)
);
CREATE INDEX wallet_tickets_feed ON wallet_tickets (organizer_id, change_seq);

-- Append-only, hash-chained status log: each row holds the hash of the one before.
CREATE TABLE wallet_ticket_log (
    ticket_pk INTEGER NOT NULL REFERENCES wallet_tickets(id),
    position INTEGER NOT NULL,
    feed_seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (ticket_pk, position)
);
