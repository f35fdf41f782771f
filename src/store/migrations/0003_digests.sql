-- Scheduled digests: one row per digest run and receiver, delivered like alerts.
CREATE TABLE digest_runs (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    planned_ms       INTEGER NOT NULL,
    receiver         TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    late             INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER NOT NULL,
    first_attempt_ms INTEGER,
    sent_ms          INTEGER,
    last_error       TEXT,
    recipients       TEXT NOT NULL DEFAULT '{}',
    UNIQUE (name, planned_ms, receiver)
) STRICT;

CREATE INDEX digest_runs_pending ON digest_runs (next_attempt_ms) WHERE state = 'pending';
