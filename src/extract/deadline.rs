//! Deadlines in article text: a deadline cue ("deadline", "takes effect", "expires",
//! "within 50 days", "by August 8"…) tied to a time expression of the same sentence, with
//! the due time that follows from it. What counts is written down in GUIDELINES.md.

use std::sync::LazyLock;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use regex::Regex;
use serde::Serialize;

use super::sentence::Sentence;
use super::timex::{Timex, TimexType};

/// A deadline found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundDeadline {
    /// What happens, in a few words of the sentence.
    pub title: String,
    /// When it is due; `None` when the text gives no resolvable date.
    pub due: Option<DateTime<FixedOffset>>,
    /// `"minute"`, `"day"` or `"month"`: how precisely the text gives the time.
    pub grain: Option<&'static str>,
    pub evidence: String,
    pub start: usize,
    pub end: usize,
    /// `"superseded"` for a deadline the text says was moved; absent for a current one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
}

static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:deadlines?|ultimatums?|expir(?:e|es|ed|ing|y|ation)|tak(?:e|es|ing)\s+effect|took\s+effect|(?:come|comes|came|coming|enter|enters|entered|entering)\s+into\s+force|no\s+later\s+than|grace\s+period|wind[- ]down|snapback|set\s+to\s+lapse|lapses?|valid\s+until|extended\s+(?:at\s+least\s+)?until|within|or\s+face|kick\s+in|kicks\s+in)(?-u:\b)",
    )
    .expect("cue regex")
});

static MOVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:delay(?:s|ed|ing)?|postpon(?:e|es|ed|ing)|push(?:es|ed|ing)?(?:\s+back)?|mov(?:e|es|ed|ing)|extend(?:s|ed|ing)?|shift(?:s|ed|ing)?)(?-u:\b)")
        .expect("moved regex")
});

/// Words right before a date that make it a due date ("by August 8", "until 29 April").
const DUE_BEFORE: [&str; 5] = ["by", "until", "till", "before", "than"];

pub fn find(
    text: &str,
    sentences: &[Sentence],
    times: &[Timex],
    published: DateTime<FixedOffset>,
    tz: Tz,
) -> Vec<FoundDeadline> {
    let mut out: Vec<FoundDeadline> = Vec::new();
    // Both lists are in text order: walk them together, so the work stays linear.
    let mut first = 0;
    for s in sentences {
        while first < times.len() && times[first].start < s.start {
            first += 1;
        }
        let here: Vec<&Timex> =
            times[first..].iter().take_while(|t| t.start < s.end).filter(|t| t.end <= s.end).collect();
        let cue = CUE.find(&text[s.start..s.end]).map(|m| (s.start + m.start(), s.start + m.end()));
        let due_word =
            here.iter().find(|t| word_before(text, t.start).is_some_and(|w| DUE_BEFORE.contains(&w.as_str())));
        let Some((cue_start, cue_end)) = cue.or_else(|| due_word.map(|t| (t.start, t.start))) else { continue };
        let cue_text = text[cue_start..cue_end].to_ascii_lowercase();
        let zone = zone_in(&text[s.start..s.end], tz);
        let evidence = text[s.start..s.end].trim().to_owned();
        let title = title(text, s, &here, cue_start, cue_end);

        // "delay the July 9 deadline to August 1": the first date is superseded.
        let dated: Vec<&&Timex> = here.iter().filter(|t| due_of(t, published, zone).is_some()).collect();
        if dated.len() >= 2 && MOVED.is_match(&text[s.start..s.end]) {
            for (i, t) in dated.iter().take(2).enumerate() {
                let (due, grain) = due_of(t, published, zone).unwrap_or((published, "day"));
                out.push(FoundDeadline {
                    title: title.clone(),
                    due: Some(due),
                    grain: Some(grain),
                    evidence: evidence.clone(),
                    start: s.start,
                    end: s.end,
                    status: (i == 0).then_some("superseded"),
                });
            }
            continue;
        }
        let chosen = if cue_text == "within" {
            // "within 50 days": counted from the day it was said.
            here.iter()
                .filter(|t| t.kind == TimexType::Duration && t.start >= cue_end)
                .min_by_key(|t| t.start - cue_end)
                .and_then(|t| within(t, published, zone))
        } else {
            due_word
                .or_else(|| {
                    here.iter()
                        .filter(|t| due_of(t, published, zone).is_some())
                        .min_by_key(|t| distance(t, cue_start, cue_end))
                })
                .and_then(|t| {
                    let (due, grain) = due_of(t, published, zone)?;
                    // "on Wednesday, two days before a deadline": two days after Wednesday.
                    let later = days_before_cue(text, &here, t, cue_start).unwrap_or(0);
                    Some((due.checked_add_days(Days::new(later))?, grain))
                })
        };
        if cue_text == "within" && chosen.is_none() {
            continue;
        }
        let (due, grain) = match chosen {
            Some((d, g)) => (Some(d), Some(g)),
            None => (None, None),
        };
        out.push(FoundDeadline { title, due, grain, evidence, start: s.start, end: s.end, status: None });
    }
    dedup(out)
}

/// One deadline stated several ways is one entry: keep the most precise mention of a day.
fn dedup(found: Vec<FoundDeadline>) -> Vec<FoundDeadline> {
    let rank = |g: Option<&str>| match g {
        Some("minute") => 3,
        Some("day") => 2,
        Some(_) => 1,
        None => 0,
    };
    let mut out: Vec<FoundDeadline> = Vec::new();
    let mut by_day: std::collections::HashMap<(Option<&'static str>, NaiveDate), usize> =
        std::collections::HashMap::new();
    for d in found {
        let Some(day) = d.due.map(|t| t.date_naive()) else {
            out.push(d);
            continue;
        };
        match by_day.get(&(d.status, day)) {
            Some(&i) if rank(d.grain) > rank(out[i].grain) => out[i] = d,
            Some(_) => {}
            None => {
                by_day.insert((d.status, day), out.len());
                out.push(d);
            }
        }
    }
    // An undated mention next to dated ones of the same article is usually the same
    // deadline; keep it only when the article has no dated one.
    if out.iter().any(|d| d.due.is_some()) {
        out.retain(|d| d.due.is_some());
    } else {
        out.truncate(1);
    }
    out
}

fn distance(t: &Timex, cue_start: usize, cue_end: usize) -> usize {
    if t.start >= cue_end { t.start - cue_end } else { cue_start.saturating_sub(t.end) + 1 }
}

fn word_before(text: &str, at: usize) -> Option<String> {
    let before = text[..at].trim_end();
    let word = before.rsplit(|c: char| !c.is_ascii_alphabetic()).next()?;
    (!word.is_empty()).then(|| word.to_ascii_lowercase())
}

/// The due time a time expression gives: a clock time in the zone the text names, the end
/// of a day, or the end of a month's last day.
fn due_of(t: &Timex, published: DateTime<FixedOffset>, zone: Zone) -> Option<(DateTime<FixedOffset>, &'static str)> {
    let _ = published;
    let v = t.value.as_str();
    if t.kind == TimexType::Time && v.len() >= 16 && v.as_bytes()[10] == b'T' && v.as_bytes()[13] == b':' {
        let at = NaiveDateTime::parse_from_str(&v[..16], "%Y-%m-%dT%H:%M").ok()?;
        return Some((zone.at(at)?, "minute"));
    }
    if v.len() == 10
        && v.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
    {
        let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
        return Some((zone.end_of(day)?, "day"));
    }
    if v.len() == 7 && v.as_bytes()[4] == b'-' && v[5..].bytes().all(|b| b.is_ascii_digit()) {
        let first = NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d").ok()?;
        let last = first.checked_add_months(chrono::Months::new(1))? - Days::new(1);
        return Some((zone.end_of(last)?, "month"));
    }
    None
}

/// "within 50 days" said on `published`: due at the end of the 50th day after it.
/// N when the text says "DATE, N days before the deadline": a duration right after the
/// date and right before the cue, joined by "before" or "ahead of".
fn days_before_cue(text: &str, here: &[&Timex], date: &Timex, cue_start: usize) -> Option<u64> {
    let d = here.iter().find(|d| d.kind == TimexType::Duration && d.start >= date.end && d.end <= cue_start)?;
    let between = text.get(date.end..d.start)?.trim_matches(|c: char| c.is_whitespace() || c == ',');
    // The duration may span the joining word itself ("two days before").
    let tail = text.get(d.start..cue_start)?.to_ascii_lowercase();
    let at = tail.find(" before").map(|i| i + 7).or_else(|| tail.find(" ahead of").map(|i| i + 9))?;
    let rest = &tail[at..];
    if !between.is_empty() || rest.split_whitespace().count() > 3 {
        return None;
    }
    let v = d.value.strip_prefix('P')?;
    let (n, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    match unit {
        "D" => Some(n),
        "W" => n.checked_mul(7),
        _ => None,
    }
}

fn within(t: &Timex, published: DateTime<FixedOffset>, zone: Zone) -> Option<(DateTime<FixedOffset>, &'static str)> {
    let v = t.value.strip_prefix('P')?;
    let (n, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    let day = published.date_naive();
    let due = match unit {
        "D" => day.checked_add_days(Days::new(n))?,
        "W" => day.checked_add_days(Days::new(7 * n))?,
        "M" => day.checked_add_months(chrono::Months::new(u32::try_from(n).ok()?))?,
        _ => return None,
    };
    Some((zone.end_of(due)?, "day"))
}

/// The zone a sentence names for its times, else the configured one.
#[derive(Debug, Clone, Copy)]
enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

impl Zone {
    fn at(self, local: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        match self {
            Zone::Fixed(o) => o.from_local_datetime(&local).single(),
            Zone::Named(tz) => tz.from_local_datetime(&local).earliest().map(|t| t.fixed_offset()),
        }
    }

    fn end_of(self, day: NaiveDate) -> Option<DateTime<FixedOffset>> {
        self.at(day.and_time(NaiveTime::from_hms_opt(23, 59, 59)?))
    }
}

fn zone_in(sentence: &str, fallback: Tz) -> Zone {
    let hours = |h: i32| FixedOffset::east_opt(h * 3600).map_or(Zone::Named(fallback), Zone::Fixed);
    let named = |name: &str| name.parse::<Tz>().map_or(Zone::Named(fallback), Zone::Named);
    for word in sentence.split(|c: char| !c.is_ascii_alphanumeric()) {
        match word {
            "EDT" => return hours(-4),
            "EST" => return hours(-5),
            "ET" => return named("America/New_York"),
            "CDT" => return hours(-5),
            "CST" => return hours(-6),
            "PDT" => return hours(-7),
            "PST" => return hours(-8),
            "GMT" | "UTC" => return hours(0),
            "BST" => return hours(1),
            "CET" => return hours(1),
            "CEST" => return hours(2),
            "MSK" => return hours(3),
            _ => {}
        }
    }
    if sentence.contains("Moscow time") {
        return hours(3);
    }
    if sentence.contains("Eastern Time") || sentence.contains("Eastern time") || sentence.contains("Washington time") {
        return named("America/New_York");
    }
    if sentence.contains("Kyiv time") {
        return named("Europe/Kyiv");
    }
    Zone::Named(fallback)
}

/// A short title: the few words before the cue and the cue itself, without time
/// expressions or the prepositions that tie them to the rest of the sentence
/// ("impending sanctions deadline", "sanctions take effect").
fn title(text: &str, s: &Sentence, times: &[&Timex], cue_start: usize, cue_end: usize) -> String {
    const GLUE: [&str; 24] = [
        "a", "an", "the", "of", "ahead", "to", "before", "after", "by", "on", "in", "with", "and", "that", "for",
        "amid", "as", "at", "said", "says", "its", "their", "his", "her",
    ];
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut offset = s.start;
    for piece in text[s.start..s.end].split_inclusive(char::is_whitespace) {
        let at = offset;
        offset += piece.len();
        let word = piece.trim().trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'');
        if word.is_empty() || times.iter().any(|t| at >= t.start && at < t.end) {
            continue;
        }
        words.push((at, word));
    }
    let first_cue = words.iter().position(|(at, _)| *at >= cue_start).unwrap_or(words.len());
    let after_cue = words.iter().position(|(at, _)| *at >= cue_end.max(cue_start + 1)).unwrap_or(words.len());
    let earliest = first_cue.saturating_sub(4);
    // Start after the last comma-like break, so a title does not run across clauses.
    let from = (earliest..first_cue)
        .rev()
        .find(|i| text[..words[*i].0].trim_end().ends_with([',', ';', ':']))
        .unwrap_or(earliest);
    let mut picked: Vec<&str> =
        words[from..after_cue.max(first_cue + 1).min(words.len())].iter().map(|(_, w)| *w).collect();
    while picked.first().is_some_and(|w| GLUE.contains(&w.to_ascii_lowercase().as_str())) {
        picked.remove(0);
    }
    while picked.len() > 1 && picked.last().is_some_and(|w| GLUE.contains(&w.to_ascii_lowercase().as_str())) {
        picked.pop();
    }
    picked.join(" ")
}
