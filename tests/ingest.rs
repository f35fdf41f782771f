//! `sanctiond ingest` into a real ledger: one story from several outlets, deadlines moved
//! and superseded, undated mentions, re-ingest, candidates, track and dismiss, bad input,
//! and the notices and alerts a running daemon sends about it all (aiosmtpd on 127.0.0.1).

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::Value;
use support::smtp::{SmtpSink, received_in};
use support::{Daemon, sanctiond, wait_until, write_config};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest").join(name).display().to_string()
}

const BASE: &str = r#"
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
aliases = ["Witkoff", "Scott Witkoff"]
[[actor]]
name = "Vladimir Putin"
aliases = ["Putin"]
[[topic]]
name = "russia"
phrases = ["secondary tariffs", "Russian fertiliser"]
tags = ["russia"]
"#;

fn setup(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = BASE.replace("STATE", &dir.path().join("state").display().to_string()) + extra;
    let config = write_config(dir.path(), &text);
    (dir, config)
}

/// Runs `sanctiond ingest --format json`; returns the exit code, one report per path, stderr.
fn ingest(config: &Path, paths: &[String]) -> (Option<i32>, Vec<Value>, String) {
    let out = sanctiond()
        .arg("--config")
        .arg(config)
        .args(["ingest", "--format", "json"])
        .args(paths)
        .output()
        .expect("ingest");
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), reports.as_array().cloned().unwrap_or_default(), String::from_utf8_lossy(&out.stderr).into())
}

fn json(config: &Path, args: &[&str]) -> Vec<Value> {
    let out = sanctiond().arg("--config").arg(config).args(args).args(["--format", "json"]).output().expect("run");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v.as_array().cloned().expect("an array")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned)).collect()
}

fn dues(deadline: &Value) -> Vec<String> {
    deadline["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .map(|r| r["due"].as_str().expect("due")[..10].to_owned())
        .collect()
}

#[test]
fn one_story_from_five_outlets_is_one_talk_and_one_deadline() {
    let (_dir, config) = setup("");
    let stories: Vec<String> = (1..=5).map(|i| fixture(&format!("story-{i}.txt"))).collect();
    let (code, reports, stderr) = ingest(&config, &stories);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reports.len(), 5);
    let added = reports[0]["added"].as_array().expect("added");
    assert_eq!(added.len(), 1, "{reports:?}");
    assert_eq!(added[0]["tracking"], "tracked", "a watched actor is named");
    let id = added[0]["id"].as_str().expect("id").to_owned();
    for r in &reports[1..] {
        assert_eq!(r["added"], serde_json::json!([]), "{r}");
        assert_eq!(strings(&r["merged"]), [id.as_str()], "{r}");
        assert_eq!(r["talks_added"], serde_json::json!([]), "{r}");
    }

    let deadlines = json(&config, &["deadlines"]);
    assert_eq!(deadlines.len(), 1, "{deadlines:?}");
    let d = &deadlines[0];
    assert_eq!(d["due"], "2025-08-08T23:59:59-04:00");
    assert_eq!(strings(&d["sources"]).len(), 5, "{d}");
    assert_eq!(strings(&d["tags"]), ["russia"]);

    let talks = json(&config, &["talks"]);
    assert_eq!(talks.len(), 1, "{talks:?}");
    let t = &talks[0];
    assert_eq!(t["status"], "held");
    assert_eq!(t["date"], "2025-08-06");
    assert_eq!(strings(&t["participants"]), ["Steve Witkoff", "Vladimir Putin"]);
    assert_eq!(t["sources"].as_array().map(Vec::len), Some(5));
    let tone = strings(&t["tone"]);
    assert!(tone.iter().any(|w| w.contains("constructive")) && tone.contains(&"tense".to_owned()), "{tone:?}");
    assert_eq!(strings(&t["deadlines"]), [id.as_str()]);
    assert_eq!(d["talks"][0]["id"], t["id"], "the deadline lists its linked talk");
    assert_eq!(json(&config, &["talks", "--deadline", &id]).len(), 1);
    assert!(json(&config, &["talks", "--deadline", "no-such"]).is_empty());
}

#[test]
fn a_declared_deadline_gathers_the_articles_that_use_its_match_phrases() {
    let (_dir, config) = setup(
        r#"
[[deadline]]
id = "ru-secondary-tariffs"
title = "US ultimatum to Russia: ceasefire or secondary tariffs"
due = "2025-08-08T23:59:59-04:00"
match = ["secondary tariffs"]
"#,
    );
    let stories: Vec<String> = (1..=5).map(|i| fixture(&format!("story-{i}.txt"))).collect();
    let (code, reports, stderr) = ingest(&config, &stories);
    assert_eq!(code, Some(0), "{stderr}");
    for r in &reports {
        assert_eq!(strings(&r["merged"]), ["ru-secondary-tariffs"], "{r}");
    }
    let deadlines = json(&config, &["deadlines", "--all"]);
    assert_eq!(deadlines.len(), 1, "{deadlines:?}");
    let sources = strings(&deadlines[0]["sources"]);
    assert_eq!(sources.len(), 6, "the config and five articles: {sources:?}");
    assert!(sources[0].starts_with("config:"), "{sources:?}");
    assert_eq!(dues(&deadlines[0]), ["2025-08-08"], "same due: no revision");
}

#[test]
fn a_deadline_moved_twice_keeps_each_due_time_and_who_said_so() {
    let (_dir, config) = setup("");
    let files: Vec<String> = (1..=3).map(|i| fixture(&format!("moved-{i}.txt"))).collect();
    let (code, reports, stderr) = ingest(&config, &files);
    assert_eq!(code, Some(0), "{stderr}");
    let id = reports[0]["added"][0]["id"].as_str().expect("added").to_owned();
    assert_eq!(strings(&reports[1]["moved"]), [id.as_str()]);
    assert_eq!(strings(&reports[2]["moved"]), [id.as_str()]);
    let deadlines = json(&config, &["deadlines"]);
    assert_eq!(deadlines.len(), 1, "{deadlines:?}");
    let d = &deadlines[0];
    assert_eq!(d["due"], "2025-08-12T23:59:59-04:00");
    assert_eq!(dues(d), ["2025-07-09", "2025-08-01", "2025-08-12"]);
    let revision_sources: Vec<&str> =
        d["revisions"].as_array().expect("revisions").iter().map(|r| r["source"].as_str().expect("source")).collect();
    assert!(revision_sources[1].contains("more time on fertiliser duties"), "{revision_sources:?}");
    assert!(revision_sources[2].contains("slips again"), "{revision_sources:?}");
}

#[test]
fn a_superseded_date_alone_is_the_history_of_a_new_deadline() {
    let (_dir, config) = setup("");
    let (code, reports, stderr) = ingest(&config, &[fixture("superseded.txt")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reports[0]["added"].as_array().map(Vec::len), Some(1), "{reports:?}");
    let all = json(&config, &["deadlines", "--all"]);
    assert_eq!(all.len(), 1, "the superseded date is not a deadline of its own: {all:?}");
    assert_eq!(all[0]["due"], "2026-04-02T23:59:59-04:00");
    assert_eq!(dues(&all[0]), ["2026-03-04", "2026-04-02"]);
    assert_eq!(all[0]["tracking"], "candidate", "no topic or watched actor matches potash");
}

#[test]
fn an_undated_mention_joins_the_dated_deadline_it_refers_to() {
    let (_dir, config) = setup("");
    let (code, reports, stderr) = ingest(&config, &[fixture("dated.txt"), fixture("undated.txt")]);
    assert_eq!(code, Some(0), "{stderr}");
    let id = reports[0]["added"][0]["id"].as_str().expect("added").to_owned();
    assert_eq!(strings(&reports[1]["attached"]), [id.as_str()], "{reports:?}");
    let all = json(&config, &["deadlines", "--all"]);
    assert_eq!(all.len(), 1);
    assert_eq!(strings(&all[0]["sources"]).len(), 2);

    // Alone, the same mention is kept as undated: no deadline appears.
    let (_dir2, alone) = setup("");
    let (code, reports, _) = ingest(&alone, &[fixture("undated.txt")]);
    assert_eq!(code, Some(0));
    assert_eq!(reports[0]["undated"], 1);
    assert!(json(&alone, &["deadlines", "--all"]).is_empty());
}

#[test]
fn ingesting_the_same_file_again_changes_nothing() {
    let (_dir, config) = setup("");
    let files = [fixture("story-1.txt"), fixture("moved-1.txt"), fixture("talk-planned.txt")];
    let (code, first, _) = ingest(&config, &files);
    assert_eq!(code, Some(0));
    assert!(first.iter().all(|r| r["duplicate"] == false));
    let before = (json(&config, &["deadlines", "--all"]), json(&config, &["talks"]), json(&config, &["alerts"]));
    let (code, again, _) = ingest(&config, &files);
    assert_eq!(code, Some(0));
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(b["duplicate"], true, "{b}");
        assert_eq!(a["article"], b["article"], "the stored article is named");
        assert_eq!(b["notices"], 0);
    }
    let after = (json(&config, &["deadlines", "--all"]), json(&config, &["talks"]), json(&config, &["alerts"]));
    assert_eq!(before, after);
}

/// A date as news writes it: "December 14, 2026".
fn spoken(day: chrono::DateTime<Utc>) -> String {
    day.format("%B %-d, %Y").to_string()
}

fn article(title: &str, body: &str) -> String {
    let published = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    format!("Title: {title}\nSource: Test Wire\nPublished: {published}\n\n{body}\n")
}

#[test]
fn candidates_alert_only_once_tracked_and_a_dismissal_survives_new_reports() {
    let (dir, config) = setup("");
    let due = Utc::now() + chrono::Duration::days(20);
    let first = dir.path().join("cod-1.txt");
    let text = format!("The fisheries commission has set a deadline of {} for comments on cod quotas.", spoken(due));
    std::fs::write(&first, article("Cod quotas", &text)).expect("write");
    let (code, reports, stderr) = ingest(&config, &[first.display().to_string()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reports[0]["added"][0]["tracking"], "candidate", "{reports:?}");
    let id = reports[0]["added"][0]["id"].as_str().expect("id").to_owned();
    assert!(json(&config, &["deadlines"]).is_empty(), "candidates are not listed as tracked");
    assert_eq!(json(&config, &["deadlines", "--candidates"]).len(), 1);
    assert!(json(&config, &["alerts"]).is_empty(), "a candidate never alerts");

    let out = sanctiond().arg("--config").arg(&config).args(["track", &id]).output().expect("track");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pending: Vec<Value> = json(&config, &["alerts"]).into_iter().filter(|a| a["state"] == "pending").collect();
    assert_eq!(pending.len(), 6, "one per default lead time: {pending:?}");

    let out = sanctiond().arg("--config").arg(&config).args(["dismiss", &id]).output().expect("dismiss");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(json(&config, &["alerts"]).iter().all(|a| a["state"] == "cancelled"));

    // Another outlet reports it: one more source, still dismissed, still silent.
    let second = dir.path().join("cod-2.txt");
    let text = format!("Fishing groups have until {} to comment on the cod quotas, the commission said.", spoken(due));
    std::fs::write(&second, article("Cod quota comments", &text)).expect("write");
    let (code, reports, _) = ingest(&config, &[second.display().to_string()]);
    assert_eq!(code, Some(0));
    assert_eq!(strings(&reports[0]["merged"]), [id.as_str()], "{reports:?}");
    let all = json(&config, &["deadlines", "--all"]);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["tracking"], "dismissed");
    assert_eq!(strings(&all[0]["sources"]).len(), 2);
    assert!(json(&config, &["alerts"]).iter().all(|a| a["state"] == "cancelled"));

    // Unknown ids and declared deadlines are refused with exit code 2.
    let out = sanctiond().arg("--config").arg(&config).args(["track", "no-such-deadline"]).output().expect("track");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-deadline"));
}

#[test]
fn a_move_replans_the_alerts_of_the_new_due_time() {
    let (dir, config) = setup("");
    let (d1, d2) = (Utc::now() + chrono::Duration::days(20), Utc::now() + chrono::Duration::days(40));
    let a = dir.path().join("a.txt");
    let text = format!("New EU tariffs on Russian fertiliser take effect on {}, the Commission said.", spoken(d1));
    std::fs::write(&a, article("Fertiliser tariffs", &text)).expect("write");
    let b = dir.path().join("b.txt");
    let text = format!(
        "Brussels delayed the {} deadline for tariffs on Russian fertiliser to {}, officials said.",
        spoken(d1),
        spoken(d2)
    );
    std::fs::write(&b, article("Fertiliser tariffs delayed", &text)).expect("write");
    let (code, reports, stderr) = ingest(&config, &[a.display().to_string(), b.display().to_string()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reports[0]["added"][0]["tracking"], "tracked", "the topic matches");
    assert_eq!(reports[1]["moved"].as_array().map(Vec::len), Some(1), "{reports:?}");
    let facts: Vec<&str> =
        reports[1]["facts"].as_array().expect("facts").iter().filter_map(|f| f["kind"].as_str()).collect();
    assert_eq!(facts, ["moved"]);
    let alerts = json(&config, &["alerts"]);
    let of =
        |revision: i64, state: &str| alerts.iter().filter(|x| x["revision"] == revision && x["state"] == state).count();
    assert_eq!(of(1, "cancelled"), 6, "{alerts:?}");
    assert_eq!(of(2, "pending"), 6, "{alerts:?}");
    let deadline = &json(&config, &["deadlines"])[0];
    assert_eq!(deadline["due"].as_str().map(|d| &d[..10]), Some(d2.format("%Y-%m-%d").to_string().as_str()));
}

#[test]
fn a_bad_article_is_refused_by_name_and_the_rest_go_in() {
    let (dir, config) = setup("");
    let binary = dir.path().join("scan.pdf.txt");
    std::fs::write(&binary, b"%PDF-1.7\x00\x01\x02binary").expect("write");
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"Sanctions take effect on 3 ao\xfbt.").expect("write");
    let (code, reports, stderr) =
        ingest(&config, &[binary.display().to_string(), fixture("dated.txt"), latin1.display().to_string()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("scan.pdf.txt") && stderr.contains("binary"), "{stderr}");
    assert!(stderr.contains("latin1.txt") && stderr.contains("UTF-8"), "{stderr}");
    assert!(reports[0]["error"].is_string() && reports[2]["error"].is_string(), "{reports:?}");
    assert_eq!(json(&config, &["deadlines", "--all"]).len(), 1, "the good article is in");
}

#[test]
fn a_running_daemon_sends_one_notice_per_ingest_and_alerts_carry_the_latest_talks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outdir = dir.path().join("mail");
    let sink = SmtpSink::start("plain", 0, &outdir, &[]);
    let due = Utc::now() + chrono::Duration::seconds(12);
    let extra = format!(
        r#"
[[deadline]]
id = "ru-secondary-tariffs"
title = "US ultimatum to Russia: ceasefire or secondary tariffs"
due = "{due}"
lead_times = ["0s"]
tags = ["russia"]
match = ["secondary tariffs"]
[[receiver]]
name = "desk"
type = "email"
to = ["desk@example.org"]
[[route]]
tags = ["russia"]
receivers = ["desk", "journal"]
[smtp]
host = "127.0.0.1"
port = {port}
tls = "none"
from = "sanctiond <alerts@example.org>"
"#,
        due = due.to_rfc3339_opts(SecondsFormat::Millis, true),
        port = sink.port,
    );
    let text = BASE.replace("STATE", &dir.path().join("state").display().to_string()) + &extra;
    let config = write_config(dir.path(), &text);
    let daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(20));

    let today = Utc::now().with_timezone(&chrono_tz::America::New_York);
    let later = Utc::now() + chrono::Duration::days(30);
    let body = format!(
        "US special envoy Steve Witkoff met Russian President Vladimir Putin in Moscow on {}, calling the talks \"constructive\".\n\
         Russia must agree to a ceasefire by the deadline or face secondary tariffs.\n\
         Separately, EU tariffs on Russian fertiliser take effect on {}.",
        today.format("%B %-d"),
        spoken(later)
    );
    let path = dir.path().join("talks.txt");
    let text = article("Envoy in Moscow", &body).replacen(
        "Source: Test Wire\n",
        "Source: Test Wire\nURL: https://wire.example.org/envoy-in-moscow\n",
        1,
    );
    std::fs::write(&path, text).expect("write");
    let (code, reports, stderr) = ingest(&config, &[path.display().to_string()]);
    assert_eq!(code, Some(0), "{stderr}");
    let facts = reports[0]["facts"].as_array().expect("facts");
    assert!(facts.len() >= 2, "a new deadline and a new talk: {facts:?}");
    assert_eq!(reports[0]["notices"], 2, "one notice per routed receiver: {reports:?}");

    // The daemon hears of the ingest at once (its wake socket), not at its next minute.
    let notices = wait_until(Duration::from_secs(10), || Some(received_in(&outdir)).filter(|m| !m.is_empty()))
        .expect("the notice arrives");
    assert_eq!(notices.len(), 1, "many facts, one message");
    let subject = notices[0].header("Subject").expect("subject");
    assert!(subject.contains("new deadline") && subject.contains("new talk"), "{subject}");
    let body = notices[0].parsed().body_text(0).expect("text").into_owned();
    assert!(body.contains("Witkoff") && body.contains("ru-secondary-tariffs"), "{body}");
    // Each fact carries the sentence behind it and the article's URL.
    assert!(body.contains("https://wire.example.org/envoy-in-moscow"), "{body}");
    assert!(body.contains("take effect on"), "the evidence sentence: {body}");

    // At the deadline, the alert names the talk that bears on it.
    let all = wait_until(Duration::from_secs(40), || Some(received_in(&outdir)).filter(|m| m.len() >= 2))
        .expect("the alert arrives");
    assert_eq!(all.len(), 2, "the notice once, the alert once");
    let alert = all.iter().find(|m| m.header("Subject").is_some_and(|s| s.contains("ultimatum"))).expect("alert");
    let text = alert.parsed().body_text(0).expect("text").into_owned();
    let talks = text.split("Latest talks:").nth(1).expect("a talks section");
    assert!(talks.contains("Steve Witkoff") && talks.contains("constructive"), "{text}");
    // A deadline declared in the config says so where an article's would quote its sentence.
    let why = text.split("Why sanctiond thinks it is due then:").nth(1).expect("an evidence section");
    assert!(why.contains("declared in the config"), "{text}");
    let logged = daemon.wait_for_line("deadline alert", Duration::from_secs(5));
    assert!(logged.contains("Witkoff"), "the log alert carries the talks too: {logged}");
}

#[test]
fn html_and_json_articles_are_decoded_and_other_types_refused() {
    let (dir, config) = setup("");
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        r#"<!DOCTYPE html><html><head><title>Envoy in Moscow</title>
<meta property="og:site_name" content="Test Wire">
<meta property="article:published_time" content="2025-08-07T08:00:00Z"></head>
<body><nav>Home | World</nav><article><h1>Envoy in Moscow</h1>
<p>US special envoy Steve Witkoff met Russian President Vladimir Putin in Moscow on Wednesday, calling the talks "constructive".</p>
<p>Sanctions on Russian oil take effect on August 20, the Treasury said, unless a ceasefire is agreed before then.</p>
</article></body></html>"#,
    )
    .expect("write");
    let json_article = dir.path().join("article.json");
    std::fs::write(
        &json_article,
        r#"{"title": "Oil sanctions", "source": "Daily Ledger", "published": "2025-08-08T09:00:00Z",
            "body": "Sanctions on Russian oil take effect on August 20, officials said."}"#,
    )
    .expect("write");
    let pdf = dir.path().join("scan.docx");
    std::fs::write(&pdf, b"PK\x03\x04").expect("write");
    let (code, reports, stderr) =
        ingest(&config, &[page.display().to_string(), json_article.display().to_string(), pdf.display().to_string()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("scan.docx") && stderr.contains(".json or .pdf"), "{stderr}");
    let id = reports[0]["added"][0]["id"].as_str().expect("the page yields a deadline").to_owned();
    assert_eq!(strings(&reports[1]["merged"]), [id.as_str()], "{reports:?}");
    let talks = json(&config, &["talks"]);
    assert_eq!(talks.len(), 1);
    assert_eq!(talks[0]["date"], "2025-08-06", "Wednesday before the page's publication time");
    assert_eq!(talks[0]["sources"][0]["reported_by"], "Test Wire", "the page's site name is its source");
    let sources = strings(&json(&config, &["deadlines"])[0]["sources"]);
    assert_eq!(sources, ["Test Wire: Envoy in Moscow", "Daily Ledger: Oil sanctions"]);
}

#[test]
fn alerts_lists_every_kind_of_outbox_row() {
    let due = (Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let (_dir, config) =
        setup(&format!("[[deadline]]\nid = \"declared\"\ntitle = \"Declared ahead\"\ndue = \"{due}\"\n"));
    let (code, _, stderr) = ingest(&config, &[fixture("story-1.txt")]);
    assert_eq!(code, Some(0), "{stderr}");
    let rows = json(&config, &["alerts"]);
    let kinds: std::collections::BTreeSet<&str> = rows.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["alert", "notice"], "{rows:#?}");
    let notice = rows.iter().find(|r| r["kind"] == "notice").expect("a notice row");
    assert_eq!(notice["receiver"], "journal");
    assert_eq!(notice["state"], "pending", "no daemon has sent it yet: {notice}");
    assert!(notice["about"].as_str().is_some_and(|a| a.starts_with("notice ")), "{notice}");
    assert!(notice["deadline"].is_null() && notice["lead"].is_null(), "{notice}");
    let alert = rows.iter().find(|r| r["kind"] == "alert").expect("an alert row");
    assert_eq!(alert["deadline"], "declared");
}

#[test]
fn an_article_from_the_year_9999_is_read_as_published_now_and_its_far_dates_are_never_tracked() {
    let (dir, config) = setup("");
    let article = dir.path().join("far.txt");
    std::fs::write(
        &article,
        "Title: A joke from the future\nSource: Test Wire\nPublished: 9999-12-30T09:00:00Z\n\n\
         Secondary tariffs on Russian fertiliser take effect on December 31, 9999, officials said.\n",
    )
    .expect("write");
    let before = Utc::now();
    let (code, reports, stderr) = ingest(&config, &[article.display().to_string()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("implausible publication time"), "{stderr}");
    assert!(reports[0]["added"].as_array().is_some_and(Vec::is_empty), "no deadline in 9999: {reports:?}");
    let ledger = support::ledger_sql(&config);
    let (published, estimated): (i64, bool) = ledger
        .query_row("SELECT published_ms, published_estimated FROM articles", (), |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("article");
    assert!(estimated, "flagged as an estimate");
    assert!((published - before.timestamp_millis()).abs() < 60_000, "taken as published when read");
    assert!(json(&config, &["alerts"]).is_empty(), "nothing planned");
}
