//! Prometheus metrics. What happens in the process (sends and their delay, articles taken
//! in or refused) is counted as it happens; what the ledger holds (outbox rows, deadlines,
//! feeds, its size) is read from it at each scrape, so a restart loses no state.

use std::sync::LazyLock;
use std::sync::atomic::AtomicU64;

use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::config::Config;
use crate::store::{Store, StoreError};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SendLabels {
    receiver: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReceiverLabel {
    receiver: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ArticleLabels {
    source: String,
    result: String,
}

/// The counters the daemon keeps while it runs.
struct Live {
    sends: Family<SendLabels, Counter>,
    delay: Family<ReceiverLabel, Histogram>,
    articles: Family<ArticleLabels, Counter>,
}

static LIVE: LazyLock<Live> = LazyLock::new(|| Live {
    sends: Family::default(),
    // Sent − planned, in seconds: from on time to a day late.
    delay: Family::new_with_constructor(|| {
        Histogram::new([0.1, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0])
    }),
    articles: Family::default(),
});

/// One send came to `outcome` (`sent`, `retry` or `failed`); a sent one `delay` after its
/// planned time.
pub fn record_send(receiver: &str, outcome: &str, delay: Option<chrono::Duration>) {
    LIVE.sends.get_or_create(&SendLabels { receiver: receiver.to_owned(), outcome: outcome.to_owned() }).inc();
    if let Some(d) = delay {
        let seconds = d.num_milliseconds().max(0) as f64 / 1000.0;
        LIVE.delay.get_or_create(&ReceiverLabel { receiver: receiver.to_owned() }).observe(seconds);
    }
}

/// `n` articles from `source` (`spool`, a feed's name) were stored, or refused.
pub fn record_articles(source: &str, stored: bool, n: u64) {
    let result = if stored { "ingested" } else { "rejected" };
    LIVE.articles.get_or_create(&ArticleLabels { source: source.to_owned(), result: result.to_owned() }).inc_by(n);
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboxLabels {
    kind: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeadlineLabels {
    tracking: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InstanceLabel {
    instance: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FeedLabel {
    feed: String,
}

/// What the metrics read from the ledger: counted in one pass, kept for a short while by
/// the HTTP side so that a scrape never waits on a million-row count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerReading {
    outbox: Vec<(String, String, i64)>,
    deadlines: Vec<(String, String, i64)>,
    size: i64,
    next_message: Option<DateTime<Utc>>,
    /// Per feed: name, failures, last success and last poll (Unix seconds, 0 for never).
    feeds: Vec<(String, i64, f64, f64)>,
    /// The daemons sharing a PostgreSQL ledger (none on SQLite).
    instances: Vec<crate::store::Instance>,
}

/// Reads the ledger's side of the metrics.
pub fn read_ledger(store: &Store, config: &Config) -> Result<LedgerReading, StoreError> {
    let rows = store.feeds()?;
    let seconds = |t: Option<DateTime<Utc>>| t.map_or(0.0, |t| t.timestamp_millis() as f64 / 1000.0);
    let feeds = config
        .feeds
        .iter()
        .map(|feed| {
            let row = rows.iter().find(|r| r.name == feed.name);
            (
                feed.name.clone(),
                row.map_or(0, |r| r.failures),
                seconds(row.and_then(|r| r.last_success)),
                seconds(row.and_then(|r| r.last_poll)),
            )
        })
        .collect();
    Ok(LedgerReading {
        outbox: store.outbox_counts()?,
        deadlines: store.deadline_counts()?,
        size: store.size()?,
        next_message: store.next_unsettled()?,
        feeds,
        instances: if store.is_postgres() { store.instances()? } else { Vec::new() },
    })
}

/// The OpenMetrics text of everything: the live counters and `ledger` as read at its time.
pub fn render(ledger: &LedgerReading, now: DateTime<Utc>) -> String {
    let mut registry = Registry::with_prefix("sanctiond");
    registry.register("sends", "Messages handed to a receiver, by outcome", LIVE.sends.clone());
    registry.register(
        "delivery_delay_seconds",
        "How long after its planned time a message went out",
        LIVE.delay.clone(),
    );
    registry.register("articles", "Articles taken in or refused, by source", LIVE.articles.clone());

    let outbox = Family::<OutboxLabels, Gauge>::default();
    for (kind, state, n) in &ledger.outbox {
        outbox.get_or_create(&OutboxLabels { kind: kind.clone(), state: state.clone() }).set(*n);
    }
    registry.register("outbox_rows", "Outbox rows by kind and state", outbox);
    let deadlines = Family::<DeadlineLabels, Gauge>::default();
    for (tracking, status, n) in &ledger.deadlines {
        deadlines.get_or_create(&DeadlineLabels { tracking: tracking.clone(), status: status.clone() }).set(*n);
    }
    registry.register("deadlines", "Deadlines in the ledger by tracking state and status", deadlines);
    let size = Gauge::<i64>::default();
    size.set(ledger.size);
    registry.register("ledger_bytes", "Size of the ledger file", size);
    let next = Gauge::<f64, AtomicU64>::default();
    next.set(ledger.next_message.map_or(f64::NAN, |at| ((at - now).num_milliseconds() as f64 / 1000.0).max(0.0)));
    registry.register("next_message_seconds", "Seconds until the next message is due (NaN when none is)", next);

    let failures = Family::<FeedLabel, Gauge>::default();
    let last_success = Family::<FeedLabel, Gauge<f64, AtomicU64>>::default();
    let last_poll = Family::<FeedLabel, Gauge<f64, AtomicU64>>::default();
    for (name, fails, success, poll) in &ledger.feeds {
        let label = FeedLabel { feed: name.clone() };
        failures.get_or_create(&label).set(*fails);
        last_success.get_or_create(&label).set(*success);
        last_poll.get_or_create(&label).set(*poll);
    }
    registry.register("feed_failures", "Failed polls of a feed since its last success", failures);
    registry.register("feed_last_success_timestamp_seconds", "When a feed was last read", last_success);
    registry.register("feed_last_poll_timestamp_seconds", "When a feed was last polled", last_poll);

    if !ledger.instances.is_empty() {
        let up = Family::<InstanceLabel, Gauge>::default();
        let sending = Family::<InstanceLabel, Gauge>::default();
        for i in &ledger.instances {
            let label = InstanceLabel { instance: i.id.clone() };
            up.get_or_create(&label).set(i64::from(i.live(now)));
            sending.get_or_create(&label).set(i.sending);
        }
        registry.register(
            "instance_up",
            "Daemons sharing the ledger: 1 while their heartbeat is within their lease",
            up,
        );
        registry.register("instance_sending", "Outbox rows each daemon sharing the ledger holds", sending);
    }

    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = encode(&mut out, &registry);
    out
}

/// The same metrics in Prometheus' classic text format (0.0.4), for scrapers and tools
/// that do not ask for OpenMetrics (`promtool check metrics`): a counter is named by its
/// samples (`_total`), and there is no `# EOF`.
pub fn classic(openmetrics: &str) -> String {
    let counters: Vec<&str> =
        openmetrics.lines().filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter")).collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|p| {
            let rest = line.strip_prefix(p)?;
            let (name, tail) = rest.split_once(' ')?;
            counters.contains(&name).then(|| format!("{p}{name}_total {tail}"))
        });
        out.push_str(renamed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classic_format_names_counters_by_their_samples() {
        let om =
            "# HELP x_sends Sends.\n# TYPE x_sends counter\nx_sends_total{r=\"a\"} 2\n# TYPE x_g gauge\nx_g 1\n# EOF\n";
        assert_eq!(
            classic(om),
            "# HELP x_sends_total Sends.\n# TYPE x_sends_total counter\nx_sends_total{r=\"a\"} 2\n# TYPE x_g gauge\nx_g 1\n"
        );
    }
}
