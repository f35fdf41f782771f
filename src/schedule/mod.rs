//! When messages are due: lead-time planning and routing (pure functions, called by
//! whoever writes the ledger, in the same transaction), catch-up after downtime, and the
//! slots of scheduled digests. Takes `now` and its collaborators as arguments; never
//! reads the wall clock itself, and never sends.

pub mod route;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::Config;
use crate::model::{AlertKey, CatchUp, Deadline, DeadlineStatus, Lead, PlannedAlert};
use crate::store::{Settle, Store, StoreError, SyncReport, Unsettled};

/// The longest the dispatcher sleeps without looking at the wall clock again, so a
/// suspend or a clock step is noticed within this time.
pub const MAX_SLEEP: Duration = Duration::from_secs(60);
const PLAN_FINGERPRINT: &str = "plan_fingerprint";
const BATCH: usize = 500;

/// The source of the current time; the daemon passes the system clock, tests their own.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The latest occurrence of `schedule` in `(after, now]`, evaluated in `tz`: a digest missed
/// several times while the daemon was down is sent once.
pub fn latest_occurrence(
    schedule: &croner::Cron,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    let mut latest = None;
    let mut from = after.with_timezone(&tz);
    // Bounded: a schedule every minute, down for more than two months, still ends here.
    for _ in 0..100_000 {
        let next = schedule.find_next_occurrence(&from, false).ok()?;
        if next.with_timezone(&Utc) > now {
            break;
        }
        latest = Some(next.with_timezone(&Utc));
        from = next;
    }
    latest
}

/// The alerts a deadline should have: one per lead time and routed receiver, at
/// `due - lead`, for leads still in the future. A withdrawn or untracked deadline has none.
pub fn plan(deadline: &Deadline, config: &Config, now: DateTime<Utc>) -> Vec<PlannedAlert> {
    if deadline.status != DeadlineStatus::Active || deadline.tracking != crate::model::Tracking::Tracked {
        return Vec::new();
    }
    // Outside `[daemon] earliest` .. now + `horizon` (a year 9999): never planned.
    if !config.daemon.plausible(deadline.due, now) {
        return Vec::new();
    }
    let own: Option<Vec<Lead>> =
        deadline.lead_times.as_ref().map(|leads| leads.iter().filter_map(|l| Lead::parse(l).ok()).collect());
    let leads = own.as_deref().unwrap_or(&config.alerts.lead_times);
    let targets = route::targets(config, &deadline.id, &deadline.tags);
    let mut out = Vec::with_capacity(leads.len() * targets.len());
    for lead in leads {
        let Some(planned) = lead.fire_time(deadline.due, config.daemon.timezone) else {
            continue;
        };
        if planned <= now {
            continue;
        }
        for target in &targets {
            out.push(PlannedAlert {
                key: AlertKey {
                    deadline: deadline.id.clone(),
                    revision: deadline.revision,
                    lead_seconds: lead.seconds(),
                    receiver: target.receiver.clone(),
                },
                recipient: target.recipient.clone(),
                lead: lead.as_str().to_owned(),
                planned,
            });
        }
    }
    out
}

/// Decides what happens to alerts whose time came. One that is at most `late_after` past
/// its time is sent as usual; older ones were missed, and `policy` picks which of those are
/// still sent (marked late): `all`, `skip`, or only each deadline's `latest` (none if an
/// on-time alert of that deadline is due as well).
pub fn settle_due(due: &[Unsettled], now: DateTime<Utc>, policy: CatchUp, late_after: Duration) -> Vec<(i64, Settle)> {
    let late_after = chrono::Duration::from_std(late_after).unwrap_or(chrono::Duration::MAX);
    let missed = |a: &Unsettled| now - a.planned > late_after;
    // Per deadline, the planned time of the one missed lead that `latest` still sends.
    let mut latest: HashMap<&str, Option<DateTime<Utc>>> = HashMap::new();
    for a in due {
        let entry = latest.entry(a.deadline.as_str()).or_insert(Some(DateTime::<Utc>::MIN_UTC));
        if !missed(a) {
            *entry = None;
        } else if let Some(t) = entry {
            *t = (*t).max(a.planned);
        }
    }
    due.iter()
        .map(|a| {
            let decision = if !missed(a) {
                Settle::Send { late: false }
            } else {
                match policy {
                    CatchUp::All => Settle::Send { late: true },
                    CatchUp::Skip => Settle::Skip,
                    CatchUp::Latest if latest.get(a.deadline.as_str()) == Some(&Some(a.planned)) => {
                        Settle::Send { late: true }
                    }
                    CatchUp::Latest => Settle::Skip,
                }
            };
            (a.id, decision)
        })
        .collect()
}

/// Settles every alert missed since catch-up last looked under the catch-up policy (see
/// [`settle_due`]); then records that it looked up to `now`. An alert found on time is
/// left undecided: a claim takes it, however long its receiver keeps it waiting.
pub fn catch_up(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Result<(), StoreError> {
    let late_after = chrono::Duration::from_std(config.alerts.late_after).unwrap_or(chrono::Duration::MAX);
    let after = store.caught_up_through()?;
    if let Some(mark) = after
        && mark - now > late_after
    {
        // Another instance's clock runs ahead of this one (or this one went back): alerts
        // may be judged missed by the one and on time by the other.
        tracing::warn!(
            mark = %mark.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            now = %now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "catch-up's mark in the ledger is ahead of this clock by more than late_after; check the clocks of the instances sharing it"
        );
    }
    let missed_before = now.checked_sub_signed(late_after).unwrap_or(DateTime::<Utc>::MIN_UTC);
    loop {
        let due = store.unsettled(after, missed_before, now, BATCH)?;
        if due.is_empty() {
            return store.mark_caught_up(now, late_after);
        }
        store.settle_due(&settle_due(&due, now, config.alerts.catch_up, config.alerts.late_after))?;
    }
}

/// Writes the runs of digests whose time has come (one run for several missed ones,
/// marked late). A digest new to the ledger counts from now.
pub fn plan_digests(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Result<(), StoreError> {
    let tz = config.daemon.timezone;
    let late_after = chrono::Duration::from_std(config.alerts.late_after).unwrap_or(chrono::Duration::MAX);
    for digest in &config.digests {
        match store.digest_cursor(&digest.name)? {
            None => store.set_digest_cursor(&digest.name, now)?,
            Some(cursor) => {
                if let Some(at) = latest_occurrence(&digest.schedule, cursor, now, tz) {
                    let targets = route::targets_of(config, &digest.receivers);
                    store.plan_digest(&digest.name, at, &targets, now - at > late_after)?;
                }
            }
        }
    }
    Ok(())
}

/// When the next digest run is due.
pub fn next_digest(store: &Store, config: &Config) -> Option<DateTime<Utc>> {
    let tz = config.daemon.timezone;
    config
        .digests
        .iter()
        .filter_map(|d| {
            let cursor = store.digest_cursor(&d.name).ok().flatten()?;
            d.schedule.find_next_occurrence(&cursor.with_timezone(&tz), false).ok().map(|t| t.with_timezone(&Utc))
        })
        .min()
}

/// How long the dispatcher may sleep: until the next due row, but never past [`MAX_SLEEP`] or `cap`.
pub fn sleep_for(now: DateTime<Utc>, next: Option<DateTime<Utc>>, cap: Duration) -> Duration {
    let cap = cap.min(MAX_SLEEP);
    match next {
        None => cap,
        Some(t) => (t - now).to_std().unwrap_or(Duration::ZERO).min(cap),
    }
}

/// Makes the declared deadlines in `store` match `config` and plans their alerts; when
/// the routing or lead times changed since the last run, every active deadline is planned
/// again. The daemon does this at start and reload, `sanctiond ingest` before merging.
pub fn sync(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Result<SyncReport, StoreError> {
    let source = format!("config:{}", config.path.display());
    let report = store.sync_declared(&config.deadlines, &source, now)?;
    let fingerprint = config.plan_fingerprint();
    if store.meta(PLAN_FINGERPRINT)?.as_deref() == Some(fingerprint.as_str()) {
        let mut changed = Vec::new();
        for id in report.to_plan() {
            changed.extend(store.deadline(id)?);
        }
        apply(store, config, &changed, now)?;
    } else {
        replan_all(store, config, now)?;
        // Withdrawn deadlines are not in the active pages; cancel what they still have.
        let mut withdrawn = Vec::new();
        for id in &report.withdrawn {
            withdrawn.extend(store.deadline(id)?);
        }
        apply(store, config, &withdrawn, now)?;
        store.set_meta(PLAN_FINGERPRINT, &fingerprint)?;
    }
    Ok(report)
}

fn replan_all(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut from: Option<(DateTime<Utc>, String)> = None;
    loop {
        let page = store.active_deadlines_page(now, from.as_ref().map(|(t, id)| (*t, id.as_str())), 10 * BATCH)?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        from = Some((last.due, last.id.clone()));
        apply(store, config, &page, now)?;
    }
}

fn apply(store: &mut Store, config: &Config, deadlines: &[Deadline], now: DateTime<Utc>) -> Result<(), StoreError> {
    let plans = deadlines.iter().map(|d| (d, plan(d, config, now)));
    let counts = store.apply_plans(plans, now)?;
    if counts.planned + counts.cancelled > 0 {
        tracing::debug!(planned = counts.planned, cancelled = counts.cancelled, "alerts planned");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_is_capped_and_never_negative() {
        let now = DateTime::from_timestamp(1_000_000, 0).expect("time");
        assert_eq!(sleep_for(now, None, Duration::from_secs(600)), MAX_SLEEP);
        assert_eq!(sleep_for(now, Some(now - chrono::Duration::seconds(5)), MAX_SLEEP), Duration::ZERO);
        assert_eq!(sleep_for(now, Some(now + chrono::Duration::seconds(5)), MAX_SLEEP), Duration::from_secs(5));
        assert_eq!(
            sleep_for(now, Some(now + chrono::Duration::hours(5)), Duration::from_secs(15)),
            Duration::from_secs(15)
        );
    }
}
