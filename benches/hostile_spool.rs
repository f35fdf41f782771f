//! A spool full of hostile entries (issue 13), scanned by the real daemon: 10,000 entries
//! made before it starts, in roughly equal shares of symbolic links to a file outside the
//! spool that holds a secret, dangling links, FIFOs, directories named like articles
//! (`n.txt`, a file with the secret inside), hard links to an outside file with the
//! secret, binary `.txt` files of random bytes and valid small articles (each different),
//! plus 200 pages of 28,000 unclosed nested elements (~150 KB) and 200 of 20,000 closed
//! nested `<div>`s (~220 KB). Measures the time until every entry is accounted for (moved
//! to `done/`, or to `rejected/` beside its `.reason`, or left in place with a logged
//! reason) and the daemon's peak resident memory (VmRSS every 250 ms); checks that the
//! secret never reached the ledger or the log and that every valid article is in `done/`.
//! Timing and memory are printed beside their targets, never asserted.
//! `cargo bench --bench hostile_spool`; quick mode (`cargo test`): 200 entries, small pages.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::{Daemon, RssSampler};

/// In every file the daemon must never read; a sentence the extractor would take, so
/// that a leak would be stored rather than dropped.
const SECRET: &str = "SECRET-5be91c: sanctions on the hidden line take effect on September 9, officials said.";
const TARGET_SECONDS: f64 = 60.0;
const TARGET_RSS_MB: f64 = 100.0;

/// What an entry of the spool is made to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Symlink,
    Dangling,
    Fifo,
    Directory,
    HardLink,
    Binary,
    UnclosedHtml,
    ClosedHtml,
    Article,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::Symlink,
        Kind::Dangling,
        Kind::Fifo,
        Kind::Directory,
        Kind::HardLink,
        Kind::Binary,
        Kind::UnclosedHtml,
        Kind::ClosedHtml,
        Kind::Article,
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::Symlink => "symlink to the secret",
            Kind::Dangling => "dangling symlink",
            Kind::Fifo => "FIFO",
            Kind::Directory => "directory n.txt",
            Kind::HardLink => "hard link to the secret",
            Kind::Binary => "binary .txt",
            Kind::UnclosedHtml => "unclosed deep HTML",
            Kind::ClosedHtml => "closed deep HTML",
            Kind::Article => "valid article",
        }
    }

    /// The file name: a number first, so that the daemon (which takes names in order)
    /// meets the kinds mixed.
    fn name(self, i: usize) -> String {
        let (tag, ext) = match self {
            Kind::Symlink => ("link", "txt"),
            Kind::Dangling => ("dangling", "txt"),
            Kind::Fifo => ("pipe", "txt"),
            Kind::Directory => ("dir", "txt"),
            Kind::HardLink => ("hard", "txt"),
            Kind::Binary => ("binary", "txt"),
            Kind::UnclosedHtml => ("unclosed", "html"),
            Kind::ClosedHtml => ("closed", "html"),
            Kind::Article => ("article", "txt"),
        };
        format!("{i:05}-{tag}.{ext}")
    }

    /// Whether the daemon may read it at all: only regular files with one link.
    fn readable(self) -> bool {
        matches!(self, Kind::Binary | Kind::UnclosedHtml | Kind::ClosedHtml | Kind::Article)
    }
}

struct Sizes {
    entries: usize,
    /// Pages of each deep-HTML kind.
    pages: usize,
    unclosed_depth: usize,
    closed_depth: usize,
}

/// How many entries of each kind: `pages` of each HTML kind, the rest in equal shares
/// (the remainder to the valid articles).
fn counts(sizes: &Sizes) -> Vec<(Kind, usize)> {
    let rest = sizes.entries - 2 * sizes.pages;
    let share = rest / 7;
    Kind::ALL
        .iter()
        .map(|&k| {
            let n = match k {
                Kind::UnclosedHtml | Kind::ClosedHtml => sizes.pages,
                Kind::Article => share + rest % 7,
                _ => share,
            };
            (k, n)
        })
        .collect()
}

/// Every entry's name and kind, the kinds taken in turn while each has some left.
fn plan(sizes: &Sizes) -> Vec<(String, Kind)> {
    let mut left = counts(sizes);
    let mut entries = Vec::with_capacity(sizes.entries);
    while entries.len() < sizes.entries {
        for (kind, n) in &mut left {
            if *n > 0 {
                *n -= 1;
                entries.push((kind.name(entries.len()), *kind));
            }
        }
    }
    entries
}

fn article(n: usize) -> String {
    format!(
        "Title: Report {n}\nSource: Test Wire\nPublished: 2025-08-01T09:00:00Z\n\n\
         Sanctions on shipping line number {n} take effect on September {}, officials said.\n",
        1 + n % 28
    )
}

/// `depth` unclosed nested elements around one sentence: ~150 KB for 28,000.
fn unclosed_html(depth: usize, n: usize) -> String {
    format!(
        "<html><head><title>Deep {n}</title></head><body>{}<p>Sanctions on shipping line number {n} take effect on September 8, officials said.</p>",
        "<div><span>".repeat(depth / 2)
    )
}

/// `depth` closed nested `<div>`s around one sentence: ~220 KB for 20,000.
fn closed_html(depth: usize, n: usize) -> String {
    format!(
        "<html><body>{}<p>Sanctions on shipping line number {n} take effect on September 9, officials said.</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    )
}

/// 4 KiB from xorshift64 seeded with `seed`: random enough to hold NUL bytes and to be
/// no UTF-8, and the same on every run.
fn random_bytes(seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..4096 / 8)
        .flat_map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()
        })
        .collect()
}

/// Makes every entry in `inbox`; links and hard links point into `outside`.
fn make_entries(inbox: &Path, outside: &Path, entries: &[(String, Kind)], sizes: &Sizes) {
    std::fs::create_dir_all(inbox).expect("inbox");
    std::fs::create_dir_all(outside).expect("outside");
    std::fs::write(outside.join("secret.txt"), SECRET).expect("secret");
    std::fs::write(outside.join("linked.txt"), SECRET).expect("secret");
    let mut fifos = Vec::new();
    for (i, (name, kind)) in entries.iter().enumerate() {
        let path = inbox.join(name);
        match kind {
            Kind::Symlink => std::os::unix::fs::symlink(outside.join("secret.txt"), &path).expect("symlink"),
            Kind::Dangling => {
                std::os::unix::fs::symlink(outside.join(format!("nowhere-{i}.txt")), &path).expect("symlink");
            }
            Kind::Fifo => fifos.push(path),
            Kind::Directory => {
                std::fs::create_dir(&path).expect("dir");
                std::fs::write(path.join("inside.txt"), SECRET).expect("file in dir");
            }
            Kind::HardLink => std::fs::hard_link(outside.join("linked.txt"), &path).expect("hard link"),
            Kind::Binary => std::fs::write(&path, random_bytes(i as u64)).expect("binary"),
            Kind::UnclosedHtml => std::fs::write(&path, unclosed_html(sizes.unclosed_depth, i)).expect("html"),
            Kind::ClosedHtml => std::fs::write(&path, closed_html(sizes.closed_depth, i)).expect("html"),
            Kind::Article => std::fs::write(&path, article(i)).expect("article"),
        }
    }
    for chunk in fifos.chunks(500) {
        let made = Command::new("mkfifo").args(chunk).status().expect("mkfifo");
        assert!(made.success(), "mkfifo failed");
    }
}

fn spool_config(state: &Path, inbox: &Path) -> String {
    format!(
        r#"
[daemon]
state_dir = "{state}"
[[receiver]]
name = "journal"
type = "log"
[routing]
default = ["journal"]
[spool]
dir = "{inbox}"
settle = "0s"
scan_interval = "1s"
"#,
        state = state.display(),
        inbox = inbox.display()
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    Rejected,
    LeftInPlace,
}

/// Where the entries are now, as far as the directories and the log tell.
struct Snapshot {
    done: HashSet<OsString>,
    rejected: HashSet<OsString>,
    left_in_place: HashSet<OsString>,
}

fn names(dir: &Path) -> HashSet<OsString> {
    std::fs::read_dir(dir).map(|e| e.filter_map(Result::ok).map(|e| e.file_name()).collect()).unwrap_or_default()
}

impl Snapshot {
    fn take(inbox: &Path, daemon: &Daemon) -> Snapshot {
        let left_in_place = daemon
            .lines()
            .iter()
            .filter(|l| l.contains("cannot be moved to rejected/"))
            .filter_map(|l| common::field(l, "file"))
            .filter_map(|f| Path::new(f).file_name().map(ToOwned::to_owned))
            .collect();
        Snapshot { done: names(&inbox.join("done")), rejected: names(&inbox.join("rejected")), left_in_place }
    }

    fn outcome(&self, name: &str) -> Option<Outcome> {
        let reason = format!("{name}.reason");
        if self.done.contains(OsStr::new(name)) {
            Some(Outcome::Done)
        } else if self.rejected.contains(OsStr::new(name)) && self.rejected.contains(OsStr::new(&reason)) {
            Some(Outcome::Rejected)
        } else if self.left_in_place.contains(OsStr::new(name)) {
            Some(Outcome::LeftInPlace)
        } else {
            None
        }
    }

    fn accounted(&self, entries: &[(String, Kind)]) -> usize {
        entries.iter().filter(|(n, _)| self.outcome(n).is_some()).count()
    }
}

/// The ledger's bytes: the database, its write-ahead log and its shared memory.
fn ledger_bytes(state: &Path) -> Vec<u8> {
    ["ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm"]
        .iter()
        .flat_map(|f| std::fs::read(state.join(f)).unwrap_or_default())
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn alive(pid: u32) -> bool {
    Command::new("kill").arg("-0").arg(pid.to_string()).status().is_ok_and(|s| s.success())
}

fn main() {
    let quick = common::quick();
    common::announce("hostile_spool", quick);
    let sizes = if quick {
        Sizes { entries: 200, pages: 5, unclosed_depth: 2_000, closed_depth: 2_000 }
    } else {
        Sizes { entries: 10_000, pages: 200, unclosed_depth: 28_000, closed_depth: 20_000 }
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (inbox, state) = (dir.path().join("inbox"), dir.path().join("state"));
    let entries = plan(&sizes);
    let made = Instant::now();
    make_entries(&inbox, &dir.path().join("outside"), &entries, &sizes);
    let made = made.elapsed().as_secs_f64();
    let config = dir.path().join("sanctiond.toml");
    std::fs::write(&config, spool_config(&state, &inbox)).expect("config");

    let start = Instant::now();
    let mut daemon = Daemon::start(&config, &[]);
    let sampler = RssSampler::start(daemon.pid());
    let timeout = Duration::from_secs(if quick { 60 } else { 600 });
    let snapshot = common::wait_until(timeout, || {
        let s = Snapshot::take(&inbox, &daemon);
        (s.accounted(&entries) == entries.len()).then_some(s)
    });
    let seconds = start.elapsed().as_secs_f64();
    let rss = sampler.stop();
    let hwm_mb = common::peak_rss_kb(daemon.pid()) as f64 / 1024.0;
    let snapshot = snapshot.unwrap_or_else(|| {
        let s = Snapshot::take(&inbox, &daemon);
        let missing: Vec<&str> =
            entries.iter().filter(|(n, _)| s.outcome(n).is_none()).map(|(n, _)| n.as_str()).take(20).collect();
        let tail = daemon.lines();
        panic!(
            "{} of {} entries unaccounted for after {timeout:?}, e.g. {missing:?}; last log lines:\n{}",
            entries.len() - s.accounted(&entries),
            entries.len(),
            tail[tail.len().saturating_sub(30)..].join("\n")
        )
    });
    let running = alive(daemon.pid());
    let ledger_running = ledger_bytes(&state);
    let lines = daemon.lines();
    daemon.stop();
    let ledger_stopped = ledger_bytes(&state);

    let peak_mb = rss.iter().copied().max().unwrap_or(0) as f64 / 1024.0;
    let html_kb = |html: String| html.len() / 1000;
    println!(
        "entries:        {} made in {made:.1} s before the daemon started (deep pages: {} × {} KB unclosed, {} × {} KB closed)",
        entries.len(),
        sizes.pages,
        html_kb(unclosed_html(sizes.unclosed_depth, 0)),
        sizes.pages,
        html_kb(closed_html(sizes.closed_depth, 0)),
    );
    println!(
        "accounted for:  {:>9.1} s from the daemon's start (target < {TARGET_SECONDS:.0} s), {:.0} entries/s",
        seconds,
        entries.len() as f64 / seconds
    );
    println!(
        "daemon memory:  {:>9.1} MB peak VmRSS sampled every 250 ms, {} samples (target < {TARGET_RSS_MB:.0} MB); VmHWM {hwm_mb:.1} MB",
        peak_mb,
        rss.len()
    );
    println!("outcomes:       {:<24} {:>6} {:>6} {:>9} {:>14}", "kind", "made", "done", "rejected", "left in place");
    let mut wrong_place = Vec::new();
    for (kind, n) in counts(&sizes) {
        let of_kind: Vec<Option<Outcome>> =
            entries.iter().filter(|(_, k)| *k == kind).map(|(name, _)| snapshot.outcome(name)).collect();
        let count = |o: Outcome| of_kind.iter().filter(|x| **x == Some(o)).count();
        let (done, rejected, left) = (count(Outcome::Done), count(Outcome::Rejected), count(Outcome::LeftInPlace));
        println!("                {:<24} {n:>6} {done:>6} {rejected:>9} {left:>14}", kind.label());
        if !kind.readable() && done > 0 {
            wrong_place.push(format!("{done} × {} in done/", kind.label()));
        }
        if kind == Kind::Article && done != n {
            wrong_place.push(format!("{} of {n} valid articles not in done/", n - done));
        }
    }
    let in_ledger = contains(&ledger_running, SECRET) || contains(&ledger_stopped, SECRET);
    let in_log = lines.iter().filter(|l| l.contains("SECRET-")).count();
    let errors = lines.iter().filter(|l| l.contains("ERROR")).count();
    println!(
        "checks:         secret in the ledger: {}; log lines with the secret: {in_log}; ERROR lines: {errors}; \
         daemon still running at the end: {running}",
        if in_ledger { "YES" } else { "no" }
    );

    assert!(!in_ledger, "the secret reached the ledger");
    assert_eq!(in_log, 0, "the secret reached the log");
    assert!(wrong_place.is_empty(), "{wrong_place:?}");
    let first_article = entries.iter().position(|(_, k)| *k == Kind::Article).expect("an article");
    let stored = format!("shipping line number {first_article} take");
    assert!(contains(&ledger_stopped, &stored), "the valid articles reached the ledger");
    assert!(running, "the daemon died:\n{}", lines[lines.len().saturating_sub(30)..].join("\n"));
}
