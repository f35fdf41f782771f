//! The commands that write the ledger beside a running daemon: ingest, poll, track,
//! dismiss and ack.

use super::*;

/// Opens the ledger for writing alongside a running daemon (SQLite serialises writers;
/// PostgreSQL takes many), creating it on first use.
pub(super) fn open_ledger_rw(config: &Config) -> anyhow::Result<Store> {
    let ledger = daemon::ledger(config).map_err(|e| anyhow::anyhow!("{}: {e}", config.path.display()))?;
    if let crate::store::Location::File(file) = &ledger
        && let Some(dir) = file.parent()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the state directory {}", dir.display()))?;
    }
    Ok(Store::open_at(&ledger)?)
}

pub(super) fn ingest(config_path: &Path, paths: &[PathBuf], format: Format, max_bytes: usize) -> anyhow::Result<()> {
    daemon::init_logging_at("warn");
    let config = config::load(config_path)?;
    let mut store = open_ledger_rw(&config)?;
    // The declared deadlines first, as the daemon would, so articles can join them.
    schedule::sync(&mut store, &config, Utc::now())?;
    let ingester = crate::ingest::Ingester::new(&config);
    let mut failed = 0;
    let mut out = Vec::new();
    // Progress on a terminal; each file's lines are printed above the bar.
    let bar = progress_bar(paths.len(), "ingesting");
    for path in paths {
        bar.inc(1);
        let name = path.display().to_string();
        let text = match read_decoded(path, max_bytes) {
            Ok(text) => text,
            Err(InputError(error)) => {
                failed += 1;
                bar.suspend(|| eprintln!("sanctiond: {error} (skipped; nothing stored)"));
                out.push(json!({ "path": name, "error": error }));
                continue;
            }
        };
        let origin = if path == Path::new("-") { "stdin".to_owned() } else { name.clone() };
        let report = crate::ingest::ingest_text(&mut store, &ingester, &config, &origin, &text, Utc::now())?;
        bar.suspend(|| print_ingested(&name, &report, format, &mut out))?;
    }
    bar.finish_and_clear();
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

/// What one ingest did: lines for a reader, or a JSON object kept for the end.
fn print_ingested(
    name: &str,
    report: &crate::store::IngestReport,
    format: Format,
    out: &mut Vec<serde_json::Value>,
) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(report)?;
            v["path"] = json!(name);
            v["added"] = json!(report.added.iter().map(|(id, t)| json!({"id": id, "tracking": t})).collect::<Vec<_>>());
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
    Ok(())
}

/// `sanctiond ingest URL`: one page, fetched with the feeds' limits.
pub(super) fn fetch_page(url: &str) -> Result<String, InputError> {
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

/// `sanctiond poll`: each named feed (or all) once, now.
pub(super) fn poll(config_path: &Path, names: &[String]) -> anyhow::Result<()> {
    use std::sync::{Arc, Mutex};
    // Warnings (a page or licence that cannot be read) go to stderr.
    daemon::init_logging_at("warn");
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
        let chosen: Vec<&config::Feed> =
            config.feeds.iter().filter(|f| names.is_empty() || names.contains(&f.name)).collect();
        let bar = progress_bar(chosen.len(), "polling");
        for feed in chosen {
            let report = crate::ingest::feed::poll(&fetcher, &store, &config, &ingester, feed, Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            bar.inc(1);
            failed += usize::from(report.error.is_some());
            bar.suspend(|| poll_lines(&config, feed, &report))?;
        }
        bar.finish_and_clear();
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

/// What one poll did, a line each.
fn poll_lines(config: &Config, feed: &config::Feed, report: &crate::ingest::feed::PollReport) -> anyhow::Result<()> {
    match &report.error {
        None if report.not_modified => say!("{}: not modified", feed.name),
        None => say!("{}: {} new entries, {} ingested", feed.name, report.new_entries, report.ingested),
        Some(error) => say!("{}: failed: {error}", feed.name),
    }
    if let Some(url) = &report.moved_to {
        say!("{}: moved for good to {url}", feed.name);
    }
    if let Some(notice) = report.notice {
        let to = if feed.receivers.is_empty() { &config.default_receivers } else { &feed.receivers };
        say!("{}: source {notice}; notice sent to {}", feed.name, to.join(", "));
    }
    Ok(())
}

pub(super) fn set_tracking(config_path: &Path, id: &str, tracking: Tracking) -> anyhow::Result<()> {
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

pub(super) fn ack(config_path: &Path, id: &str, receiver: Option<&str>) -> anyhow::Result<()> {
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
