//! `sanctiond replay`: what the daemon would have sent, and when, over past articles.

use super::*;
use crate::replay::{self, Input, Would};

/// How the replay is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReplayOutput {
    Format(Format),
    Html,
}

pub(super) fn replay(
    config_path: &Path,
    from: &str,
    to: &str,
    paths: &[PathBuf],
    output: ReplayOutput,
    max_bytes: usize,
) -> anyhow::Result<()> {
    daemon::init_logging_at("error");
    let config = config::load(config_path)?;
    let tz = config.daemon.timezone;
    let from = replay_time(from, "--from", tz, false)?;
    let to = replay_time(to, "--to", tz, true)?;
    if to <= from {
        return Err(
            InputError(format!("--to ({}) is not after --from ({})", replay::stamp(to), replay::stamp(from))).into()
        );
    }

    let files = article_files(paths)?;
    let mut failed = Vec::new();
    let mut inputs = Vec::with_capacity(files.len());
    let reading = progress_bar(files.len(), "reading");
    for path in &files {
        match read_decoded(path, max_bytes) {
            Ok(text) => inputs.push(Input { origin: path.display().to_string(), text }),
            Err(InputError(error)) => {
                reading.suspend(|| eprintln!("sanctiond: {error} (skipped)"));
                failed.push(path.display().to_string());
            }
        }
        reading.inc(1);
    }
    reading.finish_and_clear();

    let replaying = progress_bar(inputs.len(), "replaying");
    let mut messages: Vec<Would> = Vec::new();
    let summary =
        replay::run(&config, inputs, from, to, &mut |n| replaying.set_position(n as u64), &mut |m| messages.push(m))?;
    replaying.finish_and_clear();

    match output {
        ReplayOutput::Html => say_raw!("{}", replay::html(from, to, &summary, &messages)),
        ReplayOutput::Format(Format::Json) => say!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "from": replay::stamp(from),
                "to": replay::stamp(to),
                "articles": summary.articles,
                "outside": summary.outside,
                "undated": summary.undated,
                "unreadable": failed,
                "messages": messages,
            }))?
        ),
        ReplayOutput::Format(Format::Human) => {
            for m in &messages {
                say!("{}", human_line(m));
            }
        }
    }
    if !summary.outside.is_empty() {
        eprintln!(
            "sanctiond: {} article(s) published outside {} .. {} were left out",
            summary.outside.len(),
            replay::stamp(from),
            replay::stamp(to)
        );
    }
    for origin in &summary.undated {
        eprintln!("sanctiond: {origin}: no publication time (a Published: line) to place it on the timeline; left out");
    }
    eprintln!(
        "sanctiond: replayed {} article(s) from {} to {}: {} message(s) would have been sent; nothing was sent",
        summary.articles,
        replay::stamp(from),
        replay::stamp(to),
        summary.messages
    );
    if !failed.is_empty() {
        return Err(InputError(format!("{} file(s) could not be read; the rest were replayed", failed.len())).into());
    }
    Ok(())
}

/// `2025-08-01T09:00:00Z  alert   ops  3d  oil-price-cap-2025-08-08 (due 2025-08-08T03:59:59Z)  ← a.txt`
fn human_line(m: &Would) -> String {
    let mut line = format!("{}  {:<6}  {}", m.at, m.kind, m.receiver);
    if !m.recipient.is_empty() {
        let _ = write!(line, " <{}>", m.recipient);
    }
    if let Some(lead) = &m.lead {
        let _ = write!(line, "  {lead}");
    }
    match (&m.deadline, m.revision) {
        (Some(d), Some(r)) if r > 1 => {
            let _ = write!(line, "  {d} revision {r}");
        }
        (Some(d), _) => {
            let _ = write!(line, "  {d}");
        }
        _ => {}
    }
    if let Some(due) = &m.due {
        let _ = write!(line, " (due {due})");
    }
    if m.late {
        line.push_str("  late");
    }
    let _ = write!(line, "  \"{}\"", m.subject);
    if let Some(article) = &m.article {
        let _ = write!(line, "  <- {article}");
    }
    line
}

/// `--from`/`--to`: RFC 3339, or a bare date: the start of that day (`--from`) or its end
/// (`--to`) in `[daemon] timezone`.
fn replay_time(value: &str, flag: &str, tz: Tz, end_of_day: bool) -> Result<DateTime<Utc>, InputError> {
    time_or_day(value, tz, end_of_day)
        .ok_or_else(|| InputError(format!("{flag} {value:?} is not a time: write a date (2025-08-01) or RFC 3339")))
}

/// The files to replay: each path given, and the regular files under each directory given
/// (sorted, recursively). Symlinks inside directories are not followed.
fn article_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let entries = std::fs::read_dir(dir).map_err(|e| InputError(format!("{}: cannot list it: {e}", dir.display())))?;
    let mut paths: Vec<(PathBuf, std::fs::FileType)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
        .filter(|(p, _)| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    paths.sort_by(|(a, _), (b, _)| a.cmp(b));
    for (path, kind) in paths {
        if kind.is_dir() {
            walk(&path, files)?;
        } else if kind.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// A progress bar on standard error when it is a terminal; hidden otherwise.
pub(super) fn progress_bar(len: usize, what: &'static str) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({per_sec}, {eta} left)") {
        bar.set_style(style);
    }
    bar.set_message(what);
    bar
}
