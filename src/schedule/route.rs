//! Routing, pure: which receivers and recipients a message goes to, and whether a route's
//! quiet hours hold it back now.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::config::quiet::TimeInterval;
use crate::config::{Config, ReceiverKind};
use crate::model::{Alert, MessageKind, Target};
use crate::store::{Store, StoreError};

/// The targets of a deadline's messages: each receiver its route picks, and for an email
/// receiver each of its `to` and `cc` addresses, so that every address is its own outbox
/// row, claimed and settled on its own.
pub fn targets(config: &Config, id: &str, tags: &[String]) -> Vec<Target> {
    targets_of(config, config.receivers_for(id, tags))
}

/// The targets of the named receivers; names not in the config are left out.
pub fn targets_of(config: &Config, receivers: &[String]) -> Vec<Target> {
    let mut out = Vec::new();
    for name in receivers {
        let Some(receiver) = config.receiver(name) else { continue };
        match &receiver.kind {
            ReceiverKind::Email { to, cc } => {
                for mailbox in to.iter().chain(cc) {
                    let recipient = mailbox.email.to_string();
                    let target = Target { receiver: name.clone(), recipient };
                    if !out.contains(&target) {
                        out.push(target);
                    }
                }
            }
            _ => out.push(Target { receiver: name.clone(), recipient: String::new() }),
        }
    }
    out
}

/// When quiet hours that hold `row` end, if they hold it at `now`: an alert whose route
/// names `mute_time_intervals` waits while one of them covers `now`, unless its lead is at
/// most the route's `urgent_lead`. Notices and digests are never held.
pub fn muted_until(
    config: &Config,
    store: &Store,
    row: &Alert,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    if row.kind != MessageKind::Alert || config.time_intervals.is_empty() {
        return Ok(None);
    }
    let Some(deadline) = store.deadline(&row.key.deadline)? else { return Ok(None) };
    let Some(route) = config.route_for(&deadline.id, &deadline.tags) else { return Ok(None) };
    if route.mute_time_intervals.is_empty()
        || route.urgent_lead.as_ref().is_some_and(|u| row.key.lead_seconds <= u.seconds())
    {
        return Ok(None);
    }
    let intervals: Vec<&TimeInterval> =
        config.time_intervals.iter().filter(|i| route.mute_time_intervals.contains(&i.name)).collect();
    Ok(quiet_until(&intervals, config.daemon.timezone, now))
}

/// The end of the quiet hours covering `now`, following on through intervals that touch.
pub fn quiet_until(intervals: &[&TimeInterval], default_tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut at = now;
    let mut quiet = false;
    // Bounded: a week of back-to-back intervals is still a finite answer.
    for _ in 0..16 {
        let Some(end) = intervals.iter().filter_map(|i| covering_end(i, default_tz, at)).max() else { break };
        quiet = true;
        at = end;
    }
    quiet.then_some(at)
}

/// If `interval` covers `t`, when that stretch of it ends.
fn covering_end(interval: &TimeInterval, default_tz: Tz, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tz = interval.timezone.unwrap_or(default_tz);
    let local = t.with_timezone(&tz);
    let (date, time) = (local.date_naive(), local.time());
    let on = |d: NaiveDate| interval.weekdays.is_empty() || interval.weekdays.contains(&d.weekday());
    let at = |d: NaiveDate, time| {
        let naive = d.and_time(time);
        tz.from_local_datetime(&naive)
            .earliest()
            .or_else(|| tz.from_local_datetime(&(naive + Duration::hours(1))).earliest())
            .map(|x| x.with_timezone(&Utc))
    };
    let wraps = interval.end <= interval.start;
    if !wraps {
        (on(date) && time >= interval.start && time < interval.end).then(|| at(date, interval.end)).flatten()
    } else if time >= interval.start && on(date) {
        at(date.succ_opt()?, interval.end)
    } else if time < interval.end && on(date.pred_opt()?) {
        at(date, interval.end)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, Weekday};

    fn interval(days: &[Weekday], start: &str, end: &str) -> TimeInterval {
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").expect("time");
        TimeInterval { name: "q".into(), weekdays: days.to_vec(), start: t(start), end: t(end), timezone: None }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").to_utc()
    }

    #[test]
    fn nights_wrap_past_midnight_in_the_local_zone() {
        let tz: Tz = "Europe/Brussels".parse().expect("zone");
        let nights = interval(&[], "20:00", "07:00");
        // 22:30 in Brussels (CEST, UTC+2) on a Tuesday: quiet until 07:00 Wednesday.
        assert_eq!(quiet_until(&[&nights], tz, utc("2025-08-05T20:30:00Z")), Some(utc("2025-08-06T05:00:00Z")));
        // 06:59 is still night, 07:00 is not.
        assert_eq!(quiet_until(&[&nights], tz, utc("2025-08-06T04:59:00Z")), Some(utc("2025-08-06T05:00:00Z")));
        assert_eq!(quiet_until(&[&nights], tz, utc("2025-08-06T05:00:00Z")), None);
        assert_eq!(quiet_until(&[&nights], tz, utc("2025-08-06T12:00:00Z")), None);
    }

    #[test]
    fn weekdays_are_the_day_the_interval_starts_and_touching_intervals_join() {
        let tz = Tz::UTC;
        // Friday 18:00 to Monday 08:00 as two intervals that touch.
        let friday_night = interval(&[Weekday::Fri], "18:00", "00:00");
        let weekend = interval(&[Weekday::Sat, Weekday::Sun], "00:00", "23:59");
        let early = interval(&[Weekday::Mon], "00:00", "08:00");
        let all = [&friday_night, &weekend, &early];
        // 2025-08-08 is a Friday.
        assert_eq!(quiet_until(&[&friday_night], tz, utc("2025-08-08T19:00:00Z")), Some(utc("2025-08-09T00:00:00Z")));
        assert_eq!(quiet_until(&[&friday_night], tz, utc("2025-08-07T19:00:00Z")), None, "Thursday is not muted");
        let end = quiet_until(&all, tz, utc("2025-08-08T19:00:00Z")).expect("muted");
        assert_eq!(end, utc("2025-08-09T23:59:00Z"), "Friday night runs into Saturday; the gap at 23:59 ends it");
    }
}
