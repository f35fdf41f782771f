//! The daemon at scale: 1,000,000 stored deadlines × 6 lead times (6,000,000 pending
//! alerts in the outbox). Prints start-to-READY time, resident memory, the next-alert
//! lookups, how late an alert fires, idle CPU use and planning throughput.
//! `cargo bench --bench planner`; quick mode (`cargo test`) uses 2,000 deadlines.
//!
//! The full ledger is generated once into `target/bench-ledger/` and reused while it is
//! fresh; the quick one is built in a temporary directory every time.

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use sanctiond::config;
use sanctiond::model::{AlertKey, Deadline, DeadlineStatus, PlannedAlert, Tracking};
use sanctiond::store::{LEDGER_FILE, Store};

mod common;

const LEADS: [(&str, i64); 6] =
    [("7d", 604_800), ("3d", 259_200), ("1d", 86_400), ("6h", 21_600), ("1h", 3_600), ("0s", 0)];
/// Bumped when the generated ledger changes shape, so an old one is rebuilt.
const LEDGER_SHAPE: &str = "outbox-v6";

struct Sizes {
    deadlines: i64,
    lookups: u32,
    idle: Duration,
    planned_deadlines: i64,
}

fn main() {
    let quick = common::quick();
    common::announce("planner", quick);
    let sizes = if quick {
        Sizes { deadlines: 2_000, lookups: 1_000, idle: Duration::from_secs(2), planned_deadlines: 1_000 }
    } else {
        Sizes { deadlines: 1_000_000, lookups: 10_000, idle: Duration::from_secs(10), planned_deadlines: 50_000 }
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir =
        if quick { tmp.path().to_owned() } else { Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-ledger") };
    std::fs::create_dir_all(&dir).expect("bench dir");
    let ledger = dir.join(LEDGER_FILE);
    let config_path = dir.join("sanctiond.toml");
    let fingerprint = write_config(&config_path, &dir, Utc::now()).plan_fingerprint();
    ensure_ledger(&ledger, &fingerprint, sizes.deadlines);

    let store = Store::open(&ledger).expect("open");
    time_lookup("next due (log receiver)", sizes.lookups, || store.next_due("log").map(drop));
    time_lookup("next unsettled", sizes.lookups, || store.next_unsettled().map(drop));
    assert!(store.next_due("log").expect("next due").is_some(), "the generated alerts are pending");
    drop(store);

    // A declared deadline due a few seconds after the start, to time one alert for real.
    let soon = Utc::now() + chrono::Duration::seconds(4);
    write_config(&config_path, &dir, soon);
    daemon_run(&config_path, &dir, soon, sizes.deadlines, sizes.idle);
    planning_throughput(sizes.planned_deadlines);
}

/// Times `lookup`, the query the dispatcher makes before each sleep.
fn time_lookup<E: std::fmt::Debug>(what: &str, rounds: u32, lookup: impl Fn() -> Result<(), E>) {
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(lookup()).expect("lookup");
    }
    let each = start.elapsed() / rounds;
    println!("lookup, {what:<24} {:>9.1} µs  ({:.0} lookups/s)", each.as_secs_f64() * 1e6, 1.0 / each.as_secs_f64());
}

fn write_config(path: &Path, dir: &Path, soon: chrono::DateTime<Utc>) -> config::Config {
    let text = format!(
        "[daemon]\nstate_dir = \"{}\"\n[alerts]\nlead_times = [\"7d\", \"3d\", \"1d\", \"6h\", \"1h\", \"0s\"]\n\
         [[deadline]]\nid = \"bench-soon\"\ntitle = \"Fires during the benchmark\"\ndue = \"{}\"\nlead_times = [\"0s\"]\n",
        dir.display(),
        common::rfc3339(soon)
    );
    std::fs::write(path, &text).expect("config");
    config::parse(path, &text).expect("valid")
}

/// Builds the ledger with plain SQL (a bulk load) in the schema of the current migrations:
/// each deadline with its first revision, and one pending alert per lead time for the
/// implicit `log` receiver, as the planner writes them. Reused while its alerts are ahead.
fn ensure_ledger(ledger: &Path, fingerprint: &str, deadlines: i64) {
    let now_ms = Utc::now().timestamp_millis();
    if let Ok(store) = Store::open(ledger) {
        let built: Option<i64> = store.meta("bench_built_ms").expect("meta").and_then(|v| v.parse().ok());
        let shape = store.meta("bench_shape").expect("meta");
        if built.is_some_and(|b| now_ms - b < 20 * 86_400_000)
            && shape.as_deref() == Some(&format!("{LEDGER_SHAPE}/{deadlines}"))
        {
            store.set_meta("plan_fingerprint", fingerprint).expect("meta");
            println!("ledger:                  reusing {}", ledger.display());
            return;
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", ledger.display()));
    }
    let started = Instant::now();
    let mut store = Store::open(ledger).expect("create");
    // Deadlines one minute apart, starting in 30 days, so every alert is ahead.
    common::bulk_load(&mut store, deadlines, &LEADS, now_ms + 30 * 86_400_000, now_ms, "'[\"bench\"]'");
    store.set_meta("plan_fingerprint", fingerprint).expect("meta");
    store.set_meta("bench_built_ms", &now_ms.to_string()).expect("meta");
    store.set_meta("bench_shape", &format!("{LEDGER_SHAPE}/{deadlines}")).expect("meta");
    drop(store);
    let size = std::fs::metadata(ledger).map_or(0, |m| m.len());
    println!(
        "ledger:                  built {deadlines} deadlines, {} alerts ({} MB) in {:.1?}",
        deadlines * LEADS.len() as i64,
        size / 1_000_000,
        started.elapsed()
    );
}

fn daemon_run(config_path: &Path, dir: &Path, soon: chrono::DateTime<Utc>, deadlines: i64, idle: Duration) {
    let socket_path: PathBuf = dir.join("notify.sock");
    let _ = std::fs::remove_file(&socket_path);
    let socket = UnixDatagram::bind(&socket_path).expect("bind");
    socket.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let started = Instant::now();
    let mut daemon = common::Daemon::start(config_path, &[("NOTIFY_SOCKET", socket_path.to_str().expect("utf-8"))]);
    let mut buf = [0u8; 512];
    loop {
        let n = socket.recv(&mut buf).expect("READY=1 within 60 s");
        if String::from_utf8_lossy(&buf[..n]).contains("READY=1") {
            break;
        }
    }
    println!("start to READY=1:        {:>9.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let pid = daemon.pid();
    println!("resident memory:         {:>9.1} MB (VmRSS after start)", common::rss_kb(pid) as f64 / 1024.0);

    let line = daemon.wait_for_line("deadline alert", Duration::from_secs(60));
    let delay = Utc::now() - soon;
    assert!(line.contains("bench-soon"), "{line}");
    println!(
        "alert fired after:       {:>9.1} ms past its planned time ({deadlines} deadlines tracked)",
        delay.num_microseconds().unwrap_or(0) as f64 / 1e3
    );

    let before = common::cpu_ticks(pid);
    std::thread::sleep(idle);
    let used = common::cpu_ticks(pid) - before;
    println!(
        "idle CPU:                {:>9} ticks of 10 ms in {} s ({:.3}% of one core)",
        used,
        idle.as_secs(),
        used as f64 / idle.as_secs_f64()
    );
    println!("resident memory:         {:>9.1} MB (VmRSS after the idle period)", common::rss_kb(pid) as f64 / 1024.0);
    daemon.stop();
}

/// How fast the planner writes alerts for new deadlines (the path an ingest takes).
fn planning_throughput(count: i64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join(LEDGER_FILE)).expect("open");
    let now = Utc::now();
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
            tracking: Tracking::Tracked,
            official: None,
        })
        .collect();
    let values: Vec<String> = deadlines
        .iter()
        .map(|d| {
            format!(
                "('{}', '{}', {}, 'active', 'article', '[]', NULL, '[]', 1, 0, 0, 'tracked', NULL, '')",
                d.id,
                d.title,
                d.due.timestamp_millis()
            )
        })
        .collect();
    store
        .connection()
        .execute_batch(&format!(
            "INSERT INTO deadlines (id, title, due_ms, status, origin, tags, lead_times, match_phrases, revision, \
             created_ms, updated_ms, tracking, config_due_ms, subject) VALUES {};",
            values.join(",")
        ))
        .expect("deadlines");
    let plans = deadlines.iter().map(|d| {
        let alerts = LEADS
            .iter()
            .map(|(text, secs)| PlannedAlert {
                key: AlertKey { deadline: d.id.clone(), revision: 1, lead_seconds: *secs, receiver: "log".into() },
                recipient: String::new(),
                lead: (*text).into(),
                planned: d.due - chrono::Duration::seconds(*secs),
            })
            .collect();
        (d, alerts)
    });
    let start = Instant::now();
    let counts = store.apply_plans(plans, now).expect("plan");
    let took = start.elapsed();
    assert_eq!(counts.planned, deadlines.len() * LEADS.len(), "one alert per deadline and lead");
    println!(
        "planning:                {:>9.0} alerts/s ({} alerts for {count} deadlines in {took:.2?})",
        counts.planned as f64 / took.as_secs_f64(),
        counts.planned
    );
}
