//! The daemon's own state under faults, with the real binary: a spool that cannot be
//! written, `rejected/` that is a plain file, a full disk under the ledger, a truncated or
//! overwritten ledger, and the modes of the files it writes. Each time: it keeps running,
//! alerts due meanwhile still go out (or are held, never sent unrecorded), and the log says
//! so once.
//!
//! The read-only and full-disk cases mount a bind mount or a small tmpfs, which needs root
//! (CI runs as root); elsewhere they say so and skip.

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use support::{Daemon, sanctiond, wait_until, write_config};

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A mount that is undone when dropped.
struct Mount(PathBuf);

impl Mount {
    /// `mount ARGS… TARGET`; `None` (with a message) where this user may not mount.
    fn new(args: &[&str], target: &Path) -> Option<Mount> {
        let ok = Command::new("mount").args(args).arg(target).status().is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: cannot mount {args:?} on {} (needs root)", target.display());
            return None;
        }
        Some(Mount(target.to_owned()))
    }

    fn read_only_bind(dir: &Path) -> Option<Mount> {
        let bind = Mount::new(&["--bind", dir.to_str()?], dir)?;
        let ok = Command::new("mount").args(["-o", "remount,bind,ro"]).arg(dir).status().is_ok_and(|s| s.success());
        ok.then_some(bind)
    }
}

impl Drop for Mount {
    /// Unmounts; while the daemon happens to hold the directory open (a scan), umount says
    /// "busy", so it tries again, and in the end detaches it lazily.
    fn drop(&mut self) {
        for _ in 0..20 {
            if Command::new("umount")
                .arg(&self.0)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn config(state: &Path, spool: Option<&Path>, due: DateTime<Utc>) -> String {
    let mut text = format!(
        r#"
[daemon]
state_dir = "{}"
[alerts]
lead_times = ["0s"]
late_after = "1h"
[[deadline]]
id = "meanwhile"
title = "Due during the fault"
due = "{}"
"#,
        state.display(),
        rfc3339(due)
    );
    if let Some(spool) = spool {
        text.push_str(&format!("[spool]\ndir = \"{}\"\nscan_interval = \"1s\"\nsettle = \"1s\"\n", spool.display()));
    }
    text
}

fn article(n: usize) -> String {
    format!("Title: Article {n}\nSource: Test Wire\n\nSanctions take effect on August {n}, 2031, officials said.\n")
}

/// Asserts the alert of `meanwhile` was logged within a second of `due`.
fn assert_alert_on_time(daemon: &Daemon, due: DateTime<Utc>) {
    let line = daemon.wait_for_line("deadline=meanwhile", Duration::from_secs(20));
    let late = Utc::now() - due;
    assert!(late < chrono::Duration::seconds(1), "the alert came {late} after its time: {line}");
}

#[test]
fn a_read_only_spool_is_one_fault_and_alerts_still_go_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(&spool).expect("spool");
    for n in 1..=20 {
        std::fs::write(spool.join(format!("a{n}.txt")), article(n)).expect("article");
    }
    let Some(read_only) = Mount::read_only_bind(&spool) else { return };
    let due = Utc::now() + chrono::Duration::seconds(4);
    let path = write_config(dir.path(), &config(&dir.path().join("state"), Some(&spool), due));
    let daemon = Daemon::start(&path, &[]);
    assert_alert_on_time(&daemon, due);
    std::thread::sleep(Duration::from_secs(3));
    let spool_lines = |d: &Daemon| d.lines().into_iter().filter(|l| l.contains("spool")).collect::<Vec<_>>();
    let during = spool_lines(&daemon);
    assert!(during.len() <= 3, "a read-only spool is one fault, not a line per file and scan: {during:#?}");
    assert!(during.iter().any(|l| l.contains("cannot take files now") && l.contains("Read-only")), "{during:#?}");
    // Writable again: every file goes through, and the log says the fault cleared.
    drop(read_only);
    wait_until(Duration::from_secs(40), || {
        (std::fs::read_dir(spool.join("done")).map(|d| d.count()).unwrap_or(0) == 20).then_some(())
    })
    .expect("every file done once the spool is writable");
    let after = spool_lines(&daemon);
    assert!(after.iter().any(|l| l.contains("taking files again")), "{after:#?}");
}

#[test]
fn rejected_being_a_plain_file_does_not_stop_the_daemon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(spool.join("done")).expect("spool");
    std::fs::write(spool.join("rejected"), "not a directory").expect("plain file");
    std::fs::write(spool.join("binary.txt"), [0u8, 159, 146, 150, 0, 1, 2]).expect("binary");
    let due = Utc::now() + chrono::Duration::seconds(4);
    let path = write_config(dir.path(), &config(&dir.path().join("state"), Some(&spool), due));
    let mut daemon = Daemon::start(&path, &[]);
    assert_alert_on_time(&daemon, due);
    std::thread::sleep(Duration::from_secs(2));
    assert!(daemon.wait_exit_within(Duration::from_millis(100)).is_none(), "still running");
    let spool_errors: Vec<String> = daemon
        .lines()
        .into_iter()
        .filter(|l| l.contains("spool") && (l.contains("ERROR") || l.contains("WARN")))
        .collect();
    assert!(!spool_errors.is_empty() && spool_errors.len() <= 2, "{spool_errors:#?}");
    assert!(spool.join("binary.txt").exists(), "the file stays where it is, nothing lost");
}

#[test]
fn a_full_disk_holds_alerts_and_sends_them_once_space_returns() {
    if support::pg::sqlite_only("the ledger file in the state directory") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).expect("state");
    let Some(_tmpfs) = Mount::new(&["-t", "tmpfs", "-o", "size=2m"], &state) else { return };
    let due = Utc::now() + chrono::Duration::seconds(5);
    let path = write_config(dir.path(), &config(&state, None, due));
    let daemon = Daemon::start(&path, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(10));
    // Fill the disk to the last byte.
    let filler = state.join("filler");
    let _ = Command::new("dd").args(["if=/dev/zero", "bs=64k"]).arg(format!("of={}", filler.display())).output();
    std::thread::sleep(Duration::from_secs(6));
    let held = daemon.lines();
    assert!(!held.iter().any(|l| l.contains("deadline alert")), "nothing is sent that cannot be recorded: {held:#?}");
    let faults = held.iter().filter(|l| l.contains("the ledger cannot be written")).count();
    assert_eq!(faults, 1, "logged once: {held:#?}");
    std::fs::remove_file(&filler).expect("free the disk");
    daemon.wait_for_line("deadline=meanwhile", Duration::from_secs(40));
    let lines = daemon.lines();
    assert!(lines.iter().any(|l| l.contains("the ledger can be written again")), "{lines:#?}");
    assert_eq!(lines.iter().filter(|l| l.contains("deadline alert")).count(), 1);
}

#[test]
fn a_truncated_or_overwritten_ledger_is_refused_with_what_to_do() {
    if support::pg::sqlite_only("the ledger file in the state directory") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let path = write_config(dir.path(), &config(&state, None, Utc::now() + chrono::Duration::days(3)));
    let mut daemon = Daemon::start(&path, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(10));
    daemon.signal("TERM");
    daemon.wait_exit(Duration::from_secs(10));
    let ledger = state.join("ledger.sqlite3");
    let check = sanctiond().arg("--config").arg(&path).arg("check-ledger").output().expect("check-ledger");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(String::from_utf8_lossy(&check.stdout).contains("integrity check passed"));

    for (damage, what) in [(&b""[..], "truncated to zero bytes"), (&b"<html>not a ledger</html>\n"[..], "")] {
        std::fs::write(&ledger, damage).expect("damage");
        for args in [&["run"][..], &["check-ledger"][..], &["alerts"][..]] {
            let out = sanctiond().arg("--config").arg(&path).args(args).output().expect("run");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(
                stderr.contains(&ledger.display().to_string()) && stderr.contains("restore it from a backup"),
                "{stderr}"
            );
            assert!(stderr.contains(what), "{stderr}");
        }
        assert_eq!(std::fs::read(&ledger).expect("ledger"), damage, "the damaged file is left as it was");
    }
}

#[test]
fn files_the_daemon_writes_are_private_whoever_starts_it() {
    if support::pg::sqlite_only("the ledger file in the state directory") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let path = write_config(dir.path(), &config(&state, None, Utc::now() + chrono::Duration::days(3)));
    // A shell with the usual umask 022 starts it, as a user outside systemd would.
    struct Reaped(std::process::Child);
    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _child = Reaped(
        Command::new("sh")
            .arg("-c")
            .arg(format!("umask 022; exec {} --config {} run", env!("CARGO_BIN_EXE_sanctiond"), path.display()))
            .env_remove("NOTIFY_SOCKET")
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    let ledger = state.join("ledger.sqlite3");
    // The wake socket is bound before the ledger is opened: wait for both.
    wait_until(Duration::from_secs(10), || (state.join("wake.sock").exists() && ledger.exists()).then_some(()))
        .expect("started");
    let mode = |p: &Path| std::fs::metadata(p).ok().map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode(&state), Some(0o700), "state directory");
    assert_eq!(mode(&ledger), Some(0o600), "ledger");
    for extra in ["ledger.sqlite3-wal", "ledger.sqlite3-shm", "sanctiond.lock"] {
        // SQLite may remove its side files at any moment; those that are there are private.
        if let Some(mode) = mode(&state.join(extra)) {
            assert_eq!(mode, 0o600, "{extra}");
        }
    }
}
