//! What the benchmarks share: quick mode, the shared corpus (read, never copied into the
//! repo), the real daemon with its stderr collected, a real SMTP server (aiosmtpd,
//! `tests/support/smtp_sink.py`) and readings from `/proc`.
//!
//! Quick mode: `cargo test` runs every bench once with small sizes (debug build, no
//! `--bench` argument) so none rots; `cargo bench` passes `--bench` and gets the full
//! sizes. `SANCTIOND_BENCH_QUICK=1` forces quick mode under `cargo bench` too.

// Each bench includes this module and uses only part of it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Whether to run with small sizes: not started by `cargo bench`, or asked to.
pub fn quick() -> bool {
    std::env::var("SANCTIOND_BENCH_QUICK").is_ok_and(|v| v == "1") || !std::env::args().any(|a| a == "--bench")
}

/// Says which mode runs, so a quick number is never mistaken for the real one.
pub fn announce(name: &str, quick: bool) {
    if quick {
        println!("{name}: quick mode (small sizes; `cargo bench --bench {name}` for the real numbers)");
    }
}

/// The corpus directory: the first argument that is not a flag, else `../shared/corpus`.
fn corpus_dir() -> PathBuf {
    std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"), PathBuf::from)
}

/// Every article of the TimeBank and AQUAINT corpus with its publication day; `None`
/// (with a message saying the bench is skipped) when the corpus is not there.
pub fn corpus() -> Option<Vec<(String, NaiveDate)>> {
    let dir = corpus_dir();
    let mut docs = Vec::new();
    for name in ["tbaq-timebank-docs.jsonl", "tbaq-aquaint-docs.jsonl"] {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("skipped: {} not found (pass the corpus directory as an argument)", path.display());
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

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The `sanctiond` binary, with none of systemd's variables from the caller's environment.
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

/// Every outbox row, as `sanctiond alerts --format json` prints it.
pub fn alerts_json(config: &Path) -> Vec<serde_json::Value> {
    let out = sanctiond().arg("--config").arg(config).args(["alerts", "--format", "json"]).output().expect("alerts");
    assert!(out.status.success(), "sanctiond alerts: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("alerts json")
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
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The value of `key=value` in a log line (values without spaces).
pub fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!(" {key}=");
    let start = line.find(&pattern)? + pattern.len();
    line[start..].split_whitespace().next()
}

/// A daemon started with `sanctiond --config PATH run`, its stderr collected line by line.
pub struct Daemon {
    child: Option<Child>,
    pid: u32,
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
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("lock").push(line);
            }
        });
        Daemon { pid: child.id(), child: Some(child), lines }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("lock").clone()
    }

    /// Waits until a stderr line contains `needle`; panics with the stderr so far if none does.
    pub fn wait_for_line(&self, needle: &str, timeout: Duration) -> String {
        let found =
            wait_until(timeout, || self.lines.lock().expect("lock").iter().find(|l| l.contains(needle)).cloned());
        found.unwrap_or_else(|| {
            panic!("no line with {needle:?} within {timeout:?}; stderr:\n{}", self.lines().join("\n"))
        })
    }

    /// SIGKILL: no chance to clean up.
    pub fn crash(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9");
            child.wait().expect("reap");
        }
    }

    /// SIGTERM, then waits for the exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(self.pid.to_string()).status();
            let _ = child.wait();
        }
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

/// `tests/support/http_server.py` on loopback, answering from the routes in `script` (read
/// again on every request) and logging each request to `log`; killed when dropped.
pub struct HttpServer {
    child: Child,
    pub port: u16,
}

impl HttpServer {
    pub fn start(script: &Path, log: &Path) -> HttpServer {
        let server_py = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/http_server.py");
        let mut child = Command::new("python3")
            .arg(server_py)
            .arg("--script")
            .arg(script)
            .arg("--log")
            .arg(log)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("READY");
        let port = line.trim().strip_prefix("READY ").and_then(|p| p.parse().ok()).expect("port");
        HttpServer { child, port }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `late_ms` of every feed poll the daemon logged: how long after its scheduled time
/// each started.
pub fn poll_lateness(lines: &[String]) -> Vec<i64> {
    lines
        .iter()
        .filter_map(|l| l.split(" late_ms=").nth(1).and_then(|r| r.split_whitespace().next()?.parse().ok()))
        .collect()
}

/// `tests/support/smtp_sink.py` in plain mode with `--index-only`: one JSON line per
/// accepted message in `index.jsonl`, so the file system is not what is measured.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub outdir: PathBuf,
}

/// One accepted message: when, and its Message-ID.
struct Accepted {
    at: f64,
    message_id: String,
}

impl SmtpSink {
    /// Starts the sink on a free port; `extra` are more arguments (`--delay-ms 5`).
    pub fn start(outdir: &Path, extra: &[&str]) -> SmtpSink {
        std::fs::create_dir_all(outdir).expect("outdir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(["--mode", "plain", "--port", "0", "--index-only", "--outdir"])
            .arg(outdir)
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd is needed: run tests/setup.sh");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("READY line");
        let port = line
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("smtp_sink.py did not start: {line:?} (run tests/setup.sh)"));
        SmtpSink { child, port, outdir: outdir.to_owned() }
    }

    fn accepted(&self) -> Vec<Accepted> {
        let text = std::fs::read_to_string(self.outdir.join("index.jsonl")).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| Accepted {
                at: v["t"].as_f64().unwrap_or(0.0),
                message_id: v["message_id"].as_str().unwrap_or("").to_owned(),
            })
            .collect()
    }

    /// How many messages were accepted so far.
    pub fn count(&self) -> usize {
        std::fs::read(self.outdir.join("index.jsonl")).map(|b| b.iter().filter(|c| **c == b'\n').count()).unwrap_or(0)
    }

    /// The Message-ID of every accepted message, in order (duplicates kept).
    pub fn message_ids(&self) -> Vec<String> {
        self.accepted().into_iter().map(|a| a.message_id).collect()
    }

    /// When the first and the last message were accepted.
    pub fn first_and_last(&self) -> Option<(SystemTime, SystemTime)> {
        let times: Vec<f64> = self.accepted().iter().map(|a| a.at).collect();
        let at = |secs: f64| SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs);
        let first = times.iter().copied().fold(f64::INFINITY, f64::min);
        let last = times.iter().copied().fold(0.0, f64::max);
        (!times.is_empty()).then(|| (at(first), at(last)))
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A header's value in a raw message, unfolded.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut fields: Vec<String> = Vec::new();
    for line in head.split("\r\n") {
        match fields.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => fields.push(line.to_owned()),
        }
    }
    fields.into_iter().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
    })
}

/// How many of `items` are distinct.
pub fn distinct<T: Ord + Clone>(items: &[T]) -> usize {
    items.iter().cloned().collect::<BTreeSet<T>>().len()
}

/// Resident memory of a process, in kB.
pub fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The highest resident memory of a process so far (VmHWM), in kB.
pub fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A process's VmRSS, sampled every 250 ms on a thread of its own until [`RssSampler::stop`].
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<u64>>>,
}

impl RssSampler {
    pub fn start(pid: u32) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                // 0 once the process has gone: not a reading.
                match rss_kb(pid) {
                    0 => {}
                    kb => samples.push(kb),
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            samples
        });
        RssSampler { stop, thread: Some(thread) }
    }

    /// Every sample taken, in kB, oldest first.
    pub fn stop(mut self) -> Vec<u64> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().map(|t| t.join().expect("sampler thread")).unwrap_or_default()
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// utime + stime of a process, in clock ticks (10 ms on Linux).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    num(11) + num(12)
}

/// Loads `deadlines` tracked deadlines one minute apart from `base_ms`, each with one
/// revision and a pending alert per lead in `leads` (text, seconds), straight into the
/// ledger: the same rows planning would write, a million in seconds. Ids are zero-padded so
/// that rows arrive in key order and the indexes grow at their end. `tags_sql` is the SQL
/// expression (over the row number `i`) of each deadline's JSON tags.
pub fn bulk_load(
    store: &mut sanctiond::store::Store,
    deadlines: i64,
    leads: &[(&str, i64)],
    base_ms: i64,
    now_ms: i64,
    tags_sql: &str,
) {
    let leads: Vec<String> = leads.iter().map(|(t, s)| format!("('{t}', {s})")).collect();
    let sql = format!(
        "PRAGMA cache_size = -1000000;
         BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last})
         INSERT INTO deadlines (id, title, due_ms, status, origin, tags, lead_times, match_phrases, revision,
                                created_ms, updated_ms, tracking, config_due_ms, subject)
         SELECT printf('d%07d', i), 'Deadline number ' || i, {base_ms} + i * 60000, 'active', 'article', {tags_sql},
                NULL, '[]', 1, {now_ms}, {now_ms}, 'tracked', NULL, 'deadline number ' || i FROM n;
         INSERT INTO revisions (deadline_id, revision, due_ms, recorded_ms, source)
         SELECT id, 1, due_ms, {now_ms}, 'bench' FROM deadlines;
         INSERT INTO outbox (kind, key, receiver, recipient, deadline_id, revision, lead_seconds, lead, planned_ms,
                             state, late, next_attempt_ms)
         SELECT 'alert', d.id || '/1/' || l.column2, 'log', '', d.id, 1, l.column2, l.column1,
                d.due_ms - l.column2 * 1000, 'pending', NULL, d.due_ms - l.column2 * 1000
         FROM deadlines d CROSS JOIN (VALUES {leads}) l;
         COMMIT;",
        last = deadlines - 1,
        leads = leads.join(", ")
    );
    store.connection().execute_batch(&sql).expect("bulk load");
}

#[path = "../../tests/support/burst.rs"]
mod burst;
#[allow(unused_imports)]
pub use burst::{burst_config, spread_config};
