//! Time expressions in running text: where they are (byte spans) and what they mean
//! (ISO-TimeML TIMEX3 type and value), resolved against the publication date.
//!
//! One combined regex finds candidates in a single pass; each candidate is then matched
//! against the pattern it came from (anchored, with captures) and resolved. News mostly
//! looks back ("said Friday" is the last Friday); deadline language looks forward ("by
//! Friday", "Friday's deadline"): [`direction`] decides per expression from nearby cues.

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use regex::Regex;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimexType {
    Date,
    Time,
    Duration,
    Set,
}

/// One time expression: its text, byte span and TIMEX3 type and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timex {
    pub text: String,
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub kind: TimexType,
    pub value: String,
}

/// Whether an expression points back or forward from the publication date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Past,
    Future,
}

const B: &str = r"(?-u:\b)";
const MON: &str = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.|Jan|Feb|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)";
const WD: &str = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const DAY: &str = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?";
const YEAR: &str = r"(?:1[89][0-9]{2}|20[0-9]{2})";
/// A day of the month in words: "the first of January", "the twenty-third of May".
const ORDINAL_DAY: &str = r"(?i:(?:twenty[- ]|thirty[- ])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)";
const TOD: &str = r"(?:morning|afternoon|evening|night)";
const ZONE: &str = r"(?:EST|EDT|ET|CST|CDT|CT|PST|PDT|PT|MST|MDT|AKST|AKDT|HST|GMT|UTC|BST|WET|WEST|CET|CEST|EET|EEST|MSK|EAT|WAT|CAT|SAST|GST|PKT|IST|ICT|WIB|HKT|SGT|JST|KST|AWST|ACST|AEST|AEDT|NZST|NZDT|Beijing time|Tokyo time|Tehran time|Moscow time|Kyiv time|Eastern Time|Eastern time|Eastern Standard Time|Eastern Daylight Time|Washington time|local time)";
const NUMBER: &str = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?(?:\s+1/2)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a\s+hundred|hundred|a\s+few|a|an|several|few|many|some|a\s+couple\s+of|couple\s+of)";
const UNIT: &str =
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies)|quarters?|weekends?|nights?)";

/// The patterns, in the order the combined regex tries them at one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ClockTime,
    FullDate,
    NumericDate,
    SpelledYear,
    YearEarlier,
    QuarterRef,
    Holiday,
    YearEnd,
    Decade,
    Century,
    Ordinal,
    Quarter,
    Half,
    SeasonYear,
    Span,
    VagueSpan,
    Anaphoric,
    RelativePeriod,
    Deictic,
    WeekdayName,
    MonthName,
    Recurring,
    Reference,
    YearNumber,
}

struct Pattern {
    kind: Kind,
    anchored: Regex,
}

fn patterns() -> Vec<(Kind, String)> {
    let clock = format!(
        r"(?:(?P<h>2[0-3]|[01]?[0-9])(?:[:.](?P<m>[0-5][0-9]))?\s?(?P<ap>[ap]\.m\.|[ap]\.m{B}|[ap]m{B}|[AP]M{B})|(?P<h2>2[0-3]|[01]?[0-9]):(?P<m2>[0-5][0-9]){B}|(?P<h3>1[0-2]|0?[1-9])(?:\s+o'clock)?\s+in\s+the\s+(?P<ap3>morning|afternoon|evening|night){B}|(?i:(?P<nm>noon|midnight|midday)){B})"
    );
    vec![
        (
            Kind::ClockTime,
            format!(
                r"(?:(?i:around|about|at)\s+)?(?:{clock}(?:\s+(?P<z>{ZONE}))?|(?P<h4>[01][0-9]|2[0-3])(?P<m4>[0-5][0-9])\s*(?:hours\s+|hrs\s+)?(?P<z2>GMT|UTC|Z{B}))(?:,?\s+(?:on\s+)?(?:(?P<wd>{WD})|(?P<mon>{MON})\s+(?P<day>{DAY})(?:,?\s+(?P<year>{YEAR}))?|(?P<day2>{DAY})\s+(?:of\s+)?(?P<mon2>{MON})(?:,?\s+(?P<year2>{YEAR}))?|(?P<rel>(?i:today|tonight|tomorrow|yesterday))|(?P<part>(?i:(?:this|that)\s+(?:morning|afternoon|evening|night)))))?{B}"
            ),
        ),
        (
            Kind::FullDate,
            format!(
                r"(?:(?P<rel>(?i:last|next|this))\s+)?(?:(?P<wd>{WD}),?\s+)?(?:(?:the\s+)?(?P<day2>{DAY}|{ORDINAL_DAY})\s+(?:of\s+)?(?P<mon2>{MON})|(?P<mon>{MON})\s+(?P<day>{DAY})(?-u:\b))(?:,?\s+(?P<year>{YEAR})|,?\s+(?:of\s+)?(?P<yrel>(?i:this|last|next))\s+year)?{B}"
            ),
        ),
        (
            Kind::NumericDate,
            format!(
                r"(?:(?P<y>{YEAR})-(?P<mo>0[1-9]|1[0-2])-(?P<d>3[01]|[12][0-9]|0[1-9])|(?P<mo2>1[0-2]|0?[1-9])/(?P<d2>3[01]|[12][0-9]|0?[1-9])/(?P<y2>{YEAR}|[0-9]{{2}})){B}"
            ),
        ),
        (
            Kind::SpelledYear,
            format!(
                r"(?i:(?P<pre>the\s+year\s+)?(?:nineteen[-\s](?P<tens>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?P<unit>one|two|three|four|five|six|seven|eight|nine){B})?|nineteen[-\s](?P<teen>ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)|two\s+thousand(?:\s+and\s+(?P<unit2>one|two|three|four|five|six|seven|eight|nine|ten){B})?)){B}"
            ),
        ),
        (
            Kind::YearEarlier,
            format!(
                r"(?i:(?:the\s+)?(?:(?:comparable|corresponding|same)\s+)?(?:year-(?P<e1>earlier|ago)|a\s+year\s+(?P<e2>earlier|ago|before))(?:\s+(?P<ord>first|second|third|fourth)(?:\s+|-)quarter|\s+(?P<unit>quarter|period))?){B}"
            ),
        ),
        (
            Kind::Holiday,
            format!(
                r"(?:(?i:last|next|this)\s+)?(?P<h>Thanksgiving(?:\s+Day)?|Christmas(?:\s+Day|\s+Eve)?|New\s+Year's\s+(?:Day|Eve)|Election\s+Day|Independence\s+Day|Labor\s+Day|Memorial\s+Day|Veterans\s+Day|Boxing\s+Day)(?:,?\s+(?P<year>{YEAR}))?{B}"
            ),
        ),
        (
            Kind::QuarterRef,
            format!(
                r"(?i:(?P<det>the|that|this)\s+(?:(?P<rel>latest|most\s+recent|same|current|previous|last|past|comparable|recent|preceding|next|coming)\s+)?(?:fiscal\s+)?quarter){B}"
            ),
        ),
        (Kind::YearEnd, format!(r"(?i:(?:the\s+|a\s+)?(?:year-end|year\s+end|year's\s+end|end\s+of\s+the\s+year)){B}")),
        (
            Kind::Decade,
            format!(
                r"(?i:the\s+(?:(?:early|mid|late)[-\s])?(?:nineteen[-\s])?(?P<dw>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)){B}"
            ),
        ),
        (
            Kind::Century,
            format!(
                r"(?i:(?:the\s+)?(?:(?P<n>[12]?[0-9])(?:st|nd|rd|th)|(?P<w>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first|twenty\s+first))[-\s]century){B}"
            ),
        ),
        (Kind::Ordinal, format!(r"(?:the|The)\s+(?P<d>3[01]|[12][0-9]|[1-9])(?:st|nd|rd|th){B}")),
        (
            Kind::Quarter,
            format!(
                r"(?i:(?:the\s+)?(?:(?P<yp>{YEAR})(?:'s)?\s+|(?P<yrel>this|last|next)\s+year's\s+)?(?:(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)(?:\s+|-)(?:fiscal\s+|calendar\s+)?quarter|(?-i:Q(?P<qn>[1-4]))))(?:,?\s+(?:of\s+)?(?:(?P<year>{YEAR})|(?i:(?P<yrel2>this|last|next)\s+year)|(?-i:FY|CY)?(?P<yshort>[0-9]{{2}}){B}))?{B}"
            ),
        ),
        (
            Kind::Half,
            format!(
                r"(?:(?i:(?:the\s+)?(?P<h>first|second|1st|2nd)\s+half(?:\s+of)?(?:\s+(?:(?P<year>{YEAR})|(?P<rel>this|last|next)\s+year|the\s+year))?)|(?-i:(?P<hn>H[12])\s?(?P<hyear>{YEAR}))){B}"
            ),
        ),
        (
            Kind::SeasonYear,
            format!(
                r"(?i:(?:the\s+)?(?:early|late|mid)-?\s*)?(?i:the\s+)?(?P<season>(?i:spring|summer|fall|autumn|winter))\s+(?:of\s+)?(?P<year>{YEAR}){B}"
            ),
        ),
        (
            Kind::Span,
            format!(
                r"(?i:(?P<pre>(?:the\s+)?(?:past|last|next|first|previous|coming|following|final)\s+|(?:about|nearly|almost|more\s+than|less\s+than|over|some|at\s+least|up\s+to|another)\s+)?(?P<num>{NUMBER})(?:\s+to\s+(?P<num2>{NUMBER}))?(?:\s+|-)(?:more\s+)?(?P<unit>{UNIT})(?:\s+(?P<post>ago|earlier|later|from\s+now|from\s+today|before|after))?){B}"
            ),
        ),
        (
            Kind::VagueSpan,
            format!(
                r"(?i:(?P<pre>for|over|within|recent|the\s+past|the\s+coming|the\s+next|the\s+last|coming|past|in\s+recent)\s+)(?P<unit>(?i:minutes|hours|days|weeks|months|years|decades|centuries)){B}"
            ),
        ),
        (
            Kind::Anaphoric,
            format!(
                r"(?i:(?P<pre>that\s+(?:same|very)|that|the\s+same|the\s+following|the\s+next|the\s+previous|the\s+preceding|the\s+prior|(?:earlier|later)\s+that|(?:earlier|later)\s+in\s+the)\s+(?P<unit>day|morning|afternoon|evening|night|week|month|year)|the\s+(?P<unit2>day|week|month|year)\s+(?P<post>before|after|earlier|later|prior)|(?P<weekend>the\s+weekend)|the\s+(?P<season>spring|summer|fall|autumn|winter)){B}"
            ),
        ),
        // "the fiscal year 2025", "in the year 2000": that year, read before "the year" alone.
        (
            Kind::YearNumber,
            format!(r"(?P<pre>(?i:the\s+)?(?:(?i:fiscal|financial)\s+)?(?i:year)\s+)(?P<year>{YEAR}){B}"),
        ),
        (
            Kind::RelativePeriod,
            format!(
                r"(?i:(?P<rel>last|next|this\s+past|this|coming|past|previous|current|following|the\s+past|the\s+next|the\s+coming|the\s+last|the\s+previous|the\s+following|the\s+current|earlier\s+this|later\s+this|early\s+(?:next|last|this)|late\s+(?:next|last|this)|(?:the\s+)?end\s+of\s+(?:next|last|this|the)|the\s+latest|the)\s+(?:(?:fiscal|full|calendar)\s+)?(?P<unit>week|month|year|quarter|decade|century|weekend|spring|summer|fall|autumn|winter)){B}"
            ),
        ),
        (
            Kind::Deictic,
            format!(
                r"(?i:(?P<d>(?:the\s+)?day\s+before\s+yesterday|(?:the\s+)?day\s+after\s+tomorrow|yesterday|today|tomorrow|tonight|this\s+(?:morning|afternoon|evening)|last\s+night|later\s+today|earlier\s+today)(?:\s+(?P<tod>{TOD}))?){B}"
            ),
        ),
        (
            Kind::WeekdayName,
            format!(
                r"(?:(?P<rel>(?i:last|next|this|coming|past|the\s+previous|the\s+following|the\s+next|the\s+preceding))\s+)?(?P<wd>{WD})(?:\s+(?P<tod>{TOD}))?{B}"
            ),
        ),
        (
            Kind::MonthName,
            format!(
                r"(?:(?P<mod>(?i:early|mid|late|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of|the\s+middle\s+of|end\s+of|last|next|this))[-\s]\s*)?(?P<mon>{MON})(?:,?\s+(?:of\s+)?(?P<year>{YEAR})|\s+(?P<yrel>(?i:this|last|next))\s+year)?(?:{B}|\s|$)"
            ),
        ),
        (
            Kind::Recurring,
            format!(
                r"(?i:(?P<adv>daily|weekly|monthly|annually|yearly|hourly|quarterly|nightly)|(?:every|each)\s+(?P<other>other\s+)?(?:(?P<num>{NUMBER})\s+)?(?P<unit>{UNIT})|(?:every|each)\s+(?P<wd>{WD})|(?:every|each)\s+(?P<mon>{MON})|(?-i:(?P<wds>Mondays|Tuesdays|Wednesdays|Thursdays|Fridays|Saturdays|Sundays))|(?P<times>once|twice)\s+a\s+(?P<unit2>day|week|month|year)){B}"
            ),
        ),
        (
            Kind::Reference,
            format!(
                r"(?i:(?P<present>now|currently|at\s+present|nowadays|presently|these\s+days|the\s+present|at\s+the\s+moment)|(?P<past>recently|lately|the\s+past|at\s+the\s+time|at\s+that\s+time)|(?P<future>(?:the|in)\s+(?:(?:near|distant|foreseeable|immediate)\s+)?future|soon|the\s+(?:near|short|long)\s+term|the\s+long\s+run|the\s+coming\s+(?:days|weeks|months|years)|the\s+(?:days|weeks|months|years)\s+ahead)){B}"
            ),
        ),
        (
            Kind::YearNumber,
            format!(
                r"(?:(?P<pre>(?i:fiscal(?:\s+year)?|the|mid-|mid)\s*)?(?P<year>{YEAR})(?P<s>s|'s)?|(?-i:FY|CY)\s?(?P<fy>{YEAR}|[0-9]{{2}})|(?P<pre2>(?i:the\s+|mid-|in\s+))?['\x{{2019}}](?P<short>[0-9]{{2}})(?P<s2>s)?){B}"
            ),
        ),
    ]
}

struct Grammar {
    combined: Regex,
    /// The anchored patterns as one set, in order.
    set: regex::RegexSet,
    patterns: Vec<Pattern>,
}

static GRAMMAR: LazyLock<Grammar> = LazyLock::new(|| {
    let list = patterns();
    let strip = Regex::new(r"\?P<[a-z0-9]+>").expect("valid");
    let union: Vec<String> = list.iter().map(|(_, p)| format!("(?:{})", strip.replace_all(p, "?:"))).collect();
    let combined = super::large_regex(&format!("{B}(?:{})", union.join("|"))).expect("the time grammar compiles");
    let set = regex::RegexSet::new(list.iter().map(|(_, p)| format!("^(?:{})", strip.replace_all(p, "?:"))))
        .expect("the time grammar compiles as a set");
    let patterns = list
        .into_iter()
        .map(|(kind, p)| Pattern { kind, anchored: Regex::new(&format!("^(?:{p})")).expect("pattern compiles") })
        .collect();
    Grammar { combined, set, patterns }
});

/// What the text has said before an expression, for the ones that lean on it.
#[derive(Debug, Clone, Copy)]
struct Context<'a> {
    dct: NaiveDate,
    /// The day the narrative last named (TimeML's reference time), else the publication date.
    reference: NaiveDate,
    /// The expressions found before this one: "that same day" looks back through them.
    earlier: &'a [Timex],
    /// The value of the last dated expression nearby ("1989-Q3", "1998-10", "1998-10-12").
    anchor: Option<&'a str>,
    /// The value of the last dated expression nearby, of any grain ("1995", "1998-10").
    dated: Option<&'a str>,
    /// The last quarter the text named, however far back.
    quarter: Option<(i32, u32)>,
    /// The day of a date right before this expression ("3 March 2011 at 14:00 GMT").
    joined: Option<NaiveDate>,
}

/// Whether `t` is a day something is due by ("before a tariff comes into force on Aug. 1",
/// "until March 4"): not the day the narrative is on, so no reference for "a day earlier".
fn due_day(text: &str, t: &Timex) -> bool {
    let before = text[floor_char_boundary(text, t.start.saturating_sub(24))..t.start].trim_end().to_ascii_lowercase();
    let before = before.strip_suffix(" on").unwrap_or(&before);
    [
        " by",
        " until",
        " till",
        " before",
        " through",
        "into force",
        "into effect",
        "take effect",
        "takes effect",
        "expires",
        "expire",
    ]
    .iter()
    .any(|w| before.ends_with(w))
}

/// Finds and resolves the time expressions of `text`, published on `dct`.
pub fn find(text: &str, dct: NaiveDate) -> Vec<Timex> {
    let grammar = &*GRAMMAR;
    let mut out: Vec<Timex> = Vec::new();
    let mut quarter = None;
    let mut named: Option<(usize, String)> = None;
    let mut kinds: Vec<Kind> = Vec::new();
    for m in grammar.combined.find_iter(text) {
        // "a week later", "two days earlier" count from the day the narrative last named
        // (TimeML's reference time), not from the publication date; "ago" does.
        let near =
            || out.iter().zip(&kinds).rev().take_while(|(t, _)| m.start().saturating_sub(t.end) < 400).map(|(t, _)| t);
        let reference = near()
            .find_map(|t| {
                (t.kind == TimexType::Date && t.value.len() == 10 && !due_day(text, t))
                    .then(|| NaiveDate::parse_from_str(&t.value, "%Y-%m-%d").ok())
                    .flatten()
            })
            .unwrap_or(dct);
        let anchor = named.as_ref().filter(|(at, _)| m.start().saturating_sub(*at) < 400).map(|(_, v)| v.as_str());
        let dated = out
            .iter()
            .zip(&kinds)
            .rev()
            .take_while(|(t, _)| m.start().saturating_sub(t.end) < 400)
            .filter(|(_, k)| **k != Kind::YearEarlier)
            .map(|(t, _)| t)
            .find(|t| {
                t.kind == TimexType::Date && t.value.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(|t| t.value.as_str());
        let joined = out.last().filter(|t| t.kind == TimexType::Date && t.end <= m.start()).and_then(|t| {
            let gap = text[t.end..m.start()].trim().trim_start_matches(',').trim().to_ascii_lowercase();
            (gap.is_empty() || gap == "at").then(|| day_value_of(&t.value)).flatten()
        });
        // "General License INT/2022/1277777", "Regulation 2022/576": a number inside an
        // identifier is no time.
        let ident_before =
            text[..m.start()].strip_suffix('/').is_some_and(|b| b.ends_with(|c: char| c.is_ascii_alphanumeric()));
        let ident_after = text[m.end()..].strip_prefix('/').is_some_and(|a| {
            let digits = a.bytes().take_while(u8::is_ascii_digit).count();
            digits >= 3 || a.starts_with(|c: char| c.is_ascii_alphabetic())
        });
        if ident_before || ident_after {
            continue;
        }
        let cx = Context { dct, reference, earlier: &out, anchor, dated, quarter, joined };
        // Each pattern is tried on the match alone: a search bounded by it stays short.
        let span = &text[m.start()..m.end()];
        let mut found = None;
        // The patterns that match at all, in one pass; only they are asked for captures.
        for i in grammar.set.matches(span).iter() {
            let p = &grammar.patterns[i];
            let Some(caps) = p.anchored.captures(span) else { continue };
            let whole = caps.get(0).map_or(0, |c| c.end());
            if whole != m.len() {
                continue;
            }
            found = resolve(p.kind, &caps, text, m.start(), cx).map(|t| (p.kind, t));
            break;
        }
        if let Some((kind, mut t)) = found {
            // "from Monday to Wednesday": the end of a span of days is not before its start.
            if kind == Kind::WeekdayName
                && let (Some(prev), Some(Kind::WeekdayName)) = (out.last(), kinds.last())
                && matches!(
                    text[prev.end..t.start].trim().to_ascii_lowercase().as_str(),
                    "to" | "through" | "until" | "till" | "-" | "–"
                )
                && let (Some(from), Some(to)) = (day_value_of(&prev.value), day_value_of(&t.value))
                && to < from
                && let Some(later) = to.checked_add_days(Days::new(7))
            {
                t.value = format!("{}{}", later.format("%Y-%m-%d"), &t.value[10..]);
            }
            // What a report is about: the quarters and months it names itself, not the
            // ones worked out from "a year earlier".
            if matches!(kind, Kind::Quarter | Kind::QuarterRef) {
                quarter = quarter_value(&t.value).or(quarter);
            }
            let month = t.value.len() == 7 && t.value.as_bytes()[4] == b'-' && t.value.as_bytes()[5].is_ascii_digit();
            if kind != Kind::YearEarlier && (quarter_value(&t.value).is_some() || month) {
                named = Some((t.end, t.value.clone()));
            }
            out.push(t);
            kinds.push(kind);
        }
    }
    join_clock_times_to_the_day_after(text, dct, &mut out);
    join_weeks_to_their_day(text, &mut out);
    out
}

/// "the week of March 6" is the week that holds March 6: one expression, one week.
fn join_weeks_to_their_day(text: &str, out: &mut Vec<Timex>) {
    let mut i = 0;
    while i + 1 < out.len() {
        let (week, day) = (&out[i], &out[i + 1]);
        if week.text.eq_ignore_ascii_case("the week")
            && text[week.end..day.start].eq_ignore_ascii_case(" of ")
            && let Some(d) = day_value_of(&day.value)
        {
            let w = d.iso_week();
            let end = day.end;
            let merged = Timex {
                text: text[week.start..end].to_owned(),
                start: week.start,
                end,
                kind: TimexType::Date,
                value: format!("{}-W{:02}", w.year(), w.week()),
            };
            out[i] = merged;
            out.remove(i + 1);
        }
        i += 1;
    }
}

/// "at around 3 p.m. local time (1900 UTC) on Saturday": clock times that name no day of
/// their own take the day that follows them, past "local time", a bracket or "on".
fn join_clock_times_to_the_day_after(text: &str, dct: NaiveDate, out: &mut [Timex]) {
    let today = dct.format("%Y-%m-%d").to_string();
    let undated = |t: &Timex| {
        let lower = t.text.to_ascii_lowercase();
        // A weekday, "today", a part of day or a month names a day already.
        let named = [
            "day",
            "night",
            "morning",
            "evening",
            "afternoon",
            "tomorrow",
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
        ];
        t.kind == TimexType::Time && t.value.starts_with(&today) && !named.iter().any(|w| lower.contains(w))
    };
    let joinable = |gap: &str| {
        let gap = gap.to_ascii_lowercase().replace("local time", " ");
        gap.len() <= 24 && gap.split(|c: char| c.is_whitespace() || "(),".contains(c)).all(|w| matches!(w, "" | "on"))
    };
    for j in (1..out.len()).rev() {
        let full_day = out[j].kind == TimexType::Date && out[j].value.len() == 10;
        if !full_day || day_value_of(&out[j].value).is_none() {
            continue;
        }
        let day = out[j].value.clone();
        let mut k = j;
        while k > 0 && undated(&out[k - 1]) && joinable(&text[out[k - 1].end..out[k].start]) {
            k -= 1;
            out[k].value.replace_range(..10, &day);
        }
    }
}

/// The day of a value like "2022-03-28" or "2022-03-28T10:00".
fn day_value_of(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok()
}

/// `(year, quarter)` of a value like "1989-Q3".
fn quarter_value(v: &str) -> Option<(i32, u32)> {
    let (y, q) = v.split_once("-Q")?;
    Some((y.parse().ok()?, q.parse().ok().filter(|q| (1..=4).contains(q))?))
}

fn resolve(kind: Kind, c: &regex::Captures<'_>, text: &str, at: usize, cx: Context<'_>) -> Option<Timex> {
    let dct = cx.dct;
    let whole = c.get(0)?;
    let (mut start, mut end) = (at, at + whole.end());
    // A trailing space or newline matched only as a boundary is not part of the expression.
    while end > start && text.as_bytes()[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let g = |name: &str| c.name(name).map(|m| m.as_str());
    let dir = || direction(text, start, end);
    let (kind_out, value) = match kind {
        Kind::ClockTime => {
            let (mut hour, minute) = clock(c)?;
            // "11:59 that evening", "11:30 tonight": a clock time with no a.m. or p.m. of its
            // own takes the part of the day after it.
            let later_part = g("part").or(g("rel")).map(str::to_ascii_lowercase).is_some_and(|p| {
                ["afternoon", "evening"].iter().any(|w| p.ends_with(w)) || (p.ends_with("night") && hour >= 5)
            });
            if later_part && c.name("h2").is_some() && (1..12).contains(&hour) {
                hour += 12;
            }
            let day = if let Some(wd) = g("wd") {
                weekday_date(parse_weekday(wd)?, None, dir(), dct)
            } else if let Some(mon) = g("mon2") {
                let year = g("year2").and_then(|y| y.parse().ok());
                month_day(
                    month_number(mon)?,
                    day_number(g("day2")?)?,
                    year,
                    (direction_cue(text, start, end), lean(text, start, end)),
                    dct,
                )?
            } else if let Some(mon) = g("mon") {
                month_day(
                    month_number(mon)?,
                    day_number(g("day")?)?,
                    g("year").and_then(|y| y.parse().ok()),
                    (direction_cue(text, start, end), lean(text, start, end)),
                    dct,
                )?
            } else if let Some(rel) = g("rel") {
                deictic_day(&rel.to_ascii_lowercase(), dct)
            } else if g("part").is_some_and(|p| p.to_ascii_lowercase().starts_with("that")) {
                // "11:59 that evening": the day the narrative last named.
                cx.reference
            } else if let Some(day) = cx.joined {
                // "on 3 March 2011 at 14:00 GMT": the clock time is on the date before it.
                day
            } else {
                dct
            };
            // "around 10" keeps the qualifier out of the span, as TimeBank does.
            if let Some(lead) = ["around ", "about ", "at ", "Around ", "About ", "At "]
                .iter()
                .find(|l| whole.as_str().starts_with(**l))
            {
                start += lead.len();
            }
            // A time stated in UTC carries "Z"; one in a named zone carries its offset.
            let zone = g("z").or(g("z2")).map_or("", |z| zone_offset(z, day));
            (TimexType::Time, format!("{}T{hour:02}:{minute:02}{zone}", day.format("%Y-%m-%d")))
        }
        Kind::FullDate => {
            let (mon, day) = match (g("mon"), g("mon2")) {
                (Some(m), _) => (m, g("day")?),
                (None, Some(m)) => (m, g("day2")?),
                _ => return None,
            };
            // A day in words only as "the first of January" ("a second March" is no date).
            let lead = whole.as_str().to_ascii_lowercase();
            let in_figures = day.starts_with(|c: char| c.is_ascii_digit());
            if !(in_figures || (lead.starts_with("the ") && lead.contains(" of "))) {
                return None;
            }
            // "last Oct. 23", "next March 1" say which way themselves.
            let said = g("rel").map(str::to_ascii_lowercase).and_then(|r| match r.as_str() {
                "last" => Some(Direction::Past),
                "next" => Some(Direction::Future),
                _ => None,
            });
            let cue = (said.or_else(|| direction_cue(text, start, end)), lean(text, start, end));
            // "November 10 of next year", "March 1 last year": the year said relative to now.
            let year = g("year").and_then(|y| y.parse().ok()).or_else(|| {
                Some(match g("yrel")?.to_ascii_lowercase().as_str() {
                    "last" => dct.year() - 1,
                    "next" => dct.year() + 1,
                    _ => dct.year(),
                })
            });
            let date = month_day(month_number(mon)?, day_number(day)?, year, cue, dct)?;
            (TimexType::Date, date.format("%Y-%m-%d").to_string())
        }
        Kind::NumericDate => {
            let (y, mo, d) = match g("y") {
                Some(y) => (y.parse::<i32>().ok()?, g("mo")?.parse().ok()?, g("d")?.parse().ok()?),
                None => {
                    let y: i32 = g("y2")?.parse().ok()?;
                    let y = if y < 100 { if y < 70 { 2000 + y } else { 1900 + y } } else { y };
                    (y, g("mo2")?.parse().ok()?, g("d2")?.parse().ok()?)
                }
            };
            let date = NaiveDate::from_ymd_opt(y, mo, d)?;
            (TimexType::Date, date.format("%Y-%m-%d").to_string())
        }
        Kind::YearEarlier => {
            let ago = g("e1").or(g("e2")).is_some_and(|e| e.eq_ignore_ascii_case("ago"));
            let year = if ago { dct.year() } else { cx.reference.year() };
            let value = match (g("ord"), g("unit").map(str::to_ascii_lowercase)) {
                (Some(ord), _) => year_before(cx, year, Some(ordinal_quarter(ord))),
                (None, Some(u)) if u == "quarter" => match cx.quarter {
                    Some((y, q)) => format!("{}-Q{q}", y - 1),
                    None => year_before(cx, year, None),
                },
                _ => year_before(cx, year, None),
            };
            (TimexType::Date, value)
        }
        Kind::QuarterRef => {
            let rel = g("rel").map(|r| r.to_ascii_lowercase());
            let det = g("det")?.to_ascii_lowercase();
            let current = (dct.year(), quarter_of(dct));
            let step = |(y, q): (i32, u32), by: i32| {
                let i = y * 4 + q as i32 - 1 + by;
                (i.div_euclid(4), i.rem_euclid(4) as u32 + 1)
            };
            let (y, q) = match rel.as_deref() {
                Some("current") => current,
                None if det == "this" => current,
                Some("next" | "coming") => step(current, 1),
                Some("last" | "past") => step(current, -1),
                Some("previous" | "preceding") => step(cx.quarter.unwrap_or(current), -1),
                // "the quarter", "the latest quarter", "that quarter": the one the report is
                // about, else the last one ended.
                _ => cx.quarter.unwrap_or_else(|| step(current, -1)),
            };
            (TimexType::Date, format!("{y:04}-Q{q}"))
        }
        Kind::Holiday => {
            let year = g("year").and_then(|y| y.parse().ok());
            let day = holiday(g("h")?, year, direction_cue(text, start, end), dct)?;
            (TimexType::Date, day.format("%Y-%m-%d").to_string())
        }
        // "The end of the year" is the year, at its end (TimeML's mod="END").
        Kind::YearEnd => (TimexType::Date, format!("{:04}", dct.year())),
        Kind::Decade => {
            let tens = ["twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties"];
            let n = tens.iter().position(|w| g("dw").is_some_and(|d| d.eq_ignore_ascii_case(w)))? + 2;
            (TimexType::Date, format!("19{n}"))
        }
        Kind::Ordinal => {
            // "the 8th" alone is a day of this month (or the next, looking forward);
            // "the 20th century", "the 5th anniversary" are not days.
            let next = text[end..].split_whitespace().next().unwrap_or("").to_ascii_lowercase();
            let next = next.trim_matches(|c: char| !c.is_ascii_alphabetic());
            if next.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && !matches!(next, "of" | "and" | "or" | "at" | "to" | "in" | "when" | "as")
            {
                return None;
            }
            let day: u32 = g("d")?.parse().ok()?;
            let this_month = NaiveDate::from_ymd_opt(dct.year(), dct.month(), day);
            let date = match (this_month, direction_cue(text, start, end)) {
                (Some(d), Some(Direction::Future)) if d < dct => dct
                    .checked_add_months(Months::new(1))
                    .and_then(|n| NaiveDate::from_ymd_opt(n.year(), n.month(), day))?,
                (Some(d), _) => d,
                (None, _) => return None,
            };
            (TimexType::Date, date.format("%Y-%m-%d").to_string())
        }
        Kind::Quarter => {
            let q = match g("qn") {
                Some(n) => n.parse().ok()?,
                None => ordinal_quarter(g("ord")?),
            };
            // "fiscal year 2026's third quarter": the year just named owns it.
            let owner: Option<i32> = text[..start]
                .trim_end()
                .strip_suffix("'s")
                .filter(|b| b.len() >= 4 && b.is_char_boundary(b.len() - 4))
                .map(|b| &b[b.len() - 4..])
                .filter(|y| y.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|y| y.parse().ok());
            let year = match g("year").or(g("yp")) {
                Some(y) => y.parse().ok()?,
                None if owner.is_some() => owner?,
                None if g("yshort").is_some() => 2000 + g("yshort")?.parse::<i32>().ok()?,
                None if g("yrel").or(g("yrel2")).is_some() => {
                    dct.year()
                        + match g("yrel").or(g("yrel2"))?.to_ascii_lowercase().as_str() {
                            "last" => -1,
                            "next" => 1,
                            _ => 0,
                        }
                }
                // A quarter not yet begun is last year's.
                None if q > quarter_of(dct) => dct.year() - 1,
                None => dct.year(),
            };
            (TimexType::Date, format!("{year:04}-Q{q}"))
        }
        Kind::Half => {
            // "H1 2026": a half named as reports and guidance write it.
            if let (Some(hn), Some(y)) = (g("hn"), g("hyear")) {
                return Some(Timex {
                    text: text[start..end].to_owned(),
                    start,
                    end,
                    kind: TimexType::Date,
                    value: format!("{y}-{hn}"),
                });
            }
            let h = if g("h")?.to_ascii_lowercase().starts_with(['f', '1']) { 1 } else { 2 };
            let year = match (g("year"), g("rel").map(str::to_ascii_lowercase).as_deref()) {
                (Some(y), _) => y.parse().ok()?,
                (None, Some("last")) => dct.year() - 1,
                (None, Some("next")) => dct.year() + 1,
                // "the second half" alone, told before it began, is last year's.
                (None, None) if h == 2 && dct.month() <= 6 && dir() == Direction::Past => dct.year() - 1,
                _ => dct.year(),
            };
            (TimexType::Date, format!("{year:04}-H{h}"))
        }
        Kind::SeasonYear => (TimexType::Date, format!("{}-{}", g("year")?, season_code(g("season")?))),
        Kind::Span => return span(c, text, start, end, cx),
        Kind::VagueSpan => {
            let pre = g("pre")?.to_ascii_lowercase();
            if ["for", "over", "within", "in recent"]
                .iter()
                .any(|p| pre.starts_with(p) && !pre.starts_with("in recent"))
            {
                start += g("pre")?.len();
                while start < end && text.as_bytes()[start].is_ascii_whitespace() {
                    start += 1;
                }
            }
            if pre == "in recent" {
                start += 3;
            }
            if pre == "the coming" || pre == "coming" {
                (TimexType::Date, "FUTURE_REF".to_owned())
            } else {
                let unit = g("unit")?.to_ascii_lowercase();
                let time = if unit.starts_with("hour") || unit.starts_with("minute") { "T" } else { "" };
                (TimexType::Duration, format!("P{time}X{}", unit_code(&unit)?))
            }
        }
        Kind::Anaphoric => return anaphoric(c, text, start, end, cx),
        Kind::RelativePeriod => {
            let rel = g("rel")?.to_ascii_lowercase();
            let unit = g("unit")?.to_ascii_lowercase();
            let rel = rel.split_whitespace().collect::<Vec<_>>().join(" ");
            let offset = match rel.as_str() {
                "last" | "past" | "previous" | "the past" | "the last" | "the previous" | "late last"
                | "the latest" | "end of last" | "the end of last" => -1,
                "next" | "coming" | "following" | "the next" | "the coming" | "the following" | "early next"
                | "end of next" | "the end of next" => 1,
                _ => 0,
            };
            // "for the year ended March 31": a twelve-month period, not a calendar year.
            let next_word = text[end..].trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
            if rel == "the" && unit == "year" && matches!(next_word, "ended" | "ending" | "through" | "to") {
                return Some(Timex {
                    text: text[start..end].to_owned(),
                    start,
                    end,
                    kind: TimexType::Duration,
                    value: "P1Y".to_owned(),
                });
            }
            // "this past spring": the one just gone, this year's if it has begun.
            if rel == "this past" {
                let value = match unit.as_str() {
                    "spring" | "summer" | "fall" | "autumn" | "winter" => {
                        let year = if season_start(&unit) <= dct.month() { dct.year() } else { dct.year() - 1 };
                        format!("{year:04}-{}", season_code(&unit))
                    }
                    _ => period(&unit, -1, dct)?,
                };
                return Some(Timex { text: text[start..end].to_owned(), start, end, kind: TimexType::Date, value });
            }
            // "over the past decade": the span just gone, counted in years like "the past two
            // decades"; "the last decade" stays the calendar decade before this one.
            if matches!(rel.as_str(), "the past" | "past") && matches!(unit.as_str(), "decade" | "century") {
                let value = if unit == "decade" { "P10Y" } else { "P100Y" };
                return Some(Timex {
                    text: text[start..end].to_owned(),
                    start,
                    end,
                    kind: TimexType::Duration,
                    value: value.to_owned(),
                });
            }
            // "the week", "the year" alone: only when the text treats it as a time.
            if rel == "the" && !matches!(unit.as_str(), "week" | "month" | "year" | "quarter") {
                return None;
            }
            // "sat down together this weekend", told on a weekday: the weekend just past.
            let offset = if unit == "weekend"
                && offset == 0
                && !matches!(dct.weekday(), Weekday::Sat | Weekday::Sun)
                && direction_cue(text, start, end).or_else(|| lean(text, start, end)) == Some(Direction::Past)
            {
                -1
            } else {
                offset
            };
            (TimexType::Date, period(&unit, offset, dct)?)
        }
        Kind::Deictic => {
            let d = g("d")?.to_ascii_lowercase();
            let d = d.split_whitespace().collect::<Vec<_>>().join(" ");
            let day = deictic_day(&d, dct);
            let part = match d.as_str() {
                "tonight" | "last night" => Some("NI"),
                "this morning" => Some("MO"),
                "this afternoon" => Some("AF"),
                "this evening" => Some("EV"),
                _ => g("tod").map(tod_code),
            };
            match part {
                Some(p) => (TimexType::Time, format!("{}T{p}", day.format("%Y-%m-%d"))),
                None => (TimexType::Date, day.format("%Y-%m-%d").to_string()),
            }
        }
        Kind::WeekdayName => {
            let wd = parse_weekday(g("wd")?)?;
            // "Mondays" is a set, handled by the caller's boundary: the plural fails `{B}`.
            let rel = g("rel").map(|r| r.to_ascii_lowercase().split_whitespace().last().unwrap_or("").to_owned());
            let day = match rel.as_deref() {
                // "the following Monday", "the previous Friday": from the day the text is on.
                Some("following" | "next") if g("rel")?.len() > 5 => {
                    weekday_date(wd, Some("next"), Direction::Future, cx.reference)
                }
                Some("previous" | "preceding") => weekday_date(wd, Some("last"), Direction::Past, cx.reference),
                r => weekday_date(wd, r, dir(), dct),
            };
            match g("tod") {
                Some(t) => (TimexType::Time, format!("{}T{}", day.format("%Y-%m-%d"), tod_code(t))),
                None => (TimexType::Date, day.format("%Y-%m-%d").to_string()),
            }
        }
        Kind::MonthName => {
            let mon_text = g("mon")?;
            let modifier = g("mod").map(str::to_ascii_lowercase);
            // "May" and "March" are also words; take them as months only with a year,
            // a modifier, or a preposition that introduces a time.
            if matches!(mon_text, "May" | "March")
                && g("year").is_none()
                && modifier.is_none()
                && !preceded_by_time_preposition(text, start)
            {
                return None;
            }
            // "Jan Kavan": a short form without its dot is a month only with a year or a
            // preposition before it, and never before a name ("and Jan Kavan").
            let named = text[end..].strip_prefix(' ').is_some_and(|rest| rest.starts_with(|c: char| c.is_uppercase()));
            if mon_text.len() <= 4
                && !mon_text.ends_with('.')
                && !matches!(mon_text, "June" | "July" | "May")
                && g("year").is_none()
                && g("yrel").is_none()
                && (named || !preceded_by_time_preposition(text, start))
            {
                return None;
            }
            let month = month_number(mon_text)?;
            let year = match (g("year"), g("yrel").map(str::to_ascii_lowercase).as_deref()) {
                (Some(y), _) => y.parse().ok()?,
                // "June last year", "April next year".
                (None, Some("last")) => dct.year() - 1,
                (None, Some("next")) => dct.year() + 1,
                (None, Some(_)) => dct.year(),
                // "last February" said in March or February is a year back: the month
                // just gone would be "last month".
                (None, None)
                    if modifier.as_deref() == Some("last") && (dct.month() - 1..=dct.month()).contains(&month) =>
                {
                    dct.year() - 1
                }
                (None, None) => {
                    let forward = match modifier.as_deref() {
                        Some("next") => Direction::Future,
                        Some("last") => Direction::Past,
                        _ => dir(),
                    };
                    month_year(month, forward, modifier.as_deref() == Some("this"), dct)
                }
            };
            (TimexType::Date, format!("{year:04}-{month:02}"))
        }
        Kind::Recurring => {
            // "quarterly earnings", "a quarterly dividend" describe a thing, not a time.
            let next = text[end..].trim_start();
            if whole.as_str().eq_ignore_ascii_case("quarterly") && next.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return None;
            }
            // "the Communist Party daily Granma" is a newspaper.
            if whole.as_str().eq_ignore_ascii_case("daily") && next.starts_with(|c: char| c.is_ascii_uppercase()) {
                return None;
            }
            (TimexType::Set, set_value(c)?)
        }
        Kind::Reference => {
            // "as soon as the threats end", "soon after", "was soon released": a conjunction,
            // or a time relative to something told, not to now.
            if whole.as_str().eq_ignore_ascii_case("soon") {
                // A few words either side, not the rest of the text: linear in the article.
                let next =
                    text[end..ceil_char_boundary(text, (end + 24).min(text.len()))].trim_start().to_ascii_lowercase();
                let prev =
                    text[floor_char_boundary(text, start.saturating_sub(24))..start].trim_end().to_ascii_lowercase();
                if ["after", "before", "as", "afterward", "thereafter"].iter().any(|w| next.starts_with(w))
                    || prev.ends_with(" as")
                    // "that soon became a flood": told in the past.
                    || next.split(|c: char| !c.is_ascii_alphabetic()).next().is_some_and(|w| {
                        past_form(w)
                    })
                    || lean(text, start, end) == Some(Direction::Past)
                {
                    return None;
                }
            }
            let value = if g("present").is_some() {
                "PRESENT_REF"
            } else if g("past").is_some() {
                "PAST_REF"
            } else {
                "FUTURE_REF"
            };
            (TimexType::Date, value.to_owned())
        }
        Kind::SpelledYear => {
            // "nineteen ninety-six", "the year two thousand" (read out, as transcripts
            // give them); "two thousand troops" and "nineteen seventy-nine people" count.
            let next_word = text[end..].trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
            let counted = g("pre").is_none()
                && next_word.starts_with(|c: char| c.is_ascii_lowercase())
                && !matches!(next_word, "and" | "or" | "to" | "when" | "after" | "before" | "until" | "in" | "on")
                && !next_word.ends_with("ed");
            let two_thousand = g("tens").is_none() && g("teen").is_none();
            if counted || (two_thousand && g("pre").is_none() && !preceded_by_time_preposition(text, start)) {
                return None;
            }
            let year = if let Some(t) = g("tens") {
                1900 + number(t)? + g("unit").map_or(Some(0), number)?
            } else if let Some(t) = g("teen") {
                1900 + number(t)?
            } else {
                2000 + g("unit2").map_or(Some(0), number)?
            };
            (TimexType::Date, format!("{year:04}"))
        }
        Kind::YearNumber if g("fy").is_some() => {
            // "FY2024", "FY24": the fiscal year named by the year it ends in.
            let y = g("fy")?;
            let year = if y.len() == 2 { 2000 + y.parse::<i32>().ok()? } else { y.parse().ok()? };
            (TimexType::Date, format!("{year:04}"))
        }
        Kind::YearNumber if g("short").is_some() => {
            // "the '60s", "in '91": the century is the one nearest the publication date.
            let n: i32 = g("short")?.parse().ok()?;
            let century = dct.year() / 100 * 100;
            let year = if century + n > dct.year() + 10 { century - 100 + n } else { century + n };
            if let Some(pre) = g("pre2")
                && pre.to_ascii_lowercase().starts_with("in")
            {
                start += pre.len();
            }
            if g("s2").is_some() {
                (TimexType::Date, format!("{:03}", year / 10))
            } else if g("pre2").is_some() {
                (TimexType::Date, format!("{year:04}"))
            } else {
                // A bare "'91" may be a quotation mark and a number.
                return None;
            }
        }
        Kind::Century => {
            let n: i32 = match g("n") {
                Some(n) => n.parse().ok()?,
                None => ordinal_number(g("w")?)? as i32,
            };
            if !(1..=21).contains(&n) {
                return None;
            }
            (TimexType::Date, format!("{:02}", n - 1))
        }
        Kind::YearNumber => {
            let pre = g("pre").map(str::to_ascii_lowercase);
            let year = g("year")?;
            // "the 1990's" is a decade; "2026's third quarter" is the year's.
            let decade = g("s").is_some_and(|_| year.ends_with('0'));
            if g("s") == Some("'s") && !decade {
                end -= 2;
            }
            // A number of things ("2000 troops", "$1990", "1,995", "2082.1") is not a year;
            // a year before a noun ("the country's 2008 budget", "1990 figures") is.
            let before = text[..start].trim_end();
            let rest = &text[end..];
            let next_word = rest.trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
            let counted = before.ends_with(['$', '€', '£', ',', '.', '#'])
                || before.ends_with("No")
                || rest.starts_with('%')
                || (rest.starts_with(['.', ',']) && rest[1..].starts_with(|c: char| c.is_ascii_digit()))
                || COUNTED.contains(&next_word.to_ascii_lowercase().as_str());
            if counted {
                return None;
            }
            if let Some(pre) = &pre
                && (pre.trim_end() == "the" && !decade)
            {
                start += g("pre")?.len();
            }
            if pre.as_deref().is_some_and(|p| p.starts_with("mid")) {
                // "mid-1990s": keep the whole.
            }
            if decade { (TimexType::Date, year[..3].to_owned()) } else { (TimexType::Date, year.to_owned()) }
        }
    };
    Some(Timex { text: text[start..end].to_owned(), start, end, kind: kind_out, value })
}

fn span(c: &regex::Captures<'_>, text: &str, mut start: usize, end: usize, cx: Context<'_>) -> Option<Timex> {
    let g = |name: &str| c.name(name).map(|m| m.as_str());
    // "a 6-year-old", "52 years old" are ages, not times.
    let after = text[end..].trim_start_matches([' ', '-']);
    if after.get(..3).is_some_and(|w| w.eq_ignore_ascii_case("old")) {
        return None;
    }
    let unit = g("unit")?.to_ascii_lowercase();
    let code = unit_code(&unit)?;
    let n = number(g("num")?);
    let post = g("post").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase());
    let pre = g("pre").map(str::to_ascii_lowercase);
    // "three-quarters of its food", "more than a quarter of the market": a share ("two
    // quarters of growth" is a time).
    let mut next = after.split_whitespace().map(|w| w.to_ascii_lowercase());
    let share = next.next().as_deref() == Some("of")
        && next.next().is_some_and(|w| {
            ["the", "its", "their", "his", "her", "all", "our", "this", "these", "those", "a", "an"]
                .contains(&w.as_str())
        });
    if unit.starts_with("quarter") && post.is_none() && (text[start..end].contains('-') || share) {
        return None;
    }
    // "a second round", "a second term": an ordinal before its noun, not a duration.
    if unit == "second" && n == Some(1) && post.is_none() {
        let next = after.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("").to_ascii_lowercase();
        const DURATION_NEXT: [&str; 16] = [
            "", "and", "or", "of", "to", "too", "longer", "more", "in", "for", "then", "when", "while", "than", "as",
            "at",
        ];
        if !DURATION_NEXT.contains(&next.as_str()) {
            return None;
        }
    }
    // Prepositions and hedges stay outside the span, as TimeBank marks them.
    if let Some(p) = &pre
        && ["about", "nearly", "almost", "more than", "less than", "over", "some", "at least", "up to", "another"]
            .iter()
            .any(|h| p.trim_end().eq(*h))
        && post.is_none()
    {
        start += g("pre")?.len();
    }
    let whole = &text[start..end];
    let date = |value: String| Some(Timex { text: whole.to_owned(), start, end, kind: TimexType::Date, value });
    // "the last few months", "the past several quarters": some time back, no more.
    if post.is_none()
        && g("num").is_some_and(is_vague)
        && pre.as_deref().is_some_and(|p| {
            matches!(p.trim(), "the past" | "the last" | "past" | "last" | "the previous" | "previous")
        })
    {
        return date("PAST_REF".to_owned());
    }
    if let Some(post) = post.as_deref()
        && matches!(post, "ago" | "earlier" | "later" | "from now" | "from today")
    {
        let forward = matches!(post, "later" | "from now" | "from today");
        // "a few years ago", "several weeks later": somewhere back or ahead, no more.
        let Some(n) = n.filter(|_| !g("num").is_some_and(is_vague)) else {
            return date(if forward { "FUTURE_REF" } else { "PAST_REF" }.to_owned());
        };
        let mut from = if matches!(post, "later" | "earlier") { cx.reference } else { cx.dct };
        // "founded in 1998 and listed two years later": years (and months) count from the
        // year (or month) the text last named, not only from a day.
        if matches!(post, "later" | "earlier")
            && let Some(dated) = cx.dated
            && dated.len() < 10
        {
            let year = dated.get(..4).and_then(|y| y.parse::<i32>().ok());
            let month = dated.get(5..7).and_then(|m| m.parse::<u32>().ok());
            let start = match (code, year, month) {
                ("Y", Some(y), _) => NaiveDate::from_ymd_opt(y, 1, 1),
                ("M", Some(y), Some(m)) => NaiveDate::from_ymd_opt(y, m, 1),
                _ => None,
            };
            if let Some(start) = start {
                from = start;
            }
        }
        // "two hours ago", "a minute later": the day they fall on ("minute" shares its
        // letter with "month").
        if let Some(c) = clock_unit(&unit) {
            let whole_days = if c == "H" { n / 24 } else { 0 };
            return date(offset_date("D", whole_days, forward, from)?);
        }
        // "a year ago" in a report on a quarter is that quarter a year before.
        if code == "Y" && n == 1 && !forward {
            return date(year_before(cx, from.year(), None));
        }
        return date(offset_date(code, n, forward, from)?);
    }
    // "two to six days": the longer bound, as annotators mark "six days".
    let n = match (n, g("num2").and_then(number)) {
        (Some(a), Some(b)) if b > a => Some(b),
        (a, _) => a,
    };
    // Decades and centuries are counted in years: "two decades" is P20Y, "a century" P100Y.
    let (code, n) = match (code, n) {
        ("DE", Some(n)) => ("Y", Some(n * 10)),
        ("CE", Some(n)) => ("Y", Some(n * 100)),
        (c, n) => (c, n),
    };
    let amount = n.map_or_else(|| "X".to_owned(), |n| n.to_string());
    let half = g("num")?.contains("1/2");
    let value = match (code, half, clock_unit(&unit)) {
        ("H", true, _) => format!("PT{amount}H30M"),
        ("H" | "M" | "S", _, Some(c)) => format!("PT{amount}{c}"),
        (c, _, _) => format!("P{amount}{c}"),
    };
    Some(Timex { text: whole.to_owned(), start, end, kind: TimexType::Duration, value })
}

/// "That day", "the following week", "later that year", "the weekend": times the text has
/// set up before (TimeML's reference time), or the nearest ones to the publication date.
fn anaphoric(c: &regex::Captures<'_>, text: &str, start: usize, end: usize, cx: Context<'_>) -> Option<Timex> {
    let g = |name: &str| c.name(name).map(|m| m.as_str().to_ascii_lowercase());
    let timex = |kind, value: String| Some(Timex { text: text[start..end].to_owned(), start, end, kind, value });
    let r = cx.reference;
    let shift_days = |d: NaiveDate, n: i64| d.checked_add_signed(chrono::Duration::days(n));
    if g("weekend").is_some() {
        // The weekend just past in a report, the coming one in a plan.
        let saturday = match direction(text, start, end) {
            Direction::Past => weekday_date(Weekday::Sat, None, Direction::Past, cx.dct),
            Direction::Future => weekday_date(Weekday::Sat, None, Direction::Future, cx.dct),
        };
        let w = saturday.iso_week();
        return timex(TimexType::Date, format!("{}-W{:02}-WE", w.year(), w.week()));
    }
    if let Some(season) = g("season") {
        let starts = season_start(&season);
        let year = match direction(text, start, end) {
            Direction::Past if starts > cx.dct.month() => cx.dct.year() - 1,
            Direction::Future if starts + 2 < cx.dct.month() => cx.dct.year() + 1,
            _ => cx.dct.year(),
        };
        return timex(TimexType::Date, format!("{year:04}-{}", season_code(&season)));
    }
    let (unit, word) = match (g("unit"), g("unit2")) {
        (Some(u), _) => (u, g("pre")?),
        (None, Some(u)) => (u, g("post")?),
        _ => return None,
    };
    // "that year-end", "that day-to-day" are other words.
    if text[end..].starts_with('-') {
        return None;
    }
    // "the following week", "the day after": one on; "the previous day", "the day
    // earlier": one back; "that day", "earlier that day", "later that year": the same one.
    let after = g("unit2").is_some();
    // "that same day" points back to the day the text named, however many sentences ago.
    // Looked up only for these words: no scan back for every expression.
    let same_day = matches!(word.as_str(), "that same" | "that very" | "the same")
        && matches!(unit.as_str(), "day" | "morning" | "afternoon" | "evening" | "night");
    let last_day = || {
        cx.earlier.iter().rev().find_map(|t| {
            (t.kind == TimexType::Date && t.value.len() == 10 && !due_day(text, t))
                .then(|| NaiveDate::parse_from_str(&t.value, "%Y-%m-%d").ok())
                .flatten()
        })
    };
    let r = if same_day { last_day().unwrap_or(r) } else { r };
    let offset: i64 = match word.split_whitespace().last().unwrap_or("") {
        "following" | "next" | "after" => 1,
        "later" if after => 1,
        "previous" | "preceding" | "prior" | "before" => -1,
        "earlier" if after => -1,
        _ => 0,
    };
    // The year or month the narrative is in: the last one it named, else the day it named.
    let (year, month) = match cx.dated {
        Some(v) => (v[..4].parse().unwrap_or(r.year()), v.get(5..7).and_then(|m| m.parse::<u32>().ok())),
        None => (r.year(), Some(r.month())),
    };
    match unit.as_str() {
        "day" => timex(TimexType::Date, shift_days(r, offset)?.format("%Y-%m-%d").to_string()),
        "morning" | "afternoon" | "evening" | "night" => {
            let day = shift_days(r, offset)?;
            timex(TimexType::Time, format!("{}T{}", day.format("%Y-%m-%d"), tod_code(&unit)))
        }
        "week" => {
            let w = shift_days(r, 7 * offset)?.iso_week();
            timex(TimexType::Date, format!("{}-W{:02}", w.year(), w.week()))
        }
        "month" => {
            let first = NaiveDate::from_ymd_opt(year, month.filter(|m| (1..=12).contains(m)).unwrap_or(r.month()), 1)?;
            let d = if offset < 0 {
                first.checked_sub_months(Months::new(1))?
            } else {
                first.checked_add_months(Months::new(offset as u32))?
            };
            timex(TimexType::Date, d.format("%Y-%m").to_string())
        }
        _ => timex(TimexType::Date, format!("{:04}", i64::from(year) + offset)),
    }
}

/// The date of a named holiday, in the year nearest the publication date that fits the text.
fn holiday(name: &str, year: Option<i32>, dir: Option<Direction>, dct: NaiveDate) -> Option<NaiveDate> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    let nth = |y: i32, month: u32, wd: Weekday, n: u8| NaiveDate::from_weekday_of_month_opt(y, month, wd, n);
    let in_year = |y: i32| -> Option<NaiveDate> {
        match name.as_str() {
            n if n.starts_with("thanksgiving") => nth(y, 11, Weekday::Thu, 4),
            "christmas eve" => NaiveDate::from_ymd_opt(y, 12, 24),
            n if n.starts_with("christmas") => NaiveDate::from_ymd_opt(y, 12, 25),
            "new year's day" => NaiveDate::from_ymd_opt(y, 1, 1),
            "new year's eve" => NaiveDate::from_ymd_opt(y, 12, 31),
            "election day" => Some(nth(y, 11, Weekday::Mon, 1)? + Days::new(1)),
            "independence day" => NaiveDate::from_ymd_opt(y, 7, 4),
            "labor day" => nth(y, 9, Weekday::Mon, 1),
            "memorial day" => (1..=5).rev().find_map(|n| nth(y, 5, Weekday::Mon, n)),
            "veterans day" => NaiveDate::from_ymd_opt(y, 11, 11),
            "boxing day" => NaiveDate::from_ymd_opt(y, 12, 26),
            _ => None,
        }
    };
    if let Some(y) = year {
        return in_year(y);
    }
    let candidates: Vec<NaiveDate> =
        [dct.year() - 1, dct.year(), dct.year() + 1].iter().filter_map(|y| in_year(*y)).collect();
    let fits = |d: &NaiveDate| match dir {
        Some(Direction::Past) => *d <= dct,
        Some(Direction::Future) => *d >= dct,
        None => true,
    };
    let nearest = |d: &NaiveDate| (*d - dct).num_days().abs();
    candidates
        .iter()
        .copied()
        .filter(fits)
        .min_by_key(nearest)
        .or_else(|| candidates.iter().copied().min_by_key(nearest))
}

/// The TIMEX3 suffix of a named zone on `day`: "Z" for UTC, else the offset ("-04:00");
/// empty for "local time".
fn zone_offset(zone: &str, day: NaiveDate) -> &'static str {
    let nth = |month: u32, n: u8| NaiveDate::from_weekday_of_month_opt(day.year(), month, Weekday::Sun, n);
    let last = |month: u32| (1..=5).rev().find_map(|n| nth(month, n));
    let us_summer = matches!((nth(3, 2), nth(11, 1)), (Some(a), Some(b)) if day >= a && day < b);
    let eu_summer = matches!((last(3), last(10)), (Some(a), Some(b)) if day >= a && day < b);
    match zone.to_ascii_lowercase().as_str() {
        "utc" | "gmt" | "z" => "Z",
        "est" | "eastern standard time" => "-05:00",
        "edt" | "eastern daylight time" => "-04:00",
        "et" | "eastern time" | "washington time" => {
            if us_summer {
                "-04:00"
            } else {
                "-05:00"
            }
        }
        "cst" => "-06:00",
        "cdt" => "-05:00",
        "ct" => {
            if us_summer {
                "-05:00"
            } else {
                "-06:00"
            }
        }
        "pst" => "-08:00",
        "pdt" => "-07:00",
        "pt" => {
            if us_summer {
                "-07:00"
            } else {
                "-08:00"
            }
        }
        "mst" => "-07:00",
        "mdt" => "-06:00",
        "akst" => "-09:00",
        "akdt" => "-08:00",
        "hst" => "-10:00",
        "wet" => "+00:00",
        "bst" | "west" | "wat" => "+01:00",
        "eet" | "cat" | "sast" => "+02:00",
        "eest" | "eat" => "+03:00",
        "tehran time" => "+03:30",
        "gst" => "+04:00",
        "pkt" => "+05:00",
        // India's: the one news names by "IST" far more often than Israel's or Ireland's.
        "ist" => "+05:30",
        "ict" | "wib" => "+07:00",
        "hkt" | "sgt" | "awst" | "beijing time" => "+08:00",
        "jst" | "kst" | "tokyo time" => "+09:00",
        "acst" => "+09:30",
        "aest" => "+10:00",
        "aedt" => "+11:00",
        "nzst" => "+12:00",
        "nzdt" => "+13:00",
        "cet" => "+01:00",
        "cest" => "+02:00",
        "msk" | "moscow time" => "+03:00",
        "kyiv time" => {
            if eu_summer {
                "+03:00"
            } else {
                "+02:00"
            }
        }
        _ => "",
    }
}

fn clock(c: &regex::Captures<'_>) -> Option<(u32, u32)> {
    if let Some(nm) = c.name("nm") {
        return Some(if nm.as_str().eq_ignore_ascii_case("midnight") { (0, 0) } else { (12, 0) });
    }
    if let (Some(h), Some(part)) = (c.name("h3"), c.name("ap3")) {
        // "4 in the morning", "8 in the evening".
        let h: u32 = h.as_str().parse().ok()?;
        let pm = part.as_str() != "morning" && !(part.as_str() == "night" && h < 5);
        return Some((
            if pm && h < 12 {
                h + 12
            } else if !pm && h == 12 {
                0
            } else {
                h
            },
            0,
        ));
    }
    if let (Some(h), Some(m)) = (c.name("h4"), c.name("m4")) {
        // "0600 GMT": military time, only ever written with its zone.
        return Some((h.as_str().parse().ok()?, m.as_str().parse().ok()?));
    }
    if let Some(h) = c.name("h2") {
        return Some((h.as_str().parse().ok()?, c.name("m2")?.as_str().parse().ok()?));
    }
    let mut hour: u32 = c.name("h")?.as_str().parse().ok()?;
    let minute: u32 = c.name("m").map_or(Some(0), |m| m.as_str().parse().ok())?;
    let pm = c.name("ap")?.as_str().to_ascii_lowercase().starts_with('p');
    if hour > 12 {
        return None;
    }
    if pm && hour < 12 {
        hour += 12;
    } else if !pm && hour == 12 {
        hour = 0;
    }
    Some((hour, minute))
}

fn set_value(c: &regex::Captures<'_>) -> Option<String> {
    let g = |name: &str| c.name(name).map(|m| m.as_str());
    if let Some(adv) = g("adv") {
        return Some(
            match adv.to_ascii_lowercase().as_str() {
                "daily" | "nightly" => "P1D",
                "weekly" => "P1W",
                "monthly" => "P1M",
                "quarterly" => "P3M",
                "hourly" => "PT1H",
                _ => "P1Y",
            }
            .to_owned(),
        );
    }
    if let Some(wd) = g("wd").or(g("wds")) {
        return Some(format!("XXXX-WXX-{}", parse_weekday(wd)?.number_from_monday()));
    }
    if let Some(mon) = g("mon") {
        return Some(format!("XXXX-{:02}", month_number(mon)?));
    }
    if let Some(unit) = g("unit2") {
        return Some(format!("P1{}", unit_code(unit)?));
    }
    let unit = g("unit")?.to_ascii_lowercase();
    // "every other week" is every two weeks.
    let n = g("num").and_then(number).unwrap_or(if g("other").is_some() { 2 } else { 1 });
    let code = unit_code(&unit)?;
    Some(if matches!(code, "H") && unit.starts_with('h') { format!("PT{n}H") } else { format!("P{n}{code}") })
}

/// The letter of an hour, minute or second word ("minute" shares its letter with "month"):
/// these count within a day, after TIMEX3's `T`.
fn clock_unit(unit: &str) -> Option<&'static str> {
    let u = unit.to_ascii_lowercase();
    if u.starts_with('h') {
        Some("H")
    } else if u.starts_with("mi") {
        Some("M")
    } else if u.starts_with("se") {
        Some("S")
    } else {
        None
    }
}

/// The TIMEX3 unit letter(s) of a unit word.
fn unit_code(unit: &str) -> Option<&'static str> {
    let u = unit.to_ascii_lowercase();
    Some(match u.trim_end_matches('s') {
        "second" => "S",
        "minute" => "M",
        "hour" => "H",
        "day" | "night" => "D",
        "week" => "W",
        "weekend" => "WE",
        "month" => "M",
        "year" => "Y",
        "quarter" => "Q",
        "decade" => "DE",
        "centurie" | "century" => "CE",
        _ => return None,
    })
}

fn number(text: &str) -> Option<u32> {
    let t = text.trim().to_ascii_lowercase();
    if let Ok(n) = t.split_whitespace().next().unwrap_or("").replace(',', "").parse::<f64>() {
        return (0.0..1e6).contains(&n).then_some(n as u32);
    }
    let word = |w: &str| -> Option<u32> {
        Some(match w {
            "a" | "an" | "one" => 1,
            "two" | "couple" => 2,
            "three" => 3,
            "four" => 4,
            "five" => 5,
            "six" => 6,
            "seven" => 7,
            "eight" => 8,
            "nine" => 9,
            "ten" => 10,
            "eleven" => 11,
            "twelve" => 12,
            "thirteen" => 13,
            "fourteen" => 14,
            "fifteen" => 15,
            "sixteen" => 16,
            "seventeen" => 17,
            "eighteen" => 18,
            "nineteen" => 19,
            "twenty" => 20,
            "thirty" => 30,
            "forty" => 40,
            "fifty" => 50,
            "sixty" => 60,
            "seventy" => 70,
            "eighty" => 80,
            "ninety" => 90,
            "hundred" => 100,
            _ => return None,
        })
    };
    if t.starts_with("a couple") || t.starts_with("couple") {
        return Some(2);
    }
    if t == "a hundred" {
        return Some(100);
    }
    let parts: Vec<&str> = t.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [one] => word(one),
        [tens, ones] => Some(word(tens)? + word(ones)?),
        _ => None,
    }
}

fn month_number(text: &str) -> Option<u32> {
    let t = text.trim_end_matches('.').to_ascii_lowercase();
    let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    months.iter().position(|m| t.starts_with(m)).map(|i| i as u32 + 1)
}

fn day_number(text: &str) -> Option<u32> {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return text.trim_end_matches(|c: char| c.is_ascii_alphabetic()).parse().ok();
    }
    ordinal_number(text).filter(|n| (1..=31).contains(n))
}

/// An ordinal in words, "first" to "thirty-first" ("twenty first" too): its number.
fn ordinal_number(word: &str) -> Option<u32> {
    const ORDINALS: [&str; 20] = [
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
        "twentieth",
    ];
    let lower = word.to_ascii_lowercase().replace(' ', "-");
    let (tens, unit) = match lower.split_once('-') {
        Some(("twenty", u)) => (20, u),
        Some(("thirty", u)) => (30, u),
        Some(_) => return None,
        None if lower == "thirtieth" => return Some(30),
        None => (0, lower.as_str()),
    };
    let n = ORDINALS.iter().position(|x| *x == unit)? as u32 + 1;
    (tens == 0 || n <= 9).then_some(tens + n)
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    text.get(..3)?.parse().ok()
}

fn tod_code(text: &str) -> &'static str {
    match text.to_ascii_lowercase().as_str() {
        "morning" => "MO",
        "afternoon" => "AF",
        "evening" => "EV",
        _ => "NI",
    }
}

/// The month a season begins in (meteorological, northern hemisphere).
fn season_start(text: &str) -> u32 {
    match text.to_ascii_lowercase().as_str() {
        "spring" => 3,
        "summer" => 6,
        "fall" | "autumn" => 9,
        _ => 12,
    }
}

fn season_code(text: &str) -> &'static str {
    match text.to_ascii_lowercase().as_str() {
        "spring" => "SP",
        "summer" => "SU",
        "fall" | "autumn" => "FA",
        _ => "WI",
    }
}

fn ordinal_quarter(ord: &str) -> u32 {
    match ord.to_ascii_lowercase().as_str() {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        _ => 4,
    }
}

fn quarter_of(d: NaiveDate) -> u32 {
    (d.month() - 1) / 3 + 1
}

fn deictic_day(d: &str, dct: NaiveDate) -> NaiveDate {
    let shift = |n: i64| if n < 0 { dct - Days::new(n.unsigned_abs()) } else { dct + Days::new(n as u64) };
    match d {
        s if s.contains("before yesterday") => shift(-2),
        s if s.contains("after tomorrow") => shift(2),
        s if s.starts_with("yesterday") || s == "last night" => shift(-1),
        s if s.starts_with("tomorrow") => shift(1),
        _ => dct,
    }
}

/// The date of a weekday: `last`/`next` step to the week before or after; a bare weekday
/// is the most recent one (the publication day itself included) when the text looks back,
/// the next one when it looks forward.
fn weekday_date(wd: Weekday, rel: Option<&str>, dir: Direction, dct: NaiveDate) -> NaiveDate {
    let today = dct.weekday().num_days_from_monday() as i64;
    let target = wd.num_days_from_monday() as i64;
    let back = (today - target).rem_euclid(7);
    let forward = (target - today).rem_euclid(7);
    let shift = |n: i64| if n < 0 { dct - Days::new(n.unsigned_abs()) } else { dct + Days::new(n as u64) };
    match rel {
        Some("last" | "past") => shift(-(if back == 0 { 7 } else { back })),
        Some("next" | "coming") => shift(if forward == 0 { 7 } else { forward }),
        // The day of this week, unless the tense says the one ahead ("are due to talk again
        // this Monday", written on a Sunday) or the one gone by.
        Some("this") => match dir {
            Direction::Future if target < today => shift(forward),
            Direction::Past if target > today => shift(-back),
            _ => shift(target - today),
        },
        _ => match dir {
            Direction::Past => shift(-back),
            Direction::Future => shift(forward),
        },
    }
}

/// A month and day without a year: the reading nearest the publication date, kept in the
/// past or the future when the text says which.
fn month_day(
    month: u32,
    day: u32,
    year: Option<i32>,
    cue: (Option<Direction>, Option<Direction>),
    dct: NaiveDate,
) -> Option<NaiveDate> {
    let (dir, lean) = cue;
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, month, day);
    }
    let candidates: Vec<NaiveDate> = [dct.year() - 1, dct.year(), dct.year() + 1]
        .iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(*y, month, day))
        .collect();
    let nearest = |list: &mut dyn Iterator<Item = NaiveDate>| list.min_by_key(|d| (*d - dct).num_days().abs());
    let pick = match dir {
        Some(Direction::Past) => nearest(&mut candidates.iter().copied().filter(|d| (*d - dct).num_days() <= 14)),
        // Nobody writes "by Oct. 13" for a day eleven months off.
        Some(Direction::Future) => {
            nearest(&mut candidates.iter().copied().filter(|d| (-14..=300).contains(&(*d - dct).num_days())))
        }
        // News looks back: the past reading wins unless the future one is much nearer;
        // a clause that speaks of the future turns that round.
        None => {
            let back = candidates.iter().copied().filter(|d| *d <= dct).max();
            let ahead = candidates.iter().copied().filter(|d| *d > dct).min();
            match (back, ahead) {
                (Some(b), Some(a)) if lean == Some(Direction::Future) => {
                    if (a - dct).num_days() * 2 <= (dct - b).num_days() * 3 { Some(a) } else { Some(b) }
                }
                (Some(b), Some(a)) if (dct - b).num_days() * 2 <= (a - dct).num_days() * 3 => Some(b),
                (Some(_), Some(a)) => Some(a),
                _ => None,
            }
        }
    };
    pick.or_else(|| nearest(&mut candidates.into_iter()))
}

fn month_year(month: u32, dir: Direction, this: bool, dct: NaiveDate) -> i32 {
    if this {
        return dct.year();
    }
    match dir {
        Direction::Past if month > dct.month() + 1 => dct.year() - 1,
        Direction::Future if month < dct.month() => dct.year() + 1,
        _ => dct.year(),
    }
}

/// The date `n` units before or after `from`, at the grain of the unit: "three days ago"
/// and "two weeks ago" are days, "five months ago" a month, "three years ago" a year.
fn offset_date(code: &str, n: u32, forward: bool, from: NaiveDate) -> Option<String> {
    let months = |m: u32| {
        if forward { from.checked_add_months(Months::new(m)) } else { from.checked_sub_months(Months::new(m)) }
    };
    let days = |d: u64| if forward { from.checked_add_days(Days::new(d)) } else { from.checked_sub_days(Days::new(d)) };
    let years = |y: i32| if forward { from.year() + y } else { from.year() - y };
    Some(match code {
        "D" => days(u64::from(n))?.format("%Y-%m-%d").to_string(),
        // Annotators resolve "two weeks ago" to the day; "five months ago" is a month.
        "W" => days(7 * u64::from(n))?.format("%Y-%m-%d").to_string(),
        "M" => months(n)?.format("%Y-%m").to_string(),
        "Q" => {
            let d = months(3 * n)?;
            format!("{}-Q{}", d.year(), quarter_of(d))
        }
        "Y" => format!("{:04}", years(n as i32)),
        "DE" => format!("{:03}", years(10 * n as i32) / 10),
        "CE" => format!("{:02}", years(100 * n as i32) / 100),
        _ => return None,
    })
}

/// "A year earlier", "the year-ago quarter": a year before what the text is about. Next
/// to a quarter ("third-quarter profit rose from a year earlier") it is that quarter a year
/// before; next to a month, that month; otherwise the year.
fn year_before(cx: Context<'_>, year: i32, quarter: Option<u32>) -> String {
    if let Some(q) = quarter {
        let y = cx.quarter.filter(|(_, cq)| *cq == q).map_or(year, |(y, _)| y);
        return format!("{}-Q{q}", y - 1);
    }
    match cx.anchor {
        Some(a) if quarter_value(a).is_some() => {
            let (y, q) = quarter_value(a).unwrap_or((year, 1));
            format!("{}-Q{q}", y - 1)
        }
        Some(a) if a.len() == 7 && a.as_bytes()[4] == b'-' => {
            let y: i32 = a[..4].parse().unwrap_or(year);
            format!("{}{}", y - 1, &a[4..])
        }
        _ => format!("{:04}", year - 1),
    }
}

fn is_vague(num: &str) -> bool {
    let n = num.trim().to_ascii_lowercase();
    ["few", "a few", "several", "many", "some"].contains(&n.as_str())
}

/// A calendar period around the publication date: this/last/next week, month, year…
fn period(unit: &str, offset: i64, dct: NaiveDate) -> Option<String> {
    let shift_months = |m: i64| {
        if m < 0 {
            dct.checked_sub_months(Months::new(m.unsigned_abs() as u32))
        } else {
            dct.checked_add_months(Months::new(m as u32))
        }
    };
    Some(match unit {
        "week" | "weekend" => {
            let d = if offset < 0 { dct - Days::new(7) } else { dct + Days::new(7 * offset as u64) };
            let w = d.iso_week();
            let base = format!("{}-W{:02}", w.year(), w.week());
            if unit == "weekend" { format!("{base}-WE") } else { base }
        }
        "month" => shift_months(offset)?.format("%Y-%m").to_string(),
        "quarter" => {
            let d = shift_months(3 * offset)?;
            format!("{}-Q{}", d.year(), quarter_of(d))
        }
        "year" => format!("{:04}", dct.year() as i64 + offset),
        "decade" => format!("{:03}", (dct.year() as i64 + 10 * offset) / 10),
        "century" => format!("{:02}", (dct.year() as i64 + 100 * offset) / 100),
        // "last spring", "next fall": the season of the year before (after), as the
        // annotated news reads them ("a strike that began last spring", told in October, is
        // the year before's), whatever season it is told in.
        season => {
            let year = dct.year() as i64 + offset;
            format!("{year:04}-{}", season_code(season))
        }
    })
}

/// Nouns that make the number before them a count, not a year.
const COUNTED: [&str; 40] = [
    "people",
    "troops",
    "soldiers",
    "tons",
    "tonnes",
    "barrels",
    "units",
    "members",
    "jobs",
    "shares",
    "votes",
    "cars",
    "homes",
    "houses",
    "deaths",
    "cases",
    "meters",
    "metres",
    "feet",
    "km",
    "kilometers",
    "kilometres",
    "miles",
    "points",
    "workers",
    "employees",
    "dollars",
    "euros",
    "pounds",
    "yen",
    "acres",
    "hectares",
    "pages",
    "words",
    "students",
    "refugees",
    "civilians",
    "prisoners",
    "percent",
    "rubles",
];

fn preceded_by_time_preposition(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end();
    let word = before.rsplit(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("").to_ascii_lowercase();
    matches!(
        word.as_str(),
        "in" | "since"
            | "by"
            | "until"
            | "till"
            | "before"
            | "after"
            | "during"
            | "through"
            | "from"
            | "of"
            | "to"
            | "early"
            | "late"
            | "mid"
            | "between"
            | "and"
            | "last"
            | "next"
            | "this"
            | "on"
            | "around"
    )
}

/// Words right before an expression that make it point forward ("by Friday").
const FUTURE_BEFORE: [&str; 11] =
    ["by", "until", "till", "before", "through", "next", "effective", "from", "starting", "beginning", "ahead"];
/// Words right before an expression that make it point back ("since Friday").
const PAST_BEFORE: [&str; 8] = ["since", "said", "announced", "reported", "last", "was", "were", "told"];
/// Cues in the sentence that the text speaks of what is to come.
const FUTURE_CUES: [&str; 27] = [
    "planned",
    "planning",
    "plans ",
    "would ",
    "could ",
    "might ",
    "as soon as",
    "will ",
    "'ll ",
    "deadline",
    "expire",
    "scheduled",
    "expected to",
    "plans to",
    "plan to",
    "set to",
    "set for",
    "is to ",
    "are to ",
    "going to",
    "take effect",
    "takes effect",
    "come into force",
    "comes into force",
    "in time for",
    "no later than",
    "upcoming",
];

/// Which way an expression points, from cues around it in its sentence: the word right
/// before it first ("by Friday", "said Friday"), then "'s deadline" after it, then future
/// language nearby. `None` when nothing says.
pub fn direction_cue(text: &str, start: usize, end: usize) -> Option<Direction> {
    let lo = floor_char_boundary(text, start.saturating_sub(80));
    let hi = ceil_char_boundary(text, (end + 40).min(text.len()));
    let before = text[lo..start].rsplit(['.', '!', '?', '\n', ';']).next().unwrap_or("").to_ascii_lowercase();
    let after = text[end..hi].split(['.', '!', '?', '\n', ';']).next().unwrap_or("").to_ascii_lowercase();
    let mut words = before.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).rev();
    let last = words.next().unwrap_or("");
    let last = if matches!(last, "on" | "of" | "as") { words.next().unwrap_or("") } else { last };
    let soon = before.trim_end().ends_with("as soon as") || before.trim_end().ends_with("as early as");
    // "Until Thursday, they had not…" looks back.
    let narrated = [" had ", " was ", " were ", " did "].iter().any(|m| after.contains(m) || before.contains(m));
    // "The match was postponed until Saturday": a deferral points forward whatever its tense.
    let deferred = before.split_whitespace().rev().nth(1).is_some_and(|w| {
        ["postponed", "delayed", "deferred", "adjourned", "extended", "suspended", "paused", "off", "back"].contains(&w)
    });
    if matches!(last, "until" | "till") && narrated && !deferred {
        return Some(Direction::Past);
    }
    // "has set Friday as the deadline" names the coming Friday; "had ruled … and set Friday
    // as the deadline" is told after the fact.
    // "It had been due to expire Friday", "had been scheduled for March 3": a plan told after
    // it changed.
    if [" had been ", " had planned", " had been due", " had been set"].iter().any(|m| before.contains(m)) {
        return Some(Direction::Past);
    }
    let named_deadline =
        [" as the deadline", " as a deadline", " as its deadline"].iter().any(|c| after.starts_with(c))
            && [" has set", " have set", " will set", " is setting", " are setting"]
                .iter()
                .any(|c| before.trim_end().ends_with(c));
    // "had held talks in Doha … starting on Thursday": a start told in the past is past.
    let started = matches!(last, "starting" | "beginning" | "from")
        && clause_tense(&before, &after) == Some(Direction::Past)
        && [" had ", " have ", " has "].iter().any(|m| before.contains(m));
    if started {
        return Some(Direction::Past);
    }
    // "The storm had weakened by Saturday", "fighting ended before Friday": a bound after a
    // verb in the past is a day gone ("was extended until Friday" defers, and "set for",
    // "expected by" plan).
    let done_by = matches!(last, "by" | "before" | "through") && {
        // The two words before the bound: the verb and what may make it a participle.
        let mut w = before.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).rev().skip(1);
        let (verb, aux) = (w.next().unwrap_or(""), w.next().unwrap_or(""));
        past_form(verb)
            && !FUTURE_WORDS.contains(&verb)
            && !matches!(verb, "had" | "was" | "were" | "did")
            && !matches!(aux, "be" | "been" | "being" | "to" | "will" | "would" | "must" | "should" | "is" | "are")
            && ![
                "postponed",
                "delayed",
                "deferred",
                "adjourned",
                "extended",
                "suspended",
                "paused",
                "required",
                "ordered",
                "demanded",
                "told",
                "gave",
                "asked",
                "urged",
                "set",
            ]
            .contains(&verb)
    };
    // "Voting took place from Monday to Wednesday": a start in a clause told in the past
    // (not "announced tariffs from Monday", where a decision sets what is to come).
    let ran_from = matches!(last, "from" | "between")
        && clause_tense(&before, "") == Some(Direction::Past)
        && !before.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
            matches!(
                w,
                "said"
                    | "announced"
                    | "ordered"
                    | "decided"
                    | "agreed"
                    | "set"
                    | "imposed"
                    | "told"
                    | "warned"
                    | "declared"
                    | "approved"
                    | "adopted"
                    | "signed"
                    | "extended"
                    | "postponed"
                    | "delayed"
                    | "moved"
                    | "planned"
                    | "scheduled"
                    | "expected"
                    | "proposed"
                    | "would"
                    | "will"
            )
        });
    if done_by || ran_from {
        return Some(Direction::Past);
    }
    if soon
        || FUTURE_BEFORE.contains(&last)
        || after.starts_with("'s deadline")
        || after.starts_with(" deadline")
        || named_deadline
    {
        return Some(Direction::Future);
    }
    // "Trump said Thanksgiving would be an appropriate time": the day is the subject of a
    // clause about what is to come, not the day of the saying.
    // Only where the day opens the clause: "who talked on Monday will meet again" keeps Monday gone.
    let opens_clause = matches!(
        last,
        "" | "said"
            | "says"
            | "say"
            | "told"
            | "added"
            | "announced"
            | "that"
            | "think"
            | "thinks"
            | "believes"
            | "expects"
            | "predicted"
            | "hopes"
            | "hoped"
    );
    let subject_of_future = opens_clause
        && ["would ", "will ", "could ", "should ", "might ", "is going to ", "is set to "]
            .iter()
            .any(|m| after.trim_start().starts_with(m))
        && !after.trim_start().starts_with("would have")
        && !after.trim_start().starts_with("could have");
    if subject_of_future {
        return Some(Direction::Future);
    }
    if PAST_BEFORE.contains(&last) || last.ends_with("ed") {
        return Some(Direction::Past);
    }
    // "Wednesday's ruling", "the rally planned for Saturday was cancelled": told as past.
    let possessive = after.starts_with("'s ") && !after.starts_with("'s deadline");
    let told_after = [" was ", " were ", " had "].iter().any(|m| after.contains(m));
    if possessive || told_after {
        return None;
    }
    let near_before = &before[floor_char_boundary(&before, before.len().saturating_sub(60))..];
    if FUTURE_CUES.iter().any(|c| near_before.contains(c)) || ["will ", "'ll "].iter().any(|c| after.contains(c)) {
        return Some(Direction::Future);
    }
    None
}

/// Which way the clause around an expression leans, from its verbs: weaker than
/// [`direction_cue`], enough to pick between last Friday and next Friday.
fn lean(text: &str, start: usize, end: usize) -> Option<Direction> {
    let lo = floor_char_boundary(text, start.saturating_sub(120));
    let hi = ceil_char_boundary(text, (end + 60).min(text.len()));
    let window = &text[lo..start];
    let before = &window[last_stop(window).map_or(0, |i| i + 1)..];
    let after = text[end..hi].split(['.', '!', '?', '\n', ';']).next().unwrap_or("");
    clause_tense(before, after)
}

/// Where the last sentence of `text` ended: a period, "!", "?", ";" or a line break, but
/// not the period of "p.m.", "U.S." or "Aug.", which ends no sentence.
fn last_stop(text: &str) -> Option<usize> {
    const SHORT: [&str; 14] =
        ["jan", "feb", "aug", "sept", "sep", "oct", "nov", "dec", "mr", "mrs", "ms", "dr", "st", "no"];
    text.char_indices().rev().filter(|&(_, c)| matches!(c, '.' | '!' | '?' | '\n' | ';')).map(|(i, _)| i).find(|&i| {
        if text.as_bytes()[i] != b'.' {
            return true;
        }
        let word = text[..i].rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
        let short = word.contains('.') || word.len() == 1 || SHORT.contains(&word.to_ascii_lowercase().as_str());
        // "…in the U.S. On Monday": a capital after it starts a sentence all the same, unless
        // it goes on a name ("U.S. Trade Representative Jamieson Greer").
        // Inside a token ("U.S.", "a.m."): no stop.
        if text[i + 1..].starts_with(|c: char| c.is_alphanumeric()) {
            return false;
        }
        let next = text[i + 1..].trim_start();
        let opens = next.starts_with(|c: char| c.is_uppercase())
            && (!word.contains('.') || {
                let first = next.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
                OPENERS.contains(&first)
            });
        !short || opens
    })
}

/// Words that open a sentence after an abbreviation's period ("…in the U.S. On Monday").
const OPENERS: [&str; 24] = [
    "On", "The", "In", "A", "An", "But", "He", "She", "It", "They", "We", "I", "This", "That", "After", "Before",
    "When", "While", "At", "Last", "Earlier", "Later", "Its", "Their",
];

/// Verbs whose past form does not end in "-ed".
pub(crate) const IRREGULAR_PAST: [&str; 52] = [
    "met", "said", "told", "began", "came", "went", "took", "gave", "made", "held", "left", "saw", "found", "got",
    "sent", "spoke", "wrote", "won", "lost", "fell", "rose", "shot", "struck", "became", "brought", "bought", "sold",
    "paid", "fled", "led", "ran", "chose", "broke", "built", "sought", "thought", "kept", "fought", "drew", "flew",
    "grew", "knew", "threw", "stood", "sat", "withdrew", "was", "were", "had", "did", "heard", "felt",
];
/// Whether a lower-case word is a verb's past form ("met", "weakened", not "united").
fn past_form(word: &str) -> bool {
    IRREGULAR_PAST.contains(&word) || (word.len() > 4 && word.ends_with("ed") && !NOT_PAST.contains(&word))
}

/// Words that make a clause speak of what is to come.
const FUTURE_WORDS: [&str; 22] = [
    "will",
    "shall",
    "would",
    "going",
    "plans",
    "plan",
    "planned",
    "planning",
    "expected",
    "expects",
    "scheduled",
    "slated",
    "due",
    "upcoming",
    "aims",
    "intends",
    "intend",
    "hopes",
    "wants",
    "next",
    "proposed",
    "seeks",
];
/// Words ending in "-ed" that are not past verbs.
const NOT_PAST: [&str; 12] =
    ["united", "based", "limited", "hundred", "indeed", "need", "speed", "red", "bed", "shed", "feed", "seed"];

/// The tense of the clause an expression sits in, from the nearest verb before it ("met …
/// on Friday", "will be named … for a mission in December"), else the first one after it
/// ("On Friday, the council voted"). `None` for the present or when nothing says.
/// Verbs of scheduled events whose present tense in news tells what is to come.
const SCHEDULED_PRESENT: [&str; 35] = [
    "meet",
    "meets",
    "hold",
    "holds",
    "begin",
    "begins",
    "visit",
    "visits",
    "travels",
    "host",
    "hosts",
    "vote",
    "votes",
    "arrives",
    "resume",
    "resumes",
    "convene",
    "convenes",
    "gather",
    "gathers",
    "opens",
    "kicks",
    "start",
    "starts",
    "close",
    "closes",
    "heads",
    "leaves",
    "expires",
    "lapses",
    "testifies",
    "debates",
    "rules",
    "launches",
    "ends",
];
/// Events whose present progressive ("the council is voting on Friday") plans them; a state
/// ("is continuing", "is seeking") plans nothing.
const PLANNED_PROGRESSIVE: [&str; 20] = [
    "meeting",
    "voting",
    "holding",
    "visiting",
    "travelling",
    "traveling",
    "hosting",
    "flying",
    "heading",
    "leaving",
    "arriving",
    "signing",
    "opening",
    "closing",
    "starting",
    "beginning",
    "resuming",
    "convening",
    "gathering",
    "testifying",
];
/// Words before a verb-like word that make it a noun: "the vote", "its visit", "a meeting".
const DETERMINERS: [&str; 16] = [
    "the", "a", "an", "this", "that", "its", "their", "his", "her", "our", "next", "last", "first", "final", "any",
    "each",
];

fn clause_tense(before: &str, after: &str) -> Option<Direction> {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_ascii_alphabetic() || c == '\''))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let read = |w: &[String], ahead: bool| -> Option<Option<Direction>> {
        let word = w.last()?.as_str();
        let prev = w.len().checked_sub(2).map_or("", |i| w[i].as_str());
        // After the expression only an auxiliary says the future: "On Friday, the Kenyan
        // government planned to pay" is told after the fact.
        let future = if ahead { matches!(word, "will" | "shall" | "would") } else { FUTURE_WORDS.contains(&word) };
        if future || word.ends_with("'ll") {
            return Some(Some(Direction::Future));
        }
        // "Akazawa is to sit down with Bessent on Thursday": a plan.
        if !ahead && word == "to" && matches!(prev, "is" | "are" | "am") {
            return Some(Some(Direction::Future));
        }
        if matches!(word, "is" | "are" | "am" | "has" | "have" | "says" | "say") {
            return Some(None);
        }
        // "The council is voting on Friday": the present progressive of an event plans it.
        if !ahead && PLANNED_PROGRESSIVE.contains(&word) && matches!(prev, "is" | "are" | "am") {
            return Some(Some(Direction::Future));
        }
        // "EU foreign ministers meet in Brussels on Monday": a scheduled event told in the
        // present is to come.
        if !ahead
            && SCHEDULED_PRESENT.contains(&word)
            && !matches!(prev, "to" | "did" | "not" | "would" | "could" | "should" | "might" | "may" | "can" | "didn't")
            && !DETERMINERS.contains(&prev)
        {
            return Some(Some(Direction::Future));
        }
        let past = past_form(word);
        // "will be named", "to be held": a participle; the verb before it decides.
        if past && matches!(prev, "be" | "been" | "being" | "to") {
            return None;
        }
        past.then_some(Some(Direction::Past))
    };
    let back = words(before);
    // Fifteen words back, not counting names ("with U.S. Treasury Secretary Scott Bessent
    // and U.S. Trade Representative Jamieson Greer" is one party, not a clause).
    let named = |w: &str| w.starts_with(|c: char| c.is_ascii_uppercase());
    let lo = {
        // The words of `back`, read from the end with their case; no list built.
        let (mut plain, mut taken) = (0, 0);
        for w in before.split(|c: char| !(c.is_ascii_alphabetic() || c == '\'')).filter(|w| !w.is_empty()).rev() {
            if plain == 15 {
                break;
            }
            taken += 1;
            if !named(w) {
                plain += 1;
            }
        }
        back.len() - taken
    };
    for i in (lo..back.len()).rev() {
        // "next to the embassy" is a place.
        if back[i] == "next" && back.get(i + 1).is_some_and(|w| w == "to") {
            continue;
        }
        if let Some(found) = read(&back[lo..=i], false) {
            return found;
        }
    }
    let ahead = words(after);
    for i in 0..ahead.len().min(8) {
        // "On Friday Trump is due to receive…": a present auxiliary that plans.
        let planned = matches!(ahead[i].as_str(), "is" | "are")
            && ahead
                .get(i + 1)
                .is_some_and(|w| matches!(w.as_str(), "due" | "expected" | "scheduled" | "set" | "slated"))
            && ahead.get(i + 2).is_some_and(|w| w == "to");
        // "On Tuesday, the league plans to hold a news conference": a present intention.
        // "On Monday, Zelensky, who plans to visit Washington, spoke…": not in a relative clause.
        let intends = matches!(ahead[i].as_str(), "plans" | "intends" | "expects" | "aims" | "hopes")
            && ahead.get(i + 1).is_some_and(|w| w == "to")
            && !ahead[..i].iter().any(|w| matches!(w.as_str(), "who" | "which" | "that" | "whose"))
            && !i.checked_sub(1).is_some_and(|j| DETERMINERS.contains(&ahead[j].as_str()));
        if planned || intends {
            return Some(Direction::Future);
        }
        if let Some(found) = read(&ahead[..=i], true) {
            return found;
        }
    }
    None
}

/// [`direction_cue`], with news' default of looking back.
pub fn direction(text: &str, start: usize, end: usize) -> Direction {
    if let Some(d) = direction_cue(text, start, end) {
        return d;
    }
    // "Wednesday's ruling" is a thing already done, whatever the clause goes on to plan.
    if text[end..].starts_with("'s ") {
        return Direction::Past;
    }
    lean(text, start, end).unwrap_or(Direction::Past)
}

/// The largest char boundary of `text` at or below `i`.
pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, dct: &str) -> Vec<(String, String)> {
        let dct = NaiveDate::parse_from_str(dct, "%Y-%m-%d").expect("date");
        find(text, dct).into_iter().map(|t| (t.text, t.value)).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn a_number_inside_an_identifier_is_no_time() {
        let got =
            values("General License INT/2022/1277777 and Regulation (EU) 2022/576 of 8 April 2022.", "2022-05-01");
        assert_eq!(got, pairs(&[("8 April 2022", "2022-04-08")]));
        // A season and a written date are still times.
        let got = values("the 2022/23 season, on 3/4/2022", "2023-01-01");
        assert_eq!(got.len(), 2, "{got:?}");
    }

    #[test]
    fn dates_in_news_forms() {
        // Monday 14 July 2025.
        let got = values(
            "Trump said on Monday that sanctions take effect at 12:01 a.m. EDT on August 8, within 50 days, and that talks resumed last Tuesday. A deal was signed Aug. 1, 2024.",
            "2025-07-14",
        );
        assert_eq!(
            got,
            pairs(&[
                ("Monday", "2025-07-14"),
                ("12:01 a.m. EDT on August 8", "2025-08-08T00:01-04:00"),
                ("50 days", "P50D"),
                ("last Tuesday", "2025-07-08"),
                ("Aug. 1, 2024", "2024-08-01"),
            ])
        );
    }

    #[test]
    fn a_day_and_month_take_a_year_said_relative_to_now() {
        // Saturday 8 November 2025.
        let got = values(
            "The controls were deferred until November 10 of next year; the rule of March 3 last year stays.",
            "2025-11-08",
        );
        assert_eq!(got, pairs(&[("November 10 of next year", "2026-11-10"), ("March 3 last year", "2024-03-03")]));
    }

    #[test]
    fn weekdays_point_back_in_reports_and_forward_in_deadlines() {
        // Wednesday 6 August 2025.
        assert_eq!(values("Witkoff met Putin on Friday.", "2025-08-06"), pairs(&[("Friday", "2025-08-01")]));
        assert_eq!(values("Russia must agree by Friday.", "2025-08-06"), pairs(&[("Friday", "2025-08-08")]));
        assert_eq!(values("Ahead of Friday's deadline, he spoke.", "2025-08-06"), pairs(&[("Friday", "2025-08-08")]));
        assert_eq!(
            values("Trump has set Friday as the deadline for a ceasefire.", "2025-08-07"),
            pairs(&[("Friday", "2025-08-08")])
        );
        // A day that is the subject of a clause about what is to come, after "said".
        assert_eq!(
            values("Trump said Friday would be an appropriate time for Kyiv to decide.", "2025-08-06"),
            pairs(&[("Friday", "2025-08-08")])
        );
        assert_eq!(values("Trump said Friday he would decide.", "2025-08-06"), pairs(&[("Friday", "2025-08-01")]));
        assert_eq!(
            values("The envoys who talked on Monday will meet again in June.", "2025-08-06")[0],
            ("Monday".to_owned(), "2025-08-04".to_owned())
        );
    }

    #[test]
    fn relative_days_periods_and_references() {
        let got = values(
            "Yesterday, today and tomorrow; this week, next month, last year; now and recently; in the coming weeks; every six months; two weeks ago.",
            "2025-08-06",
        );
        assert_eq!(
            got,
            pairs(&[
                ("Yesterday", "2025-08-05"),
                ("today", "2025-08-06"),
                ("tomorrow", "2025-08-07"),
                ("this week", "2025-W32"),
                ("next month", "2025-09"),
                ("last year", "2024"),
                ("now", "PRESENT_REF"),
                ("recently", "PAST_REF"),
                ("the coming weeks", "FUTURE_REF"),
                ("every six months", "P6M"),
                ("two weeks ago", "2025-07-23"),
            ])
        );
    }

    #[test]
    fn a_day_something_is_due_by_is_no_reference_for_a_day_earlier() {
        // Saturday 19 July 2025.
        let got = values(
            "Akazawa said on Saturday that he would visit before the tariff comes into force on Aug. 1. A day earlier, Ishiba met Bessent.",
            "2025-07-19",
        );
        assert_eq!(got.last().map(|(_, v)| v.as_str()), Some("2025-07-18"), "{got:?}");
        // A day the narrative is on still is one.
        let got = values("The envoys met on July 10. A day earlier, the ministers had spoken.", "2025-07-19");
        assert_eq!(got.last().map(|(_, v)| v.as_str()), Some("2025-07-09"), "{got:?}");
    }

    #[test]
    fn words_that_look_like_months_are_left_alone() {
        assert!(values("Officials may March on the capital, he said.", "2025-08-06").is_empty());
        assert_eq!(values("Talks began in May.", "2025-08-06"), pairs(&[("May", "2025-05")]));
    }
}

/// One test per TIMEX3 category the extractor follows, each on sentences written for it.
#[cfg(test)]
mod categories {
    use super::*;

    fn values(text: &str, dct: &str) -> Vec<(String, String)> {
        let dct = NaiveDate::parse_from_str(dct, "%Y-%m-%d").expect("date");
        find(text, dct).into_iter().map(|t| (t.text, t.value)).collect()
    }

    fn value_of(text: &str, dct: &str, expr: &str) -> String {
        values(text, dct)
            .into_iter()
            .find(|(t, _)| t == expr)
            .unwrap_or_else(|| panic!("{expr:?} not found in {text:?}: {:?}", values(text, dct)))
            .1
    }

    #[test]
    fn this_weekday_follows_the_tense_and_a_span_of_days_runs_forward() {
        // Sunday 13 March 2022: the Monday ahead, not the one the week began with.
        let dct = "2022-03-13";
        assert_eq!(value_of("The delegations are due to talk again this Monday.", dct, "this Monday"), "2022-03-14");
        // Wednesday 9 March: a Friday gone by is this week's.
        assert_eq!(value_of("They met this Friday.", "2022-03-09", "this Friday"), "2022-03-04");
        assert_eq!(value_of("They will meet this Friday.", "2022-03-09", "this Friday"), "2022-03-11");
        // Sunday 27 March: Monday to Wednesday are the days ahead, in that order.
        let found = values("They will hold three days of talks, from Monday to Wednesday, in Turkey.", "2022-03-27");
        let days: Vec<&str> = found.iter().map(|(_, v)| v.as_str()).filter(|v| v.len() == 10).collect();
        assert_eq!(days, ["2022-03-28", "2022-03-30"], "{found:?}");
    }

    #[test]
    fn a_clock_time_after_a_date_is_on_it_and_days_can_be_words() {
        let dct = "2011-03-04";
        assert_eq!(
            value_of("The vote took place on 3 March 2011 at 14:00 GMT.", dct, "14:00 GMT"),
            "2011-03-03T14:00Z"
        );
        assert_eq!(
            value_of("Polls closed on March 1, 9:30 p.m. local time.", dct, "9:30 p.m. local time"),
            "2011-03-01T21:30"
        );
        assert_eq!(value_of("The law took effect on the first of January.", dct, "the first of January"), "2011-01-01");
        assert_eq!(value_of("It opens on the twenty-third of April.", dct, "the twenty-third of April"), "2011-04-23");
        assert!(values("It was a second March on the capital.", dct).is_empty());
    }

    #[test]
    fn years_and_months_later_count_from_the_year_or_month_last_named() {
        let dct = "2011-03-04";
        assert_eq!(value_of("It was founded in 1998 and listed two years later.", dct, "two years later"), "2000");
        assert_eq!(
            value_of("Sales fell in May 2009 and recovered three months later.", dct, "three months later"),
            "2009-08"
        );
        assert_eq!(
            value_of("The plant opened in 2005; two years earlier, it was a farm.", dct, "two years earlier"),
            "2003"
        );
        // "ago" counts from the day of writing.
        assert_eq!(value_of("It was founded in 1998, two years ago.", dct, "two years ago"), "2009");
    }

    #[test]
    fn years_read_out_in_words() {
        let dct = "1998-02-27";
        assert_eq!(value_of("Prices fell in nineteen ninety-six and rose again.", dct, "nineteen ninety-six"), "1996");
        assert_eq!(value_of("It began in nineteen seventy-nine.", dct, "nineteen seventy-nine"), "1979");
        assert_eq!(value_of("He left in nineteen eighty.", dct, "nineteen eighty"), "1980");
        assert_eq!(value_of("The plan ends by the year two thousand.", dct, "the year two thousand"), "2000");
        assert_eq!(value_of("It opens in two thousand and one.", dct, "two thousand and one"), "2001");
        assert_eq!(
            value_of("The approach of the year two thousand has them worried.", dct, "the year two thousand"),
            "2000"
        );
        assert!(values("Some two thousand troops arrived.", dct).is_empty());
        assert!(values("Police counted nineteen ninety-six votes.", dct).is_empty());
    }

    #[test]
    fn an_ordinal_second_is_no_time_and_minutes_are_not_months() {
        let dct = "2025-04-19";
        assert!(values("Iraq imports about three-quarters of its food.", dct).is_empty());
        assert!(values("Banks hold more than a quarter of the market.", dct).is_empty());
        assert_eq!(value_of("Sales fell for three quarters in a row.", dct, "three quarters"), "P3Q");
        assert_eq!(value_of("It was two quarters of growth.", dct, "two quarters"), "P2Q");
        let found = values("A second round of talks began on Saturday.", dct);
        assert!(found.iter().all(|(t, _)| t != "A second"), "{found:?}");
        assert_eq!(value_of("He waited a second and then answered.", dct, "a second"), "PT1S");
        assert_eq!(value_of("They left a minute later.", dct, "a minute later"), "2025-04-19");
        assert_eq!(value_of("The blast came ten minutes ago.", dct, "ten minutes ago"), "2025-04-19");
        assert_eq!(value_of("Talks resumed 48 hours later.", dct, "48 hours later"), "2025-04-21");
        assert_eq!(value_of("The meeting lasted a minute.", dct, "a minute"), "PT1M");
    }

    #[test]
    fn values_keep_the_grain_of_the_expression() {
        let dct = "2024-05-15";
        assert_eq!(value_of("The plant closed three years ago.", dct, "three years ago"), "2021");
        assert_eq!(value_of("Exports fell five months ago.", dct, "five months ago"), "2023-12");
        assert_eq!(value_of("The envoy left three days ago.", dct, "three days ago"), "2024-05-12");
        assert_eq!(value_of("Prices rose last month.", dct, "last month"), "2024-04");
        assert_eq!(
            value_of("Output shrank in the second quarter of last year.", dct, "the second quarter of last year"),
            "2023-Q2"
        );
        assert_eq!(value_of("The dispute lasted a century.", dct, "a century"), "P100Y");
        assert_eq!(value_of("Trade doubled over the past two decades.", dct, "the past two decades"), "P20Y");
        assert_eq!(value_of("Rates will hold for the next three months.", dct, "the next three months"), "P3M");
        assert_eq!(value_of("Talks stalled in the 1990s.", dct, "the 1990s"), "199");
        assert_eq!(value_of("A craze of the '60s came back.", dct, "the '60s"), "196");
        assert_eq!(value_of("The treaty was signed in '91.", dct, "'91"), "1991");
        assert_eq!(value_of("It was rebuilt in the 11th century.", dct, "the 11th century"), "10");
        assert_eq!(value_of("Memories of the nineties linger.", dct, "the nineties"), "199");
    }

    #[test]
    fn a_year_earlier_follows_what_the_report_is_about() {
        let text = "Third-quarter profit rose 8%. Sales fell from a year earlier. The loss in the quarter was small.";
        let got = values(text, "1989-10-30");
        assert_eq!(got[0].1, "1989-Q3");
        assert_eq!(value_of(text, "1989-10-30", "a year earlier"), "1988-Q3");
        assert_eq!(value_of(text, "1989-10-30", "the quarter"), "1989-Q3");
        assert_eq!(value_of("Unemployment is lower than a year ago.", "1989-10-30", "a year ago"), "1988");
    }

    #[test]
    fn zones_on_clock_times() {
        let dct = "2011-03-04";
        assert_eq!(value_of("The vote opens at 09:30 GMT today.", dct, "09:30 GMT today"), "2011-03-04T09:30Z");
        // A clock time with no a.m. or p.m. takes the part of the day told after it.
        assert_eq!(value_of("It lapses at 11:59 that evening.", dct, "11:59 that evening"), "2011-03-04T23:59");
        assert_eq!(value_of("They vote at 11:30 tonight.", dct, "11:30 tonight"), "2011-03-04T23:30");
        assert_eq!(value_of("The strike came at 2:15 that night.", dct, "2:15 that night"), "2011-03-04T02:15");
        assert_eq!(value_of("The vote opens at 9:30 a.m. UTC.", dct, "9:30 a.m. UTC"), "2011-03-04T09:30Z");
        assert_eq!(value_of("Polls close at 8 p.m. EST Friday.", dct, "8 p.m. EST Friday"), "2011-03-04T20:00-05:00");
        // Eastern Time is daylight time in July.
        assert_eq!(
            value_of("Trading halts at 4 p.m. ET today.", "2011-07-05", "4 p.m. ET today"),
            "2011-07-05T16:00-04:00"
        );
        assert_eq!(value_of("He called at 4 in the morning.", dct, "4 in the morning"), "2011-03-04T04:00");
        // Zones news names beyond Europe and the Americas carry their offset.
        assert_eq!(
            value_of("The quake struck at 14:46 JST on Friday.", dct, "14:46 JST on Friday"),
            "2011-03-04T14:46+09:00"
        );
        assert_eq!(value_of("Voting ends at 5 p.m. IST today.", dct, "5 p.m. IST today"), "2011-03-04T17:00+05:30");
        assert_eq!(value_of("Markets open at 9 a.m. AEDT.", dct, "9 a.m. AEDT"), "2011-03-04T09:00+11:00");
    }

    #[test]
    fn a_scheduled_event_told_in_the_present_is_to_come() {
        // Thursday, July 10, 2025.
        let dct = "2025-07-10";
        assert_eq!(value_of("EU foreign ministers meet in Brussels on Monday.", dct, "Monday"), "2025-07-14");
        assert_eq!(value_of("The two sides hold talks in Geneva on Saturday.", dct, "Saturday"), "2025-07-12");
        // Past narration stays past.
        assert_eq!(value_of("The ministers met in Brussels on Monday.", dct, "Monday"), "2025-07-07");
    }

    #[test]
    fn anaphoric_and_relative_days() {
        // Wednesday 10 April 2013.
        let text = "The envoys met on March 12. That day, they agreed on a text. The day before, aides had \
                    drafted it. The following week, they signed. Later that year they met again.";
        let dct = "2013-04-10";
        assert_eq!(value_of(text, dct, "That day"), "2013-03-12");
        assert_eq!(value_of(text, dct, "The day before"), "2013-03-11");
        assert_eq!(value_of(text, dct, "The following week"), "2013-W12");
        assert_eq!(value_of(text, dct, "Later that year"), "2013");
        let text = "Rebels struck on Monday, and the same day the army answered. Earlier in the day, talks had failed.";
        assert_eq!(value_of(text, dct, "the same day"), "2013-04-08");
        let same = "Rebels struck on Monday, and that same day the army answered.";
        assert_eq!(value_of(same, dct, "that same day"), "2013-04-08");
        assert_eq!(value_of(text, dct, "Earlier in the day"), "2013-04-08");
        assert_eq!(value_of("The ministers met over the weekend.", dct, "the weekend"), "2013-W14-WE");
        assert_eq!(value_of("Fighting eased last weekend.", dct, "last weekend"), "2013-W14-WE");
        // Told on a weekday, "this weekend" is the one just past in a report and the coming
        // one in a plan.
        assert_eq!(value_of("The two leaders sat down together this weekend.", dct, "this weekend"), "2013-W14-WE");
        assert_eq!(value_of("The two leaders will meet this weekend.", dct, "this weekend"), "2013-W15-WE");
        assert_eq!(value_of("Rates rise later this year.", dct, "later this year"), "2013");
        assert_eq!(value_of("Sales peaked in spring 2012.", dct, "spring 2012"), "2012-SP");
        assert_eq!(value_of("Sales peaked last summer.", dct, "last summer"), "2012-SU");
        assert_eq!(value_of("He spoke this morning.", dct, "this morning"), "2013-04-10TMO");
        assert_eq!(value_of("He spoke Tuesday evening.", dct, "Tuesday evening"), "2013-04-09TEV");
        assert_eq!(value_of("It left last night.", dct, "last night"), "2013-04-09TNI");
    }

    #[test]
    fn fiscal_years_and_quarters() {
        let dct = "2024-11-20";
        assert_eq!(value_of("Revenue for fiscal 2023 grew.", dct, "fiscal 2023"), "2023");
        assert_eq!(value_of("Guidance for FY2025 was cut.", dct, "FY2025"), "2025");
        assert_eq!(value_of("Sales in Q3 2024 beat forecasts.", dct, "Q3 2024"), "2024-Q3");
        assert_eq!(value_of("The third fiscal quarter ended.", dct, "The third fiscal quarter"), "2024-Q3");
        assert_eq!(value_of("Costs rose in the current fiscal year.", dct, "the current fiscal year"), "2024");
        assert_eq!(value_of("They met the target by year-end.", dct, "year-end"), "2024");
        let dct = NaiveDate::from_ymd_opt(2025, 6, 11).expect("date");
        let all = find("Sales in the fiscal year 2025 rose.", dct);
        assert_eq!(
            all.iter().map(|t| (t.text.as_str(), t.value.as_str())).collect::<Vec<_>>(),
            [("the fiscal year 2025", "2025")],
            "one expression, not 'the fiscal year' and '2025'"
        );
        let all = find("It expects a loss in fiscal year 2026's third quarter.", dct);
        assert_eq!(
            all.iter().map(|t| (t.text.as_str(), t.value.as_str())).collect::<Vec<_>>(),
            [("fiscal year 2026", "2026"), ("third quarter", "2026-Q3")],
            "a year's possessive is no decade, and the quarter is that year's"
        );
        assert_eq!(value_of("Prices peaked in the 1990's.", "2025-06-11", "the 1990's"), "199");
        assert_eq!(value_of("Margins fell in H1 2026.", "2025-06-11", "H1 2026"), "2026-H1");
        assert_eq!(value_of("It was built in the year 2000.", "2011-03-11", "the year 2000"), "2000");
        assert_eq!(value_of("They wed in the summer of 2010.", "2011-03-11", "the summer of 2010"), "2010-SU");
        // A year before a noun is the year alone, not "the 2010".
        assert_eq!(value_of("He lost the 2010 election.", "2011-03-11", "2010"), "2010");
        assert_eq!(value_of("He left at 2.30pm on Friday.", "2011-03-11", "2.30pm on Friday"), "2011-03-11T14:30");
        assert_eq!(
            value_of("It opened on March 2. The day prior it shut.", "2011-03-11", "The day prior"),
            "2011-03-01"
        );
        assert_eq!(value_of("Guidance for H2 2025 held.", "2025-06-11", "H2 2025"), "2025-H2");
    }

    #[test]
    fn next_and_last_seasons_are_the_year_after_and_before() {
        assert_eq!(value_of("A strike began last spring.", "1989-10-26", "last spring"), "1988-SP");
        assert_eq!(value_of("Talks resume next fall.", "2025-06-11", "next fall"), "2026-FA");
        assert_eq!(value_of("It opens this winter.", "2025-06-11", "this winter"), "2025-WI");
    }

    #[test]
    fn sets() {
        let dct = "2024-05-15";
        assert_eq!(value_of("The index is published yearly.", dct, "yearly"), "P1Y");
        assert_eq!(value_of("Dividends are paid each quarter.", dct, "each quarter"), "P1Q");
        assert_eq!(value_of("The board meets twice a month.", dct, "twice a month"), "P1M");
        assert_eq!(value_of("Inspectors visit every other week.", dct, "every other week"), "P2W");
        assert_eq!(value_of("Marchers parade each July.", dct, "each July"), "XXXX-07");
        assert_eq!(value_of("The market opens on Mondays.", dct, "Mondays"), "XXXX-WXX-1");
        assert!(values("A quarterly dividend was declared.", dct).is_empty());
        assert!(values("The party daily Granma said so.", dct).is_empty());
    }

    #[test]
    fn direction_from_tense_and_context() {
        // Wednesday 6 March 2024.
        let dct = "2024-03-06";
        assert_eq!(value_of("The council voted on Friday.", dct, "Friday"), "2024-03-01");
        assert_eq!(value_of("The council will vote on Friday.", dct, "Friday"), "2024-03-08");
        // The period of "p.m." ends no sentence: the clause's "expires" still leads.
        assert_eq!(value_of("The truce expires at 8 p.m. (0000 GMT) on Friday.", dct, "Friday"), "2024-03-08");
        // A capital after it does: "voted" is the last sentence's.
        assert_eq!(
            value_of("The council voted at 8 p.m. On Friday the truce will expire.", dct, "Friday"),
            "2024-03-08"
        );
        assert_eq!(
            value_of("Colonel Ames will be named to command the flight in December.", dct, "December"),
            "2024-12"
        );
        assert_eq!(value_of("Exports collapsed in December.", dct, "December"), "2023-12");
        assert_eq!(value_of("Protesters planned a march on Saturday.", dct, "Saturday"), "2024-03-09");
        // A bound after a verb in the past is a day gone; after a demand or a plan, to come.
        assert_eq!(value_of("The storm weakened by Saturday morning.", dct, "Saturday morning"), "2024-03-02TMO");
        assert_eq!(value_of("The fighting ended before Friday.", dct, "Friday"), "2024-03-01");
        assert_eq!(value_of("Russia must withdraw by Friday.", dct, "Friday"), "2024-03-08");
        assert_eq!(value_of("Trump demanded by Friday a reply.", dct, "Friday"), "2024-03-08");
        assert_eq!(value_of("The vote was postponed by Friday.", dct, "Friday"), "2024-03-08");
        assert_eq!(value_of("Voting took place from Monday to Tuesday.", dct, "Monday"), "2024-03-04");
        assert_eq!(value_of("Akazawa is to sit down with Bessent on Thursday.", dct, "Thursday"), "2024-03-07");
        // Names are no clause, and "U.S. Trade" no sentence end.
        assert_eq!(
            value_of(
                "Akazawa is to sit down with U.S. Treasury Secretary Scott Bessent and U.S. Trade Representative \
                 Jamieson Greer on Thursday.",
                dct,
                "Thursday"
            ),
            "2024-03-07"
        );
        // "next to" is a place.
        assert_eq!(
            value_of("A bomb ripped through a building next to the U.S. embassy on Friday.", dct, "Friday"),
            "2024-03-01"
        );
        assert!(values("Cash flowed in from Miami and soon became a flood.", dct).is_empty());
        assert_eq!(value_of("Trump announced tariffs from Monday.", dct, "Monday"), "2024-03-11");
        // "Friday's ruling" is done, whatever the clause plans.
        assert_eq!(value_of("Lawyers said they would appeal Friday's ruling.", dct, "Friday"), "2024-03-01");
        // A date eleven months ahead is not what "by" means.
        assert_eq!(value_of("Shares bought from Feb. 20 were sold.", dct, "Feb. 20"), "2024-02-20");
        assert_eq!(value_of("The offer runs until March 20.", dct, "March 20"), "2024-03-20");
        assert_eq!(value_of("He was shot last Oct. 23 at home.", dct, "last Oct. 23"), "2023-10-23");
        // The month just gone is "last month": "last February" in March is a year back,
        // "last November" the one most recent.
        assert_eq!(value_of("Two helicopters crashed last February.", dct, "last February"), "2023-02");
        assert_eq!(value_of("Two helicopters crashed last March.", dct, "last March"), "2023-03");
        assert_eq!(value_of("Talks began last November.", dct, "last November"), "2023-11");
        assert_eq!(value_of("Talks began last January.", dct, "last January"), "2024-01");
        // A present intention after a fronted day plans it; a past one told it.
        assert_eq!(value_of("On Friday, the league plans to hold a news conference.", dct, "Friday"), "2024-03-08");
        assert_eq!(value_of("On Friday, the league planned to hold a news conference.", dct, "Friday"), "2024-03-01");
        assert_eq!(
            value_of("On Friday, Zelensky, who plans to visit Washington, spoke with Trump by phone.", dct, "Friday"),
            "2024-03-01"
        );
        // "the week of March 18" is the week that holds it.
        assert_eq!(
            values("The case may be heard the week of March 18, lawyers said.", dct),
            vec![("the week of March 18".to_owned(), "2024-W12".to_owned())]
        );
    }

    #[test]
    fn present_plans_and_deferrals_point_forward() {
        // Wednesday 6 March 2024.
        let dct = "2024-03-06";
        assert_eq!(value_of("The council is voting on Friday.", dct, "Friday"), "2024-03-08");
        assert_eq!(value_of("Polls close on Sunday.", dct, "Sunday"), "2024-03-10");
        assert_eq!(value_of("The match was postponed until Saturday.", dct, "Saturday"), "2024-03-09");
        // "Until Thursday, they had not…" still looks back.
        assert_eq!(value_of("Until Monday, the border was shut.", dct, "Monday"), "2024-03-04");
        // "The vote" is a noun, not a verb that plans: the clause is told in the past.
        assert_eq!(value_of("The vote, at 10 a.m. Tuesday, passed.", dct, "10 a.m. Tuesday"), "2024-03-05T10:00");
        // "is including" is no plan of an event, and "is" alone is the present.
        assert_eq!(value_of("Sales rose on Monday.", dct, "Monday"), "2024-03-04");
    }

    #[test]
    fn a_clock_time_takes_the_day_that_follows_it() {
        let dct = "2022-12-08";
        let got = values("The storm hit at around 3 p.m. local time (1900 UTC) on Saturday.", dct);
        assert_eq!(
            got,
            [("3 p.m. local time", "2022-12-03T15:00"), ("1900 UTC", "2022-12-03T19:00Z"), ("Saturday", "2022-12-03")]
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        // A clock time with a day of its own, or far from the next day, keeps its own.
        let got = values("Tuesday night at 9 p.m. the polls closed; results came on Friday.", dct);
        assert!(got.iter().all(|(_, v)| !v.starts_with("2022-12-02T")), "{got:?}");
        let got = values("Polls closed at 8 p.m., and the count finished days later on Friday.", dct);
        assert_eq!(got[0].1, "2022-12-08T20:00", "{got:?}");
    }

    #[test]
    fn the_past_decade_is_a_span_and_the_last_decade_a_calendar_one() {
        let dct = "2022-12-08";
        assert_eq!(value_of("Exports grew over the past decade.", dct, "the past decade"), "P10Y");
        assert_eq!(value_of("Wages fell in the last decade.", dct, "the last decade"), "201");
        assert_eq!(value_of("It changed over the past century.", dct, "the past century"), "P100Y");
    }

    #[test]
    fn years_are_told_from_counts() {
        let dct = "2024-03-06";
        assert_eq!(value_of("Kopp's 1987 sedan was found.", dct, "1987"), "1987");
        assert_eq!(value_of("Its 2023 budget ran out.", dct, "2023"), "2023");
        assert_eq!(value_of("Talks ran from 2004-2008.", dct, "2004"), "2004");
        for counted in [
            "About 2000 troops left.",
            "It cost $1990 then.",
            "The index closed at 2082.1 points.",
            "Roughly 1,995 people came.",
        ] {
            assert!(values(counted, dct).is_empty(), "{counted}: {:?}", values(counted, dct));
        }
        assert_eq!(value_of("It lasted 1,000 years.", dct, "1,000 years"), "P1000Y");
        assert_eq!(value_of("They waited for hours.", dct, "hours"), "PTXH");
        assert_eq!(value_of("At the time, nobody knew.", dct, "At the time"), "PAST_REF");
    }

    #[test]
    fn vague_references() {
        let dct = "2024-03-06";
        assert_eq!(value_of("Prices are high now.", dct, "now"), "PRESENT_REF");
        assert_eq!(value_of("These days few buy.", dct, "These days"), "PRESENT_REF");
        assert_eq!(value_of("Ties were warmer in the past.", dct, "the past"), "PAST_REF");
        assert_eq!(value_of("The firm recently sold a unit.", dct, "recently"), "PAST_REF");
        assert_eq!(value_of("It pays off in the long run.", dct, "the long run"), "FUTURE_REF");
        assert_eq!(value_of("A ruling is expected soon.", dct, "soon"), "FUTURE_REF");
        assert_eq!(value_of("Rates may fall in the near future.", dct, "the near future"), "FUTURE_REF");
        assert_eq!(value_of("Plants closed several years ago.", dct, "several years ago"), "PAST_REF");
        assert_eq!(value_of("Yields fell over the last few months.", dct, "the last few months"), "PAST_REF");
        // Conjunctions and adjectives are not times.
        assert!(values("Leave as soon as the road opens.", dct).is_empty());
        assert!(values("Future contracts and recent gains and current talks.", dct).is_empty());
        assert!(values("A 6-year-old and a man 52 years old.", dct).is_empty());
        assert!(values("Czech minister Jan Kavan spoke.", dct).is_empty());
        assert!(values("Geremek of Poland and Jan Kavan of the Czech Republic signed.", dct).is_empty());
    }
}
