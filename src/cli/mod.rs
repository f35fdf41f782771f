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
use crate::store::{Instance, Store, StoreError};
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

mod check;
mod demo;
mod extract;
mod read;
mod replay;
mod write;

use self::check::*;
use self::demo::*;
use self::extract::*;
use self::read::*;
use self::replay::*;
use self::write::*;

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
    /// List the daemons sharing a PostgreSQL ledger: live or not, and what each is sending.
    Instances {
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
    /// What the ledger learned since a time: new and moved deadlines, withdrawals, new talks.
    Changes {
        /// RFC 3339, a date (its start in [daemon] timezone), or a span back from now (24h, 7d).
        #[arg(long, value_name = "TIME")]
        since: String,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
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
    /// Run the whole pipeline over past articles under a simulated clock, in a scratch
    /// ledger, sending nothing: print what would have been sent, and when.
    Replay {
        /// The first simulated instant: RFC 3339, or a date (its start in [daemon] timezone).
        #[arg(long, value_name = "TIME")]
        from: String,
        /// The last simulated instant: RFC 3339, or a date (its end in [daemon] timezone).
        #[arg(long, value_name = "TIME")]
        to: String,
        /// Article files (.txt, .md, .html, .json) or directories of them.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human, conflicts_with = "html")]
        format: Format,
        /// Print the replay as a timeline page (one HTML document) instead.
        #[arg(long)]
        html: bool,
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
        Command::Instances { format } => {
            let config = config::load(&path)?;
            let store = open_ledger(&config)?;
            print_instances(&store.instances()?, format, Utc::now())
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
        Command::Changes { since, format } => {
            let config = config::load(&path)?;
            let now = Utc::now();
            let since = since_time(&since, config.daemon.timezone, now)?;
            let store = open_ledger(&config)?;
            print_changes(&store.changes(since)?, since, now, format)
        }
        Command::Replay { from, to, paths, format, html, max_bytes } => {
            let output = if html { ReplayOutput::Html } else { ReplayOutput::Format(format) };
            replay(&path, &from, &to, &paths, output, max_bytes)
        }
        Command::Export { what: Export::Ics { tag } } => {
            let config = config::load(&path)?;
            let store = open_ledger(&config)?;
            let base = config.http.as_ref().map(|h| format!("http://{}", h.listen));
            let text = crate::ics::from_ledger(&store, &config, tag.as_deref(), base.as_deref(), Utc::now())?;
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

fn open_ledger(config: &Config) -> anyhow::Result<Store> {
    let ledger = daemon::ledger(config).map_err(|e| anyhow::anyhow!("{}: {e}", config.path.display()))?;
    Ok(Store::open_read_only_at(&ledger)?)
}
