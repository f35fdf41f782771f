//! Email delivery throughput: a burst of 10,000 alerts due at once (one outbox row each:
//! one receiver, one recipient), sent by the real daemon to a local SMTP server (aiosmtpd,
//! `tests/support/smtp_sink.py`) over 4 reused connections. Prints alerts/s, measured
//! from the first message the server wrote to the last, and the daemon's memory during the
//! drain. `cargo bench --bench email` (needs what `tests/setup.sh` installs); quick mode
//! (`cargo test`) sends 200.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::Utc;

mod common;

const MAX_CONNECTIONS: usize = 4;

fn main() {
    let quick = common::quick();
    common::announce("email", quick);
    let alerts: usize = if quick { 200 } else { 10_000 };
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = common::SmtpSink::start(&dir.path().join("mail"), &[]);

    // Far enough ahead for the daemon to load and plan every deadline first.
    let lead_in = if quick { 5 } else { 10 };
    let due = Utc::now() + chrono::Duration::seconds(lead_in);
    let mut config = format!(
        "[daemon]\nstate_dir = \"{}\"\n[alerts]\nlead_times = [\"0s\"]\n\
         [[receiver]]\nname = \"desk\"\ntype = \"email\"\nto = [\"desk@example.org\"]\n\
         [smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"sanctiond <alerts@example.org>\"\n\
         max_connections = {MAX_CONNECTIONS}\n",
        dir.path().join("state").display(),
        sink.port
    );
    for i in 0..alerts {
        let _ = write!(
            config,
            "[[deadline]]\nid = \"burst-{i}\"\ntitle = \"Burst deadline {i}\"\ndue = \"{}\"\n",
            common::rfc3339(due)
        );
    }
    let config_path = dir.path().join("sanctiond.toml");
    std::fs::write(&config_path, config).expect("config");

    let mut daemon = common::Daemon::start(&config_path, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(60));
    assert!(Utc::now() < due, "the daemon took longer to start than the lead-in of {lead_in} s");
    let pid = daemon.pid();
    let mut rss = Vec::new();
    let timeout = Instant::now() + Duration::from_secs(lead_in as u64 + 300);
    while sink.count() < alerts && Instant::now() < timeout {
        std::thread::sleep(Duration::from_millis(250));
        if sink.count() > 0 {
            rss.push(common::rss_kb(pid));
        }
    }
    daemon.stop();

    let ids = sink.message_ids();
    let unique = common::distinct(&ids);
    let (first, last) = sink.first_and_last().expect("messages received");
    let took = last.duration_since(first).unwrap_or_default();
    println!(
        "email burst:             {} of {alerts} alerts delivered ({unique} distinct Message-IDs) in {took:.2?}",
        ids.len()
    );
    println!(
        "throughput:              {:>9.0} alerts/s ({MAX_CONNECTIONS} reused connections, one transaction per recipient)",
        ids.len().saturating_sub(1) as f64 / took.as_secs_f64()
    );
    let (min, max) = (rss.iter().min().copied().unwrap_or(0), rss.iter().max().copied().unwrap_or(0));
    println!(
        "daemon memory in drain:  {:>9.1} MB min, {:.1} MB max (VmRSS sampled every 250 ms)",
        min as f64 / 1024.0,
        max as f64 / 1024.0
    );
    assert_eq!(unique, alerts, "every alert delivered");
}
