//! `[[time_interval]]`: named quiet hours (weekdays, a start and end time of day, a zone)
//! that a `[[route]]` names in `mute_time_intervals` to hold its alerts until they end.

use std::collections::HashSet;

use chrono::{NaiveTime, Weekday};
use chrono_tz::Tz;
use toml::de::DeTable;

use super::reader::Reader;
use super::{parse_timezone, required_string};

const KEYS: [&str; 5] = ["name", "weekdays", "start", "end", "timezone"];

/// Quiet hours: from `start` to `end` (wrapping past midnight when `end <= start`) on each
/// of `weekdays` (the day the interval starts), in `timezone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeInterval {
    pub name: String,
    /// Empty means every day.
    pub weekdays: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// `[daemon] timezone` when unset.
    pub timezone: Option<Tz>,
}

/// The valid intervals, and the name of every interval written (valid or not), so a route
/// naming one with a mistake is not also told that it does not exist.
pub(super) fn read(r: &mut Reader, root: &DeTable<'_>) -> (Vec<TimeInterval>, Vec<String>) {
    let mut out: Vec<TimeInterval> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (t, span) in r.tables(root, "time_interval") {
        r.check_keys(t, "[[time_interval]]", &KEYS);
        let name = required_string(r, t, "name", &span, "[[time_interval]]");
        if let Some(name) = &name {
            names.push(name.get_ref().clone());
        }
        let mut weekdays = Vec::new();
        for day in r.strings(t, "weekdays").unwrap_or_default() {
            match day.get_ref().parse::<Weekday>() {
                Ok(d) if !weekdays.contains(&d) => weekdays.push(d),
                Ok(_) => {}
                Err(_) => r.error(day.span(), format!("\"{}\" is not a weekday: use mon, tue, … sun", day.get_ref())),
            }
        }
        let mut time = |key: &str| -> Option<NaiveTime> {
            let Some(text) = r.string(t, key) else {
                r.error(span.clone(), format!("[[time_interval]] needs \"{key}\", a time of day like \"18:30\""));
                return None;
            };
            match NaiveTime::parse_from_str(text.get_ref(), "%H:%M") {
                Ok(time) => Some(time),
                Err(_) => {
                    r.error(
                        text.span(),
                        format!("\"{}\" is not a time of day: write it like \"18:30\"", text.get_ref()),
                    );
                    None
                }
            }
        };
        let (start, end) = (time("start"), time("end"));
        let timezone = r.string(t, "timezone").and_then(|tz| match parse_timezone(tz.get_ref()) {
            Ok(zone) => Some(zone),
            Err(message) => {
                r.error(tz.span(), message);
                None
            }
        });
        if let (Some(start), Some(end)) = (start, end)
            && start == end
        {
            r.error(span.clone(), "start and end are the same time: the interval would be empty");
            continue;
        }
        if let Some(name) = &name
            && out.iter().any(|i| &i.name == name.get_ref())
        {
            r.error(name.span(), format!("time_interval \"{}\" is declared twice", name.get_ref()));
            continue;
        }
        if let (Some(name), Some(start), Some(end)) = (name, start, end) {
            out.push(TimeInterval { name: name.into_inner(), weekdays, start, end, timezone });
        }
    }
    (out, names)
}

/// Checks that every name in `mute` is a declared interval.
pub(super) fn check_names(r: &mut Reader, mute: &[toml::Spanned<String>], known: &HashSet<&str>) {
    for name in mute {
        if !known.contains(name.get_ref().as_str()) {
            let mut names: Vec<&str> = known.iter().copied().collect();
            names.sort_unstable();
            let hint = match super::diagnostic::did_you_mean(name.get_ref(), &names) {
                Some(close) => format!(", did you mean \"{close}\"?"),
                None if names.is_empty() => ": declare it with [[time_interval]]".to_owned(),
                None => format!(" (declared: {})", names.join(", ")),
            };
            r.error(name.span(), format!("no [[time_interval]] named \"{}\"{hint}", name.get_ref()));
        }
    }
}
