//! The read commands: deadlines, talks, feeds and alerts as tables or JSON (the JSON
//! objects come from `crate::views`, shared with the HTTP API).

use super::*;

pub(super) fn show_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M:%S %Z").to_string()
}

pub(super) fn print_deadlines(
    config: &Config,
    store: &Store,
    format: Format,
    which: Option<Tracking>,
) -> anyhow::Result<()> {
    let tz = config.daemon.timezone;
    let mut deadlines = store.deadlines()?;
    deadlines.retain(|d| which.is_none_or(|t| d.tracking == t));
    match format {
        Format::Json => {
            let out = views::deadlines(store, &deadlines, tz)?;
            say!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Human => {
            let ids: Vec<&str> = deadlines.iter().map(|d| d.id.as_str()).collect();
            let reports = store.reports_of(&ids)?;
            let rows: Vec<Vec<String>> = deadlines
                .iter()
                .map(|d| {
                    let talks = store.talks(Some(&d.id), usize::MAX).map_or(0, |t| t.len());
                    let mut title = d.title.clone();
                    let r = reports.get(&d.id);
                    if let Some(o) = &d.official {
                        if r.is_some_and(|r| r.news) {
                            title.push_str(&format!(" [confirmed by {}]", o.source));
                        } else {
                            title.push_str(&format!(" [official: {}]", o.source));
                        }
                    }
                    if let Some(n) = r.map(|r| r.contradicted.len()).filter(|n| *n > 0) {
                        title.push_str(&format!(" [{n} report(s) give another day]"));
                    }
                    vec![
                        d.id.clone(),
                        show_time(d.due, tz),
                        if d.tracking == Tracking::Tracked { d.status.as_str() } else { d.tracking.as_str() }
                            .to_owned(),
                        d.revision.to_string(),
                        d.sources.len().to_string(),
                        talks.to_string(),
                        title,
                    ]
                })
                .collect();
            say_raw!("{}", table(&["ID", "DUE", "STATUS", "REV", "SOURCES", "TALKS", "TITLE"], &rows));
        }
    }
    Ok(())
}

pub(super) fn print_talks(talks: &[TalkEvent], format: Format) -> anyhow::Result<()> {
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

pub(super) fn print_feeds(config: &Config, store: &Store, format: Format) -> anyhow::Result<()> {
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

pub(super) fn print_instances(instances: &[Instance], format: Format, now: DateTime<Utc>) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let out: Vec<_> = instances.iter().map(|i| views::instance(i, now)).collect();
            say!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Human if instances.is_empty() => {
            say!("no daemon has stamped this ledger: instances are listed on a PostgreSQL ledger ([store] url)");
        }
        Format::Human => {
            let rows: Vec<Vec<String>> = instances
                .iter()
                .map(|i| {
                    vec![
                        i.id.clone(),
                        if i.live(now) { "live" } else { "gone" }.to_owned(),
                        i.pid.to_string(),
                        i.started.to_rfc3339_opts(SecondsFormat::Secs, true),
                        i.heartbeat.to_rfc3339_opts(SecondsFormat::Millis, true),
                        i.sending.to_string(),
                    ]
                })
                .collect();
            say_raw!("{}", table(&["INSTANCE", "STATE", "PID", "STARTED", "HEARTBEAT", "SENDING"], &rows));
        }
    }
    Ok(())
}

pub(super) fn print_alerts(alerts: &[Alert], format: Format) -> anyhow::Result<()> {
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

pub(super) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
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

/// `--since`: RFC 3339, a date (its start in `tz`), or a span back from `now` ("24h", "7d").
pub(super) fn since_time(value: &str, tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, InputError> {
    if let Some(t) = time_or_day(value, tz, false) {
        return Ok(t);
    }
    humantime::parse_duration(value)
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .and_then(|d| now.checked_sub_signed(d))
        .ok_or_else(|| {
            InputError(format!(
                "--since {value:?} is not a time: write RFC 3339, a date (2025-08-01) or a span (24h, 7d)"
            ))
        })
}

pub(super) fn print_changes(
    changes: &[crate::store::Change],
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    format: Format,
) -> anyhow::Result<()> {
    use crate::store::ChangeKind;
    if format == Format::Json {
        say!(
            "{}",
            serde_json::to_string_pretty(&json!({"since": millis(since), "until": millis(now), "changes": changes}))?
        );
        return Ok(());
    }
    for c in changes {
        let line = match &c.what {
            ChangeKind::NewDeadline { deadline, title, due, tracking, source } => {
                format!("new deadline  {deadline} \"{title}\" due {} ({tracking}) from {source}", millis(*due))
            }
            ChangeKind::Moved { deadline, title, revision, from, to, source } => format!(
                "moved         {deadline} \"{title}\" revision {revision}: {} -> {} from {source}",
                millis(*from),
                millis(*to)
            ),
            ChangeKind::Withdrawn { deadline, title } => format!("withdrawn     {deadline} \"{title}\""),
            ChangeKind::NewTalk { talk, participants, status, date, place, reported_by } => {
                let mut line = format!("new talk      {talk}: {} ({status}", participants.join(" & "));
                if let Some(d) = date {
                    let _ = write!(line, ", {d}");
                }
                if let Some(p) = place {
                    let _ = write!(line, ", in {p}");
                }
                line.push(')');
                if let Some(r) = reported_by {
                    let _ = write!(line, " reported by {r}");
                }
                line
            }
        };
        say!("{}  {line}", millis(c.at));
    }
    Ok(())
}

/// A time given on the command line: RFC 3339, or a date meaning its start (or, with
/// `end_of_day`, its last second) in `tz`.
pub(super) fn time_or_day(value: &str, tz: Tz, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    let day = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    let local = if end_of_day { day.and_hms_opt(23, 59, 59) } else { day.and_hms_opt(0, 0, 0) }?;
    local.and_local_timezone(tz).earliest().map(|t| t.with_timezone(&Utc))
}
