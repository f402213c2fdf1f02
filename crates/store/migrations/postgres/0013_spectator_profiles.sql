-- What a spectator says about themselves in the wallet (PUT /api/spectator/profile), for the
-- organizers of the tickets they own: the feed carries it with the owner, so the box office
-- can complete the contact it creates for a transfer's recipient. Nothing here comes from an
-- organizer (the names an organizer injected stay in wallet_spectator_names).
CREATE TABLE wallet_spectator_profiles (
    spectator_id BIGINT NOT NULL PRIMARY KEY REFERENCES wallet_spectators(id),
    title TEXT,
    first_name TEXT,
    last_name TEXT,
    phone TEXT,
    birth_date TEXT,
    nationality TEXT,
    id_number TEXT,
    country_code TEXT,
    language TEXT,
    consent_marketing BOOLEAN NOT NULL DEFAULT FALSE,
    consent_third_party BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL
);
