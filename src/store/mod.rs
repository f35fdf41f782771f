//! The ledger: one SQLite file holding deadlines, their revisions and sources, and the
//! alert outbox. Owns the schema and its migrations; knows nothing of routing or timers.
//!
//! The daemon holds the only writable [`Store`]; the CLI's read commands open the same
//! file read-only, which WAL allows while the daemon runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::OpenFlags;

use db::{Connection, OptionalExtension, Row, Transaction, params};

use crate::model::{Deadline, DeadlineStatus, DeclaredDeadline, Official, Revision, Tracking};

mod changes;
pub mod db;
mod feeds;
mod merge;
mod outbox;
pub use changes::{Change, ChangeKind};
pub use feeds::{FeedPoll, FeedRow};
pub use merge::{ArticleIn, Evidence, Fact, IngestReport, MentionIn, Policy};
pub use outbox::{Claimed, Instance, Outcome, Settle, Stale, Unsettled};

/// The file name of the ledger inside the state directory.
pub const LEDGER_FILE: &str = "ledger.sqlite3";

/// Each entry upgrades the schema by one version; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_ledger.sql"),
    include_str!("migrations/0002_delivery.sql"),
    include_str!("migrations/0003_digests.sql"),
    include_str!("migrations/0004_articles.sql"),
    include_str!("migrations/0005_feeds.sql"),
    include_str!("migrations/0006_outbox.sql"),
    include_str!("migrations/0007_outbox_listing.sql"),
    include_str!("migrations/0008_claims.sql"),
    include_str!("migrations/0009_ready.sql"),
    include_str!("migrations/0010_official.sql"),
    include_str!("migrations/0011_catch_up_mark.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("ledger {path}: {source}")]
    Db { path: PathBuf, source: db::Error },
    #[error(
        "ledger {path} has schema version {found}, newer than this sanctiond understands ({known}); upgrade sanctiond"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error(
        "ledger {path} has schema version {found}, but this sanctiond expects {known}: start the daemon once to migrate it"
    )]
    NotMigrated { path: PathBuf, found: i64, known: i64 },
    #[error("no ledger at {0}: start the daemon (sanctiond run) to create it")]
    Missing(PathBuf),
    /// The file is there but is not a ledger: truncated, overwritten, or another file.
    #[error(
        "ledger {path} is damaged ({what}): restore it from a backup; move it away only if a new, empty ledger is what you want (its history would be lost)"
    )]
    Damaged { path: PathBuf, what: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A talk as a deadline's listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalkBrief {
    pub id: i64,
    pub status: String,
    pub date: Option<String>,
    pub participants: Vec<String>,
    pub tone: Vec<String>,
}

/// What the news says of a deadline next to its official date.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reports {
    /// A news report backs it: with an official date, it is confirmed.
    pub news: bool,
    /// Reports that give another day than the official one: their source and due time.
    pub contradicted: Vec<(String, DateTime<Utc>)>,
}

/// What syncing the declared deadlines changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub added: Vec<String>,
    /// Their `due` changed: a new revision, whose alerts replace the old ones.
    pub moved: Vec<String>,
    /// Tags or lead times changed, so their alerts may change.
    pub replanned: Vec<String>,
    /// Back in the config after having been removed.
    pub restored: Vec<String>,
    pub withdrawn: Vec<String>,
}

impl SyncReport {
    /// The deadlines whose alerts must be planned again.
    pub fn to_plan(&self) -> impl Iterator<Item = &String> {
        self.added.iter().chain(&self.moved).chain(&self.replanned).chain(&self.restored).chain(&self.withdrawn)
    }
}

/// Counts of outbox rows touched by planning.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PlanCounts {
    pub planned: usize,
    pub cancelled: usize,
}

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The file, or the PostgreSQL address without its password: what errors name.
    path: PathBuf,
    /// This daemon, when it shares the ledger with others: the rows it claims carry its
    /// name and a lease.
    owner: Option<Owner>,
}

/// A daemon sharing the ledger, as its claims name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: String,
    pub lease: chrono::Duration,
}

/// Where the ledger lives: an SQLite file (the default) or a PostgreSQL database.
#[derive(Clone)]
pub enum Location {
    File(PathBuf),
    Postgres(Box<PgTarget>),
}

/// A PostgreSQL database to connect to, with what errors and logs may show of it.
#[derive(Clone)]
pub struct PgTarget {
    pub config: postgres::Config,
    /// Plain or TLS (`sslmode` in the URL, `[store] ca_file`).
    pub connector: db::Connector,
    /// `postgres://user@host:port/db`, never the password.
    pub label: String,
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

impl Location {
    /// The file path, or the database address without its password.
    pub fn label(&self) -> String {
        match self {
            Location::File(p) => p.display().to_string(),
            Location::Postgres(t) => t.label.clone(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Location::Postgres(_))
    }
}

/// Serialises migrations between daemons starting at once on one PostgreSQL database.
const PG_MIGRATION_LOCK: i64 = 0x5341_4e43_5449_4f4e; // "SANCTION"

impl Store {
    /// Opens the ledger wherever it lives, creating and migrating it as needed.
    pub fn open_at(location: &Location) -> Result<Store> {
        match location {
            Location::File(path) => Store::open(path),
            Location::Postgres(target) => Store::connect(target, false),
        }
    }

    /// Opens an existing ledger for reading only.
    pub fn open_read_only_at(location: &Location) -> Result<Store> {
        match location {
            Location::File(path) => Store::open_read_only(path),
            Location::Postgres(target) => Store::connect(target, true),
        }
    }

    /// Connects to a PostgreSQL ledger: for writing, the schema is created or migrated first
    /// (one daemon at a time, under an advisory lock); for reading, it must be current.
    fn connect(target: &PgTarget, read_only: bool) -> Result<Store> {
        let label = PathBuf::from(&target.label);
        let mut config = target.config.clone();
        config.application_name("sanctiond");
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let client =
            target.connector.connect(&config).map_err(|e| StoreError::Db { path: label.clone(), source: e.into() })?;
        let connection = Connection::postgres(client, config, target.connector.clone());
        if read_only {
            // Set once connected, not as a startup option: `target_session_attrs=read-write`
            // would find every server read-only and take none.
            connection.set_session("SET default_transaction_read_only = on").map_err(db_err(&label))?;
        }
        let mut store = Store { conn: connection, path: label, owner: None };
        if !read_only {
            store.migrate().map_err(db_err(&store.path.clone()))?;
        }
        store.check_version()?;
        Ok(store)
    }

    /// Opens (creating if needed) the ledger for writing and applies pending migrations.
    /// Only a missing file starts a new ledger: an empty or foreign one is refused.
    pub fn open(path: &Path) -> Result<Store> {
        check_existing(path)?;
        if !path.exists() {
            create(path)?;
        }
        let conn = rusqlite::Connection::open(path).map_err(|e| damaged_or(path, e.into()))?;
        let mut store = Store { conn: Connection::sqlite(conn), path: path.to_owned(), owner: None };
        store.configure().map_err(|e| damaged_or(path, e))?;
        store.migrate().map_err(|e| damaged_or(path, e))?;
        store.check_version()?;
        Ok(store)
    }

    /// A ledger in memory, for `sanctiond replay`: nothing on disk, gone when dropped.
    pub fn scratch() -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let conn = rusqlite::Connection::open_in_memory().map_err(|e| damaged_or(&path, e.into()))?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.execute_batch("PRAGMA foreign_keys = ON;").map_err(|e| damaged_or(&path, e.into()))?;
        let mut store = Store { conn: Connection::sqlite(conn), path, owner: None };
        store.migrate().map_err(db_err(&store.path.clone()))?;
        Ok(store)
    }

    /// SQLite's integrity check over the whole file: `ok`, or what is wrong. PostgreSQL
    /// checks its own pages; there it is always `ok`.
    pub fn integrity(&self) -> Result<Vec<String>> {
        if self.conn.is_postgres() {
            return Ok(vec!["ok".to_owned()]);
        }
        let mut stmt = self.conn.prepare("PRAGMA integrity_check").map_err(|e| damaged_or(&self.path, e))?;
        let rows = stmt.query_map((), |r| r.get(0)).map_err(|e| damaged_or(&self.path, e))?;
        rows.collect::<db::Result<_>>().map_err(|e| damaged_or(&self.path, e))
    }

    /// Opens an existing ledger for reading only, alongside a running daemon.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        check_existing(path)?;
        let sqlite = |e: rusqlite::Error| damaged_or(path, e.into());
        let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(sqlite)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(sqlite)?;
        conn.set_prepared_statement_cache_capacity(64);
        let store = Store { conn: Connection::sqlite(conn), path: path.to_owned(), owner: None };
        store.check_version()?;
        Ok(store)
    }

    /// The ledger file, or the PostgreSQL address (without password) as a path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_postgres(&self) -> bool {
        self.conn.is_postgres()
    }

    fn configure(&self) -> db::Result<()> {
        let Some(conn) = self.conn.as_sqlite() else { return Ok(()) };
        conn.busy_timeout(Duration::from_secs(5))?;
        // Every statement of the delivery path stays prepared (rusqlite keeps 16 by default).
        conn.set_prepared_statement_cache_capacity(64);
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        debug_assert_eq!(mode, "wal");
        // NORMAL with WAL keeps every committed transaction across a crash of the process;
        // only a power cut can lose the last ones.
        Ok(conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?)
    }

    fn version(&self) -> db::Result<i64> {
        schema_version(&self.conn)
    }

    fn migrate(&mut self) -> db::Result<()> {
        let known = MIGRATIONS.len() as i64;
        let postgres = self.conn.is_postgres();
        if !postgres && self.version()? >= known {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        if postgres {
            tx.query_row("SELECT pg_advisory_xact_lock(?1)", [PG_MIGRATION_LOCK], |_| Ok(()))?;
            tx.execute_batch("CREATE TABLE IF NOT EXISTS sanctiond_schema (version BIGINT NOT NULL)")?;
        }
        let version = schema_version(&tx)?;
        if version >= known {
            return tx.commit();
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
            tx.execute_batch(sql)?;
            let next = i as i64 + 1;
            match tx.as_sqlite() {
                Some(conn) => conn.pragma_update(None, "user_version", next)?,
                None => {
                    tx.execute("DELETE FROM sanctiond_schema", ())?;
                    tx.execute("INSERT INTO sanctiond_schema (version) VALUES (?1)", [next])?;
                }
            }
        }
        tx.commit()
    }

    fn check_version(&self) -> Result<()> {
        let found = self.version().map_err(|e| damaged_or(&self.path, e))?;
        let known = MIGRATIONS.len() as i64;
        if found == 0 && self.conn.is_postgres() {
            // An empty database: no daemon has created the ledger in it yet.
            return Err(StoreError::Missing(self.path.clone()));
        }
        match found.cmp(&known) {
            std::cmp::Ordering::Greater => Err(StoreError::TooNew { path: self.path.clone(), found, known }),
            std::cmp::Ordering::Less => Err(StoreError::NotMigrated { path: self.path.clone(), found, known }),
            std::cmp::Ordering::Equal => Ok(()),
        }
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(db_err(&self.path))
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(drop)
            .map_err(db_err(&self.path))
    }

    /// Makes the config-declared deadlines in the ledger match `declared`: new ones are
    /// added, a changed `due` becomes a new revision, and ones no longer declared are
    /// withdrawn (kept, with their history).
    pub fn sync_declared(
        &mut self,
        declared: &[DeclaredDeadline],
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<SyncReport> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.lock_ledger().map_err(db_err(&path))?;
        let report = sync_declared_in(&tx, declared, source, now.timestamp_millis()).map_err(db_err(&path))?;
        if report.to_plan().next().is_some() {
            tx.notify_changed().map_err(db_err(&path))?;
        }
        tx.commit().map_err(db_err(&path))?;
        Ok(report)
    }

    pub fn deadline(&self, id: &str) -> Result<Option<Deadline>> {
        let sql = format!("{DEADLINE_SELECT} WHERE d.id = ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([id], deadline_from_row).optional())
            .map_err(db_err(&self.path))
    }

    /// Each of `ids` that is in the ledger, in one query.
    pub fn deadlines_of(&self, ids: &[&str]) -> Result<HashMap<String, Deadline>> {
        let sql = format!("{DEADLINE_SELECT} WHERE d.id IN (SELECT value FROM json_each(?1))");
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db_err(&self.path))?;
        let rows = stmt.query_map([list], deadline_from_row).map_err(db_err(&self.path))?;
        rows.map(|d| d.map(|d| (d.id.clone(), d))).collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// Every deadline, soonest first.
    pub fn deadlines(&self) -> Result<Vec<Deadline>> {
        let sql = format!("{DEADLINE_SELECT} ORDER BY d.due_ms, d.id");
        let mut stmt = self.conn.prepare(&sql).map_err(db_err(&self.path))?;
        let rows = stmt.query_map((), deadline_from_row).map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// One page of deadlines in (due, id) order after `from`, optionally only those in one
    /// tracking state or with one tag: what the API and the status page list.
    pub fn deadlines_page(
        &self,
        tracking: Option<Tracking>,
        tag: Option<&str>,
        from: Option<(DateTime<Utc>, &str)>,
        limit: usize,
    ) -> Result<Vec<Deadline>> {
        let sql = format!(
            "{DEADLINE_SELECT} WHERE (CAST(?1 AS TEXT) IS NULL OR d.tracking = ?1) \
             AND (CAST(?2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM json_each(d.tags) WHERE value = ?2)) \
             AND (d.due_ms, d.id) > (?3, ?4) ORDER BY d.due_ms, d.id LIMIT ?5"
        );
        let (from_ms, from_id) = from.map_or((i64::MIN, ""), |(t, id)| (t.timestamp_millis(), id));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db_err(&self.path))?;
        let rows = stmt
            .query_map(params![tracking.map(Tracking::as_str), tag, from_ms, from_id, limit], deadline_from_row)
            .map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// The revisions of each of `ids`, in one query: what a page of deadlines shows.
    pub fn revisions_of(&self, ids: &[&str]) -> Result<HashMap<String, Vec<Revision>>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT deadline_id, revision, due_ms, recorded_ms, source FROM revisions \
                 WHERE deadline_id IN (SELECT value FROM json_each(?1)) ORDER BY deadline_id, revision",
            )
            .map_err(db_err(&self.path))?;
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let mut out: HashMap<String, Vec<Revision>> = HashMap::new();
        let rows = stmt
            .query_map([list], |r| {
                Ok((
                    r.get::<String>(0)?,
                    Revision {
                        revision: r.get(1)?,
                        due: from_ms(r.get(2)?),
                        recorded: from_ms(r.get(3)?),
                        source: r.get(4)?,
                    },
                ))
            })
            .map_err(db_err(&self.path))?;
        for row in rows {
            let (id, revision) = row.map_err(db_err(&self.path))?;
            out.entry(id).or_default().push(revision);
        }
        Ok(out)
    }

    /// The talks linked to each of `ids`, latest first, in one query: id, status, day,
    /// participants and tone, as a deadline's JSON lists them.
    pub fn talk_briefs_of(&self, ids: &[&str]) -> Result<HashMap<String, Vec<TalkBrief>>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT td.deadline_id, t.id, t.status, t.day, t.participants, t.tone FROM talk_deadlines td \
                 JOIN talks t ON t.id = td.talk_id WHERE td.deadline_id IN (SELECT value FROM json_each(?1)) \
                 ORDER BY td.deadline_id, coalesce(t.day, strftime('%Y-%m-%d', t.first_seen_ms / 1000, 'unixepoch')) DESC, t.id DESC",
            )
            .map_err(db_err(&self.path))?;
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let mut out: HashMap<String, Vec<TalkBrief>> = HashMap::new();
        let rows = stmt
            .query_map([list], |r| {
                Ok((
                    r.get::<String>(0)?,
                    TalkBrief {
                        id: r.get(1)?,
                        status: r.get(2)?,
                        date: r.get(3)?,
                        participants: from_json(&r.get::<String>(4)?),
                        tone: from_json(&r.get::<String>(5)?),
                    },
                ))
            })
            .map_err(db_err(&self.path))?;
        for row in rows {
            let (id, brief) = row.map_err(db_err(&self.path))?;
            out.entry(id).or_default().push(brief);
        }
        Ok(out)
    }

    /// How many deadlines there are in each tracking state and status.
    pub fn deadline_counts(&self) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT tracking, status, count(*) FROM deadlines GROUP BY tracking, status")
            .map_err(db_err(&self.path))?;
        let rows = stmt.query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// The ledger's size in bytes (its pages; the WAL aside).
    pub fn size(&self) -> Result<i64> {
        self.conn
            .query_row(
                if self.conn.is_postgres() {
                    "SELECT CAST(pg_database_size(current_database()) AS BIGINT)"
                } else {
                    "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
                },
                (),
                |r| r.get(0),
            )
            .map_err(db_err(&self.path))
    }

    /// Ids of all active deadlines due after `after`.
    pub fn active_deadline_ids(&self, after: DateTime<Utc>) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM deadlines WHERE status = 'active' AND tracking = 'tracked' AND due_ms > ?1 ORDER BY due_ms")
            .map_err(db_err(&self.path))?;
        let rows = stmt.query_map([after.timestamp_millis()], |r| r.get(0)).map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    pub fn revisions(&self, id: &str) -> Result<Vec<Revision>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT revision, due_ms, recorded_ms, source FROM revisions WHERE deadline_id = ?1 ORDER BY revision",
            )
            .map_err(db_err(&self.path))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(Revision {
                    revision: r.get(0)?,
                    due: from_ms(r.get(1)?),
                    recorded: from_ms(r.get(2)?),
                    source: r.get(3)?,
                })
            })
            .map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// For each deadline: whether a news report (an article from no official source) backs
    /// it, and the reports that give another day than its official date (source, due).
    pub fn reports_of(&self, ids: &[&str]) -> Result<HashMap<String, Reports>> {
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let mut out: HashMap<String, Reports> = HashMap::new();
        let run = |out: &mut HashMap<String, Reports>| -> db::Result<()> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT DISTINCT s.deadline_id FROM sources s JOIN articles a ON a.id = s.article_id \
                 WHERE a.official IS NULL AND s.deadline_id IN (SELECT value FROM json_each(?1))",
            )?;
            for id in stmt.query_map([&list], |r| r.get::<String>(0))? {
                out.entry(id?).or_default().news = true;
            }
            let mut stmt = self.conn.prepare_cached(
                "SELECT m.deadline_id, a.source, a.title, a.origin, m.due_ms FROM mentions m \
                 JOIN articles a ON a.id = m.article_id \
                 WHERE m.contradicts = 1 AND m.due_ms IS NOT NULL AND m.deadline_id IN (SELECT value FROM json_each(?1)) \
                 ORDER BY m.id",
            )?;
            let rows = stmt.query_map([&list], |r| {
                let label = match (r.get::<Option<String>>(1)?, r.get::<Option<String>>(2)?) {
                    (Some(s), Some(t)) => format!("{s}: {t}"),
                    (Some(s), None) => s,
                    (None, Some(t)) => t,
                    (None, None) => r.get::<String>(3)?,
                };
                Ok((r.get::<String>(0)?, label, from_ms(r.get(4)?)))
            })?;
            for row in rows {
                let (id, label, due) = row?;
                out.entry(id).or_default().contradicted.push((label, due));
            }
            Ok(())
        };
        run(&mut out).map_err(db_err(&self.path))?;
        Ok(out)
    }

    /// One revision of a deadline, with the origin (path or URL) of the article that
    /// brought it, when an article did.
    pub fn revision(&self, id: &str, revision: i64) -> Result<Option<(Revision, Option<String>)>> {
        self.conn
            .prepare_cached(
                "SELECT r.revision, r.due_ms, r.recorded_ms, r.source, a.origin FROM revisions r \
                 LEFT JOIN articles a ON a.id = r.article_id WHERE r.deadline_id = ?1 AND r.revision = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![id, revision], |r| {
                    let found = Revision {
                        revision: r.get(0)?,
                        due: from_ms(r.get(1)?),
                        recorded: from_ms(r.get(2)?),
                        source: r.get(3)?,
                    };
                    Ok((found, r.get(4)?))
                })
                .optional()
            })
            .map_err(db_err(&self.path))
    }

    /// Gives direct access for bulk loads in benchmarks and tests.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Creates a new ledger beside `path` and renames it into place once its schema is
/// written, so a crash during the very first start never leaves an empty file that the
/// next start would have to refuse as damaged.
/// The schema version: SQLite's `user_version`; on PostgreSQL, a one-row table.
fn schema_version(conn: &Connection) -> db::Result<i64> {
    match conn.as_sqlite() {
        Some(conn) => Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?),
        None => {
            let exists: bool =
                conn.query_row("SELECT to_regclass('sanctiond_schema') IS NOT NULL", (), |r| r.get(0))?;
            if !exists {
                return Ok(0);
            }
            conn.query_row("SELECT coalesce(max(version), 0) FROM sanctiond_schema", (), |r| r.get(0))
        }
    }
}

fn create(path: &Path) -> Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".new");
    let fresh = path.with_file_name(name);
    for leftover in ["", "-wal", "-shm"] {
        let mut p = fresh.clone().into_os_string();
        p.push(leftover);
        let _ = std::fs::remove_file(p);
    }
    {
        let conn = rusqlite::Connection::open(&fresh).map_err(|e| damaged_or(&fresh, e.into()))?;
        let mut store = Store { conn: Connection::sqlite(conn), path: fresh.clone(), owner: None };
        store.configure().and_then(|()| store.migrate()).map_err(db_err(&fresh))?;
        // Closing the last connection checkpoints the WAL into the file.
    }
    std::fs::rename(&fresh, path).map_err(|e| StoreError::Damaged {
        path: path.to_owned(),
        what: format!("cannot put the new ledger in place: {e}"),
    })
}

/// SQLite writes its 16-byte magic string first; a ledger shorter than a page or without it
/// was truncated or overwritten. Also refuses a file that is not a regular file.
fn check_existing(path: &Path) -> Result<()> {
    use std::io::Read as _;
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::Damaged { path: path.to_owned(), what: format!("cannot look at it: {e}") }),
        Ok(meta) => meta,
    };
    let damaged = |what: &str| Err(StoreError::Damaged { path: path.to_owned(), what: what.to_owned() });
    if !meta.file_type().is_file() {
        return damaged("it is not a regular file");
    }
    if meta.len() == 0 {
        return damaged("it is empty: truncated to zero bytes");
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => damaged("it is shorter than an SQLite header"),
        Err(e) => Err(StoreError::Damaged { path: path.to_owned(), what: format!("cannot read it: {e}") }),
        Ok(()) if &head != b"SQLite format 3\0" => damaged("it does not start with the SQLite header: overwritten?"),
        Ok(()) => Ok(()),
    }
}

/// A "not a database" or "malformed" error means the file is damaged; others stay SQLite's.
fn damaged_or(path: &Path, e: db::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Damaged { path: path.to_owned(), what: e.to_string() }
        }
        _ => StoreError::Db { path: path.to_owned(), source: e },
    }
}

fn db_err(path: &Path) -> impl Fn(db::Error) -> StoreError + '_ {
    move |source| StoreError::Db { path: path.to_owned(), source }
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn to_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

fn from_json(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

const DEADLINE_SELECT: &str = "SELECT d.id, d.title, d.due_ms, d.status, d.tags, d.lead_times, d.revision, \
     (SELECT json_group_array(source) FROM (SELECT source FROM sources s WHERE s.deadline_id = d.id ORDER BY first_seen_ms, source) AS ordered), \
     d.tracking, d.official, d.document FROM deadlines d";

fn deadline_from_row(r: &Row<'_>) -> db::Result<Deadline> {
    let status: String = r.get(3)?;
    let leads: Option<String> = r.get(5)?;
    Ok(Deadline {
        id: r.get(0)?,
        title: r.get(1)?,
        due: from_ms(r.get(2)?),
        status: DeadlineStatus::parse(&status).unwrap_or(DeadlineStatus::Active),
        tags: from_json(&r.get::<String>(4)?),
        lead_times: leads.as_deref().map(from_json),
        revision: r.get(6)?,
        sources: from_json(&r.get::<String>(7)?),
        tracking: Tracking::parse(&r.get::<String>(8)?).unwrap_or(Tracking::Tracked),
        official: match (r.get::<Option<String>>(9)?, r.get::<Option<String>>(10)?) {
            (Some(source), document) => Some(Official { source, document: document.unwrap_or_default() }),
            (None, _) => None,
        },
    })
}

struct Stored {
    due_ms: i64,
    /// The due the config last gave; an article may have moved `due_ms` since.
    config_due_ms: Option<i64>,
    status: String,
    tags: String,
    lead_times: Option<String>,
    revision: i64,
}

fn sync_declared_in(
    tx: &Transaction<'_>,
    declared: &[DeclaredDeadline],
    source: &str,
    now: i64,
) -> db::Result<SyncReport> {
    let mut report = SyncReport::default();
    let mut stored: HashMap<String, Stored> = HashMap::new();
    {
        // Declared earlier (index on origin), or known from elsewhere under a declared id.
        let mut stmt = tx.prepare(
            "SELECT id, due_ms, status, tags, lead_times, revision, config_due_ms FROM deadlines WHERE origin = 'config' \
             UNION SELECT id, due_ms, status, tags, lead_times, revision, config_due_ms FROM deadlines \
             WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let ids: Vec<&str> = declared.iter().map(|d| d.id.as_str()).collect();
        let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned());
        let rows = stmt.query_map([ids], |r| {
            Ok((
                r.get::<String>(0)?,
                Stored {
                    due_ms: r.get(1)?,
                    status: r.get(2)?,
                    tags: r.get(3)?,
                    lead_times: r.get(4)?,
                    revision: r.get(5)?,
                    config_due_ms: r.get(6)?,
                },
            ))
        })?;
        for row in rows {
            let (id, s) = row?;
            stored.insert(id, s);
        }
    }
    let mut add_source = tx.prepare_cached(
        "INSERT INTO sources (deadline_id, source, first_seen_ms) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    let mut add_revision = tx.prepare_cached(
        "INSERT INTO revisions (deadline_id, revision, due_ms, recorded_ms, source) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for d in declared {
        let due_ms = d.due.timestamp_millis();
        let tags = to_json(&d.tags);
        let leads: Option<Vec<String>> =
            d.lead_times.as_ref().map(|l| l.iter().map(|x| x.as_str().to_owned()).collect());
        let leads = leads.as_deref().map(to_json);
        let matches = to_json(&d.match_phrases);
        match stored.remove(&d.id) {
            None => {
                tx.execute(
                    "INSERT INTO deadlines (id, title, due_ms, status, origin, tags, lead_times, match_phrases, revision, \
                     created_ms, updated_ms, config_due_ms, subject) \
                     VALUES (?1, ?2, ?3, 'active', 'config', ?4, ?5, ?6, 1, ?7, ?7, ?3, ?8)",
                    params![d.id, d.title, due_ms, tags, leads, matches, now, subject_of_declared(d)],
                )?;
                add_revision.execute(params![d.id, 1, due_ms, now, source])?;
                report.added.push(d.id.clone());
            }
            Some(old) => {
                let mut revision = old.revision;
                // The config moved it when its own due changed; a due an article gave since stays.
                let mut new_due = old.due_ms;
                if old.config_due_ms.unwrap_or(old.due_ms) != due_ms && old.due_ms != due_ms {
                    new_due = due_ms;
                    revision += 1;
                    add_revision.execute(params![d.id, revision, due_ms, now, source])?;
                    report.moved.push(d.id.clone());
                } else if old.status != DeadlineStatus::Active.as_str() {
                    report.restored.push(d.id.clone());
                } else if old.tags != tags || old.lead_times != leads {
                    report.replanned.push(d.id.clone());
                }
                tx.execute(
                    "UPDATE deadlines SET title = ?2, due_ms = ?3, status = 'active', origin = 'config', tags = ?4, \
                     lead_times = ?5, match_phrases = ?6, revision = ?7, updated_ms = ?8, config_due_ms = ?9, \
                     tracking = 'tracked', subject = ?10 WHERE id = ?1",
                    params![
                        d.id,
                        d.title,
                        new_due,
                        tags,
                        leads,
                        matches,
                        revision,
                        now,
                        due_ms,
                        subject_of_declared(d)
                    ],
                )?;
            }
        }
        add_source.execute(params![d.id, source, now])?;
    }
    for (id, old) in stored {
        if old.status == DeadlineStatus::Active.as_str() {
            tx.execute("UPDATE deadlines SET status = 'withdrawn', updated_ms = ?2 WHERE id = ?1", params![id, now])?;
            report.withdrawn.push(id);
        }
    }
    report.withdrawn.sort();
    Ok(report)
}

/// A declared deadline is about the words of its title and its `match` phrases.
fn subject_of_declared(d: &DeclaredDeadline) -> String {
    crate::model::subject_of(&format!("{} {}", d.title, d.match_phrases.join(" ")))
}

impl Store {
    /// Active deadlines with this `tracking` due in `(from, to]`, soonest first.
    pub fn deadlines_due_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tracking: Tracking,
    ) -> Result<Vec<Deadline>> {
        let sql = format!(
            "{DEADLINE_SELECT} WHERE d.status = 'active' AND d.tracking = ?3 AND d.due_ms > ?1 AND d.due_ms <= ?2 ORDER BY d.due_ms, d.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db_err(&self.path))?;
        let rows = stmt
            .query_map(params![from.timestamp_millis(), to.timestamp_millis(), tracking.as_str()], deadline_from_row)
            .map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }
}
