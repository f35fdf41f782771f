//! `sanctiond demo`: a local config with a deadline seconds away, run until it passes.

use super::*;

/// Seconds from the start of `demo` to its near deadline.
pub(super) const DEMO_DUE_IN: i64 = 24;

pub(super) fn demo(dir: &Path) -> anyhow::Result<()> {
    let now = Utc::now();
    let due = now + chrono::Duration::seconds(DEMO_DUE_IN);
    let later = (now + chrono::Duration::days(30)).date_naive();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = dir.canonicalize().with_context(|| format!("cannot resolve {}", dir.display()))?;
    let path = dir.join("sanctiond.toml");
    // A free loopback port for the status page.
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or_else(|_| "127.0.0.1:9177".to_owned(), |a| a.to_string());
    let text = format!(
        r#"# Written by `sanctiond demo` at {now}. Each run moves the near deadline to
# {DEMO_DUE_IN} seconds after the start, which the ledger records as a new revision.
[daemon]
state_dir = "{state}"
timezone = "America/New_York"

[alerts]
lead_times = ["20s", "10s", "0s"]
catch_up = "latest"
late_after = "5s"

[[deadline]]
id = "demo-ultimatum"
title = "Demo: ceasefire ultimatum before secondary tariffs"
due = "{due}"
tags = ["demo", "russia"]
match = ["secondary tariffs"]

[[deadline]]
id = "demo-general-license"
title = "Demo: general license for oil deliveries expires"
due = "{later}"
tags = ["demo"]
lead_times = ["7d", "1d"]

[[receiver]]
name = "journal"
type = "log"

[[actor]]
name = "Steve Witkoff"
aliases = ["Witkoff"]

[[actor]]
name = "Vladimir Putin"
aliases = ["Putin"]

# Articles dropped here are ingested; the demo drops one at the start.
[spool]
dir = "{inbox}"
settle = "1s"

# The status page, JSON API, calendar and metrics, on this machine only.
[http]
listen = "{listen}"
"#,
        listen = listen,
        now = now.to_rfc3339_opts(SecondsFormat::Secs, true),
        state = dir.join("state").display().to_string().replace('\\', "\\\\").replace('"', "\\\""),
        due = due.to_rfc3339_opts(SecondsFormat::Secs, true),
        inbox = dir.join("inbox").display().to_string().replace('\\', "\\\\").replace('"', "\\\""),
    );
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    // An article for the spool: a talk that bears on the near deadline, which its alerts
    // will then carry, and a notice of the new talk.
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).with_context(|| format!("cannot create {}", inbox.display()))?;
    let article = format!(
        "Title: Envoy in Moscow\nSource: Demo Wire\nPublished: {published}\n\n\
         US special envoy Steve Witkoff met Russian President Vladimir Putin in Moscow on {day}, calling the talks \"constructive\".\n\
         Russia must agree to a ceasefire or face secondary tariffs, the White House said.\n",
        published = now.to_rfc3339_opts(SecondsFormat::Secs, true),
        day = now.with_timezone(&chrono_tz::America::New_York).format("%B %-d"),
    );
    let tmp = inbox.join(".envoy.txt.tmp");
    std::fs::write(&tmp, article)
        .and_then(|()| std::fs::rename(&tmp, inbox.join("envoy-in-moscow.txt")))
        .with_context(|| format!("cannot write the demo article into {}", inbox.display()))?;
    eprintln!(
        "demo: wrote {}; the near deadline is due in {DEMO_DUE_IN} s, alerts at 20 s, 10 s and 0 s before it",
        path.display()
    );
    eprintln!("demo: the status page counts down at http://{listen}/ while the demo runs");
    daemon::init_logging();
    daemon::run(RunOptions {
        config_path: path.clone(),
        stop_after: Some(Duration::from_secs(DEMO_DUE_IN as u64 + 2)),
    })?;
    eprintln!("demo: done. Look inside with: sanctiond --config {0} alerts (or deadlines, talks)", path.display());
    Ok(())
}
