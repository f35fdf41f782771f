-- Catch-up no longer writes `late = 0` on every alert it finds on time: it records how far
-- it has looked (meta `catch_up_through_ms`), and a claim takes an undecided row planned
-- up to that mark as on time. A burst of 10,000 alerts was 10,000 updates before its first
-- send, each touching every index (none can be HOT: `late` is in partial-index
-- predicates). Claims now walk `outbox_due`; the index of decided rows has no reader.
DROP INDEX outbox_ready;

-- Two partial indexes held the `sending` rows; every query on them needs only the
-- predicate, and each claim wrote both. `outbox_leased` stays.
DROP INDEX outbox_sending;
