//! Measures the time-expression extractor on corpora with gold TIMEX3 annotation.
//!
//! ```sh
//! cargo run --release --example eval -- ../shared/corpus
//! ```
//!
//! For TempEval-3 TimeBank and AQUAINT (`tbaq-*-docs.jsonl`) it prints: span recall and
//! precision (any overlap), exact-span recall, the share of gold full-day dates resolved
//! to the right day (a missed one counts as wrong), TIMEX3 value accuracy over all gold
//! expressions, value F1 (a value is right when its span overlaps a gold one with the same
//! value; precision over what was found, recall over the gold), and throughput.
//!
//! Each corpus is scored twice: the development split, and a held-out quarter of the
//! documents (chosen by a hash of the document name, so it never changes) that rules are
//! not to be written against. `--misses` prints misses and extras of the development split
//! only. For Duckling's phrase lists it prints how many time
//! phrases yield a time and how many negative strings yield none.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use sanctiond::extract::timex;
use serde_json::Value;

#[derive(Default)]
struct Score {
    docs: usize,
    gold: usize,
    predicted: usize,
    gold_found: usize,
    predicted_right_span: usize,
    exact: usize,
    days: usize,
    days_right: usize,
    values_right: usize,
    bytes: usize,
    seconds: f64,
}

/// Which documents a run scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    Dev,
    HeldOut,
}

impl Split {
    /// A quarter of the documents, by an FNV-1a hash of the document name.
    fn of(doc: &str) -> Split {
        let hash = doc.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        if hash % 4 == 0 { Split::HeldOut } else { Split::Dev }
    }
}

fn main() {
    // `eval [CORPUS_DIR] [--misses]`, in either order.
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map_or_else(|| PathBuf::from("../shared/corpus"), PathBuf::from);
    let verbose = std::env::args().any(|a| a == "--misses");
    for name in ["tbaq-timebank-docs.jsonl", "tbaq-aquaint-docs.jsonl"] {
        if !dir.join(name).is_file() {
            eprintln!(
                "eval: {} has no {name}: give the directory that holds the TimeBank and AQUAINT JSONL files \
                 (default ../shared/corpus)",
                dir.display()
            );
            std::process::exit(2);
        }
    }
    for name in ["tbaq-timebank-docs.jsonl", "tbaq-aquaint-docs.jsonl"] {
        for split in [Split::Dev, Split::HeldOut] {
            let s = score_corpus(&dir.join(name), split, verbose && split == Split::Dev);
            let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
            let (p, r) = (pct(s.values_right, s.predicted), pct(s.values_right, s.gold));
            let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
            println!("{name} ({split:?}, {} docs): {} gold, {} found", s.docs, s.gold, s.predicted);
            println!("  span recall (overlap)   {:5.1}%", pct(s.gold_found, s.gold));
            println!("  span precision          {:5.1}%", pct(s.predicted_right_span, s.predicted));
            println!("  exact-span recall       {:5.1}%", pct(s.exact, s.gold));
            println!("  full-day dates right    {:5.1}%  ({} of {})", pct(s.days_right, s.days), s.days_right, s.days);
            println!("  value accuracy (all)    {:5.1}%", pct(s.values_right, s.gold));
            println!("  value F1                {f1:5.1}   (P {p:.1}, R {r:.1})");
            println!("  throughput              {:5.1} MB/s (times only, one core)", s.bytes as f64 / 1e6 / s.seconds);
        }
    }
    duckling(&dir);
}

fn score_corpus(path: &Path, split: Split, verbose: bool) -> Score {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut s = Score::default();
    for line in text.lines() {
        let doc: Value = serde_json::from_str(line).expect("json line");
        if Split::of(doc["doc"].as_str().unwrap_or("")) != split {
            continue;
        }
        s.docs += 1;
        let body = doc["text"].as_str().expect("text");
        let dct = NaiveDate::parse_from_str(&doc["dct_value"].as_str().expect("dct")[..10], "%Y-%m-%d").expect("dct");
        // Gold offsets count characters; the extractor's count bytes.
        let byte_at: Vec<usize> = body.char_indices().map(|(i, _)| i).chain(std::iter::once(body.len())).collect();
        let started = Instant::now();
        let found = timex::find(body, dct);
        s.seconds += started.elapsed().as_secs_f64();
        s.bytes += body.len();
        s.predicted += found.len();
        let gold: Vec<(usize, usize, String, String)> = doc["timexes"]
            .as_array()
            .expect("timexes")
            .iter()
            .map(|t| {
                let start = byte_at[t["start"].as_u64().expect("start") as usize];
                let end = byte_at[t["end"].as_u64().expect("end") as usize];
                (start, end, t["value"].as_str().unwrap_or("").to_owned(), t["expr"].as_str().unwrap_or("").to_owned())
            })
            .collect();
        let overlaps = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
        for p in &found {
            if gold.iter().any(|g| overlaps((g.0, g.1), (p.start, p.end))) {
                s.predicted_right_span += 1;
            } else if verbose {
                let lo = floor(body, p.start.saturating_sub(70));
                let hi = floor(body, (p.end + 40).min(body.len()));
                println!("  EXTRA {:?} {} [{}] | {}", p.text, p.value, dct, body[lo..hi].replace('\n', " "));
            }
        }
        for g in &gold {
            s.gold += 1;
            let hit = found.iter().find(|p| overlaps((g.0, g.1), (p.start, p.end)));
            // A full-day date is YYYY-MM-DD with every digit known ("1998-XX-XX" is not).
            let is_day = g.2.len() == 10
                && g.2.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
            if is_day {
                s.days += 1;
            }
            match hit {
                Some(p) => {
                    s.gold_found += 1;
                    if p.start == g.0 && p.end == g.1 {
                        s.exact += 1;
                    }
                    if p.value == g.2 {
                        s.values_right += 1;
                    } else if verbose {
                        let lo = floor(body, g.0.saturating_sub(90));
                        let hi = floor(body, (g.1 + 50).min(body.len()));
                        println!(
                            "  WRONG VALUE {:?} -> {:?}: {} want {} [{}] | {}",
                            g.3,
                            p.text,
                            p.value,
                            g.2,
                            dct,
                            body[lo..hi].replace('\n', " ")
                        );
                    }
                    if is_day && p.value.get(..10) == Some(g.2.as_str()) {
                        s.days_right += 1;
                    } else if is_day && verbose {
                        println!("  WRONG DAY {:?}: {} want {} [{}]", g.3, p.value, g.2, dct);
                    }
                }
                None if verbose => println!("  MISS {:?} {} [{}]", g.3, g.2, dct),
                None => {}
            }
        }
    }
    s
}

fn duckling(dir: &Path) {
    let dct = NaiveDate::from_ymd_opt(2013, 2, 12).expect("date");
    let count = |name: &str| -> (usize, usize) {
        let Ok(text) = std::fs::read_to_string(dir.join(name)) else { return (0, 0) };
        let mut total = 0;
        let mut with_time = 0;
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).expect("json");
            let phrase = v["text"].as_str().or_else(|| v["phrase"].as_str()).unwrap_or("");
            total += 1;
            if !timex::find(phrase, dct).is_empty() {
                with_time += 1;
            }
        }
        (with_time, total)
    };
    let (t, n) = count("duckling-en-time.jsonl");
    println!("duckling-en-time: {t} of {n} phrases yield a time ({:.1}%)", 100.0 * t as f64 / n.max(1) as f64);
    let (t, n) = count("duckling-en-duration.jsonl");
    println!("duckling-en-duration: {t} of {n} phrases yield a time ({:.1}%)", 100.0 * t as f64 / n.max(1) as f64);
    let (t, n) = count("duckling-en-negative.jsonl");
    println!(
        "duckling-en-negative: {} of {n} strings yield nothing ({:.1}%)",
        n - t,
        100.0 * (n - t) as f64 / n.max(1) as f64
    );
}

/// The largest char boundary of `text` at or below `i`.
fn floor(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
