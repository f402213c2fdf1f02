-- The fingerprint of the server key the stored secrets are sealed with (never the key): one
-- row, written at the first start with a key. A process started with another key, or without
-- its key file, is refused at start naming the key it expected.
CREATE TABLE server_key_fingerprint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
