-- Capacity and seats (docs/products-and-statuses.md#capacity-and-seats). A performance holds
-- at most `capacity` live tickets (NOT_PRINTED, PRINTED, CONTROLLED); a seat category or a
-- contingent with a capacity holds at most that many at each performance (NULL: only the
-- performance's capacity bounds it).
ALTER TABLE bo_performances ADD COLUMN capacity BIGINT NOT NULL DEFAULT 100000;
ALTER TABLE bo_seat_categories ADD COLUMN capacity BIGINT;
ALTER TABLE bo_contingents ADD COLUMN capacity BIGINT;
-- A performance that sold more than the default before keeps what it sold as its capacity.
UPDATE bo_performances SET capacity = (
    SELECT COUNT(*) FROM bo_tickets t
    WHERE t.performance_id = bo_performances.id AND t.status IN ('NOT_PRINTED', 'PRINTED', 'CONTROLLED')
) WHERE capacity < (
    SELECT COUNT(*) FROM bo_tickets t
    WHERE t.performance_id = bo_performances.id AND t.status IN ('NOT_PRINTED', 'PRINTED', 'CONTROLLED')
);
-- A seat (block, row, seat) of a performance is held by one live ticket at most; a cancelled
-- or invalidated ticket frees it. Tickets without a seat number (standing) are not seats.
-- A seat sold twice before this rule keeps both tickets: the later ones are marked
-- shares_seat and left out of the index (the sale checks still count their seat as sold).
ALTER TABLE bo_tickets ADD COLUMN shares_seat BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE bo_tickets SET shares_seat = TRUE WHERE id IN (
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (
            PARTITION BY performance_id, COALESCE(block, ''), COALESCE(row_name, ''), seat ORDER BY id
        ) AS sighting
        FROM bo_tickets
        WHERE performance_id IS NOT NULL AND seat IS NOT NULL AND status IN ('NOT_PRINTED', 'PRINTED', 'CONTROLLED')
    ) ranked WHERE sighting > 1
);
CREATE UNIQUE INDEX bo_tickets_live_seat ON bo_tickets (performance_id, COALESCE(block, ''), COALESCE(row_name, ''), seat)
    WHERE performance_id IS NOT NULL AND seat IS NOT NULL AND status IN ('NOT_PRINTED', 'PRINTED', 'CONTROLLED')
    AND NOT shares_seat;
-- Counting what a performance, and each category and contingent in it, has sold.
CREATE INDEX bo_tickets_performance_use ON bo_tickets (performance_id, status, seat_category_id, contingent_id);

-- Idempotent creates (docs/boxoffice-api.md#idempotent-creates): the first answer to a request
-- carrying an `Idempotency-Key`, written in the transaction of the create, replayed for 24 h.
-- fingerprint: SHA-256 (hex) of the method, the path and the body.
CREATE TABLE bo_idempotency_keys (
    organization_id BIGINT NOT NULL REFERENCES bo_organizations(id),
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, idempotency_key)
);
CREATE INDEX bo_idempotency_keys_created ON bo_idempotency_keys (created_at);
