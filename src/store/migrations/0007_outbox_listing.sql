-- Listing the outbox in planned order a page at a time (the API's /api/v1/alerts, and
-- `sanctiond alerts`) walks this index instead of sorting every row.
CREATE INDEX outbox_planned ON outbox (planned_ms);
