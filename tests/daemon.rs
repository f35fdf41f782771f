//! The real daemon in real time: alerts on time, `kill -9` between two alerts, restart,
//! every alert exactly once; reload, shutdown and the single-writer lock.

mod support;

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use support::{Daemon, field, sanctiond, write_config};

fn config(state: &std::path::Path, due: DateTime<Utc>, catch_up: &str) -> String {
    format!(
        r#"
[daemon]
state_dir = "{}"
timezone = "Europe/Brussels"
[alerts]
lead_times = ["9s", "6s", "3s", "0s"]
catch_up = "{catch_up}"
late_after = "1s"
[[deadline]]
id = "e2e"
title = "End-to-end ultimatum"
due = "{}"
"#,
        state.display(),
        due.to_rfc3339_opts(SecondsFormat::Millis, true)
    )
}

fn alert_lines(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter(|l| l.contains("deadline alert"))
        .map(|l| (field(l, "lead").unwrap_or("?").to_owned(), field(l, "late").unwrap_or("?").to_owned()))
        .collect()
}

/// Asserts the alert with `lead` was logged within a second of its planned time.
fn assert_on_time(daemon: &Daemon, lead: &str) {
    let line = daemon.wait_for_line(&format!("lead={lead} "), Duration::from_secs(15));
    let seen = Utc::now();
    let planned = DateTime::parse_from_rfc3339(field(&line, "planned").expect("planned")).expect("time");
    let delay = seen - planned.to_utc();
    assert!(delay >= chrono::Duration::zero() - chrono::Duration::milliseconds(50), "{lead} fired early: {line}");
    assert!(delay < chrono::Duration::seconds(1), "{lead} fired {delay} after its time: {line}");
}

#[test]
fn alerts_fire_on_time_and_exactly_once_across_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let start = Utc::now();
    let due = start + chrono::Duration::seconds(12);
    let path = write_config(dir.path(), &config(&dir.path().join("state"), due, "latest"));

    let mut first = Daemon::start(&path, &[]);
    first.wait_for_line("deadlines loaded", Duration::from_secs(10));
    assert_on_time(&first, "9s");
    first.crash();
    let before_crash = alert_lines(&first.lines());

    // Stay down past the 6s alert (due + ... at start+6s) by more than late_after.
    let restart_at = start + chrono::Duration::milliseconds(7_600);
    std::thread::sleep((restart_at - Utc::now()).to_std().unwrap_or_default());
    let mut second = Daemon::start(&path, &[]);
    second.wait_for_line("lead=6s", Duration::from_secs(5));

    // The ledger can be read while the daemon runs.
    let out = sanctiond().arg("--config").arg(&path).args(["alerts", "--format", "json"]).output().expect("alerts");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let alerts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let states: Vec<(String, String, bool)> = alerts
        .as_array()
        .expect("array")
        .iter()
        .map(|a| {
            (
                a["lead"].as_str().expect("lead").to_owned(),
                a["state"].as_str().expect("state").to_owned(),
                a["late"] == true,
            )
        })
        .collect();
    assert_eq!(states[..2], [("9s".into(), "sent".into(), false), ("6s".into(), "sent".into(), true)]);

    assert_on_time(&second, "3s");
    assert_on_time(&second, "0s");
    second.signal("TERM");
    let stopping = Instant::now();
    let status = second.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "SIGTERM exits 0, got {status}");
    assert!(stopping.elapsed() < Duration::from_secs(5));

    let mut all = before_crash;
    all.extend(alert_lines(&second.lines()));
    let expected: Vec<(String, String)> = [("9s", "false"), ("6s", "true"), ("3s", "false"), ("0s", "false")]
        .iter()
        .map(|(l, late)| ((*l).to_owned(), (*late).to_owned()))
        .collect();
    assert_eq!(all, expected, "every alert once, the missed one late");

    let out = sanctiond().arg("--config").arg(&path).args(["alerts", "--format", "json"]).output().expect("alerts");
    let alerts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for a in alerts.as_array().expect("array") {
        assert_eq!(a["state"], "sent", "{a}");
        assert_eq!(a["attempts"], 1, "{a}");
        let planned = a["planned"].as_str().expect("planned");
        assert!(
            planned.ends_with('Z') && planned.len() == "2025-08-08T12:00:00.000Z".len(),
            "millisecond RFC 3339: {planned}"
        );
    }
}

#[test]
fn a_reload_with_a_bad_config_keeps_the_running_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let due = Utc::now() + chrono::Duration::days(10);
    let path = write_config(dir.path(), &config(&state, due, "latest"));
    let daemon = Daemon::start(&path, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(10));

    std::fs::write(&path, "[alerts]\nlead_times = [\"3 dayz\"]\n").expect("break config");
    daemon.signal("HUP");
    let refused = daemon.wait_for_line("reload refused", Duration::from_secs(5));
    assert!(refused.contains("sanctiond.toml:2:15: invalid duration \"3 dayz\""), "{refused}");

    let moved = due + chrono::Duration::days(1);
    write_config(dir.path(), &config(&state, moved, "latest"));
    daemon.signal("HUP");
    daemon.wait_for_line("deadline moved", Duration::from_secs(5));

    let out =
        sanctiond().arg("--config").arg(&path).args(["deadlines", "--format", "json"]).output().expect("deadlines");
    let deadlines: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let e2e = &deadlines[0];
    assert_eq!(e2e["id"], "e2e");
    assert_eq!(e2e["revisions"].as_array().expect("revisions").len(), 2);
    let shown = DateTime::parse_from_rfc3339(e2e["due"].as_str().expect("due")).expect("due");
    assert_eq!(shown.to_utc().timestamp(), moved.timestamp());
    assert!(e2e["due"].as_str().expect("due").ends_with("+01:00"), "shown in [daemon] timezone: {}", e2e["due"]);
}

#[test]
fn a_second_daemon_on_the_same_state_refuses_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path =
        write_config(dir.path(), &config(&dir.path().join("state"), Utc::now() + chrono::Duration::days(1), "all"));
    let first = Daemon::start(&path, &[]);
    first.wait_for_line("sanctiond started", Duration::from_secs(10));
    let out = sanctiond().arg("--config").arg(&path).arg("run").output().expect("second");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another sanctiond already runs on the state directory"), "{err}");
}

#[test]
fn read_commands_explain_a_missing_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), &config(&dir.path().join("state"), Utc::now(), "all"));
    let out = sanctiond().arg("--config").arg(&path).arg("deadlines").output().expect("deadlines");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no ledger at") && err.contains("start the daemon"), "{err}");
}
