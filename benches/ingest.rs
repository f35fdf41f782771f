//! Ingest throughput into a real ledger: 10,000 articles, each extracted and merged in its
//! own transaction (the path of `sanctiond ingest`). Bodies are TimeBank and AQUAINT news
//! (read from `../shared/corpus`, never copied here), a quarter of them with a sentence
//! about talks and a sanctions deadline so that deadlines, sources and talks merge.
//! `cargo bench --bench ingest [-- CORPUS_DIR]`; quick mode (`cargo test`): 200 articles.

use std::path::Path;
use std::time::Instant;

use chrono::{Duration, Utc};
use sanctiond::config;
use sanctiond::ingest::{Ingester, ingest_text};
use sanctiond::store::Store;

const CONFIG: &str = r#"
[daemon]
timezone = "America/New_York"
[[receiver]]
name = "journal"
type = "log"
[routing]
default = ["journal"]
[[actor]]
name = "Steve Witkoff"
aliases = ["Witkoff"]
[[actor]]
name = "Vladimir Putin"
aliases = ["Putin"]
[[topic]]
name = "russia"
phrases = ["Russian oil", "secondary tariffs"]
tags = ["russia"]
"#;

mod common;

fn main() {
    let quick = common::quick();
    common::announce("ingest", quick);
    let articles_count: usize = if quick { 200 } else { 10_000 };
    let Some(docs) = common::corpus() else { return };
    let config = config::parse(Path::new("bench.toml"), CONFIG).expect("config");
    let ingester = Ingester::new(&config);
    let articles: Vec<String> = (0..articles_count)
        .map(|i| {
            let (body, dct) = &docs[i % docs.len()];
            let mut text = format!(
                "Title: Article {i}\nSource: Wire {}\nPublished: {}T12:00:00Z\n\n{body}\n",
                i % 50,
                dct.format("%Y-%m-%d")
            );
            if i % 4 == 0 {
                // 500 distinct deadlines, each reported by several articles.
                let due = *dct + Duration::days(10 + (i / 4 % 500) as i64 % 60);
                text.push_str(&format!(
                    "\nUS envoy Steve Witkoff met Russian President Vladimir Putin in Moscow on Wednesday, calling the talks \"constructive\". \
                     Sanctions on Russian oil take effect on {}.\n",
                    due.format("%B %-d, %Y")
                ));
            }
            text
        })
        .collect();
    let bytes: usize = articles.iter().map(String::len).sum();

    let tmp = tempfile::tempdir().expect("tempdir");
    let ledger = tmp.path().join("ledger.sqlite3");
    let mut store = Store::open(&ledger).expect("ledger");
    let now = Utc::now();
    let start = Instant::now();
    let (mut added, mut merged, mut talks) = (0, 0, 0);
    for (i, text) in articles.iter().enumerate() {
        let report = ingest_text(&mut store, &ingester, &config, &format!("bench/{i}.txt"), text, now).expect("ingest");
        added += report.added.len();
        merged += report.merged.len();
        talks += report.talks_added.len();
    }
    let elapsed = start.elapsed().as_secs_f64();
    // Again: every article is a duplicate now, found by its hash.
    let again = Instant::now();
    for (i, text) in articles.iter().enumerate() {
        let report = ingest_text(&mut store, &ingester, &config, &format!("bench/{i}.txt"), text, now).expect("ingest");
        assert!(report.duplicate);
    }
    let again = again.elapsed().as_secs_f64();
    let size = std::fs::metadata(&ledger).map_or(0, |m| m.len()) / 1_000_000;
    println!(
        "ingest: {:.0} articles/s ({:.1} MB/s) for {articles_count} articles ({:.1} MB), one transaction each, one core; \
         {added} deadlines added, {merged} merges, {talks} talks; ledger {size} MB; peak RSS {} MB",
        articles_count as f64 / elapsed,
        bytes as f64 / elapsed / 1e6,
        bytes as f64 / 1e6,
        peak_rss_mb(),
    );
    println!("ingest again (all duplicates): {:.0} articles/s", articles_count as f64 / again);
}

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}
