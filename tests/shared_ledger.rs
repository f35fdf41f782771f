//! Two daemons on one PostgreSQL ledger (`[store] url`), with the real binary, a real
//! PostgreSQL (initdb + pg_ctl on loopback) and a real SMTP server: every alert sent once
//! between them, a daemon killed with `kill -9` in a burst replaced by the other once its
//! lease runs out, PostgreSQL unreachable at start or lost mid-run.
//!
//! These run on PostgreSQL whatever `SANCTIOND_TEST_BACKEND` says: sharing needs it.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use support::pg::{self, Cluster};
use support::smtp::SmtpSink;
use support::{Daemon, alerts_json, log_alerts, sanctiond, wait_until, write_config};

const MAX_CONNECTIONS: usize = 4;
const LEASE_SECONDS: i64 = 2;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The config of one of the daemons: its own state directory, the shared ledger.
fn shared_config(dir: &Path, name: &str, url: &str, smtp_port: u16, deadlines: usize, due: DateTime<Utc>) -> PathBuf {
    leased_config(dir, name, url, smtp_port, deadlines, due, LEASE_SECONDS)
}

/// Like [`shared_config`], with a lease of `lease` seconds.
fn leased_config(
    dir: &Path,
    name: &str,
    url: &str,
    smtp_port: u16,
    deadlines: usize,
    due: DateTime<Utc>,
    lease: i64,
) -> PathBuf {
    let store = format!("[store]\nurl = \"{url}\"\nlease = \"{lease}s\"");
    let text = support::burst_config(&dir.join(name), smtp_port, deadlines, due, &store);
    let home = dir.join(format!("{name}-config"));
    std::fs::create_dir_all(&home).expect("config dir");
    write_config(&home, &text)
}

#[test]
fn two_daemons_send_each_alert_once_and_one_takes_over_when_the_other_is_killed() {
    const DEADLINES: usize = 60;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = pg::database();
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &["--delay-ms", "20"]);
    let due = Utc::now() + chrono::Duration::seconds(14);
    let a = shared_config(dir.path(), "a", &url, sink.port, DEADLINES, due);
    let b = shared_config(dir.path(), "b", &url, sink.port, DEADLINES, due);
    let expected = DEADLINES * 3;

    let mut first = Daemon::start(&a, &[]);
    let second = Daemon::start(&b, &[]);
    first.wait_for_line("sanctiond started", Duration::from_secs(20));
    second.wait_for_line("sanctiond started", Duration::from_secs(20));
    // Each heartbeat has a connection of its own, opened just after the daemon starts.
    let listed = || {
        let out = sanctiond().arg("--config").arg(&a).args(["instances", "--format", "json"]).output().expect("run");
        serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).expect("json")
    };
    let instances =
        wait_until(Duration::from_secs(10), || Some(listed()).filter(|i| i.len() == 2)).unwrap_or_else(listed);
    assert_eq!(instances.len(), 2, "both daemons stamp the ledger: {instances:?}");
    assert!(instances.iter().all(|i| i["live"] == true), "{instances:?}");

    // Kill one in the middle of the second wave; the other carries on alone, and takes
    // back what the dead one held once its lease runs out.
    wait_until(Duration::from_secs(40), || (sink.received().len() >= DEADLINES + 20).then_some(()))
        .expect("the burst reached its second wave");
    let killed_at = Instant::now();
    first.crash();
    let settled = wait_until(Duration::from_secs(60), || {
        let rows = alerts_json(&b);
        rows.iter().all(|r| r["state"] == "sent").then_some(rows)
    })
    .expect("every row sent by the daemon left");
    println!("the survivor finished the burst {:?} after the kill", killed_at.elapsed());
    assert_eq!(settled.len(), expected * 2, "one row per alert and receiver, however many daemons planned it");

    let received = sink.received();
    let ids: BTreeSet<String> = received.iter().filter_map(|m| m.header("Message-ID")).collect();
    let duplicates = received.len() - ids.len();
    let lines: Vec<String> = first.lines().into_iter().chain(second.lines()).collect();
    let logged = log_alerts(&lines);
    let unique_logged: BTreeSet<_> = logged.iter().cloned().collect();
    let by_first = log_alerts(&first.lines()).len();
    println!(
        "shared burst: {expected} emails + {expected} log alerts, 1 kill: {} emails ({} unique, {duplicates} duplicates); \
         log alerts {} ({} by the killed daemon)",
        received.len(),
        ids.len(),
        logged.len(),
        by_first
    );
    assert_eq!(ids.len(), expected, "no email lost");
    assert!(duplicates <= MAX_CONNECTIONS, "{duplicates} duplicate emails for one kill");
    assert_eq!(unique_logged.len(), expected, "no log alert lost");
    assert_eq!(logged.len(), expected, "no log alert written twice, by either daemon");

    // Lateness: what the killed daemon held waits for its lease; nothing else waits.
    let late: Vec<i64> = settled
        .iter()
        .filter_map(|r| {
            let planned = DateTime::parse_from_rfc3339(r["planned"].as_str()?).ok()?;
            let sent = DateTime::parse_from_rfc3339(r["sent"].as_str()?).ok()?;
            Some((sent - planned).num_milliseconds())
        })
        .collect();
    let worst = late.iter().copied().max().unwrap_or(0);
    println!("worst lateness {worst} ms (lease {LEASE_SECONDS} s)");
    assert!(worst <= (LEASE_SECONDS + 5) * 1000, "an alert went out {worst} ms late");

    // The killed daemon's row stays, no longer live; a restart takes it up again.
    let rows = sanctiond().arg("--config").arg(&a).args(["instances", "--format", "json"]).output().expect("run");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&rows.stdout).expect("json");
    let live: BTreeMap<String, bool> =
        rows.iter().map(|i| (i["id"].as_str().unwrap_or("").to_owned(), i["live"] == true)).collect();
    assert_eq!(live.values().filter(|l| **l).count(), 1, "one daemon left alive: {live:?}");
}

#[test]
fn a_daemon_stopped_mid_burst_puts_back_what_it_claimed_ahead_for_the_other_at_once() {
    // Each send slot claims several rows at a time on PostgreSQL. A daemon told to stop
    // puts back the ones it had not sent: the other daemon sends them at once, not after
    // the lease (a minute here, longer than the whole test may take).
    const DEADLINES: usize = 60;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = pg::database();
    let sink = SmtpSink::start("plain", 0, &dir.path().join("mail"), &["--delay-ms", "30"]);
    let due = Utc::now() + chrono::Duration::seconds(12);
    let a = leased_config(dir.path(), "a", &url, sink.port, DEADLINES, due, 60);
    let b = leased_config(dir.path(), "b", &url, sink.port, DEADLINES, due, 60);
    let mut first = Daemon::start(&a, &[]);
    let mut second = Daemon::start(&b, &[]);
    first.wait_for_line("sanctiond started", Duration::from_secs(20));
    second.wait_for_line("sanctiond started", Duration::from_secs(20));
    wait_until(Duration::from_secs(40), || (sink.received().len() >= 20).then_some(())).expect("the burst began");
    first.signal("TERM");
    assert!(first.wait_exit(Duration::from_secs(10)).success(), "a clean stop");
    let stopped_at = Instant::now();
    let held: i64 = support::ledger_sql(&a)
        .query_row("SELECT count(*) FROM outbox WHERE state = 'sending' AND owner LIKE '%/a'", (), |r| r.get::<i64>(0))
        .expect("count");
    assert_eq!(held, 0, "the stopped daemon left rows claimed");
    let rows = wait_until(Duration::from_secs(30), || {
        let rows = alerts_json(&b);
        rows.iter().all(|r| r["state"] == "sent").then_some(rows)
    })
    .expect("the other daemon sends everything well within the lease");
    println!("the other daemon finished {:?} after the stop", stopped_at.elapsed());
    assert_eq!(rows.len(), DEADLINES * 3 * 2);
    let received = sink.received();
    let ids: BTreeSet<String> = received.iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(ids.len(), DEADLINES * 3, "no email lost");
    assert_eq!(received.len(), ids.len(), "a clean stop sends nothing twice");
    second.signal("TERM");
    second.wait_exit(Duration::from_secs(10));
}

#[test]
fn postgresql_unreachable_at_start_is_a_clear_error_and_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = support::smtp::free_port();
    let config = write_config(
        dir.path(),
        &format!(
            r#"
[daemon]
state_dir = "{}"
[store]
url = "postgres://sanctiond@127.0.0.1:{port}/ledger"
password_env = "SANCTIOND_TEST_PG_PASSWORD"
[[receiver]]
name = "journal"
type = "log"
"#,
            dir.path().join("state").display()
        ),
    );
    let started = Instant::now();
    let out = sanctiond()
        .arg("--config")
        .arg(&config)
        .arg("run")
        .env("SANCTIOND_TEST_PG_PASSWORD", "correct-horse-battery")
        .env("RUST_LOG", "trace")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(15), "gave up after {:?}", started.elapsed());
    assert!(stderr.contains(&format!("postgres://sanctiond@127.0.0.1:{port}/ledger")), "names the ledger: {stderr}");
    assert!(!stderr.contains("correct-horse-battery"), "the password never reaches the log: {stderr}");
}

/// A config with one log receiver and these deadlines (id, due) on the ledger at `url`;
/// `store` is more of `[store]`.
fn log_config(dir: &Path, url: &str, store: &str, deadlines: &[(&str, DateTime<Utc>)]) -> PathBuf {
    use std::fmt::Write as _;
    let mut text = format!(
        "[daemon]\nstate_dir = \"{}\"\n[store]\nurl = \"{url}\"\n{store}\n[alerts]\nlead_times = [\"0s\"]\n\
         [[receiver]]\nname = \"journal\"\ntype = \"log\"\n",
        dir.join("state").display()
    );
    for (id, due) in deadlines {
        let _ = write!(text, "[[deadline]]\nid = \"{id}\"\ntitle = \"Deadline {id}\"\ndue = \"{}\"\n", rfc3339(*due));
    }
    write_config(dir, &text)
}

#[test]
fn tls_to_postgresql_is_verified_and_plain_text_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A CA of the test's own and a certificate for 127.0.0.1 it signed (openssl).
    let (ca, cert, key) = support::smtp::test_certificates(dir.path());
    // The server takes TLS only, on TCP; the test harness itself uses the Unix socket.
    let cluster = Cluster::start_new_with(
        "tls",
        |data| {
            for (from, to) in [(&cert, "server.crt"), (&key, "server.key")] {
                std::fs::copy(from, data.join(to)).expect("certificate");
            }
            std::fs::set_permissions(data.join("server.key"), std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .expect("key mode");
            std::fs::write(
                data.join("pg_hba.conf"),
                "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n",
            )
            .expect("pg_hba.conf");
        },
        "-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key",
    );
    let url = cluster.database();
    let db = url.rsplit('/').next().expect("database name").to_owned();
    let due = Utc::now() + chrono::Duration::seconds(8);

    // Plain text: refused by the server, a clear error, exit 1.
    let plain = tempfile::tempdir().expect("tempdir");
    let config = log_config(plain.path(), &url, "", &[("over-tls", due)]);
    let out = sanctiond().arg("--config").arg(&config).arg("run").output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&url) && err.contains("no encryption"), "{err}");

    // TLS, but the server's certificate is not signed by anything the system trusts.
    let untrusted = tempfile::tempdir().expect("tempdir");
    let config = log_config(untrusted.path(), &format!("{url}?sslmode=verify-full"), "", &[("over-tls", due)]);
    let out = sanctiond().arg("--config").arg(&config).arg("run").output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "the error says the certificate is not trusted: {err}");

    // TLS verified by the CA file: the daemon runs, and every connection it holds is TLS.
    let verified = tempfile::tempdir().expect("tempdir");
    let store = format!("ca_file = \"{}\"", ca.display());
    let config = log_config(verified.path(), &format!("{url}?sslmode=verify-full"), &store, &[("over-tls", due)]);
    let check = sanctiond().arg("--config").arg(&config).arg("check-config").output().expect("check-config");
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success() && said.contains("TLS, verified by"), "{said}");
    let mut daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(20));
    let line = daemon.wait_for_line("deadline alert", Duration::from_secs(30));
    assert!(line.contains("over-tls"), "{line}");
    let sessions: Vec<(String, bool)> = cluster
        .admin()
        .query(
            "SELECT a.application_name, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
             WHERE a.datname = $1 AND a.application_name LIKE 'sanctiond%'",
            &[&db],
        )
        .expect("sessions")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(!sessions.is_empty(), "the daemon holds connections");
    assert!(sessions.iter().all(|(_, ssl)| *ssl), "every connection is TLS: {sessions:?}");
    daemon.signal("TERM");
    assert!(daemon.wait_exit(Duration::from_secs(15)).success());
}

#[test]
fn after_a_failover_to_the_standby_the_daemon_carries_on_there() {
    let primary = Cluster::start_new("primary");
    let url = primary.database();
    let db = url.rsplit('/').next().expect("database name").to_owned();
    let standby = primary.standby("standby");
    // Both servers in the URL; only the one taking writes will do.
    let url = url.replacen(
        &format!("127.0.0.1:{}", primary.port),
        &format!("127.0.0.1:{},127.0.0.1:{}", primary.port, standby.port),
        1,
    ) + "?target_session_attrs=read-write";
    let dir = tempfile::tempdir().expect("tempdir");
    let now = Utc::now();
    let (before, after) = (now + chrono::Duration::seconds(8), now + chrono::Duration::seconds(22));
    let config =
        log_config(dir.path(), &url, "lease = \"3s\"", &[("before-failover", before), ("after-failover", after)]);
    let mut daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(20));
    let line = daemon.wait_for_line("deadline alert", Duration::from_secs(30));
    assert!(line.contains("before-failover"), "{line}");
    // Once the standby has the first alert recorded as sent, the primary dies and the
    // standby is promoted.
    let mut replica = standby.connect(&db);
    wait_until(Duration::from_secs(20), || {
        let sent: i64 = replica
            .query_one("SELECT count(*) FROM outbox WHERE deadline_id = 'before-failover' AND state = 'sent'", &[])
            .expect("replica")
            .get(0);
        (sent == 1).then_some(())
    })
    .expect("the standby replays the primary");
    drop(replica);
    primary.stop();
    standby.promote();
    let promoted = Instant::now();
    wait_until(Duration::from_secs(40), || {
        daemon.lines().iter().any(|l| l.contains("deadline alert") && l.contains("after-failover")).then_some(())
    })
    .unwrap_or_else(|| panic!("no alert after the failover: {:#?}", daemon.lines()));
    println!("the alert after the failover went out {:?} after the promotion", promoted.elapsed());
    let rows = alerts_json(&config);
    assert!(rows.iter().all(|r| r["state"] == "sent"), "the new primary records both: {rows:?}");
    assert_eq!(log_alerts(&daemon.lines()).len(), 2, "each alert once");
    daemon.signal("TERM");
    assert!(daemon.wait_exit(Duration::from_secs(15)).success());
}

#[test]
fn postgresql_lost_mid_run_delays_alerts_and_the_daemon_recovers_without_a_restart() {
    let cluster = Cluster::start_new("outage");
    let url = cluster.database();
    let dir = tempfile::tempdir().expect("tempdir");
    let due = Utc::now() + chrono::Duration::seconds(10);
    let config = write_config(
        dir.path(),
        &format!(
            r#"
[daemon]
state_dir = "{}"
[store]
url = "{url}"
[alerts]
lead_times = ["0s"]
[[deadline]]
id = "after-the-outage"
title = "Due while PostgreSQL is down"
due = "{}"
[[receiver]]
name = "journal"
type = "log"
"#,
            dir.path().join("state").display(),
            rfc3339(due)
        ),
    );
    let mut daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(20));
    // Down from before the alert's time until after it.
    std::thread::sleep(Duration::from_secs(4));
    cluster.stop();
    let down = Instant::now();
    wait_until(Duration::from_secs(20), || (Utc::now() > due + chrono::Duration::seconds(3)).then_some(()));
    assert!(
        !daemon.lines().iter().any(|l| l.contains("deadline alert")),
        "nothing is sent that cannot be recorded as sent"
    );
    assert!(daemon.wait_exit_within(Duration::from_millis(10)).is_none(), "the daemon keeps running");
    cluster.start();
    println!("PostgreSQL was down {:?}", down.elapsed());
    let line = daemon.wait_for_line("deadline alert", Duration::from_secs(45));
    assert!(line.contains("after-the-outage"), "{line}");
    let errors = daemon.lines().iter().filter(|l| l.contains("ERROR")).count();
    println!("{errors} error line(s) for one outage");
    assert!(errors <= 3, "an outage is logged, not once per pass: {:#?}", daemon.lines());
    daemon.signal("TERM");
    assert!(daemon.wait_exit(Duration::from_secs(15)).success());
}

#[test]
fn an_article_ingested_beside_one_daemon_wakes_the_other_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = pg::database();
    let (idle_port, other_port) = (support::smtp::free_port(), support::smtp::free_port());
    let ports = |name: &str| if name == "idle" { idle_port } else { other_port };
    let text = |name: &str| {
        format!(
            r#"
[daemon]
state_dir = "{}"
[store]
url = "{url}"
[http]
listen = "127.0.0.1:{}"
[[receiver]]
name = "journal"
type = "log"
[[topic]]
name = "shipping"
phrases = ["sanctions"]
"#,
            dir.path().join(name).display(),
            ports(name)
        )
    };
    let home = |name: &str| {
        let home = dir.path().join(format!("{name}-config"));
        std::fs::create_dir_all(&home).expect("config dir");
        write_config(&home, &text(name))
    };
    let (idle, other) = (home("idle"), home("other"));
    let daemon = Daemon::start(&idle, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(20));
    std::thread::sleep(Duration::from_secs(1));
    // Ingested through the other daemon's config: nothing pokes the idle daemon's own wake
    // socket, and it has nothing due for the next minute; only the ledger can tell it.
    let article = dir.path().join("article.txt");
    std::fs::write(
        &article,
        "Title: Shipping line listed\nSource: Test Wire\n\nNew sanctions on the Example Shipping line take effect on \
         March 3, 2031, the Treasury said.\n",
    )
    .expect("article");
    let ingested = Instant::now();
    let out = sanctiond().arg("--config").arg(&other).arg("ingest").arg(&article).output().expect("ingest");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = daemon.wait_for_line("notice:", Duration::from_secs(10));
    println!("the idle daemon told of the new deadline {:?} after the ingest: {line}", ingested.elapsed());
    assert!(ingested.elapsed() < Duration::from_secs(10));

    // Membership: the idle daemon is ready while its heartbeat is fresh, and its metrics
    // list the daemons that have stamped the shared ledger.
    let ready = support::web::get(idle_port, "/readyz", &[]);
    assert_eq!(ready.status, 200, "{}", ready.body);
    // (The ledger's side of the metrics is read every 15 s.)
    let up = |body: &str| {
        body.lines().any(|l| l.starts_with("sanctiond_instance_up{") && l.contains("idle") && l.ends_with(" 1"))
    };
    let metrics = wait_until(Duration::from_secs(20), || {
        let body = support::web::get(idle_port, "/metrics", &[]).body;
        up(&body).then_some(body)
    });
    assert!(metrics.is_some(), "{}", support::web::get(idle_port, "/metrics", &[]).body);
}

#[test]
fn one_daemon_polls_each_feed_at_each_of_its_times() {
    use sanctiond::store::db::Connector;
    use sanctiond::store::{Location, Owner, PgTarget, Store};
    let url = pg::database();
    let location = Location::Postgres(Box::new(PgTarget {
        config: url.parse().expect("url"),
        connector: Connector::plain(),
        label: url,
    }));
    let open = |id: &str| {
        let mut store = Store::open_at(&location).expect("ledger");
        store.set_owner(Some(Owner { id: id.to_owned(), lease: chrono::Duration::seconds(30) }));
        store
    };
    let (mut a, mut b) = (open("a"), open("b"));
    let slot = DateTime::parse_from_rfc3339("2026-12-04T10:15:00Z").expect("time").to_utc();
    let now = slot + chrono::Duration::milliseconds(3);
    assert!(a.claim_slot("feed", "wire", slot, now).expect("claim"), "the first daemon polls");
    assert!(!b.claim_slot("feed", "wire", slot, now).expect("claim"), "the second does not");
    assert!(b.claim_slot("feed", "other", slot, now).expect("claim"), "another feed is its own");
    let next = slot + chrono::Duration::minutes(15);
    assert!(b.claim_slot("feed", "wire", next, next).expect("claim"), "the next time is anyone's");
    assert!(!a.claim_slot("feed", "wire", next, next).expect("claim"));
}
