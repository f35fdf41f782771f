//! Official feeds on one daemon against a local HTTP server (`tests/support/http_server.py`):
//! 25 feeds of each official kind (Federal Register JSON, OFAC's HTML listing with action
//! pages and a licence PDF, EUR-Lex RSS, gov.uk Atom), each polled every 5 minutes as
//! screening services refresh, each poll a real conditional GET. Every 5 minutes one source
//! of each kind publishes a new document; the rest answer 304. Prints the polls each feed
//! got in each full 5-minute slot (missed polls), how many were conditional and answered
//! 304, how late polls started, and the daemon's memory.
//! `cargo bench --bench official [-- MINUTES]` (default 60); quick mode (`cargo test`):
//! the first poll of every feed at start.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

const PER_KIND: usize = 25;
const SLOT_SECS: f64 = 300.0;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/official").join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

/// What the sources say in slot `slot`: one more document of each kind than in the last.
fn routes(slot: usize, port: u16) -> String {
    let fr_doc = |n: usize| {
        serde_json::json!({
            "title": format!("Russian Harmful Foreign Activities Sanctions Regulations: amendment {n}"),
            "type": "Rule", "abstract": "OFAC is amending the regulations to add a general license.",
            "document_number": format!("2025-{:05}", 20_000 + n),
            "html_url": format!("https://www.federalregister.gov/documents/2025/07/15/2025-{:05}/x", 20_000 + n),
            "publication_date": "2025-07-15", "effective_on": format!("2025-08-{:02}", 1 + n % 28),
            "dates": "This rule is effective on the date shown.", "comments_close_on": null,
            "agencies": [{"name": "Foreign Assets Control Office", "raw_name": "OFFICE OF FOREIGN ASSETS CONTROL"}]
        })
    };
    let fr: Vec<serde_json::Value> = (0..=slot).rev().map(fr_doc).collect();
    let fr = serde_json::json!({"count": fr.len(), "total_pages": 1, "results": fr}).to_string();
    let listing: String = (0..=slot)
        .rev()
        .map(|n| format!("<div class=\"views-row\"><a href=\"/recent-actions/2025{:02}{:02}_{n}\">Russia-related Designations; Issuance of General License {}</a></div>\n", 7 + n / 28, 1 + n % 28, 100 + n))
        .collect();
    let listing = format!("<!DOCTYPE html><html><body><main>{listing}</main></body></html>");
    let eu_items: String = (0..=slot)
        .rev()
        .map(|n| format!("<item><title>CELEX:32025D{:04}: Council Decision (CFSP) 2025/{:04} of 18 July 2025 concerning restrictive measures</title><link>http://127.0.0.1:{port}/legal-content/AUTO/?uri=CELEX:32025D{:04}</link><guid>cellar-{n}</guid><pubDate>Fri, 18 Jul 2025 00:00:00 +0200</pubDate><description/></item>", 1600 + n, 1600 + n, 1600 + n))
        .collect();
    let eu = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>5 - Acts of the Official Journal L</title>{eu_items}</channel></rss>"
    );
    let ofsi_entries: String = (0..=slot)
        .rev()
        .map(|n| format!("<entry><id>tag:www.gov.uk,2005:/government/publications/general-licence-{n}</id><updated>2025-07-18T14:05:31+01:00</updated><link rel=\"alternate\" type=\"text/html\" href=\"https://www.gov.uk/government/publications/general-licence-{n}\"/><title>General Licence INT/2025/{:07}</title><summary type=\"html\">The licence under the Russia regime expires on 31 October 2025.</summary></entry>", 6_000_000 + n))
        .collect();
    let ofsi = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><id>tag:www.gov.uk,2005:/search/all</id><title>OFSI</title><updated>2025-07-18T14:05:31+01:00</updated>{ofsi_entries}</feed>"
    );
    let html = serde_json::json!({"Content-Type": "text/html; charset=utf-8"});
    serde_json::json!({
        "/fr/*": {"headers": {"Content-Type": "application/json"}, "body": fr, "etag": format!("\"fr-{slot}\"")},
        "/ofac/*": {"headers": html, "body": listing, "etag": format!("\"ofac-{slot}\"")},
        "/recent-actions/*": {"headers": html, "body": read("ofac_recent_action_page.html")},
        "/legal-content/*": {"headers": html, "body": read("eu_decision_page.html")},
        "/media/*": {"headers": {"Content-Type": "application/pdf"}, "body_file": fixture("general_license_124a.pdf").display().to_string()},
        "/eu/*": {"headers": {"Content-Type": "application/rss+xml"}, "body": eu, "etag": format!("\"eu-{slot}\"")},
        "/ofsi/*": {"headers": {"Content-Type": "application/atom+xml"}, "body": ofsi, "last_modified": format!("Fri, 18 Jul 2025 13:{:02}:00 GMT", slot % 60)},
    })
    .to_string()
}

fn main() {
    let quick = common::quick();
    common::announce("official", quick);
    pdf_speed(if quick { 5 } else { 200 });
    let minutes: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(60);
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("routes.json");
    let log = dir.path().join("requests.jsonl");
    std::fs::write(&script, "{}").expect("routes");
    let server = common::HttpServer::start(&script, &log);
    let port = server.port;
    std::fs::write(&script, routes(0, port)).expect("routes");

    let mut config = format!(
        "[daemon]\nstate_dir = \"{}\"\ntimezone = \"America/New_York\"\n[[receiver]]\nname = \"journal\"\ntype = \"log\"\n\
         [routing]\ndefault = [\"journal\"]\n[[topic]]\nname = \"russia\"\nphrases = [\"Russia\", \"Russian\"]\ntags = [\"russia\"]\n",
        dir.path().join("state").display()
    );
    let kinds = [("federal_register", "fr"), ("ofac", "ofac"), ("eu_oj", "eu"), ("ofsi", "ofsi")];
    for (kind, path) in kinds {
        for i in 0..PER_KIND {
            let _ = write!(
                config,
                "[[feed]]\nname = \"{path}-{i}\"\nkind = \"{kind}\"\nurl = \"http://127.0.0.1:{port}/{path}/{i}\"\nschedule = \"*/5 * * * *\"\nfetch_article = {}\n",
                kind == "eu_oj"
            );
        }
    }
    let feeds = kinds.len() * PER_KIND;
    let config_path = dir.path().join("sanctiond.toml");
    std::fs::write(&config_path, config).expect("config");
    let mut daemon = common::Daemon::start(&config_path, &[("RUST_LOG", "sanctiond=info")]);
    let pid = daemon.pid();

    let is_feed = |path: &str| ["/fr/", "/ofac/", "/eu/", "/ofsi/"].iter().any(|p| path.starts_with(p));
    let feed_paths = || -> HashSet<String> {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["path"].as_str().and_then(|p| p.split('?').next()).map(str::to_owned))
            .filter(|p| is_feed(p))
            .collect()
    };
    let start = Instant::now();
    let mut rss: Vec<f64> = Vec::new();
    if quick {
        while feed_paths().len() < feeds && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(50));
        }
        // Let the first polls ingest what they fetched (pages, PDFs).
        std::thread::sleep(Duration::from_secs(2));
        rss.push(common::rss_kb(pid) as f64 / 1024.0);
    }
    let mut slot = 0;
    while !quick && start.elapsed() < Duration::from_secs(60 * minutes + 5) {
        std::thread::sleep(Duration::from_secs(5));
        rss.push(common::rss_kb(pid) as f64 / 1024.0);
        // A new document a minute into each slot, so polls at the slot's start find it next time.
        let now_slot = ((start.elapsed().as_secs() + 240) / 300) as usize;
        if now_slot > slot {
            slot = now_slot;
            let tmp = script.with_extension("tmp");
            std::fs::write(&tmp, routes(slot, port)).expect("routes");
            std::fs::rename(&tmp, &script).expect("routes");
        }
    }
    daemon.stop();
    drop(server);
    let late = common::poll_lateness(&daemon.lines());

    let mut per_slot: BTreeMap<i64, HashSet<String>> = BTreeMap::new();
    let (mut total, mut conditional, mut pages) = (0, 0, 0);
    for line in std::fs::read_to_string(&log).unwrap_or_default().lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("log line");
        let path = v["path"].as_str().unwrap_or("").split('?').next().unwrap_or("").to_owned();
        if !is_feed(&path) {
            pages += 1;
            continue;
        }
        total += 1;
        let headers = &v["headers"];
        conditional +=
            usize::from(headers.get("if-none-match").is_some() || headers.get("if-modified-since").is_some());
        let slot = (v["time"].as_f64().unwrap_or(0.0) / SLOT_SECS) as i64;
        per_slot.entry(slot).or_default().insert(path);
    }
    let official = official_deadlines(&config_path);
    if quick {
        println!(
            "official: {feeds} official feeds ({PER_KIND} of each kind), first polls: {total} feed requests and {pages} \
             page and PDF requests within {:.2?}; {official} official deadlines; daemon memory {:.1} MB",
            start.elapsed(),
            rss.last().copied().unwrap_or(0.0)
        );
        assert_eq!(feed_paths().len(), feeds, "each new feed polled at start");
        assert!(official >= 4, "each kind gave an official deadline");
        return;
    }
    // The first and last slots are partial: only the full ones in between count.
    let full: Vec<&HashSet<String>> = per_slot.values().skip(1).take(per_slot.len().saturating_sub(2)).collect();
    let missed: usize = full.iter().map(|polled| feeds - polled.len().min(feeds)).sum();
    let mut sorted = late.clone();
    sorted.sort_unstable();
    let pct = |p: f64| sorted.get(((sorted.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0);
    println!(
        "official: {feeds} official feeds every 5 minutes for {minutes} min: {total} feed requests ({conditional} \
         conditional), {pages} page and PDF requests; {} full 5-minute slots checked, {missed} missed polls; \
         {official} official deadlines",
        full.len()
    );
    println!(
        "poll start after its scheduled time: median {} ms, p99 {} ms, max {} ms ({} polls)",
        pct(0.5),
        pct(0.99),
        sorted.last().copied().unwrap_or(0),
        sorted.len()
    );
    let max = rss.iter().copied().fold(0.0, f64::max);
    println!(
        "daemon memory: {:.1} MB after 5 s, {:.1} MB at the end, {max:.1} MB max",
        rss.first().copied().unwrap_or(0.0),
        rss.last().copied().unwrap_or(0.0)
    );
}

/// The licence PDF (printed by Chromium from a licence written for the project): how long
/// reading its text takes, and that the expiry sentence comes out whole.
fn pdf_speed(times: usize) {
    use sanctiond::ingest::decode::{Kind, decode};
    let bytes = std::fs::read(fixture("general_license_124a.pdf")).expect("pdf");
    let start = Instant::now();
    let mut text = String::new();
    for _ in 0..times {
        text = decode("gl.pdf", Kind::Pdf, bytes.clone(), 5 << 20, None).expect("read the PDF");
    }
    let each = start.elapsed().as_secs_f64() * 1000.0 / times as f64;
    assert!(text.contains("are authorized through 12:01 a.m. eastern daylight time, September 12, 2025."), "{text}");
    println!("official: licence PDF ({} KB) to text in {each:.1} ms ({times} times)", bytes.len() / 1024);
}

/// How many deadlines in the ledger are official, read with `sanctiond deadlines --all`.
fn official_deadlines(config: &Path) -> usize {
    let out = common::sanctiond()
        .arg("--config")
        .arg(config)
        .args(["deadlines", "--all", "--format", "json"])
        .output()
        .expect("sanctiond deadlines");
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
    list.iter().filter(|d| !d["official"].is_null()).count()
}
