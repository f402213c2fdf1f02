-- The box office's own tables (prefix bo_). Times are milliseconds since the Unix epoch (UTC)
-- unless named *_local, which keep RFC 3339 text with the venue's offset as entered.
CREATE TABLE bo_organizations (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES bo_organizations(id),
    -- the catalog (inventory) is defined here; the wallet interface must live here
    owns_inventory INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE bo_seasons (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    starts_local TEXT NOT NULL,
    ends_local TEXT NOT NULL,
    UNIQUE (organization_id, code)
);

-- kind: EVENT | MATCH | OPEN_PASS | SERVICE | MEMBERSHIP_CARD | SEASON_TICKET_CARD
-- season_shape (season tickets): CARD_ONLY | CARD_AND_TICKETS | TICKETS_ONLY
-- comfort_variables: JSON object {"TIXAct": "...", "TIXStart": ..., "TIXExp": ..., "TIXRGrp": ...}
CREATE TABLE bo_products (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    external_name TEXT,
    kind TEXT NOT NULL,
    family TEXT NOT NULL,
    season_id INTEGER REFERENCES bo_seasons(id),
    season_shape TEXT,
    mobile_enabled INTEGER NOT NULL DEFAULT 1,
    comfort_variables TEXT NOT NULL DEFAULT '{}',
    UNIQUE (organization_id, code)
);

CREATE TABLE bo_performances (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES bo_products(id),
    code TEXT NOT NULL,
    starts_local TEXT NOT NULL,
    duration_minutes INTEGER,
    site_name TEXT,
    site_external_name TEXT,
    space_name TEXT,
    address_line1 TEXT,
    city TEXT,
    zip TEXT,
    country_code TEXT,
    host_team TEXT,
    opposing_team TEXT,
    UNIQUE (product_id, code)
);

CREATE TABLE bo_seat_categories (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (organization_id, code)
);

CREATE TABLE bo_tariffs (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (organization_id, code)
);

CREATE TABLE bo_contingents (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (organization_id, code)
);

-- type: MOBILE (the wallet), MOBILE_EXTERNAL (away fans, injected by CSV), PRINT_AT_HOME, POSTAL, ...
CREATE TABLE bo_shipment_modes (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    UNIQUE (organization_id, code)
);

CREATE TABLE bo_sales_channels (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (organization_id, code)
);

CREATE TABLE bo_points_of_sale (
    id INTEGER PRIMARY KEY,
    sales_channel_id INTEGER NOT NULL REFERENCES bo_sales_channels(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (sales_channel_id, code)
);

-- kind: INDIVIDUAL | RELAY. temporary: created from partial data, to be completed.
CREATE TABLE bo_contacts (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    kind TEXT NOT NULL DEFAULT 'INDIVIDUAL',
    temporary INTEGER NOT NULL DEFAULT 0,
    pending_creation INTEGER NOT NULL DEFAULT 0,
    has_internet_account INTEGER NOT NULL DEFAULT 0,
    title TEXT,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    phone TEXT,
    birth_date TEXT,
    nationality TEXT,
    id_number TEXT,
    country_code TEXT,
    birth_region TEXT,
    birth_place TEXT,
    language TEXT,
    consent_marketing INTEGER NOT NULL DEFAULT 0,
    consent_third_party INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX bo_contacts_email ON bo_contacts (organization_id, email);

CREATE TABLE bo_files (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    file_number TEXT NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES bo_contacts(id),
    sales_channel_id INTEGER REFERENCES bo_sales_channels(id),
    created_at INTEGER NOT NULL,
    UNIQUE (organization_id, file_number)
);

-- status: NOT_PRINTED | PRINTED | CONTROLLED | INVALIDATED | CANCELLED
-- contact_id: the ticket's owner in the box office; holder_contact_id: who attends (may be null)
CREATE TABLE bo_tickets (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    file_id INTEGER NOT NULL REFERENCES bo_files(id),
    product_id INTEGER NOT NULL REFERENCES bo_products(id),
    performance_id INTEGER REFERENCES bo_performances(id),
    seat_category_id INTEGER REFERENCES bo_seat_categories(id),
    tariff_id INTEGER REFERENCES bo_tariffs(id),
    contingent_id INTEGER REFERENCES bo_contingents(id),
    shipment_mode_id INTEGER NOT NULL REFERENCES bo_shipment_modes(id),
    sales_channel_id INTEGER REFERENCES bo_sales_channels(id),
    contact_id INTEGER NOT NULL REFERENCES bo_contacts(id),
    holder_contact_id INTEGER REFERENCES bo_contacts(id),
    status TEXT NOT NULL,
    tax_number TEXT,
    barcode TEXT NOT NULL,
    block TEXT, row_name TEXT, seat TEXT, gate TEXT, level_name TEXT, area TEXT,
    price_cents INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'EUR',
    validity_start_local TEXT,
    validity_end_local TEXT,
    invalidation_reason TEXT,
    replaces_ticket_id INTEGER REFERENCES bo_tickets(id),
    issued_at INTEGER NOT NULL,
    status_changed_at INTEGER NOT NULL,
    -- what feedback brings back from the wallet
    mobile_status TEXT,
    wallet_owner_email TEXT,
    wallet_holder TEXT,
    forward_transfers INTEGER NOT NULL DEFAULT 0,
    backward_transfers INTEGER NOT NULL DEFAULT 0,
    wallet_synced_at INTEGER
);
CREATE INDEX bo_tickets_status ON bo_tickets (organization_id, status, id);
CREATE INDEX bo_tickets_file ON bo_tickets (file_id);
CREATE INDEX bo_tickets_barcode ON bo_tickets (barcode);

-- The wallet-side status history brought back by feedback.
CREATE TABLE bo_ticket_mobile_history (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES bo_tickets(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (ticket_id, at, status, action)
);

-- action: DISTRIBUTE; status: PENDING | CANCELLED | CONFIRMED
CREATE TABLE bo_distribution_history (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES bo_tickets(id),
    contact_id INTEGER NOT NULL REFERENCES bo_contacts(id),
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    at INTEGER NOT NULL
);
