-- The wallet organizer pages' sessions (docs/wallet-organizer-pages.md): only the SHA-256 of
-- the cookie's token is kept. A session ends when idle past `idle_expires_at`, at
-- `expires_at` whatever its use, or when signed out (`revoked_at`).
CREATE TABLE wallet_organizer_sessions (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    organizer_id INTEGER NOT NULL REFERENCES wallet_organizers(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX wallet_organizer_sessions_organizer ON wallet_organizer_sessions (organizer_id);
