-- The spectator side of the wallet (issue 4): devices, sessions, sign-in codes, which device
-- holds which ticket, transfers, per-event settings (activation, transfers, holder fields,
-- code period) and gate scans. Times are milliseconds since the Unix epoch (UTC). Secrets are
-- never stored in clear: tokens and one-time codes as hashes; entry-code keys are derived from
-- the server key, so none is stored at all.

-- A device a spectator signed in on. device_id is the public name the device presents (and
-- that appears in its entry codes); active = signed in now.
CREATE TABLE wallet_devices (
    id INTEGER PRIMARY KEY,
    spectator_id INTEGER NOT NULL REFERENCES wallet_spectators(id),
    device_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX wallet_devices_spectator ON wallet_devices (spectator_id);

CREATE TABLE wallet_sessions (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    spectator_id INTEGER NOT NULL REFERENCES wallet_spectators(id),
    device_pk INTEGER NOT NULL REFERENCES wallet_devices(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- One sign-in request: a short code (HMAC under the server key) and a link token (SHA-256).
CREATE TABLE wallet_sign_in_codes (
    id INTEGER PRIMARY KEY,
    spectator_id INTEGER NOT NULL REFERENCES wallet_spectators(id),
    code_hash BLOB NOT NULL,
    link_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    failed_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX wallet_sign_in_codes_spectator ON wallet_sign_in_codes (spectator_id, expires_at);

-- Which device holds which ticket; released_at is set when the device says it no longer does.
CREATE TABLE wallet_device_tickets (
    device_pk INTEGER NOT NULL REFERENCES wallet_devices(id),
    ticket_pk INTEGER NOT NULL REFERENCES wallet_tickets(id),
    fetched_at INTEGER NOT NULL,
    released_at INTEGER,
    PRIMARY KEY (device_pk, ticket_pk)
);
CREATE INDEX wallet_device_tickets_ticket ON wallet_device_tickets (ticket_pk);

-- kind: FORWARD | RETURN. state: OPEN | ACCEPTED | REJECTED | CANCELLED | EXPIRED | VOID
CREATE TABLE wallet_transfers (
    id INTEGER PRIMARY KEY,
    ticket_pk INTEGER NOT NULL REFERENCES wallet_tickets(id),
    sender_id INTEGER NOT NULL REFERENCES wallet_spectators(id),
    recipient_id INTEGER NOT NULL REFERENCES wallet_spectators(id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    closed_at INTEGER
);
CREATE INDEX wallet_transfers_open ON wallet_transfers (state, expires_at);
CREATE INDEX wallet_transfers_ticket ON wallet_transfers (ticket_pk);

-- Per-event rules; an event without a row uses the defaults. holder_*: OPTIONAL | REQUIRED.
CREATE TABLE wallet_event_settings (
    event_pk INTEGER NOT NULL PRIMARY KEY REFERENCES wallet_events(id),
    transfers_enabled INTEGER NOT NULL DEFAULT 1,
    max_transfers INTEGER,
    transfer_after_activation INTEGER NOT NULL DEFAULT 1,
    transfer_expiry_hours INTEGER NOT NULL DEFAULT 72,
    holder_birth_date TEXT NOT NULL DEFAULT 'OPTIONAL',
    holder_email TEXT NOT NULL DEFAULT 'OPTIONAL',
    holder_phone TEXT NOT NULL DEFAULT 'OPTIONAL',
    activation_at INTEGER,
    activation_hours_before INTEGER,
    activation_time_of_day TEXT,
    manual_code_hash BLOB,
    code_period_seconds INTEGER NOT NULL DEFAULT 15
);

-- Every scan a gate reported (online, or uploaded after an offline session).
CREATE TABLE wallet_gate_scans (
    id INTEGER PRIMARY KEY,
    organizer_id INTEGER NOT NULL REFERENCES wallet_organizers(id),
    ticket_pk INTEGER REFERENCES wallet_tickets(id),
    code_hash BLOB NOT NULL,
    result TEXT NOT NULL,
    source TEXT NOT NULL,
    scanned_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX wallet_gate_scans_code ON wallet_gate_scans (organizer_id, code_hash);

CREATE INDEX wallet_tickets_barcode ON wallet_tickets (organizer_id, barcode);
CREATE INDEX wallet_tickets_owner ON wallet_tickets (owner_id);
