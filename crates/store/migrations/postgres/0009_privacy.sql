-- Sign-in throttling shared by every process of one database: a fixed window per bucket. The
-- bucket is the SHA-256 of its key (e-mail and client network, or network alone), so the
-- table holds no address.
CREATE TABLE wallet_sign_in_buckets (
    bucket BYTEA NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX wallet_sign_in_buckets_window ON wallet_sign_in_buckets (window_start);

-- The names an organizer injected for a spectator: each organizer sees only its own.
CREATE TABLE wallet_spectator_names (
    organizer_id BIGINT NOT NULL REFERENCES wallet_organizers(id),
    spectator_id BIGINT NOT NULL REFERENCES wallet_spectators(id),
    first_name TEXT,
    last_name TEXT,
    PRIMARY KEY (organizer_id, spectator_id)
);

-- Names stored before were shared by every organizer; they go to the organizer of the
-- spectator's first ticket (else first card), the one that first injected them, and leave the
-- account.
INSERT INTO wallet_spectator_names (organizer_id, spectator_id, first_name, last_name)
SELECT organizer_id, id, first_name, last_name FROM (
    SELECT COALESCE(
        (SELECT t.organizer_id FROM wallet_tickets t WHERE t.initial_owner_id = s.id ORDER BY t.injected_at, t.id LIMIT 1),
        (SELECT p.organizer_id FROM wallet_privileges p WHERE p.owner_id = s.id ORDER BY p.injected_at, p.id LIMIT 1)
    ) AS organizer_id, s.id, s.first_name, s.last_name
    FROM wallet_spectators s
    WHERE s.first_name IS NOT NULL OR s.last_name IS NOT NULL
) named
WHERE organizer_id IS NOT NULL;
UPDATE wallet_spectators SET first_name = NULL, last_name = NULL;
