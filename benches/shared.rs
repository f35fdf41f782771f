//! Two daemons on one PostgreSQL ledger, `[smtp] max_connections = 4` each, a real SMTP
//! server (aiosmtpd) and the log as receivers, in two runs:
//!
//! - **a minute of alerts**: 10,002 emails (3,334 declared deadlines × 3 lead times, due
//!   evenly over one minute) and as many log alerts, lease 2 s; one daemon is killed with
//!   SIGKILL three times and restarted each time. Prints what arrived (lost, duplicates
//!   against the bound of kills × max_connections) and each row's lateness, apart for the
//!   rows the killed daemon held when it died (bound: lease + 1 s) and the rest (1 s);
//! - **a burst**: 10,002 emails due at the same instant, no kill: the email rate of the
//!   two daemons together.
//!
//! `cargo bench --bench shared [-- minute|burst]`; quick mode (`cargo test`): 60 rows, 1 kill.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;

mod common;
#[path = "../tests/support/pg.rs"]
mod pg;

use common::{Daemon, SmtpSink};

const MAX_CONNECTIONS: usize = 4;
const LEASE_SECONDS: i64 = 2;

fn main() {
    let quick = common::quick();
    common::announce("shared", quick);
    // `cargo bench --bench shared -- burst` runs one of the two.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| a == "minute" || a == "burst").collect();
    let run = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let cluster = pg::Cluster::start_new("bench-shared");
    if run("minute") {
        minute(&cluster, quick);
    }
    if run("burst") {
        burst(&cluster, quick);
    }
}

/// One daemon's config in `dir`, on the ledger at `url`.
fn config(dir: &Path, name: &str, port: u16, url: &str, shape: &Shape) -> PathBuf {
    let p = dir.join(format!("{name}.toml"));
    let store = format!("[store]\nurl = \"{url}\"\nlease = \"{LEASE_SECONDS}s\"");
    let text =
        common::spread_config(&dir.join(name), port, shape.deadlines, shape.due, shape.spread, shape.leads, &store);
    std::fs::write(&p, text).expect("config");
    p
}

struct Shape {
    deadlines: usize,
    due: chrono::DateTime<Utc>,
    spread: chrono::Duration,
    leads: &'static [&'static str],
}

/// Waits until the outbox holds `expected` rows, every one sent; looks every 250 ms with
/// one count (a poll of every row would cost PostgreSQL more than the daemons do).
fn wait_all_sent(client: &mut postgres::Client, expected: usize) {
    let expected = i64::try_from(expected).expect("row count");
    common::wait_until(Duration::from_secs(300), || {
        std::thread::sleep(Duration::from_millis(250));
        let r = client.query_one("SELECT count(*), count(sent_ms) FROM outbox", &[]).expect("count");
        (r.get::<_, i64>(0) == expected && r.get::<_, i64>(1) == expected).then_some(())
    })
    .expect("every row sent in the end");
}

/// Every outbox row: (id, planned, sent), times in ms.
fn rows(client: &mut postgres::Client) -> Vec<(i64, i64, Option<i64>)> {
    client
        .query("SELECT id, planned_ms, sent_ms FROM outbox", &[])
        .expect("outbox")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

fn minute(cluster: &pg::Cluster, quick: bool) {
    let (deadlines, kills) = if quick { (20, 1) } else { (3_334, 3) };
    let expected = deadlines * 3;
    let url = cluster.database();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect to the bench ledger");
    if std::env::var_os("SANCTIOND_PG_STATEMENTS").is_some() {
        client.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").expect("pg_stat_statements");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    // The leads are 6 s, 3 s and 0 s: the alerts come due over `spread` + 6 s.
    let spread = chrono::Duration::seconds(if quick { 4 } else { 54 });
    let first = Utc::now() + chrono::Duration::seconds(if quick { 12 } else { 20 });
    let shape = Shape { deadlines, due: first + chrono::Duration::seconds(6), spread, leads: &["6s", "3s", "0s"] };
    let (a, b) = (config(dir.path(), "a", sink.port, &url, &shape), config(dir.path(), "b", sink.port, &url, &shape));
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("host name");
    let owner_a = format!("{}:{}", host.trim(), dir.path().join("a").display());
    let mut killed = vec![Daemon::start(&a, &[])];
    let mut other = Daemon::start(&b, &[]);
    killed[0].wait_for_line("sanctiond started", Duration::from_secs(60));
    other.wait_for_line("sanctiond started", Duration::from_secs(60));
    assert!(Utc::now() < first, "the daemons started after the first alert was due");
    let mut held = HashSet::new();
    for kill in 0..kills {
        let threshold = expected * (kill + 1) / (kills + 1);
        common::wait_until(Duration::from_secs(120), || (sink.count() >= threshold).then_some(()))
            .unwrap_or_else(|| panic!("the minute never reached {threshold} emails"));
        killed.last_mut().expect("running").crash();
        // What the dead daemon held: its claims stay `sending` until it is back or its
        // lease runs out.
        for r in client
            .query("SELECT id FROM outbox WHERE state = 'sending' AND owner = $1", &[&owner_a])
            .expect("held rows")
        {
            held.insert(r.get::<_, i64>(0));
        }
        killed.push(Daemon::start(&a, &[]));
    }
    wait_all_sent(&mut client, expected * 2);
    let rows = rows(&mut client);
    killed.last_mut().expect("running").stop();
    other.stop();

    let ids = sink.message_ids();
    let unique_ids = common::distinct(&ids);
    let logged = logged_alerts(killed.iter().chain([&other]));
    let unique_logged = common::distinct(&logged);
    let late = |held_rows: bool| {
        let lateness: Vec<i64> =
            rows.iter().filter(|r| held.contains(&r.0) == held_rows).map(|r| r.2.unwrap_or(r.1) - r.1).collect();
        (lateness.len(), lateness.iter().copied().max().unwrap_or(0))
    };
    let ((n_held, worst_held), (n_rest, worst_rest)) = (late(true), late(false));
    println!(
        "a minute of alerts:      {} outbox rows ({deadlines} deadlines × 3 leads × email + log, due over {} s), \
         two daemons, {kills} × kill -9 of one, lease {LEASE_SECONDS} s",
        expected * 2,
        spread.num_seconds() + 6
    );
    println!(
        "emails:                  {expected} expected, {} received, {unique_ids} unique, {} duplicates (bound {}), {} lost",
        ids.len(),
        ids.len() - unique_ids,
        kills * MAX_CONNECTIONS,
        expected.saturating_sub(unique_ids)
    );
    println!(
        "log alerts:              {expected} expected, {} written, {} twice, {} lost",
        logged.len(),
        logged.len() - unique_logged,
        expected.saturating_sub(unique_logged)
    );
    println!(
        "lateness (sent-planned): {n_held} rows held by the killed daemon: worst {worst_held} ms (bound {} ms); \
         the other {n_rest}: worst {worst_rest} ms (bound 1000 ms)",
        LEASE_SECONDS * 1000 + 1000
    );
    assert_eq!(unique_ids, expected, "no email lost");
    assert_eq!(unique_logged, expected, "no log alert lost");
    assert!(ids.len() - unique_ids <= kills * MAX_CONNECTIONS, "duplicates within the bound");
}

fn burst(cluster: &pg::Cluster, quick: bool) {
    let deadlines = if quick { 60 } else { 10_002 };
    let url = cluster.database();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect to the bench ledger");
    if std::env::var_os("SANCTIOND_PG_STATEMENTS").is_some() {
        client.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").expect("pg_stat_statements");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let due = Utc::now() + chrono::Duration::seconds(if quick { 12 } else { 25 });
    let shape = Shape { deadlines, due, spread: chrono::Duration::zero(), leads: &["0s"] };
    let (a, b) = (config(dir.path(), "a", sink.port, &url, &shape), config(dir.path(), "b", sink.port, &url, &shape));
    let mut daemons = [Daemon::start(&a, &[]), Daemon::start(&b, &[])];
    for d in &daemons {
        d.wait_for_line("sanctiond started", Duration::from_secs(60));
    }
    assert!(Utc::now() < due, "the daemons started after the burst was due");
    if std::env::var_os("SANCTIOND_PG_STATEMENTS").is_some() {
        client.batch_execute("SELECT pg_stat_statements_reset()").expect("pg_stat_statements");
    }
    // Watch the sink while the burst drains (a count over the outbox every 250 ms costs
    // PostgreSQL a few per cent of what the burst does), then the ledger once.
    common::wait_until(Duration::from_secs(300), || {
        std::thread::sleep(Duration::from_millis(250));
        (sink.count() >= deadlines).then_some(())
    })
    .expect("every email arrives");
    wait_all_sent(&mut client, deadlines * 2);
    for d in &mut daemons {
        d.stop();
    }
    if std::env::var_os("SANCTIOND_PG_STATEMENTS").is_some() {
        print_statements(&mut client);
    }
    let ids = sink.message_ids();
    let rate = sink.first_and_last().and_then(|(first, last)| last.duration_since(first).ok()).map_or(0.0, |d| {
        #[allow(clippy::cast_precision_loss)]
        let n = ids.len() as f64;
        n / d.as_secs_f64().max(0.001)
    });
    println!(
        "a burst:                 {deadlines} emails (and as many log alerts) due at once, two daemons: \
         {rate:.0} emails/s from the first to the last, {} unique",
        common::distinct(&ids)
    );
    assert_eq!(common::distinct(&ids), deadlines, "no email lost");
}

/// What the ledger spent its time on, statement by statement: with
/// `SANCTIOND_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements"` and
/// `SANCTIOND_PG_STATEMENTS=1`.
fn print_statements(client: &mut postgres::Client) {
    let rows = client
        .query(
            "SELECT calls, total_exec_time, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) \
             FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25",
            &[],
        )
        .expect("pg_stat_statements (see print_statements)");
    for r in rows {
        let (calls, ms, n, query): (i64, f64, i64, String) = (r.get(0), r.get(1), r.get(2), r.get(3));
        println!("{calls:>8} calls {ms:>9.1} ms {n:>8} rows  {query}");
    }
}

/// Every log alert the daemons wrote, as (deadline, lead).
fn logged_alerts<'a>(daemons: impl Iterator<Item = &'a Daemon>) -> Vec<(String, String)> {
    daemons
        .flat_map(Daemon::lines)
        .filter(|l| l.contains("deadline alert"))
        .map(|l| {
            (
                common::field(&l, "deadline").unwrap_or("?").to_owned(),
                common::field(&l, "lead").unwrap_or("?").to_owned(),
            )
        })
        .collect()
}
