//! The command line: argument parsing, human and JSON output, and exit codes
//! (0 ok, 1 runtime failure, 2 usage or invalid config/input).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

use crate::config::{self, Config, ConfigErrors};
use crate::daemon::{self, DaemonError, RunOptions};
use crate::model::{Alert, Deadline, DeadlineStatus, TalkEvent, Tracking};
use crate::schedule;
use crate::store::{Store, StoreError};
use crate::views::{self, millis};

/// `println!` that returns an error instead of panicking when stdout is gone
/// (`sanctiond alerts | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

/// `print!`, likewise.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

#[derive(Debug, Parser)]
#[command(name = "sanctiond", version, about = "Watches for sanctions deadlines and warns before each one lands")]
struct Cli {
    /// The config file [default: /etc/sanctiond/sanctiond.toml]
    #[arg(long, global = true, env = "SANCTIOND_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon (in the foreground; systemd runs it this way).
    Run,
    /// Validate the config and print a short summary.
    CheckConfig,
    /// Check the ledger file: its header, schema version and SQLite's integrity check.
    CheckLedger,
    /// List the tracked deadlines in the ledger, with their sources, revisions and talks.
    Deadlines {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// List the candidates instead: deadlines found in articles that no topic or
        /// watched actor matched (they never alert until tracked).
        #[arg(long, conflicts_with = "all")]
        candidates: bool,
        /// List every deadline: tracked, candidates and dismissed.
        #[arg(long)]
        all: bool,
    },
    /// Read articles into the ledger: store each once, extract, merge, plan alerts.
    Ingest {
        /// Article files (.txt, .md, .html, .json), http(s) URLs of pages, or - for standard input.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Refuse articles larger than this many bytes.
        #[arg(long, default_value_t = 5 * 1024 * 1024, value_name = "BYTES")]
        max_bytes: usize,
    },
    /// List talk events, latest first, with who reported them.
    Talks {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Only the talks linked to this deadline.
        #[arg(long, value_name = "ID")]
        deadline: Option<String>,
    },
    /// List the feeds: last success, last error, entries seen, next poll.
    Feeds {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Poll feeds now (all, or those named), ingest their new entries, and say how it went.
    Poll {
        #[arg(value_name = "NAME")]
        names: Vec<String>,
    },
    /// Track a candidate deadline: it alerts through the routes like a declared one.
    Track {
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Dismiss a deadline found in articles: no alerts, and re-reports keep it dismissed.
    Dismiss {
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Stop the remaining lead alerts of a deadline (all receivers, or one). A move of the
    /// deadline arms them again.
    Ack {
        #[arg(value_name = "DEADLINE")]
        id: String,
        /// Only this receiver's alerts.
        #[arg(long, value_name = "NAME")]
        receiver: Option<String>,
    },
    /// List every outbox row: alerts, notices and digests, planned, sent, failed or cancelled.
    Alerts {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Only the alerts of this deadline.
        #[arg(long, value_name = "ID")]
        deadline: Option<String>,
    },
    /// Find the time expressions and deadlines of an article (no daemon, no ledger).
    Extract {
        /// The article: .txt/.md with an optional header block, or - for standard input.
        #[arg(value_name = "PATH|-", required_unless_present = "jsonl")]
        path: Option<PathBuf>,
        /// When it was published (RFC 3339); else its header's Published line, else now.
        #[arg(long, value_name = "RFC3339")]
        published: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Read JSON lines {"id", "published", "text"} on stdin; write one result per line.
        #[arg(long, conflicts_with = "path")]
        jsonl: bool,
        /// Refuse articles larger than this many bytes.
        #[arg(long, default_value_t = 5 * 1024 * 1024, value_name = "BYTES")]
        max_bytes: usize,
    },
    /// Write the tracked deadlines elsewhere: `export ics` prints an RFC 5545 calendar.
    Export {
        #[command(subcommand)]
        what: Export,
    },
    /// Render a sample alert and send it to one receiver through the real path.
    TestAlert {
        /// The receiver's name, as in [[receiver]] name.
        #[arg(long, value_name = "NAME")]
        receiver: String,
    },
    /// Write a local config with a deadline 24 seconds away and run the daemon on it
    /// until that deadline has passed: no root, no network, no SMTP.
    Demo {
        /// Where to put the demo config and its ledger.
        #[arg(long, default_value = "sanctiond-demo")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum Export {
    /// The tracked deadlines as an ICS calendar on stdout (as /calendar.ics serves it).
    Ics {
        /// Only the deadlines with this tag.
        #[arg(long, value_name = "TAG")]
        tag: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// Parses the arguments, runs the command and maps failures to exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A reader that went away (`| head`) is not a failure.
            if error.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            if let Some(InputError(message)) = error.downcast_ref::<InputError>() {
                eprintln!("sanctiond: {message}");
                return ExitCode::from(2);
            }
            if let Some(errors) = error.downcast_ref::<ConfigErrors>() {
                eprintln!("{errors}");
                return ExitCode::from(2);
            }
            match error.downcast_ref::<DaemonError>() {
                Some(DaemonError::Config(errors)) => {
                    eprintln!("{errors}");
                    return ExitCode::from(2);
                }
                Some(setup @ DaemonError::Setup(..)) => {
                    eprintln!("{setup}");
                    return ExitCode::from(2);
                }
                _ => {}
            }
            eprintln!("sanctiond: error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let cli_config = cli.config.clone();
    let path = daemon::config_path(cli.config);
    match cli.command {
        Command::Run => {
            daemon::init_logging();
            daemon::run(RunOptions { config_path: path, stop_after: None })?;
            Ok(())
        }
        Command::CheckConfig => check_config(&path),
        Command::CheckLedger => {
            let config = config::load(&path)?;
            let store = open_ledger(&config)?;
            let problems = store.integrity()?;
            if problems.len() == 1 && problems[0] == "ok" {
                say!("{}: OK (integrity check passed)", store.path().display());
                Ok(())
            } else {
                for p in &problems {
                    say!("{}: {p}", store.path().display());
                }
                Err(StoreError::Damaged {
                    path: store.path().to_owned(),
                    what: format!("the integrity check found {} problem(s)", problems.len()),
                }
                .into())
            }
        }
        Command::Deadlines { format, candidates, all } => {
            let config = config::load(&path)?;
            let store = open_ledger(&config)?;
            let which = match (candidates, all) {
                (true, _) => Some(Tracking::Candidate),
                (_, true) => None,
                _ => Some(Tracking::Tracked),
            };
            print_deadlines(&config, &store, format, which)
        }
        Command::Ingest { paths, format, max_bytes } => ingest(&path, &paths, format, max_bytes),
        Command::Talks { format, deadline } => {
            let config = config::load(&path)?;
            let store = open_ledger(&config)?;
            print_talks(&store.talks(deadline.as_deref(), usize::MAX)?, format)
        }
        Command::Feeds { format } => {
            let config = config::load(&path)?;
            let store = open_ledger(&config)?;
            print_feeds(&config, &store, format)
        }
        Command::Poll { names } => poll(&path, &names),
        Command::Track { id } => set_tracking(&path, &id, Tracking::Tracked),
        Command::Dismiss { id } => set_tracking(&path, &id, Tracking::Dismissed),
        Command::Ack { id, receiver } => ack(&path, &id, receiver.as_deref()),
        Command::Alerts { format, deadline } => {
            let config = config::load(&path)?;
            let store = open_ledger(&config)?;
            print_alerts(&store.alerts(deadline.as_deref())?, format)
        }
        Command::Demo { dir } => demo(&dir),
        Command::Export { what: Export::Ics { tag } } => {
            let config = config::load(&path)?;
            let store = open_ledger(&config)?;
            let base = config.http.as_ref().map(|h| format!("http://{}", h.listen));
            let text = crate::http::calendar_text(&store, &config, tag.as_deref(), base.as_deref(), Utc::now())?;
            say_raw!("{text}");
            Ok(())
        }
        Command::TestAlert { receiver } => test_alert(&path, &receiver),
        Command::Extract { path: file, published, format, jsonl, max_bytes } => {
            let setup = extract_setup(cli_config.as_deref(), &path)?;
            let published = match published {
                Some(p) => Some(crate::extract::article::parse_time(&p).ok_or_else(|| {
                    InputError(format!("--published {p:?} is not a time: write RFC 3339, e.g. 2025-08-06T10:00:00Z"))
                })?),
                None => None,
            };
            if jsonl {
                extract_jsonl(&setup, max_bytes)
            } else {
                extract_one(file.as_deref().unwrap_or(Path::new("-")), published, &setup, format, max_bytes)
            }
        }
    }
}

fn open_ledger(config: &Config) -> Result<Store, StoreError> {
    Store::open_read_only(&daemon::ledger_path(config))
}

fn check_config(path: &Path) -> anyhow::Result<()> {
    let config = config::load(path)?;
    let now = Utc::now();
    let tz = config.daemon.timezone;
    say!("{}: OK", path.display());
    say!("  timezone:  {tz}");
    say!("  ledger:    {}", daemon::ledger_path(&config).display());
    let leads: Vec<&str> = config.alerts.lead_times.iter().map(|l| l.as_str()).collect();
    say!("  leads:     {} (catch_up = {})", leads.join(", "), config.alerts.catch_up.as_str());
    let receivers: Vec<String> = config.receivers.iter().map(|r| format!("{} ({})", r.name, r.kind.as_str())).collect();
    say!("  receivers: {}", receivers.join(", "));
    // Secrets are read the way the daemon will read them, and only said to be readable.
    for problem in daemon::unreadable_secrets(&config) {
        say!("  warning:   {problem}: the daemon will not start (or reload) until it can read it");
    }
    for d in &config.digests {
        let next = d
            .schedule
            .find_next_occurrence(&now.with_timezone(&tz), false)
            .map(|t| show_time(t.with_timezone(&Utc), tz))
            .unwrap_or_else(|_| "never".to_owned());
        say!("  digest:    {} \"{}\" to {}, next {next}", d.name, d.schedule_text, d.receivers.join(", "));
    }
    if let Some(spool) = &config.spool {
        say!("  spool:     {} (scan every {:?}, settle {:?})", spool.dir.display(), spool.scan_interval, spool.settle);
    }
    // The places the daemon writes, looked at now: a fault here is what its log would say.
    let state = daemon::ledger_path(&config).parent().map(Path::to_owned);
    for problem in daemon::storage_problems(state.as_deref(), config.spool.as_ref().map(|s| s.dir.as_path())) {
        say!("  warning:   {problem}");
    }
    if !config.topics.is_empty() || !config.actors.is_empty() {
        say!("  tracking:  {} topic(s), {} watched actor(s)", config.topics.len(), config.actors.len());
    }
    say!("  deadlines: {}", config.deadlines.len());
    let mut next: Option<(DateTime<Utc>, String)> = None;
    for d in &config.deadlines {
        say!("    {}  {}  {}", d.id, show_time(d.due, tz), d.title);
        let as_stored = Deadline {
            id: d.id.clone(),
            title: d.title.clone(),
            due: d.due,
            status: DeadlineStatus::Active,
            tags: d.tags.clone(),
            lead_times: d.lead_times.as_ref().map(|l| l.iter().map(|x| x.as_str().to_owned()).collect()),
            revision: 1,
            sources: Vec::new(),
            tracking: Tracking::Tracked,
        };
        for alert in schedule::plan(&as_stored, &config, now) {
            if next.as_ref().is_none_or(|(t, _)| alert.planned < *t) {
                let what = format!(
                    "{} ({} before {}, to {})",
                    show_time(alert.planned, tz),
                    alert.lead,
                    d.id,
                    alert.key.receiver
                );
                next = Some((alert.planned, what));
            }
        }
    }
    match next {
        Some((_, what)) => say!("  next alert: {what}"),
        None => say!("  next alert: none (no declared deadline has a lead time still ahead)"),
    }
    Ok(())
}

fn show_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M:%S %Z").to_string()
}

fn print_deadlines(config: &Config, store: &Store, format: Format, which: Option<Tracking>) -> anyhow::Result<()> {
    let tz = config.daemon.timezone;
    let mut deadlines = store.deadlines()?;
    deadlines.retain(|d| which.is_none_or(|t| d.tracking == t));
    match format {
        Format::Json => {
            let out = deadlines.iter().map(|d| views::deadline(store, d, tz)).collect::<Result<Vec<_>, _>>()?;
            say!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Human => {
            let rows: Vec<Vec<String>> = deadlines
                .iter()
                .map(|d| {
                    let talks = store.talks(Some(&d.id), usize::MAX).map_or(0, |t| t.len());
                    vec![
                        d.id.clone(),
                        show_time(d.due, tz),
                        if d.tracking == Tracking::Tracked { d.status.as_str() } else { d.tracking.as_str() }
                            .to_owned(),
                        d.revision.to_string(),
                        d.sources.len().to_string(),
                        talks.to_string(),
                        d.title.clone(),
                    ]
                })
                .collect();
            say_raw!("{}", table(&["ID", "DUE", "STATUS", "REV", "SOURCES", "TALKS", "TITLE"], &rows));
        }
    }
    Ok(())
}

fn print_talks(talks: &[TalkEvent], format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => say!("{}", serde_json::to_string_pretty(&talks.iter().map(views::talk).collect::<Vec<_>>())?),
        Format::Human => {
            let rows: Vec<Vec<String>> = talks
                .iter()
                .map(|t| {
                    let reporters: Vec<&str> = t.sources.iter().filter_map(|s| s.reported_by.as_deref()).collect();
                    vec![
                        t.id.to_string(),
                        t.date.clone().unwrap_or_else(|| "-".to_owned()),
                        t.status.clone(),
                        t.participants.join(" & "),
                        t.place.clone().unwrap_or_else(|| "-".to_owned()),
                        t.tone.join(", "),
                        format!("{} ({})", t.sources.len(), reporters.join(", ")),
                        t.deadlines.join(", "),
                    ]
                })
                .collect();
            say_raw!(
                "{}",
                table(&["ID", "DATE", "STATUS", "PARTICIPANTS", "PLACE", "TONE", "SOURCES", "DEADLINES"], &rows)
            );
        }
    }
    Ok(())
}

/// Opens the ledger for writing alongside a running daemon (SQLite serialises writers),
/// creating it on first use.
fn open_ledger_rw(config: &Config) -> anyhow::Result<Store> {
    let ledger = daemon::ledger_path(config);
    if let Some(dir) = ledger.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the state directory {}", dir.display()))?;
    }
    Ok(Store::open(&ledger)?)
}

fn ingest(config_path: &Path, paths: &[PathBuf], format: Format, max_bytes: usize) -> anyhow::Result<()> {
    daemon::init_logging_at("warn");
    let config = config::load(config_path)?;
    let mut store = open_ledger_rw(&config)?;
    // The declared deadlines first, as the daemon would, so articles can join them.
    schedule::sync(&mut store, &config, Utc::now())?;
    let ingester = crate::ingest::Ingester::new(&config);
    let mut failed = 0;
    let mut out = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let text = match read_decoded(path, max_bytes) {
            Ok(text) => text,
            Err(InputError(error)) => {
                failed += 1;
                eprintln!("sanctiond: {error} (skipped; nothing stored)");
                out.push(json!({ "path": name, "error": error }));
                continue;
            }
        };
        let origin = if path == Path::new("-") { "stdin".to_owned() } else { name.clone() };
        let report = crate::ingest::ingest_text(&mut store, &ingester, &config, &origin, &text, Utc::now())?;
        match format {
            Format::Json => {
                let mut v = serde_json::to_value(&report)?;
                v["path"] = json!(name);
                v["added"] =
                    json!(report.added.iter().map(|(id, t)| json!({"id": id, "tracking": t})).collect::<Vec<_>>());
                out.push(v);
            }
            Format::Human if report.duplicate => {
                say!("{name}: already ingested (article {}); nothing changed", report.article)
            }
            Format::Human => {
                say!("{name}: article {}", report.article);
                for (id, tracking) in &report.added {
                    say!("  added     {id} ({})", tracking.as_str());
                }
                for id in &report.merged {
                    say!("  merged    {id} (one more source)");
                }
                for id in &report.moved {
                    say!("  moved     {id} (new due time; alerts replanned)");
                }
                for id in &report.attached {
                    say!("  attached  {id} (undated mention)");
                }
                if report.undated > 0 {
                    say!("  undated   {} mention(s) matching no known deadline", report.undated);
                }
                if !report.talks_added.is_empty() || !report.talks_merged.is_empty() {
                    say!(
                        "  talks     {} new, {} merged, {} linked to deadlines",
                        report.talks_added.len(),
                        report.talks_merged.len(),
                        report.links
                    );
                }
                if report.notices > 0 {
                    say!("  notices   {} receiver(s) to tell about {} new fact(s)", report.notices, report.facts.len());
                }
            }
        }
    }
    if let Some(dir) = store.path().parent() {
        daemon::wake(dir);
    }
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&out)?);
    }
    if failed > 0 {
        return Err(InputError(format!(
            "{failed} of {} article(s) could not be read; the rest were ingested",
            paths.len()
        ))
        .into());
    }
    Ok(())
}

/// `sanctiond ingest URL`: one page, fetched with the feeds' limits.
fn fetch_page(url: &str) -> Result<String, InputError> {
    use crate::ingest::feed::{Fetcher, page_article};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| InputError(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let fetcher = Fetcher::new().map_err(InputError)?;
        page_article(&fetcher, url, config::FEED_DEFAULT_TIMEOUT).await.map_err(|e| InputError(format!("{url}: {e}")))
    })
}

fn print_feeds(config: &Config, store: &Store, format: Format) -> anyhow::Result<()> {
    let tz = config.daemon.timezone;
    let out = views::feeds(config, store, Utc::now())?;
    match format {
        Format::Json => say!("{}", serde_json::to_string_pretty(&out)?),
        Format::Human => {
            let when = |v: &serde_json::Value| {
                v.as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map_or_else(|| "-".to_owned(), |t| show_time(t.with_timezone(&Utc), tz))
            };
            let rows: Vec<Vec<String>> = out
                .iter()
                .map(|f| {
                    let mut state = if f["gone"] == true {
                        "gone"
                    } else if f["stale"] == true {
                        "stale"
                    } else {
                        "ok"
                    }
                    .to_owned();
                    if f["last_poll"].is_null() {
                        state = "new".to_owned();
                    }
                    vec![
                        f["name"].as_str().unwrap_or("").to_owned(),
                        state,
                        when(&f["last_success"]),
                        f["entries_seen"].to_string(),
                        when(&f["next_poll"]),
                        f["last_error"].as_str().unwrap_or("-").to_owned(),
                    ]
                })
                .collect();
            say_raw!("{}", table(&["FEED", "STATE", "LAST SUCCESS", "ENTRIES", "NEXT POLL", "LAST ERROR"], &rows));
        }
    }
    Ok(())
}

/// `sanctiond poll`: each named feed (or all) once, now.
fn poll(config_path: &Path, names: &[String]) -> anyhow::Result<()> {
    use std::sync::{Arc, Mutex};
    let config = Arc::new(config::load(config_path)?);
    for name in names {
        if !config.feeds.iter().any(|f| &f.name == name) {
            return Err(InputError(format!("no [[feed]] named {name:?} in {}", config_path.display())).into());
        }
    }
    let store = Arc::new(Mutex::new(open_ledger_rw(&config)?));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut failed = 0;
    runtime.block_on(async {
        let fetcher = crate::ingest::feed::Fetcher::new().map_err(|e| anyhow::anyhow!(e))?;
        let ingester = Arc::new(crate::ingest::Ingester::new(&config));
        for feed in config.feeds.iter().filter(|f| names.is_empty() || names.contains(&f.name)) {
            let report = crate::ingest::feed::poll(&fetcher, &store, &config, &ingester, feed, Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            match &report.error {
                None if report.not_modified => say!("{}: not modified", feed.name),
                None => say!("{}: {} new entries, {} ingested", feed.name, report.new_entries, report.ingested),
                Some(error) => {
                    failed += 1;
                    say!("{}: failed: {error}", feed.name);
                }
            }
            if let Some(url) = &report.moved_to {
                say!("{}: moved for good to {url}", feed.name);
            }
            if let Some(notice) = report.notice {
                let to = if feed.receivers.is_empty() { &config.default_receivers } else { &feed.receivers };
                say!("{}: source {notice}; notice sent to {}", feed.name, to.join(", "));
            }
        }
        anyhow::Ok(())
    })?;
    if let Some(dir) = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner).path().parent() {
        daemon::wake(dir);
    }
    if failed > 0 {
        anyhow::bail!("{failed} feed(s) could not be polled");
    }
    Ok(())
}

fn set_tracking(config_path: &Path, id: &str, tracking: Tracking) -> anyhow::Result<()> {
    let config = config::load(config_path)?;
    let mut store = open_ledger_rw(&config)?;
    let now = Utc::now();
    let policy = crate::ingest::ConfigPolicy { config: &config, now };
    match store.set_tracking(id, tracking, &policy, now)? {
        Err(message) => Err(InputError(message).into()),
        Ok(counts) => {
            if let Some(dir) = store.path().parent() {
                daemon::wake(dir);
            }
            match tracking {
                Tracking::Tracked => say!("{id}: tracked; {} alert(s) planned", counts.planned),
                _ => say!("{id}: {}; {} pending alert(s) cancelled", tracking.as_str(), counts.cancelled),
            }
            Ok(())
        }
    }
}

fn ack(config_path: &Path, id: &str, receiver: Option<&str>) -> anyhow::Result<()> {
    let config = config::load(config_path)?;
    if let Some(name) = receiver
        && config.receiver(name).is_none()
    {
        let known: Vec<&str> = config.receivers.iter().map(|r| r.name.as_str()).collect();
        return Err(InputError(format!("no receiver named \"{name}\" (the config has: {})", known.join(", "))).into());
    }
    let mut store = open_ledger_rw(&config)?;
    // The declared deadlines first, as the daemon would, so one just declared can be acked.
    schedule::sync(&mut store, &config, Utc::now())?;
    match store.ack(id, receiver, Utc::now())? {
        None => Err(InputError(format!("no deadline {id:?} in the ledger (see sanctiond deadlines --all)")).into()),
        Some((revision, cancelled)) => {
            if let Some(dir) = store.path().parent() {
                daemon::wake(dir);
            }
            let whom = receiver.map_or_else(|| "every receiver".to_owned(), |r| format!("receiver {r}"));
            say!(
                "{id}: acknowledged for {whom} (revision {revision}); {cancelled} pending alert(s) stopped; a move of the deadline alerts again"
            );
            Ok(())
        }
    }
}

fn print_alerts(alerts: &[Alert], format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let out: Vec<_> = alerts.iter().map(views::alert).collect();
            say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Human => {
            let rows: Vec<Vec<String>> = alerts
                .iter()
                .map(|a| {
                    let note = a
                        .last_error
                        .as_deref()
                        .or(a.cancel_reason.as_deref())
                        .map(crate::notify::render::one_line)
                        .unwrap_or_default();
                    let note = match note.char_indices().nth(80) {
                        Some((cut, _)) => format!("{}…", &note[..cut]),
                        None => note,
                    };
                    let to = if a.recipient.is_empty() {
                        a.key.receiver.clone()
                    } else {
                        format!("{} <{}>", a.key.receiver, a.recipient)
                    };
                    vec![
                        a.kind.as_str().to_owned(),
                        views::alert_about(a),
                        a.lead.clone(),
                        to,
                        millis(a.planned),
                        a.state.as_str().to_owned(),
                        if a.late { "late".to_owned() } else { String::new() },
                        a.attempts.to_string(),
                        a.sent.map(millis).unwrap_or_default(),
                        note,
                    ]
                })
                .collect();
            say_raw!(
                "{}",
                table(
                    &[
                        "KIND",
                        "ABOUT",
                        "LEAD",
                        "RECEIVER",
                        "PLANNED",
                        "STATE",
                        "LATE",
                        "TRIES",
                        "SENT",
                        "ERROR / REASON"
                    ],
                    &rows
                )
            );
        }
    }
    Ok(())
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let parts: Vec<String> = cells.zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

fn test_alert(path: &Path, name: &str) -> anyhow::Result<()> {
    let config = config::load(path)?;
    let Some(receiver) = config.receiver(name) else {
        let known: Vec<&str> = config.receivers.iter().map(|r| r.name.as_str()).collect();
        eprintln!("{}: no receiver named \"{name}\" (the config has: {})", path.display(), known.join(", "));
        std::process::exit(2);
    };
    daemon::init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let _context = runtime.enter();
    let notifiers = daemon::build_notifiers(&config).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let renderer = notifiers.renderer.clone().ok_or_else(|| anyhow::anyhow!("no templates loaded"))?;
    let endpoint = notifiers.endpoints.get(name).ok_or_else(|| anyhow::anyhow!("receiver {name} was not built"))?;
    let message =
        crate::notify::message::sample(&config, &renderer, name, Utc::now()).map_err(|e| anyhow::anyhow!("{e}"))?;
    // Email: one transaction per recipient, so each is reported on its own.
    let recipients: Vec<String> = match &receiver.kind {
        config::ReceiverKind::Email { to, cc } => to.iter().chain(cc).map(|m| m.email.to_string()).collect(),
        config::ReceiverKind::Log => vec![String::new()],
        _ => vec![String::new()],
    };
    let mut results = Vec::new();
    for recipient in recipients {
        let mut one = message.clone();
        one.recipient = recipient.clone();
        let sent = runtime.block_on(endpoint.notifier.send(&one));
        // An email error names its recipient already.
        let (to, prefix) = if recipient.is_empty() {
            let to = match &receiver.kind {
                config::ReceiverKind::Log => "the log (stderr)".to_owned(),
                kind => format!("{} receiver {name}", kind.as_str()),
            };
            (to.clone(), format!("{to}: "))
        } else {
            (recipient, String::new())
        };
        results.push(sent.map(|()| to).map_err(|e| format!("{prefix}{e}")));
    }
    let mut failed = 0;
    for result in &results {
        match result {
            Ok(to) => say!("sent a test alert to {to}"),
            Err(e) => {
                failed += 1;
                say!("FAILED {e}");
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} recipients did not get the test alert", results.len());
    }
    Ok(())
}

/// Seconds from the start of `demo` to its near deadline.
const DEMO_DUE_IN: i64 = 24;

fn demo(dir: &Path) -> anyhow::Result<()> {
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

/// Bad input (an article, a flag value): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct InputError(String);

/// What `extract` takes from the config: `[daemon] timezone` and the `[[actor]]` watch list.
/// Without a config (none asked for, and no default one), UTC and no actors.
struct ExtractSetup {
    timezone: Tz,
    actors: crate::extract::Watch,
}

fn extract_setup(asked: Option<&Path>, path: &Path) -> anyhow::Result<ExtractSetup> {
    if asked.is_none() && !path.exists() {
        return Ok(ExtractSetup { timezone: Tz::UTC, actors: crate::extract::Watch::new(Vec::new()) });
    }
    let config = config::load(path)?;
    let actors = crate::extract::Watch::new(
        config
            .actors
            .iter()
            .map(|a| crate::extract::Actor { name: a.name.clone(), aliases: a.aliases.clone() })
            .collect(),
    );
    Ok(ExtractSetup { timezone: config.daemon.timezone, actors })
}

/// Reads an article, refusing what is not text.
fn read_article(path: &Path, max_bytes: usize) -> Result<String, InputError> {
    let (name, bytes) = read_bytes(path, max_bytes)?;
    check_text(&name, bytes, max_bytes)
}

/// Reads a file (or standard input for `-`), at most one byte past `max_bytes`.
fn read_bytes(path: &Path, max_bytes: usize) -> Result<(String, Vec<u8>), InputError> {
    use std::io::Read as _;
    let name = if path == Path::new("-") { "standard input".to_owned() } else { path.display().to_string() };
    let mut bytes = Vec::new();
    let reader: Box<dyn std::io::Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| InputError(format!("{name}: cannot open: {e}")))?)
    };
    reader
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError(format!("{name}: cannot read: {e}")))?;
    Ok((name, bytes))
}

fn check_text(name: &str, bytes: Vec<u8>, max_bytes: usize) -> Result<String, InputError> {
    crate::ingest::decode::check_text(name, bytes, max_bytes).map_err(InputError)
}

/// Reads and decodes an article file by its type (`.txt`, `.md`, `.html`, `.json`; standard
/// input by its content) into header-block text.
fn read_decoded(path: &Path, max_bytes: usize) -> Result<String, InputError> {
    use crate::ingest::decode::{Kind, decode};
    let text = path.to_string_lossy();
    if text.starts_with("http://") || text.starts_with("https://") {
        return fetch_page(&text);
    }
    let (name, bytes) = read_bytes(path, max_bytes)?;
    let kind = if path == Path::new("-") {
        Kind::of_content(None, &bytes)
    } else {
        Kind::of_path(path).ok_or_else(|| {
            InputError(format!("{name}: not an article type sanctiond reads; give .txt, .md, .html or .json"))
        })?
    };
    decode(&name, kind, bytes, max_bytes, None).map_err(InputError)
}

fn extraction_json(
    text: &str,
    published: Option<DateTime<chrono::FixedOffset>>,
    setup: &ExtractSetup,
) -> serde_json::Value {
    let crate::extract::ArticleFacts { header, published, estimated, found } =
        crate::extract::extract_article(text, published, Utc::now().fixed_offset(), setup.timezone, &setup.actors);
    let deadlines: Vec<serde_json::Value> = found
        .deadlines
        .iter()
        .map(|d| {
            let mut v = json!({
                "title": d.title,
                "due": d.due.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                "grain": d.grain,
                "evidence": d.evidence,
                "start": d.start,
                "end": d.end,
            });
            if let Some(status) = d.status {
                v["status"] = json!(status);
            }
            v
        })
        .collect();
    let mut article = json!({
        "title": header.title,
        "source": header.source,
        "published": published.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    if let Some(url) = &header.url {
        article["url"] = json!(url);
    }
    if estimated {
        article["published_estimated"] = json!(true);
    }
    json!({ "article": article, "times": found.times, "deadlines": deadlines, "talks": found.talks })
}

fn extract_one(
    path: &Path,
    published: Option<DateTime<chrono::FixedOffset>>,
    setup: &ExtractSetup,
    format: Format,
    max_bytes: usize,
) -> anyhow::Result<()> {
    // An .html or .json file is decoded first, so offsets index the text as ingest stores it.
    let text = match crate::ingest::decode::Kind::of_path(path) {
        Some(crate::ingest::decode::Kind::Html | crate::ingest::decode::Kind::Json) => read_decoded(path, max_bytes)?,
        _ => read_article(path, max_bytes)?,
    };
    let result = extraction_json(&text, published, setup);
    match format {
        Format::Json => say!("{}", serde_json::to_string_pretty(&result)?),
        Format::Human => {
            say!("published {}", result["article"]["published"].as_str().unwrap_or("?"));
            say!("{} time expressions:", result["times"].as_array().map_or(0, Vec::len));
            for t in result["times"].as_array().into_iter().flatten() {
                say!(
                    "  {:>6}  {:<9} {:<22} {}",
                    t["start"],
                    t["type"].as_str().unwrap_or(""),
                    t["value"].as_str().unwrap_or(""),
                    t["text"].as_str().unwrap_or("")
                );
            }
            say!("{} talk events:", result["talks"].as_array().map_or(0, Vec::len));
            for t in result["talks"].as_array().into_iter().flatten() {
                let names: Vec<&str> =
                    t["participants"].as_array().into_iter().flatten().filter_map(|p| p.as_str()).collect();
                let tone: Vec<&str> = t["tone"].as_array().into_iter().flatten().filter_map(|p| p.as_str()).collect();
                say!(
                    "  {} {} {}{}{} (reported by {})",
                    t["status"].as_str().unwrap_or(""),
                    names.join(" & "),
                    t["date"].as_str().map(|d| format!("on {d} ")).unwrap_or_default(),
                    t["place"].as_str().map(|p| format!("in {p} ")).unwrap_or_default(),
                    if tone.is_empty() { String::new() } else { format!("[{}]", tone.join(", ")) },
                    t["reported_by"].as_str().unwrap_or("?"),
                );
            }
            say!("{} deadlines:", result["deadlines"].as_array().map_or(0, Vec::len));
            for d in result["deadlines"].as_array().into_iter().flatten() {
                let status = d["status"].as_str().map(|s| format!(" ({s})")).unwrap_or_default();
                say!("  due {}{status}: {}", d["due"].as_str().unwrap_or("unknown"), d["title"].as_str().unwrap_or(""));
            }
        }
    }
    Ok(())
}

/// `--jsonl`: one `{"id", "published", "text"}` per line in, one result per line out; a
/// bad line yields `{"id", "error"}` and the rest go on.
fn extract_jsonl(setup: &ExtractSetup, max_bytes: usize) -> anyhow::Result<()> {
    use std::io::{BufRead as _, Write as _};
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (n, line) in stdin.lock().split(b'\n').enumerate() {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let result = (|| -> Result<serde_json::Value, (serde_json::Value, String)> {
            let item: serde_json::Value = serde_json::from_slice(&line)
                .map_err(|e| (serde_json::Value::Null, format!("line {}: not JSON: {e}", n + 1)))?;
            let id = item.get("id").cloned().unwrap_or(serde_json::Value::Null);
            let text =
                item["text"].as_str().ok_or_else(|| (id.clone(), format!("line {}: no \"text\" string", n + 1)))?;
            check_text(&format!("line {}", n + 1), text.as_bytes().to_vec(), max_bytes)
                .map_err(|e| (id.clone(), e.0))?;
            let published = match item.get("published").and_then(|p| p.as_str()) {
                Some(p) => Some(
                    crate::extract::article::parse_time(p)
                        .ok_or_else(|| (id.clone(), format!("line {}: published {p:?} is not a time", n + 1)))?,
                ),
                None => None,
            };
            let mut v = extraction_json(text, published, setup);
            v["id"] = id;
            Ok(v)
        })();
        let value = result.unwrap_or_else(|(id, error)| json!({ "id": id, "error": error }));
        writeln!(out, "{}", serde_json::to_string(&value)?)?;
    }
    out.flush()?;
    Ok(())
}
