//! Checks: `check-config` and `test-alert`.

use super::*;

pub(super) fn check_config(path: &Path) -> anyhow::Result<()> {
    let config = config::load(path)?;
    let now = Utc::now();
    let tz = config.daemon.timezone;
    say!("{}: OK", path.display());
    say!("  timezone:  {tz}");
    match &config.store {
        Some(store) => {
            let tls = match (&store.tls, &store.ca_file) {
                (false, _) => "plain text".to_owned(),
                (true, None) => "TLS, verified by the system's roots".to_owned(),
                (true, Some(ca)) => format!("TLS, verified by {}", ca.display()),
            };
            say!("  ledger:    {} (PostgreSQL, {tls}, lease {:?})", store.url, store.lease);
        }
        None => say!("  ledger:    {}", daemon::ledger_path(&config).display()),
    }
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
    if let Some(h) = &config.http {
        let guard = if h.token.is_some() { "every request needs the token" } else { "no token: this machine only" };
        say!("  http:      http://{}/ ({guard})", h.listen);
    }
    // The places the daemon writes, looked at now: a fault here is what its log would say.
    let state = daemon::ledger_path(&config).parent().map(Path::to_owned);
    for problem in daemon::storage_problems(state.as_deref(), config.spool.as_ref().map(|s| s.dir.as_path())) {
        say!("  warning:   {problem}");
    }
    if !config.topics.is_empty() || !config.actors.is_empty() {
        say!("  tracking:  {} topic(s), {} watched actor(s)", config.topics.len(), config.actors.len());
    }
    if !config.feeds.is_empty() {
        let feeds: Vec<String> = config
            .feeds
            .iter()
            .map(|f| match f.kind.official() {
                Some(source) => format!("{} ({source}, official)", f.name),
                None => f.name.clone(),
            })
            .collect();
        say!("  feeds:     {}", feeds.join(", "));
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
            official: None,
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

pub(super) fn test_alert(path: &Path, name: &str) -> anyhow::Result<()> {
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
