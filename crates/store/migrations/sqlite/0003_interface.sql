-- The external printing interface (prefix itf_): configuration, functions, runs.
-- type: TIXNGO | TIXNGO_WITH_TEMPLATE. password_sealed: the wallet API key, encrypted with the
-- server key (never stored or shown in clear).
CREATE TABLE itf_interfaces (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL UNIQUE REFERENCES bo_organizations(id),
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    url TEXT NOT NULL,
    login TEXT NOT NULL,
    password_sealed BLOB NOT NULL,
    notification_emails TEXT NOT NULL DEFAULT '',
    custom_parameters TEXT NOT NULL DEFAULT '',
    template_id INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE itf_templates (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    name TEXT NOT NULL,
    -- JSON object: wallet JSON path -> text with ${variables}
    fields TEXT NOT NULL
);

-- kind: INJECTION | FEEDBACK | PUSH_CANCELLED | PUSH_CONTROLLED | PRIVILEGES
-- launch: MANUAL | AUTOMATIC | CONTINUOUS. settings: JSON of the kind's fields.
CREATE TABLE itf_functions (
    id INTEGER PRIMARY KEY,
    interface_id INTEGER NOT NULL REFERENCES itf_interfaces(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    launch TEXT NOT NULL,
    frequency_seconds INTEGER,
    start_at INTEGER,
    end_at INTEGER,
    active INTEGER NOT NULL DEFAULT 1,
    settings TEXT NOT NULL,
    pagination_key TEXT NOT NULL DEFAULT '',
    next_run_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL
);

-- result: RUNNING | OK | WARNING | ERROR
CREATE TABLE itf_runs (
    id INTEGER PRIMARY KEY,
    function_id INTEGER NOT NULL REFERENCES itf_functions(id),
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    result TEXT NOT NULL,
    simulation INTEGER NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}',
    cause TEXT,
    dump TEXT
);
CREATE INDEX itf_runs_function ON itf_runs (function_id, id);

CREATE TABLE itf_run_log (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES itf_runs(id),
    ticket_ref TEXT,
    message TEXT NOT NULL
);
CREATE INDEX itf_run_log_run ON itf_run_log (run_id);

-- A ticket a function has processed (synced). invalidation_reason: what push cancelled sent,
-- so a changed reason re-selects the ticket. failed: the last attempt failed (retried).
CREATE TABLE itf_processed (
    function_id INTEGER NOT NULL REFERENCES itf_functions(id),
    ticket_id INTEGER NOT NULL REFERENCES bo_tickets(id),
    processed_at INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    invalidation_reason TEXT,
    PRIMARY KEY (function_id, ticket_id)
);
CREATE INDEX itf_processed_ticket ON itf_processed (ticket_id);
