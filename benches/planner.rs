//! The daemon at scale: 1,000,000 stored deadlines × 6 lead times (6,000,000 planned
//! alerts). Prints start-to-READY time, resident memory, the next-alert lookup, how late
//! an alert fires, idle CPU use and planning throughput. `cargo bench --bench planner`.
//!
//! The ledger is generated once into `target/bench-ledger/` and reused while it is fresh.

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use sanctiond::config;
use sanctiond::model::{AlertKey, Deadline, DeadlineStatus, PlannedAlert};
use sanctiond::store::Store;

const DEADLINES: i64 = 1_000_000;
const LEADS: [(&str, i64); 6] =
    [("7d", 604_800), ("3d", 259_200), ("1d", 86_400), ("6h", 21_600), ("1h", 3_600), ("0s", 0)];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-ledger");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let ledger = dir.join("ledger.sqlite3");
    let config_path = dir.join("sanctiond.toml");
    let fingerprint = write_config(&config_path, &dir, Utc::now()).plan_fingerprint();
    ensure_ledger(&ledger, &fingerprint);

    let store = Store::open(&ledger).expect("open");
    let rounds = 10_000;
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(store.next_planned().expect("next"));
    }
    let lookup = start.elapsed() / rounds;
    println!(
        "next-alert lookup:      {:>9.1} µs  ({:.0} lookups/s)",
        lookup.as_secs_f64() * 1e6,
        1.0 / lookup.as_secs_f64()
    );
    drop(store);

    // A declared deadline due a few seconds after the start, to time one alert for real.
    let soon = Utc::now() + chrono::Duration::seconds(4);
    write_config(&config_path, &dir, soon);
    daemon_run(&config_path, &dir, soon);
    planning_throughput();
}

fn write_config(path: &Path, dir: &Path, soon: chrono::DateTime<Utc>) -> config::Config {
    let text = format!(
        "[daemon]\nstate_dir = \"{}\"\n[alerts]\nlead_times = [\"7d\", \"3d\", \"1d\", \"6h\", \"1h\", \"0s\"]\n\
         [[deadline]]\nid = \"bench-soon\"\ntitle = \"Fires during the benchmark\"\ndue = \"{}\"\nlead_times = [\"0s\"]\n",
        dir.display(),
        soon.to_rfc3339_opts(SecondsFormat::Millis, true)
    );
    std::fs::write(path, &text).expect("config");
    config::parse(path, &text).expect("valid")
}

/// Builds the ledger with plain SQL (a bulk load); reused while its alerts are in the future.
fn ensure_ledger(ledger: &Path, fingerprint: &str) {
    let now_ms = Utc::now().timestamp_millis();
    if let Ok(store) = Store::open(ledger) {
        let built: Option<i64> = store.meta("bench_built_ms").expect("meta").and_then(|v| v.parse().ok());
        if built.is_some_and(|b| now_ms - b < 20 * 86_400_000) {
            store.set_meta("plan_fingerprint", fingerprint).expect("meta");
            println!("ledger:                 reusing {}", ledger.display());
            return;
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", ledger.display()));
    }
    let started = Instant::now();
    let mut store = Store::open(ledger).expect("create");
    // Deadlines one minute apart, starting in 30 days, so every alert is in the future.
    let base = now_ms + 30 * 86_400_000;
    let leads: Vec<String> = LEADS.iter().map(|(t, s)| format!("('{t}', {s})")).collect();
    let sql = format!(
        "BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last})
         INSERT INTO deadlines (id, title, due_ms, status, origin, tags, lead_times, match_phrases, revision, created_ms, updated_ms)
         SELECT 'd' || i, 'Deadline number ' || i, {base} + i * 60000, 'active', 'article', '[\"bench\"]', NULL, '[]', 1, {now_ms}, {now_ms} FROM n;
         INSERT INTO outbox (deadline_id, revision, lead_seconds, receiver, lead, planned_ms, state)
         SELECT d.id, 1, l.column2, 'log', l.column1, d.due_ms - l.column2 * 1000, 'pending'
         FROM deadlines d, (VALUES {leads}) l;
         COMMIT;",
        last = DEADLINES - 1,
        leads = leads.join(", ")
    );
    store.connection().execute_batch(&sql).expect("bulk load");
    store.set_meta("plan_fingerprint", fingerprint).expect("meta");
    store.set_meta("bench_built_ms", &now_ms.to_string()).expect("meta");
    println!(
        "ledger:                 built {} deadlines, {} alerts in {:.1?}",
        DEADLINES,
        DEADLINES * 6,
        started.elapsed()
    );
}

fn daemon_run(config_path: &Path, dir: &Path, soon: chrono::DateTime<Utc>) {
    let socket_path: PathBuf = dir.join("notify.sock");
    let _ = std::fs::remove_file(&socket_path);
    let socket = UnixDatagram::bind(&socket_path).expect("bind");
    socket.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sanctiond"))
        .arg("--config")
        .arg(config_path)
        .arg("run")
        .env("NOTIFY_SOCKET", &socket_path)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut buf = [0u8; 512];
    loop {
        let n = socket.recv(&mut buf).expect("READY=1");
        if String::from_utf8_lossy(&buf[..n]).contains("READY=1") {
            break;
        }
    }
    println!("start to READY=1:       {:>9.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let pid = child.id();
    // Never hang the benchmark: stop the daemon if the alert has not fired within a minute.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
    });
    println!("resident memory:        {:>9.1} MB (VmRSS after start)", rss_kb(pid) as f64 / 1024.0);

    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let line =
        lines.by_ref().map_while(Result::ok).find(|l| l.contains("deadline alert")).expect("the bench deadline fires");
    let delay = Utc::now() - soon;
    println!(
        "alert fired after:      {:>9.1} ms past its planned time (1M deadlines tracked)",
        delay.num_microseconds().unwrap_or(0) as f64 / 1e3
    );
    assert!(line.contains("bench-soon"), "{line}");
    std::thread::spawn(move || lines.for_each(drop));

    let before = cpu_ticks(pid);
    let idle = Duration::from_secs(10);
    std::thread::sleep(idle);
    let used = cpu_ticks(pid) - before;
    println!(
        "idle CPU:               {:>9} ticks of 10 ms in {} s ({:.3}% of one core)",
        used,
        idle.as_secs(),
        used as f64 / idle.as_secs_f64()
    );
    println!("resident memory:        {:>9.1} MB (VmRSS after the idle period)", rss_kb(pid) as f64 / 1024.0);
    let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    let _ = child.wait();
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// utime + stime of a process, in clock ticks (10 ms on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    num(11) + num(12)
}

/// How fast the planner writes alerts for new deadlines (the path an ingest takes).
fn planning_throughput() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("ledger.sqlite3")).expect("open");
    let now = Utc::now();
    let count = 50_000;
    let deadlines: Vec<Deadline> = (0..count)
        .map(|i| Deadline {
            id: format!("p{i}"),
            title: format!("Planned {i}"),
            due: now + chrono::Duration::days(30) + chrono::Duration::minutes(i),
            status: DeadlineStatus::Active,
            tags: Vec::new(),
            lead_times: None,
            revision: 1,
            sources: Vec::new(),
            tracking: sanctiond::model::Tracking::Tracked,
        })
        .collect();
    let values: Vec<String> = deadlines
        .iter()
        .map(|d| {
            format!(
                "('{}', '{}', {}, 'active', 'article', '[]', NULL, '[]', 1, 0, 0)",
                d.id,
                d.title,
                d.due.timestamp_millis()
            )
        })
        .collect();
    store
        .connection()
        .execute_batch(&format!("INSERT INTO deadlines VALUES {};", values.join(",")))
        .expect("deadlines");
    let plans = deadlines.iter().map(|d| {
        let alerts = LEADS
            .iter()
            .map(|(text, secs)| PlannedAlert {
                key: AlertKey { deadline: d.id.clone(), revision: 1, lead_seconds: *secs, receiver: "log".into() },
                lead: (*text).into(),
                planned: d.due - chrono::Duration::seconds(*secs),
            })
            .collect();
        (d, alerts)
    });
    let start = Instant::now();
    let counts = store.apply_plans(plans, now).expect("plan");
    let took = start.elapsed();
    println!(
        "planning:               {:>9.0} alerts/s ({} alerts for {count} deadlines in {took:.2?})",
        counts.planned as f64 / took.as_secs_f64(),
        counts.planned
    );
}
