//! Scores the extractor on the real-news development set (`tests/fixtures/news/`: passages
//! paraphrased from real reporting, labelled by the rules of GUIDELINES.md).
//!
//! ```sh
//! cargo run --release --example news_eval [-- tests/fixtures/news] [--misses]
//! ```
//!
//! The matching rules are issue 10's:
//! - a gold deadline is found when a system deadline has the same due day (within an hour
//!   where the gold gives a clock time), or, for a gold deadline with no date, when the
//!   system's evidence span overlaps the gold evidence; each system entry matches once;
//! - a gold talk is found when a system talk shares a participant's last word ("Putin",
//!   "Iran", "Fidan") and, where the gold gives a date, has that date;
//! - a title is scored by the share of the gold "what" content words it contains.
//!
//! Deadlines marked `superseded` in the gold are scored like the others: a system entry
//! for the old date matches them.

mod score;

use std::path::PathBuf;

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/news"), PathBuf::from);
    // `--misses` lists what the development split misses; the held-out quarter is only
    // ever scored, so rules are not written against it.
    let misses = std::env::args().any(|a| a == "--misses");
    let files = score::passages(&dir);
    println!("{} passages in {}", files.len(), dir.display());
    for (label, held) in [("development split", false), ("held-out quarter", true)] {
        let s = score::score_split(&files, held, misses);
        println!("{label}: {} passages", s.passages);
        println!("  {}", s.deadlines.line("deadlines"));
        println!("  {}", s.talks.line("talks"));
        println!(
            "  titles     {:.1}% of the gold \"what\" content words, on average over {} found deadlines",
            100.0 * s.title_share(),
            s.titles()
        );
    }
}
