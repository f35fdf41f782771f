//! Email delivery throughput: a burst of 10,000 alerts due at once, sent by the real
//! daemon to a local SMTP server (aiosmtpd, `tests/support/smtp_sink.py`) with connection
//! reuse. Prints alerts/s and the daemon's memory during the drain.
//! `cargo bench --bench email` (needs what `tests/setup.sh` installs).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};

const ALERTS: usize = 10_000;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outdir = dir.path().join("mail");
    std::fs::create_dir_all(&outdir).expect("outdir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
    let mut sink = Command::new("python3")
        .arg(script)
        .args(["--mode", "plain", "--port", "0", "--outdir"])
        .arg(&outdir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (tests/setup.sh)");
    let mut line = String::new();
    BufReader::new(sink.stdout.take().expect("stdout")).read_line(&mut line).expect("READY");
    let port: u16 = line.trim().strip_prefix("READY ").and_then(|p| p.parse().ok()).expect("port");

    let due = Utc::now() + chrono::Duration::seconds(5);
    let mut config = format!(
        "[daemon]\nstate_dir = \"{}\"\n[alerts]\nlead_times = [\"0s\"]\n\
         [[receiver]]\nname = \"desk\"\ntype = \"email\"\nto = [\"desk@example.org\"]\n\
         [smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"sanctiond <alerts@example.org>\"\nmax_connections = 4\n",
        dir.path().join("state").display()
    );
    for i in 0..ALERTS {
        let _ = write!(
            config,
            "[[deadline]]\nid = \"burst-{i}\"\ntitle = \"Burst deadline {i}\"\ndue = \"{}\"\n",
            due.to_rfc3339_opts(SecondsFormat::Millis, true)
        );
    }
    let config_path = dir.path().join("sanctiond.toml");
    std::fs::write(&config_path, config).expect("config");

    let mut daemon = Command::new(env!("CARGO_BIN_EXE_sanctiond"))
        .arg("--config")
        .arg(&config_path)
        .arg("run")
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .expect("daemon");
    let pid = daemon.id();
    let count = || {
        std::fs::read_dir(&outdir)
            .map(|d| d.filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))).count())
            .unwrap_or(0)
    };
    let mut rss = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    while count() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let start = Instant::now();
    let mut last = 0;
    while last < ALERTS && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
        last = count();
        rss.push(rss_kb(pid));
    }
    let took = start.elapsed();
    println!("email burst:            {last} of {ALERTS} alerts delivered in {took:.2?}");
    println!(
        "throughput:             {:>9.0} alerts/s (4 pooled connections, one transaction per recipient)",
        last as f64 / took.as_secs_f64()
    );
    let (min, max) = (rss.iter().min().copied().unwrap_or(0), rss.iter().max().copied().unwrap_or(0));
    println!(
        "daemon memory in drain: {:>9.1} MB min, {:.1} MB max (VmRSS sampled every 250 ms)",
        min as f64 / 1024.0,
        max as f64 / 1024.0
    );
    let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    let _ = daemon.wait();
    let _ = sink.kill();
    let _ = sink.wait();
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
