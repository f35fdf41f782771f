//! What the ledger learned since a time: new and moved deadlines, withdrawals, new talks.
//! For `sanctiond changes --since T`, scripts and digests. Times are when the ledger
//! learned each thing (the ingest, the config sync), not when it happened.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::db::{self, params};
use super::{Result, Store, db_err, from_ms};

/// One thing the ledger learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// When the ledger learned it.
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub what: ChangeKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    NewDeadline {
        deadline: String,
        title: String,
        #[serde(serialize_with = "rfc3339")]
        due: DateTime<Utc>,
        tracking: String,
        source: String,
    },
    Moved {
        deadline: String,
        title: String,
        revision: i64,
        #[serde(serialize_with = "rfc3339")]
        from: DateTime<Utc>,
        #[serde(serialize_with = "rfc3339")]
        to: DateTime<Utc>,
        source: String,
    },
    Withdrawn {
        deadline: String,
        title: String,
    },
    NewTalk {
        talk: i64,
        participants: Vec<String>,
        status: String,
        date: Option<String>,
        place: Option<String>,
        reported_by: Option<String>,
    },
}

impl Store {
    /// Everything the ledger learned at or after `since`, oldest first.
    pub fn changes(&self, since: DateTime<Utc>) -> Result<Vec<Change>> {
        let since = since.timestamp_millis();
        let mut out = Vec::new();
        let path = self.path.clone();
        let conn = &self.conn;
        let mut run = || -> db::Result<()> {
            let mut stmt = conn.prepare(
                "SELECT d.created_ms, d.id, d.title, r.due_ms, d.tracking, r.source FROM deadlines d \
                 JOIN revisions r ON r.deadline_id = d.id \
                 AND r.revision = (SELECT MIN(x.revision) FROM revisions x WHERE x.deadline_id = d.id) \
                 WHERE d.created_ms >= ?1",
            )?;
            let rows = stmt.query_map(params![since], |r| {
                Ok(Change {
                    at: from_ms(r.get(0)?),
                    what: ChangeKind::NewDeadline {
                        deadline: r.get(1)?,
                        title: r.get(2)?,
                        due: from_ms(r.get(3)?),
                        tracking: r.get(4)?,
                        source: r.get(5)?,
                    },
                })
            })?;
            for row in rows {
                out.push(row?);
            }
            let mut stmt = conn.prepare(
                "SELECT r.recorded_ms, d.id, d.title, r.revision, p.due_ms, r.due_ms, r.source FROM revisions r \
                 JOIN deadlines d ON d.id = r.deadline_id \
                 JOIN revisions p ON p.deadline_id = r.deadline_id AND p.revision = r.revision - 1 \
                 WHERE r.recorded_ms >= ?1 AND r.recorded_ms > d.created_ms",
            )?;
            let rows = stmt.query_map(params![since], |r| {
                Ok(Change {
                    at: from_ms(r.get(0)?),
                    what: ChangeKind::Moved {
                        deadline: r.get(1)?,
                        title: r.get(2)?,
                        revision: r.get(3)?,
                        from: from_ms(r.get(4)?),
                        to: from_ms(r.get(5)?),
                        source: r.get(6)?,
                    },
                })
            })?;
            for row in rows {
                out.push(row?);
            }
            let mut stmt = conn.prepare(
                "SELECT updated_ms, id, title FROM deadlines WHERE status = 'withdrawn' AND updated_ms >= ?1",
            )?;
            let rows = stmt.query_map(params![since], |r| {
                Ok(Change {
                    at: from_ms(r.get(0)?),
                    what: ChangeKind::Withdrawn { deadline: r.get(1)?, title: r.get(2)? },
                })
            })?;
            for row in rows {
                out.push(row?);
            }
            // A talk is learned with the first article that reported it.
            let mut stmt = conn.prepare(
                "SELECT l.learned_ms, t.id, t.participants, t.status, t.day, t.place, \
                 (SELECT s.reported_by FROM talk_sources s JOIN articles a ON a.id = s.article_id \
                  WHERE s.talk_id = t.id ORDER BY a.ingested_ms, a.id LIMIT 1) \
                 FROM talks t JOIN (SELECT s.talk_id, MIN(a.ingested_ms) AS learned_ms FROM talk_sources s \
                 JOIN articles a ON a.id = s.article_id GROUP BY s.talk_id) l ON l.talk_id = t.id \
                 WHERE l.learned_ms >= ?1",
            )?;
            let rows = stmt.query_map(params![since], |r| {
                let participants: String = r.get(2)?;
                Ok(Change {
                    at: from_ms(r.get(0)?),
                    what: ChangeKind::NewTalk {
                        talk: r.get(1)?,
                        participants: serde_json::from_str(&participants).unwrap_or_default(),
                        status: r.get(3)?,
                        date: r.get(4)?,
                        place: r.get(5)?,
                        reported_by: r.get(6)?,
                    },
                })
            })?;
            for row in rows {
                out.push(row?);
            }
            Ok(())
        };
        run().map_err(db_err(&path))?;
        out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.what.order().cmp(&b.what.order())));
        Ok(out)
    }
}

/// Times as the JSON contracts write them: RFC 3339 in UTC with milliseconds.
fn rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

impl ChangeKind {
    /// Orders changes learned at the same instant: deadlines before talks, by id.
    fn order(&self) -> (u8, String) {
        match self {
            ChangeKind::NewDeadline { deadline, .. } => (0, deadline.clone()),
            ChangeKind::Moved { deadline, revision, .. } => (1, format!("{deadline}/{revision:09}")),
            ChangeKind::Withdrawn { deadline, .. } => (2, deadline.clone()),
            ChangeKind::NewTalk { talk, .. } => (3, format!("{talk:012}")),
        }
    }
}
