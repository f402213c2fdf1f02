-- Digital privileges (SPEC §2): one definition per box-office product, one instance per card.
-- kind: MEMBERSHIP_CARD | SEASON_TICKET_CARD. Validity dates keep the text the organizer sent.
-- content_hash: SHA-256 of the canonical JSON sent, so the same content again is no change.
CREATE TABLE wallet_privilege_definitions (
    id INTEGER PRIMARY KEY,
    organizer_id INTEGER NOT NULL REFERENCES wallet_organizers(id),
    definition_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (organizer_id, definition_id)
);

-- A privilege is never transferable: its owner is the spectator it was injected to.
-- used_at: when it was marked used (NULL = ACTIVE).
CREATE TABLE wallet_privileges (
    id INTEGER PRIMARY KEY,
    organizer_id INTEGER NOT NULL REFERENCES wallet_organizers(id),
    privilege_id TEXT NOT NULL,
    definition_pk INTEGER NOT NULL REFERENCES wallet_privilege_definitions(id),
    owner_id INTEGER NOT NULL REFERENCES wallet_spectators(id),
    barcode TEXT,
    body TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    injected_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    used_at INTEGER,
    UNIQUE (organizer_id, privilege_id)
);
CREATE INDEX wallet_privileges_owner ON wallet_privileges (owner_id);

-- The tickets a privilege is linked to (season card and tickets), zero or more.
CREATE TABLE wallet_privilege_tickets (
    privilege_pk INTEGER NOT NULL REFERENCES wallet_privileges(id),
    ticket_pk INTEGER NOT NULL REFERENCES wallet_tickets(id),
    PRIMARY KEY (privilege_pk, ticket_pk)
);
CREATE INDEX wallet_privilege_tickets_ticket ON wallet_privilege_tickets (ticket_pk);

-- CSV injection jobs (SPEC §5): the file is stored, then injected in the background through
-- the JSON injection path. status: IN_PROGRESS | COMPLETED | FAILED. params: JSON of the
-- delimiter and the event columns given as query parameters. next_row: the rows before it have
-- their result stored. lease_until: a worker holds the job until then and renews it as it goes;
-- an IN_PROGRESS job whose lease has run out lost its worker and is resumed by the next one.
CREATE TABLE wallet_csv_jobs (
    id INTEGER PRIMARY KEY,
    organizer_id INTEGER NOT NULL REFERENCES wallet_organizers(id),
    job_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    total_rows INTEGER NOT NULL,
    next_row INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    params TEXT NOT NULL,
    failure TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX wallet_csv_jobs_status ON wallet_csv_jobs (status);

-- One result per data row of a job (row_no: 1 = the first row after the header).
CREATE TABLE wallet_csv_job_rows (
    job_pk INTEGER NOT NULL REFERENCES wallet_csv_jobs(id),
    row_no INTEGER NOT NULL,
    ticket_id TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (job_pk, row_no)
);
