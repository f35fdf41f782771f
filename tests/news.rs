//! The real-news development set (`tests/fixtures/news/`): every passage is well formed
//! (its evidence is a sentence of its text, its dates parse, its participants are named in
//! it), and the extractor's scores on it do not fall below what they have reached. The
//! held-out quarter is scored too, with its own floor: it is never read to write rules.

#[path = "../examples/news_eval/score.rs"]
#[allow(dead_code)]
mod score;

use std::path::Path;

use serde_json::Value;

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/news")
}

#[test]
fn every_passage_is_well_formed() {
    let files = score::passages(&dir());
    assert!(files.len() >= 150, "{} passages; issue 10 asks for at least 150", files.len());
    let mut empty = 0;
    for path in &files {
        let name = path.display();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
        for key in ["source_url", "outlet", "published", "text", "deadlines", "talks"] {
            assert!(doc.get(key).is_some(), "{name}: no {key}");
        }
        chrono::DateTime::parse_from_rfc3339(doc["published"].as_str().expect("published"))
            .unwrap_or_else(|e| panic!("{name}: published: {e}"));
        let text = doc["text"].as_str().expect("text");
        let deadlines = doc["deadlines"].as_array().expect("deadlines");
        let talks = doc["talks"].as_array().expect("talks");
        if deadlines.is_empty() && talks.is_empty() {
            empty += 1;
        }
        for d in deadlines {
            let evidence = d["evidence"].as_str().expect("evidence");
            assert!(text.contains(evidence), "{name}: deadline evidence is not in the text: {evidence}");
            assert!(matches!(d["status"].as_str(), Some("active" | "superseded")), "{name}: status {}", d["status"]);
            if let Some(due) = d["due"].as_str() {
                let day = chrono::NaiveDate::parse_from_str(due.get(..10).unwrap_or(due), "%Y-%m-%d");
                assert!(day.is_ok(), "{name}: due {due}");
            }
        }
        for t in talks {
            let evidence = t["evidence"].as_str().expect("evidence");
            assert!(text.contains(evidence), "{name}: talk evidence is not in the text: {evidence}");
            assert!(matches!(t["status"].as_str(), Some("held" | "planned")), "{name}: status {}", t["status"]);
            for p in t["participants"].as_array().expect("participants") {
                let p = p.as_str().expect("participant");
                let last = p.split_whitespace().next_back().unwrap_or(p).trim_end_matches("'s");
                assert!(text.contains(p) || text.contains(last), "{name}: participant {p:?} is not named in the text");
            }
        }
    }
    // Passages with nothing to find keep the set honest.
    assert!(empty * 10 >= files.len(), "{empty} of {} passages have nothing to find", files.len());
}

#[test]
fn scores_on_real_news_hold() {
    let files = score::passages(&dir());
    let dev = score::score_split(&files, false, false);
    let held = score::score_split(&files, true, false);
    let report = format!(
        "dev: deadlines F1 {:.2}, talks F1 {:.2}, titles {:.1}%; held-out: deadlines F1 {:.2}, talks F1 {:.2}, titles {:.1}%",
        dev.deadlines.f1(),
        dev.talks.f1(),
        100.0 * dev.title_share(),
        held.deadlines.f1(),
        held.talks.f1(),
        100.0 * held.title_share()
    );
    eprintln!("{report}");
    // Floors a little under what `cargo run --release --example news_eval` reports today
    // (README): a change that loses ground fails here.
    assert!(dev.deadlines.f1() >= 0.78, "{report}");
    assert!(dev.talks.f1() >= 0.71, "{report}");
    assert!(dev.title_share() >= 0.29, "{report}");
    assert!(held.deadlines.f1() >= 0.62, "{report}");
    assert!(held.talks.f1() >= 0.55, "{report}");
}
