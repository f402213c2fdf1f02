-- Who may act on the box office: API tokens and operators of an organization, operators'
-- sign-in sessions, and the append-only audit record of configuration changes. Secrets are
-- stored only as hashes (SHA-256 for random tokens, argon2id for passwords).
CREATE TABLE bo_api_tokens (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    name TEXT NOT NULL,
    -- admin | operator | viewer | gate
    role TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    -- JSON array of wallet event ids a gate token may scan for; NULL: the scan names its event
    events TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX bo_api_tokens_organization ON bo_api_tokens (organization_id);

CREATE TABLE bo_operators (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER,
    UNIQUE (organization_id, email)
);

CREATE TABLE bo_operator_sessions (
    id INTEGER PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES bo_operators(id),
    secret_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ended_at INTEGER
);

CREATE TABLE bo_audit (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    at INTEGER NOT NULL,
    -- who: "token 3 (ci)", "operator anna@example.org", "cli"
    actor TEXT NOT NULL,
    -- what: e.g. "interface.update", "token.create"
    action TEXT NOT NULL,
    -- on what: e.g. "interface", "function 12", "token 3"
    object TEXT NOT NULL,
    -- JSON array of the names of the fields set; never a value
    fields TEXT NOT NULL
);
CREATE INDEX bo_audit_organization ON bo_audit (organization_id, id);

-- The wallet's own record of configuration changes by organizers (event rules, device limits).
CREATE TABLE wallet_audit (
    id INTEGER PRIMARY KEY,
    organizer_id INTEGER NOT NULL REFERENCES wallet_organizers(id),
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    fields TEXT NOT NULL
);
CREATE INDEX wallet_audit_organizer ON wallet_audit (organizer_id, id);

-- Operators' sign-in attempts, per e-mail and client network and per network (keys hashed).
CREATE TABLE bo_sign_in_buckets (
    bucket BLOB NOT NULL PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits INTEGER NOT NULL
);
CREATE INDEX bo_sign_in_buckets_window ON bo_sign_in_buckets (window_start);
