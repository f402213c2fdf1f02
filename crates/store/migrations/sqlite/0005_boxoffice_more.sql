-- Box-office additions. A barcode is what a gate scans: it names one ticket of an organization.
-- (A reprint gives the new ticket a new barcode; the old one keeps its own, invalidated.)
CREATE UNIQUE INDEX bo_tickets_org_barcode ON bo_tickets (organization_id, barcode);
-- Reprints are followed from the old ticket to the new one.
CREATE INDEX bo_tickets_replaces ON bo_tickets (replaces_ticket_id);
