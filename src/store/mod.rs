//! The ledger: one SQLite file holding deadlines, their revisions and sources, and the
//! alert outbox. Owns the schema and its migrations; knows nothing of routing or timers.
//!
//! The daemon holds the only writable [`Store`]; the CLI's read commands open the same
//! file read-only, which WAL allows while the daemon runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, Transaction, params};

use crate::config::DeclaredDeadline;
use crate::model::{Alert, AlertKey, AlertState, Deadline, DeadlineStatus, PlannedAlert, Revision, Tracking};

mod feeds;
mod merge;
pub use feeds::{FeedPoll, FeedRow};
pub use merge::{ArticleIn, Fact, IngestReport, MentionIn, Notice, Policy};

/// The file name of the ledger inside the state directory.
pub const LEDGER_FILE: &str = "ledger.sqlite3";

/// Each entry upgrades the schema by one version; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_ledger.sql"),
    include_str!("migrations/0002_delivery.sql"),
    include_str!("migrations/0003_digests.sql"),
    include_str!("migrations/0004_articles.sql"),
    include_str!("migrations/0005_feeds.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("ledger {path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
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
}

pub type Result<T> = std::result::Result<T, StoreError>;

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

/// An alert that is due, with what its receiver needs to know of the deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct DueAlert {
    pub alert: Alert,
    pub title: String,
    pub due: DateTime<Utc>,
    pub tags: Vec<String>,
    /// When the first delivery attempt was made, if one failed already.
    pub first_attempt: Option<DateTime<Utc>>,
    /// Per recipient of an email receiver: "sent" or "refused: <reply>".
    pub recipients: Recipients,
}

/// What each recipient address got, kept across retries so nobody gets a message twice.
pub type Recipients = std::collections::BTreeMap<String, String>;

/// The result of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// Worth trying again later (connection, TLS, 4xx, authentication).
    Retry(String),
    /// Final: a 5xx reply or a refused recipient.
    Failed(String),
}

/// One attempt's outcome, as the scheduler records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent { recipients: Recipients },
    RetryAt { at: DateTime<Utc>, error: String, recipients: Recipients },
    Failed { error: String, recipients: Recipients },
}

/// One run of a digest for one receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRun {
    pub id: i64,
    pub name: String,
    pub planned: DateTime<Utc>,
    pub receiver: String,
    pub late: bool,
    pub attempts: i64,
    pub first_attempt: Option<DateTime<Utc>>,
    pub recipients: Recipients,
}

/// How the planner settled a due alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Hand it to its receiver; `late` when it goes out after its time.
    Send { late: bool },
    /// Drop it under the catch-up policy.
    Skip,
}

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the ledger for writing and applies pending migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(sqlite(path))?;
        let mut store = Store { conn, path: path.to_owned() };
        store.configure().and_then(|()| store.migrate()).map_err(sqlite(path))?;
        store.check_version()?;
        Ok(store)
    }

    /// Opens an existing ledger for reading only, alongside a running daemon.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite(path))?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(sqlite(path))?;
        let store = Store { conn, path: path.to_owned() };
        store.check_version()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(Duration::from_secs(5))?;
        let mode: String = self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        debug_assert_eq!(mode, "wal");
        // NORMAL with WAL keeps every committed transaction across a crash of the process;
        // only a power cut can lose the last ones.
        self.conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
    }

    fn migrate(&mut self) -> rusqlite::Result<()> {
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version >= known {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.commit()
    }

    fn check_version(&self) -> Result<()> {
        let found: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sqlite(&self.path))?;
        let known = MIGRATIONS.len() as i64;
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
            .map_err(sqlite(&self.path))
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(drop)
            .map_err(sqlite(&self.path))
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
        let tx = self.conn.transaction().map_err(sqlite(&path))?;
        let report = sync_declared_in(&tx, declared, source, now.timestamp_millis()).map_err(sqlite(&path))?;
        tx.commit().map_err(sqlite(&path))?;
        Ok(report)
    }

    pub fn deadline(&self, id: &str) -> Result<Option<Deadline>> {
        let sql = format!("{DEADLINE_SELECT} WHERE d.id = ?1");
        self.conn.query_row(&sql, [id], deadline_from_row).optional().map_err(sqlite(&self.path))
    }

    /// Every deadline, soonest first.
    pub fn deadlines(&self) -> Result<Vec<Deadline>> {
        let sql = format!("{DEADLINE_SELECT} ORDER BY d.due_ms, d.id");
        let mut stmt = self.conn.prepare(&sql).map_err(sqlite(&self.path))?;
        let rows = stmt.query_map([], deadline_from_row).map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }

    /// Ids of all active deadlines due after `after`.
    pub fn active_deadline_ids(&self, after: DateTime<Utc>) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM deadlines WHERE status = 'active' AND tracking = 'tracked' AND due_ms > ?1 ORDER BY due_ms")
            .map_err(sqlite(&self.path))?;
        let rows = stmt.query_map([after.timestamp_millis()], |r| r.get(0)).map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }

    pub fn revisions(&self, id: &str) -> Result<Vec<Revision>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT revision, due_ms, recorded_ms, source FROM revisions WHERE deadline_id = ?1 ORDER BY revision",
            )
            .map_err(sqlite(&self.path))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(Revision {
                    revision: r.get(0)?,
                    due: from_ms(r.get(1)?),
                    recorded: from_ms(r.get(2)?),
                    source: r.get(3)?,
                })
            })
            .map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }

    /// Brings the outbox rows of each deadline in line with the alerts the planner wants:
    /// missing ones are added as `pending`, unwanted pending ones are cancelled, and ones
    /// cancelled earlier come back if they are wanted again and still in the future.
    pub fn apply_plans<'a, I>(&mut self, plans: I, now: DateTime<Utc>) -> Result<PlanCounts>
    where
        I: IntoIterator<Item = (&'a Deadline, Vec<PlannedAlert>)>,
    {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sqlite(&path))?;
        let mut counts = PlanCounts::default();
        for (deadline, wanted) in plans {
            apply_plan_in(&tx, deadline, &wanted, now.timestamp_millis(), &mut counts).map_err(sqlite(&path))?;
        }
        tx.commit().map_err(sqlite(&path))?;
        Ok(counts)
    }

    /// The earliest planned time of any pending alert.
    pub fn next_planned(&self) -> Result<Option<DateTime<Utc>>> {
        let ms: Option<i64> = self
            .conn
            .prepare_cached("SELECT MIN(planned_ms) FROM outbox WHERE state = 'pending'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(sqlite(&self.path))?;
        Ok(ms.map(from_ms))
    }

    /// Pending alerts planned at or before `now`: every due alert of the deadlines of the
    /// `batch` earliest ones, so catch-up sees each deadline whole. The inner query walks
    /// the partial index on pending alerts, never the whole outbox.
    pub fn due_alerts(&self, now: DateTime<Utc>, batch: usize) -> Result<Vec<DueAlert>> {
        let sql = format!(
            "{DUE_SELECT} WHERE o.state = 'pending' AND o.planned_ms <= ?1 AND o.deadline_id IN \
             (SELECT deadline_id FROM outbox WHERE state = 'pending' AND planned_ms <= ?1 ORDER BY planned_ms LIMIT ?2) \
             ORDER BY o.deadline_id, o.planned_ms, o.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(sqlite(&self.path))?;
        let limit = i64::try_from(batch).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![now.timestamp_millis(), limit], due_from_row).map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }

    /// Alerts being delivered whose next attempt is due at `now`, oldest first. After a
    /// crash these include the ones that were on the wire.
    pub fn sending_alerts(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<DueAlert>> {
        let sql = format!(
            "{DUE_SELECT} WHERE o.state = 'sending' AND o.next_attempt_ms <= ?2 ORDER BY o.next_attempt_ms, o.id LIMIT ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(sqlite(&self.path))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![limit, now.timestamp_millis()], due_from_row).map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }

    /// When the timer must next wake: the earliest pending alert or retry.
    pub fn next_wake(&self) -> Result<Option<DateTime<Utc>>> {
        let retry: Option<i64> = self
            .conn
            .prepare_cached("SELECT MIN(next_attempt_ms) FROM outbox WHERE state = 'sending'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(sqlite(&self.path))?;
        let digest: Option<i64> = self
            .conn
            .prepare_cached("SELECT MIN(next_attempt_ms) FROM digest_runs WHERE state = 'pending'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(sqlite(&self.path))?;
        let notice: Option<i64> = self
            .conn
            .prepare_cached("SELECT MIN(next_attempt_ms) FROM notices WHERE state = 'pending'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(sqlite(&self.path))?;
        let planned = self.next_planned()?;
        Ok([planned, retry.map(from_ms), digest.map(from_ms), notice.map(from_ms)].into_iter().flatten().min())
    }

    /// The first alert of `deadline` to `receiver`, which later ones reply to so that a mail
    /// client threads them.
    pub fn thread_root(&self, deadline: &str, receiver: &str) -> Result<Option<AlertKey>> {
        self.conn
            .prepare_cached(
                "SELECT revision, lead_seconds FROM outbox WHERE deadline_id = ?1 AND receiver = ?2 \
                 AND state != 'cancelled' ORDER BY planned_ms, id LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([deadline, receiver], |r| {
                    Ok(AlertKey {
                        deadline: deadline.to_owned(),
                        revision: r.get(0)?,
                        lead_seconds: r.get(1)?,
                        receiver: receiver.to_owned(),
                    })
                })
                .optional()
            })
            .map_err(sqlite(&self.path))
    }

    /// Records the outcome of delivery attempts in one transaction.
    pub fn record(&mut self, outcomes: &[(i64, Outcome)], now: DateTime<Utc>) -> Result<()> {
        let path = self.path.clone();
        let now = now.timestamp_millis();
        let tx = self.conn.transaction().map_err(sqlite(&path))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE outbox SET state = ?2, attempts = attempts + 1, sent_ms = ?3, last_error = ?4, \
                     next_attempt_ms = ?5, first_attempt_ms = coalesce(first_attempt_ms, ?6), recipients = ?7 \
                     WHERE id = ?1 AND state = 'sending'",
                )
                .map_err(sqlite(&path))?;
            for (id, outcome) in outcomes {
                let (state, sent, error, next, recipients) = match outcome {
                    Outcome::Sent { recipients } => ("sent", Some(now), None, None, recipients),
                    Outcome::RetryAt { at, error, recipients } => {
                        ("sending", None, Some(error), Some(at.timestamp_millis()), recipients)
                    }
                    Outcome::Failed { error, recipients } => ("failed", None, Some(error), None, recipients),
                };
                let recipients = serde_json::to_string(recipients).unwrap_or_else(|_| "{}".to_owned());
                stmt.execute(params![id, state, sent, error, next, now, recipients]).map_err(sqlite(&path))?;
            }
        }
        tx.commit().map_err(sqlite(&path))
    }

    /// Records the planner's decision for due alerts in one transaction: `sending` (with
    /// the late flag) or `cancelled` by catch-up. Only rows still pending are touched.
    pub fn settle(&mut self, decisions: &[(i64, Settle)], now: DateTime<Utc>) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sqlite(&path))?;
        {
            let mut send = tx
                .prepare_cached("UPDATE outbox SET state = 'sending', late = ?2, next_attempt_ms = ?3 WHERE id = ?1 AND state = 'pending'")
                .map_err(sqlite(&path))?;
            let mut skip = tx
                .prepare_cached(
                    "UPDATE outbox SET state = 'cancelled', late = 1, cancel_reason = 'catch-up' \
                     WHERE id = ?1 AND state = 'pending'",
                )
                .map_err(sqlite(&path))?;
            for (id, decision) in decisions {
                match decision {
                    Settle::Send { late } => send.execute(params![id, late, now.timestamp_millis()]),
                    Settle::Skip => skip.execute([id]),
                }
                .map_err(sqlite(&path))?;
            }
        }
        tx.commit().map_err(sqlite(&path))
    }

    /// Outbox rows, in planned order, optionally for one deadline.
    pub fn alerts(&self, deadline: Option<&str>) -> Result<Vec<Alert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM outbox o WHERE ?1 IS NULL OR o.deadline_id = ?1 ORDER BY o.planned_ms, o.id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(sqlite(&self.path))?;
        let rows = stmt.query_map([deadline], alert_from_row).map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }

    /// Gives direct access for bulk loads in benchmarks and tests.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// The columns a digest run or notice gets from one attempt's outcome: state, sent time,
/// error, next attempt and the recipients' results.
fn outcome_columns(outcome: &Outcome, now: DateTime<Utc>) -> (&'static str, Option<i64>, Option<&str>, i64, String) {
    let now_ms = now.timestamp_millis();
    let (state, sent, error, next, recipients) = match outcome {
        Outcome::Sent { recipients } => ("sent", Some(now_ms), None, now_ms, recipients),
        Outcome::RetryAt { at, error, recipients } => {
            ("pending", None, Some(error.as_str()), at.timestamp_millis(), recipients)
        }
        Outcome::Failed { error, recipients } => ("failed", None, Some(error.as_str()), now_ms, recipients),
    };
    (state, sent, error, next, serde_json::to_string(recipients).unwrap_or_else(|_| "{}".to_owned()))
}

fn sqlite(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite { path: path.to_owned(), source }
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
     (SELECT json_group_array(source) FROM (SELECT source FROM sources s WHERE s.deadline_id = d.id ORDER BY first_seen_ms, source)), \
     d.tracking FROM deadlines d";

fn deadline_from_row(r: &Row<'_>) -> rusqlite::Result<Deadline> {
    let status: String = r.get(3)?;
    let leads: Option<String> = r.get(5)?;
    Ok(Deadline {
        id: r.get(0)?,
        title: r.get(1)?,
        due: from_ms(r.get(2)?),
        status: DeadlineStatus::parse(&status).unwrap_or(DeadlineStatus::Active),
        tags: from_json(&r.get::<_, String>(4)?),
        lead_times: leads.as_deref().map(from_json),
        revision: r.get(6)?,
        sources: from_json(&r.get::<_, String>(7)?),
        tracking: Tracking::parse(&r.get::<_, String>(8)?).unwrap_or(Tracking::Tracked),
    })
}

const ALERT_COLUMNS: &str = "o.id, o.deadline_id, o.revision, o.lead_seconds, o.receiver, o.lead, o.planned_ms, \
     o.sent_ms, o.state, o.attempts, o.late, o.last_error";

fn alert_from_row(r: &Row<'_>) -> rusqlite::Result<Alert> {
    let state: String = r.get(8)?;
    Ok(Alert {
        id: r.get(0)?,
        key: AlertKey { deadline: r.get(1)?, revision: r.get(2)?, lead_seconds: r.get(3)?, receiver: r.get(4)? },
        lead: r.get(5)?,
        planned: from_ms(r.get(6)?),
        sent: r.get::<_, Option<i64>>(7)?.map(from_ms),
        state: AlertState::parse(&state).unwrap_or(AlertState::Failed),
        attempts: r.get(9)?,
        late: r.get(10)?,
        last_error: r.get(11)?,
    })
}

const DUE_SELECT: &str = "SELECT o.id, o.deadline_id, o.revision, o.lead_seconds, o.receiver, o.lead, o.planned_ms, \
     o.sent_ms, o.state, o.attempts, o.late, o.last_error, d.title, d.due_ms, d.tags, o.first_attempt_ms, o.recipients \
     FROM outbox o JOIN deadlines d ON d.id = o.deadline_id";

fn due_from_row(r: &Row<'_>) -> rusqlite::Result<DueAlert> {
    Ok(DueAlert {
        alert: alert_from_row(r)?,
        title: r.get(12)?,
        due: from_ms(r.get(13)?),
        tags: from_json(&r.get::<_, String>(14)?),
        first_attempt: r.get::<_, Option<i64>>(15)?.map(from_ms),
        recipients: serde_json::from_str(&r.get::<_, String>(16)?).unwrap_or_default(),
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
) -> rusqlite::Result<SyncReport> {
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
                r.get::<_, String>(0)?,
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
    let mut add_source =
        tx.prepare_cached("INSERT OR IGNORE INTO sources (deadline_id, source, first_seen_ms) VALUES (?1, ?2, ?3)")?;
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

struct Existing {
    id: i64,
    revision: i64,
    state: String,
    planned_ms: i64,
    cancel_reason: Option<String>,
}

fn apply_plan_in(
    tx: &Transaction<'_>,
    deadline: &Deadline,
    wanted: &[PlannedAlert],
    now: i64,
    counts: &mut PlanCounts,
) -> rusqlite::Result<()> {
    let mut existing: HashMap<(i64, i64, String), Existing> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, revision, lead_seconds, receiver, state, planned_ms, cancel_reason FROM outbox WHERE deadline_id = ?1",
        )?;
        let rows = stmt.query_map([&deadline.id], |r| {
            Ok((
                (r.get(1)?, r.get(2)?, r.get(3)?),
                Existing {
                    id: r.get(0)?,
                    revision: r.get(1)?,
                    state: r.get(4)?,
                    planned_ms: r.get(5)?,
                    cancel_reason: r.get(6)?,
                },
            ))
        })?;
        for row in rows {
            let (key, row) = row?;
            existing.insert(key, row);
        }
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO outbox (deadline_id, revision, lead_seconds, receiver, lead, planned_ms, state) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE outbox SET state = 'pending', planned_ms = ?2, lead = ?3, cancel_reason = NULL WHERE id = ?1",
    )?;
    let mut cancel = tx.prepare_cached("UPDATE outbox SET state = 'cancelled', cancel_reason = ?2 WHERE id = ?1")?;
    for p in wanted {
        let key = (p.key.revision, p.key.lead_seconds, p.key.receiver.clone());
        let planned_ms = p.planned.timestamp_millis();
        match existing.remove(&key) {
            None => {
                insert.execute(params![
                    p.key.deadline,
                    p.key.revision,
                    p.key.lead_seconds,
                    p.key.receiver,
                    p.lead,
                    planned_ms
                ])?;
                counts.planned += 1;
            }
            Some(row) => {
                let revive =
                    row.state == "cancelled" && planned_ms > now && row.cancel_reason.as_deref() != Some("catch-up");
                let shifted = row.state == "pending" && row.planned_ms != planned_ms;
                if revive || shifted {
                    update.execute(params![row.id, planned_ms, p.lead])?;
                    counts.planned += usize::from(revive);
                }
            }
        }
    }
    for row in existing.into_values().filter(|r| r.state == "pending") {
        let reason = if deadline.status == DeadlineStatus::Withdrawn {
            "withdrawn"
        } else if deadline.tracking != Tracking::Tracked {
            "untracked"
        } else if row.revision != deadline.revision {
            "moved"
        } else if row.planned_ms > now {
            "replanned"
        } else {
            // Missed while nothing ran, and still about the current due time: catch-up decides.
            continue;
        };
        cancel.execute(params![row.id, reason])?;
        counts.cancelled += 1;
    }
    Ok(())
}

impl Store {
    /// One page of active deadlines due after `after`, in (due, id) order, starting past
    /// `from` (the last `(due, id)` of the previous page).
    pub fn active_deadlines_page(
        &self,
        after: DateTime<Utc>,
        from: Option<(DateTime<Utc>, &str)>,
        limit: usize,
    ) -> Result<Vec<Deadline>> {
        let sql = format!(
            "{DEADLINE_SELECT} WHERE d.status = 'active' AND d.tracking = 'tracked' AND d.due_ms > ?1 AND (d.due_ms, d.id) > (?2, ?3) \
             ORDER BY d.due_ms, d.id LIMIT ?4"
        );
        let (from_ms, from_id) = from.map_or((i64::MIN, ""), |(t, id)| (t.timestamp_millis(), id));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(sqlite(&self.path))?;
        let rows = stmt
            .query_map(params![after.timestamp_millis(), from_ms, from_id, limit], deadline_from_row)
            .map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }
}

impl Store {
    /// The last digest occurrence handled for `name` (or when counting started).
    pub fn digest_cursor(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        Ok(self.meta(&format!("digest:{name}"))?.and_then(|v| v.parse().ok()).map(from_ms))
    }

    pub fn set_digest_cursor(&self, name: &str, at: DateTime<Utc>) -> Result<()> {
        self.set_meta(&format!("digest:{name}"), &at.timestamp_millis().to_string())
    }

    /// Writes one run of digest `name` per receiver and moves its cursor, in one transaction.
    pub fn plan_digest(&mut self, name: &str, planned: DateTime<Utc>, receivers: &[String], late: bool) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sqlite(&path))?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO digest_runs (name, planned_ms, receiver, state, late, next_attempt_ms) \
                     VALUES (?1, ?2, ?3, 'pending', ?4, ?2)",
                )
                .map_err(sqlite(&path))?;
            for receiver in receivers {
                insert.execute(params![name, planned.timestamp_millis(), receiver, late]).map_err(sqlite(&path))?;
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![format!("digest:{name}"), planned.timestamp_millis().to_string()],
            )
            .map_err(sqlite(&path))?;
        }
        tx.commit().map_err(sqlite(&path))
    }

    /// Digest runs whose next attempt is due at `now`.
    pub fn due_digests(&self, now: DateTime<Utc>) -> Result<Vec<DigestRun>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name, planned_ms, receiver, late, attempts, first_attempt_ms, recipients FROM digest_runs \
                 WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT 100",
            )
            .map_err(sqlite(&self.path))?;
        let rows = stmt
            .query_map([now.timestamp_millis()], |r| {
                Ok(DigestRun {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    planned: from_ms(r.get(2)?),
                    receiver: r.get(3)?,
                    late: r.get(4)?,
                    attempts: r.get(5)?,
                    first_attempt: r.get::<_, Option<i64>>(6)?.map(from_ms),
                    recipients: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
                })
            })
            .map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }

    pub fn record_digest(&mut self, id: i64, outcome: &Outcome, now: DateTime<Utc>) -> Result<()> {
        let now_ms = now.timestamp_millis();
        let (state, sent, error, next, recipients) = outcome_columns(outcome, now);
        self.conn
            .execute(
                "UPDATE digest_runs SET state = ?2, attempts = attempts + 1, sent_ms = ?3, last_error = ?4, \
                 next_attempt_ms = ?5, first_attempt_ms = coalesce(first_attempt_ms, ?6), recipients = ?7 WHERE id = ?1",
                params![id, state, sent, error, next, now_ms, recipients],
            )
            .map(drop)
            .map_err(sqlite(&self.path))
    }

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
        let mut stmt = self.conn.prepare_cached(&sql).map_err(sqlite(&self.path))?;
        let rows = stmt
            .query_map(params![from.timestamp_millis(), to.timestamp_millis(), tracking.as_str()], deadline_from_row)
            .map_err(sqlite(&self.path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite(&self.path))
    }
}
