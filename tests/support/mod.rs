//! Running the real `sanctiond` binary in tests: a daemon whose stderr is collected line
//! by line, and small waits with generous timeouts.

#![allow(dead_code)]

pub mod burst;
pub mod hooks;
pub mod http;
pub mod pg;
pub mod smtp;
pub mod web;

#[allow(unused_imports)]
pub use burst::burst_config;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long after a test writes a config its daemon may take to read it. The daemon plans
/// only leads still ahead of it when it starts, so a deadline a test wants alerted must be
/// due after this (plus its longest lead): a fresh CI machine under load, or one whose
/// wall clock is stepped at boot, has taken more than 1.5 s.
pub const START_SLACK_MS: i64 = 5_000;

pub fn sanctiond() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sanctiond"));
    for var in
        ["SANCTIOND_CONFIG", "STATE_DIRECTORY", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"]
    {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "info");
    cmd
}

/// A daemon started with `sanctiond --config PATH run`.
pub struct Daemon {
    child: Option<Child>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Daemon {
    pub fn start(config: &Path, env: &[(&str, &str)]) -> Daemon {
        let mut cmd = sanctiond();
        cmd.arg("--config").arg(config).arg("run").stdout(Stdio::null()).stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn sanctiond");
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().expect("lock").push(line);
            }
        });
        Daemon { child: Some(child), lines }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("lock").clone()
    }

    /// Waits until a stderr line contains `needle`; returns that line.
    pub fn wait_for_line(&self, needle: &str, timeout: Duration) -> String {
        let found = wait_until(timeout, || self.lines().into_iter().find(|l| l.contains(needle)));
        found.unwrap_or_else(|| {
            panic!("no line with {needle:?} within {timeout:?}; stderr:\n{}", self.lines().join("\n"))
        })
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").arg(format!("-{name}")).arg(self.pid().to_string()).status().expect("kill");
        assert!(status.success(), "kill -{name}");
    }

    /// SIGKILL: no chance to clean up.
    pub fn crash(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().expect("kill -9");
        child.wait().expect("reap");
    }

    /// The exit status if the daemon exits within `timeout`; `None` while it runs.
    pub fn wait_exit_within(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let child = self.child.as_mut().expect("running");
        let status = wait_until(timeout, || child.try_wait().expect("try_wait"));
        if status.is_some() {
            self.child = None;
        }
        status
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let child = self.child.as_mut().expect("running");
        let status = wait_until(timeout, || child.try_wait().expect("try_wait"));
        let status = status.unwrap_or_else(|| panic!("did not exit within {timeout:?}"));
        self.child = None;
        status
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls `check` every 20 ms until it gives a value or `timeout` passes.
pub fn wait_until<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if start.elapsed() > timeout {
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// The value of `key=value` in a log line (values without spaces).
/// How far the wall clock has been stepped since a test began: what `SystemTime` moved
/// minus what `Instant` moved. A fresh CI machine's clock can be stepped by NTP mid-run; a
/// check of the daemon's lateness against its own wall-clock plan widens by this much,
/// measured apart from the daemon.
#[derive(Debug, Clone, Copy)]
pub struct WallStep {
    wall: std::time::SystemTime,
    mono: Instant,
}

impl WallStep {
    pub fn start() -> Self {
        Self { wall: std::time::SystemTime::now(), mono: Instant::now() }
    }

    /// The step so far, in seconds, either way.
    pub fn seconds(&self) -> f64 {
        let mono = self.mono.elapsed().as_secs_f64();
        let wall = match std::time::SystemTime::now().duration_since(self.wall) {
            Ok(d) => d.as_secs_f64(),
            Err(e) => -e.duration().as_secs_f64(),
        };
        (wall - mono).abs()
    }
}

pub fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!(" {key}=");
    let start = line.find(&pattern)? + pattern.len();
    line[start..].split_whitespace().next()
}

/// Writes `sanctiond.toml` in `dir`. When the suite runs on PostgreSQL, a config without
/// a `[store]` gets one: a database of its own per directory, the same on every rewrite.
pub fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("sanctiond.toml");
    let text = if pg::enabled() && !text.contains("[store]") {
        format!("{text}\n[store]\nurl = \"{}\"\n", database_for(dir))
    } else {
        text.to_owned()
    };
    std::fs::write(&path, text).expect("write config");
    path
}

fn database_for(dir: &Path) -> String {
    static DATABASES: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
    let mut known = DATABASES.lock().expect("lock");
    if let Some((_, url)) = known.iter().find(|(d, _)| d == dir) {
        return url.clone();
    }
    let url = pg::database();
    known.push((dir.to_owned(), url.clone()));
    url
}

/// A config with a log receiver and a spool directory `inbox` (not created) that settles
/// files after `settle`: the temporary directory, the config's path and the spool's path.
pub fn spool_setup(settle: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let inbox = dir.path().join("inbox");
    let config = write_config(
        dir.path(),
        &format!(
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
settle = "{settle}"
scan_interval = "1s"
"#,
            state = dir.path().join("state").display(),
            inbox = inbox.display()
        ),
    );
    (dir, config, inbox)
}

/// Starts a helper server from `tests/support/SCRIPT` with `args` under python3 and waits
/// for the `READY <port>` line it prints once it listens on 127.0.0.1.
pub fn start_python(script: &str, args: &[&std::ffi::OsStr]) -> (Child, u16) {
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support").join(script);
    let mut child = Command::new("python3")
        .arg(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 is needed: run tests/setup.sh");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("READY line");
    let port = line
        .strip_prefix("READY ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("{script} did not start: {line:?} (run tests/setup.sh)"));
    (child, port)
}

/// A SQL connection to the ledger of the config at `config`, on whichever engine it lives
/// (the SQLite file, or the PostgreSQL database of `[store]`), for tests that look inside.
pub fn ledger_sql(config: &Path) -> sanctiond::store::db::Connection {
    let config = sanctiond::config::load(config).expect("config");
    match sanctiond::daemon::ledger(&config).expect("ledger") {
        sanctiond::store::Location::File(file) => {
            sanctiond::store::db::Connection::sqlite(rusqlite::Connection::open(file).expect("ledger"))
        }
        sanctiond::store::Location::Postgres(target) => {
            let client = target.connector.connect(&target.config).expect("connect to the ledger");
            sanctiond::store::db::Connection::postgres(client, target.config.clone(), target.connector.clone())
        }
    }
}

/// Every outbox row, as `sanctiond alerts --format json` prints it.
pub fn alerts_json(config: &Path) -> Vec<serde_json::Value> {
    let out = sanctiond().arg("--config").arg(config).args(["alerts", "--format", "json"]).output().expect("alerts");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

/// (deadline, lead) of every log alert line.
pub fn log_alerts(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter(|l| l.contains("deadline alert"))
        .map(|l| (field(l, "deadline").unwrap_or("?").to_owned(), field(l, "lead").unwrap_or("?").to_owned()))
        .collect()
}
