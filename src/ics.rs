//! The tracked deadlines as an RFC 5545 calendar: one VEVENT per deadline, stable across
//! moves (UID from the id, SEQUENCE the revision), with an alarm at each lead. Served at
//! `/calendar.ics` and written by `sanctiond export ics`.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use icalendar::{Alarm, Calendar, Component, Event, EventLike, Trigger};

use crate::config::Config;
use crate::model::{Deadline, DeadlineStatus, Lead, TalkEvent, Tracking};
use crate::store::{Store, StoreError};

/// What one deadline's event shows besides the deadline itself.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub talks: Vec<TalkEvent>,
    /// The deadline's page, when the HTTP face is on.
    pub url: Option<String>,
}

/// The calendar of `deadlines`, stamped `now`. A deadline due at the last second of a day
/// in `tz` (a day-grain deadline) is that day; any other is an instant, in UTC.
pub fn calendar(deadlines: &[(Deadline, Extras)], default_leads: &[Lead], tz: Tz, now: DateTime<Utc>) -> String {
    let mut cal = Calendar::new();
    cal.name("sanctiond deadlines");
    for (d, extras) in deadlines {
        cal.push(event(d, extras, default_leads, tz, now));
    }
    cal.done().to_string()
}

/// The calendar of the ledger's tracked deadlines (with `tag`, only those): what
/// `/calendar.ics` serves and `sanctiond export ics` prints; `base` makes each event link
/// to its page.
pub fn from_ledger(
    store: &Store,
    config: &Config,
    tag: Option<&str>,
    base: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let mut out = Vec::new();
    let mut from: Option<(DateTime<Utc>, String)> = None;
    loop {
        let batch =
            store.deadlines_page(Some(Tracking::Tracked), tag, from.as_ref().map(|(t, id)| (*t, id.as_str())), 1000)?;
        let Some(last) = batch.last() else { break };
        from = Some((last.due, last.id.clone()));
        for d in batch {
            if d.status != DeadlineStatus::Active {
                continue;
            }
            let talks = store.talks(Some(&d.id), 3)?;
            let url = base.map(|b| format!("{b}/deadlines/{}", crate::views::path_segment(&d.id)));
            out.push((d, Extras { talks, url }));
        }
    }
    Ok(calendar(&out, &config.alerts.lead_times, config.daemon.timezone, now))
}

fn event(d: &Deadline, extras: &Extras, default_leads: &[Lead], tz: Tz, now: DateTime<Utc>) -> Event {
    let mut e = Event::new();
    e.uid(&format!("{}@sanctiond", d.id))
        .timestamp(now)
        .sequence(u32::try_from(d.revision.max(0)).unwrap_or(u32::MAX))
        .summary(&d.title)
        .description(&description(d, extras));
    let local = d.due.with_timezone(&tz);
    let whole_day = local.time() == NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
    if whole_day {
        e.all_day(local.date_naive());
    } else {
        e.starts(d.due).ends(d.due + Duration::minutes(15));
    }
    if let Some(url) = &extras.url {
        e.url(url);
    }
    if !d.tags.is_empty() {
        e.add_property("CATEGORIES", d.tags.join(","));
    }
    let leads: Vec<Lead> = match &d.lead_times {
        Some(list) => list.iter().filter_map(|l| Lead::parse(l).ok()).collect(),
        None => default_leads.to_vec(),
    };
    for lead in &leads {
        let span = Duration::seconds(lead.seconds());
        // A whole-day deadline falls due at the day's end.
        let trigger = if whole_day { Trigger::before_end(span) } else { Trigger::before_start(span) };
        let mut alarm = Alarm::display(&format!("{} before: {}", lead.as_str(), d.title), trigger);
        // The same alarm keeps its UID from one fetch to the next.
        alarm.uid(&format!("{}-{}@sanctiond", d.id, lead.seconds())).timestamp(now);
        e.alarm(alarm);
    }
    e.done()
}

fn description(d: &Deadline, extras: &Extras) -> String {
    let mut text = format!("Due {} (revision {}).", d.due.to_rfc3339(), d.revision);
    if !d.sources.is_empty() {
        text.push_str("\nSources: ");
        text.push_str(&d.sources.join(", "));
    }
    for t in extras.talks.iter().take(3) {
        text.push_str("\nTalks ");
        text.push_str(&crate::views::talk_line(t));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeadlineStatus, Tracking};

    fn deadline(due: &str) -> Deadline {
        Deadline {
            id: "russia-oil".into(),
            title: "Secondary tariffs on buyers of Russian oil".into(),
            due: DateTime::parse_from_rfc3339(due).expect("time").with_timezone(&Utc),
            status: DeadlineStatus::Active,
            tags: vec!["russia".into(), "oil".into()],
            lead_times: None,
            revision: 2,
            sources: vec!["a1".into()],
            tracking: Tracking::Tracked,
            official: None,
        }
    }

    #[test]
    fn a_day_grain_deadline_is_that_day_and_an_instant_is_utc() {
        let tz: Tz = "America/New_York".parse().expect("zone");
        let now = DateTime::parse_from_rfc3339("2025-08-01T00:00:00Z").expect("t").with_timezone(&Utc);
        let leads = vec![Lead::parse("1d").expect("lead"), Lead::parse("6h").expect("lead")];
        let day = calendar(&[(deadline("2025-08-08T23:59:59-04:00"), Extras::default())], &leads, tz, now);
        assert!(day.contains("DTSTART;VALUE=DATE:20250808"), "{day}");
        assert!(day.contains("UID:russia-oil@sanctiond") && day.contains("SEQUENCE:2"), "{day}");
        assert_eq!(day.matches("BEGIN:VALARM").count(), 2, "{day}");
        let at = calendar(&[(deadline("2025-08-08T00:01:00-04:00"), Extras::default())], &leads, tz, now);
        assert!(at.contains("DTSTART:20250808T040100Z"), "{at}");
        assert!(at.contains("DTSTAMP:20250801T000000Z"), "{at}");
    }
}
