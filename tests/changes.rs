//! `sanctiond changes --since T` on a real ledger: what was learned after T (deadlines
//! added and moved, withdrawals, talks), and nothing learned before it.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{sanctiond, write_config};

fn article(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay/articles").join(name)
}

const CONFIG: &str = r#"
[daemon]
state_dir = "STATE"
timezone = "America/New_York"
[[receiver]]
name = "journal"
type = "log"
[routing]
default = ["journal"]
[[actor]]
name = "Steve Witkoff"
aliases = ["Witkoff"]
[[actor]]
name = "Vladimir Putin"
aliases = ["Putin"]
[[topic]]
name = "russia"
phrases = ["Russian oil"]
tags = ["russia"]
"#;

const DECLARED: &str = r#"
[[deadline]]
id = "gl-wind-down"
title = "General licence for the oil wind-down expires"
due = "2031-03-12T00:01:00-04:00"
"#;

fn ingest(config: &Path, names: &[&str]) {
    let out = sanctiond()
        .arg("--config")
        .arg(config)
        .arg("ingest")
        .args(names.iter().map(|n| article(n)))
        .output()
        .expect("run");
    assert!(out.status.success(), "ingest: {}", String::from_utf8_lossy(&out.stderr));
}

fn changes(config: &Path, since: &str) -> Vec<Value> {
    let out = sanctiond()
        .arg("--config")
        .arg(config)
        .args(["changes", "--format", "json", "--since", since])
        .output()
        .expect("run");
    assert!(out.status.success(), "changes: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["changes"].as_array().expect("changes").clone()
}

fn kinds(list: &[Value]) -> Vec<String> {
    list.iter().map(|c| c["kind"].as_str().unwrap_or("").to_owned()).collect()
}

#[test]
fn changes_since_a_time_are_what_the_ledger_learned_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let text = CONFIG.replace("STATE", &state.display().to_string());
    let config = write_config(dir.path(), &format!("{text}{DECLARED}"));
    ingest(&config, &["01-ultimatum.txt", "02-call.txt"]);
    let all = changes(&config, "1h");
    assert_eq!(kinds(&all), ["new_deadline", "new_deadline", "new_talk"], "{all:#?}");
    assert!(all.iter().any(|c| c["deadline"] == "gl-wind-down"), "the declared deadline, learned from the config");

    let mark = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    std::thread::sleep(std::time::Duration::from_millis(20));
    // The declared deadline leaves the config: withdrawn at the next sync.
    write_config(dir.path(), &text);
    ingest(&config, &["03-moved.txt", "04-envoy.txt", "05-sport.txt"]);

    let recent = changes(&config, &mark);
    assert_eq!(kinds(&recent), ["withdrawn", "moved", "new_talk"], "{recent:#?}");
    assert_eq!(recent[0]["deadline"], "gl-wind-down");
    let moved = &recent[1];
    assert_eq!(moved["revision"], 2);
    assert_eq!(moved["from"], "2025-07-25T03:59:59.000Z", "the end of July 24 in New York");
    assert_eq!(moved["to"], "2025-07-27T03:59:59.000Z");
    assert!(moved["source"].as_str().is_some_and(|s| s.contains("pushed back")), "{moved}");
    let talk = &recent[2];
    assert_eq!(talk["participants"], serde_json::json!(["Steve Witkoff", "Vladimir Putin"]));
    assert_eq!(talk["status"], "planned");
    assert_eq!(talk["place"], "Moscow");
    assert_eq!(talk["reported_by"], "Northern Ledger");
    for c in &recent {
        assert!(c["at"].as_str().is_some_and(|at| at >= mark.as_str()), "learned after the mark: {c}");
    }

    // The human form: a line per change, oldest first.
    let out = sanctiond().arg("--config").arg(&config).args(["changes", "--since", &mark]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains("moved") && lines[1].contains("revision 2"), "{text}");

    // Nothing is learned in the future.
    assert!(changes(&config, "2099-01-01").is_empty());
}

#[test]
fn a_since_that_is_no_time_is_refused_with_the_forms_it_takes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &CONFIG.replace("STATE", &dir.path().join("state").display().to_string()));
    ingest(&config, &["01-ultimatum.txt"]);
    let out =
        sanctiond().arg("--config").arg(&config).args(["changes", "--since", "yesterday-ish"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--since \"yesterday-ish\" is not a time") && stderr.contains("24h"), "{stderr}");
}
