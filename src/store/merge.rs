//! Merging what one article says into the ledger, in one transaction: the article is
//! stored once (by content hash), each deadline mention joins the deadline it is about or
//! becomes a new one, a new date for a known deadline is a revision, talks reported by
//! several articles are one talk with several sources, and talks are linked to the
//! deadlines they bear on. Notices and alert plans are written in the same transaction,
//! so a crash leaves either all of it or none.

use std::collections::{BTreeMap, HashMap};

use super::db::{self, OptionalExtension, Transaction, params};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::outbox::{add_notice, apply_plan_in};
use super::{DEADLINE_SELECT, PlanCounts, Result, Store, db_err, deadline_from_row, from_json, from_ms, to_json};
use crate::model::{
    Deadline, DeadlineStatus, Official, PlannedAlert, Talk, TalkEvent, TalkSource, Target, Tracking, content_words,
    overlap, subject_of,
};

/// How far apart two reports of one deadline's due time may be ("12:01 a.m. on August 8"
/// and "August 8") and still be the same deadline.
const SAME_DUE_MS: i64 = 24 * 3_600_000 - 1;
/// A talk bears on a deadline when it happens within this long before the due time.
const LINK_WINDOW_MS: i64 = 8 * 7 * 86_400_000;
/// An undated report of a talk joins a dated one first seen within this long.
const TALK_WINDOW_MS: i64 = 30 * 86_400_000;

/// What the ledger needs from the config while merging, so that notices and alerts are
/// written in the same transaction as the facts they are about.
pub trait Policy {
    /// Where messages about a deadline with these tags go: each routed receiver, and for
    /// email each recipient address.
    fn targets(&self, id: &str, tags: &[String]) -> Vec<Target>;
    /// The alerts a deadline should have now.
    fn plan(&self, deadline: &Deadline) -> Vec<PlannedAlert>;
}

/// One article, extracted and ready to merge.
#[derive(Debug, Clone, Default)]
pub struct ArticleIn {
    /// SHA-256 of the article as given, hex: the same file ingested twice is stored once.
    pub hash: String,
    /// The path or URL it came from.
    pub origin: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub published: DateTime<Utc>,
    pub published_estimated: bool,
    pub body: String,
    pub mentions: Vec<MentionIn>,
    pub talks: Vec<Talk>,
    /// Declared deadlines whose `match` phrases the article uses anywhere.
    pub declared: Vec<String>,
    /// The official source that published it (a `[[feed]]` of an official kind): its dates
    /// outrank the news.
    pub official: Option<Official>,
}

/// One deadline the article mentions.
#[derive(Debug, Clone, Default)]
pub struct MentionIn {
    pub title: String,
    /// The content words of the title ([`subject_of`]).
    pub subject: String,
    /// The content words of the whole sentence.
    pub context: String,
    /// `None` for "an impending sanctions deadline".
    pub due: Option<DateTime<Utc>>,
    /// The day it falls on where the text puts it, for a new deadline's id.
    pub day: Option<NaiveDate>,
    /// The due this one replaces ("delayed the July 9 deadline to August 1").
    pub moved_from: Option<DateTime<Utc>>,
    /// Declared deadlines whose `match` phrases the sentence uses.
    pub declared: Vec<String>,
    /// A `[[topic]]` or watched actor matched: tracked, with the topics' tags.
    pub tracked: bool,
    pub tags: Vec<String>,
    /// Licence and regulation numbers the sentence names (`gl-124a`, `reg-833/2014`).
    pub refs: Vec<String>,
    pub evidence: String,
    pub start: usize,
    pub end: usize,
}

/// A fact worth a notice to the receivers of its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    NewDeadline {
        deadline: String,
        title: String,
        due: DateTime<Utc>,
        source: String,
        /// The sentence that says so, and the article's URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    Moved {
        deadline: String,
        title: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        source: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    NewTalk {
        deadline: String,
        title: String,
        talk: i64,
        summary: String,
        source: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// An official source now gives the due time of a deadline the news reported.
    Confirmed {
        deadline: String,
        title: String,
        due: DateTime<Utc>,
        official: String,
        document: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// A report gives another day than the official source: the official date stands.
    Contradicted {
        deadline: String,
        title: String,
        official_due: DateTime<Utc>,
        reported_due: DateTime<Utc>,
        official: String,
        source: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// A feed has failed, or brought nothing new, for longer than its `stale_after`.
    SourceStale {
        feed: String,
        since: DateTime<Utc>,
        error: Option<String>,
    },
    SourceRecovered {
        feed: String,
    },
}

impl Fact {
    /// The deadline the fact is about, for routing; `None` for a fact about a source.
    pub fn deadline(&self) -> Option<&str> {
        match self {
            Fact::NewDeadline { deadline, .. }
            | Fact::Moved { deadline, .. }
            | Fact::NewTalk { deadline, .. }
            | Fact::Confirmed { deadline, .. }
            | Fact::Contradicted { deadline, .. } => Some(deadline),
            Fact::SourceStale { .. } | Fact::SourceRecovered { .. } => None,
        }
    }
}

/// What one ingest did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub article: i64,
    /// The same content was ingested before: nothing changed.
    pub duplicate: bool,
    /// New deadlines, with their tracking.
    pub added: Vec<(String, Tracking)>,
    /// Known deadlines this article is a new source for.
    pub merged: Vec<String>,
    /// Known deadlines it gave a new due time.
    pub moved: Vec<String>,
    /// Deadlines an official source now gives the due time of.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confirmed: Vec<String>,
    /// Deadlines whose official due time this article contradicts (nothing moved).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contradicted: Vec<String>,
    /// Known deadlines an undated mention was attached to.
    pub attached: Vec<String>,
    /// Undated mentions that matched no known deadline.
    pub undated: usize,
    pub talks_added: Vec<i64>,
    pub talks_merged: Vec<i64>,
    /// New links between talks and deadlines.
    pub links: usize,
    pub facts: Vec<Fact>,
    /// Notice rows written (one per receiver).
    pub notices: usize,
    pub planned: usize,
}

impl Store {
    /// Merges one extracted article into the ledger (see the module docs).
    pub fn ingest(&mut self, article: &ArticleIn, policy: &dyn Policy, now: DateTime<Utc>) -> Result<IngestReport> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.lock_ledger().map_err(db_err(&path))?;
        let report = ingest_in(&tx, article, policy, now.timestamp_millis()).map_err(db_err(&path))?;
        if !report.duplicate {
            tx.notify_changed().map_err(db_err(&path))?;
        }
        tx.commit().map_err(db_err(&path))?;
        Ok(report)
    }

    /// Tracks, dismisses or returns to candidates a deadline found in articles, and plans
    /// (or cancels) its alerts. Declared deadlines are always tracked.
    pub fn set_tracking(
        &mut self,
        id: &str,
        tracking: Tracking,
        policy: &dyn Policy,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<PlanCounts, String>> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.lock_ledger().map_err(db_err(&path))?;
        let origin: Option<String> = tx
            .query_row("SELECT origin FROM deadlines WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(db_err(&path))?;
        match origin.as_deref() {
            None => return Ok(Err(format!("no deadline {id:?} in the ledger (see sanctiond deadlines --candidates)"))),
            Some("config") if tracking != Tracking::Tracked => {
                return Ok(Err(format!(
                    "{id} is declared in the config: remove its [[deadline]] entry to stop tracking it"
                )));
            }
            Some(_) => {}
        }
        let mut counts = PlanCounts::default();
        (|| -> db::Result<()> {
            tx.execute(
                "UPDATE deadlines SET tracking = ?2, updated_ms = ?3 WHERE id = ?1",
                params![id, tracking.as_str(), now.timestamp_millis()],
            )?;
            let deadline = load(&tx, id)?.ok_or(db::Error::NoRows)?;
            apply_plan_in(&tx, &deadline, &policy.plan(&deadline), now.timestamp_millis(), &mut counts)
        })()
        .map_err(db_err(&path))?;
        tx.notify_changed().map_err(db_err(&path))?;
        tx.commit().map_err(db_err(&path))?;
        Ok(Ok(counts))
    }

    /// Talk events, latest first; only those linked to `deadline` when given.
    pub fn talks(&self, deadline: Option<&str>, limit: usize) -> Result<Vec<TalkEvent>> {
        self.talks_where(deadline, None, limit)
    }

    /// Talk events first reported or updated after `since`, latest first.
    pub fn talks_since(&self, since: DateTime<Utc>, limit: usize) -> Result<Vec<TalkEvent>> {
        self.talks_where(None, Some(since), limit)
    }

    /// When the run of digest `name` before the one planned at `planned` was planned.
    pub fn previous_digest(&self, name: &str, planned: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let ms: Option<i64> = self
            .conn
            .query_row(
                "SELECT MAX(planned_ms) FROM outbox WHERE kind = 'digest' AND digest = ?1 AND planned_ms < ?2",
                params![name, planned.timestamp_millis()],
                |r| r.get(0),
            )
            .map_err(db_err(&self.path))?;
        Ok(ms.map(from_ms))
    }

    fn talks_where(
        &self,
        deadline: Option<&str>,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<TalkEvent>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let since = since.map(|t| t.timestamp_millis());
        (|| -> db::Result<Vec<TalkEvent>> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {TALK_COLUMNS} FROM talks t \
                 WHERE (CAST(?1 AS TEXT) IS NULL OR t.id IN (SELECT talk_id FROM talk_deadlines WHERE deadline_id = ?1)) \
                 AND (CAST(?3 AS INTEGER) IS NULL OR t.updated_ms > ?3) \
                 ORDER BY {TALK_ORDER} LIMIT ?2",
            ))?;
            let mut talks: Vec<TalkEvent> =
                stmt.query_map(params![deadline, limit, since], |r| talk_from_row(r, 0))?.collect::<db::Result<_>>()?;
            self.fill_talks(talks.iter_mut())?;
            Ok(talks)
        })()
        .map_err(db_err(&self.path))
    }

    /// The talks linked to each of `ids`, latest first, at most `limit` each, in three
    /// queries in all: what a claimed batch of alerts shows.
    pub fn talks_of(&self, ids: &[&str], limit: usize) -> Result<HashMap<String, Vec<TalkEvent>>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        (|| -> db::Result<HashMap<String, Vec<TalkEvent>>> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT * FROM (SELECT td.deadline_id, {TALK_COLUMNS}, \
                 ROW_NUMBER() OVER (PARTITION BY td.deadline_id ORDER BY {TALK_ORDER}) AS n \
                 FROM talk_deadlines td JOIN talks t ON t.id = td.talk_id \
                 WHERE td.deadline_id IN (SELECT value FROM json_each(?1))) AS ranked \
                 WHERE n <= ?2 ORDER BY deadline_id, n",
            ))?;
            let mut out: HashMap<String, Vec<TalkEvent>> = HashMap::new();
            for row in stmt.query_map(params![list, limit], |r| Ok((r.get::<String>(0)?, talk_from_row(r, 1)?)))? {
                let (deadline, talk) = row?;
                out.entry(deadline).or_default().push(talk);
            }
            self.fill_talks(out.values_mut().flatten())?;
            Ok(out)
        })()
        .map_err(db_err(&self.path))
    }

    /// Reads the sources and linked deadlines of `talks`, one query each for all of them.
    fn fill_talks<'a>(&self, talks: impl Iterator<Item = &'a mut TalkEvent>) -> db::Result<()> {
        let mut talks: Vec<&mut TalkEvent> = talks.collect();
        if talks.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = talks.iter().map(|t| t.id).collect();
        let list = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned());
        let mut sources: HashMap<i64, Vec<TalkSource>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.talk_id, a.source, a.title, a.origin, s.reported_by, s.evidence FROM talk_sources s \
             JOIN articles a ON a.id = s.article_id WHERE s.talk_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) \
             ORDER BY s.talk_id, a.published_ms, a.id",
        )?;
        for row in stmt.query_map([&list], |r| {
            Ok((
                r.get::<i64>(0)?,
                TalkSource {
                    article: label_of(r.get(1)?, r.get(2)?, &r.get::<String>(3)?),
                    reported_by: r.get(4)?,
                    evidence: r.get(5)?,
                },
            ))
        })? {
            let (talk, source) = row?;
            sources.entry(talk).or_default().push(source);
        }
        let mut links: HashMap<i64, Vec<String>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT talk_id, deadline_id FROM talk_deadlines \
             WHERE talk_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) ORDER BY talk_id, deadline_id",
        )?;
        for row in stmt.query_map([&list], |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)))? {
            let (talk, deadline) = row?;
            links.entry(talk).or_default().push(deadline);
        }
        for t in &mut talks {
            t.sources = sources.get(&t.id).cloned().unwrap_or_default();
            t.deadlines = links.get(&t.id).cloned().unwrap_or_default();
        }
        Ok(())
    }

    /// The facts of one notice.
    pub fn notice_facts(&self, id: i64) -> Result<Vec<Fact>> {
        let facts: Option<String> = self
            .conn
            .query_row("SELECT facts FROM notices WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(db_err(&self.path))?;
        Ok(facts.and_then(|f| serde_json::from_str(&f).ok()).unwrap_or_default())
    }

    /// The sentences behind `deadline`'s current due time, with each article's source and
    /// URL: what an alert quotes as evidence. Declared deadlines have none.
    pub fn evidence(&self, deadline: &str, limit: usize) -> Result<Vec<Evidence>> {
        Ok(self.evidence_of(&[deadline], limit)?.remove(deadline).unwrap_or_default())
    }

    /// [`Store::evidence`] of each of `ids`, at most `limit` each, in one query.
    pub fn evidence_of(&self, ids: &[&str], limit: usize) -> Result<HashMap<String, Vec<Evidence>>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT deadline_id, evidence, label, url, published_ms FROM (SELECT m.deadline_id, m.evidence, \
                 coalesce(a.source, a.title, a.origin) AS label, a.url, a.published_ms, ROW_NUMBER() OVER \
                 (PARTITION BY m.deadline_id ORDER BY m.due_ms IS NULL, a.published_ms DESC, m.id) AS n \
                 FROM mentions m JOIN articles a ON a.id = m.article_id JOIN deadlines d ON d.id = m.deadline_id \
                 WHERE m.deadline_id IN (SELECT value FROM json_each(?1)) AND m.superseded = 0 \
                 AND (m.due_ms IS NULL OR abs(m.due_ms - d.due_ms) <= ?3)) AS ranked \
                 WHERE n <= ?2 ORDER BY deadline_id, n",
            )
            .map_err(db_err(&self.path))?;
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![list, limit, SAME_DUE_MS], |r| {
                Ok((
                    r.get::<String>(0)?,
                    Evidence { sentence: r.get(1)?, source: r.get(2)?, url: r.get(3)?, published: from_ms(r.get(4)?) },
                ))
            })
            .map_err(db_err(&self.path))?;
        let mut out: HashMap<String, Vec<Evidence>> = HashMap::new();
        for row in rows {
            let (deadline, evidence) = row.map_err(db_err(&self.path))?;
            out.entry(deadline).or_default().push(evidence);
        }
        Ok(out)
    }
}

/// A talk's own columns, as [`talk_from_row`] reads them.
const TALK_COLUMNS: &str = "t.id, t.participants, t.actors, t.status, t.day, t.place, t.tone, t.first_seen_ms";
/// Latest first: by the day held (or first seen), then the newest.
const TALK_ORDER: &str = "coalesce(t.day, strftime('%Y-%m-%d', t.first_seen_ms / 1000, 'unixepoch')) DESC, t.id DESC";

/// A talk from [`TALK_COLUMNS`] starting at column `at`; its sources and links come after.
fn talk_from_row(r: &db::Row<'_>, at: usize) -> db::Result<TalkEvent> {
    Ok(TalkEvent {
        id: r.get(at)?,
        participants: from_json(&r.get::<String>(at + 1)?),
        actors: from_json(&r.get::<String>(at + 2)?),
        status: r.get(at + 3)?,
        date: r.get(at + 4)?,
        place: r.get(at + 5)?,
        tone: from_json(&r.get::<String>(at + 6)?),
        sources: Vec::new(),
        deadlines: Vec::new(),
        first_seen: from_ms(r.get(at + 7)?),
    })
}

/// A sentence an article gave for a deadline, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub sentence: String,
    pub source: String,
    pub url: Option<String>,
    pub published: DateTime<Utc>,
}

fn ingest_in(tx: &Transaction<'_>, a: &ArticleIn, policy: &dyn Policy, now: i64) -> db::Result<IngestReport> {
    if let Some(id) = tx.query_row("SELECT id FROM articles WHERE hash = ?1", [&a.hash], |r| r.get(0)).optional()? {
        return Ok(IngestReport { article: id, duplicate: true, ..IngestReport::default() });
    }
    let published = a.published.timestamp_millis();
    // Two daemons on one PostgreSQL ledger may store the same article at once: the second
    // waits for the first and finds it stored.
    let inserted = tx
        .query_row(
            "INSERT INTO articles (hash, origin, title, source, url, published_ms, published_estimated, ingested_ms, body, \
             official) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (hash) DO NOTHING RETURNING id",
            params![
                a.hash,
                a.origin,
                a.title,
                a.source,
                a.url,
                published,
                a.published_estimated,
                now,
                a.body,
                a.official.as_ref().map(|o| o.source.as_str())
            ],
            |r| r.get(0),
        )
        .optional()?;
    let Some(article) = inserted else {
        let id = tx.query_row("SELECT id FROM articles WHERE hash = ?1", [&a.hash], |r| r.get(0))?;
        return Ok(IngestReport { article: id, duplicate: true, ..IngestReport::default() });
    };
    let label = label_of(a.source.clone(), a.title.clone(), &a.origin);
    let mut report = IngestReport { article, ..IngestReport::default() };
    // The deadlines this article bears on, and those whose alerts must be planned again.
    let mut touched: Vec<String> = Vec::new();
    let mut replan: Vec<String> = Vec::new();

    for m in &a.mentions {
        let Some(due) = m.due else {
            let target = find_undated(tx, m, a)?;
            mention(tx, article, target.as_deref(), m, false)?;
            match target {
                Some(id) => {
                    add_source(tx, &id, &label, article, now)?;
                    push_new(&mut report.attached, &id);
                    push_new(&mut touched, &id);
                }
                None => report.undated += 1,
            }
            continue;
        };
        let due_ms = due.timestamp_millis();
        let official = a.official.as_ref();
        let found = match find_dated(tx, m, &a.declared, due_ms, published)? {
            Some(d) => Some(d),
            None => match find_by_refs(tx, m, due_ms)? {
                Some(d) => Some(d),
                None => find_near(tx, m, due_ms, official.is_some())?,
            },
        };
        let mut contradicts = false;
        let id = match found {
            Some(d) => {
                let differs = (d.due.timestamp_millis() - due_ms).abs() > SAME_DUE_MS;
                let alerting = d.tracking == Tracking::Tracked && d.status == DeadlineStatus::Active;
                if differs && official.is_none() && d.official.is_some() {
                    // The official date stands: the report is kept, flagged, and moves nothing.
                    contradicts = true;
                    push_new(&mut report.contradicted, &d.id);
                    if alerting {
                        report.facts.push(Fact::Contradicted {
                            deadline: d.id.clone(),
                            title: d.title.clone(),
                            official_due: d.due,
                            reported_due: due,
                            official: d.official.as_ref().map(|o| o.source.clone()).unwrap_or_default(),
                            source: label.clone(),
                            evidence: Some(m.evidence.clone()),
                            url: a.url.clone(),
                        });
                    }
                } else if differs {
                    let revision = d.revision + 1;
                    tx.execute(
                        "UPDATE deadlines SET due_ms = ?2, revision = ?3, updated_ms = ?4 WHERE id = ?1",
                        params![d.id, due_ms, revision, now],
                    )?;
                    revision_row(tx, &d.id, revision, due_ms, now, &label, article)?;
                    push_new(&mut report.moved, &d.id);
                    push_new(&mut replan, &d.id);
                    if alerting {
                        report.facts.push(Fact::Moved {
                            deadline: d.id.clone(),
                            title: d.title.clone(),
                            from: d.due,
                            to: due,
                            source: label.clone(),
                            evidence: Some(m.evidence.clone()),
                            url: a.url.clone(),
                        });
                    }
                } else if !report.added.iter().any(|(x, _)| *x == d.id) {
                    push_new(&mut report.merged, &d.id);
                }
                if let Some(o) = official
                    && d.official.is_none()
                {
                    set_official(tx, &d.id, o, due_ms)?;
                    push_new(&mut report.confirmed, &d.id);
                    if alerting {
                        report.facts.push(Fact::Confirmed {
                            deadline: d.id.clone(),
                            title: d.title.clone(),
                            due,
                            official: o.source.clone(),
                            document: o.document.clone(),
                            url: a.url.clone(),
                        });
                    }
                }
                add_refs(tx, &d.id, &m.refs)?;
                d.id
            }
            None => {
                let id = new_id(tx, m, due)?;
                let tracking = if m.tracked { Tracking::Tracked } else { Tracking::Candidate };
                let revision = if m.moved_from.is_some() { 2 } else { 1 };
                tx.execute(
                    "INSERT INTO deadlines (id, title, due_ms, status, origin, tags, lead_times, match_phrases, revision, \
                     created_ms, updated_ms, tracking, subject, official, document, refs) \
                     VALUES (?1, ?2, ?3, 'active', 'article', ?4, NULL, '[]', ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        id,
                        m.title,
                        due_ms,
                        to_json(&m.tags),
                        revision,
                        now,
                        tracking.as_str(),
                        m.subject,
                        official.map(|o| o.source.as_str()),
                        official.map(|o| o.document.as_str()),
                        to_json(&m.refs)
                    ],
                )?;
                if let Some(from) = m.moved_from {
                    revision_row(tx, &id, 1, from.timestamp_millis(), now, &label, article)?;
                }
                revision_row(tx, &id, revision, due_ms, now, &label, article)?;
                report.added.push((id.clone(), tracking));
                push_new(&mut replan, &id);
                if m.tracked {
                    report.facts.push(Fact::NewDeadline {
                        deadline: id.clone(),
                        title: m.title.clone(),
                        due,
                        source: label.clone(),
                        evidence: Some(m.evidence.clone()),
                        url: a.url.clone(),
                    });
                }
                id
            }
        };
        add_source(tx, &id, &label, article, now)?;
        mention(tx, article, Some(&id), m, contradicts)?;
        push_new(&mut touched, &id);
    }
    for id in &a.declared {
        push_new(&mut touched, id);
    }

    let mut talks: Vec<(i64, i64, String, String)> = Vec::new();
    for t in &a.talks {
        let (id, new) = merge_talk(tx, t, article, published, now)?;
        if new {
            report.talks_added.push(id);
        } else {
            report.talks_merged.push(id);
        }
        let when = t
            .date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map_or(published, |d| d.and_utc().timestamp_millis());
        // A talk reported as held happened by the time of the report, whatever its day's noon.
        let when = if t.status == "held" { when.min(published) } else { when };
        talks.push((id, when, summary(t), t.evidence.clone()));
    }
    let mut link =
        tx.prepare_cached("INSERT INTO talk_deadlines (talk_id, deadline_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?;
    for id in &touched {
        let Some(d) = load(tx, id)? else { continue };
        let due = d.due.timestamp_millis();
        for (talk, when, summary, evidence) in &talks {
            if *when > due || due - *when > LINK_WINDOW_MS || link.execute(params![talk, id])? == 0 {
                continue;
            }
            report.links += 1;
            if d.tracking == Tracking::Tracked && d.status == DeadlineStatus::Active {
                report.facts.push(Fact::NewTalk {
                    deadline: d.id.clone(),
                    title: d.title.clone(),
                    talk: *talk,
                    summary: summary.clone(),
                    source: label.clone(),
                    evidence: Some(evidence.clone()),
                    url: a.url.clone(),
                });
            }
        }
    }

    let mut counts = PlanCounts::default();
    for id in &replan {
        if let Some(d) = load(tx, id)? {
            apply_plan_in(tx, &d, &policy.plan(&d), now, &mut counts)?;
        }
    }
    report.planned = counts.planned;

    // One notice per target for everything this article brought.
    let mut by_target: BTreeMap<Target, Vec<&Fact>> = BTreeMap::new();
    for fact in &report.facts {
        let Some(id) = fact.deadline() else { continue };
        let tags: Vec<String> = match load(tx, id)? {
            Some(d) => d.tags,
            None => Vec::new(),
        };
        for target in policy.targets(id, &tags) {
            by_target.entry(target).or_default().push(fact);
        }
    }
    for (target, facts) in &by_target {
        add_notice(tx, std::slice::from_ref(target), facts, now)?;
    }
    report.notices = by_target.len();
    Ok(report)
}

fn push_new(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|x| x == id) {
        list.push(id.to_owned());
    }
}

/// How an article is named in `sources`: "France 24: Witkoff meets Putin".
fn label_of(source: Option<String>, title: Option<String>, origin: &str) -> String {
    match (source, title) {
        (Some(s), Some(t)) => format!("{s}: {t}"),
        (Some(s), None) => format!("{s}: {origin}"),
        (None, Some(t)) => format!("{t} ({origin})"),
        (None, None) => origin.to_owned(),
    }
}

fn load(tx: &Transaction<'_>, id: &str) -> db::Result<Option<Deadline>> {
    tx.prepare_cached(&format!("{DEADLINE_SELECT} WHERE d.id = ?1"))?.query_row([id], deadline_from_row).optional()
}

/// How strongly a mention is about a known deadline, 0 when not at all: the titles share
/// a word, or the sentence shares two with the deadline's subject or (with `history`) with
/// a sentence that reported it before (one, if the sentence speaks of a deadline).
fn affinity(tx: &Transaction<'_>, m: &MentionIn, id: &str, subject: &str, history: bool) -> db::Result<usize> {
    let title = overlap(&m.subject, subject);
    let sentence = overlap(&m.context, subject);
    if title >= 1 || sentence >= 2 {
        return Ok(2 * title + sentence);
    }
    if !history {
        return Ok(0);
    }
    // A sentence that names a deadline by its day ("the White House deadline of Friday,
    // August 8, for Moscow to agree to a truce") needs one word in common with what reported
    // it before; any other sentence two (months and weekdays are no subject's words).
    let needed = if m.evidence.to_lowercase().contains("deadline") { 1 } else { 2 };
    let mut stmt = tx.prepare_cached("SELECT evidence FROM mentions WHERE deadline_id = ?1 ORDER BY id LIMIT 20")?;
    let mut best = 0;
    for evidence in stmt.query_map([id], |r| r.get::<String>(0))? {
        let shared = overlap(&m.context, &subject_of(&evidence?));
        if shared >= needed {
            best = best.max(shared);
        }
    }
    Ok(best)
}

/// The deadline due within a day of `due_ms` that `m` is about, nearest first.
fn near_due(tx: &Transaction<'_>, due_ms: i64, m: &MentionIn) -> db::Result<Option<Deadline>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, subject FROM deadlines WHERE due_ms BETWEEN ?1 AND ?2 \
         ORDER BY abs(due_ms - ?3), status = 'active' DESC, id",
    )?;
    let near: Vec<(String, String)> = stmt
        .query_map(params![due_ms - SAME_DUE_MS, due_ms + SAME_DUE_MS, due_ms], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<db::Result<_>>()?;
    for (id, subject) in near {
        if affinity(tx, m, &id, &subject, true)? > 0 {
            return load(tx, &id);
        }
    }
    Ok(None)
}

/// The known deadline a dated mention is about: a declared one whose `match` phrases the
/// sentence uses, or the article uses and due the same day; the one it says was moved
/// ("delayed the July 9 deadline"); or one with the same subject due the same day.
fn find_dated(
    tx: &Transaction<'_>,
    m: &MentionIn,
    article_declared: &[String],
    due_ms: i64,
    published: i64,
) -> db::Result<Option<Deadline>> {
    for id in &m.declared {
        let Some(d) = load(tx, id)? else { continue };
        let same = (d.due.timestamp_millis() - due_ms).abs() <= SAME_DUE_MS;
        let moved_from_it = m.moved_from.is_some_and(|f| f == d.due);
        // A past date next to the declared phrases ("tariffs that took effect in July") is
        // not a new due time for it.
        if same || moved_from_it || due_ms > published {
            return Ok(Some(d));
        }
    }
    // A declared deadline the article names elsewhere, due the same day.
    for id in article_declared {
        if let Some(d) = load(tx, id)?
            && (d.due.timestamp_millis() - due_ms).abs() <= SAME_DUE_MS
        {
            return Ok(Some(d));
        }
    }
    if let Some(from) = m.moved_from
        && let Some(d) = near_due(tx, from.timestamp_millis(), m)?
    {
        return Ok(Some(d));
    }
    near_due(tx, due_ms, m)
}

/// How far apart the official date and a report of it may be and still be one deadline (a
/// report that contradicts it, or the official date correcting the report).
const CONTRADICTION_MS: i64 = 31 * 86_400_000;

/// The active deadline known by a licence or regulation number the sentence names, when it
/// is about the same thing or due within a month of the mention.
fn find_by_refs(tx: &Transaction<'_>, m: &MentionIn, due_ms: i64) -> db::Result<Option<Deadline>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, subject, due_ms FROM deadlines WHERE status = 'active' AND refs LIKE ?1 ORDER BY due_ms DESC, id",
    )?;
    for r in &m.refs {
        let pattern = format!("%\"{r}\"%");
        let found: Vec<(String, String, i64)> =
            stmt.query_map([pattern], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<db::Result<_>>()?;
        for (id, subject, due) in found {
            if (due - due_ms).abs() <= CONTRADICTION_MS || affinity(tx, m, &id, &subject, false)? > 0 {
                return load(tx, &id);
            }
        }
    }
    Ok(None)
}

/// A deadline within a month of the mention that is plainly the same one (its subject and
/// the sentence share several words): for a news report, only one an official source gives
/// (which the report then contradicts); for an official document, only one the news gave
/// (which it corrects). Two official documents meet only by day or number.
fn find_near(tx: &Transaction<'_>, m: &MentionIn, due_ms: i64, official: bool) -> db::Result<Option<Deadline>> {
    let sql = if official {
        "SELECT id, subject FROM deadlines WHERE status = 'active' AND official IS NULL \
         AND due_ms BETWEEN ?1 AND ?2 ORDER BY abs(due_ms - ?3), id"
    } else {
        "SELECT id, subject FROM deadlines WHERE status = 'active' AND official IS NOT NULL \
         AND due_ms BETWEEN ?1 AND ?2 ORDER BY abs(due_ms - ?3), id"
    };
    let mut stmt = tx.prepare_cached(sql)?;
    let near: Vec<(String, String)> = stmt
        .query_map(params![due_ms - CONTRADICTION_MS, due_ms + CONTRADICTION_MS, due_ms], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<db::Result<_>>()?;
    for (id, subject) in near {
        if affinity(tx, m, &id, &subject, true)? >= 3 {
            return load(tx, &id);
        }
    }
    Ok(None)
}

/// The known deadline an undated mention refers to: a declared one the sentence or the
/// article names by its `match` phrases, else the soonest upcoming one whose subject is
/// closest to the sentence.
fn find_undated(tx: &Transaction<'_>, m: &MentionIn, a: &ArticleIn) -> db::Result<Option<String>> {
    for id in m.declared.iter().chain(&a.declared) {
        if load(tx, id)?.is_some_and(|d| d.status == DeadlineStatus::Active) {
            return Ok(Some(id.clone()));
        }
    }
    let mut stmt = tx.prepare_cached(
        "SELECT id, subject FROM deadlines WHERE status = 'active' AND tracking != 'dismissed' AND due_ms > ?1 \
         ORDER BY due_ms LIMIT 500",
    )?;
    let rows = stmt.query_map([a.published.timestamp_millis()], |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))?;
    let candidates: Vec<(String, String)> = rows.collect::<db::Result<_>>()?;
    let mut best: Option<(usize, String)> = None;
    for (id, subject) in candidates {
        // Only the stored subject here: reading the history of hundreds would be slow.
        let score = affinity(tx, m, &id, &subject, false)?;
        if score > 0 && best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, id));
        }
    }
    Ok(best.map(|(_, id)| id))
}

/// A readable, stable id for a new deadline: the words of its title and its day
/// (`sanction-iranian-shipping-2025-09-30`), made unique with a suffix.
fn new_id(tx: &Transaction<'_>, m: &MentionIn, due: DateTime<Utc>) -> db::Result<String> {
    let words: Vec<String> = content_words(&m.title).into_iter().take(4).collect();
    let stem = if words.is_empty() { "deadline".to_owned() } else { words.join("-") };
    let stem: String = stem.chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    let base = format!("{stem}-{}", m.day.unwrap_or_else(|| due.date_naive()));
    let mut id = base.clone();
    let mut n = 2;
    while tx.query_row("SELECT 1 FROM deadlines WHERE id = ?1", [&id], |_| Ok(())).optional()?.is_some() {
        id = format!("{base}-{n}");
        n += 1;
    }
    Ok(id)
}

fn add_source(tx: &Transaction<'_>, id: &str, label: &str, article: i64, now: i64) -> db::Result<()> {
    tx.prepare_cached(
        "INSERT INTO sources (deadline_id, source, first_seen_ms, article_id) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![id, label, now, article])
    .map(drop)
}

fn revision_row(
    tx: &Transaction<'_>,
    id: &str,
    revision: i64,
    due_ms: i64,
    now: i64,
    label: &str,
    article: i64,
) -> db::Result<()> {
    tx.prepare_cached(
        "INSERT INTO revisions (deadline_id, revision, due_ms, recorded_ms, source, article_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, revision, due_ms, now, label, article])
    .map(drop)
}

fn mention(
    tx: &Transaction<'_>,
    article: i64,
    deadline: Option<&str>,
    m: &MentionIn,
    contradicts: bool,
) -> db::Result<()> {
    tx.prepare_cached(
        "INSERT INTO mentions (article_id, deadline_id, title, subject, due_ms, superseded, evidence, start, \"end\", \
         contradicts) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        article,
        deadline,
        m.title,
        m.subject,
        m.due.map(|d| d.timestamp_millis()),
        m.evidence,
        m.start as i64,
        m.end as i64,
        contradicts
    ])
    .map(drop)
}

/// Marks a deadline as given by an official source; the reports of another day it had are
/// contradicted from now on.
fn set_official(tx: &Transaction<'_>, id: &str, official: &Official, due_ms: i64) -> db::Result<()> {
    tx.execute(
        "UPDATE deadlines SET official = ?2, document = ?3 WHERE id = ?1",
        params![id, official.source, official.document],
    )?;
    tx.execute(
        "UPDATE mentions SET contradicts = 1 WHERE deadline_id = ?1 AND due_ms IS NOT NULL AND abs(due_ms - ?2) > ?3",
        params![id, due_ms, SAME_DUE_MS],
    )
    .map(drop)
}

/// Adds licence and regulation numbers to those a deadline is known by.
fn add_refs(tx: &Transaction<'_>, id: &str, refs: &[String]) -> db::Result<()> {
    if refs.is_empty() {
        return Ok(());
    }
    let known: String = tx.query_row("SELECT refs FROM deadlines WHERE id = ?1", [id], |r| r.get(0))?;
    let mut all: Vec<String> = from_json(&known);
    let before = all.len();
    for r in refs {
        if !all.contains(r) {
            all.push(r.clone());
        }
    }
    if all.len() == before {
        return Ok(());
    }
    tx.execute("UPDATE deadlines SET refs = ?2 WHERE id = ?1", params![id, to_json(&all)]).map(drop)
}

/// "Steve Witkoff & Vladimir Putin in Moscow on 2025-08-06 (constructive)".
fn summary(t: &Talk) -> String {
    let mut s = format!("{} {}", t.status, t.participants.join(" & "));
    if let Some(place) = &t.place {
        s.push_str(&format!(" in {place}"));
    }
    if let Some(date) = &t.date {
        s.push_str(&format!(" on {date}"));
    }
    if !t.tone.is_empty() {
        s.push_str(&format!(" ({})", t.tone.join(", ")));
    }
    s
}

/// The identity of a talk across articles: who took part, by surname.
fn talk_key(participants: &[String]) -> String {
    let mut names: Vec<String> =
        participants.iter().map(|p| p.rsplit(' ').next().unwrap_or(p).to_lowercase()).collect();
    names.sort();
    names.dedup();
    names.join("|")
}

/// Adds one article's report of a talk: to the talk it describes (same people, same day,
/// or undated within a month), else as a new talk. Returns the talk's id and whether it is new.
fn merge_talk(tx: &Transaction<'_>, t: &Talk, article: i64, published: i64, now: i64) -> db::Result<(i64, bool)> {
    let key = talk_key(&t.participants);
    let existing = tx
        .prepare_cached(
            "SELECT id, participants, actors, status, day, place, tone FROM talks \
             WHERE key = ?1 AND (day = ?2 OR ((day IS NULL OR CAST(?2 AS TEXT) IS NULL) AND first_seen_ms > ?3)) \
             ORDER BY day IS ?2 DESC, first_seen_ms DESC LIMIT 1",
        )?
        .query_row(params![key, t.date, published - TALK_WINDOW_MS], |r| {
            Ok((
                r.get::<i64>(0)?,
                from_json(&r.get::<String>(1)?),
                from_json(&r.get::<String>(2)?),
                r.get::<String>(3)?,
                r.get::<Option<String>>(4)?,
                r.get::<Option<String>>(5)?,
                from_json(&r.get::<String>(6)?),
            ))
        })
        .optional()?;
    let (id, new) = match existing {
        Some((id, mut participants, mut actors, status, day, place, mut tone)) => {
            // Keep the fullest form of each name any report gave.
            for p in &t.participants {
                let last = p.rsplit(' ').next().unwrap_or(p);
                match participants.iter_mut().find(|x: &&mut String| x.rsplit(' ').next() == Some(last)) {
                    Some(x) if p.len() > x.len() => *x = p.clone(),
                    Some(_) => {}
                    None => participants.push(p.clone()),
                }
            }
            for a in &t.actors {
                if !actors.contains(a) {
                    actors.push(a.clone());
                }
            }
            for w in &t.tone {
                if !tone.contains(w) {
                    tone.push(w.clone());
                }
            }
            let status = if t.status == "held" { "held".to_owned() } else { status };
            tx.execute(
                "UPDATE talks SET participants = ?2, actors = ?3, status = ?4, day = ?5, place = ?6, tone = ?7, updated_ms = ?8 \
                 WHERE id = ?1",
                params![
                    id,
                    to_json(&participants),
                    to_json(&actors),
                    status,
                    day.or_else(|| t.date.clone()),
                    place.or_else(|| t.place.clone()),
                    to_json(&tone),
                    now
                ],
            )?;
            (id, false)
        }
        None => {
            let id = tx.query_row(
                "INSERT INTO talks (key, participants, actors, status, day, place, tone, first_seen_ms, updated_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                params![
                    key,
                    to_json(&t.participants),
                    to_json(&t.actors),
                    t.status,
                    t.date,
                    t.place,
                    to_json(&t.tone),
                    published,
                    now
                ],
                |r| r.get(0),
            )?;
            (id, true)
        }
    };
    tx.prepare_cached(
        "INSERT INTO talk_sources (talk_id, article_id, reported_by, evidence, start, \"end\") \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
    )?
    .execute(params![id, article, t.reported_by, t.evidence, t.start as i64, t.end as i64])?;
    Ok((id, new))
}
