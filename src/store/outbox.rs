//! The outbox: one row per message (alert, notice or digest), receiver and recipient, with
//! one state machine. The ledger stores what the planner wants and what delivery did; it
//! neither plans nor sends. A row is claimed (`sending`) just before its own send and
//! settled right after, so a crash re-sends at most what was on the wire.

use std::collections::HashMap;

use super::db::{self, Connection, OptionalExtension, Row, Transaction, params};
use chrono::{DateTime, Utc};

use super::{DEADLINE_SELECT, Owner, PlanCounts, Result, Store, db_err, deadline_from_row, from_ms};
use crate::model::{
    Alert, AlertKey, AlertState, CancelReason, Deadline, DeadlineStatus, MessageKind, PlannedAlert, Target, Tracking,
};

/// One attempt's outcome, as delivery records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    RetryAt { at: DateTime<Utc>, error: String },
    Failed { error: String },
}

/// How catch-up settled an alert whose time came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Send it; `late` when it goes out after its time.
    Send { late: bool },
    /// Drop it under the catch-up policy.
    Skip,
}

/// An alert whose time came and that catch-up has not looked at yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsettled {
    pub id: i64,
    pub deadline: String,
    pub planned: DateTime<Utc>,
}

/// A claimed row, with when its first attempt was made (for the retry limit).
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub row: Alert,
    pub first_attempt: Option<DateTime<Utc>>,
}

/// A daemon sharing the ledger, as its heartbeat row says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub started: DateTime<Utc>,
    pub heartbeat: DateTime<Utc>,
    pub lease: chrono::Duration,
    /// Rows it holds `sending`.
    pub sending: i64,
}

impl Instance {
    /// Alive while its heartbeat is younger than its lease.
    pub fn live(&self, now: DateTime<Utc>) -> bool {
        now - self.heartbeat <= self.lease
    }
}

/// A row found stale when claimed: its deadline moved, was withdrawn or is no longer tracked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub id: i64,
    pub deadline: String,
    pub reason: CancelReason,
}

/// Planning this many rows at once is a bulk import (see [`Store::apply_plans`]).
const BULK: usize = 1_000;

/// The meta key of catch-up's mark (see [`Store::caught_up_through`]), in milliseconds.
const CAUGHT_UP: &str = "catch_up_through_ms";

const ROW_COLUMNS: &str = "o.id, o.kind, coalesce(o.deadline_id, ''), coalesce(o.revision, 0), \
     coalesce(o.lead_seconds, 0), o.receiver, o.recipient, o.key, coalesce(o.lead, ''), o.planned_ms, o.sent_ms, \
     o.state, o.attempts, coalesce(o.late, 0), o.next_attempt_ms, o.last_error, o.cancel_reason, o.first_attempt_ms, \
     o.notice_id, o.digest";

fn row_from(r: &Row<'_>) -> db::Result<Claimed> {
    Ok(Claimed {
        row: Alert {
            id: r.get(0)?,
            kind: MessageKind::parse(&r.get::<String>(1)?).unwrap_or(MessageKind::Alert),
            key: AlertKey { deadline: r.get(2)?, revision: r.get(3)?, lead_seconds: r.get(4)?, receiver: r.get(5)? },
            recipient: r.get(6)?,
            notice: r.get(18)?,
            digest: r.get(19)?,
            lead: r.get(8)?,
            planned: from_ms(r.get(9)?),
            sent: r.get::<Option<i64>>(10)?.map(from_ms),
            state: AlertState::parse(&r.get::<String>(11)?).unwrap_or(AlertState::Failed),
            attempts: r.get(12)?,
            late: r.get(13)?,
            next_attempt: from_ms(r.get(14)?),
            last_error: r.get(15)?,
            cancel_reason: r.get(16)?,
        },
        first_attempt: r.get::<Option<i64>>(17)?.map(from_ms),
    })
}

impl Store {
    /// Brings the alert rows of each deadline in line with the alerts the planner wants.
    pub fn apply_plans<'a, I>(&mut self, plans: I, now: DateTime<Utc>) -> Result<PlanCounts>
    where
        I: IntoIterator<Item = (&'a Deadline, Vec<PlannedAlert>)>,
    {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.lock_ledger().map_err(db_err(&path))?;
        let mut counts = PlanCounts::default();
        for (deadline, wanted) in plans {
            apply_plan_in(&tx, deadline, &wanted, now.timestamp_millis(), &mut counts).map_err(db_err(&path))?;
        }
        tx.commit().map_err(db_err(&path))?;
        // PostgreSQL plans its prepared statements from table statistics, which autovacuum
        // refreshes only after a minute or so: after a large import, refresh them now, or
        // the burst that follows runs on plans made for empty tables.
        if counts.planned >= BULK && self.conn.is_postgres() {
            self.conn.execute_batch("ANALYZE deadlines, revisions, outbox").map_err(db_err(&path))?;
        }
        Ok(counts)
    }

    /// Rows a crash left `sending` were on the wire: they go out again now, under the same
    /// identity, so a receiver that got them can drop the duplicate.
    /// Sharing the ledger, a daemon recovers only its own rows; those of a daemon that died
    /// are taken back by whoever claims next, once their lease has run out.
    pub fn recover_in_flight(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let sql = "UPDATE outbox SET state = 'pending', next_attempt_ms = ?1, claimed_ms = NULL, owner = NULL, \
                   lease_until_ms = NULL WHERE state = 'sending' AND (CAST(?2 AS TEXT) IS NULL OR owner = ?2)";
        let owner = self.owner.as_ref().map(|o| o.id.as_str());
        self.conn.execute(sql, params![now.timestamp_millis(), owner]).map_err(db_err(&self.path))
    }

    /// Names this daemon in the rows it claims, with how long each claim holds unrenewed.
    pub fn set_owner(&mut self, owner: Option<Owner>) {
        self.owner = owner;
    }

    /// Stamps this daemon's heartbeat and extends the lease of every row it is sending.
    pub fn heartbeat(&mut self, host: &str, pid: u32, started: DateTime<Utc>, now: DateTime<Utc>) -> Result<usize> {
        let Some(owner) = self.owner.clone() else { return Ok(0) };
        let path = self.path.clone();
        let now_ms = now.timestamp_millis();
        let lease_ms = owner.lease.num_milliseconds();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.execute(
            "INSERT INTO instances (id, host, pid, started_ms, heartbeat_ms, lease_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_ms = excluded.started_ms, \
             heartbeat_ms = excluded.heartbeat_ms, lease_ms = excluded.lease_ms",
            params![owner.id, host, pid, started.timestamp_millis(), now_ms, lease_ms],
        )
        .map_err(db_err(&path))?;
        let renewed = tx
            .execute(
                "UPDATE outbox SET lease_until_ms = ?2 WHERE state = 'sending' AND owner = ?1",
                params![owner.id, now_ms + lease_ms],
            )
            .map_err(db_err(&path))?;
        tx.commit().map_err(db_err(&path))?;
        Ok(renewed)
    }

    /// Claims one occurrence of scheduled work (`kind` "feed", a feed's `name`, its cron
    /// time): true for the one daemon that should do it. Alone on the ledger, always true.
    pub fn claim_slot(&mut self, kind: &str, name: &str, slot: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool> {
        let Some(owner) = self.owner.clone() else { return Ok(true) };
        let path = self.path.clone();
        let slot_ms = slot.timestamp_millis();
        let week_ago = slot_ms - 7 * 86_400_000;
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.execute("DELETE FROM slots WHERE kind = ?1 AND name = ?2 AND slot_ms < ?3", params![kind, name, week_ago])
            .map_err(db_err(&path))?;
        let won = tx
            .execute(
                "INSERT INTO slots (kind, name, slot_ms, owner, claimed_ms) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT DO NOTHING",
                params![kind, name, slot_ms, owner.id, now.timestamp_millis()],
            )
            .map_err(db_err(&path))?;
        tx.commit().map_err(db_err(&path))?;
        Ok(won == 1)
    }

    /// The daemons that have stamped the ledger, with how many rows each is sending.
    pub fn instances(&self) -> Result<Vec<Instance>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.id, i.host, i.pid, i.started_ms, i.heartbeat_ms, i.lease_ms, \
                 (SELECT count(*) FROM outbox o WHERE o.state = 'sending' AND o.owner = i.id) \
                 FROM instances i ORDER BY i.id",
            )
            .map_err(db_err(&self.path))?;
        let rows = stmt
            .query_map((), |r| {
                Ok(Instance {
                    id: r.get(0)?,
                    host: r.get(1)?,
                    pid: r.get(2)?,
                    started: from_ms(r.get(3)?),
                    heartbeat: from_ms(r.get(4)?),
                    lease: chrono::Duration::milliseconds(r.get(5)?),
                    sending: r.get(6)?,
                })
            })
            .map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// How far catch-up has looked: an undecided alert planned up to this instant was seen
    /// on time by a running daemon, and a claim takes it as such. `None` before the first look.
    pub fn caught_up_through(&self) -> Result<Option<DateTime<Utc>>> {
        let ms: Option<String> = self.meta(CAUGHT_UP)?;
        Ok(ms.and_then(|ms| ms.parse().ok()).map(from_ms))
    }

    /// Records that catch-up has looked at every alert planned up to `now`. Two daemons
    /// sharing the ledger move it forward only; a mark more than `slack` ahead of `now` was
    /// left by a clock that has since gone back, and is brought back to `now`.
    pub fn mark_caught_up(&mut self, now: DateTime<Utc>, slack: chrono::Duration) -> Result<()> {
        let now_ms = now.timestamp_millis();
        let reset = now_ms.saturating_add(slack.num_milliseconds());
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2 \
                 WHERE CAST(meta.value AS INTEGER) < ?3 OR CAST(meta.value AS INTEGER) > ?4",
            )
            .and_then(|mut s| s.execute(params![CAUGHT_UP, now_ms.to_string(), now_ms, reset]))
            .map(drop)
            .map_err(db_err(&self.path))
    }

    /// The alerts catch-up must decide: those planned after `after` (the mark; all when
    /// `None`) and by `now` of each deadline that has one planned before `missed_before`,
    /// for the `limit` earliest such, so catch-up sees each deadline whole. Alerts on time
    /// need no decision: a claim takes them.
    pub fn unsettled(
        &self,
        after: Option<DateTime<Utc>>,
        missed_before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Unsettled>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                // `+kind`: the unique index starts with `kind`, and walking it visits every
                // alert ever planned; the partial indexes find the few that matter.
                "SELECT id, deadline_id, planned_ms FROM outbox WHERE state = 'pending' AND late IS NULL \
                 AND planned_ms > ?1 AND planned_ms <= ?2 AND +kind = 'alert' AND deadline_id IN (SELECT deadline_id \
                 FROM outbox WHERE state = 'pending' AND late IS NULL AND planned_ms > ?1 AND planned_ms < ?3 \
                 ORDER BY planned_ms LIMIT ?4) \
                 ORDER BY deadline_id, planned_ms, id",
            )
            .map_err(db_err(&self.path))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let after = after.map_or(i64::MIN, |t| t.timestamp_millis());
        let rows = stmt
            .query_map(params![after, now.timestamp_millis(), missed_before.timestamp_millis(), limit], |r| {
                Ok(Unsettled { id: r.get(0)?, deadline: r.get(1)?, planned: from_ms(r.get(2)?) })
            })
            .map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// Records catch-up's decisions for missed alerts: sent late, or cancelled. Only
    /// undecided rows change; an on-time decision writes nothing (a claim takes the row).
    /// One statement per kind of decision: two daemons sharing a ledger settle the same
    /// rows at once, and the second finds them settled.
    pub fn settle_due(&mut self, decisions: &[(i64, Settle)]) -> Result<()> {
        let ids = |want: fn(&Settle) -> bool| {
            let ids: Vec<i64> = decisions.iter().filter(|(_, d)| want(d)).map(|(id, _)| *id).collect();
            serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned())
        };
        let late = ids(|d| matches!(d, Settle::Send { late: true }));
        let skip = ids(|d| matches!(d, Settle::Skip));
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.execute(
            "UPDATE outbox SET late = 1 WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) \
             AND state = 'pending' AND late IS NULL",
            params![late],
        )
        .map_err(db_err(&path))?;
        tx.execute(
            "UPDATE outbox SET state = 'cancelled', late = 1, cancel_reason = ?2 \
             WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) AND state = 'pending' AND late IS NULL",
            params![skip, CancelReason::CatchUp.as_str()],
        )
        .map_err(db_err(&path))?;
        tx.commit().map_err(db_err(&path))
    }

    /// When catch-up must next look: the earliest undecided alert planned after its mark.
    pub fn next_unsettled(&self) -> Result<Option<DateTime<Utc>>> {
        let ms: Option<i64> = self
            .conn
            .prepare_cached(&format!(
                "SELECT MIN(planned_ms) FROM outbox WHERE state = 'pending' AND late IS NULL AND planned_ms > \
                 coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{CAUGHT_UP}'), ?1)"
            ))
            .and_then(|mut s| s.query_row([i64::MIN], |r| r.get(0)))
            .map_err(db_err(&self.path))?;
        Ok(ms.map(from_ms))
    }

    /// When `receiver`'s next row is due (a planned send or a retry).
    /// Sharing the ledger, the lease of a row another daemon holds counts too: when it runs
    /// out unrenewed, that daemon is gone and the row is this one's to send.
    pub fn next_due(&self, receiver: &str) -> Result<Option<DateTime<Utc>>> {
        let pending: Option<i64> = self
            .conn
            .prepare_cached("SELECT MIN(next_attempt_ms) FROM outbox WHERE state = 'pending' AND receiver = ?1")
            .and_then(|mut s| s.query_row([receiver], |r| r.get(0)))
            .map_err(db_err(&self.path))?;
        let Some(owner) = &self.owner else { return Ok(pending.map(from_ms)) };
        let leased: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT MIN(lease_until_ms) FROM outbox WHERE state = 'sending' AND receiver = ?1 AND owner <> ?2",
            )
            .and_then(|mut s| s.query_row(params![receiver, owner.id], |r| r.get(0)))
            .map_err(db_err(&self.path))?;
        Ok(pending.into_iter().chain(leased).min().map(from_ms))
    }

    /// Claims up to `limit` of `receiver`'s rows due at `now`, oldest first: each becomes
    /// `sending`, stamped with the claim time, in one short transaction. An alert row is
    /// checked against its deadline's current revision first; a stale one is cancelled and
    /// returned apart. An undecided alert is taken (as on time) once catch-up's mark has
    /// passed its planned time; until then it is left for catch-up.
    pub fn claim(&mut self, receiver: &str, limit: usize, now: DateTime<Utc>) -> Result<(Vec<Claimed>, Vec<Stale>)> {
        let path = self.path.clone();
        let now_ms = now.timestamp_millis();
        let owner = self.owner.clone();
        let postgres = self.conn.is_postgres();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        let mut claimed = Vec::new();
        let mut stale = Vec::new();
        {
            if owner.is_some() {
                // Rows whose claimer stopped renewing them (it died, or lost the ledger) are
                // taken back; they go out again under the same identity.
                tx.execute(
                    "UPDATE outbox SET state = 'pending', owner = NULL, lease_until_ms = NULL, claimed_ms = NULL \
                     WHERE state = 'sending' AND lease_until_ms <= ?1 AND receiver = ?2",
                    params![now_ms, receiver],
                )
                .map_err(db_err(&path))?;
            }
            // On PostgreSQL, rows another daemon is claiming right now are skipped, not waited for.
            let lock = if postgres { " FOR UPDATE OF o SKIP LOCKED" } else { "" };
            let sql = format!(
                "SELECT {ROW_COLUMNS}, d.revision, d.status, d.tracking FROM outbox o \
                 LEFT JOIN deadlines d ON d.id = o.deadline_id \
                 WHERE o.state = 'pending' AND o.receiver = ?1 AND o.next_attempt_ms <= ?2 AND (o.late IS NOT NULL \
                 OR o.planned_ms <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{CAUGHT_UP}')) \
                 ORDER BY o.next_attempt_ms, o.id LIMIT ?3{lock}"
            );
            let mut select = tx.prepare_cached(&sql).map_err(db_err(&path))?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = select
                .query_map(params![receiver, now_ms, limit], |r| {
                    Ok((
                        row_from(r)?,
                        r.get::<Option<i64>>(20)?,
                        r.get::<Option<String>>(21)?,
                        r.get::<Option<String>>(22)?,
                    ))
                })
                .map_err(db_err(&path))?;
            for row in rows {
                let (c, revision, status, tracking) = row.map_err(db_err(&path))?;
                let reason = if c.row.kind != MessageKind::Alert {
                    None
                } else if status.as_deref() != Some(DeadlineStatus::Active.as_str()) {
                    Some(CancelReason::Withdrawn)
                } else if tracking.as_deref() != Some(Tracking::Tracked.as_str()) {
                    Some(CancelReason::Untracked)
                } else if revision != Some(c.row.key.revision) {
                    Some(CancelReason::Moved)
                } else {
                    None
                };
                match reason {
                    Some(reason) => stale.push(Stale { id: c.row.id, deadline: c.row.key.deadline.clone(), reason }),
                    None => claimed.push(c),
                }
            }
            let mut cancel = tx
                .prepare_cached("UPDATE outbox SET state = 'cancelled', cancel_reason = ?2 WHERE id = ?1")
                .map_err(db_err(&path))?;
            for s in &stale {
                cancel.execute(params![s.id, s.reason.as_str()]).map_err(db_err(&path))?;
            }
            let (owner, lease_until) = match &owner {
                Some(o) => (Some(o.id.as_str()), Some(now_ms + o.lease.num_milliseconds())),
                None => (None, None),
            };
            if !claimed.is_empty() {
                // One statement for the batch: on PostgreSQL each is a round trip.
                let ids = serde_json::to_string(&claimed.iter().map(|c| c.row.id).collect::<Vec<_>>())
                    .unwrap_or_else(|_| "[]".to_owned());
                tx.prepare_cached(
                    "UPDATE outbox SET state = 'sending', claimed_ms = ?2, owner = ?3, lease_until_ms = ?4, \
                     late = coalesce(late, 0) WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1))",
                )
                .and_then(|mut s| s.execute(params![ids, now_ms, owner, lease_until]))
                .map_err(db_err(&path))?;
            }
            for c in &mut claimed {
                c.row.state = AlertState::Sending;
            }
        }
        tx.commit().map_err(db_err(&path))?;
        Ok((claimed, stale))
    }

    /// Records the outcome of one row's send. Only a row still `sending` changes, so a
    /// settle that comes after the row was recovered or cancelled does nothing. One
    /// statement, no transaction around it: on PostgreSQL one round trip, not three.
    pub fn settle(&mut self, id: i64, outcome: &Outcome, now: DateTime<Utc>) -> Result<bool> {
        let owner = self.owner.as_ref().map(|o| o.id.clone());
        let changed = settle_in(&self.conn, id, outcome, now, owner.as_deref()).map_err(db_err(&self.path))?;
        Ok(changed == 1)
    }

    /// Marks each of `ids` sent in one transaction, running `effect` for each row that was
    /// still this daemon's, in the order of `ids`, before the commit: a batch of log alerts
    /// is written and settled in one step (a crash before the commit writes them again).
    /// (`state || ''`: see [`settle_in`].)
    pub fn settle_sent_with(&mut self, ids: &[i64], now: DateTime<Utc>, mut effect: impl FnMut(i64)) -> Result<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        let path = self.path.clone();
        let owner = self.owner.as_ref().map(|o| o.id.clone());
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let now_ms = now.timestamp_millis();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        let settled: std::collections::HashSet<i64> = tx
            .prepare_cached(
                "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_ms = ?2, last_error = NULL, \
                 next_attempt_ms = ?2, first_attempt_ms = coalesce(first_attempt_ms, ?2), claimed_ms = NULL, \
                 owner = NULL, lease_until_ms = NULL \
                 WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) AND (state || '') = 'sending' \
                 AND owner IS ?3 RETURNING id",
            )
            .and_then(|mut s| s.query_map(params![list, now_ms, owner], |r| r.get(0))?.collect())
            .map_err(db_err(&path))?;
        for &id in ids.iter().filter(|id| settled.contains(id)) {
            effect(id);
        }
        tx.commit().map_err(db_err(&path))?;
        Ok(settled.len())
    }

    /// Puts a claimed row that was never sent back as it was (a stop came first).
    pub fn release(&mut self, id: i64) -> Result<()> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'pending', claimed_ms = NULL, owner = NULL, lease_until_ms = NULL \
                 WHERE id = ?1 AND state = 'sending' AND owner IS ?2",
                params![id, self.owner.as_ref().map(|o| o.id.as_str())],
            )
            .map(drop)
            .map_err(db_err(&self.path))
    }

    /// Puts a claimed row back, untried, until `until` (quiet hours); it will go out late.
    pub fn defer(&mut self, id: i64, until: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'pending', next_attempt_ms = ?2, claimed_ms = NULL, late = 1, owner = NULL, \
                 lease_until_ms = NULL WHERE id = ?1 AND state = 'sending' AND owner IS ?3",
                params![id, until.timestamp_millis(), self.owner.as_ref().map(|o| o.id.as_str())],
            )
            .map(drop)
            .map_err(db_err(&self.path))
    }

    /// Fails every unsent row of a receiver that is no longer in the config. The receivers
    /// with unsent rows are found by hopping through the index of due rows, one lookup per
    /// receiver, never a walk over every pending row.
    pub fn fail_unknown_receivers(&mut self, known: &[&str], now: DateTime<Utc>) -> Result<usize> {
        let known = serde_json::to_string(known).unwrap_or_else(|_| "[]".to_owned());
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        let gone: Vec<String> = tx
            .prepare_cached(
                "WITH RECURSIVE r(name) AS ( \
                   SELECT MIN(receiver) FROM outbox WHERE state = 'pending' \
                   UNION ALL \
                   SELECT (SELECT MIN(receiver) FROM outbox WHERE state = 'pending' AND receiver > r.name) \
                   FROM r WHERE r.name IS NOT NULL) \
                 SELECT name FROM r WHERE name IS NOT NULL AND name NOT IN (SELECT value FROM json_each(?1))",
            )
            .and_then(|mut s| s.query_map([&known], |r| r.get(0))?.collect())
            .map_err(db_err(&path))?;
        let mut failed = 0;
        for name in &gone {
            failed += tx
                .execute(
                    "UPDATE outbox SET state = 'failed', sent_ms = NULL, next_attempt_ms = ?2, \
                     last_error = 'receiver \"' || receiver || '\" is no longer in the config' \
                     WHERE state IN ('pending', 'sending') AND receiver = ?1",
                    params![name, now.timestamp_millis()],
                )
                .map_err(db_err(&path))?;
        }
        tx.commit().map_err(db_err(&path))?;
        Ok(failed)
    }

    /// Every outbox row of every kind, in planned order; with `deadline`, that deadline's alerts.
    pub fn alerts(&self, deadline: Option<&str>) -> Result<Vec<Alert>> {
        // Two statements, so that one deadline's rows come from its index.
        let filter = if deadline.is_some() { "WHERE o.deadline_id = ?1" } else { "WHERE CAST(?1 AS TEXT) IS NULL" };
        let sql = format!("SELECT {ROW_COLUMNS} FROM outbox o {filter} ORDER BY o.planned_ms, o.id");
        let mut stmt = self.conn.prepare(&sql).map_err(db_err(&self.path))?;
        let rows = stmt.query_map([deadline], |r| row_from(r).map(|c| c.row)).map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// One page of outbox rows in planned order after `from` (planned time, row id),
    /// optionally of one deadline or in one state: what the API lists.
    pub fn alerts_page(
        &self,
        deadline: Option<&str>,
        state: Option<AlertState>,
        from: Option<(DateTime<Utc>, i64)>,
        limit: usize,
    ) -> Result<Vec<Alert>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM outbox o WHERE (CAST(?1 AS TEXT) IS NULL OR o.deadline_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR o.state = ?2) \
             AND (o.planned_ms, o.id) > (?3, ?4) ORDER BY o.planned_ms, o.id LIMIT ?5"
        );
        let (from_ms, from_id) = from.map_or((i64::MIN, i64::MIN), |(t, id)| (t.timestamp_millis(), id));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db_err(&self.path))?;
        let rows = stmt
            .query_map(params![deadline, state.map(AlertState::as_str), from_ms, from_id, limit], |r| {
                row_from(r).map(|c| c.row)
            })
            .map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// The first alert of each of `deadlines` to `receiver`, which later ones reply to so
    /// that a mail client threads them; one query for all. (`+kind`: SQLite would otherwise
    /// walk every alert row in the outbox's unique index rather than each deadline's rows.)
    pub fn thread_roots(&self, deadlines: &[&str], receiver: &str) -> Result<HashMap<String, AlertKey>> {
        let list = serde_json::to_string(deadlines).unwrap_or_else(|_| "[]".to_owned());
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT deadline_id, revision, lead_seconds FROM (SELECT deadline_id, revision, lead_seconds, \
                 ROW_NUMBER() OVER (PARTITION BY deadline_id ORDER BY planned_ms, id) AS n FROM outbox \
                 WHERE +kind = 'alert' AND deadline_id IN (SELECT value FROM json_each(?1)) AND receiver = ?2 \
                 AND state != 'cancelled') AS ranked WHERE n = 1",
            )
            .map_err(db_err(&self.path))?;
        let rows = stmt
            .query_map(params![list, receiver], |r| {
                let deadline: String = r.get(0)?;
                Ok((
                    deadline.clone(),
                    AlertKey { deadline, revision: r.get(1)?, lead_seconds: r.get(2)?, receiver: receiver.to_owned() },
                ))
            })
            .map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// Writes one run of digest `name` per target and moves its cursor, in one transaction.
    pub fn plan_digest(&mut self, name: &str, planned: DateTime<Utc>, targets: &[Target], late: bool) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.lock_ledger().map_err(db_err(&path))?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO outbox (kind, key, receiver, recipient, digest, planned_ms, state, late, \
                     next_attempt_ms) VALUES ('digest', ?6, ?3, ?4, ?1, ?2, 'pending', ?5, ?2) ON CONFLICT DO NOTHING",
                )
                .map_err(db_err(&path))?;
            for t in targets {
                insert
                    .execute(params![
                        name,
                        planned.timestamp_millis(),
                        t.receiver,
                        t.recipient,
                        late,
                        format!("{name}/{}", planned.timestamp_millis())
                    ])
                    .map_err(db_err(&path))?;
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![format!("digest:{name}"), planned.timestamp_millis().to_string()],
            )
            .map_err(db_err(&path))?;
        }
        tx.commit().map_err(db_err(&path))
    }

    /// The last digest occurrence handled for `name` (or when counting started).
    pub fn digest_cursor(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        Ok(self.meta(&format!("digest:{name}"))?.and_then(|v| v.parse().ok()).map(from_ms))
    }

    pub fn set_digest_cursor(&self, name: &str, at: DateTime<Utc>) -> Result<()> {
        self.set_meta(&format!("digest:{name}"), &at.timestamp_millis().to_string())
    }

    /// Stops the remaining lead alerts of `deadline`'s current revision for `receiver`
    /// (every receiver when `None`). Returns the revision and how many rows were cancelled;
    /// `None` when there is no such deadline.
    pub fn ack(&mut self, deadline: &str, receiver: Option<&str>, now: DateTime<Utc>) -> Result<Option<(i64, usize)>> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_err(&path))?;
        tx.lock_ledger().map_err(db_err(&path))?;
        let revision: Option<i64> = tx
            .query_row("SELECT revision FROM deadlines WHERE id = ?1", [deadline], |r| r.get(0))
            .optional()
            .map_err(db_err(&path))?;
        let Some(revision) = revision else { return Ok(None) };
        tx.execute(
            "INSERT INTO acks (deadline_id, revision, receiver, acked_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![deadline, revision, receiver.unwrap_or("*"), now.timestamp_millis()],
        )
        .map_err(db_err(&path))?;
        let cancelled = tx
            .execute(
                "UPDATE outbox SET state = 'cancelled', cancel_reason = ?4 WHERE kind = 'alert' AND deadline_id = ?1 \
                 AND revision = ?2 AND state = 'pending' AND (CAST(?3 AS TEXT) IS NULL OR receiver = ?3)",
                params![deadline, revision, receiver, CancelReason::Acknowledged.as_str()],
            )
            .map_err(db_err(&path))?;
        tx.commit().map_err(db_err(&path))?;
        Ok(Some((revision, cancelled)))
    }

    /// How many outbox rows there are of each kind in each state.
    pub fn outbox_counts(&self) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, state, count(*) FROM outbox GROUP BY kind, state")
            .map_err(db_err(&self.path))?;
        let rows = stmt.query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// For each receiver with messages still being retried, the planned time of the oldest.
    pub fn retrying_since(&self) -> Result<Vec<(String, DateTime<Utc>)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT receiver, min(planned_ms) FROM outbox WHERE state = 'pending' AND attempts > 0 GROUP BY receiver",
            )
            .map_err(db_err(&self.path))?;
        let rows = stmt.query_map((), |r| Ok((r.get(0)?, from_ms(r.get(1)?)))).map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }

    /// Active, tracked deadlines due after `after`, one page in (due, id) order past `from`.
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
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db_err(&self.path))?;
        let rows = stmt
            .query_map(params![after.timestamp_millis(), from_ms, from_id, limit], deadline_from_row)
            .map_err(db_err(&self.path))?;
        rows.collect::<db::Result<_>>().map_err(db_err(&self.path))
    }
}

/// Marks row `id` with its send's outcome, if it is still `sending` and still `owner`'s: a
/// row another daemon took back after this one's lease ran out is that one's now.
fn settle_in(
    conn: &Connection,
    id: i64,
    outcome: &Outcome,
    now: DateTime<Utc>,
    owner: Option<&str>,
) -> db::Result<usize> {
    let now_ms = now.timestamp_millis();
    let (state, sent, error, next) = match outcome {
        Outcome::Sent => (AlertState::Sent, Some(now_ms), None, now_ms),
        Outcome::RetryAt { at, error } => (AlertState::Pending, None, Some(error.as_str()), at.timestamp_millis()),
        Outcome::Failed { error } => (AlertState::Failed, None, Some(error.as_str()), now_ms),
    };
    // `state || ''` keeps PostgreSQL on the primary key: given `state = 'sending'` it may
    // choose the partial index of sending rows (its statistics, taken while the burst was
    // pending, say that index is empty) and walk every entry there, dead ones too, for one row.
    conn.prepare_cached(
        "UPDATE outbox SET state = ?2, attempts = attempts + 1, sent_ms = ?3, last_error = ?4, \
         next_attempt_ms = ?5, first_attempt_ms = coalesce(first_attempt_ms, ?6), claimed_ms = NULL, \
         owner = NULL, lease_until_ms = NULL \
         WHERE id = ?1 AND (state || '') = 'sending' AND owner IS ?7",
    )
    .and_then(|mut s| s.execute(params![id, state.as_str(), sent, error, next, now_ms, owner]))
}

/// Queues one notice of `facts` for each target, due at once.
pub(super) fn add_notice(tx: &Transaction<'_>, targets: &[Target], facts: &[&super::Fact], now: i64) -> db::Result<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let notice: i64 = tx.query_row(
        "INSERT INTO notices (created_ms, facts) VALUES (?1, ?2) RETURNING id",
        params![now, serde_json::to_string(facts).unwrap_or_else(|_| "[]".to_owned())],
        |r| r.get(0),
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO outbox (kind, key, receiver, recipient, notice_id, planned_ms, state, late, next_attempt_ms) \
         VALUES ('notice', ?5, ?2, ?3, ?1, ?4, 'pending', 0, ?4)",
    )?;
    for t in targets {
        insert.execute(params![notice, t.receiver, t.recipient, now, notice.to_string()])?;
    }
    Ok(())
}

struct Existing {
    id: i64,
    revision: i64,
    state: String,
    planned_ms: i64,
    cancel_reason: Option<String>,
}

/// Adds the wanted alerts that are missing, cancels unsent ones no longer wanted (every
/// unsent row of an old revision, those waiting for a retry too), and revives ones
/// cancelled earlier that are wanted again and still ahead. Rows of an acknowledged
/// (revision, receiver) are not added.
pub(super) fn apply_plan_in(
    tx: &Transaction<'_>,
    deadline: &Deadline,
    wanted: &[PlannedAlert],
    now: i64,
    counts: &mut PlanCounts,
) -> db::Result<()> {
    let mut existing: HashMap<(i64, i64, String, String), Existing> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, revision, lead_seconds, receiver, recipient, state, planned_ms, cancel_reason FROM outbox \
             WHERE deadline_id = ?1 AND kind = 'alert'",
        )?;
        let rows = stmt.query_map([&deadline.id], |r| {
            Ok((
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
                Existing {
                    id: r.get(0)?,
                    revision: r.get(1)?,
                    state: r.get(5)?,
                    planned_ms: r.get(6)?,
                    cancel_reason: r.get(7)?,
                },
            ))
        })?;
        for row in rows {
            let (key, row) = row?;
            existing.insert(key, row);
        }
    }
    let acked: Vec<String> = tx
        .prepare_cached("SELECT receiver FROM acks WHERE deadline_id = ?1 AND revision = ?2")?
        .query_map(params![deadline.id, deadline.revision], |r| r.get(0))?
        .collect::<db::Result<_>>()?;
    let mut insert = tx.prepare_cached(
        // Two daemons planning the same deadline at once make one row (the key is unique).
        "INSERT INTO outbox (kind, key, receiver, recipient, deadline_id, revision, lead_seconds, lead, planned_ms, \
         state, next_attempt_ms) VALUES ('alert', ?8, ?4, ?5, ?1, ?2, ?3, ?6, ?7, 'pending', ?7) ON CONFLICT DO NOTHING",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE outbox SET state = 'pending', planned_ms = ?2, next_attempt_ms = ?2, lead = ?3, late = NULL, \
         cancel_reason = NULL WHERE id = ?1",
    )?;
    let mut cancel = tx.prepare_cached("UPDATE outbox SET state = 'cancelled', cancel_reason = ?2 WHERE id = ?1")?;
    for p in wanted {
        if acked.iter().any(|r| r == "*" || *r == p.key.receiver) {
            continue;
        }
        let key = (p.key.revision, p.key.lead_seconds, p.key.receiver.clone(), p.recipient.clone());
        let planned_ms = p.planned.timestamp_millis();
        match existing.remove(&key) {
            None => {
                counts.planned += insert.execute(params![
                    p.key.deadline,
                    p.key.revision,
                    p.key.lead_seconds,
                    p.key.receiver,
                    p.recipient,
                    p.lead,
                    planned_ms,
                    format!("{}/{}/{}", p.key.deadline, p.key.revision, p.key.lead_seconds)
                ])?;
            }
            Some(row) => {
                let revivable =
                    row.cancel_reason.as_deref().and_then(CancelReason::parse).is_none_or(|r| r.revivable());
                let revive = row.state == AlertState::Cancelled.as_str() && planned_ms > now && revivable;
                let shifted = row.state == AlertState::Pending.as_str() && row.planned_ms != planned_ms;
                if revive || shifted {
                    update.execute(params![row.id, planned_ms, p.lead])?;
                    counts.planned += usize::from(revive);
                }
            }
        }
    }
    for row in existing.into_values().filter(|r| r.state == AlertState::Pending.as_str()) {
        let reason = if deadline.status == DeadlineStatus::Withdrawn {
            CancelReason::Withdrawn
        } else if deadline.tracking != Tracking::Tracked {
            CancelReason::Untracked
        } else if row.revision != deadline.revision {
            CancelReason::Moved
        } else if row.planned_ms > now {
            CancelReason::Replanned
        } else {
            // Missed while nothing ran, and still about the current due time: catch-up decides.
            continue;
        };
        cancel.execute(params![row.id, reason.as_str()])?;
        counts.cancelled += 1;
    }
    Ok(())
}
