-- The ledger: deadlines with their due-time revisions and sources, and the alert outbox.
-- Times are Unix milliseconds (UTC).

CREATE TABLE deadlines (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    due_ms        INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),
    origin        TEXT NOT NULL,             -- 'config' for declared deadlines
    tags          TEXT NOT NULL,             -- JSON array of strings
    lead_times    TEXT,                      -- JSON array of strings, NULL = [alerts] lead_times
    match_phrases TEXT NOT NULL,             -- JSON array of strings
    revision      INTEGER NOT NULL,
    created_ms    INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL
) STRICT;

CREATE INDEX deadlines_active_due ON deadlines (due_ms) WHERE status = 'active';
CREATE INDEX deadlines_declared ON deadlines (id) WHERE origin = 'config';

CREATE TABLE revisions (
    deadline_id TEXT NOT NULL REFERENCES deadlines (id),
    revision    INTEGER NOT NULL,
    due_ms      INTEGER NOT NULL,
    recorded_ms INTEGER NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (deadline_id, revision)
) STRICT;

CREATE TABLE sources (
    deadline_id   TEXT NOT NULL REFERENCES deadlines (id),
    source        TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    PRIMARY KEY (deadline_id, source)
) STRICT;

-- One row per alert, written before it is sent. The UNIQUE key is the alert's identity:
-- the same deadline, due-time revision, lead and receiver is never planned twice.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    deadline_id   TEXT NOT NULL REFERENCES deadlines (id),
    revision      INTEGER NOT NULL,
    lead_seconds  INTEGER NOT NULL,
    receiver      TEXT NOT NULL,
    lead          TEXT NOT NULL,
    planned_ms    INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    late          INTEGER NOT NULL DEFAULT 0,
    sent_ms       INTEGER,
    last_error    TEXT,
    cancel_reason TEXT,
    UNIQUE (deadline_id, revision, lead_seconds, receiver)
) STRICT;

CREATE INDEX outbox_pending ON outbox (planned_ms) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox (planned_ms) WHERE state = 'sending';

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
