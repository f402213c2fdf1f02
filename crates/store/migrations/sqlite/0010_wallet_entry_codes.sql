-- The opaque reference a device's rotating code names instead of the barcode: random, one per
-- (device, ticket) holding, set on first fetch. NULL for holdings made before it existed
-- (filled on the next fetch).
ALTER TABLE wallet_device_tickets ADD COLUMN code_ref TEXT;
CREATE UNIQUE INDEX wallet_device_tickets_code_ref ON wallet_device_tickets (code_ref);

-- Wrong manual activation codes, per ticket and device, to stop guessing.
CREATE TABLE wallet_manual_code_attempts (
    id INTEGER PRIMARY KEY,
    ticket_pk INTEGER NOT NULL REFERENCES wallet_tickets(id),
    device_pk INTEGER NOT NULL REFERENCES wallet_devices(id),
    attempted_at INTEGER NOT NULL
);
CREATE INDEX wallet_manual_code_attempts_holding ON wallet_manual_code_attempts (ticket_pk, device_pk, attempted_at);
