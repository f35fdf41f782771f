//! The outbox pipeline: one dispatcher task that, each time it wakes, lets catch-up settle
//! the alerts whose time came, writes due digest runs, then for each receiver with a free
//! slot claims that many due rows and sends each on its own task: claim → send → settle.
//!
//! Lock discipline (as mini-redis's `Db`): the ledger sits behind a std `Mutex` taken only
//! on blocking threads for short, local work (a claim, a settle, reading what a message
//! says). No network I/O happens under it; each receiver has its own concurrency and
//! timeouts, so a hung relay delays only its own rows, and the dispatcher, which pings
//! the watchdog, never waits on a send.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::message::{self, BuildError, Message};
use super::{Endpoint, Notifier, Notifiers, NotifyError, log};
use crate::config::Config;
use crate::model::Alert;
use crate::schedule::{self, Clock, MAX_SLEEP, route};
use crate::store::{Claimed, Outcome, Store, StoreError};

/// How many log rows one pass writes before the dispatcher looks around again.
const LOG_BATCH: usize = 200;
/// How many log rows one transaction writes and settles: one round trip for many rows,
/// and a crash in the instant between the writing and the commit logs at most this many
/// lines again.
const LOG_SETTLE: usize = 16;
/// On a shared ledger each claim is a round trip to PostgreSQL: a receiver's slots claim
/// this many rows at a time and take them in turn (they stay leased to this daemon). A
/// claim and the reads that build its messages are about ten round trips: at 8 rows they
/// were one per email, and a two-daemon burst went 1,900 emails/s; at 32, 2,070 (64: no
/// more). A daemon killed holding them delays them by its lease, never sends them twice.
/// On SQLite a claim is a local call, and each slot claims one row ahead.
const SHARED_CLAIM_BATCH: usize = 32;
/// How many connections to a shared ledger the send slots take turns on.
pub const SENDER_CONNECTIONS: usize = 4;
/// After SIGTERM, how long sends on the wire may take to finish; the rest are abandoned
/// (left `sending`) and go out again after the restart.
pub const SEND_GRACE: Duration = Duration::from_millis(1500);
/// The longest a row's retries go on when its receiver does not say.
pub const MAX_RETRY: Duration = crate::config::email_defaults::MAX_RETRY;

/// The rows a receiver's slots claimed ahead of their sends, taken in order; one slot at
/// a time claims more when none is left. After a stop or a reload they are put back.
#[derive(Default)]
pub struct Ahead {
    rows: Mutex<std::collections::VecDeque<(Claimed, Message)>>,
    refill: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Ahead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ahead").field("rows", &self.lock().len()).finish_non_exhaustive()
    }
}

impl Ahead {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<(Claimed, Message)>> {
        self.rows.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next row claimed ahead, else `claim`'s first, the rest kept for the other slots.
    async fn next<F>(&self, claim: F) -> Option<(Claimed, Message)>
    where
        F: Future<Output = Option<Vec<(Claimed, Message)>>>,
    {
        if let Some(row) = self.lock().pop_front() {
            return Some(row);
        }
        let _refilling = self.refill.lock().await;
        if let Some(row) = self.lock().pop_front() {
            return Some(row);
        }
        let mut rows = claim.await?.into_iter();
        let first = rows.next();
        self.lock().extend(rows);
        first
    }

    /// Takes every row still waiting, to be put back.
    fn drain(&self) -> Vec<i64> {
        self.lock().drain(..).map(|(c, _)| c.row.id).collect()
    }
}

/// What the dispatcher needs from the daemon.
#[derive(Clone)]
pub struct Context {
    pub store: Arc<Mutex<Store>>,
    /// More connections to a shared ledger, for the send slots (none on SQLite, where
    /// they use `store`).
    pub senders: Vec<Arc<Mutex<Store>>>,
    pub config: watch::Receiver<Arc<Config>>,
    pub notifiers: watch::Receiver<Arc<Notifiers>>,
    pub clock: Arc<dyn Clock>,
    /// Woken when the ledger changed (a reload, an ingest, a settled send).
    pub changed: Arc<Notify>,
    /// Called on every wake-up; the daemon pings the systemd watchdog from it.
    pub heartbeat: Option<(Duration, Arc<dyn Fn() + Send + Sync>)>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("heartbeat", &self.heartbeat.as_ref().map(|h| h.0)).finish_non_exhaustive()
    }
}

/// The first retry comes 10-15 s after a failure; each next one waits twice as long, up
/// to 15 minutes. The jitter, derived from `seed` and the attempt, spreads out retries of
/// many rows that failed together.
pub fn retry_delay(failures: i64, seed: i64) -> Duration {
    const BASE: u64 = 10;
    const CAP: u64 = 15 * 60;
    let exponent = u32::try_from(failures.clamp(1, 12) - 1).unwrap_or(0);
    let base = BASE.saturating_mul(1 << exponent).min(CAP);
    let mix = (seed as u64 ^ (failures as u64).rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let jitter_ms = (mix >> 33) % (base * 500);
    Duration::from_millis((base * 1000 + jitter_ms).min(CAP * 1000))
}

/// The one retry policy: what a send's result makes of its row. A retryable failure waits
/// [`retry_delay`] (or the server's `Retry-After`, if longer), until retrying has gone on
/// for `max_retry`; then, and for a final failure, the row fails.
pub fn outcome(
    claimed: &Claimed,
    result: &Result<(), NotifyError>,
    now: DateTime<Utc>,
    max_retry: Duration,
) -> Outcome {
    let error = match result {
        Ok(()) => return Outcome::Sent,
        Err(e) if !e.retryable => return Outcome::Failed { error: e.message.clone() },
        Err(e) => e,
    };
    let row = &claimed.row;
    let mut delay = retry_delay(row.attempts + 1, row.id);
    if let Some(after) = error.retry_after.as_deref().and_then(|v| crate::ingest::feed::retry_after(v, now)) {
        delay = delay.max(after);
    }
    let at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
    let first = claimed.first_attempt.unwrap_or(now);
    let limit = chrono::Duration::from_std(max_retry).unwrap_or(chrono::Duration::MAX);
    if at - first > limit {
        let error = format!(
            "gave up after {} attempts over {}: {}",
            row.attempts + 1,
            humantime::format_duration(max_retry),
            error.message
        );
        Outcome::Failed { error }
    } else {
        Outcome::RetryAt { at, error: error.message.clone() }
    }
}

/// How long a send may take in all before the pipeline gives up on it: its receiver's
/// own timeouts apply inside; this guards against one that does not stop.
fn send_guard(config: &Config, receiver: &str) -> Duration {
    let own = match config.receiver(receiver).map(|r| &r.kind) {
        Some(crate::config::ReceiverKind::Email { .. }) => config.smtp.as_ref().map(|s| s.timeout),
        _ => config.receiver(receiver).map(|r| r.timeout),
    };
    own.unwrap_or(Duration::from_secs(30)) * 3 + Duration::from_secs(5)
}

/// How long `receiver`'s failing rows are retried: its own `max_retry`, else for email
/// `[smtp] max_retry`, else a day.
pub fn max_retry(config: &Config, receiver: &str) -> Duration {
    let r = config.receiver(receiver);
    match r.map(|r| (&r.kind, r.max_retry)) {
        Some((_, Some(own))) => own,
        Some((crate::config::ReceiverKind::Email { .. }, None)) => {
            config.smtp.as_ref().map_or(MAX_RETRY, |s| s.max_retry)
        }
        _ => MAX_RETRY,
    }
}

/// Logs what a send came to, for the rows that did not simply go out, and counts it.
fn log_outcome(row: &Alert, outcome: &Outcome, now: DateTime<Utc>) {
    let what = if row.kind == crate::model::MessageKind::Alert { row.key.deadline.clone() } else { row.label() };
    let name = match outcome {
        Outcome::Sent => "sent",
        Outcome::RetryAt { .. } => "retry",
        Outcome::Failed { .. } => "failed",
    };
    let delay = (*outcome == Outcome::Sent).then(|| now - row.planned);
    crate::metrics::record_send(&row.key.receiver, name, delay);
    match outcome {
        Outcome::Sent => {}
        Outcome::RetryAt { at, error } => tracing::warn!(
            kind = row.kind.as_str(), about = %what, receiver = %row.key.receiver, recipient = %row.recipient,
            lead = %row.lead, attempt = row.attempts + 1,
            retry_at = %at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), %error,
            "delivery failed; will retry"
        ),
        Outcome::Failed { error } => tracing::error!(
            kind = row.kind.as_str(), about = %what, receiver = %row.key.receiver, recipient = %row.recipient,
            lead = %row.lead, attempt = row.attempts + 1, %error,
            "delivery failed for good"
        ),
    }
}

/// Catch-up and digest runs: what must be decided before rows are claimed.
pub fn prepare(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Result<(), StoreError> {
    schedule::plan_digests(store, config, now)?;
    schedule::catch_up(store, config, now)
}

/// Claims up to `limit` of `receiver`'s due rows and builds their messages, in one hold of
/// the ledger. A row whose quiet hours hold it is put back until they end; one whose
/// message cannot be built for good (its receiver or digest left the config) fails.
pub fn claim_and_build(
    store: &mut Store,
    config: &Config,
    notifiers: &Notifiers,
    receiver: &str,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<(Claimed, Message)>, StoreError> {
    let (claimed, stale) = store.claim(receiver, limit, now)?;
    for s in stale {
        tracing::info!(deadline = %s.deadline, receiver, reason = s.reason.as_str(), "alert cancelled before sending");
    }
    let Some(renderer) = notifiers.renderer.as_deref() else { return Ok(Vec::new()) };
    let batch = message::Batch::read(store, config, claimed.iter().map(|c| &c.row))?;
    let mut out = Vec::with_capacity(claimed.len());
    for c in claimed {
        if let Some(until) = route::muted_until(config, store, &c.row, now)? {
            tracing::info!(receiver, about = %c.row.key.deadline, until = %until.to_rfc3339(), "held by quiet hours");
            store.defer(c.row.id, until)?;
            continue;
        }
        match message::build_from(&batch, store, config, renderer, &c.row, now) {
            Ok(m) => out.push((c, m)),
            Err(BuildError::Store(e)) => return Err(e),
            Err(BuildError::Gone(error)) => {
                let outcome = Outcome::Failed { error };
                log_outcome(&c.row, &outcome, now);
                store.settle(c.row.id, &outcome, now)?;
            }
            Err(BuildError::Render(e)) => {
                let o = outcome(&c, &Err(NotifyError::retry(e)), now, max_retry(config, receiver));
                log_outcome(&c.row, &o, now);
                store.settle(c.row.id, &o, now)?;
            }
        }
    }
    Ok(out)
}

/// Writes `receiver`'s due log rows, settled together in the transaction that logs them.
/// Returns how many were written.
pub fn write_log_rows(
    store: &mut Store,
    config: &Config,
    notifiers: &Notifiers,
    receiver: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let built = claim_and_build(store, config, notifiers, receiver, LOG_BATCH, now)?;
    for chunk in built.chunks(LOG_SETTLE) {
        let ids: Vec<i64> = chunk.iter().map(|(c, _)| c.row.id).collect();
        let mut rows = chunk.iter();
        store.settle_sent_with(&ids, now, |id| {
            if let Some((c, m)) = rows.find(|(c, _)| c.row.id == id) {
                log::write(m);
                crate::metrics::record_send(receiver, "sent", Some(now - c.row.planned));
            }
        })?;
    }
    Ok(built.len())
}

/// Runs the ledger operation `f` on a blocking thread, holding the ledger's lock: short,
/// local work only, never the network.
pub(crate) async fn with_store<T: Send + 'static>(
    store: &Arc<Mutex<Store>>,
    f: impl FnOnce(&mut Store) -> T + Send + 'static,
) -> T {
    let store = Arc::clone(store);
    let joined = tokio::task::spawn_blocking(move || {
        let mut store = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut store)
    })
    .await;
    match joined {
        Ok(value) => value,
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        // The runtime is shutting down: this task goes with it.
        Err(_) => std::future::pending().await,
    }
}

/// A fault logged once when it starts and once when it clears, not on every attempt.
#[derive(Debug, Default)]
struct Fault {
    since: Option<DateTime<Utc>>,
    count: u64,
}

impl Fault {
    fn failed(&mut self, now: DateTime<Utc>, error: &StoreError) {
        self.count += 1;
        if self.since.is_none() {
            self.since = Some(now);
            tracing::error!(%error, "the ledger cannot be written: alerts are held until it can (retrying with backoff)");
        }
    }

    fn cleared(&mut self) {
        if let Some(since) = self.since.take() {
            tracing::info!(
                failures = self.count,
                since = %since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "the ledger can be written again"
            );
            self.count = 0;
        }
    }

    /// 1 s after the first failure, doubling, up to 30 s.
    fn backoff(&self) -> Duration {
        Duration::from_secs(1u64 << self.count.clamp(1, 6).saturating_sub(1)).min(Duration::from_secs(30))
    }
}

/// Runs the dispatcher until `shutdown` turns true. Sleeps until the next due row of a
/// receiver with a free slot, a ledger change, a finished send, or at most a minute (half
/// the watchdog interval when one is set); it does not poll.
pub async fn run(ctx: Context, mut shutdown: watch::Receiver<bool>) -> Result<(), StoreError> {
    let cap = ctx.heartbeat.as_ref().map_or(MAX_SLEEP, |(interval, _)| (*interval / 2).min(MAX_SLEEP));
    let mut sends: JoinSet<()> = JoinSet::new();
    let mut fault = Fault::default();
    let start = ctx.clock.now();
    let recovered = with_store(&ctx.store, move |s| s.recover_in_flight(start)).await?;
    if recovered > 0 {
        tracing::warn!(rows = recovered, "messages were on the wire when sanctiond stopped; sending them again");
    }
    let mut passes = Passes::default();
    loop {
        if let Some((_, beat)) = &ctx.heartbeat {
            beat();
        }
        // Finished sends are reaped here, not one per wake-up: each holds its message.
        while sends.try_join_next().is_some() {}
        let config = Arc::clone(&ctx.config.borrow());
        let notifiers = Arc::clone(&ctx.notifiers.borrow());
        let now = ctx.clock.now();
        let pass = dispatch(&ctx, &config, &notifiers, &mut sends, &mut passes, &shutdown, now).await;
        let wait = match pass {
            Ok(next) => {
                fault.cleared();
                schedule::sleep_for(ctx.clock.now(), next, cap)
            }
            Err(error) => {
                fault.failed(now, &error);
                fault.backoff().min(cap)
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = ctx.changed.notified() => {}
            Some(_) = sends.join_next(), if !sends.is_empty() => {}
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
    }
    // Sends on the wire get a moment to finish; the rest stay `sending` and go out again
    // after the restart, under the same identity.
    if !sends.is_empty()
        && tokio::time::timeout(SEND_GRACE, async { while sends.join_next().await.is_some() {} }).await.is_err()
    {
        tracing::warn!(
            abandoned = sends.len(),
            "sends still on the wire at shutdown are abandoned; they go out after the restart"
        );
        sends.shutdown().await;
    }
    Ok(())
}

/// What the dispatcher carries from one pass to the next.
#[derive(Debug, Default)]
struct Passes {
    /// The config of the last good pass: a new one fails rows of receivers it dropped.
    config: Option<Arc<Config>>,
    /// When catch-up or a digest next has work: before then a pass skips them.
    prepare_at: Option<DateTime<Utc>>,
    /// The sender connection the next slot's worker takes.
    next_sender: usize,
}

/// One pass, in one hold of the ledger: catch-up and digests when their time has come,
/// then for every receiver with a free slot, claim that many rows and build their
/// messages (log rows are written and settled there and then). The sends start after the
/// ledger is let go. Returns when the dispatcher must next wake.
async fn dispatch(
    ctx: &Context,
    config: &Arc<Config>,
    notifiers: &Arc<Notifiers>,
    sends: &mut JoinSet<()>,
    passes: &mut Passes,
    stopping: &watch::Receiver<bool>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let fresh = passes.config.as_ref().is_none_or(|k| !Arc::ptr_eq(k, config));
    let prepare_now = fresh || passes.prepare_at.is_none_or(|t| t <= now);
    // Slots first: a receiver with none free is skipped, and a finished send wakes us.
    let mut slots: Vec<(Arc<Endpoint>, Vec<tokio::sync::OwnedSemaphorePermit>)> = Vec::new();
    for endpoint in notifiers.endpoints.values() {
        let mut permits = Vec::new();
        if !matches!(endpoint.notifier, Notifier::Log) {
            while let Ok(permit) = Arc::clone(&endpoint.permits).try_acquire_owned() {
                permits.push(permit);
            }
            if permits.is_empty() {
                continue;
            }
        }
        slots.push((Arc::clone(endpoint), permits));
    }
    let wanted: Vec<(String, bool, usize)> =
        slots.iter().map(|(e, p)| (e.name.clone(), matches!(e.notifier, Notifier::Log), p.len())).collect();
    let (config_c, notifiers_c) = (Arc::clone(config), Arc::clone(notifiers));
    let (mut built, next, prepare_at) = with_store(&ctx.store, move |s| {
        if fresh {
            let names: Vec<&str> = config_c.receivers.iter().map(|r| r.name.as_str()).collect();
            let failed = s.fail_unknown_receivers(&names, now)?;
            if failed > 0 {
                tracing::warn!(rows = failed, "messages for receivers no longer in the config were marked failed");
            }
        }
        if prepare_now {
            prepare(s, &config_c, now)?;
        }
        let mut built = Vec::with_capacity(wanted.len());
        let mut next: Option<DateTime<Utc>> = None;
        let mut soon = |t: Option<DateTime<Utc>>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n: DateTime<Utc>| n.min(t)));
            }
        };
        for (name, is_log, limit) in wanted {
            if is_log {
                let written = write_log_rows(s, &config_c, &notifiers_c, &name, now)?;
                // A full batch means more are waiting: come straight back.
                soon(if written == LOG_BATCH { Some(now) } else { s.next_due(&name)? });
                built.push(Vec::new());
            } else {
                let claimed = claim_and_build(s, &config_c, &notifiers_c, &name, limit, now)?;
                soon(if claimed.len() == limit { Some(now) } else { s.next_due(&name)? });
                built.push(claimed);
            }
        }
        let prepare_at = [s.next_unsettled()?, schedule::next_digest(s, &config_c)].into_iter().flatten().min();
        soon(prepare_at);
        Ok::<_, StoreError>((built, next, prepare_at))
    })
    .await?;
    // Sender connections exist on a shared ledger only, where claims come in batches.
    let batch = if ctx.senders.is_empty() { 1 } else { SHARED_CLAIM_BATCH };
    passes.config = Some(Arc::clone(config));
    passes.prepare_at = prepare_at;
    for ((endpoint, permits), claimed) in slots.into_iter().zip(built.iter_mut()) {
        for ((claimed, message), permit) in claimed.drain(..).zip(permits) {
            let endpoint = Arc::clone(&endpoint);
            let store = match ctx.senders.get(passes.next_sender % ctx.senders.len().max(1)) {
                Some(sender) => Arc::clone(sender),
                None => Arc::clone(&ctx.store),
            };
            passes.next_sender = passes.next_sender.wrapping_add(1);
            let (clock, changed) = (Arc::clone(&ctx.clock), Arc::clone(&ctx.changed));
            let (config, notifiers, stopping) = (Arc::clone(config), Arc::clone(notifiers), stopping.clone());
            let current_notifiers = ctx.notifiers.clone();
            let guard = send_guard(&config, &endpoint.name);
            let max_retry = max_retry(&config, &endpoint.name);
            // A slot's worker. While one message is on the wire, the receiver's next due row
            // is claimed and its message built; once the send is answered, its row is
            // settled before the next send starts, so a crash finds at most one sent but
            // unrecorded message per slot (a row claimed ahead was never sent: it goes out
            // once after the restart).
            sends.spawn(async move {
                // After a stop, or a reload (which may have changed or removed this
                // receiver), the worker finishes its send and leaves the rest to the
                // dispatcher's next pass under the new config.
                let leaving = || *stopping.borrow() || !Arc::ptr_eq(&current_notifiers.borrow(), &notifiers);
                let mut current = Some((claimed, message));
                while let Some((claimed, message)) = current.take() {
                    let send = async {
                        match tokio::time::timeout(guard, endpoint.notifier.send(&message)).await {
                            Ok(result) => result,
                            Err(_) => Err(NotifyError::retry(format!(
                                "no answer within {}",
                                humantime::format_duration(guard)
                            ))),
                        }
                    };
                    let ahead = async {
                        if leaving() {
                            return None;
                        }
                        let (config, notifiers, name) =
                            (Arc::clone(&config), Arc::clone(&notifiers), endpoint.name.clone());
                        let store = Arc::clone(&store);
                        let receiver = name.clone();
                        let now = clock.now();
                        let claim = async move {
                            let claimed =
                                with_store(&store, move |s| claim_and_build(s, &config, &notifiers, &name, batch, now));
                            claimed
                                .await
                                .map_err(|error| {
                                    tracing::error!(%error, %receiver, "cannot claim the next message");
                                })
                                .ok()
                        };
                        endpoint.ahead.next(claim).await
                    };
                    let (result, ahead) = tokio::join!(send, ahead);
                    let now = clock.now();
                    let outcome = outcome(&claimed, &result, now, max_retry);
                    log_outcome(&claimed.row, &outcome, now);
                    let id = claimed.row.id;
                    let release = ahead.as_ref().filter(|_| *stopping.borrow()).map(|(c, _)| c.row.id);
                    let settled = with_store(&store, move |s| {
                        s.settle(id, &outcome, now)?;
                        // Stopping: the row claimed ahead was never sent; it waits as it was.
                        if let Some(ahead) = release {
                            s.release(ahead)?;
                        }
                        Ok::<_, StoreError>(())
                    })
                    .await;
                    if let Err(error) = settled {
                        // Sent but not recorded: the row stays `sending` and goes out again
                        // after a restart, under the same identity.
                        tracing::error!(%error, row = id, "cannot record a delivery");
                    }
                    current = if release.is_some() { None } else { ahead };
                }
                // Stopping or reloaded: what the receiver's slots claimed ahead waits as it was.
                if leaving() {
                    let waiting = endpoint.ahead.drain();
                    if !waiting.is_empty() {
                        let put_back = with_store(&store, move |s| waiting.iter().try_for_each(|id| s.release(*id)));
                        if let Err(error) = put_back.await {
                            tracing::error!(%error, receiver = %endpoint.name, "cannot put back the rows claimed ahead");
                        }
                    }
                }
                drop(permit);
                changed.notify_one();
            });
        }
    }
    Ok(next)
}

/// Delivers every row due at `now` through `send`, synchronously: the same steps as the
/// dispatcher (prepare, claim, build, settle), for tests, benchmarks and replay.
pub fn deliver_due(
    store: &mut Store,
    config: &Config,
    notifiers: &Notifiers,
    now: DateTime<Utc>,
    send: &mut dyn FnMut(&Message) -> Result<(), NotifyError>,
) -> Result<usize, StoreError> {
    prepare(store, config, now)?;
    let mut delivered = 0;
    for r in &config.receivers {
        loop {
            let built = claim_and_build(store, config, notifiers, &r.name, LOG_BATCH, now)?;
            if built.is_empty() {
                break;
            }
            for (c, m) in built {
                let result = send(&m);
                let o = outcome(&c, &result, now, max_retry(config, &r.name));
                delivered += usize::from(o == Outcome::Sent);
                store.settle(c.row.id, &o, now)?;
            }
        }
    }
    Ok(delivered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AlertKey, AlertState, MessageKind};

    fn claimed(attempts: i64, first: Option<DateTime<Utc>>) -> Claimed {
        let at = DateTime::from_timestamp(1_754_000_000, 0).expect("time");
        Claimed {
            row: Alert {
                id: 7,
                kind: MessageKind::Alert,
                key: AlertKey { deadline: "d".into(), revision: 1, lead_seconds: 0, receiver: "r".into() },
                recipient: String::new(),
                notice: None,
                digest: None,
                lead: "0s".into(),
                planned: at,
                sent: None,
                state: AlertState::Sending,
                attempts,
                late: false,
                next_attempt: at,
                last_error: None,
                cancel_reason: None,
            },
            first_attempt: first,
        }
    }

    #[test]
    fn retries_back_off_from_ten_seconds_doubling_to_a_quarter_hour_with_jitter() {
        let first = retry_delay(1, 7);
        assert!((Duration::from_secs(10)..Duration::from_secs(15)).contains(&first), "{first:?}");
        let second = retry_delay(2, 7);
        assert!((Duration::from_secs(20)..Duration::from_secs(30)).contains(&second), "{second:?}");
        assert_eq!(retry_delay(30, 7), Duration::from_secs(15 * 60), "capped");
        assert_ne!(retry_delay(1, 7), retry_delay(1, 8), "rows failing together spread out");
    }

    #[test]
    fn a_final_failure_fails_at_once_and_a_retryable_one_waits_until_max_retry() {
        let now = DateTime::from_timestamp(1_754_000_000, 0).expect("time");
        let day = Duration::from_secs(86_400);
        assert_eq!(outcome(&claimed(0, None), &Ok(()), now, day), Outcome::Sent);
        let refused = outcome(&claimed(0, None), &Err(NotifyError::fail("550 no such user")), now, day);
        assert_eq!(refused, Outcome::Failed { error: "550 no such user".into() });
        match outcome(&claimed(0, None), &Err(NotifyError::retry("451 later")), now, day) {
            Outcome::RetryAt { at, error } => {
                assert_eq!(error, "451 later");
                assert!(at - now >= chrono::Duration::seconds(10) && at - now < chrono::Duration::seconds(15));
            }
            other => panic!("{other:?}"),
        }
        // Retrying since 23h59m: the next try would pass the day, so it fails for good.
        let long = now - chrono::Duration::minutes(23 * 60 + 59);
        match outcome(&claimed(9, Some(long)), &Err(NotifyError::retry("timed out")), now, day) {
            Outcome::Failed { error } => assert!(error.starts_with("gave up after 10 attempts over 1day"), "{error}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_servers_retry_after_is_honoured_when_longer_than_the_backoff() {
        let now = DateTime::from_timestamp(1_754_000_000, 0).expect("time");
        let busy = NotifyError { message: "HTTP 429".into(), retryable: true, retry_after: Some("120".into()) };
        match outcome(&claimed(0, None), &Err(busy), now, Duration::from_secs(86_400)) {
            Outcome::RetryAt { at, .. } => assert_eq!(at - now, chrono::Duration::seconds(120)),
            other => panic!("{other:?}"),
        }
        let soon = NotifyError { message: "HTTP 503".into(), retryable: true, retry_after: Some("1".into()) };
        match outcome(&claimed(0, None), &Err(soon), now, Duration::from_secs(86_400)) {
            Outcome::RetryAt { at, .. } => {
                assert!(at - now >= chrono::Duration::seconds(10), "never sooner than the backoff")
            }
            other => panic!("{other:?}"),
        }
    }
}
