//! The real-news scorer (issue 10's matching rules), shared by `examples/news_eval` and
//! `tests/news.rs`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use sanctiond::extract::{self, NO_ACTORS, Options};
use sanctiond::model::content_words;
use serde_json::Value;

#[derive(Debug, Default)]
pub struct Tally {
    pub gold: usize,
    pub system: usize,
    pub found: usize,
}

impl Tally {
    pub fn f1(&self) -> f64 {
        let p = self.found as f64 / self.system.max(1) as f64;
        let r = self.found as f64 / self.gold.max(1) as f64;
        if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
    }

    pub fn line(&self, name: &str) -> String {
        let p = self.found as f64 / self.system.max(1) as f64;
        let r = self.found as f64 / self.gold.max(1) as f64;
        let f1 = self.f1();
        format!(
            "{name:<10} gold {:>3}  system {:>3}  found {:>3}  precision {:5.1}%  recall {:5.1}%  F1 {:.2}",
            self.gold,
            self.system,
            self.found,
            100.0 * p,
            100.0 * r,
            f1
        )
    }
}

/// A gold due: the day, and the exact instant when the gold gives a clock time.
fn gold_due(text: &str) -> Option<(NaiveDate, Option<DateTime<FixedOffset>>)> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some((day, None));
    }
    let t = DateTime::parse_from_str(&format!("{text}:00"), "%Y-%m-%dT%H:%M%:z:%S")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()?;
    Some((t.date_naive(), Some(t)))
}

/// The last word of a name, lower case: what two mentions of one party share.
fn last_word(name: &str) -> String {
    name.split_whitespace()
        .next_back()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches("'s")
        .to_lowercase()
}

/// A quarter of the passages, by an FNV-1a hash of the file name (so it never changes):
/// scored, never read while writing rules.
pub fn held_out(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    hash % 4 == 0
}

pub fn score(
    path: &Path,
    doc: &Value,
    misses: bool,
    deadlines: &mut Tally,
    talks: &mut Tally,
    title_share: &mut f64,
    titles: &mut usize,
) {
    let text = doc["text"].as_str().expect("text");
    let published = DateTime::parse_from_rfc3339(doc["published"].as_str().expect("published")).expect("rfc3339");
    let options = Options { published, timezone: Tz::UTC, actors: &NO_ACTORS };
    let found = extract::extract(text, &options);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();

    // Deadlines.
    let gold: Vec<&Value> = doc["deadlines"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    deadlines.gold += gold.len();
    deadlines.system += found.deadlines.len();
    let mut used = vec![false; found.deadlines.len()];
    for g in &gold {
        let due = g["due"].as_str().and_then(gold_due);
        let evidence = g["evidence"].as_str().unwrap_or("");
        let span = text.find(evidence).map(|s| (s, s + evidence.len()));
        let hit = found.deadlines.iter().enumerate().position(|(i, d)| {
            !used[i]
                && match (&due, &d.due) {
                    (Some((_, Some(at))), Some(sys)) => (*sys - *at).num_minutes().abs() <= 60,
                    (Some((day, None)), Some(sys)) => sys.date_naive() == *day,
                    (None, _) => span.is_some_and(|(s, e)| d.start < e && s < d.end),
                    _ => false,
                }
        });
        match hit {
            Some(i) => {
                used[i] = true;
                deadlines.found += 1;
                let what = content_words(g["what"].as_str().unwrap_or(""));
                let title = content_words(&found.deadlines[i].title);
                if misses && std::env::var_os("TITLES").is_some() {
                    println!(
                        "{name}: TITLE {:?}\n    gold {:?}\n    in: {}",
                        found.deadlines[i].title,
                        g["what"].as_str().unwrap_or(""),
                        found.deadlines[i].evidence
                    );
                }
                if !what.is_empty() {
                    *title_share += what.iter().filter(|w| title.contains(w)).count() as f64 / what.len() as f64;
                    *titles += 1;
                }
            }
            None if misses => {
                println!("{name}: MISSED deadline {:?} due {:?}\n    in: {evidence}", g["what"], g["due"])
            }
            None => {}
        }
    }
    if misses {
        for (i, d) in found.deadlines.iter().enumerate().filter(|(i, _)| !used[*i]) {
            println!("{name}: EXTRA deadline #{i} {:?} due {:?}", d.title, d.due.map(|t| t.to_rfc3339()));
        }
    }

    // Talks.
    let gold: Vec<&Value> = doc["talks"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    talks.gold += gold.len();
    talks.system += found.talks.len();
    let mut used = vec![false; found.talks.len()];
    for g in &gold {
        let parties: Vec<String> = g["participants"]
            .as_array()
            .map(|ps| ps.iter().filter_map(Value::as_str).map(last_word).collect())
            .unwrap_or_default();
        let date = g["date"].as_str();
        let hit = found.talks.iter().enumerate().position(|(i, t)| {
            !used[i]
                && t.participants.iter().any(|p| parties.contains(&last_word(p)))
                && date.is_none_or(|d| t.date.as_deref() == Some(d))
        });
        match hit {
            Some(i) => {
                used[i] = true;
                talks.found += 1;
            }
            None if misses => println!(
                "{name}: MISSED talk {:?} on {:?} ({})\n    in: {}",
                g["participants"],
                g["date"],
                g["status"].as_str().unwrap_or(""),
                g["evidence"].as_str().unwrap_or("")
            ),
            None => {}
        }
    }
    if misses {
        for (i, t) in found.talks.iter().enumerate().filter(|(i, _)| !used[*i]) {
            println!(
                "{name}: EXTRA talk #{i} {:?} on {:?} ({})\n    in: {}",
                t.participants, t.date, t.status, t.evidence
            );
        }
    }
}

/// The scores of one split of a directory of passages.
#[derive(Debug, Default)]
pub struct Scores {
    pub passages: usize,
    pub deadlines: Tally,
    pub talks: Tally,
    title_share: f64,
    titles: usize,
}

impl Scores {
    /// The average share of the gold "what" content words a found deadline's title holds.
    pub fn title_share(&self) -> f64 {
        self.title_share / self.titles.max(1) as f64
    }

    pub fn titles(&self) -> usize {
        self.titles
    }
}

/// The passage files of `dir`, sorted.
pub fn passages(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        eprintln!("news_eval: cannot read {}: {e}; give a directory of passage JSON files", dir.display());
        std::process::exit(2);
    });
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// Scores the passages of `files` in the held-out quarter (`held`) or the development split.
pub fn score_split(files: &[PathBuf], held: bool, misses: bool) -> Scores {
    let mut s = Scores::default();
    for path in files.iter().filter(|p| held_out(p) == held) {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        score(path, &doc, misses && !held, &mut s.deadlines, &mut s.talks, &mut s.title_share, &mut s.titles);
        s.passages += 1;
    }
    s
}
