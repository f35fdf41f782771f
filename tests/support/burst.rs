//! The config of a burst of alerts, shared by the tests and the benchmarks.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};

/// A config for a burst: `deadlines` declared deadlines all due at `due`, three leads
/// (6 s, 3 s, 0 s) to an email receiver on the SMTP server at `port` (4 connections) and to
/// the log; `store` is extra config (a `[store]` section) or empty.
pub fn burst_config(state: &Path, port: u16, deadlines: usize, due: DateTime<Utc>, store: &str) -> String {
    let mut text = format!(
        r#"
[daemon]
state_dir = "{state}"
timezone = "UTC"
{store}
[alerts]
lead_times = ["6s", "3s", "0s"]
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
        state = state.display()
    );
    let due = due.to_rfc3339_opts(SecondsFormat::Millis, true);
    for i in 0..deadlines {
        let _ = write!(text, "[[deadline]]\nid = \"burst-{i:05}\"\ntitle = \"Burst deadline {i}\"\ndue = \"{due}\"\n");
    }
    text
}
