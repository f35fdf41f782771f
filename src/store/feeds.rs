//! Feed state in the ledger: the URL after permanent redirects, conditional-GET
//! validators, errors and backoff, staleness, and the entries already seen.

use super::db::{self, OptionalExtension, Row, params};
use chrono::{DateTime, Utc};

use super::{Fact, Result, Store, db_err, from_ms};

/// One feed as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    pub name: String,
    pub configured_url: String,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_poll: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_new_entry: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub failures: i64,
    /// No poll before this (the server's Retry-After, or backoff after errors).
    pub not_before: Option<DateTime<Utc>>,
    pub entries_seen: i64,
    pub stale: bool,
    pub gone: bool,
    pub created: DateTime<Utc>,
}

/// What one poll learned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedPoll {
    /// The URL to poll from now on (changed by a permanent redirect).
    pub url: String,
    /// New validators; `None` keeps the stored ones (a 304 sends none).
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub success: bool,
    pub new_entries: usize,
    pub error: Option<String>,
    pub not_before: Option<DateTime<Utc>>,
    pub gone: bool,
}

const FEED_COLUMNS: &str = "name, configured_url, url, etag, last_modified, last_poll_ms, last_success_ms, \
     last_new_entry_ms, last_error, failures, not_before_ms, entries_seen, stale, gone, created_ms";

fn feed_from_row(r: &Row<'_>) -> db::Result<FeedRow> {
    let time = |i: usize| -> db::Result<Option<DateTime<Utc>>> { Ok(r.get::<Option<i64>>(i)?.map(from_ms)) };
    Ok(FeedRow {
        name: r.get(0)?,
        configured_url: r.get(1)?,
        url: r.get(2)?,
        etag: r.get(3)?,
        last_modified: r.get(4)?,
        last_poll: time(5)?,
        last_success: time(6)?,
        last_new_entry: time(7)?,
        last_error: r.get(8)?,
        failures: r.get(9)?,
        not_before: time(10)?,
        entries_seen: r.get(11)?,
        stale: r.get(12)?,
        gone: r.get(13)?,
        created: from_ms(r.get(14)?),
    })
}

impl Store {
    pub fn feed(&self, name: &str) -> Result<Option<FeedRow>> {
        self.conn
            .query_row(&format!("SELECT {FEED_COLUMNS} FROM feeds WHERE name = ?1"), [name], feed_from_row)
            .optional()
            .map_err(db_err(&self.path))
    }

    pub fn feeds(&self) -> Result<Vec<FeedRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {FEED_COLUMNS} FROM feeds ORDER BY name"))
            .map_err(db_err(&self.path))?;
        let rows = stmt.query_map((), feed_from_row).map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// Makes sure the feed has a row. When the config gives it a new URL, the stored URL,
    /// validators, errors and backoff start over.
    pub fn register_feed(&mut self, name: &str, configured_url: &str, now: DateTime<Utc>) -> Result<FeedRow> {
        (|| -> db::Result<()> {
            self.conn.execute(
                "INSERT INTO feeds (name, configured_url, url, created_ms) VALUES (?1, ?2, ?2, ?3) ON CONFLICT (name) DO NOTHING",
                params![name, configured_url, now.timestamp_millis()],
            )?;
            self.conn.execute(
                "UPDATE feeds SET configured_url = ?2, url = ?2, etag = NULL, last_modified = NULL, failures = 0, \
                 not_before_ms = NULL, gone = 0, last_error = NULL WHERE name = ?1 AND configured_url != ?2",
                params![name, configured_url],
            )?;
            Ok(())
        })()
        .map_err(db_err(&self.path))?;
        self.feed(name)?.ok_or_else(|| super::StoreError::Missing(self.path.clone()))
    }

    pub fn record_poll(&mut self, name: &str, poll: &FeedPoll, now: DateTime<Utc>) -> Result<()> {
        let now = now.timestamp_millis();
        self.conn
            .execute(
                "UPDATE feeds SET url = ?2, etag = coalesce(?3, etag), last_modified = coalesce(?4, last_modified), \
                 last_poll_ms = ?5, \
                 last_success_ms = CASE WHEN ?6 THEN ?5 ELSE last_success_ms END, \
                 last_new_entry_ms = CASE WHEN ?7 > 0 THEN ?5 ELSE last_new_entry_ms END, \
                 last_error = ?8, failures = CASE WHEN ?6 THEN 0 ELSE failures + 1 END, not_before_ms = ?9, \
                 entries_seen = entries_seen + ?7, gone = ?10 WHERE name = ?1",
                params![
                    name,
                    poll.url,
                    poll.etag,
                    poll.last_modified,
                    now,
                    poll.success,
                    poll.new_entries as i64,
                    poll.error,
                    poll.not_before.map(|t| t.timestamp_millis()),
                    poll.gone
                ],
            )
            .map(drop)
            .map_err(db_err(&self.path))
    }

    /// Whether the feed's entry `key` was seen before.
    pub fn entry_seen(&self, feed: &str, key: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM feed_entries WHERE feed = ?1 AND key = ?2")
            .and_then(|mut s| s.exists(params![feed, key]))
            .map_err(db_err(&self.path))
    }

    pub fn add_entry(&mut self, feed: &str, key: &str, article: Option<i64>, now: DateTime<Utc>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO feed_entries (feed, key, article_id, seen_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )
            .and_then(|mut s| s.execute(params![feed, key, article, now.timestamp_millis()]))
            .map(drop)
            .map_err(db_err(&self.path))
    }

    /// Marks the feed stale (or recovered) and writes the notice about it to `targets`,
    /// in one transaction: the notice goes out once.
    pub fn set_stale(
        &mut self,
        name: &str,
        stale: bool,
        fact: &Fact,
        targets: &[crate::model::Target],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        (|| -> db::Result<()> {
            tx.execute("UPDATE feeds SET stale = ?2 WHERE name = ?1", params![name, stale])?;
            super::outbox::add_notice(&tx, targets, &[fact], now.timestamp_millis())
        })()
        .map_err(db_err(&path))?;
        tx.commit().map_err(db_err(&path))
    }
}
