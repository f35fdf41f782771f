//! When alerts fire: lead-time planning, catch-up after downtime, and the timer loop that
//! sleeps until the next planned alert. Takes `now` and its collaborators as arguments;
//! never reads the wall clock itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::{Notify, watch};

use crate::config::Config;
use crate::model::{AlertKey, CatchUp, Deadline, DeadlineStatus, Lead, PlannedAlert};
use crate::store::{Delivery, DigestRun, DueAlert, Notice, Outcome, Recipients, Settle, Store, StoreError, SyncReport};

/// The longest the timer sleeps without looking at the wall clock again, so a suspend or
/// a clock step is noticed within this time.
pub const MAX_SLEEP: Duration = Duration::from_secs(60);
const PLAN_FINGERPRINT: &str = "plan_fingerprint";
const BATCH: usize = 500;

/// The source of the current time; the daemon passes the system clock, tests their own.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Hands due alerts to their receivers: one result per alert, in order, with what each
/// email recipient got so far. `store` is there to read context (revisions, threads).
pub trait Deliver: Send {
    fn deliver(
        &mut self,
        config: &Config,
        store: &Store,
        alerts: &[DueAlert],
        now: DateTime<Utc>,
    ) -> Vec<(Delivery, Recipients)>;

    /// Sends one run of a digest to its receiver.
    fn deliver_digest(
        &mut self,
        config: &Config,
        store: &Store,
        run: &DigestRun,
        now: DateTime<Utc>,
    ) -> (Delivery, Recipients);

    /// Sends one notice (the new facts of one ingest) to its receiver.
    fn deliver_notice(&mut self, config: &Config, notice: &Notice, now: DateTime<Utc>) -> (Delivery, Recipients);
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

/// The first retry comes 10-15 s after a failure; each next one waits twice as long, up
/// to 15 minutes. The jitter, derived from `seed` and the attempt, spreads out retries of
/// many alerts that failed together.
pub fn retry_delay(failures: i64, seed: i64) -> Duration {
    const BASE: u64 = 10;
    const CAP: u64 = 15 * 60;
    let exponent = u32::try_from(failures.clamp(1, 12) - 1).unwrap_or(0);
    let base = BASE.saturating_mul(1 << exponent).min(CAP);
    let mix = (seed as u64 ^ (failures as u64).rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let jitter_ms = (mix >> 33) % (base * 500);
    Duration::from_millis((base * 1000 + jitter_ms).min(CAP * 1000))
}

/// What the retry policy needs to know of earlier attempts.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// Attempts made before this one.
    pub failures: i64,
    /// When the first attempt was made, if there was one.
    pub first: Option<DateTime<Utc>>,
    /// Spreads the jitter of different alerts.
    pub seed: i64,
}

/// Turns one attempt's result into what the outbox records: a retry time, or failed once
/// retrying has gone on for `max_retry`.
pub fn outcome(
    attempt: Attempt,
    delivery: Delivery,
    recipients: Recipients,
    now: DateTime<Utc>,
    max_retry: Duration,
) -> Outcome {
    match delivery {
        Delivery::Delivered => Outcome::Sent { recipients },
        Delivery::Failed(error) => Outcome::Failed { error, recipients },
        Delivery::Retry(error) => {
            let delay = retry_delay(attempt.failures + 1, attempt.seed);
            let at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
            let first = attempt.first.unwrap_or(now);
            let limit = chrono::Duration::from_std(max_retry).unwrap_or(chrono::Duration::MAX);
            if at - first > limit {
                let error = format!(
                    "gave up after {} attempts over {}: {error}",
                    attempt.failures + 1,
                    humantime::format_duration(max_retry)
                );
                Outcome::Failed { error, recipients }
            } else {
                Outcome::RetryAt { at, error, recipients }
            }
        }
    }
}

/// The alerts a deadline should have: one per lead time and routed receiver, at
/// `due - lead`, for leads still in the future. A withdrawn or untracked deadline has none.
pub fn plan(deadline: &Deadline, config: &Config, now: DateTime<Utc>) -> Vec<PlannedAlert> {
    if deadline.status != DeadlineStatus::Active || deadline.tracking != crate::model::Tracking::Tracked {
        return Vec::new();
    }
    let own: Option<Vec<Lead>> =
        deadline.lead_times.as_ref().map(|leads| leads.iter().filter_map(|l| Lead::parse(l).ok()).collect());
    let leads = own.as_deref().unwrap_or(&config.alerts.lead_times);
    let receivers = config.receivers_for(&deadline.id, &deadline.tags);
    let mut out = Vec::with_capacity(leads.len() * receivers.len());
    for lead in leads {
        let Some(planned) = lead.fire_time(deadline.due, config.daemon.timezone) else {
            continue;
        };
        if planned <= now {
            continue;
        }
        for receiver in receivers {
            out.push(PlannedAlert {
                key: AlertKey {
                    deadline: deadline.id.clone(),
                    revision: deadline.revision,
                    lead_seconds: lead.seconds(),
                    receiver: receiver.clone(),
                },
                lead: lead.as_str().to_owned(),
                planned,
            });
        }
    }
    out
}

/// Decides what happens to alerts that are due at `now`. One that is at most `late_after`
/// past its time is sent as usual; older ones were missed, and `policy` picks which of
/// those are still sent (marked late): `all`, `skip`, or only each deadline's `latest`
/// (none if an on-time alert of that deadline is due as well).
pub fn settle_due(due: &[DueAlert], now: DateTime<Utc>, policy: CatchUp, late_after: Duration) -> Vec<(i64, Settle)> {
    let late_after = chrono::Duration::from_std(late_after).unwrap_or(chrono::Duration::MAX);
    let missed = |a: &DueAlert| now - a.alert.planned > late_after;
    // Per deadline, the planned time of the one missed lead that `latest` still sends.
    let mut latest: HashMap<&str, Option<DateTime<Utc>>> = HashMap::new();
    for a in due {
        let entry = latest.entry(a.alert.key.deadline.as_str()).or_insert(Some(DateTime::<Utc>::MIN_UTC));
        if !missed(a) {
            *entry = None;
        } else if let Some(t) = entry {
            *t = (*t).max(a.alert.planned);
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
                    CatchUp::Latest if latest.get(a.alert.key.deadline.as_str()) == Some(&Some(a.alert.planned)) => {
                        Settle::Send { late: true }
                    }
                    CatchUp::Latest => Settle::Skip,
                }
            };
            (a.alert.id, decision)
        })
        .collect()
}

/// How long the timer may sleep: until the next alert, but never past [`MAX_SLEEP`] or `cap`.
pub fn sleep_for(now: DateTime<Utc>, next: Option<DateTime<Utc>>, cap: Duration) -> Duration {
    let cap = cap.min(MAX_SLEEP);
    match next {
        None => cap,
        Some(t) => (t - now).to_std().unwrap_or(Duration::ZERO).min(cap),
    }
}

/// The ledger, the config in force and the receivers, with the operations of the timer.
pub struct Scheduler {
    store: Store,
    config: Arc<Config>,
    deliver: Box<dyn Deliver>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler").field("store", &self.store.path()).field("config", &self.config.path).finish()
    }
}

impl Scheduler {
    /// Syncs the declared deadlines into `store` and plans their alerts. When the routing
    /// or lead times changed since the last run, every active deadline is planned again.
    pub fn open(
        store: Store,
        config: Arc<Config>,
        deliver: Box<dyn Deliver>,
        now: DateTime<Utc>,
    ) -> Result<(Scheduler, SyncReport), StoreError> {
        let mut scheduler = Scheduler { store, config, deliver };
        let report = scheduler.sync(now)?;
        Ok((scheduler, report))
    }

    /// Swaps in a new, already validated config and plans what it changed.
    pub fn reload(&mut self, config: Arc<Config>, now: DateTime<Utc>) -> Result<SyncReport, StoreError> {
        self.config = config;
        self.sync(now)
    }

    /// Replaces the receivers, for a reload that changed them.
    pub fn set_deliver(&mut self, deliver: Box<dyn Deliver>) {
        self.deliver = deliver;
    }

    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn sync(&mut self, now: DateTime<Utc>) -> Result<SyncReport, StoreError> {
        sync(&mut self.store, &self.config, now)
    }

    /// Settles every alert due at `now` under the catch-up policy, hands up to one batch of
    /// those to send to their receivers (with retries that are due, and any a crash left
    /// half-sent), and records the outcomes. Returns the alerts delivered. When more are
    /// waiting, [`Scheduler::next_due`] is already past, so the timer comes straight back
    /// (and pings the watchdog in between).
    pub fn tick(&mut self, now: DateTime<Utc>) -> Result<Vec<DueAlert>, StoreError> {
        let alerts = &self.config.alerts;
        loop {
            let due = self.store.due_alerts(now, BATCH)?;
            if due.is_empty() {
                break;
            }
            self.store.settle(&settle_due(&due, now, alerts.catch_up, alerts.late_after), now)?;
        }
        let max_retry = self.config.smtp.as_ref().map_or(crate::config::email_defaults::MAX_RETRY, |s| s.max_retry);
        let mut delivered = Vec::new();
        let batch = self.store.sending_alerts(now, BATCH)?;
        if !batch.is_empty() {
            let results = self.deliver.deliver(&self.config, &self.store, &batch, now);
            let mut outcomes = Vec::with_capacity(batch.len());
            for (alert, (delivery, recipients)) in batch.into_iter().zip(results) {
                let attempt =
                    Attempt { failures: alert.alert.attempts, first: alert.first_attempt, seed: alert.alert.id };
                let outcome = outcome(attempt, delivery, recipients, now, max_retry);
                let key = &alert.alert.key;
                match &outcome {
                    Outcome::Sent { .. } => {}
                    Outcome::RetryAt { at, error, .. } => tracing::warn!(
                        deadline = %key.deadline, receiver = %key.receiver, lead = %alert.alert.lead,
                        attempt = alert.alert.attempts + 1, retry_at = %at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        %error, "alert delivery failed; will retry"
                    ),
                    Outcome::Failed { error, .. } => tracing::error!(
                        deadline = %key.deadline, receiver = %key.receiver, lead = %alert.alert.lead,
                        attempt = alert.alert.attempts + 1, %error, "alert delivery failed for good"
                    ),
                }
                if matches!(outcome, Outcome::Sent { .. }) {
                    delivered.push(alert.clone());
                }
                outcomes.push((alert.alert.id, outcome));
            }
            self.store.record(&outcomes, now)?;
        }
        self.run_digests(now, max_retry)?;
        self.run_notices(now, max_retry)?;
        Ok(delivered)
    }

    /// Sends the notices of new facts (written by ingests) that are due.
    fn run_notices(&mut self, now: DateTime<Utc>, max_retry: Duration) -> Result<(), StoreError> {
        for notice in self.store.due_notices(now)? {
            let (delivery, recipients) = self.deliver.deliver_notice(&self.config, &notice, now);
            let attempt = Attempt { failures: notice.attempts, first: notice.first_attempt, seed: notice.id };
            let outcome = outcome(attempt, delivery, recipients, now, max_retry);
            match &outcome {
                Outcome::Sent { .. } => {}
                Outcome::RetryAt { error, .. } => {
                    tracing::warn!(notice = notice.id, receiver = %notice.receiver, %error, "notice delivery failed; will retry");
                }
                Outcome::Failed { error, .. } => {
                    tracing::error!(notice = notice.id, receiver = %notice.receiver, %error, "notice delivery failed for good");
                }
            }
            self.store.record_notice(notice.id, &outcome, now)?;
        }
        Ok(())
    }

    /// Plans the runs of digests whose time has come (one run for several missed ones,
    /// marked late) and sends the runs that are due.
    fn run_digests(&mut self, now: DateTime<Utc>, max_retry: Duration) -> Result<(), StoreError> {
        let config = Arc::clone(&self.config);
        let tz = config.daemon.timezone;
        let late_after = chrono::Duration::from_std(config.alerts.late_after).unwrap_or(chrono::Duration::MAX);
        for digest in &config.digests {
            match self.store.digest_cursor(&digest.name)? {
                // The first start counts from now: no digest for times before it existed.
                None => self.store.set_digest_cursor(&digest.name, now)?,
                Some(cursor) => {
                    if let Some(at) = latest_occurrence(&digest.schedule, cursor, now, tz) {
                        self.store.plan_digest(&digest.name, at, &digest.receivers, now - at > late_after)?;
                    }
                }
            }
        }
        for run in self.store.due_digests(now)? {
            let (delivery, recipients) = self.deliver.deliver_digest(&config, &self.store, &run, now);
            let attempt = Attempt { failures: run.attempts, first: run.first_attempt, seed: run.id };
            let outcome = outcome(attempt, delivery, recipients, now, max_retry);
            match &outcome {
                Outcome::Sent { .. } => {}
                Outcome::RetryAt { error, .. } => {
                    tracing::warn!(digest = %run.name, receiver = %run.receiver, %error, "digest delivery failed; will retry");
                }
                Outcome::Failed { error, .. } => {
                    tracing::error!(digest = %run.name, receiver = %run.receiver, %error, "digest delivery failed for good");
                }
            }
            self.store.record_digest(run.id, &outcome, now)?;
        }
        Ok(())
    }

    /// When the timer must next wake: the next planned alert or retry.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let tz = self.config.daemon.timezone;
        let digests = self.config.digests.iter().filter_map(|d| {
            let cursor = self.store.digest_cursor(&d.name).ok().flatten()?;
            d.schedule.find_next_occurrence(&cursor.with_timezone(&tz), false).ok().map(|t| t.with_timezone(&Utc))
        });
        Ok(self.store.next_wake()?.into_iter().chain(digests).min())
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

/// What the timer loop needs from the daemon.
#[derive(Clone)]
pub struct TimerContext {
    pub scheduler: Arc<Mutex<Scheduler>>,
    pub clock: Arc<dyn Clock>,
    /// Woken when the ledger changed (a reload, an ingest), so the next wake-up is recomputed.
    pub changed: Arc<Notify>,
    /// Called on every wake-up; the daemon pings the systemd watchdog from it.
    pub heartbeat: Option<(Duration, Arc<dyn Fn() + Send + Sync>)>,
}

impl std::fmt::Debug for TimerContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerContext").field("heartbeat", &self.heartbeat.as_ref().map(|h| h.0)).finish()
    }
}

/// Fires alerts as they come due until `shutdown` turns true. Sleeps until the next
/// planned alert, a ledger change, or at most a minute (half the watchdog interval when
/// one is set); it does not poll.
pub async fn run_timer(ctx: TimerContext, mut shutdown: watch::Receiver<bool>) -> Result<(), StoreError> {
    let cap = ctx.heartbeat.as_ref().map_or(MAX_SLEEP, |(interval, _)| *interval / 2);
    loop {
        if let Some((_, beat)) = &ctx.heartbeat {
            beat();
        }
        let scheduler = Arc::clone(&ctx.scheduler);
        let clock = Arc::clone(&ctx.clock);
        let next = tokio::task::spawn_blocking(move || {
            let mut scheduler = scheduler.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            scheduler.tick(clock.now())?;
            scheduler.next_due()
        })
        .await
        .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))?;
        let wait = sleep_for(ctx.clock.now(), next, cap);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = ctx.changed.notified() => {}
            _ = shutdown.changed() => return Ok(()),
        }
        if *shutdown.borrow() {
            return Ok(());
        }
    }
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
