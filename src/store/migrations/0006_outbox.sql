-- One outbox for every message: alerts, notices and digests are one kind of row, one row
-- per receiver and recipient (an email address; '' for receivers that have none, and for
-- rows written before this migration, which go to every recipient of their receiver).
--
-- State machine (model::AlertState): pending -> sending (claimed just before its own send,
-- at claimed_ms) -> sent | failed | pending again with a later next_attempt_ms (retry);
-- pending -> cancelled (moved, withdrawn, dismissed, acknowledged, caught up). A row left
-- 'sending' by a crash was on the wire: it is sent again, under the same Message-ID.
--
-- `late` is NULL until the row's time came and catch-up looked at it; then 0 or 1.
-- Notices keep their facts; their delivery moves to the outbox.
CREATE TABLE notices_v6 (
    id         INTEGER PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    facts      TEXT NOT NULL               -- JSON array of {kind, deadline, ...}
) STRICT;
INSERT INTO notices_v6 (id, created_ms, facts) SELECT id, created_ms, facts FROM notices;

CREATE TABLE outbox_v6 (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('alert', 'notice', 'digest')),
    key              TEXT NOT NULL,    -- alert: deadline/revision/lead_seconds; notice: id; digest: name/planned_ms
    receiver         TEXT NOT NULL,
    recipient        TEXT NOT NULL DEFAULT '',
    deadline_id      TEXT REFERENCES deadlines (id),
    revision         INTEGER,
    lead_seconds     INTEGER,
    lead             TEXT,
    notice_id        INTEGER REFERENCES notices_v6 (id),
    digest           TEXT,
    planned_ms       INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    late             INTEGER,
    next_attempt_ms  INTEGER NOT NULL,
    first_attempt_ms INTEGER,
    claimed_ms       INTEGER,
    sent_ms          INTEGER,
    last_error       TEXT,
    cancel_reason    TEXT,
    UNIQUE (kind, key, receiver, recipient)
) STRICT;

INSERT INTO outbox_v6 (kind, key, receiver, recipient, deadline_id, revision, lead_seconds, lead, planned_ms, state,
                       attempts, late, next_attempt_ms, first_attempt_ms, sent_ms, last_error, cancel_reason)
SELECT 'alert', deadline_id || '/' || revision || '/' || lead_seconds, receiver, '', deadline_id, revision,
       lead_seconds, lead, planned_ms, CASE state WHEN 'sending' THEN 'pending' ELSE state END, attempts,
       CASE state WHEN 'pending' THEN NULL ELSE late END, coalesce(next_attempt_ms, planned_ms), first_attempt_ms,
       sent_ms, last_error, cancel_reason
FROM outbox;


INSERT INTO outbox_v6 (kind, key, receiver, notice_id, planned_ms, state, attempts, late, next_attempt_ms,
                       first_attempt_ms, sent_ms, last_error)
SELECT 'notice', CAST(id AS TEXT), receiver, id, created_ms, state, attempts, 0, next_attempt_ms, first_attempt_ms,
       sent_ms, last_error
FROM notices;

INSERT INTO outbox_v6 (kind, key, receiver, digest, planned_ms, state, attempts, late, next_attempt_ms,
                       first_attempt_ms, sent_ms, last_error)
SELECT 'digest', name || '/' || planned_ms, receiver, name, planned_ms, state, attempts, late, next_attempt_ms,
       first_attempt_ms, sent_ms, last_error
FROM digest_runs;

DROP TABLE outbox;
DROP TABLE digest_runs;
DROP TABLE notices;
ALTER TABLE notices_v6 RENAME TO notices;
ALTER TABLE outbox_v6 RENAME TO outbox;

CREATE INDEX outbox_due ON outbox (receiver, next_attempt_ms) WHERE state = 'pending';
CREATE INDEX outbox_next ON outbox (next_attempt_ms) WHERE state = 'pending';
CREATE INDEX outbox_unsettled ON outbox (planned_ms) WHERE state = 'pending' AND late IS NULL;
CREATE INDEX outbox_sending ON outbox (claimed_ms) WHERE state = 'sending';
CREATE INDEX outbox_deadline ON outbox (deadline_id, revision) WHERE deadline_id IS NOT NULL;

-- `sanctiond ack DEADLINE [--receiver NAME]`: the remaining lead alerts of that revision stop
-- for that receiver ('*' = every receiver). A move makes a new revision, which alerts again.
CREATE TABLE acks (
    deadline_id TEXT NOT NULL REFERENCES deadlines (id),
    revision    INTEGER NOT NULL,
    receiver    TEXT NOT NULL,
    acked_ms    INTEGER NOT NULL,
    PRIMARY KEY (deadline_id, revision, receiver)
) STRICT;
