//! The HTTP face on a big ledger: 100,000 tracked deadlines and 1,000,000 alerts (quick
//! mode: 1,000 and 10,000), served by the real daemon. Prints the latency of the API's
//! first page, the status page and /metrics (median and 95th percentile over sequential
//! requests), and the API's throughput with 4 clients on keep-alive connections.
//!
//! Then the alert timer's lateness (sent − planned, as the ledger records it) for one alert
//! due while the daemon is idle and one due while the API is hammered.
//!
//! Targets (issue 14): API first page < 20 ms, `/` < 50 ms, `/metrics` < 20 ms, ≥ 2,000
//! API requests/s on 2 cores, the timer's lateness unchanged while the page is hammered.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use sanctiond::config;
use sanctiond::store::{LEDGER_FILE, Store};

mod common;

const LEADS: [(&str, i64); 10] = [
    ("30d", 2_592_000),
    ("14d", 1_209_600),
    ("7d", 604_800),
    ("3d", 259_200),
    ("2d", 172_800),
    ("1d", 86_400),
    ("12h", 43_200),
    ("6h", 21_600),
    ("1h", 3_600),
    ("0s", 0),
];

fn main() {
    let quick = common::quick();
    common::announce("http", quick);
    let (deadlines, rounds, seconds) = if quick { (1_000, 20, 1) } else { (100_000, 200, 5) };
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let config_path = dir.path().join("sanctiond.toml");
    let leads: Vec<String> = LEADS.iter().map(|(t, _)| format!("\"{t}\"")).collect();
    let write = |extra: &str| {
        let text = format!(
            "[daemon]\nstate_dir = \"{}\"\n[alerts]\nlead_times = [{}]\n[[receiver]]\nname = \"log\"\ntype = \"log\"\n\
             [http]\nlisten = \"127.0.0.1:{port}\"\n{extra}",
            dir.path().display(),
            leads.join(", ")
        );
        std::fs::write(&config_path, &text).expect("config");
        text
    };
    let text = write("");
    let fingerprint = config::parse(&config_path, &text).expect("valid").plan_fingerprint();
    let started = Instant::now();
    build_ledger(&dir.path().join(LEDGER_FILE), &fingerprint, deadlines);
    println!(
        "ledger: {deadlines} tracked deadlines, {} alerts, built in {:.1?}",
        deadlines * LEADS.len() as i64,
        started.elapsed()
    );

    let daemon = common::Daemon::start(&config_path, &[]);
    daemon.wait_for_line("status page and API listening", Duration::from_secs(120));
    for (what, path, target_ms) in [
        ("API first page", "/api/v1/deadlines", 20.0),
        ("alerts page", "/api/v1/alerts", 20.0),
        ("status page", "/", 50.0),
        ("metrics", "/metrics", 20.0),
    ] {
        let mut times: Vec<f64> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                let body = fetch(port, path);
                assert!(body.len() > 100, "{path}: {body}");
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "GET {path:<20} {what:<15} median {:6.1} ms  p95 {:6.1} ms  (target < {target_ms} ms)",
            times[times.len() / 2],
            times[times.len() * 95 / 100]
        );
    }
    // Two alerts: one due while the daemon idles, one due in the middle of the hammering.
    let t0 = Utc::now();
    let idle_due = t0 + chrono::Duration::seconds(2);
    let busy_due = t0 + chrono::Duration::seconds(4 + seconds as i64 / 2);
    let declared = |id: &str, due: chrono::DateTime<Utc>| {
        format!(
            "[[deadline]]\nid = \"{id}\"\ntitle = \"{id}\"\ndue = \"{}\"\nlead_times = [\"0s\"]\n",
            common::rfc3339(due)
        )
    };
    write(&format!("{}{}", declared("bench-idle", idle_due), declared("bench-busy", busy_due)));
    std::process::Command::new("kill").args(["-HUP", &daemon.pid().to_string()]).status().expect("kill -HUP");
    daemon.wait_for_line("config reloaded", Duration::from_secs(60));
    std::thread::sleep((idle_due + chrono::Duration::seconds(1) - Utc::now()).to_std().unwrap_or_default());
    let served = throughput(port, "/api/v1/deadlines?limit=10", 4, Duration::from_secs(seconds));
    println!(
        "API throughput: {:.0} requests/s with 4 keep-alive clients over {seconds} s (target ≥ 2,000)",
        served as f64 / seconds as f64
    );
    let alerts = common::alerts_json(&config_path);
    let late = |id: &str| {
        let a = alerts.iter().find(|a| a["deadline"] == id).unwrap_or_else(|| panic!("no alert for {id}"));
        let at = |k: &str| {
            chrono::DateTime::parse_from_rfc3339(a[k].as_str().unwrap_or_else(|| panic!("{id} {k}: {a}")))
                .expect("time")
        };
        (at("sent") - at("planned")).num_microseconds().unwrap_or(0) as f64 / 1e3
    };
    println!(
        "alert timer lateness: {:.1} ms idle, {:.1} ms while the API is hammered (sent − planned)",
        late("bench-idle"),
        late("bench-busy")
    );
    assert!(daemon.lines().iter().all(|l| !l.contains("ERROR")), "{}", daemon.lines().join("\n"));
}

fn build_ledger(ledger: &Path, fingerprint: &str, deadlines: i64) {
    let now_ms = Utc::now().timestamp_millis();
    let mut store = Store::open(ledger).expect("create");
    // Deadlines a minute apart from 40 days out, so every alert is ahead; one in ten tagged "oil".
    let tags = "CASE WHEN i % 10 = 0 THEN '[\"oil\"]' ELSE '[\"bench\"]' END";
    common::bulk_load(&mut store, deadlines, &LEADS, now_ms + 40 * 86_400_000, now_ms, tags);
    store.set_meta("plan_fingerprint", fingerprint).expect("meta");
}

/// One GET on a fresh connection; the body.
fn fetch(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes())
        .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    assert!(out.starts_with("HTTP/1.1 200"), "{path}: {}", out.lines().next().unwrap_or(""));
    out
}

/// Requests served in `span` by `clients` threads, each on one keep-alive connection.
fn throughput(port: u16, path: &str, clients: usize, span: Duration) -> usize {
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let path = path.to_owned();
            std::thread::spawn(move || {
                let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut writer = stream;
                let end = Instant::now() + span;
                let mut served = 0;
                while Instant::now() < end {
                    // One write per request: a request in pieces waits on Nagle and delayed ACKs.
                    writer.write_all(request.as_bytes()).expect("write");
                    let mut length = 0usize;
                    loop {
                        let mut line = String::new();
                        reader.read_line(&mut line).expect("read");
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().expect("length");
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).expect("body");
                    served += 1;
                }
                served
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().expect("client")).sum()
}
