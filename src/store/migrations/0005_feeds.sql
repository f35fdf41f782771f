-- Feeds: what each poll learned (conditional-GET validators, errors, backoff, staleness)
-- and every entry seen, so an entry is ingested once however often it is polled.

CREATE TABLE feeds (
    name              TEXT PRIMARY KEY,
    configured_url    TEXT NOT NULL,           -- as the config gives it
    url               TEXT NOT NULL,           -- after permanent redirects
    etag              TEXT,
    last_modified     TEXT,
    last_poll_ms      INTEGER,
    last_success_ms   INTEGER,
    last_new_entry_ms INTEGER,
    last_error        TEXT,
    failures          INTEGER NOT NULL DEFAULT 0,
    not_before_ms     INTEGER,                 -- Retry-After or backoff
    entries_seen      INTEGER NOT NULL DEFAULT 0,
    stale             INTEGER NOT NULL DEFAULT 0,  -- a "source stale" notice went out
    gone              INTEGER NOT NULL DEFAULT 0,  -- the server said 410 Gone
    created_ms        INTEGER NOT NULL
) STRICT;

CREATE TABLE feed_entries (
    feed       TEXT NOT NULL REFERENCES feeds (name),
    key        TEXT NOT NULL,                  -- "guid:…", else "link:…", else "hash:…"
    article_id INTEGER REFERENCES articles (id),
    seen_ms    INTEGER NOT NULL,
    PRIMARY KEY (feed, key)
) STRICT;
