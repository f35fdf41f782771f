//! Extraction throughput on real news text, one core, the full pipeline (time
//! expressions, sentences, deadlines, talks), then the same on the news passages of
//! `tests/fixtures/news`. `cargo bench --bench extract [-- CORPUS_DIR]`; the corpus is read
//! from `../shared/corpus` by default, never copied into the repo. Each figure is the best
//! of its rounds. Quick mode (`cargo test`): 100 articles and 50 passages, one round, a
//! 100-entry watch list.

use std::time::Instant;

use chrono::DateTime;
use sanctiond::extract::{Actor, NO_ACTORS, Options, Watch, extract};

mod common;

fn main() {
    let quick = common::quick();
    common::announce("extract", quick);
    let Some(mut docs) = common::corpus() else { return };
    let (rounds, watch_size) = if quick { (1, 100) } else { (20, 1_000) };
    if quick {
        docs.truncate(100);
    }
    let bytes: usize = docs.iter().map(|(t, _)| t.len()).sum();
    let options: Vec<Options> = docs
        .iter()
        .map(|(_, d)| Options {
            published: DateTime::<chrono::Utc>::from_naive_utc_and_offset(
                d.and_hms_opt(12, 0, 0).expect("noon"),
                chrono::Utc,
            )
            .fixed_offset(),
            timezone: chrono_tz::Tz::UTC,
            actors: &NO_ACTORS,
        })
        .collect();
    // A 1,000-entry watch list (quick: 100): a few real names among synthetic ones.
    let mut actors: Vec<Actor> = ["Vladimir Putin", "Steve Witkoff", "Sergei Lavrov", "Marco Rubio"]
        .iter()
        .map(|n| Actor { name: (*n).to_owned(), aliases: vec![n.rsplit(' ').next().unwrap_or(n).to_owned()] })
        .collect();
    for i in actors.len()..watch_size {
        actors.push(Actor { name: format!("Person{i} Surname{i}"), aliases: vec![format!("Surname{i}")] });
    }
    let watch = Watch::new(actors);
    // Each stage alone, so a slow one shows: time expressions, sentences, deadlines, talks.
    let prepared: Vec<_> = docs
        .iter()
        .zip(&options)
        .map(|((text, _), o)| {
            let times = sanctiond::extract::timex::find(text, o.published.date_naive());
            let sentences = sanctiond::extract::sentence::split(text);
            (times, sentences)
        })
        .collect();
    let stage = |name: &str, f: &dyn Fn(usize)| {
        let seconds = best_round(rounds, || {
            for i in 0..docs.len() {
                f(i);
            }
        });
        println!("extract stage {name}: {:.1} MB/s", bytes as f64 / 1e6 / seconds);
    };
    stage("time expressions", &|i| {
        std::hint::black_box(sanctiond::extract::timex::find(&docs[i].0, options[i].published.date_naive()));
    });
    stage("sentences", &|i| {
        std::hint::black_box(sanctiond::extract::sentence::split(&docs[i].0));
    });
    stage("deadlines", &|i| {
        let (times, sentences) = &prepared[i];
        std::hint::black_box(sanctiond::extract::deadline::find(
            &docs[i].0,
            sentences,
            times,
            options[i].published,
            chrono_tz::Tz::UTC,
        ));
    });
    stage("talks", &|i| {
        let (times, sentences) = &prepared[i];
        std::hint::black_box(sanctiond::extract::talk::find(
            &docs[i].0,
            sentences,
            times,
            &watch,
            options[i].published.date_naive(),
        ));
    });
    let with_watch = format!("{watch_size}-entry watch list");
    for (label, watch) in [("no watch list", &*NO_ACTORS), (with_watch.as_str(), &watch)] {
        let options: Vec<Options<'_>> = options.iter().map(|o| Options { actors: watch, ..*o }).collect();
        let items: Vec<(&str, Options<'_>)> = docs.iter().zip(&options).map(|((t, _), o)| (t.as_str(), *o)).collect();
        pipeline(label, "TimeBank+AQUAINT articles", &items, rounds);
    }
    // The news passages of `tests/fixtures/news`: what the daemon reads, denser in deadlines
    // and talks than the TimeBank/AQUAINT wire copy.
    let news = news_passages(if quick { 50 } else { usize::MAX });
    let news_options: Vec<Options<'_>> =
        news.iter().map(|(_, published)| Options { published: *published, ..options[0] }).collect();
    let items: Vec<(&str, Options<'_>)> = news.iter().zip(&news_options).map(|((t, _), o)| (t.as_str(), *o)).collect();
    pipeline("news passages", "passages", &items, rounds);
    // Text with no sentence end at all (a flattened table, a list of names): the readers
    // of one sentence compare its words pairwise, so this shows whether the splitter
    // bounds them. Quadratic work shows as a throughput far below the articles'.
    let line = "Foreign Minister Ali Khan met Secretary John Smith in Paris and said talks ".repeat(if quick {
        1_400
    } else {
        14_000
    });
    let start = Instant::now();
    let found = extract(&line, &options[0]);
    println!(
        "extract (one {:.2} MB line with no sentence end): {:.1} MB/s, {} talks",
        line.len() as f64 / 1e6,
        line.len() as f64 / 1e6 / start.elapsed().as_secs_f64(),
        found.talks.len()
    );
}

/// The whole pipeline over `items`: one warm-up pass (which compiles the grammar and counts
/// what it finds), then the best of `rounds`, printed as one line.
fn pipeline(label: &str, what: &str, items: &[(&str, Options<'_>)], rounds: usize) {
    let bytes: usize = items.iter().map(|(t, _)| t.len()).sum();
    let (mut found, mut deadlines, mut talks) = (0, 0, 0);
    for (text, o) in items {
        let e = extract(text, o);
        found += e.times.len();
        deadlines += e.deadlines.len();
        talks += e.talks.len();
    }
    let seconds = best_round(rounds, || {
        for (text, o) in items {
            std::hint::black_box(extract(text, o));
        }
    });
    println!(
        "extract ({label}): {:.1} MB/s on {} {what} ({:.2} MB, {found} time expressions, {deadlines} deadlines, {talks} talks), best of {rounds} rounds, one core",
        bytes as f64 / 1e6 / seconds,
        items.len(),
        bytes as f64 / 1e6,
    );
}

/// The shortest of `rounds` runs of `f`, in seconds: a shared machine's pauses slow some
/// rounds, never speed one up.
fn best_round(rounds: usize, mut f: impl FnMut()) -> f64 {
    (0..rounds.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// The text and publication time of the first `n` news passages (`tests/fixtures/news`).
fn news_passages(n: usize) -> Vec<(String, DateTime<chrono::FixedOffset>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/news");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/news")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .take(n)
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).expect("passage")).expect("json");
            let published =
                DateTime::parse_from_rfc3339(v["published"].as_str().expect("published")).expect("published time");
            (v["text"].as_str().expect("text").to_owned(), published)
        })
        .collect()
}
