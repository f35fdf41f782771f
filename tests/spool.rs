//! The spool directory with the real daemon: files renamed in or written slowly, broken,
//! huge, vanishing and duplicated files, and `kill -9` while files are being ingested.
//! Real time, with generous timeouts; the settle rule itself is unit-tested with an
//! injected clock in `src/ingest/spool.rs`.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{Daemon, wait_until};

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    support::spool_setup("1500ms")
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|e| {
            e.filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn article(n: usize) -> String {
    format!(
        "Title: Report {n}\nSource: Test Wire\nPublished: 2025-08-0{}T09:00:00Z\n\nSanctions on shipping line number {n} take effect on September {}, officials said.\n",
        1 + n % 8,
        1 + n % 28
    )
}

fn stored_bodies(dir: &Path) -> Vec<String> {
    let conn = support::ledger_sql(&dir.join("sanctiond.toml"));
    let mut stmt = conn.prepare("SELECT body FROM articles ORDER BY id").expect("query");
    stmt.query_map((), |r| r.get(0)).expect("rows").collect::<Result<_, _>>().expect("bodies")
}

#[test]
fn files_dropped_in_are_ingested_once_complete_and_bad_ones_rejected_with_a_reason() {
    let (dir, config, inbox) = setup();
    let daemon = Daemon::start(&config, &[]);
    daemon.wait_for_line("watching the spool directory", Duration::from_secs(20));

    // Written elsewhere and renamed in: complete at once.
    let tmp = inbox.join(".a.txt.tmp");
    std::fs::write(&tmp, article(1)).expect("write");
    std::fs::rename(&tmp, inbox.join("renamed.txt")).expect("rename");
    // Written slowly: half now, the rest after a pause shorter than `settle`.
    let slow = inbox.join("slow.txt");
    let text = article(2);
    let (first, rest) = text.split_at(text.len() / 2);
    std::fs::write(&slow, first).expect("write");
    // Broken, huge, foreign, duplicated and vanishing files.
    std::fs::write(inbox.join("binary.txt"), b"%PDF\x00\x01binary").expect("write");
    std::fs::write(inbox.join("latin1.txt"), b"Sanctions take effect on 3 ao\xfbt.").expect("write");
    std::fs::File::create(inbox.join("huge.txt")).and_then(|f| f.set_len(50 * 1024 * 1024)).expect("50 MiB");
    std::fs::write(inbox.join("scan.docx"), b"PK\x03\x04").expect("write");
    std::fs::write(inbox.join("copy-1.txt"), article(3)).expect("write");
    std::fs::write(inbox.join("copy-2.txt"), article(3)).expect("write");
    let vanishing = inbox.join("vanishing.txt");
    std::fs::write(&vanishing, article(4)).expect("write");
    std::thread::sleep(Duration::from_millis(700));
    std::fs::remove_file(&vanishing).expect("remove");
    {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new().append(true).open(&slow).expect("open");
        f.write_all(rest.as_bytes()).expect("append");
    }

    let done = wait_until(Duration::from_secs(30), || Some(names(&inbox.join("done"))).filter(|n| n.len() >= 4))
        .expect("four files done");
    assert_eq!(done, ["copy-1.txt", "copy-2.txt", "renamed.txt", "slow.txt"]);
    let rejected =
        wait_until(Duration::from_secs(10), || Some(names(&inbox.join("rejected"))).filter(|n| n.len() >= 8))
            .expect("four files rejected, each with its reason");
    assert_eq!(
        rejected,
        [
            "binary.txt",
            "binary.txt.reason",
            "huge.txt",
            "huge.txt.reason",
            "latin1.txt",
            "latin1.txt.reason",
            "scan.docx",
            "scan.docx.reason"
        ]
    );
    let reason =
        |name: &str| std::fs::read_to_string(inbox.join("rejected").join(format!("{name}.reason"))).expect("reason");
    assert!(reason("binary.txt").contains("looks binary"));
    assert!(reason("latin1.txt").contains("not UTF-8"));
    assert!(reason("huge.txt").contains("larger than"));
    assert!(reason("scan.docx").contains("not an article type"));
    assert_eq!(names(&inbox), Vec::<String>::new(), "nothing is left behind, nothing deleted but the vanished file");

    let bodies = stored_bodies(dir.path());
    assert_eq!(bodies.len(), 3, "the copy is stored once");
    assert!(bodies.iter().any(|b| b == &text), "the slow file was read whole");
    assert!(!daemon.lines().iter().any(|l| l.contains("ERROR")), "{:?}", daemon.lines());
}

#[test]
fn kill_dash_nine_while_ingesting_loses_and_duplicates_nothing() {
    let (dir, config, inbox) = setup();
    std::fs::create_dir_all(&inbox).expect("inbox");
    let count = 60;
    for n in 0..count {
        std::fs::write(inbox.join(format!("report-{n:03}.txt")), article(n)).expect("write");
    }
    // Old enough to be taken at the first scan.
    std::thread::sleep(Duration::from_millis(1600));
    let mut daemon = Daemon::start(&config, &[]);
    wait_until(Duration::from_secs(30), || Some(names(&inbox.join("done"))).filter(|n| !n.is_empty()))
        .expect("ingest started");
    daemon.crash();
    let (done_at_crash, left_at_crash) = (names(&inbox.join("done")).len(), names(&inbox).len());
    eprintln!("at the crash: {done_at_crash} done, {left_at_crash} still in the spool");
    let after_crash = done_at_crash + left_at_crash;
    assert_eq!(after_crash, count, "every file is in the spool or done");

    let _again = Daemon::start(&config, &[]);
    let done = wait_until(Duration::from_secs(60), || Some(names(&inbox.join("done"))).filter(|n| n.len() == count))
        .expect("all done");
    assert_eq!(done.len(), count);
    assert!(names(&inbox).is_empty());
    assert_eq!(stored_bodies(dir.path()).len(), count, "each article stored exactly once");
}
