//! 500 feeds on one daemon against a local HTTP server (`tests/support/http_server.py`):
//! every feed is scheduled every minute (15 times the README's "every 15 minutes") for
//! several minutes, each poll a real conditional GET, one new entry per minute for every
//! feed. Prints polls per scheduled minute (missed schedules), how late polls started,
//! and the daemon's memory over the run. `cargo bench --bench feeds [-- MINUTES]`.
//! Quick mode (`cargo test`): 20 feeds, until each has had its first poll (at start).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

mod common;

fn rss(minute: usize) -> String {
    let items: String = (0..=minute)
        .rev()
        .map(|m| {
            format!(
                "<item><guid>entry-{m}</guid><title>Update {m}</title><link>https://example.org/{m}</link>\
                 <description>Officials said new sanctions on shipping line {m} take effect on September {}.</description></item>",
                1 + m % 28
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Bench Wire</title>{items}</channel></rss>")
}

fn routes(minute: usize) -> String {
    serde_json::json!({"/feed/*": {"body": rss(minute), "etag": format!("\"m{minute}\"")}}).to_string()
}

fn main() {
    let quick = common::quick();
    common::announce("feeds", quick);
    let minutes: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(4);
    let feeds: usize = if quick { 20 } else { 500 };
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("routes.json");
    let log = dir.path().join("requests.jsonl");
    std::fs::write(&script, routes(0)).expect("routes");
    let server = common::HttpServer::start(&script, &log);
    let port = server.port;

    let mut config = format!(
        "[daemon]\nstate_dir = \"{}\"\n[[receiver]]\nname = \"journal\"\ntype = \"log\"\n[routing]\ndefault = [\"journal\"]\n",
        dir.path().join("state").display()
    );
    for i in 0..feeds {
        let _ = write!(
            config,
            "[[feed]]\nname = \"feed-{i}\"\nurl = \"http://127.0.0.1:{port}/feed/{i}\"\nschedule = \"* * * * *\"\n"
        );
    }
    let config_path = dir.path().join("sanctiond.toml");
    std::fs::write(&config_path, config).expect("config");
    let mut daemon = common::Daemon::start(&config_path, &[("RUST_LOG", "sanctiond=info")]);
    let pid = daemon.pid();

    let start = Instant::now();
    let mut rss: Vec<f64> = Vec::new();
    let mut minute = 0;
    let mut first_polls = Duration::ZERO;
    if quick {
        // Every feed new to the ledger is polled at once: wait for those first polls.
        let polled = || std::fs::read_to_string(&log).map_or(0, |t| t.lines().count());
        while polled() < feeds && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        first_polls = start.elapsed();
        rss.push(common::rss_kb(pid) as f64 / 1024.0);
    }
    while !quick && start.elapsed() < Duration::from_secs(60 * minutes as u64 + 5) {
        std::thread::sleep(Duration::from_secs(5));
        rss.push(common::rss_kb(pid) as f64 / 1024.0);
        let now_minute = (start.elapsed().as_secs() / 60) as usize;
        if now_minute > minute {
            minute = now_minute;
            let tmp = script.with_extension("tmp");
            std::fs::write(&tmp, routes(minute)).expect("routes");
            std::fs::rename(&tmp, &script).expect("routes");
        }
    }
    daemon.stop();
    drop(server);
    let late = common::poll_lateness(&daemon.lines());

    // Requests per wall-clock minute: each feed must be asked once in every full minute.
    let mut per_minute: BTreeMap<i64, HashSet<String>> = BTreeMap::new();
    let mut conditional = 0;
    let mut total = 0;
    for line in std::fs::read_to_string(&log).unwrap_or_default().lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("log line");
        let minute = (v["time"].as_f64().unwrap_or(0.0) / 60.0) as i64;
        per_minute.entry(minute).or_default().insert(v["path"].as_str().unwrap_or("").to_owned());
        total += 1;
        conditional += usize::from(v["headers"].get("if-none-match").is_some());
    }
    let full: Vec<(&i64, &HashSet<String>)> =
        per_minute.iter().skip(1).take(per_minute.len().saturating_sub(2)).collect();
    let missed: usize = full.iter().map(|(_, polled)| feeds - polled.len().min(feeds)).sum();
    if quick {
        println!(
            "feeds: {feeds} feeds, first polls: {total} requests within {first_polls:.2?} of the start; \
             daemon memory {:.1} MB",
            rss.last().copied().unwrap_or(0.0)
        );
        assert_eq!(total, feeds, "each new feed polled once at start");
        return;
    }
    let mut sorted = late.clone();
    sorted.sort_unstable();
    let pct = |p: f64| sorted.get(((sorted.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0);
    println!(
        "feeds: {feeds} feeds every minute for {minutes} min: {total} requests ({conditional} conditional), \
         {} full minutes checked, {missed} missed schedules",
        full.len()
    );
    println!(
        "poll start after its scheduled time: median {} ms, p99 {} ms, max {} ms ({} polls)",
        pct(0.5),
        pct(0.99),
        sorted.last().copied().unwrap_or(0),
        sorted.len()
    );
    let (first, last) = (rss.first().copied().unwrap_or(0.0), rss.last().copied().unwrap_or(0.0));
    let max = rss.iter().copied().fold(0.0, f64::max);
    println!("daemon memory: {first:.1} MB after 5 s, {last:.1} MB at the end, {max:.1} MB max (VmRSS every 5 s)");
    let per_minute: Vec<String> = rss.iter().step_by(12).map(|m| format!("{m:.1}")).collect();
    println!("daemon memory each minute: {} MB", per_minute.join(", "));
}
