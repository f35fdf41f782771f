-- Articles and what they said: each article is stored once (by content hash); every
-- deadline mention is kept with the deadline it was merged into; talk events are merged
-- across articles and linked to the deadlines they bear on.

CREATE TABLE articles (
    id                  INTEGER PRIMARY KEY,
    hash                TEXT NOT NULL UNIQUE,      -- SHA-256 of the article as given, hex
    origin              TEXT NOT NULL,             -- the path or URL it came from
    title               TEXT,
    source              TEXT,
    url                 TEXT,
    published_ms        INTEGER NOT NULL,
    published_estimated INTEGER NOT NULL DEFAULT 0,
    ingested_ms         INTEGER NOT NULL,
    body                TEXT NOT NULL
) STRICT;

-- Declared deadlines answer to their config (the due it last gave); extracted ones are
-- 'tracked' (a topic or watched actor matched), 'candidate' or 'dismissed'.
ALTER TABLE deadlines ADD COLUMN tracking TEXT NOT NULL DEFAULT 'tracked'
    CHECK (tracking IN ('tracked', 'candidate', 'dismissed'));
ALTER TABLE deadlines ADD COLUMN config_due_ms INTEGER;
ALTER TABLE deadlines ADD COLUMN subject TEXT NOT NULL DEFAULT '';
UPDATE deadlines SET config_due_ms = due_ms WHERE origin = 'config';
CREATE INDEX deadlines_due ON deadlines (due_ms);

ALTER TABLE revisions ADD COLUMN article_id INTEGER REFERENCES articles (id);
ALTER TABLE sources ADD COLUMN article_id INTEGER REFERENCES articles (id);

-- Every deadline an article mentions; `deadline_id` is NULL for an undated mention that
-- matched no known deadline.
CREATE TABLE mentions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    deadline_id TEXT REFERENCES deadlines (id),
    title       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    due_ms      INTEGER,
    superseded  INTEGER NOT NULL DEFAULT 0,
    evidence    TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL
) STRICT;

CREATE INDEX mentions_deadline ON mentions (deadline_id);
CREATE INDEX mentions_article ON mentions (article_id);

CREATE TABLE talks (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL,                -- sorted participant surnames
    participants TEXT NOT NULL,                -- JSON array, fullest names seen
    actors       TEXT NOT NULL,                -- JSON array of watch-list names
    status       TEXT NOT NULL CHECK (status IN ('held', 'planned')),
    day          TEXT,                         -- YYYY-MM-DD, NULL when undated
    place        TEXT,
    tone         TEXT NOT NULL,                -- JSON array, verbatim words
    first_seen_ms INTEGER NOT NULL,            -- publication time of the first report
    updated_ms   INTEGER NOT NULL
) STRICT;

CREATE INDEX talks_key ON talks (key, day);

CREATE TABLE talk_sources (
    talk_id     INTEGER NOT NULL REFERENCES talks (id),
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    reported_by TEXT,
    evidence    TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    PRIMARY KEY (talk_id, article_id)
) STRICT;

CREATE TABLE talk_deadlines (
    talk_id     INTEGER NOT NULL REFERENCES talks (id),
    deadline_id TEXT NOT NULL REFERENCES deadlines (id),
    PRIMARY KEY (talk_id, deadline_id)
) STRICT;

CREATE INDEX talk_deadlines_deadline ON talk_deadlines (deadline_id);

-- New-fact notices: one row per ingest run and receiver, delivered like digests.
CREATE TABLE notices (
    id               INTEGER PRIMARY KEY,
    receiver         TEXT NOT NULL,
    created_ms       INTEGER NOT NULL,
    facts            TEXT NOT NULL,            -- JSON array of {kind, deadline, ...}
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER NOT NULL,
    first_attempt_ms INTEGER,
    sent_ms          INTEGER,
    last_error       TEXT,
    recipients       TEXT NOT NULL DEFAULT '{}'
) STRICT;

CREATE INDEX notices_pending ON notices (next_attempt_ms) WHERE state = 'pending';
