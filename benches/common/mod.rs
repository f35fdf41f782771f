//! What the benchmarks share: the TimeBank and AQUAINT news text, read from the shared
//! corpus (never copied into the repo).

use std::path::PathBuf;

use chrono::NaiveDate;

/// Every article of the corpus with its publication day. The directory is the first
/// argument that is not a flag, else `../shared/corpus`; `None` (with a message) when the
/// corpus is not there.
pub fn corpus() -> Option<Vec<(String, NaiveDate)>> {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"), PathBuf::from);
    let mut docs = Vec::new();
    for name in ["tbaq-timebank-docs.jsonl", "tbaq-aquaint-docs.jsonl"] {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("{} not found; pass the corpus directory", path.display());
            return None;
        };
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            let dct = NaiveDate::parse_from_str(&v["dct_value"].as_str().expect("dct")[..10], "%Y-%m-%d").expect("dct");
            docs.push((v["text"].as_str().expect("text").to_owned(), dct));
        }
    }
    Some(docs)
}
