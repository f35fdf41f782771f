-- Several daemons on one PostgreSQL ledger: a claimed row is its claimer's until its lease
-- runs out (the claimer renews it while it sends); past that, any daemon takes it back.
-- On SQLite one daemon writes the ledger and these stay NULL.
ALTER TABLE outbox ADD COLUMN owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until_ms INTEGER;
CREATE INDEX outbox_leased ON outbox (lease_until_ms) WHERE state = 'sending';
-- Claims walk a receiver's due rows in (next_attempt_ms, id) order and stop at the batch:
-- with the id in the index, thousands of rows due at once need no sort per claim.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (receiver, next_attempt_ms, id) WHERE state = 'pending';

-- The daemons sharing the ledger: each stamps its row while it runs (`sanctiond instances`).
CREATE TABLE instances (
    id           TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_ms   INTEGER NOT NULL,
    heartbeat_ms INTEGER NOT NULL,
    lease_ms     INTEGER NOT NULL
) STRICT;

-- Scheduled work that one daemon does for all (a feed's poll at one cron time): the first
-- daemon to insert the slot does it. Slots older than a week are dropped as new ones come.
CREATE TABLE slots (
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    slot_ms    INTEGER NOT NULL,
    owner      TEXT NOT NULL,
    claimed_ms INTEGER NOT NULL,
    PRIMARY KEY (kind, name, slot_ms)
) STRICT;
