//! Email alerts through a real SMTP server (aiosmtpd on 127.0.0.1, started here): headers
//! and parts, STARTTLS with a test CA and AUTH, refusals, outages, 451/550, hostile
//! titles, and restarts. Needs python3 with aiosmtpd and openssl (tests/setup.sh).

mod support;

use std::path::Path;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use mail_parser::MimeHeaders;
use support::smtp::{SmtpSink, free_port, received_in, test_certificates, tls_sink};
use support::{Daemon, START_SLACK_MS, sanctiond, wait_until, write_config};

struct Setup<'a> {
    dir: &'a Path,
    smtp: String,
    to: &'a [&'a str],
    title: &'a str,
    due_in_ms: i64,
    leads: &'a str,
}

fn config(s: &Setup<'_>) -> String {
    let due = Utc::now() + chrono::Duration::milliseconds(s.due_in_ms);
    let to: Vec<String> = s.to.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        r#"
[daemon]
state_dir = "{state}"
timezone = "America/New_York"
[alerts]
lead_times = {leads}
[[deadline]]
id = "ru-tariffs"
title = "{title}"
due = "{due}"
tags = ["russia"]
[[receiver]]
name = "desk"
type = "email"
to = [{to}]
cc = ["legal@example.org"]
[[receiver]]
name = "journal"
type = "log"
[routing]
default = ["desk", "journal"]
[smtp]
{smtp}
from = "sanctiond <alerts@example.org>"
timeout = "5s"
"#,
        state = s.dir.join("state").display(),
        leads = s.leads,
        title = s.title,
        due = due.to_rfc3339_opts(SecondsFormat::Millis, true),
        to = to.join(", "),
        smtp = s.smtp,
    )
}

fn plain(port: u16) -> String {
    format!("host = \"127.0.0.1\"\nport = {port}\ntls = \"none\"")
}

fn alerts_json(config: &Path) -> Vec<serde_json::Value> {
    let out = sanctiond().arg("--config").arg(config).args(["alerts", "--format", "json"]).output().expect("alerts");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v.as_array().expect("array").iter().filter(|a| a["receiver"] == "desk").cloned().collect()
}

/// The messages the sink received for `rcpt`: each recipient gets its own SMTP transaction.
fn for_rcpt(all: Vec<support::smtp::Received>, rcpt: &str) -> Vec<support::smtp::Received> {
    all.into_iter().filter(|m| m.rcpts.iter().any(|r| r == rcpt)).collect()
}

/// The desk's outbox rows once `settled` holds for them: the sink stores a message when the
/// DATA ends, a moment before the daemon reads the reply and records the row as sent.
fn wait_for_alerts(config: &Path, settled: impl Fn(&[serde_json::Value]) -> bool) -> Vec<serde_json::Value> {
    wait_until(Duration::from_secs(10), || Some(alerts_json(config)).filter(|a| settled(a)))
        .unwrap_or_else(|| alerts_json(config))
}

fn wait_for_messages(outdir: &Path, n: usize, timeout: Duration) -> Vec<support::smtp::Received> {
    wait_until(timeout, || Some(received_in(outdir)).filter(|r| r.len() >= n))
        .unwrap_or_else(|| panic!("expected {n} messages, got {}", received_in(outdir).len()))
}

#[test]
fn alerts_arrive_with_headers_both_parts_and_threading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &[]);
    let title = "US ultimatum to Russia: ceasefire or secondary tariffs";
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp: plain(sink.port),
            to: &["desk@example.org"],
            title,
            due_in_ms: START_SLACK_MS + 2_500,
            leads: r#"["2s", "0s"]"#,
        }),
    );
    let _daemon = Daemon::start(&path, &[]);
    let all = wait_for_messages(&sink.outdir, 4, Duration::from_secs(25));
    assert_eq!(for_rcpt(all.clone(), "legal@example.org").len(), 2, "cc gets every alert too");
    let got = for_rcpt(all, "desk@example.org");
    assert_eq!(got.len(), 2);
    let (first, second) = (&got[0], &got[1]);
    assert_eq!(first.rcpts, ["desk@example.org"], "one transaction per recipient");
    assert_eq!(first.header("To").as_deref(), Some("desk@example.org"));
    assert_eq!(first.header("Cc").as_deref(), Some("legal@example.org"));

    let subject = first.header("Subject").expect("subject");
    assert!(
        subject.starts_with("[sanctiond] 2 seconds: US ultimatum to Russia: ceasefire or secondary tariffs ("),
        "{subject}"
    );
    assert!(subject.ends_with(" EST)"), "due time in the receiver's zone: {subject}");
    assert_eq!(second.header("Subject").expect("subject").split(':').next(), Some("[sanctiond] due now"));
    assert_eq!(first.header("Auto-Submitted").as_deref(), Some("auto-generated"));
    assert_eq!(first.header("X-Sanctiond-Deadline").as_deref(), Some("ru-tariffs"));
    assert!(first.header("Date").is_some());
    let first_id = first.header("Message-ID").expect("message id");
    assert!(first_id.starts_with("<alert.ru-tariffs.1.2.desk@example.org>"), "{first_id}");
    assert_eq!(second.header("In-Reply-To").as_deref(), Some(first_id.as_str()), "threads to the first alert");
    assert_eq!(second.header("References").as_deref(), Some(first_id.as_str()));
    assert!(first.header("In-Reply-To").is_none());

    let parsed = first.parsed();
    let content_type = parsed.content_type().expect("content type");
    assert_eq!((content_type.ctype(), content_type.subtype()), ("multipart", Some("alternative")));
    let text = parsed.body_text(0).expect("text part");
    assert!(text.contains("Deadline:   US ultimatum to Russia") && text.contains("Remaining:"), "{text}");
    assert!(text.contains("UTC") && text.contains("EST"), "both zones: {text}");
    assert!(text.contains("config:"), "sources: {text}");
    let html = parsed.body_html(0).expect("html part");
    assert!(html.contains("<h2"), "{html}");

    let alerts = wait_for_alerts(&path, |a| a.iter().all(|a| a["state"] != "sending"));
    assert!(alerts.iter().all(|a| a["state"] == "sent" && a["attempts"] == 1), "{alerts:?}");
}

#[test]
fn starttls_with_a_test_ca_and_auth_delivers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (sink, ca) = tls_sink("starttls", dir.path(), Some(("alerts", "s3cret-pa55")));
    std::fs::write(dir.path().join("password"), "s3cret-pa55\n").expect("password file");
    let smtp = format!(
        "host = \"localhost\"\nport = {}\ntls = \"starttls\"\nca_file = \"{}\"\nusername = \"alerts\"\npassword_file = \"{}\"",
        sink.port,
        ca.display(),
        dir.path().join("password").display()
    );
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp,
            to: &["desk@example.org"],
            title: "STARTTLS test",
            due_in_ms: START_SLACK_MS,
            leads: r#"["0s"]"#,
        }),
    );
    let daemon = Daemon::start(&path, &[]);
    let got = wait_for_messages(&sink.outdir, 1, Duration::from_secs(20));
    assert!(got[0].tls && got[0].auth, "sent over TLS, authenticated");
    assert!(!daemon.lines().join("\n").contains("s3cret-pa55"), "the password never reaches the log");
}

#[test]
fn implicit_tls_delivers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (sink, ca) = tls_sink("smtps", dir.path(), None);
    let smtp = format!("host = \"localhost\"\nport = {}\ntls = \"tls\"\nca_file = \"{}\"", sink.port, ca.display());
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp,
            to: &["desk@example.org"],
            title: "SMTPS test",
            due_in_ms: START_SLACK_MS,
            leads: r#"["0s"]"#,
        }),
    );
    let _daemon = Daemon::start(&path, &[]);
    let got = wait_for_messages(&sink.outdir, 1, Duration::from_secs(20));
    assert!(got[0].tls);
}

#[test]
fn a_server_without_starttls_is_refused_when_starttls_is_required() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ca, _, _) = test_certificates(dir.path());
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &[]);
    let smtp =
        format!("host = \"localhost\"\nport = {}\ntls = \"starttls\"\nca_file = \"{}\"", sink.port, ca.display());
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp,
            to: &["desk@example.org"],
            title: "No STARTTLS",
            due_in_ms: START_SLACK_MS,
            leads: r#"["0s"]"#,
        }),
    );
    let daemon = Daemon::start(&path, &[]);
    let line = daemon.wait_for_line("will retry", Duration::from_secs(20));
    assert!(line.to_lowercase().contains("starttls"), "{line}");
    let alerts = alerts_json(&path);
    // Waiting for its retry: pending again, with the attempt and its error recorded.
    assert_eq!(alerts[0]["state"], "pending", "kept for retry: {alerts:?}");
    assert_eq!(alerts[0]["attempts"], 1, "{alerts:?}");
    assert!(alerts[0]["last_error"].as_str().expect("error").to_lowercase().contains("starttls"));
    assert!(sink.received().is_empty(), "nothing sent in clear text");
}

#[test]
fn a_wrong_password_gives_a_clear_error_and_never_logs_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (sink, ca) = tls_sink("starttls", dir.path(), Some(("alerts", "right")));
    let smtp = format!(
        "host = \"localhost\"\nport = {}\ntls = \"starttls\"\nca_file = \"{}\"\nusername = \"alerts\"\npassword_env = \"TEST_SMTP_PASSWORD\"",
        sink.port,
        ca.display()
    );
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp,
            to: &["desk@example.org"],
            title: "Wrong password",
            due_in_ms: START_SLACK_MS,
            leads: r#"["0s"]"#,
        }),
    );
    let daemon = Daemon::start(&path, &[("TEST_SMTP_PASSWORD", "wr0ng-Passw0rd")]);
    let line = daemon.wait_for_line("will retry", Duration::from_secs(20));
    assert!(line.contains("authentication failed") && line.contains("535"), "{line}");
    assert!(!daemon.lines().join("\n").contains("wr0ng-Passw0rd"));
    assert!(sink.received().is_empty());
}

#[test]
fn a_server_down_for_a_while_gets_the_alert_once_when_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp: plain(port),
            to: &["desk@example.org"],
            title: "Outage",
            due_in_ms: START_SLACK_MS,
            leads: r#"["0s"]"#,
        }),
    );
    let daemon = Daemon::start(&path, &[]);
    daemon.wait_for_line("will retry", Duration::from_secs(20));
    let sink = SmtpSink::start("plain", port, &dir.path().join("mail"), &[]);
    // The first retry comes within 15 s of the failure.
    wait_for_messages(&sink.outdir, 2, Duration::from_secs(20));
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(for_rcpt(sink.received(), "desk@example.org").len(), 1, "delivered once");
    assert_eq!(for_rcpt(sink.received(), "legal@example.org").len(), 1, "delivered once");
    let alerts = wait_for_alerts(&path, |a| a.iter().all(|a| a["state"] != "sending"));
    assert_eq!((alerts[0]["state"].as_str(), alerts[0]["attempts"].as_i64()), (Some("sent"), Some(2)));
}

#[test]
fn a_451_is_retried_and_a_550_fails_only_that_recipient() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &[]);
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp: plain(sink.port),
            to: &["ok@example.org", "reject@example.org", "tempfail@example.org"],
            title: "Partial",
            // Time for the daemon to start (and on PostgreSQL, to create its schema).
            due_in_ms: START_SLACK_MS + 1_000,
            leads: r#"["0s"]"#,
        }),
    );
    let daemon = Daemon::start(&path, &[]);
    daemon.wait_for_line("will retry", Duration::from_secs(20));
    // One outbox row per recipient: each is settled on its own.
    let row = |rcpt: &str| {
        alerts_json(&path).into_iter().find(|a| a["recipient"] == rcpt).unwrap_or_else(|| panic!("a row for {rcpt}"))
    };
    let tempfail = row("tempfail@example.org");
    let error = tempfail["last_error"].as_str().expect("error");
    assert!(error.contains("tempfail@example.org") && error.contains("451"), "{error}");
    assert_eq!(row("ok@example.org")["state"], "sent");
    let rejected = row("reject@example.org");
    assert_eq!(rejected["state"], "failed", "a 550 is final: {rejected}");
    // Wait for the retry (10-15 s after the first attempt), then look again.
    wait_until(Duration::from_secs(20), || (row("tempfail@example.org")["attempts"].as_i64() >= Some(2)).then_some(()))
        .expect("a second attempt");
    let received = sink.received();
    let to_ok = received.iter().filter(|m| m.rcpts.contains(&"ok@example.org".to_owned())).count();
    let to_cc = received.iter().filter(|m| m.rcpts.contains(&"legal@example.org".to_owned())).count();
    assert_eq!((to_ok, to_cc), (1, 1), "accepted recipients get it once, not on every retry");
    assert!(received.iter().all(|m| !m.rcpts.iter().any(|r| r.starts_with("reject") || r.starts_with("tempfail"))));
    let a = row("tempfail@example.org");
    assert!(a["attempts"].as_i64() <= Some(3), "no retry storm: {a}");
    assert_eq!(row("ok@example.org")["attempts"], 1, "a delivered recipient is not tried again");
}

#[test]
fn a_hostile_title_cannot_add_headers_or_recipients() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &[]);
    let title = r"Tariffs\r\nBcc: victim@evil.example\r\nX-Injected: yes <b>bold</b> & <script>alert(1)</script>";
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp: plain(sink.port),
            to: &["desk@example.org"],
            title,
            due_in_ms: START_SLACK_MS,
            leads: r#"["0s"]"#,
        }),
    );
    let _daemon = Daemon::start(&path, &[]);
    wait_for_messages(&sink.outdir, 2, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    let got = sink.received();
    let mut rcpts: Vec<String> = got.iter().flat_map(|m| m.rcpts.clone()).collect();
    rcpts.sort();
    assert_eq!(rcpts, ["desk@example.org", "legal@example.org"], "only the configured recipients");
    let m = &got[0];
    assert!(m.header("Bcc").is_none() && m.header("X-Injected").is_none(), "{}", String::from_utf8_lossy(&m.raw));
    let parsed = m.parsed();
    assert!(parsed.subject().expect("subject").contains("Tariffs Bcc: victim@evil.example X-Injected: yes"));
    let html = parsed.body_html(0).expect("html");
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "escaped: {html}");
}

#[test]
fn a_restart_after_delivery_sends_no_duplicate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &[]);
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp: plain(sink.port),
            to: &["desk@example.org"],
            title: "Restart",
            due_in_ms: START_SLACK_MS + 2_500,
            leads: r#"["2s", "0s"]"#,
        }),
    );
    let mut first = Daemon::start(&path, &[]);
    wait_for_messages(&sink.outdir, 2, Duration::from_secs(20));
    first.wait_for_line("deadline alert", Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(200));
    first.crash();
    let _second = Daemon::start(&path, &[]);
    wait_for_messages(&sink.outdir, 4, Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(1));
    let got = for_rcpt(sink.received(), "desk@example.org");
    assert_eq!(got.len(), 2, "each alert once");
    let ids: Vec<_> = got.iter().map(|m| m.header("Message-ID").expect("id")).collect();
    assert_ne!(ids[0], ids[1]);
}

fn test_alert(config: &Path) -> (Option<i32>, String, String) {
    let out = sanctiond().arg("--config").arg(config).args(["test-alert", "--receiver", "desk"]).output().expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn test_alert_sends_through_the_real_path_or_says_what_failed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &[]);
    let setup = |smtp: String| {
        config(&Setup {
            dir: dir.path(),
            smtp,
            to: &["desk@example.org"],
            title: "unused",
            due_in_ms: 86_400_000,
            leads: r#"["0s"]"#,
        })
    };
    let path = write_config(dir.path(), &setup(plain(sink.port)));
    let (code, stdout, stderr) = test_alert(&path);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("sent a test alert to desk@example.org"), "{stdout}");
    let got = for_rcpt(sink.received(), "desk@example.org");
    assert_eq!(got.len(), 1);
    assert!(got[0].header("Subject").expect("subject").starts_with("[sanctiond] 3 days: Test alert from sanctiond"));

    let path = write_config(dir.path(), &setup(plain(free_port())));
    let (code, stdout, _) = test_alert(&path);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("FAILED desk@example.org: connect: the relay refused the connection"), "{stdout}");

    let path = write_config(dir.path(), &setup("host = \"relay.invalid\"\ntls = \"tls\"".to_owned()));
    let (code, stdout, _) = test_alert(&path);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("DNS: the relay's name does not resolve"), "{stdout}");

    let out =
        sanctiond().arg("--config").arg(&path).args(["test-alert", "--receiver", "nobody"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no receiver named \"nobody\" (the config has: desk, journal)")
    );
}

#[test]
fn a_digest_arrives_on_its_schedule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &[]);
    let setup = Setup {
        dir: dir.path(),
        smtp: plain(sink.port),
        to: &["desk@example.org"],
        title: "Price cap review",
        due_in_ms: 10 * 86_400_000,
        leads: r#"["1d"]"#,
    };
    let text = format!(
        "{}\n[[digest]]\nname = \"minutely\"\nschedule = \"* * * * *\"\nreceivers = [\"desk\"]\nhorizon = \"30d\"\n",
        config(&setup)
    );
    let path = write_config(dir.path(), &text);
    let started = Utc::now();
    let _daemon = Daemon::start(&path, &[]);
    // The schedule fires at the next minute boundary, at most a minute away.
    let all = wait_for_messages(&sink.outdir, 2, Duration::from_secs(75));
    let got = for_rcpt(all, "desk@example.org");
    let subject = got[0].header("Subject").expect("subject");
    assert_eq!(subject, "[sanctiond] digest minutely: 1 deadline in the next 30 days");
    let date = got[0].parsed().date().expect("date").to_timestamp();
    assert!(date >= started.timestamp(), "sent after start");
    assert!(got[0].header("Message-ID").expect("id").starts_with("<digest.minutely."));
    let text = got[0].parsed().body_text(0).expect("text").into_owned();
    assert!(text.contains("Price cap review") && text.contains("Id: ru-tariffs"), "{text}");
}

/// Standard base64, for looking for an encoded secret in the log.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn smtp_auth_at_trace_level_never_logs_the_password_plain_or_encoded() {
    let password = "S3cr3t-Tr4ce-Pw";
    let dir = tempfile::tempdir().expect("tempdir");
    let (sink, ca) = tls_sink("starttls", dir.path(), Some(("alerts", password)));
    let smtp = format!(
        "host = \"localhost\"\nport = {}\ntls = \"starttls\"\nca_file = \"{}\"\nusername = \"alerts\"\npassword_env = \"TEST_SMTP_PASSWORD\"",
        sink.port,
        ca.display()
    );
    let path = write_config(
        dir.path(),
        &config(&Setup {
            dir: dir.path(),
            smtp,
            to: &["desk@example.org"],
            title: "Traced",
            due_in_ms: START_SLACK_MS,
            leads: r#"["0s"]"#,
        }),
    );
    let daemon = Daemon::start(&path, &[("TEST_SMTP_PASSWORD", password), ("RUST_LOG", "trace")]);
    wait_until(Duration::from_secs(20), || (!sink.received().is_empty()).then_some(())).expect("delivered with AUTH");
    std::thread::sleep(Duration::from_millis(300));
    let log = daemon.lines().join("\n");
    assert!(log.contains("DEBUG"), "trace logging is on: {log}");
    assert!(!log.contains(password), "the password is in the log");
    for encoded in [
        base64(format!("\0alerts\0{password}").as_bytes()),
        base64(password.as_bytes()),
        base64(format!("alerts\0{password}").as_bytes()),
    ] {
        assert!(!log.contains(&encoded), "the password is in the log as base64 {encoded}");
    }
    assert_eq!(base64(b"\0alerts\0right"), "AGFsZXJ0cwByaWdodA==", "the encoder itself");
}
