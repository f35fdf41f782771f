//! Hostile entries in the spool directory, with the real daemon (issue 13): links to files
//! outside it, FIFOs, directories, hard links, names that try to forge log lines, HTML
//! nested deep enough to overflow a recursive parser, and the "being read" marker
//! (`state/spool-reading`) left by a daemon that stopped while reading a file. The daemon must read none of what is not
//! really its, set each aside with a reason, log it once and keep running.

mod support;

use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::fs::FileTypeExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{Daemon, wait_until};

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    support::spool_setup("500ms")
}

/// Every entry of `dir`, whatever its type, by raw name.
fn entries(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> =
        std::fs::read_dir(dir).map(|e| e.filter_map(Result::ok).map(|e| e.file_name()).collect()).unwrap_or_default();
    names.sort();
    names
}

fn has(dir: &Path, name: &str) -> bool {
    dir.join(name).symlink_metadata().is_ok()
}

fn reason(inbox: &Path, name: &str) -> String {
    std::fs::read_to_string(inbox.join("rejected").join(format!("{name}.reason"))).expect("reason file")
}

fn article(n: usize) -> String {
    format!(
        "Title: Report {n}\nSource: Test Wire\nPublished: 2025-08-01T09:00:00Z\n\nSanctions on shipping line number {n} take effect on September {}, officials said.\n",
        1 + n % 28
    )
}

/// The ledger's bytes, its write-ahead log included; on PostgreSQL, every text it stores
/// about articles.
fn ledger_bytes(dir: &Path) -> Vec<u8> {
    if support::pg::enabled() {
        let conn = support::ledger_sql(&dir.join("sanctiond.toml"));
        let text: Option<String> = conn
            .query_row("SELECT string_agg(origin || ' ' || body, ' ') FROM articles", (), |r| r.get(0))
            .expect("articles");
        return text.unwrap_or_default().into_bytes();
    }
    let state = dir.join("state");
    ["ledger.sqlite3", "ledger.sqlite3-wal"]
        .iter()
        .flat_map(|f| std::fs::read(state.join(f)).unwrap_or_default())
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn alive(daemon: &Daemon) -> bool {
    Command::new("kill").arg("-0").arg(daemon.pid().to_string()).status().is_ok_and(|s| s.success())
}

/// How many log lines mention `needle`.
fn count(daemon: &Daemon, needle: &str) -> usize {
    daemon.lines().iter().filter(|l| l.contains(needle)).count()
}

#[test]
fn links_fifos_directories_and_hard_links_are_set_aside_unread() {
    let (dir, config, inbox) = setup();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).expect("outside");
    let secret = "SECRET-7f3a9 sanctions take effect on September 9, officials said.";
    std::fs::write(outside.join("secret.txt"), secret).expect("secret");
    std::fs::write(outside.join("linked.txt"), secret).expect("secret");
    let daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("watching the spool directory", Duration::from_secs(20));

    std::os::unix::fs::symlink(outside.join("secret.txt"), inbox.join("link.txt")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("nowhere.txt"), inbox.join("dangling.txt")).expect("symlink");
    let fifo = Command::new("mkfifo").arg(inbox.join("pipe.txt")).status().expect("mkfifo");
    assert!(fifo.success());
    std::fs::create_dir(inbox.join("x.txt")).expect("dir");
    std::fs::write(inbox.join("x.txt").join("inside.txt"), secret).expect("file in dir");
    std::fs::hard_link(outside.join("linked.txt"), inbox.join("hard.txt")).expect("hard link");
    std::fs::write(inbox.join("good.txt"), article(1)).expect("write");

    let rejected = inbox.join("rejected");
    let all = ["dangling.txt", "hard.txt", "link.txt", "pipe.txt", "x.txt"];
    wait_until(Duration::from_secs(20), || {
        all.iter().all(|n| has(&rejected, n) && has(&rejected, &format!("{n}.reason"))).then_some(())
    })
    .unwrap_or_else(|| panic!("all set aside: {:?}\n{}", entries(&rejected), daemon.lines().join("\n")));
    wait_until(Duration::from_secs(20), || has(&inbox.join("done"), "good.txt").then_some(()))
        .expect("the spool still ingests good files");

    // Moved as they were, never opened: the link is still a link, the FIFO a FIFO.
    let kind = |n: &str| rejected.join(n).symlink_metadata().expect("moved").file_type();
    assert!(kind("link.txt").is_symlink() && kind("dangling.txt").is_symlink());
    assert!(kind("pipe.txt").is_fifo());
    assert!(kind("x.txt").is_dir() && rejected.join("x.txt/inside.txt").exists());
    assert!(kind("hard.txt").is_file());
    assert!(reason(&inbox, "link.txt").contains("link.txt: a symbolic link"));
    assert!(reason(&inbox, "dangling.txt").contains("a symbolic link"));
    assert!(reason(&inbox, "pipe.txt").contains("a FIFO"));
    assert!(reason(&inbox, "x.txt").contains("a directory"));
    assert!(reason(&inbox, "hard.txt").contains("2 hard links"), "{}", reason(&inbox, "hard.txt"));
    assert_eq!(entries(&inbox), ["done", "rejected"], "nothing left behind");
    assert!(!has(&dir.path().join("state"), "spool-reading"), "the marker is gone once the files moved on");

    // A few more scans: each refusal is logged once, and nothing of the secret is anywhere.
    std::thread::sleep(Duration::from_millis(2500));
    for n in all {
        assert_eq!(count(&daemon, &format!("spool: rejected: {n}:")), 1, "{n}:\n{}", daemon.lines().join("\n"));
    }
    assert!(!contains(&ledger_bytes(dir.path()), "SECRET-7f3a9"), "the secret reached the ledger");
    assert!(contains(&ledger_bytes(dir.path()), "shipping line number 1"), "the good file did");
    assert_eq!(count(&daemon, "SECRET"), 0);
    assert!(alive(&daemon));
    assert_eq!(count(&daemon, "ERROR"), 0, "{}", daemon.lines().join("\n"));
}

#[test]
fn names_with_newlines_and_escapes_never_forge_log_lines() {
    let (dir, config, inbox) = setup();
    let daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("watching the spool directory", Duration::from_secs(20));

    let forged = "evil\nERROR fake line\r\u{1b}[2K.txt";
    std::fs::write(inbox.join(forged), article(2)).expect("write");
    let binary_forged = "bin\nERROR fake line too.txt";
    std::fs::write(inbox.join(binary_forged), b"\x00binary").expect("write");
    // 255 bytes, the longest name there is: its `.reason` cannot simply be appended.
    let long = format!("{}.txt", "é".repeat(125) + "x");
    assert_eq!(long.len(), 255);
    std::fs::write(inbox.join(&long), b"\x00binary").expect("write");
    let latin1 = std::ffi::OsString::from_vec(b"caf\xe9\n.txt".to_vec());
    std::fs::write(inbox.join(&latin1), b"\x00binary").expect("write");

    let rejected = inbox.join("rejected");
    wait_until(Duration::from_secs(20), || (entries(&rejected).len() == 6).then_some(())).unwrap_or_else(|| {
        panic!("three rejected with reasons: {:?}\n{}", entries(&rejected), daemon.lines().join("\n"))
    });
    wait_until(Duration::from_secs(20), || has(&inbox.join("done"), forged).then_some(()))
        .expect("the file with a forged line in its name is ingested under its own name");

    let lines = daemon.lines();
    assert!(!lines.iter().any(|l| l.starts_with("ERROR fake line")), "a name forged a log line:\n{}", lines.join("\n"));
    assert!(!lines.iter().any(|l| l.contains('\u{1b}') || l.contains('\r')), "{}", lines.join("\n"));
    let ingested = daemon.wait_for_line("spool: ingested", Duration::from_secs(1));
    assert!(ingested.contains(r"evil\nERROR fake line\r\u{1b}[2K.txt"), "{ingested}");
    assert!(contains(&ledger_bytes(dir.path()), r"evil\nERROR fake line"), "the stored origin is escaped too");

    // Every rejected file has its reason, whatever its name; the long one was shortened
    // so that the reason's name fits.
    let names = entries(&rejected);
    for name in names.iter().filter(|n| !n.as_bytes().ends_with(b".reason")) {
        let mut reason = name.clone();
        reason.push(".reason");
        assert!(names.contains(&reason), "{name:?} has no reason: {names:?}");
        assert!(reason.len() <= 255);
    }
    let long_reason = names
        .iter()
        .find(|n| n.to_string_lossy().starts_with("éé") && n.as_bytes().ends_with(b".reason"))
        .expect("the long name's reason");
    let text = std::fs::read_to_string(rejected.join(long_reason)).expect("reason");
    assert!(text.contains("looks binary") && text.contains(&long[..100]), "{text}");
    assert!(reason(&inbox, binary_forged).contains(r"bin\nERROR fake line too.txt: looks binary"));
    assert!(names.iter().any(|n| n.as_bytes() == b"caf\xe9\n.txt"), "kept under its own bytes: {names:?}");
    assert!(alive(&daemon));
}

/// `depth` unclosed nested elements around one sentence: ~140 KB for 28,000.
fn unclosed_html(depth: usize) -> String {
    format!(
        "<html><head><title>Deep</title></head><body>{}<p>Sanctions on shipping line number 7 take effect on September 8, officials said.</p>",
        "<div><span>".repeat(depth / 2)
    )
}

fn closed_html(depth: usize) -> String {
    format!(
        "<html><body>{}<p>Sanctions on shipping line number 8 take effect on September 9, officials said.</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    )
}

#[test]
fn deeply_nested_html_and_json_neither_crash_nor_stall_the_daemon() {
    let (dir, config, inbox) = setup();
    let daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("watching the spool directory", Duration::from_secs(20));

    let unclosed = unclosed_html(28_000);
    assert!(unclosed.len() > 140_000);
    let closed = closed_html(20_000);
    assert!(closed.len() > 220_000);
    std::fs::write(inbox.join("unclosed.html"), &unclosed).expect("write");
    std::fs::write(inbox.join("closed.html"), &closed).expect("write");
    std::fs::write(inbox.join("deep.json"), format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))).expect("write");

    let (done, rejected) = (inbox.join("done"), inbox.join("rejected"));
    let moved = |n: &str| has(&done, n) || has(&rejected, n);
    wait_until(Duration::from_secs(15), || {
        ["unclosed.html", "closed.html", "deep.json"].iter().all(|n| moved(n)).then_some(())
    })
    .unwrap_or_else(|| panic!("all moved on within seconds:\n{}", daemon.lines().join("\n")));
    assert!(has(&done, "unclosed.html") && has(&done, "closed.html"), "{:?}", entries(&rejected));
    assert!(reason(&inbox, "deep.json").contains("nested too deeply"), "{}", reason(&inbox, "deep.json"));
    let ledger = ledger_bytes(dir.path());
    assert!(contains(&ledger, "shipping line number 7") && contains(&ledger, "shipping line number 8"));

    std::fs::write(inbox.join("after.txt"), article(3)).expect("write");
    wait_until(Duration::from_secs(15), || has(&done, "after.txt").then_some(())).expect("still ingesting");
    assert!(alive(&daemon));
    assert_eq!(count(&daemon, "overflow"), 0);
}

/// Writes the marker a daemon leaves when it stops while reading `name`, having already
/// stopped `stops` times on it before.
fn leave_marker(dir: &Path, name: &str, stops: u32) -> PathBuf {
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    let path = dir.join("state").join("spool-reading");
    std::fs::create_dir_all(dir.join("state")).expect("state dir");
    std::fs::write(&path, format!("{hex}\n{stops}\n")).expect("marker");
    path
}

#[test]
fn a_file_the_daemon_stopped_reading_twice_is_set_aside_at_start() {
    let (dir, config, inbox) = setup();
    std::fs::create_dir_all(&inbox).expect("inbox");
    std::fs::write(inbox.join("poison.txt"), article(4)).expect("write");
    std::fs::write(inbox.join("other.txt"), article(5)).expect("write");
    let marker = leave_marker(dir.path(), "poison.txt", 1);

    let daemon = Daemon::start(&config, &[]);
    let line = daemon.wait_for_line("spool: rejected", Duration::from_secs(20));
    assert!(line.contains("poison.txt: the daemon stopped while reading it"), "{line}");
    let rejected = inbox.join("rejected");
    assert!(has(&rejected, "poison.txt"));
    assert!(reason(&inbox, "poison.txt").contains("the daemon stopped while reading it"));
    wait_until(Duration::from_secs(20), || has(&inbox.join("done"), "other.txt").then_some(())).expect("others go on");
    // The marker goes once the file has moved on, which need not be before the next file is done.
    wait_until(Duration::from_secs(20), || (!marker.exists()).then_some(())).expect("the marker goes");
    assert_eq!(count(&daemon, "spool: rejected"), 1);
}

#[test]
fn a_file_the_daemon_stopped_reading_once_is_tried_again() {
    let (dir, config, inbox) = setup();
    std::fs::create_dir_all(&inbox).expect("inbox");
    std::fs::write(inbox.join("maybe.txt"), article(6)).expect("write");
    // A `kill -9` or a power cut mid-read is no reason to give a file up.
    let marker = leave_marker(dir.path(), "maybe.txt", 0);

    let daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("trying it once more", Duration::from_secs(20));
    wait_until(Duration::from_secs(20), || has(&inbox.join("done"), "maybe.txt").then_some(())).expect("ingested");
    assert!(!marker.exists());
    assert_eq!(count(&daemon, "spool: rejected"), 0);
}

#[test]
fn a_marker_naming_a_path_outside_the_spool_is_ignored() {
    let (dir, config, inbox) = setup();
    std::fs::create_dir_all(&inbox).expect("inbox");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me").expect("write");
    leave_marker(dir.path(), "../victim.txt", 5);

    let daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("watching the spool directory", Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(victim.exists());
    assert_eq!(entries(&inbox.join("rejected")), Vec::<std::ffi::OsString>::new());
}
