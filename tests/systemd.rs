//! The shipped unit passes `systemd-analyze verify` with no warning at all, and its
//! hardening keeps the exposure score at 2.0 or less. Needs systemd-analyze
//! (tests/setup.sh installs it); no running systemd.

use std::path::Path;
use std::process::Command;

/// The unit with `ExecStart=` pointing at the binary under test, which verify requires to exist.
fn unit_under_test(dir: &Path) -> std::path::PathBuf {
    let unit = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/sanctiond.service"))
        .expect("read unit");
    assert!(unit.contains("ExecStart=/usr/local/bin/sanctiond "), "the unit runs the installed binary");
    let path = dir.join("sanctiond.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/sanctiond", env!("CARGO_BIN_EXE_sanctiond"))).expect("write");
    path
}

fn analyze(args: &[&str], unit: &Path) -> std::process::Output {
    Command::new("systemd-analyze")
        .args(args)
        .arg(unit)
        .output()
        .expect("systemd-analyze is needed: run tests/setup.sh")
}

#[test]
fn unit_verifies_without_any_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let unit = unit_under_test(dir.path());
    let out = analyze(&["verify", "--man=no"], &unit);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "systemd-analyze verify: {stderr}");
}

#[test]
fn unit_is_hardened_to_exposure_two_or_less() {
    let dir = tempfile::tempdir().expect("tempdir");
    let unit = unit_under_test(dir.path());
    let out = analyze(&["security", "--offline=true", "--threshold=20"], &unit);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let score = stdout.lines().find(|l| l.contains("Overall exposure level")).unwrap_or_default();
    assert!(out.status.success(), "exposure above 2.0: {score}");
    for key in
        ["Type=notify", "ExecReload=", "WatchdogSec=", "DynamicUser=yes", "StateDirectory=", "ConfigurationDirectory="]
    {
        assert!(std::fs::read_to_string(&unit).expect("unit").contains(key), "unit lacks {key}");
    }
}
