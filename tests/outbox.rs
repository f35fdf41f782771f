//! The outbox under faults, with the real daemon: `kill -9` in the middle of a burst to a
//! real SMTP server (aiosmtpd) and the log, and relays that accept a connection and then
//! never answer. Once means once: nothing lost, no log alert twice, at most what was on
//! the wire re-sent; a hung relay delays nobody else and never stops the watchdog or a stop.

mod support;

use std::collections::BTreeSet;

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use support::smtp::SmtpSink;
use support::{Daemon, alerts_json, log_alerts, sanctiond, wait_until, write_config};

const MAX_CONNECTIONS: usize = 4;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[test]
fn kill_9_in_a_burst_loses_nothing_and_resends_at_most_what_was_on_the_wire() {
    const DEADLINES: usize = 100;
    const KILLS: usize = 3;
    let dir = tempfile::tempdir().expect("tempdir");
    // 20 ms a message: with 4 connections a wave of 100 emails lasts about half a second.
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &["--delay-ms", "20"]);
    let due = Utc::now() + chrono::Duration::seconds(12);
    let path =
        write_config(dir.path(), &support::burst_config(&dir.path().join("state"), sink.port, DEADLINES, due, ""));
    let expected = DEADLINES * 3;

    let mut runs: Vec<Daemon> = vec![Daemon::start(&path, &[])];
    runs[0].wait_for_line("deadlines loaded", Duration::from_secs(20));
    // Kill whenever another few messages have arrived: in the middle of the waves.
    for kill in 0..KILLS {
        let threshold = 30 + kill * 70;
        wait_until(Duration::from_secs(30), || (sink.received().len() >= threshold).then_some(()))
            .unwrap_or_else(|| panic!("the burst never reached {threshold} emails"));
        let last = runs.last_mut().expect("running");
        last.crash();
        runs.push(Daemon::start(&path, &[]));
    }
    // Let everything settle: every row sent.
    let settled = wait_until(Duration::from_secs(60), || {
        let rows = alerts_json(&path);
        rows.iter().all(|r| r["state"] == "sent").then_some(rows)
    })
    .expect("every row sent in the end");
    assert_eq!(settled.len(), expected * 2, "one row per alert and receiver");

    let received = sink.received();
    let ids: BTreeSet<String> = received.iter().filter_map(|m| m.header("Message-ID")).collect();
    let duplicates = received.len() - ids.len();
    let lines: Vec<String> = runs.iter().flat_map(Daemon::lines).collect();
    let logged = log_alerts(&lines);
    let unique_logged: BTreeSet<_> = logged.iter().cloned().collect();
    println!(
        "burst: {expected} emails + {expected} log alerts, {KILLS} kills: {} emails received ({} unique, {duplicates} duplicates), {} log alerts ({} unique)",
        received.len(),
        ids.len(),
        logged.len(),
        unique_logged.len()
    );
    assert_eq!(ids.len(), expected, "no email lost");
    assert!(duplicates <= KILLS * MAX_CONNECTIONS, "{duplicates} duplicate emails for {KILLS} kills");
    assert_eq!(unique_logged.len(), expected, "no log alert lost");
    assert_eq!(logged.len(), expected, "no log alert twice");
}

/// A relay on loopback that stops answering (see `silent_smtp.py`).
struct SilentRelay {
    child: Child,
    port: u16,
}

impl SilentRelay {
    fn start(mode: &str) -> SilentRelay {
        let (child, port) = support::start_python("silent_smtp.py", &["--mode".as_ref(), mode.as_ref()]);
        SilentRelay { child, port }
    }
}

impl Drop for SilentRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Collects the times of the daemon's systemd notifications.
fn notify_socket(path: &Path) -> Arc<Mutex<Vec<(Instant, String)>>> {
    let socket = UnixDatagram::bind(path).expect("bind");
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = socket.recv(&mut buf) {
            sink.lock().expect("lock").push((Instant::now(), String::from_utf8_lossy(&buf[..n]).into_owned()));
        }
    });
    got
}

fn hung_relay_keeps_everything_else_on_time(mode: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = SilentRelay::start(mode);
    let start = Utc::now();
    let mail_due = start + chrono::Duration::seconds(4);
    // Log alerts while the email hangs, and after its timeout too.
    let log_due = [start + chrono::Duration::seconds(6), start + chrono::Duration::seconds(9)];
    let config = format!(
        r#"
[daemon]
state_dir = "{state}"
timezone = "UTC"
[alerts]
lead_times = ["0s"]
[smtp]
host = "127.0.0.1"
port = {port}
tls = "none"
from = "sanctiond <alerts@example.org>"
timeout = "4s"
[[receiver]]
name = "desk"
type = "email"
to = ["desk@example.org", "legal@example.org"]
[[receiver]]
name = "journal"
type = "log"
[[route]]
tags = ["mail"]
receivers = ["desk"]
[routing]
default = ["journal"]
[[deadline]]
id = "by-mail"
title = "Goes to the silent relay"
due = "{mail_due}"
tags = ["mail"]
[[deadline]]
id = "by-mail-again"
title = "On the wire when the reload comes"
due = "{mail_again}"
tags = ["mail"]
[[deadline]]
id = "log-one"
title = "Logged during the hang"
due = "{log_one}"
[[deadline]]
id = "log-two"
title = "Logged after the first timeout"
due = "{log_two}"
"#,
        state = dir.path().join("state").display(),
        port = relay.port,
        mail_due = rfc3339(mail_due),
        mail_again = rfc3339(start + chrono::Duration::seconds(8)),
        log_one = rfc3339(log_due[0]),
        log_two = rfc3339(log_due[1]),
    );
    let path = write_config(dir.path(), &config);
    let socket_path = dir.path().join("notify.sock");
    let notes = notify_socket(&socket_path);
    let mut daemon =
        Daemon::start(&path, &[("NOTIFY_SOCKET", socket_path.to_str().expect("utf-8")), ("WATCHDOG_USEC", "2000000")]);
    for (id, due) in [("log-one", log_due[0]), ("log-two", log_due[1])] {
        let line = daemon.wait_for_line(&format!("deadline={id} "), Duration::from_secs(20));
        let seen = Utc::now();
        let late = seen - due;
        assert!(late < chrono::Duration::seconds(1), "{mode}: {id} logged {late} after its time: {line}");
    }
    // The email is waiting for its retry with a timeout as its reason.
    let rows = alerts_json(&path);
    let mail: Vec<_> = rows.iter().filter(|r| r["deadline"] == "by-mail").collect();
    assert_eq!(mail.len(), 2, "{rows:?}");
    for row in &mail {
        assert_eq!(row["state"], "pending", "{mode}: waiting to retry: {row}");
        assert!(row["last_error"].as_str().unwrap_or("").contains("timed out"), "{mode}: {row}");
    }
    // The watchdog was fed every second (half its interval) all along.
    let pings: Vec<Instant> =
        notes.lock().expect("lock").iter().filter(|(_, m)| m.contains("WATCHDOG=1")).map(|(t, _)| *t).collect();
    assert!(pings.len() >= 6, "{mode}: {} watchdog pings", pings.len());
    let gap = pings.windows(2).map(|w| w[1] - w[0]).max().expect("pings");
    assert!(gap < Duration::from_millis(1_500), "{mode}: the watchdog went {gap:?} without a ping");

    // A reload while `by-mail-again` hangs on the relay is not held up by it, and a stop
    // right after is obeyed.
    daemon.signal("HUP");
    daemon.wait_for_line("config reloaded", Duration::from_secs(3));
    // A stop while a send may be on the wire again (the retry): out within 5 s.
    let stopping = Instant::now();
    daemon.signal("TERM");
    let status = daemon.wait_exit(Duration::from_secs(10));
    let took = stopping.elapsed();
    assert!(status.success(), "{mode}: {status:?}");
    assert!(took < Duration::from_secs(5), "{mode}: SIGTERM took {took:?}");
    let lines = daemon.lines();
    assert!(!lines.iter().any(|l| l.contains("panicked")), "{mode}: {lines:#?}");
}

#[test]
fn a_relay_that_never_greets_delays_nobody_else() {
    hung_relay_keeps_everything_else_on_time("no-greeting");
}

#[test]
fn a_relay_silent_after_mail_from_delays_nobody_else() {
    hung_relay_keeps_everything_else_on_time("after-mail");
}

#[test]
fn a_relay_silent_after_the_data_delays_nobody_else() {
    hung_relay_keeps_everything_else_on_time("after-data");
}

#[test]
fn ack_stops_one_receivers_remaining_alerts_and_says_what_it_did() {
    let dir = tempfile::tempdir().expect("tempdir");
    let due = Utc::now() + chrono::Duration::days(10);
    let config = format!(
        r#"
[daemon]
state_dir = "{state}"
[alerts]
lead_times = ["7d", "3d", "1d"]
[[receiver]]
name = "a"
type = "log"
[[receiver]]
name = "b"
type = "log"
[[deadline]]
id = "acked"
title = "Acknowledged deadline"
due = "{due}"
"#,
        state = dir.path().join("state").display(),
        due = rfc3339(due)
    );
    let path = write_config(dir.path(), &config);
    let run = |args: &[&str]| {
        let out = sanctiond().arg("--config").arg(&path).args(args).output().expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run(&["ack", "acked", "--receiver", "a"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("acked: acknowledged for receiver a (revision 1); 3 pending alert(s) stopped"), "{stdout}");
    let rows = alerts_json(&path);
    for row in &rows {
        let expected = if row["receiver"] == "a" { ("cancelled", "acknowledged") } else { ("pending", "") };
        assert_eq!(
            (row["state"].as_str().unwrap_or(""), row["cancel_reason"].as_str().unwrap_or("")),
            expected,
            "{row}"
        );
    }
    assert_eq!(rows.len(), 6);
    let (code, _, stderr) = run(&["ack", "no-such-deadline"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no deadline \"no-such-deadline\""), "{stderr}");
    let (code, _, stderr) = run(&["ack", "acked", "--receiver", "nobody"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no receiver named \"nobody\""), "{stderr}");
}
