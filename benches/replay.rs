//! `sanctiond replay` end to end, the real binary: 10,000 article files published over 90
//! simulated days (TimeBank and AQUAINT bodies, read from `../shared/corpus`, never copied
//! here; a quarter with talks and a sanctions deadline that later articles move), a log
//! and a webhook receiver, a weekly digest. Target: under 10 s on 2 cores.
//! `cargo bench --bench replay [-- CORPUS_DIR]`; quick mode (`cargo test`): 300 articles
//! over 9 days.

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone as _, Utc};

mod common;

const CONFIG: &str = r#"
[daemon]
state_dir = "STATE"
timezone = "America/New_York"
[alerts]
lead_times = ["7d", "3d", "1d", "6h", "1h", "0s"]
[[receiver]]
name = "journal"
type = "log"
[[receiver]]
name = "hooks"
type = "webhook"
url = "http://127.0.0.1:9/never-called"
[routing]
default = ["journal", "hooks"]
[[digest]]
name = "monday"
schedule = "0 8 * * Mon"
receivers = ["journal"]
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

fn main() {
    let quick = common::quick();
    common::announce("replay", quick);
    let (count, days) = if quick { (300, 9) } else { (10_000, 90) };
    let Some(docs) = common::corpus() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).expect("mkdir");
    let config = dir.path().join("sanctiond.toml");
    std::fs::write(&config, CONFIG.replace("STATE", &dir.path().join("state").display().to_string())).expect("config");

    let start = Utc
        .from_utc_datetime(&NaiveDate::from_ymd_opt(2025, 6, 2).expect("day").and_hms_opt(0, 0, 0).expect("midnight"));
    let span = Duration::days(days);
    let mut bytes = 0;
    for i in 0..count {
        let (body, _) = &docs[i % docs.len()];
        let published = start + span * i32::try_from(i).expect("count") / i32::try_from(count).expect("count");
        let mut text =
            format!("Title: Article {i}\nSource: Wire {}\nPublished: {}\n\n{body}\n", i % 40, published.to_rfc3339());
        if i % 4 == 0 {
            // 200 deadlines, each reported by about a dozen articles, the later ones a week
            // further out (a move).
            let story = i / 4 % 200;
            let first = start + Duration::days(10 + (story as i64 * days / 200));
            let due = if published > first - Duration::days(5) { first + Duration::days(7) } else { first };
            text.push_str(&format!(
                "\nUS envoy Steve Witkoff met Russian President Vladimir Putin in Moscow on Wednesday, calling the talks \
                 \"constructive\". Secondary tariffs on buyers of Russian oil in round {story} take effect on {}.\n",
                due.format("%B %-d, %Y")
            ));
        }
        bytes += text.len();
        std::fs::write(articles.join(format!("{i:05}.txt")), text).expect("write article");
    }

    let to = start + span;
    let timer = Instant::now();
    let out = common::sanctiond()
        .arg("--config")
        .arg(&config)
        .args(["replay", "--format", "json", "--from"])
        .arg(start.to_rfc3339())
        .arg("--to")
        .arg(to.to_rfc3339())
        .arg(&articles)
        .output()
        .expect("run sanctiond replay");
    let elapsed = timer.elapsed().as_secs_f64();
    assert!(out.status.success(), "replay failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let messages = report["messages"].as_array().expect("messages");
    let count_of = |kind: &str| messages.iter().filter(|m| m["kind"] == kind).count();
    assert_eq!(report["articles"], count, "every article replayed");
    assert!(count_of("alert") > 0, "the replay sent alerts");
    println!(
        "replay: {count} articles ({:.1} MB) over {days} simulated days in {elapsed:.2} s ({:.0} articles/s, target < 10 s \
         for 10,000): {} alerts, {} notices, {} digests would have been sent",
        bytes as f64 / 1e6,
        count as f64 / elapsed,
        count_of("alert"),
        count_of("notice"),
        count_of("digest"),
    );
}
