-- What a spectator says about themselves in the wallet (PUT /api/spectator/profile), for the
-- organizers of the tickets they own: the feed carries it with the owner, so the box office
-- can complete the contact it creates for a transfer's recipient. Nothing here comes from an
-- organizer (the names an organizer injected stay in wallet_spectator_names).
CREATE TABLE wallet_spectator_profiles (
    spectator_id INTEGER NOT NULL PRIMARY KEY REFERENCES wallet_spectators(id),
    title TEXT,
    first_name TEXT,
    last_name TEXT,
    phone TEXT,
    birth_date TEXT,
    nationality TEXT,
    id_number TEXT,
    country_code TEXT,
    language TEXT,
    consent_marketing INTEGER NOT NULL DEFAULT 0,
    consent_third_party INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);
