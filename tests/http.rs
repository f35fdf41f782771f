//! The HTTP face end to end, against the real daemon on a real ledger: every route, the
//! API's pages, a hostile title made inert, the calendar read by Python's `icalendar`, the
//! metrics checked by `promtool`, a token required, Track from the page, a 10 MB body
//! refused, and a public address refused without a token.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::Value;
use support::smtp::free_port;
use support::web::{get, request};
use support::{Daemon, sanctiond, write_config};

const HOSTILE: &str = "<script>alert(\"x\")</script> O'Brien's \u{202e}gnp.exe deadline";

fn config(dir: &Path, port: u16, extra_http: &str) -> std::path::PathBuf {
    let due = |days: i64| (Utc::now() + chrono::Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true);
    write_config(
        dir,
        &format!(
            r#"
[daemon]
state_dir = "{state}"
timezone = "America/New_York"

[alerts]
lead_times = ["1d", "1h"]

[[deadline]]
id = "oil-cap"
title = "Price cap on Russian oil reviewed"
due = "{d1}"
tags = ["oil"]

[[deadline]]
id = "hostile"
title = "{hostile}"
due = "{d2}"

[[deadline]]
id = "licence-end"
title = "General licence for port operations expires"
due = "{d3}"
tags = ["licence"]

[[receiver]]
name = "journal"
type = "log"

[http]
listen = "127.0.0.1:{port}"
{extra_http}
"#,
            state = dir.join("state").display(),
            hostile = HOSTILE.replace('"', "\\\""),
            d1 = due(5),
            d2 = due(9),
            d3 = due(12),
        ),
    )
}

fn start(config: &Path, env: &[(&str, &str)]) -> Daemon {
    let daemon = Daemon::start(config, env);
    daemon.wait_for_line("status page and API listening", Duration::from_secs(20));
    daemon
}

fn cli_json(config: &Path, args: &[&str]) -> Value {
    let out = sanctiond().arg("--config").arg(config).args(args).args(["--format", "json"]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Ingests an article with a deadline no topic matches: a candidate.
fn ingest_candidate(dir: &Path, config: &Path) {
    let due = (Utc::now() + chrono::Duration::days(20)).format("%B %-d, %Y");
    let published = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let file = dir.join("cod.txt");
    std::fs::write(
        &file,
        format!(
            "Title: Cod quotas\nSource: Test Wire\nPublished: {published}\n\nThe fisheries commission has set a deadline of {due} for comments on cod quotas.\n"
        ),
    )
    .expect("write");
    let out = sanctiond().arg("--config").arg(config).arg("ingest").arg(&file).output().expect("ingest");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_route_answers_and_the_api_pages_through_what_the_cli_shows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = config(dir.path(), port, "");
    let _daemon = start(&config, &[]);
    ingest_candidate(dir.path(), &config);

    for path in [
        "/",
        "/deadlines/oil-cap",
        "/talks",
        "/talks?actor=Putin",
        "/candidates",
        "/feeds",
        "/api/v1/deadlines",
        "/api/v1/deadlines/oil-cap",
        "/api/v1/talks",
        "/api/v1/alerts",
        "/api/v1/feeds",
        "/calendar.ics",
        "/metrics",
        "/healthz",
        "/readyz",
        "/static/countdown.js",
        "/static/style.css",
    ] {
        let r = get(port, path, &[]);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
    }
    assert_eq!(get(port, "/nothing-here", &[]).status, 404);
    assert_eq!(get(port, "/api/v1/deadlines/no-such", &[]).json()["error"], "no deadline \"no-such\"");

    // The status page lists tracked deadlines soonest first, with a countdown to each.
    let page = get(port, "/", &[]).body;
    let (a, b) = (page.find("Price cap on Russian oil").expect("oil"), page.find("General licence").expect("licence"));
    assert!(a < b, "soonest first");
    assert!(page.contains("class=\"countdown\" data-due=\""), "{page}");
    assert!(!page.contains("Cod quotas"), "a candidate is not on the status page");
    assert!(
        get(port, "/candidates", &[]).body.contains("comments on cod quotas")
            || get(port, "/candidates", &[]).body.contains("cod")
    );

    // A hostile title is text in HTML and a plain string in JSON.
    for path in ["/", "/deadlines/hostile"] {
        let body = get(port, path, &[]).body;
        assert!(!body.contains("<script>alert"), "{path} runs the title: {body}");
        assert!(body.contains("&lt;script&gt;alert("), "{path}: {body}");
        assert!(
            !body.contains('\u{202e}') && body.contains("[U+202E]gnp.exe"),
            "{path}: the RTL override is shown, not obeyed"
        );
    }
    assert_eq!(get(port, "/api/v1/deadlines/hostile", &[]).json()["title"], HOSTILE);

    // An article whose own title is hostile: it names the source of what it reported.
    let published = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let due = (Utc::now() + chrono::Duration::days(30)).format("%B %-d, %Y");
    let file = dir.path().join("hostile.txt");
    std::fs::write(
        &file,
        format!(
            "Title: <img src=x onerror=alert(1)> \"Quoted\" \u{202e}fdp.exe\nPublished: {published}\n\n\
             The shipping regulator set a deadline of {due} for comments on tanker insurance.\n\
             Finance ministers Wang and Lavrov met in Beijing on Monday.\n"
        ),
    )
    .expect("write");
    let out = sanctiond().arg("--config").arg(&config).arg("ingest").arg(&file).output().expect("ingest");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tanker = get(port, "/api/v1/deadlines?tracking=candidate", &[]).json()["items"]
        .as_array()
        .and_then(|items| items.iter().find(|d| d["sources"].to_string().contains("fdp.exe")).cloned())
        .expect("the tanker candidate");
    let id = tanker["id"].as_str().expect("id");
    for path in [format!("/deadlines/{id}"), "/talks".to_owned(), "/candidates".to_owned()] {
        let body = get(port, &path, &[]).body;
        assert!(!body.contains("<img src=x"), "{path} renders the article's title as markup: {body}");
        assert!(!body.contains('\u{202e}'), "{path} obeys the RTL override");
    }
    assert!(get(port, &format!("/deadlines/{id}"), &[]).body.contains("&lt;img src=x onerror=alert(1)&gt;"));

    // The API's objects are the CLI's, a page at a time.
    let cli = cli_json(&config, &["deadlines", "--all"]);
    let mut seen = Vec::new();
    let mut next = String::new();
    loop {
        let path = format!("/api/v1/deadlines?tracking=all&limit=1{next}");
        let page = get(port, &path, &[]).json();
        let items = page["items"].as_array().expect("items").clone();
        assert!(items.len() <= 1);
        seen.extend(items);
        match page["next"].as_str() {
            Some(c) => next = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(Value::Array(seen), cli, "the API pages through exactly what the CLI lists");
    let tagged = get(port, "/api/v1/deadlines?tag=oil", &[]).json();
    assert_eq!(tagged["items"].as_array().map(Vec::len), Some(1));
    let candidates = get(port, "/api/v1/deadlines?tracking=candidate", &[]).json();
    assert_eq!(candidates["items"].as_array().map(Vec::len), Some(2), "the cod and tanker candidates: {candidates}");
    for bad in ["/api/v1/deadlines?cursor=zz", "/api/v1/deadlines?limit=0", "/api/v1/deadlines?tracking=maybe"] {
        let r = get(port, bad, &[]);
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let alerts = get(port, "/api/v1/alerts?limit=2", &[]).json();
    assert_eq!(alerts["items"].as_array().map(Vec::len), Some(2));
    let rest =
        get(port, &format!("/api/v1/alerts?limit=100&cursor={}", alerts["next"].as_str().expect("more")), &[]).json();
    let all = cli_json(&config, &["alerts"]);
    assert_eq!(2 + rest["items"].as_array().map_or(0, Vec::len), all.as_array().map_or(0, Vec::len));

    // A 10 MB body is refused before it is read.
    let big = vec![b'a'; 10 * 1024 * 1024];
    let r = request(
        port,
        "POST",
        "/deadlines/oil-cap/track",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &big,
    );
    assert_eq!(r.status, 413, "{}", r.body);
}

#[test]
fn the_calendar_is_valid_rfc_5545_and_the_metrics_pass_promtool() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = config(dir.path(), port, "");
    let _daemon = start(&config, &[]);

    let ics = get(port, "/calendar.ics", &[]);
    assert!(ics.header("content-type").is_some_and(|t| t.starts_with("text/calendar")));
    let file = dir.path().join("cal.ics");
    std::fs::write(&file, &ics.body).expect("write");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/check_ics.py");
    let out = Command::new("python3").arg(script).arg(&file).output().expect("python3 (run tests/setup.sh)");
    assert!(out.status.success(), "icalendar refused the calendar: {}", String::from_utf8_lossy(&out.stderr));
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    let uids: BTreeSet<&str> = events.iter().filter_map(|e| e["uid"].as_str()).collect();
    assert_eq!(uids, BTreeSet::from(["hostile@sanctiond", "licence-end@sanctiond", "oil-cap@sanctiond"]));
    let oil = events.iter().find(|e| e["uid"] == "oil-cap@sanctiond").expect("oil");
    assert_eq!(oil["summary"], "Price cap on Russian oil reviewed");
    assert_eq!(oil["sequence"], 1);
    assert_eq!(oil["alarms"], serde_json::json!(["-P1D", "-PT1H"]));
    assert_eq!(oil["url"], format!("http://127.0.0.1:{port}/deadlines/oil-cap"));
    assert_eq!(oil["categories"], serde_json::json!(["oil"]));
    // Fetched again, the calendar is the same but for its stamp.
    let strip = |t: &str| t.lines().filter(|l| !l.starts_with("DTSTAMP")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&ics.body), strip(&get(port, "/calendar.ics", &[]).body));
    let tagged = get(port, "/calendar.ics?tag=licence", &[]).body;
    assert_eq!(tagged.matches("BEGIN:VEVENT").count(), 1);
    // `sanctiond export ics` writes the same events.
    let out =
        sanctiond().arg("--config").arg(&config).args(["export", "ics", "--tag", "licence"]).output().expect("export");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let exported = String::from_utf8_lossy(&out.stdout);
    assert!(
        exported.contains("UID:licence-end@sanctiond") && exported.matches("BEGIN:VEVENT").count() == 1,
        "{exported}"
    );

    let metrics = get(port, "/metrics", &[]);
    assert!(metrics.body.contains("sanctiond_deadlines{tracking=\"tracked\",status=\"active\"} 3"), "{}", metrics.body);
    assert!(metrics.body.contains("sanctiond_outbox_rows{kind=\"alert\",state=\"pending\"} 6"), "{}", metrics.body);
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus package; run tests/setup.sh)");
    use std::io::Write as _;
    promtool.stdin.take().expect("stdin").write_all(metrics.body.as_bytes()).expect("write");
    let out = promtool.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let open = get(port, "/metrics", &[("Accept", "application/openmetrics-text; version=1.0.0")]);
    assert!(open.header("content-type").is_some_and(|t| t.starts_with("application/openmetrics-text")));
    assert!(open.body.ends_with("# EOF\n"), "{}", open.body);
}

#[test]
fn a_token_guards_every_request_and_the_page_tracks_a_candidate_with_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = config(dir.path(), port, "token_env = \"SANCTIOND_TEST_HTTP_TOKEN\"");
    let token = "s3cret-token-for-tests";
    let daemon = start(&config, &[("SANCTIOND_TEST_HTTP_TOKEN", token)]);
    ingest_candidate(dir.path(), &config);
    let bearer = format!("Bearer {token}");
    let auth = [("Authorization", bearer.as_str())];

    assert_eq!(get(port, "/healthz", &[]).status, 200, "health needs no token");
    for path in ["/api/v1/deadlines", "/calendar.ics", "/metrics", "/readyz"] {
        assert_eq!(get(port, path, &[]).status, 401, "{path} without the token");
        assert_eq!(get(port, path, &[("Authorization", "Bearer wrong")]).status, 401, "{path} with a wrong token");
        assert_eq!(get(port, path, &auth).status, 200, "{path} with the token");
    }
    let browser = get(port, "/", &[("Accept", "text/html")]);
    assert_eq!((browser.status, browser.header("location")), (303, Some("/login")));

    // A person signs in once; the cookie then carries the token.
    let form = format!("token={token}");
    let login =
        request(port, "POST", "/login", &[("Content-Type", "application/x-www-form-urlencoded")], form.as_bytes());
    assert_eq!(login.status, 303);
    let cookie = login.header("set-cookie").expect("cookie").split(';').next().expect("pair").to_owned();
    assert!(login.header("set-cookie").is_some_and(|c| c.contains("HttpOnly") && c.contains("SameSite=Strict")));
    assert_eq!(get(port, "/", &[("Cookie", cookie.as_str())]).status, 200);
    assert!(!cookie.contains(token), "the cookie is not the token itself: {cookie}");
    let forged = format!("sanctiond_token={token}");
    assert_eq!(get(port, "/api/v1/deadlines", &[("Cookie", forged.as_str())]).status, 401, "the token as a cookie");
    let wrong =
        request(port, "POST", "/login", &[("Content-Type", "application/x-www-form-urlencoded")], b"token=nope");
    assert_eq!(wrong.status, 401);

    // Track a candidate from its page, as `sanctiond track` would.
    let candidates = get(port, "/api/v1/deadlines?tracking=candidate", &auth).json();
    let id = candidates["items"][0]["id"].as_str().expect("a candidate").to_owned();
    let page = get(port, &format!("/deadlines/{id}"), &[("Cookie", cookie.as_str())]).body;
    let csrf =
        page.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("csrf field").to_owned();
    let post = |body: String, origin: &str| {
        request(
            port,
            "POST",
            &format!("/deadlines/{id}/track"),
            &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie.as_str()), ("Origin", origin)],
            body.as_bytes(),
        )
    };
    let here = format!("http://127.0.0.1:{port}");
    assert_eq!(post("csrf=forged".into(), &here).status, 403, "a forged form token");
    assert_eq!(post(format!("csrf={csrf}"), "http://evil.example").status, 403, "another origin");
    assert_eq!(post(format!("csrf={csrf}"), &here).status, 303);
    let now = get(port, &format!("/api/v1/deadlines/{id}"), &auth).json();
    assert_eq!(now["tracking"], "tracked");
    daemon.wait_for_line("set from the status page", Duration::from_secs(10));
    assert!(!daemon.lines().iter().any(|l| l.contains(token)), "the token never reaches the log");
}

#[test]
fn a_public_address_is_refused_without_a_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "[http]\nlisten = \"0.0.0.0:9177\"\n");
    let out = sanctiond().arg("--config").arg(&config).arg("check-config").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("0.0.0.0:9177") && stderr.contains("token_file"), "{stderr}");
    // On loopback it is fine, and check-config says where the page will be.
    let config = write_config(dir.path(), "[http]\nlisten = \"127.0.0.1:9177\"\n");
    let out = sanctiond().arg("--config").arg(&config).arg("check-config").output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("http:      http://127.0.0.1:9177/ (no token: this machine only)"), "{stdout}");
}

#[test]
fn a_real_browser_signs_in_sees_the_countdown_move_and_tracks_a_candidate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = config(dir.path(), port, "token_env = \"SANCTIOND_TEST_HTTP_TOKEN\"");
    let token = "browser-test-token";
    let _daemon = start(&config, &[("SANCTIOND_TEST_HTTP_TOKEN", token)]);
    ingest_candidate(dir.path(), &config);
    // Screenshots are kept as test artifacts.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/browser.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .arg(token)
        .arg(&shots)
        .output()
        .expect("python3 with selenium, chromium and chromium-driver (run tests/setup.sh)");
    assert!(out.status.success(), "the browser run failed: {}", String::from_utf8_lossy(&out.stderr));
    let seen: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(seen["asked_to_sign_in"], true);
    assert_eq!(
        seen["rows"],
        serde_json::json!([
            "Price cap on Russian oil reviewed",
            HOSTILE.replace('\u{202e}', "[U+202E]"),
            "General licence for port operations expires"
        ]),
        "the tracked deadlines, soonest first, the hostile title as text, its RTL override shown"
    );
    let countdown = seen["countdown"].as_array().expect("countdown");
    assert!(countdown[0].as_str().is_some_and(|t| t.starts_with("in 4d ")), "{countdown:?}");
    assert_ne!(countdown[0], countdown[1], "the countdown moves");
    assert_eq!(seen["followed"]["h1"], seen["followed"]["title"]);
    assert!(seen["followed"]["url"].as_str().is_some_and(|u| u.ends_with("/deadlines/oil-cap")));
    assert!(seen["tracked"]["page"].as_str().is_some_and(|p| p.contains("tracked · active")), "{seen}");
    let tracked = get(port, "/api/v1/deadlines?limit=10", &[("Authorization", &format!("Bearer {token}"))]).json();
    assert_eq!(tracked["items"].as_array().map(Vec::len), Some(4), "the candidate is now tracked");
    for shot in ["1-status-page.png", "2-deadline-page.png", "3-candidates.png", "4-tracked.png"] {
        assert!(shots.join(shot).metadata().is_ok_and(|m| m.len() > 1000), "{shot}");
    }
}
