//! Two daemons on one PostgreSQL ledger through a burst: 10,002 emails (3,334 declared
//! deadlines × 3 lead times within 6 s) to a real SMTP server (aiosmtpd) and as many log
//! alerts, `[smtp] max_connections = 4` each, a lease of 2 s. One daemon is killed with
//! SIGKILL three times while the burst drains and restarted each time. Once every row is
//! `sent`, prints what arrived: lost, duplicates against the bound of kills ×
//! max_connections, the worst lateness, and the email rate of the two together.
//! `cargo bench --bench shared`; quick mode (`cargo test`): 60 rows, 1 kill.

use std::time::Duration;

use chrono::{DateTime, Utc};

mod common;
#[path = "../tests/support/pg.rs"]
mod pg;

use common::{Daemon, SmtpSink};

const MAX_CONNECTIONS: usize = 4;
const LEADS: usize = 3;
const LEASE_SECONDS: i64 = 2;

fn main() {
    let quick = common::quick();
    common::announce("shared", quick);
    let (deadlines, kills) = if quick { (20, 1) } else { (3_334, 3) };
    let expected = deadlines * LEADS;
    let cluster = pg::Cluster::start_new("bench-shared");
    let url = cluster.database();
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let due = Utc::now() + chrono::Duration::seconds(if quick { 12 } else { 25 });
    let path = |name: &str| {
        let p = dir.path().join(format!("{name}.toml"));
        let store = format!("[store]\nurl = \"{url}\"\nlease = \"{LEASE_SECONDS}s\"");
        std::fs::write(&p, common::burst_config(&dir.path().join(name), sink.port, deadlines, due, &store))
            .expect("config");
        p
    };
    let (a, b) = (path("a"), path("b"));
    let mut killed = vec![Daemon::start(&a, &[])];
    let mut other = Daemon::start(&b, &[]);
    killed[0].wait_for_line("sanctiond started", Duration::from_secs(60));
    other.wait_for_line("sanctiond started", Duration::from_secs(60));
    assert!(Utc::now() + chrono::Duration::seconds(6) < due, "the daemons started after the first wave was due");
    for kill in 0..kills {
        let threshold = expected * (kill + 1) / (kills + 1);
        common::wait_until(Duration::from_secs(120), || (sink.count() >= threshold).then_some(()))
            .unwrap_or_else(|| panic!("the burst never reached {threshold} emails"));
        killed.last_mut().expect("running").crash();
        killed.push(Daemon::start(&a, &[]));
    }
    let rows = common::wait_until(Duration::from_secs(300), || {
        let rows = common::alerts_json(&b);
        rows.iter().all(|r| r["state"] == "sent").then_some(rows)
    })
    .expect("every row sent in the end");
    killed.last_mut().expect("running").stop();
    other.stop();

    let ids = sink.message_ids();
    let unique_ids = common::distinct(&ids);
    let logged: Vec<(String, String)> = killed
        .iter()
        .chain([&other])
        .flat_map(Daemon::lines)
        .filter(|l| l.contains("deadline alert"))
        .map(|l| {
            (
                common::field(&l, "deadline").unwrap_or("?").to_owned(),
                common::field(&l, "lead").unwrap_or("?").to_owned(),
            )
        })
        .collect();
    let unique_logged = common::distinct(&logged);
    let lateness: Vec<i64> = rows
        .iter()
        .filter_map(|r| {
            let planned = DateTime::parse_from_rfc3339(r["planned"].as_str()?).ok()?;
            let sent = DateTime::parse_from_rfc3339(r["sent"].as_str()?).ok()?;
            Some((sent - planned).num_milliseconds())
        })
        .collect();
    let worst = lateness.iter().copied().max().unwrap_or(0);
    let within_a_second = lateness.iter().filter(|l| **l <= 1000).count();
    let rate = sink.first_and_last().and_then(|(first, last)| last.duration_since(first).ok()).map_or(0.0, |d| {
        #[allow(clippy::cast_precision_loss)]
        let n = ids.len() as f64;
        n / d.as_secs_f64().max(0.001)
    });
    println!(
        "shared burst:            {} outbox rows ({deadlines} deadlines × {LEADS} leads × email + log), two daemons, \
         {kills} × kill -9 of one, lease {LEASE_SECONDS} s",
        expected * 2
    );
    println!(
        "emails:                  {expected} expected, {} received, {unique_ids} unique, {} duplicates (bound {}), {} lost; \
         {rate:.0} emails/s from the two daemons",
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
    println!("lateness (sent - planned): worst {worst} ms; {within_a_second} of {} rows within 1 s", lateness.len());
    assert_eq!(rows.len(), expected * 2, "one row per alert and receiver");
    assert_eq!(unique_ids, expected, "no email lost");
    assert_eq!(unique_logged, expected, "no log alert lost");
    assert!(ids.len() - unique_ids <= kills * MAX_CONNECTIONS, "duplicates within the bound");
}
