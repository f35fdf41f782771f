//! `check-config` against fixture files: every bad config gives exactly the expected
//! `FILE:LINE:COL: message` lines and exit code 2; every shipped example passes.

use std::fs;
use std::path::Path;
use std::process::Command;

fn sanctiond() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sanctiond"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("SANCTIOND_CONFIG").env_remove("STATE_DIRECTORY");
    cmd
}

#[test]
fn bad_configs_report_every_problem_with_its_position() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/bad");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).expect("fixture dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let relative = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).expect("inside the crate");
        let expected = fs::read_to_string(path.with_extension("stderr")).expect("every bad fixture has a .stderr");
        let out = sanctiond().arg("--config").arg(relative).arg("check-config").output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{}: exit code", relative.display());
        assert_eq!(String::from_utf8_lossy(&out.stderr), expected, "{}: stderr", relative.display());
        assert!(out.stdout.is_empty(), "{}: nothing on stdout", relative.display());
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fixtures found");
}

#[test]
fn every_shipped_config_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut checked = 0;
    for entry in fs::read_dir(dir).expect("config dir") {
        let path = entry.expect("entry").path();
        let out = sanctiond().arg("--config").arg(&path).arg("check-config").output().expect("run");
        assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.contains(": OK") && summary.contains("next alert"), "{summary}");
        checked += 1;
    }
    assert!(checked >= 1);
}

#[test]
fn missing_config_names_the_file_and_what_to_do() {
    let out = sanctiond().args(["--config", "/nonexistent/sanctiond.toml", "check-config"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("/nonexistent/sanctiond.toml:1:1: cannot read the config"), "{err}");
    assert!(err.contains("--config PATH or set $SANCTIOND_CONFIG"), "{err}");
}

#[test]
fn config_path_comes_from_the_environment() {
    let out = sanctiond().env("SANCTIOND_CONFIG", "config/sanctiond.toml").arg("check-config").output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("config/sanctiond.toml: OK"));
}

#[test]
fn usage_errors_exit_2() {
    let out = sanctiond().arg("no-such-command").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn non_utf8_config_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("binary.toml");
    fs::write(&path, b"[daemon]\ntimezone = \"\xff\xfe\"\n").expect("write");
    let out = sanctiond().arg("--config").arg(&path).arg("check-config").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not UTF-8 (invalid byte at offset 21)"), "{err}");
}
