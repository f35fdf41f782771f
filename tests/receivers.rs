//! The HTTP receivers (webhook, ntfy, Slack, Teams, Matrix) end to end: the real daemon
//! sends to a scripted Python server on 127.0.0.1 (`hook_server.py`, started here) that
//! checks signatures, fails then recovers, refuses, hangs, and records every request.
//! Also what `check-config` says about receivers, and that no secret reaches the logs.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use support::hooks::HookServer;
use support::{Daemon, START_SLACK_MS, WallStep, field, sanctiond, wait_until, write_config};

const WEBHOOK_SECRET: &str = "whsec-Test-Signing-Key-4242";

/// A deadline due `after_ms` after the daemon's start at the latest ([`START_SLACK_MS`]).
fn deadline(id: &str, title: &str, after_ms: i64) -> String {
    let due = Utc::now() + chrono::Duration::milliseconds(START_SLACK_MS + after_ms);
    format!(
        "[[deadline]]\nid = \"{id}\"\ntitle = \"{title}\"\ndue = \"{}\"\n",
        due.to_rfc3339_opts(SecondsFormat::Millis, true)
    )
}

/// A config with `leads`, a log receiver named "journal", and `rest` (deadlines and
/// receivers). Every receiver gets every deadline (no `[routing]`).
fn config(dir: &Path, leads: &str, rest: &str) -> PathBuf {
    write_config(
        dir,
        &format!(
            r#"
[daemon]
state_dir = "{state}"
timezone = "UTC"
[alerts]
lead_times = {leads}
late_after = "5m"
[[receiver]]
name = "journal"
type = "log"
{rest}
"#,
            state = dir.join("state").display()
        ),
    )
}

/// Writes `secret` to `name` in `dir` (as an operator would, with a newline) and returns the path.
fn secret_file(dir: &Path, name: &str, secret: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{secret}\n")).expect("secret file");
    path.display().to_string()
}

/// `sanctiond alerts --format json`, the rows of `receiver`.
fn alerts_of(config: &Path, receiver: &str) -> Vec<Value> {
    alerts_output(config).0.as_array().expect("array").iter().filter(|a| a["receiver"] == receiver).cloned().collect()
}

/// `sanctiond alerts --format json`: the parsed rows and the raw text.
fn alerts_output(config: &Path) -> (Value, String) {
    let out = sanctiond().arg("--config").arg(config).args(["alerts", "--format", "json"]).output().expect("alerts");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (serde_json::from_str(&text).expect("json"), text)
}

/// Waits until `receiver`'s rows satisfy `done`; returns them.
fn wait_for_rows(config: &Path, receiver: &str, timeout: Duration, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    wait_until(timeout, || Some(alerts_of(config, receiver)).filter(|rows| done(rows)))
        .unwrap_or_else(|| panic!("{receiver}'s rows never got there: {:?}", alerts_of(config, receiver)))
}

fn all_in(rows: &[Value], state: &str) -> bool {
    !rows.is_empty() && rows.iter().all(|r| r["state"] == state)
}

#[test]
fn a_signed_webhook_carries_the_alert_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HookServer::start(dir.path(), &json!({"/hook": {"mode": "ok", "secret": WEBHOOK_SECRET}}));
    let title = "US ultimatum to Russia: ceasefire or secondary tariffs";
    let receiver = format!(
        "[[receiver]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\nsecret_file = \"{}\"\n",
        server.url("/hook"),
        secret_file(dir.path(), "hook.secret", WEBHOOK_SECRET)
    );
    let text = format!("{}{receiver}", deadline("ru-tariffs", title, 2_500));
    let path = config(dir.path(), r#"["2s", "0s"]"#, &text);
    let due = text.lines().find_map(|l| l.strip_prefix("due = \"")).map(|d| d.trim_end_matches('"').to_owned());
    let step = WallStep::start();
    let _daemon = Daemon::start(&path, &[]);

    let got = server.wait_for("/hook", 2, Duration::from_secs(25));
    for (request, lead) in got.iter().zip(["2s", "0s"]) {
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.signature_ok,
            Some(true),
            "X-Sanctiond-Signature is HMAC-SHA256 of the raw body: {request:?}"
        );
        assert!(request.header("X-Sanctiond-Signature").is_some_and(|s| s.starts_with("sha256=")));
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.header("X-Sanctiond-Kind"), Some("alert"));
        assert!(request.header("User-Agent").is_some_and(|u| u.starts_with("sanctiond/")));
        let body = request.json();
        let seconds = if lead == "2s" { 2 } else { 0 };
        assert_eq!(body["id"], format!("alert.ru-tariffs.1.{seconds}.hook"));
        assert_eq!(request.header("X-Sanctiond-Id"), body["id"].as_str(), "header and body carry one id");
        assert_eq!(body["kind"], "alert");
        assert_eq!(body["deadline"]["id"], "ru-tariffs");
        assert_eq!(body["deadline"]["title"], title);
        assert_eq!(body["deadline"]["due"].as_str(), due.as_deref(), "due in RFC 3339 UTC, milliseconds");
        assert_eq!(body["lead"], lead);
        assert_eq!(body["late"], false);
        let planned = DateTime::parse_from_rfc3339(body["planned"].as_str().expect("planned")).expect("planned time");
        let arrived = request.time - planned.to_utc().timestamp_millis() as f64 / 1000.0;
        assert!((-0.05..1.0 + step.seconds()).contains(&arrived), "{lead} sent {arrived:.3}s after its time");
        assert!(body["talks"].is_array() && body["sources"].is_array(), "{body}");
    }

    let rows = wait_for_rows(&path, "hook", Duration::from_secs(5), |r| r.len() == 2 && all_in(r, "sent"));
    assert!(rows.iter().all(|r| r["attempts"] == 1 && r["last_error"].is_null()), "{rows:?}");
}

#[test]
fn a_503_is_retried_after_retry_after_with_the_same_id_and_delivered_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Retry-After longer than the retry policy's own 10-15 s, so honouring it shows.
    let server = HookServer::start(dir.path(), &json!({"/flaky": {"mode": "ok", "fails": 1, "retry_after": 18}}));
    let receiver = format!("[[receiver]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n", server.url("/flaky"));
    let path = config(dir.path(), r#"["0s"]"#, &format!("{}{receiver}", deadline("flaky", "Flaky endpoint", 0)));
    let step = WallStep::start();
    let daemon = Daemon::start(&path, &[]);

    let first = server.wait_for("/flaky", 1, Duration::from_secs(20));
    assert_eq!(first[0].status, Some(503));
    let line = daemon.wait_for_line("will retry", Duration::from_secs(5));
    assert!(line.contains("503"), "{line}");
    let rows = wait_for_rows(&path, "hook", Duration::from_secs(5), |r| all_in(r, "pending") && r[0]["attempts"] == 1);
    assert!(rows[0]["last_error"].as_str().is_some_and(|e| e.contains("HTTP 503")), "{rows:?}");

    let got = server.wait_for("/flaky", 2, Duration::from_secs(25));
    let gap = got[1].mono - got[0].mono;
    // A daemon woken for another reason after the wall clock was stepped forward may find the
    // retry due sooner.
    assert!(
        (17.5 - step.seconds()..25.0).contains(&gap),
        "the retry waits for Retry-After (18 s), came after {gap:.1}s"
    );
    assert_eq!(got[1].status, Some(200));
    assert_eq!(got[1].json()["id"], got[0].json()["id"], "the retry is the same message");
    assert_eq!(got[1].header("X-Sanctiond-Id"), got[0].header("X-Sanctiond-Id"));

    let rows = wait_for_rows(&path, "hook", Duration::from_secs(5), |r| all_in(r, "sent"));
    assert_eq!(rows[0]["attempts"], 2, "{rows:?}");
    std::thread::sleep(Duration::from_secs(1));
    let statuses: Vec<Option<u16>> = server.requests_to("/flaky").iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(200)], "delivered exactly once");
}

#[test]
fn a_400_fails_at_once_with_the_reply_and_is_not_retried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HookServer::start(dir.path(), &json!({"/bad": {"mode": "bad"}}));
    let receiver = format!("[[receiver]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n", server.url("/bad"));
    let path = config(dir.path(), r#"["0s"]"#, &format!("{}{receiver}", deadline("refused", "Refused", 0)));
    let daemon = Daemon::start(&path, &[]);

    server.wait_for("/bad", 1, Duration::from_secs(20));
    let rows = wait_for_rows(&path, "hook", Duration::from_secs(5), |r| all_in(r, "failed"));
    let error = rows[0]["last_error"].as_str().expect("last_error");
    assert!(error.contains("400") && error.contains("bad payload: missing field"), "{error}");
    assert_eq!((rows[0]["attempts"].as_i64(), rows[0]["next_attempt"].as_str()), (Some(1), None), "{rows:?}");
    let line = daemon.wait_for_line("delivery failed for good", Duration::from_secs(5));
    assert!(line.contains("bad payload: missing field"), "{line}");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(server.requests_to("/bad").len(), 1, "a refused payload is not sent again");
}

/// The daemon's peak resident memory in KiB (`VmHWM` in /proc).
fn peak_rss_kib(daemon: &Daemon) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", daemon.pid())).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[test]
fn a_huge_refusal_is_not_read_into_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HookServer::start(dir.path(), &json!({"/bad": {"mode": "bad", "pad": 96 << 20}}));
    let receiver = format!("[[receiver]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n", server.url("/bad"));
    let path = config(dir.path(), r#"["0s"]"#, &format!("{}{receiver}", deadline("huge", "Huge refusal", 0)));
    let daemon = Daemon::start(&path, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(10));
    let before = peak_rss_kib(&daemon);
    let rows = wait_for_rows(&path, "hook", Duration::from_secs(25), |r| all_in(r, "failed"));
    assert!(rows[0]["last_error"].as_str().is_some_and(|e| e.contains("bad payload: missing field")), "{rows:?}");
    let grown = peak_rss_kib(&daemon).saturating_sub(before);
    assert!(grown < 16 << 10, "a 96 MiB reply grew the daemon by {} MiB to keep 300 characters", grown >> 10);
}

/// The log line of `deadline`'s alert at `lead`, once it is written.
fn alert_line(daemon: &Daemon, deadline: &str, lead: &str) -> String {
    let find = || {
        daemon.lines().into_iter().find(|l| {
            l.contains("deadline alert") && field(l, "deadline") == Some(deadline) && field(l, "lead") == Some(lead)
        })
    };
    wait_until(Duration::from_secs(25), find)
        .unwrap_or_else(|| panic!("no alert for {deadline} at {lead}; stderr:\n{}", daemon.lines().join("\n")))
}

/// Asserts the log line was written within a second of the alert's planned time (the
/// line's own timestamp against its `planned=`), plus any step of the wall clock since `since`.
fn assert_on_time(line: &str, since: &WallStep) {
    let written = line.split_whitespace().next().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).expect("timestamp");
    let planned = DateTime::parse_from_rfc3339(field(line, "planned").expect("planned")).expect("planned time");
    let delay = written - planned;
    assert!(delay >= chrono::Duration::milliseconds(-50), "early: {line}");
    let step = since.seconds();
    assert!(delay.as_seconds_f64() < 1.0 + step, "{delay} late (wall clock stepped {step:.1}s meanwhile): {line}");
}

#[test]
fn a_hanging_webhook_delays_nothing_else_and_does_not_hold_up_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HookServer::start(
        dir.path(),
        &json!({"/hung": {"mode": "hang"}, "/stuck": {"mode": "hang"}, "/fine": {"mode": "ok"}}),
    );
    let receivers = format!(
        "[[receiver]]\nname = \"hung\"\ntype = \"webhook\"\nurl = \"{}\"\ntimeout = \"2s\"\n\
         [[receiver]]\nname = \"stuck\"\ntype = \"webhook\"\nurl = \"{}\"\ntimeout = \"60s\"\n\
         [[receiver]]\nname = \"fine\"\ntype = \"webhook\"\nurl = \"{}\"\n",
        server.url("/hung"),
        server.url("/stuck"),
        server.url("/fine")
    );
    let text = format!("{}{}{receivers}", deadline("a", "First", 3_000), deadline("b", "Second", 4_000));
    let path = config(dir.path(), r#"["3s", "0s"]"#, &text);
    let step = WallStep::start();
    let mut daemon = Daemon::start(&path, &[]);

    // Two webhooks hang from the first alert on; the log receiver and the healthy webhook
    // keep their times.
    for (id, lead) in [("a", "3s"), ("b", "3s"), ("a", "0s"), ("b", "0s")] {
        assert_on_time(&alert_line(&daemon, id, lead), &step);
    }
    assert!(server.requests_to("/hung").len() >= 2 && server.requests_to("/stuck").len() >= 2);
    let fine = server.wait_for("/fine", 4, Duration::from_secs(5));
    for request in &fine {
        let body = request.json();
        let planned = DateTime::parse_from_rfc3339(body["planned"].as_str().expect("planned")).expect("planned time");
        let delay = request.time - planned.to_utc().timestamp_millis() as f64 / 1000.0;
        assert!((-0.05..1.0 + step.seconds()).contains(&delay), "{} sent {delay:.3}s after its time", body["id"]);
    }
    assert!(
        server.requests().iter().filter(|r| r.route != "/fine").all(|r| r.status.is_none()),
        "the hanging routes answered nothing"
    );

    let rows = wait_for_rows(&path, "hung", Duration::from_secs(5), |rows| {
        rows.iter().any(|r| r["deadline"] == "a" && r["lead"] == "3s" && r["state"] == "pending" && r["attempts"] == 1)
    });
    let first = rows.iter().find(|r| r["deadline"] == "a" && r["lead"] == "3s").expect("a at 3s");
    let error = first["last_error"].as_str().expect("last_error");
    assert!(error.contains("timed out"), "{error}");
    assert!(first["next_attempt"].is_string(), "kept for a retry: {first}");
    assert!(alerts_of(&path, "stuck").iter().any(|r| r["state"] == "sending"), "still on the wire");

    daemon.signal("TERM");
    let stopping = Instant::now();
    let status = daemon.wait_exit(Duration::from_secs(5));
    assert!(stopping.elapsed() < Duration::from_secs(5));
    assert!(status.success(), "SIGTERM exits 0 with sends on the wire, got {status}");
    let stuck = alerts_of(&path, "stuck");
    assert!(stuck.iter().all(|r| r["state"] == "sending"), "abandoned sends go out after the restart: {stuck:?}");
}

#[test]
fn chat_receivers_get_their_own_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HookServer::start(
        dir.path(),
        &json!({
            "/ntfy/": {"mode": "ok"},
            "/slack/*": {"mode": "ok"},
            "/teams/*": {"mode": "ok"},
            "/_matrix/*": {"mode": "matrix", "fails": 1},
        }),
    );
    let token = "syt_matrix_Test_Token_0001";
    let receivers = format!(
        r#"
[[receiver]]
name = "push"
type = "ntfy"
url = "{ntfy}"
[[receiver]]
name = "slack"
type = "slack"
url_file = "{slack}"
[[receiver]]
name = "teams"
type = "msteams"
url_env = "TEST_TEAMS_URL"
[[receiver]]
name = "matrix"
type = "matrix"
homeserver = "{homeserver}"
room = "!room:example.org"
token_file = "{token}"
"#,
        ntfy = server.url("/ntfy/desk"),
        slack = secret_file(dir.path(), "slack.url", &server.url("/slack/T000/B000/slack-url-secret")),
        homeserver = server.url(""),
        token = secret_file(dir.path(), "matrix.token", token),
    );
    let title = "Tariffs <!channel> & *bold*";
    let path = config(dir.path(), r#"["0s"]"#, &format!("{}{receivers}", deadline("chat", title, 0)));
    let teams_url = server.url("/teams/webhookb2/teams-url-secret");
    let _daemon = Daemon::start(&path, &[("TEST_TEAMS_URL", &teams_url)]);

    let ntfy = server.wait_for("/ntfy/", 1, Duration::from_secs(20));
    let slack = server.wait_for("/slack/*", 1, Duration::from_secs(5));
    let teams = server.wait_for("/teams/*", 1, Duration::from_secs(5));
    // The Matrix homeserver answers 503 first; the retry comes 10-15 s later.
    let matrix = server.wait_for("/_matrix/*", 2, Duration::from_secs(20));

    // ntfy: JSON publishing to the server's root, the subject as the title.
    let push = ntfy[0].json();
    assert_eq!((ntfy[0].method.as_str(), ntfy[0].path.as_str()), ("POST", "/ntfy/"));
    assert_eq!(push["topic"], "desk");
    let subject = push["title"].as_str().expect("title").to_owned();
    assert!(subject.starts_with("[sanctiond] due now: Tariffs <!channel> & *bold*"), "{subject}");
    let priority = push["priority"].as_u64().expect("a number");
    assert!((1..=5).contains(&priority), "{push}");
    assert_eq!(priority, 5, "due now is urgent");
    assert!(push["message"].as_str().is_some_and(|m| m.contains(title)), "{push}");

    // Slack: Block Kit, untrusted text escaped in mrkdwn.
    let blocks = slack[0].json();
    assert_eq!(slack[0].path, "/slack/T000/B000/slack-url-secret");
    let section = blocks["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .find(|b| b["type"] == "section")
        .and_then(|b| b["text"]["text"].as_str())
        .expect("a section")
        .to_owned();
    assert!(section.contains("Tariffs &lt;!channel&gt; &amp; *bold*"), "{section}");
    assert!(!section.contains("<!channel>"), "{section}");

    // Teams: one Adaptive Card.
    let card = teams[0].json();
    let attachment = &card["attachments"][0];
    assert_eq!(attachment["contentType"], "application/vnd.microsoft.card.adaptive", "{card}");
    assert_eq!(attachment["content"]["type"], "AdaptiveCard");
    let heading = attachment["content"]["body"][0]["text"].as_str().expect("heading");
    // Emphasis and link markers are escaped; dates and other text read as written.
    assert!(heading.contains(r"Tariffs <!channel> & \*bold\*"), "{heading}");
    let body = attachment["content"]["body"][1]["text"].as_str().expect("body");
    let year = Utc::now().format("%Y").to_string();
    assert!(body.contains(&year) && !body.contains(&format!(r"{year}\-")), "{body}");

    // Matrix: a PUT with the token, the same transaction id on the retry.
    let expected = "/_matrix/client/v3/rooms/!room:example.org/send/m.room.message/alert.chat.1.0.matrix";
    for (request, status) in matrix.iter().zip([503, 200]) {
        assert_eq!((request.method.as_str(), request.path.as_str()), ("PUT", expected));
        assert_eq!(request.status, Some(status));
        assert_eq!(request.header("Authorization"), Some(format!("Bearer {token}").as_str()));
    }
    let event = matrix[1].json();
    assert_eq!(event["msgtype"], "m.text");
    assert!(event["body"].as_str().is_some_and(|b| b.starts_with(&format!("{subject}\n\n"))), "{event}");
    assert!(event["formatted_body"].as_str().is_some_and(|h| h.contains("Tariffs &lt;!channel&gt; &amp; *bold*")));

    for receiver in ["push", "slack", "teams"] {
        let rows = wait_for_rows(&path, receiver, Duration::from_secs(5), |r| all_in(r, "sent"));
        assert_eq!(rows[0]["attempts"], 1, "{receiver}: {rows:?}");
    }
    let rows = wait_for_rows(&path, "matrix", Duration::from_secs(5), |r| all_in(r, "sent"));
    assert_eq!(rows[0]["attempts"], 2, "{rows:?}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.requests_to("/_matrix/*").len(), 2, "one retry, then done");
}

#[test]
fn slack_fallback_text_is_escaped_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HookServer::start(dir.path(), &json!({"/slack/*": {"mode": "ok"}}));
    let receiver = format!(
        "[[receiver]]\nname = \"slack\"\ntype = \"slack\"\nurl_file = \"{}\"\n",
        secret_file(dir.path(), "slack.url", &server.url("/slack/T000/B000/x"))
    );
    let title = "Tariffs <!channel> & *bold*";
    let path = config(dir.path(), r#"["0s"]"#, &format!("{}{receiver}", deadline("chat", title, 0)));
    let _daemon = Daemon::start(&path, &[]);
    let body = server.wait_for("/slack/*", 1, Duration::from_secs(20))[0].json();
    // Slack reads the top-level "text" as mrkdwn (it is the notification text).
    let text = body["text"].as_str().expect("text");
    assert!(text.contains("&lt;!channel&gt; &amp;") && !text.contains("<!channel>"), "{text}");
}

/// `sanctiond --config F check-config` on a config with one extra receiver: exit code and stderr.
fn check(dir: &Path, receiver: &str) -> (Option<i32>, String) {
    let text =
        format!("[daemon]\nstate_dir = \"{}\"\n[[receiver]]\nname = \"x\"\n{receiver}\n", dir.join("state").display());
    let path = write_config(dir, &text);
    let out = sanctiond().arg("--config").arg(&path).arg("check-config").output().expect("check-config");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn check_config_names_the_line_of_each_receiver_mistake() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "type = \"pager\"",
            "sanctiond.toml:5:8: unknown receiver type \"pager\": use \"log\", \"email\", \"webhook\", \"ntfy\", \"slack\", \"msteams\" or \"matrix\"",
        ),
        ("type = \"webhook\"\nurl = \"not a url\"", "sanctiond.toml:6:7: \"url\" is not a URL"),
        (
            "type = \"webhook\"\nurl = \"ftp://example.org/hook\"",
            "sanctiond.toml:6:7: \"url\" must be an http:// or https:// URL",
        ),
        (
            "type = \"webhook\"\nurl = \"https://example.org/hook\"\nsecret = \"inline\"",
            "sanctiond.toml:7:10: \"secret\" would put a secret in the config: write it to a file readable only by sanctiond and name it with secret_file",
        ),
        (
            "type = \"slack\"",
            "sanctiond.toml:3:1: this receiver needs its url from a secret: url_file, url_env or url_credential",
        ),
        (
            "type = \"slack\"\nurl = \"https://hooks.slack.com/services/T/B/x\"",
            "sanctiond.toml:6:7: \"url\" would put a secret in the config",
        ),
        (
            "type = \"matrix\"\nhomeserver = \"https://matrix.example.org\"\nroom = \"#desk:example.org\"\ntoken_env = \"T\"",
            "sanctiond.toml:7:8: room must be a Matrix room id like \"!abc123:example.org\"",
        ),
        ("type = \"webhook\"\nurl = \"https://example.org/hook\"\ntimeout = \"0s\"", "timeout must be longer than 0s"),
    ];
    for (receiver, expected) in cases {
        let (code, stderr) = check(dir.path(), receiver);
        assert_eq!(code, Some(2), "{receiver}: {stderr}");
        assert!(stderr.contains(expected), "{receiver}:\nexpected {expected}\ngot {stderr}");
    }
}

#[test]
fn check_config_refuses_an_ntfy_url_without_a_topic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stderr) = check(dir.path(), "type = \"ntfy\"\nurl = \"https://ntfy.example.org/\"");
    assert_eq!(code, Some(2), "check-config passes what the daemon then refuses to start with: {stderr}");
    assert!(stderr.contains("sanctiond.toml:6:7:") && stderr.contains("topic"), "{stderr}");
}

#[test]
fn a_missing_secret_file_stops_the_daemon_with_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such.secret");
    let path = config(
        dir.path(),
        r#"["0s"]"#,
        &format!(
            "[[receiver]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://example.org/hook\"\nsecret_file = \"{}\"\n",
            missing.display()
        ),
    );
    let started = Instant::now();
    let out = sanctiond().arg("--config").arg(&path).arg("run").output().expect("run");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(2), "a config that cannot be put to use is a config error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot read the webhook secret from {}", missing.display()))
            && stderr.contains("No such file"),
        "{stderr}"
    );
}

/// Standard base64 with padding, to look for a secret encoded as HTTP Basic auth would.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn secrets_never_reach_the_log_or_the_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HookServer::start(
        dir.path(),
        &json!({
            "/hook": {"mode": "ok", "secret": WEBHOOK_SECRET},
            "/ntfy/": {"mode": "ok"},
            "/slack/*": {"mode": "ok"},
            "/refusing/*": {"mode": "bad"},
            "/_matrix/*": {"mode": "matrix"},
        }),
    );
    let dead = support::smtp::free_port();
    let slack_secret = "slk-Secret-Path-5150";
    let refusing_secret = "slk-Refusing-Path-6161";
    let dead_secret = "slk-Dead-Path-7272";
    let matrix_token = "syt_Matrix_Token_Secret_8383";
    let ntfy_token = "tk_Ntfy_Token_Secret_9494";
    let receivers = format!(
        r#"
[[receiver]]
name = "hook"
type = "webhook"
url = "{hook}"
secret_file = "{hook_secret}"
[[receiver]]
name = "push"
type = "ntfy"
url = "{ntfy}"
token_env = "TEST_NTFY_TOKEN"
[[receiver]]
name = "slack"
type = "slack"
url_file = "{slack}"
[[receiver]]
name = "refusing"
type = "slack"
url_file = "{refusing}"
[[receiver]]
name = "down"
type = "slack"
url_env = "TEST_DEAD_SLACK_URL"
[[receiver]]
name = "matrix"
type = "matrix"
homeserver = "{homeserver}"
room = "!room:example.org"
token_file = "{token}"
"#,
        hook = server.url("/hook"),
        hook_secret = secret_file(dir.path(), "hook.secret", WEBHOOK_SECRET),
        ntfy = server.url("/ntfy/desk"),
        slack = secret_file(dir.path(), "slack.url", &server.url(&format!("/slack/T000/B000/{slack_secret}"))),
        refusing =
            secret_file(dir.path(), "refusing.url", &server.url(&format!("/refusing/T000/B000/{refusing_secret}"))),
        homeserver = server.url(""),
        token = secret_file(dir.path(), "matrix.token", matrix_token),
    );
    let path = config(dir.path(), r#"["0s"]"#, &format!("{}{receivers}", deadline("secrets", "Secrets", 0)));
    let dead_url = format!("http://127.0.0.1:{dead}/services/T000/B000/{dead_secret}");
    let daemon = Daemon::start(
        &path,
        &[("RUST_LOG", "trace"), ("TEST_NTFY_TOKEN", ntfy_token), ("TEST_DEAD_SLACK_URL", &dead_url)],
    );

    for route in ["/hook", "/ntfy/", "/slack/*", "/refusing/*", "/_matrix/*"] {
        server.wait_for(route, 1, Duration::from_secs(20));
    }
    assert_eq!(server.requests_to("/hook")[0].signature_ok, Some(true));
    assert_eq!(
        server.requests_to("/_matrix/*")[0].header("Authorization"),
        Some(format!("Bearer {matrix_token}").as_str())
    );
    assert_eq!(server.requests_to("/ntfy/")[0].header("Authorization"), Some(format!("Bearer {ntfy_token}").as_str()));
    for receiver in ["hook", "push", "slack", "matrix"] {
        wait_for_rows(&path, receiver, Duration::from_secs(5), |r| all_in(r, "sent"));
    }
    let refused = wait_for_rows(&path, "refusing", Duration::from_secs(5), |r| all_in(r, "failed"));
    assert!(refused[0]["last_error"].as_str().is_some_and(|e| e.contains("bad payload")), "{refused:?}");
    let down = wait_for_rows(&path, "down", Duration::from_secs(10), |r| all_in(r, "pending") && r[0]["attempts"] == 1);
    assert!(down[0]["last_error"].as_str().is_some_and(|e| e.contains("cannot connect")), "{down:?}");
    daemon.wait_for_line("will retry", Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(500));

    let stderr = daemon.lines().join("\n");
    assert!(stderr.lines().count() > 20 && stderr.contains("TRACE"), "trace logging is on: {stderr}");
    let (_, alerts) = alerts_output(&path);
    for secret in [WEBHOOK_SECRET, slack_secret, refusing_secret, dead_secret, matrix_token, ntfy_token] {
        for form in [secret.to_owned(), base64(secret.as_bytes())] {
            assert!(!stderr.contains(&form), "{form} (from {secret}) is in the daemon's log:\n{stderr}");
            assert!(!alerts.contains(&form), "{form} (from {secret}) is in `alerts`:\n{alerts}");
        }
    }
}
