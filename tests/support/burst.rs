//! The config of a burst of alerts, shared by the tests and the benchmarks.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};

/// A config for a burst: `deadlines` declared deadlines all due at `due`, three leads
/// (6 s, 3 s, 0 s) to an email receiver on the SMTP server at `port` (4 connections) and to
/// the log; `store` is extra config (a `[store]` section) or empty.
pub fn burst_config(state: &Path, port: u16, deadlines: usize, due: DateTime<Utc>, store: &str) -> String {
    spread_config(state, port, deadlines, due, chrono::Duration::zero(), &["6s", "3s", "0s"], store)
}

/// Like [`burst_config`], with these lead times and the deadlines' due times spread evenly
/// over `spread` from `due`.
pub fn spread_config(
    state: &Path,
    port: u16,
    deadlines: usize,
    due: DateTime<Utc>,
    spread: chrono::Duration,
    leads: &[&str],
    store: &str,
) -> String {
    let mut text = format!(
        r#"
[daemon]
state_dir = "{state}"
timezone = "UTC"
{store}
[alerts]
lead_times = [{leads}]
catch_up = "all"
late_after = "1h"
[smtp]
host = "127.0.0.1"
port = {port}
tls = "none"
from = "sanctiond <alerts@example.org>"
max_connections = 4
timeout = "10s"
[[receiver]]
name = "desk"
type = "email"
to = ["desk@example.org"]
[[receiver]]
name = "journal"
type = "log"
[routing]
default = ["desk", "journal"]
"#,
        state = state.display(),
        leads = leads.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
    );
    let step = spread.num_milliseconds() / i64::try_from(deadlines.max(1)).unwrap_or(i64::MAX);
    for i in 0..deadlines {
        let at = due + chrono::Duration::milliseconds(step * i64::try_from(i).unwrap_or(0));
        let at = at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let _ = write!(text, "[[deadline]]\nid = \"burst-{i:05}\"\ntitle = \"Burst deadline {i}\"\ndue = \"{at}\"\n");
    }
    text
}
