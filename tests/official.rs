//! Official sources over real HTTP on loopback (the scripted Python server), polled with
//! `sanctiond poll` into a real ledger: each official kind read from a fixture of its real
//! format (`tests/fixtures/official/`, written for the project) into the expected
//! deadlines, marked official; a news report of one confirms it; a report of another day
//! is flagged and moves nothing; an official date corrects a report that came first.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::http::HttpServer;
use support::{sanctiond, write_config};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/official").join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

/// Every route the four sources need, their links pointed at the loopback server.
fn routes(base: &str) -> Value {
    let html = json!({"Content-Type": "text/html; charset=utf-8"});
    let eu =
        read("eu_oj.xml").replace("https://eur-lex.europa.eu/./legal-content/AUTO/?uri=CELEX:", &format!("{base}/eu/"));
    let ofsi = read("ofsi.atom").replace("https://www.gov.uk/", &format!("{base}/"));
    let action = "<html><body><main><h1>Counter Terrorism Designations</h1><p>OFAC has designated two individuals.</p></main></body></html>";
    json!({
        "/api/v1/documents.json": {"headers": {"Content-Type": "application/json"}, "body": read("federal_register.json"), "etag": "\"fr-1\""},
        "/recent-actions": {"headers": html, "body": read("ofac_recent_actions.html"), "etag": "\"ofac-1\""},
        "/recent-actions/20250715": {"headers": html, "body": read("ofac_recent_action_page.html")},
        "/recent-actions/20250710_33": {"headers": html, "body": action},
        "/recent-actions/20250708": {"headers": html, "body": action},
        "/media/934512/download": {"headers": {"Content-Type": "application/pdf"}, "body_file": fixture("general_license_124a.pdf").display().to_string()},
        "/eu.rss": {"headers": {"Content-Type": "application/rss+xml"}, "body": eu},
        "/eu/32025D1530": {"headers": html, "body": read("eu_decision_page.html")},
        "/eu/32025R1494": {"headers": html, "body": "<html><body><main><p>Council Regulation (EU) 2025/1494 amends Regulation (EU) No 833/2014.</p></main></body></html>"},
        "/eu/32025R1541": {"headers": html, "body": "<html><body><main><p>A name is entered in the register of protected designations of origin.</p></main></body></html>"},
        "/ofsi.atom": {"headers": {"Content-Type": "application/atom+xml"}, "body": ofsi},
    })
}

fn setup(dir: &Path, base: &str) -> PathBuf {
    write_config(
        dir,
        &format!(
            r#"
[daemon]
state_dir = "{state}"
timezone = "America/New_York"
[[receiver]]
name = "journal"
type = "log"
[routing]
default = ["journal"]
[[topic]]
name = "russia"
phrases = ["Russia", "Russian", "Ukraine"]
tags = ["russia"]
[[feed]]
name = "fr"
kind = "federal_register"
url = "{base}/api/v1/documents.json?conditions%5Bagencies%5D%5B%5D=foreign-assets-control-office&order=newest"
schedule = "*/5 * * * *"
[[feed]]
name = "ofac"
kind = "ofac"
url = "{base}/recent-actions"
schedule = "*/5 * * * *"
[[feed]]
name = "eu"
kind = "eu_oj"
url = "{base}/eu.rss"
schedule = "*/5 * * * *"
fetch_article = true
[[feed]]
name = "ofsi"
kind = "ofsi"
url = "{base}/ofsi.atom"
schedule = "*/5 * * * *"
"#,
            state = dir.join("state").display()
        ),
    )
}

fn poll(config: &Path, name: &str) -> String {
    let out = sanctiond().arg("--config").arg(config).args(["poll", name]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "poll {name}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

fn deadlines(config: &Path) -> Vec<Value> {
    let out =
        sanctiond().arg("--config").arg(config).args(["deadlines", "--all", "--format", "json"]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("json")
}

fn ingest(config: &Path, dir: &Path, name: &str, text: &str) -> Value {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("article");
    let out =
        sanctiond().arg("--config").arg(config).args(["ingest", "--format", "json"]).arg(&path).output().expect("run");
    assert!(out.status.success(), "ingest: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("json").remove(0)
}

/// The official deadlines, as (source, due, title).
fn official(list: &[Value]) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = list
        .iter()
        .filter(|d| !d["official"].is_null())
        .map(|d| {
            (
                d["official"]["source"].as_str().unwrap_or("").to_owned(),
                d["due"].as_str().unwrap_or("").to_owned(),
                d["title"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn each_official_kind_is_read_from_its_real_format_into_official_deadlines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(dir.path(), &json!({}));
    server.set(&routes(&server.url("")));
    let config = setup(dir.path(), &server.url(""));

    let out = sanctiond().arg("--config").arg(&config).arg("check-config").output().expect("run");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("feeds:     fr (Federal Register, official), ofac (OFAC, official)"), "{summary}");
    assert!(poll(&config, "fr").contains("3 new entries, 3 ingested"));
    assert!(poll(&config, "ofac").contains("3 new entries, 3 ingested"));
    assert!(poll(&config, "eu").contains("3 new entries, 3 ingested"));
    assert!(poll(&config, "ofsi").contains("3 new entries, 3 ingested"));
    let list = deadlines(&config);
    let found = official(&list);
    let has = |source: &str, due: &str, words: &[&str]| {
        found.iter().any(|(s, d, t)| s == source && d == due && words.iter().all(|w| t.contains(w)))
    };
    // Federal Register: effective_on and comments_close_on, days in US Eastern time; the
    // notice in effect the day it was published gives none.
    assert!(has("Federal Register", "2025-08-08T23:59:59-04:00", &["Russian Harmful", "takes effect"]), "{found:#?}");
    assert!(has("Federal Register", "2025-08-11T23:59:59-04:00", &["comments due"]), "{found:#?}");
    assert!(!found.iter().any(|(_, _, t)| t.contains("Notice of OFAC Sanctions Action")), "{found:#?}");
    // OFAC: the licence's expiry, read from the PDF the action's page links.
    assert!(has("OFAC", "2025-09-12T00:01:00-04:00", &[]), "{found:#?}");
    // EU Official Journal: "shall apply until 24 February 2026" on the act's page.
    assert!(has("EU Official Journal", "2026-02-24T23:59:59-05:00", &["expires"]), "{found:#?}");
    // OFSI: "expires on 31 October 2025" in the gov.uk summary.
    assert!(has("OFSI", "2025-10-31T23:59:59-04:00", &[]), "{found:#?}");
    let fr = list.iter().find(|d| d["title"].as_str().is_some_and(|t| t.contains("Russian Harmful"))).expect("FR rule");
    assert!(fr["official"]["document"].as_str().is_some_and(|d| d.starts_with("FR Doc. 2025-12790")), "{fr}");
    assert_eq!(fr["tracking"], "tracked", "a topic matched the rule's title");
    assert!(fr["confirmed_by"].is_null(), "no news report yet");

    // The Federal Register was asked for the fields the reader needs, and answers 304
    // to the conditional GET of the next poll.
    let first = server.requests().into_iter().find(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/api/v1/")));
    let path = first.expect("FR request")["path"].as_str().unwrap_or("").to_owned();
    assert!(path.contains("fields%5B%5D=effective_on") && path.contains("fields%5B%5D=comments_close_on"), "{path}");
    assert!(poll(&config, "fr").contains("not modified"));
}

#[test]
fn a_news_report_confirms_an_official_date_and_one_of_another_day_is_flagged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(dir.path(), &json!({}));
    server.set(&routes(&server.url("")));
    let config = setup(dir.path(), &server.url(""));
    poll(&config, "fr");
    let rule = |list: &[Value]| {
        list.iter().find(|d| d["title"].as_str().is_some_and(|t| t.contains("Russian Harmful"))).cloned().expect("rule")
    };
    let id = rule(&deadlines(&config))["id"].as_str().expect("id").to_owned();

    let report = ingest(
        &config,
        dir.path(),
        "confirm.txt",
        "Title: Treasury rule on Russia\nSource: Harbour Wire\nPublished: 2025-07-10T15:00:00Z\n\n\
         The Treasury's amended Russian harmful foreign activities sanctions regulations take effect on August 8, \
         the department said.\n",
    );
    assert_eq!(report["merged"], json!([id]), "{report}");
    let d = rule(&deadlines(&config));
    assert_eq!(d["confirmed_by"], "Federal Register", "{d}");
    assert_eq!(d["sources"].as_array().map(Vec::len), Some(2));

    let report = ingest(
        &config,
        dir.path(),
        "contradict.txt",
        "Title: Trade group on Russia rule\nSource: Lakeside Post\nPublished: 2025-07-12T15:00:00Z\n\n\
         The amended Russian harmful foreign activities sanctions regulations take effect on August 15, a trade \
         group told its members.\n",
    );
    assert_eq!(report["contradicted"], json!([id]), "{report}");
    assert!(report["moved"].as_array().is_some_and(Vec::is_empty), "the official date stands: {report}");
    let d = rule(&deadlines(&config));
    assert_eq!(d["due"], "2025-08-08T23:59:59-04:00", "{d}");
    assert_eq!(d["revisions"].as_array().map(Vec::len), Some(1), "{d}");
    let flagged = d["contradicted_by"].as_array().expect("contradicted_by");
    assert_eq!(flagged.len(), 1, "{d}");
    assert_eq!(flagged[0]["due"], "2025-08-15T23:59:59-04:00");
    assert!(flagged[0]["source"].as_str().is_some_and(|s| s.starts_with("Lakeside Post")), "{d}");

    // The human listing says both.
    let out = sanctiond().arg("--config").arg(&config).arg("deadlines").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[confirmed by Federal Register]") && text.contains("[1 report(s) give another day]"),
        "{text}"
    );
}

#[test]
fn an_official_date_corrects_a_report_that_came_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(dir.path(), &json!({}));
    server.set(&routes(&server.url("")));
    let config = setup(dir.path(), &server.url(""));
    let report = ingest(
        &config,
        dir.path(),
        "early.txt",
        "Title: Wind-down licence for Russian trader\nSource: Harbour Wire\nPublished: 2025-07-15T18:00:00Z\n\n\
         Russia-related General License 124A lets firms wind down dealings with the trader until September 15, \
         a Treasury official said.\n",
    );
    let id = report["added"][0]["id"].as_str().expect("added").to_owned();
    poll(&config, "ofac");
    let list = deadlines(&config);
    let d = list.iter().find(|d| d["id"] == id.as_str()).expect("the reported deadline");
    // The licence number joins them; the licence's own date wins, as a new revision.
    assert_eq!(d["official"]["source"], "OFAC", "{d}");
    assert_eq!(d["due"], "2025-09-12T00:01:00-04:00", "{d}");
    assert_eq!(d["revisions"].as_array().map(Vec::len), Some(2), "{d}");
    assert_eq!(d["confirmed_by"], "OFAC");
    let flagged = d["contradicted_by"].as_array().expect("contradicted_by");
    assert!(flagged.iter().any(|f| f["due"] == "2025-09-15T23:59:59-04:00"), "the early report is flagged: {d}");
    assert_eq!(
        list.iter().filter(|d| d["official"]["source"] == "OFAC").count(),
        1,
        "one deadline, not two: {list:#?}"
    );
}

#[test]
fn a_kind_that_does_not_exist_is_a_config_error_naming_the_kinds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(
        dir.path(),
        "[daemon]\nstate_dir = \"/tmp/x\"\n[[feed]]\nname = \"f\"\nkind = \"ofsi_atom\"\nurl = \"https://www.gov.uk/x.atom\"\nschedule = \"*/5 * * * *\"\n",
    );
    let out = sanctiond().arg("--config").arg(&config).arg("check-config").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("kind \"ofsi_atom\" is not one of: rss, federal_register, ofac, eu_oj, ofsi")
            && stderr.contains(":5:"),
        "{stderr}"
    );
}

#[test]
fn hostile_official_sources_fail_by_name_and_hold_nothing_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(dir.path(), &json!({}));
    let mut routes = routes(&server.url(""));
    // JSON nested past any sane depth; a listing of 20,000 anchors that never close inside
    // 140 KB of nested tags; an action page linking a "PDF" that is garbage.
    routes["/api/v1/documents.json"]["body"] = json!(format!("{{\"results\":{}", "[".repeat(50_000)));
    routes["/api/v1/documents.json"]["etag"] = json!("\"nested\"");
    let anchors = "<a href=\"/recent-actions/20250715\">".repeat(20_000);
    let nested = format!("{}{}", "<div><span>".repeat(7_000), "</span></div>".repeat(7_000));
    routes["/recent-actions"]["body"] = json!(format!(
        "<!DOCTYPE html><html><body>{nested}{anchors}<a href=\"/recent-actions/20250710_33\">Iran-related Designations</a></body></html>"
    ));
    routes["/media/934512/download"] = json!({"headers": {"Content-Type": "application/pdf"}, "body": "%PDF-1.7\n%garbage\u{1}\u{2} 9 0 obj << /Length 99999999 >> stream\nxx"});
    routes["/recent-actions/20250710_33"]["body"] = json!(read("ofac_recent_action_page.html"));
    server.set(&routes);
    let config = setup(dir.path(), &server.url(""));

    let started = std::time::Instant::now();
    let out = sanctiond().arg("--config").arg(&config).args(["poll", "fr"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("fr: failed: not a Federal Register documents.json page"), "{stdout}");

    // The one well-formed action is read; its garbage licence is skipped with a warning.
    let out = sanctiond().arg("--config").arg(&config).args(["poll", "ofac"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("ofac: 1 new entries, 1 ingested"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read a document the action links"));
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
    // What was stored before is intact and readable.
    assert!(deadlines(&config).iter().all(|d| d["official"].is_null() || d["official"]["source"] == "OFAC"));
}

#[test]
fn a_licence_pdf_is_an_article_for_extract_ingest_and_the_spool() {
    let pdf = fixture("general_license_124a.pdf");
    let expiry = "2025-09-12T00:01:00-04:00";
    let out = sanctiond()
        .args(["extract", "--published", "2025-07-15T15:00:00Z", "--format", "json"])
        .arg(&pdf)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["deadlines"].as_array().is_some_and(|d| d.iter().any(|d| d["due"] == expiry)), "{v}");

    // The spool takes a PDF dropped in like any article, and ingest reads one by name.
    let (_dir, config, inbox) = support::spool_setup("500ms");
    std::fs::create_dir_all(&inbox).expect("inbox");
    std::fs::copy(&pdf, inbox.join("gl-124a.pdf")).expect("copy");
    let daemon = support::Daemon::start(&config, &[]);
    let done = inbox.join("done").join("gl-124a.pdf");
    support::wait_until(std::time::Duration::from_secs(30), || done.exists().then_some(()))
        .unwrap_or_else(|| panic!("the PDF was not ingested: {:?}", daemon.lines()));
    drop(daemon);
    let list = deadlines(&config);
    assert!(
        list.iter().any(|d| d["due"] == "2025-09-12T04:01:00+00:00" || d["due"] == "2025-09-12T04:01:00Z"),
        "{list:#?}"
    );
    let out =
        sanctiond().arg("--config").arg(&config).args(["ingest", "--format", "json"]).arg(&pdf).output().expect("run");
    let report: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report[0]["duplicate"], true, "the same licence, stored once: {report:?}");
}
