//! `sanctiond replay` on the real binary: a scripted fortnight of articles (a deadline
//! declared, talks around it, the deadline moved, a sports story, one article too late and
//! one with no date) gives exactly the alert schedule the daemon would have followed, the
//! same bytes every time, and writes nothing anywhere.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::sanctiond;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay").join(name)
}

fn replay(extra: &[&str]) -> std::process::Output {
    sanctiond()
        .arg("--config")
        .arg(fixture("config.toml"))
        .args(["replay", "--from", "2025-07-14", "--to", "2025-07-28"])
        .args(extra)
        .arg(fixture("articles"))
        .output()
        .expect("run sanctiond replay")
}

fn json_replay() -> Value {
    let out = replay(&["--format", "json"]);
    assert!(out.status.success(), "replay failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("replay --format json prints JSON")
}

fn field<'a>(m: &'a Value, name: &str) -> &'a str {
    m[name].as_str().unwrap_or("")
}

#[test]
fn a_scripted_fortnight_gives_exactly_the_expected_schedule() {
    let report = json_replay();
    let messages = report["messages"].as_array().expect("messages");
    let schedule: Vec<String> = messages
        .iter()
        .map(|m| {
            let what = match field(m, "kind") {
                "alert" => format!("{} revision {} due {}", field(m, "lead"), m["revision"], field(m, "due")),
                _ => field(m, "subject").to_owned(),
            };
            let from = m["article"].as_str().map(|a| a.rsplit('/').next().unwrap_or(a).to_owned()).unwrap_or_default();
            format!("{} {} {what} <- {from}", field(m, "at"), field(m, "kind"))
        })
        .collect();
    // New York time: the deadline is due at the end of July 24 (EDT), then of July 26.
    let expected = [
        // The digest counts from --from: its first Monday 08:00 is in the window.
        "2025-07-14T12:00:00Z digest [sanctiond] digest monday: 0 deadlines in the next 30 days <- ",
        "2025-07-14T16:00:00Z notice [sanctiond] 1 new deadline <- 01-ultimatum.txt",
        "2025-07-16T11:30:00Z notice [sanctiond] 1 new talk <- 02-call.txt",
        // Declared on the 14th with ten days to go: the 7-day lead is the first to fire.
        "2025-07-18T03:59:59Z alert 7d revision 1 due 2025-07-25T03:59:59Z <- 01-ultimatum.txt",
        "2025-07-20T15:00:00Z notice [sanctiond] 1 deadline moved <- 03-moved.txt",
        "2025-07-21T12:00:00Z digest [sanctiond] digest monday: 1 deadline in the next 30 days <- ",
        "2025-07-23T09:00:00Z notice [sanctiond] 1 new talk <- 04-envoy.txt",
        // Moved on the 20th to the 26th: revision 2's 7-day lead had already passed; the
        // 3-day lead of revision 1 (the 22nd) never goes out.
        "2025-07-24T03:59:59Z alert 3d revision 2 due 2025-07-27T03:59:59Z <- 03-moved.txt",
        "2025-07-26T03:59:59Z alert 1d revision 2 due 2025-07-27T03:59:59Z <- 03-moved.txt",
        "2025-07-27T03:59:59Z alert 0s revision 2 due 2025-07-27T03:59:59Z <- 03-moved.txt",
        "2025-07-28T12:00:00Z digest [sanctiond] digest monday: 0 deadlines in the next 30 days <- ",
    ];
    assert_eq!(schedule, expected, "the replayed schedule");
    for m in messages.iter().filter(|m| m["kind"] == "alert") {
        assert_eq!(field(m, "receiver"), "journal");
        assert!(field(m, "deadline").starts_with("secondary-tariff"), "one deadline throughout: {m}");
        assert!(field(m, "subject").contains("Russian oil"), "the subject says what is due: {m}");
    }
    assert_eq!(report["articles"], 5, "the sports story is read too; it just brings nothing");
    assert!(
        report["outside"]
            .as_array()
            .is_some_and(|o| o.len() == 1 && o[0].as_str().unwrap_or("").ends_with("06-late.txt"))
    );
    assert!(
        report["undated"]
            .as_array()
            .is_some_and(|u| u.len() == 1 && u[0].as_str().unwrap_or("").ends_with("07-undated.txt"))
    );
}

#[test]
fn the_same_input_replays_to_the_same_bytes_and_nothing_is_written() {
    for extra in [&[][..], &["--format", "json"][..], &["--html"][..]] {
        let first = replay(extra);
        let second = replay(extra);
        assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
        assert!(!first.stdout.is_empty());
        assert_eq!(first.stdout, second.stdout, "replay {extra:?} twice");
    }
    // The config's state directory does not exist, and nothing made it.
    assert!(!Path::new("/nonexistent/replay-never-writes-here").exists());

    let page = String::from_utf8(replay(&["--html"]).stdout).expect("UTF-8");
    assert!(page.starts_with("<!doctype html>"));
    assert_eq!(page.matches("<h2>").count(), 10, "one section per day with messages");
    assert!(page.contains("(revision 2)"), "the moved deadline's alerts are marked by revision");
    assert!(!page.contains("<script"), "a static page");
}

#[test]
fn the_human_form_says_what_was_left_out_and_that_nothing_was_sent() {
    let out = replay(&[]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.lines().count(), 11, "{stdout}");
    assert!(stdout.lines().all(|l| l.starts_with("2025-07-")), "{stdout}");
    assert!(stderr.contains("07-undated.txt: no publication time"), "{stderr}");
    assert!(stderr.contains("1 article(s) published outside"), "{stderr}");
    assert!(stderr.contains("11 message(s) would have been sent; nothing was sent"), "{stderr}");
}

#[test]
fn bad_arguments_and_unreadable_files_are_named() {
    let out = sanctiond()
        .arg("--config")
        .arg(fixture("config.toml"))
        .args(["replay", "--from", "last week", "--to", "2025-07-28"])
        .arg(fixture("articles"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from \"last week\" is not a time"));

    let out = sanctiond()
        .arg("--config")
        .arg(fixture("config.toml"))
        .args(["replay", "--from", "2025-07-28", "--to", "2025-07-14"])
        .arg(fixture("articles"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not after --from"));

    // A file of a type sanctiond does not read: named, skipped, the rest replayed, exit 2.
    let dir = tempfile::tempdir().expect("tempdir");
    let odd = dir.path().join("licence.pdf");
    std::fs::write(&odd, b"%PDF-1.7").expect("write");
    let out = sanctiond()
        .arg("--config")
        .arg(fixture("config.toml"))
        .args(["replay", "--from", "2025-07-14", "--to", "2025-07-28"])
        .arg(&odd)
        .arg(fixture("articles"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("licence.pdf") && stderr.contains("(skipped)"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 11, "the rest were replayed");
}

#[test]
fn progress_shows_on_a_terminal_and_never_in_a_pipe() {
    // Standard error on a pseudo-terminal (Python's pty), standard output a pipe.
    const ON_A_TTY: &str = r#"
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=slave)
os.close(slave)
seen = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
out = p.stdout.read()
p.wait()
sys.stdout.write(str(len(out.splitlines())) + "\n")
sys.stdout.write(seen.decode("utf-8", "replace"))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", ON_A_TTY, env!("CARGO_BIN_EXE_sanctiond"), "--config"])
        .arg(fixture("config.toml"))
        .args(["replay", "--from", "2025-07-14", "--to", "2025-07-28"])
        .arg(fixture("articles"))
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout);
    let (lines, terminal) = text.split_once('\n').expect("two parts");
    assert_eq!(lines, "11", "standard output keeps its lines: {text}");
    assert!(
        terminal.contains("replaying") || terminal.contains("reading"),
        "a progress bar on the terminal: {terminal:?}"
    );
    assert!(terminal.contains("nothing was sent"), "{terminal:?}");

    // Piped, standard error carries the summary lines and no drawing.
    let piped = replay(&[]);
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains('\u{1b}') && !stderr.contains("replaying"), "{stderr:?}");
}
