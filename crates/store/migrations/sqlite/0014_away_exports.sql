-- Away exports (docs/interface.md#away-fans): each time the away club's spreadsheet is
-- exported, one record of it; and on each ticket the first export that listed it. An exported
-- ticket counts as printed (the export prints it in the same transaction), the pushes send it
-- like an injected one, and feedback matches the wallet's copy to it by barcode. When the away
-- club's file gave the wallet's copy a ticket id of its own, feedback records it on the ticket
-- (NULL: the wallet knows the ticket by its box-office id), and the pushes address it so.
CREATE TABLE bo_away_exports (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES bo_organizations(id),
    performance_id INTEGER NOT NULL REFERENCES bo_performances(id),
    seat_category_code TEXT,
    contingent_code TEXT,
    actor TEXT NOT NULL,
    exported_at INTEGER NOT NULL,
    tickets INTEGER NOT NULL,
    printed INTEGER NOT NULL
);
CREATE INDEX bo_away_exports_performance ON bo_away_exports (organization_id, performance_id);
ALTER TABLE bo_tickets ADD COLUMN away_export_id INTEGER REFERENCES bo_away_exports(id);
ALTER TABLE bo_tickets ADD COLUMN wallet_ticket_id TEXT;
