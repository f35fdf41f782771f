//! The outbox under `kill -9`: a burst of 1,200 outbox rows (200 declared deadlines × 3
//! lead times, to an email receiver with one recipient and to the log), sent by the real
//! daemon to a real SMTP server (aiosmtpd, 5 ms a message, `[smtp] max_connections = 4`).
//! The daemon is killed with SIGKILL five times while the burst drains (each time the
//! server's message count passes a threshold) and restarted; once every row is `sent`,
//! prints what arrived: lost = expected - unique, duplicates against the bound of
//! kills × max_connections (what can be on the wire at a kill).
//! `cargo bench --bench outbox`; quick mode (`cargo test`): 60 rows, 2 kills.

use std::time::Duration;

use chrono::Utc;

mod common;

use common::{Daemon, SmtpSink};

const MAX_CONNECTIONS: usize = 4;
const LEADS: usize = 3;

fn main() {
    let quick = common::quick();
    common::announce("outbox", quick);
    let (deadlines, kills) = if quick { (10, 2) } else { (200, 5) };
    let expected = deadlines * LEADS; // per receiver
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start(&dir.path().join("mail"), &["--delay-ms", "5"]);
    // The first wave (the 6s lead) comes 6 s before `due`: after the daemon has planned it.
    let due = Utc::now() + chrono::Duration::seconds(if quick { 9 } else { 12 });
    let config = dir.path().join("sanctiond.toml");
    std::fs::write(&config, common::burst_config(&dir.path().join("state"), sink.port, deadlines, due, ""))
        .expect("config");

    let mut runs = vec![Daemon::start(&config, &[])];
    runs[0].wait_for_line("sanctiond started", Duration::from_secs(30));
    assert!(Utc::now() + chrono::Duration::seconds(6) < due, "the daemon started after the first wave was due");
    // Kill each time another share of the emails has arrived, spread over the three waves.
    for kill in 0..kills {
        let threshold = expected * (kill + 1) / (kills + 1);
        common::wait_until(Duration::from_secs(60), || (sink.count() >= threshold).then_some(()))
            .unwrap_or_else(|| panic!("the burst never reached {threshold} emails"));
        runs.last_mut().expect("running").crash();
        runs.push(Daemon::start(&config, &[]));
    }
    let rows = common::wait_until(Duration::from_secs(120), || {
        let rows = common::alerts_json(&config);
        rows.iter().all(|r| r["state"] == "sent").then_some(rows)
    })
    .expect("every row sent in the end");
    runs.last_mut().expect("running").stop();

    let ids = sink.message_ids();
    let unique_ids = common::distinct(&ids);
    let logged: Vec<(String, String)> = runs
        .iter()
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
    let bound = kills * MAX_CONNECTIONS;
    println!(
        "burst:                   {} outbox rows ({deadlines} deadlines × {LEADS} leads × email + log), {kills} × kill -9, \
         {} rows sent in the end",
        expected * 2,
        rows.len()
    );
    println!(
        "emails:                  {expected} expected, {} received, {unique_ids} unique Message-IDs, {} duplicates \
         (bound {kills} kills × {MAX_CONNECTIONS} connections = {bound}), {} lost",
        ids.len(),
        ids.len() - unique_ids,
        expected.saturating_sub(unique_ids)
    );
    println!(
        "log alerts:              {expected} expected, {} written, {unique_logged} unique, {} twice, {} lost",
        logged.len(),
        logged.len() - unique_logged,
        expected.saturating_sub(unique_logged)
    );
    assert_eq!(rows.len(), expected * 2, "one row per alert and receiver");
    assert_eq!(unique_ids, expected, "no email lost");
    assert_eq!(unique_logged, expected, "no log alert lost");
}
