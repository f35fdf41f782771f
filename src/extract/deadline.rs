//! Deadlines in article text: a date the sentence ties to something falling due ("expires
//! on", "valid until", "no later than", "takes effect", "the Aug. 1 deadline", "moved the
//! start to October 1"), a span counted from a start ("within 50 days", "a 30-day process
//! launched on August 28"), or a deadline named with no resolvable date. What counts is
//! written down in GUIDELINES.md.
//!
//! The date something was *done* ("in March the council set a 90-day deadline") is not a
//! due date: a date is due only when a cue ties it ("until", "expires", "deadline"). A
//! date the text says was due before it moved ("had been due to lapse on", "moving the
//! start from September 27 to October 1") is `superseded`.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;
use regex::Regex;
use serde::Serialize;

use super::sentence::Sentence;
use super::timex::{Timex, TimexType, floor_char_boundary};

/// A deadline found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundDeadline {
    /// What falls due and who must act, as a short phrase built from the sentence.
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

/// A sentence that speaks of something falling due, dated or not.
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:deadline|ultimatum|cut-?off|expir(?:e|es|ed|ing|y|ation)|tak(?:e|es|ing)\s+effect|took\s+effect|taken\s+effect|(?:come|comes|came|coming|enter|enters|entered|entering)\s+into\s+force|(?:go|goes|went|going|gone|come|comes|came|coming|put)\s+into\s+effect|(?:stay|stays|remain|remains|be|is|are|was|were)\s+in\s+force|no\s+later\s+than|grace\s+period|wind[- ]?down|set\s+to\s+(?:lapse|expire|rise|end)|lapses?|lapsed|valid\s+(?:until|through|till)|runs?\s+(?:out|through|until)|ran\s+out|kicks?\s+in|kicked\s+in|or\s+face|or\s+else|snap\s*back|up\s+for\s+renewal|renew(?:al|ed)?|must\s+be\s+(?:renewed|extended)|suspend(?:s|ed)?|extend(?:s|ed|ing)?|postpon(?:e|es|ed|ing)|delay(?:s|ed|ing)?|push(?:es|ed|ing)?\s+back|apply\s+from|applies\s+from|will\s+apply|have\s+until|has\s+until|had\s+until|marks?\s+the\s+end|(?:draw|draws|drawing|drew)\s+to\s+a\s+close|within|(?:gave|give|gives|given|giving|granted|grants|grant)\s+(?:[a-z'’.-]+\s+){1,3}?(?:(?:another|only|just)\s+)?(?:\d+|[a-z]+)\s+(?:days?|weeks?|months?|hours?)\s+to|(?:bring|brings|brought|bringing)\s+back|reimpos(?:e|es|ed|ing)|reinstat(?:e|es|ed|ing)|(?:sanctions?|measures|tariffs|restrictions|penalties)(?-u:\b)[^.;]{0,60}?(?-u:\b)be\s+restored)(?-u:\b)",
    )
    .expect("cue regex")
});

/// Words right before a date that make it due ("by August 8", "valid through March 12").
static DUE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:(?-u:\b)(?:by|until|till|through|thru|before|than|as\s+of|on\s+or\s+after|on\s+or\s+before|effective|starting|beginning|from|deadline\s+(?:of|is|was|had\s+been|will\s+be|falls\s+on|set\s+for|now\s+is)|deadline\s+to|cut-?off\s+(?:of|is)|due\s+on|due|to)(?:\s+at\s+least)?|,)\s*(?:(?:midnight|noon)\s+(?:on\s+)?)?$")
        .expect("due-before regex")
});

/// Verbs and nouns that tie a date that follows them to something falling due.
static DUE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:expir(?:e|es|ed|ing|y)|lapse[sd]?|tak(?:e|es|ing|en)\s+effect|took\s+effect|into\s+force|in\s+force|into\s+effect|kicks?\s+in|kicked\s+in|runs?\s+out|ran\s+out|running\s+out|lapsing|ends?|ended|start(?:s|ed)?|begins?|beginning|starting|apply|applies|stop|deadline|ultimatum|cut-?off|due|scheduled|set\s+to|rise|rises|rising|(?:(?:draw|draws|drawing|drew)\s+)?to\s+a\s+close|snap\s+back|come\s+back|restored?|effective|valid|wound\s+down)(?-u:\b)")
        .expect("due-verb regex")
});

/// A deadline the text says was moved or is no longer the one that holds.
static FORMER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:had\s+been|was\s+(?:originally|initially|previously|first)|were\s+(?:originally|initially|previously)|would\s+have|original(?:ly)?|previous(?:ly)?|earlier|old|initial(?:ly)?|instead\s+of|replac(?:e|es|ed|ing))(?-u:\b)")
        .expect("former regex")
});

/// A sentence saying a deadline moved.
static MOVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:delay(?:s|ed|ing)?|postpon(?:e|es|ed|ing|ement)|push(?:es|ed|ing)?(?:\s+back)?|mov(?:e|es|ed|ing)|extend(?:s|ed|ing)?|extension|shift(?:s|ed|ing)?|stretch(?:es|ed)?|replac(?:e|es|ed)|restor(?:e|es|ed|ing))(?-u:\b)")
        .expect("moved regex")
});

/// Told after the fact: the due date is the most recent one, not the next.
static PAST_TENSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:expired|lapsed|took\s+effect|ran\s+out|came\s+into\s+force|(?:came|went)\s+into\s+effect|entered\s+into\s+force|would\s+have|kicked\s+in|ended|began|started|imposed|passed|was\s+(?:originally|initially)|had\s+(?:expired|lapsed|ended|run))(?-u:\b)")
        .expect("past regex")
});

/// A measure in force from the day it was issued.
static IMMEDIATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:t(?:akes|ook|ake)\s+effect\s+immediately|with\s+immediate\s+effect|effective\s+immediately|(?:came|comes|come|entered|enters)\s+into\s+force\s+immediately)(?-u:\b)")
        .expect("immediate regex")
});

/// A span a deadline is counted with: "within 50 days", "a 30-day process", "30 days after".
static SPAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:within\s+(?:the\s+next\s+)?(?P<n1>\d+|[a-z]+)\s+(?P<u1>days?|weeks?|months?|hours?)|(?P<n2>\d+|[a-z]+)[- ](?P<u2>day|week|month|hour)\s+(?:snapback\s+)?(?:process|countdown|window|deadline|clock|ultimatum|period|grace\s+period|wind-down|timeline)|(?P<n3>\d+|[a-z]+)\s+(?P<u3>days?|weeks?|months?|hours?)\s+(?:after|from|of)\s+(?:that|the|its|this|their|his|her)|(?:have|has|had|given|giving|get)\s+(?P<n4>\d+|[a-z]+)\s+(?P<u4>days?|weeks?|months?|hours?)\s+to|(?:gave|give|gives|given|giving|granted|grants|grant)\s+(?:[a-z'’.-]+\s+){1,3}?(?:(?:another|only|just)\s+)?(?P<n7>\d+|[a-z]+)\s+(?P<u7>days?|weeks?|months?|hours?)\s+to|after\s+(?P<n5>\d+|[a-z]+)\s+(?P<u5>days?|weeks?|months?)|(?:effect|force|expire|expires|lapse|lapses|apply|kick\s+in|kicks\s+in|run\s+out|runs\s+out|(?:be\s+)?restored|(?:be\s+)?re-?imposed|snap\s+back|snaps\s+back)\s+in\s+(?:about\s+|roughly\s+|some\s+)?(?P<n6>\d+|[a-z]+)\s+(?P<u6>days?|weeks?|months?))(?-u:\b)")
        .expect("span regex")
});

/// Meetings and trips, whose times are not deadlines.
static TALK_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:talks|negotiations|meetings?|summit|trip|visit|round|consultations)(?-u:\b)")
        .expect("talk-noun regex")
});

/// When a meeting is or how long it lasts, up to the time that follows: "the dialogue is
/// expected to go on until", "the summit could take place (within)". No deadline.
static MEETING_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:talks|meetings?|summit|negotiations|round|visit|conference|session|consultations|dialogue|discussions)(?-u:\b)[^,;]{0,60}?(?-u:\b)(?:(?:go(?:es)?\s+on|went\s+on|continue[sd]?|last(?:s|ed)?|run)\s+(?:until|till|through|into)|(?:take\s+place|be\s+held|happen|convene|meet|go\s+ahead|follow|resume)(?:\s+(?:within|in|by|before))?)\s*$")
        .expect("meeting-time regex")
});

/// Whether a noun ends in a plural "s" ("rules", not "address", "status").
fn plural_noun(word: &str) -> bool {
    word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us")
}

/// A move by a span: "put off by six months", "delayed the tariffs by 90 days".
static DELAY_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:put(?:s|ting)?\s+off|delay(?:s|ed|ing)?|postpon(?:e|es|ed|ing)|push(?:es|ed|ing)?\s+back|defer(?:s|red|ring)?)\s+(?:[^.;]{0,80}?\s)?by\s+(?:another\s+|a\s+further\s+)?(?P<n>\d+|[a-z]+)[\s-]+(?P<u>days?|weeks?|months?|years?)(?-u:\b)")
        .expect("delay-by regex")
});

/// Promises, boasts and decisions to come are not deadlines ("promised to end the war
/// within 24 hours", "would decide within two weeks").
static PROMISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:promis(?:e|es|ed|ing)|vow(?:s|ed)?|pledg(?:e|es|ed)|boast(?:s|ed)?|decide|decision)(?-u:\b)",
    )
    .expect("promise regex")
});

/// Undated mentions that are not a deadline of their own.
static NOT_DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:deadlines\s+(?:have|had)|plenty\s+of\s+deadlines|no\s+deadline|without\s+a\s+deadline|any\s+deadline|arbitrary\s+deadline|self-imposed|expired\s+passports?|expiration\s+date\s+of\s+(?:the\s+)?(?:product|food)|renewable\s+energy|time\s+is\s+running\s+out|deadline\s+(?:had\s+|has\s+)?(?:passed|come\s+and\s+gone))(?-u:\b)")
        .expect("not-deadline regex")
});

pub fn find(
    text: &str,
    sentences: &[Sentence],
    times: &[Timex],
    published: DateTime<FixedOffset>,
    tz: Tz,
) -> Vec<FoundDeadline> {
    // Titles are written only for the entries that survive `dedup`: the anchor says where.
    let mut out: Vec<(FoundDeadline, Option<Anchor>)> = Vec::new();
    // The zone the article last named: "12:01 a.m. on Tuesday" after "Eastern Standard Time".
    let mut article_zone = Zone::Named(tz);
    let mut zone_named = false;
    let topic = Topic::new();
    // The zone of the first place the article names, for "local time": read once.
    let first_place = std::cell::OnceCell::new();
    // Cues and zone names found in one pass over the whole text, not one per sentence.
    let cues: Vec<(usize, usize)> = CUE.find_iter(text).map(|m| (m.start(), m.end())).collect();
    let zones: Vec<usize> = ZONE_WORD.find_iter(text).map(|m| m.start()).collect();
    // The lists are in text order: walk them together, so the work stays linear.
    let mut first = 0;
    for s in sentences {
        while first < times.len() && times[first].start < s.start {
            first += 1;
        }
        let here: Vec<&Timex> =
            times[first..].iter().take_while(|t| t.start < s.end).filter(|t| t.end <= s.end).collect();
        let sentence = &text[s.start..s.end];
        let named_zone = zones.get(zones.partition_point(|&z| z < s.start)).is_some_and(|&z| z < s.end);
        // "11:15 local time (4:15 a.m. ET)": the local clock, with its zone worked out from
        // the retold one, is the zone the article goes on in.
        let retold_zone = || here.iter().enumerate().find_map(|(i, t)| retold(text, t, here.get(i + 1).copied()));
        let zone =
            match named_zone.then(|| retold_zone().or_else(|| zone_at(sentence, text, s, &first_place))).flatten() {
                Some(z) => {
                    zone_named = true;
                    article_zone = z.carried();
                    z
                }
                None => article_zone,
            };
        let cue = cues.get(cues.partition_point(|c| c.0 < s.start)).copied().filter(|c| c.1 <= s.end);
        // Most sentences have neither a date nor a cue: nothing more to read in them.
        if cue.is_none() && here.is_empty() {
            continue;
        }
        let evidence = sentence.trim().to_owned();
        let mut found_here = 0;

        // "Contracts concluded under the old cap may still be performed for 90 days from
        // 15 January": a grace window that ends that long after the day it runs from.
        if let Some((title, day)) = grace_end(text, s, &here, published.date_naive())
            && let Some(due) = zone.end_of(day)
        {
            let mut found = pending(s, &evidence, due, "day", None, (s.start, s.start)).0;
            found.title = title;
            out.push((found, None));
            continue;
        }

        // "suspended for one year as of November 10", "on hold for 180 days", "a 90-day
        // pause": the suspension ends that long after its start (the date it runs from,
        // else the day it was said): that end is the deadline, not the start.
        if let Some((day, at)) = suspension_end(text, s, &here, published.date_naive())
            && let Some(due) = zone.end_of(day)
        {
            let mut found = pending(s, &evidence, due, "day", None, at).0;
            found.title = suspension_title(&title(text, s, &here, at.0, at.1, &topic));
            out.push((found, None));
            continue;
        }

        // Dates the sentence ties to something falling due.
        let dated: Vec<(&Timex, (DateTime<FixedOffset>, &'static str))> = here
            .iter()
            .enumerate()
            .filter(|(_, t)| tied(text, s, t) && !set_on(text, s, t, published.date_naive()))
            .filter_map(|(i, t)| {
                // "12:01 a.m. eastern standard time, December 1, 2020": the clock time is on
                // the date that follows it.
                let joined = joined_day(text, t, here.get(i + 1).copied())
                    .map(|day| (day, here.get(i + 1).map_or("", |n| n.text.as_str())));
                // A zone named right after the clock time is its own: "12:01 a.m. eastern
                // daylight time on April 1" in a sentence that also names standard time.
                // A clock time whose own words name its zone ("8 p.m. EDT") carries it in its
                // value; a zone after it in brackets ("(0000 GMT)") is the same moment retold.
                let own = (t.kind == TimexType::Time)
                    .then(|| {
                        zone_in(&t.text)
                            .or_else(|| written_offset(&t.value))
                            .or_else(|| retold(text, t, here.get(i + 1).copied()))
                            .or_else(|| {
                                zone_at(
                                    &text[t.end..floor_char_boundary(text, (t.end + 32).min(s.end))],
                                    text,
                                    s,
                                    &first_place,
                                )
                            })
                    })
                    .flatten();
                // "The new rules apply from 6pm on Wednesday", in an article that names no
                // zone: the clock of the place it was written in, whose offset it was
                // published with, not the reader's zone.
                // A UTC timestamp says nothing of the writer's clock (feeds normalise to it).
                let unnamed = t.kind == TimexType::Time
                    && !zone_named
                    && !named_zone
                    && published.offset().local_minus_utc() != 0;
                let zone = own.unwrap_or(if unnamed { Zone::Fixed(*published.offset()) } else { zone });
                Some((*t, due_of(text, s, t, published, zone, joined)?))
            })
            .collect();
        let moved = dated.len() >= 2 && MOVED.is_match(sentence);
        // "expire on January 28 instead of January 21": the new day first, the old after it.
        let new_first = moved && {
            let between = text.get(dated[0].0.end..dated[1].0.start).unwrap_or("").to_ascii_lowercase();
            between.contains("instead of") || between.contains("rather than")
        };
        for (k, (t, (due, grain))) in dated.iter().enumerate() {
            // Only the words since the previous date speak of this one: "which had been due
            // on August 8, was moved to August 22".
            let before = match k.checked_sub(1).map(|p| &dated[p]) {
                Some((prev, (prev_due, _))) if moved && prev.end <= t.start && prev_due != due => {
                    text[prev.end..t.start].to_ascii_lowercase()
                }
                _ => clause_before(text, s, t.start),
            };
            // "moving the start from September 27 to October 1": the day it moved from; but
            // "tariffs on goods from Japan starting Aug. 1" moved nothing.
            let moved_from = before.trim_end().ends_with(" from") && text[t.end..s.end].trim_start().starts_with("to ");
            let former = FORMER.is_match(&before)
                || moved_from
                || (moved && !new_first && dated.len() >= 2 && k == 0 && dated[1].1.0 != *due)
                || text[t.end..s.end].trim_start().starts_with("deadline to");
            // "on Wednesday, two days before a deadline": two days after Wednesday.
            let later = cue.and_then(|(c, _)| days_before_cue(text, &here, t, c)).unwrap_or(0);
            let Some(due) = due.checked_add_days(Days::new(later)) else { continue };
            out.push(pending(s, &evidence, due, grain, former.then_some("superseded"), (t.start, t.end)));
            found_here += 1;
        }

        // "will put off by six months the countermeasures that were due to take effect on
        // Thursday": Thursday is superseded, and the measure is due six months later.
        if found_here == 1
            && let Some(c) = DELAY_BY.captures(sentence)
            && let Some(n) = count(&c["n"])
            && let Some((last, _)) = out.last()
            && last.status.is_none()
            && let Some(old) = last.due
            && let Some(t) = dated.first().map(|d| d.0)
            && !["until", "till", "through", "to", "by"]
                .iter()
                .any(|w| text[s.start..t.start].trim_end().to_ascii_lowercase().ends_with(&format!(" {w}")))
            && let Some(day) = add_span(old.date_naive(), n, &c["u"].to_ascii_lowercase())
            // The same clock time on the new day.
            && let Some(due) = old.checked_add_signed(day - old.date_naive())
        {
            let grain = last.grain.unwrap_or("day");
            if let Some(last) = out.last_mut() {
                last.0.status = Some("superseded");
            }
            out.push(pending(s, &evidence, due, grain, None, (t.start, t.end)));
            found_here += 1;
        }

        // "met on Wednesday, two days before a deadline": the deadline is two days after it.
        if found_here == 0
            && let Some((cs, _)) = cue
            && let Some((t, later)) = here.iter().find_map(|t| Some((*t, days_before_cue(text, &here, t, cs)?)))
            && let Some(day) = day_value(&t.value).and_then(|d| d.checked_add_days(Days::new(later)))
            && let Some(due) = zone.end_of(day)
        {
            out.push(pending(s, &evidence, due, "day", None, (cs, cs)));
            found_here += 1;
        }

        // A span counted from the start the sentence gives, else from the day it was said.
        // "took effect in two weeks" tells history; "will take effect in two weeks" is due.
        if let Some(c) = cue
            .and_then(|_| SPAN.captures(sentence))
            // Only a past verb in the few words before the span tells ("took effect in two
            // weeks"): "every sanction that lapsed under the deal will be restored in 30 days"
            // is due. Matches are read in the whole sentence, so no word is cut in two.
            .filter(|c| {
                c.name("n6").is_none()
                    || c.get(0).is_none_or(|m| {
                        let from = m.start().saturating_sub(20);
                        !PAST_TENSE.find_iter(&sentence[..m.end()]).any(|p| (from..m.start()).contains(&p.start()))
                    })
            })
            // "gave evidence for three hours to lawmakers": time spent, not time granted.
            .filter(|c| c.name("n7").is_none_or(|_| !granted_time_spent(c.get(0).map_or("", |m| m.as_str()))))
        {
            let m = c.get(0).map_or((0, 0), |m| (s.start + m.start(), s.start + m.end()));
            let n = ["n1", "n2", "n3", "n4", "n5", "n6", "n7"]
                .iter()
                .find_map(|k| c.name(k))
                .and_then(|n| if n.as_str().eq_ignore_ascii_case("a") { Some(1) } else { count(n.as_str()) });
            let unit = ["u1", "u2", "u3", "u4", "u5", "u6", "u7"]
                .iter()
                .find_map(|k| c.name(k))
                .map(|u| u.as_str().to_ascii_lowercase());
            let start =
                here.iter().filter(|t| !tied(text, s, t) || set_on(text, s, t, published.date_naive())).find_map(|t| {
                    let day = refit(&t.text, day_value(&t.value)?, published.date_naive(), Tense::Past);
                    (day <= published.date_naive() + Days::new(1)).then_some(day)
                });
            // "the summit could take place within the next two weeks": when a meeting is.
            let meeting_when = c.get(0).is_some_and(|m| MEETING_TIME.is_match(&sentence[..m.start()]));
            // "the initial 50-day deadline", with no day it was set: counting from today would
            // date a deadline set before it.
            let earlier_span = start.is_none()
                && c.get(0).is_some_and(|m| {
                    let lead = sentence[..m.start()].to_ascii_lowercase();
                    let last: Vec<&str> = lead.split_whitespace().rev().take(2).collect();
                    last.iter().any(|w| ["original", "earlier", "previous", "old", "former"].contains(w))
                });
            let span_is_deadline = (CUE.is_match(sentence) || sentence.to_ascii_lowercase().contains("deadline"))
                && !PROMISE.is_match(sentence)
                && !meeting_when
                && !earlier_span;
            if let (Some(n), Some(unit)) = (n, unit)
                && span_is_deadline
                && found_here == 0
            {
                let from = start.unwrap_or(published.date_naive());
                if let Some(day) = add_span(from, n, &unit)
                    && let Some(due) = zone.end_of(day)
                {
                    out.push(pending(s, &evidence, due, "day", None, (m.0, m.1)));
                    found_here += 1;
                }
            }
        }

        // "The rule takes effect immediately": on the day it was issued, given or published.
        if found_here == 0 && (cue.is_some() || sentence.contains("ffective")) && IMMEDIATE.is_match(sentence) {
            let day = here
                .iter()
                .find_map(|t| day_value(&t.value).map(|d| refit(&t.text, d, published.date_naive(), Tense::Past)))
                .unwrap_or(published.date_naive());
            if let Some(due) = zone.end_of(day) {
                let (cs, ce) = cue.unwrap_or((s.start, s.start));
                out.push(pending(s, &evidence, due, "day", None, (cs, ce)));
                found_here += 1;
            }
        }

        // A deadline named with no date the text resolves ("an impending deadline", "in June").
        if found_here == 0
            && cue.is_some()
            && let Some((cs, ce)) = CUE
                .find_iter(sentence)
                .map(|m| (s.start + m.start(), s.start + m.end()))
                .find(|&(cs, ce)| undated_cue(&text[cs..ce]))
            && !NOT_DEADLINE.is_match(sentence)
        {
            out.push((
                FoundDeadline {
                    title: title(text, s, &here, cs, ce, &topic),
                    due: None,
                    grain: None,
                    evidence,
                    start: s.start,
                    end: s.end,
                    status: None,
                },
                None,
            ));
        }
    }
    extended_by_span(&mut out, text, sentences);
    finish(out, text, sentences, times, &topic)
}

/// "gave Russia a 50-day deadline on July 14", "Announcing the 50-day deadline on July 14":
/// the day a span was set, which it runs from, not the day it falls due.
fn set_on(text: &str, s: &Sentence, t: &Timex, published: NaiveDate) -> bool {
    static SET_SPAN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:\d+|[a-z]+)[- ](?:day|week|month)\s+(?:deadline|ultimatum|window|countdown|process|grace\s+period)(?-u:\b)")
            .expect("set-span regex")
    });
    day_value(&t.value).is_some_and(|day| day <= published)
        && text[s.start..t.start].trim_end().to_ascii_lowercase().ends_with(" on")
        && SET_SPAN.find_iter(&text[s.start..t.start]).any(|m| {
            // "a two-month deadline that Trump had set expired on Friday": when it fell due.
            let between = text[s.start + m.end()..t.start].to_ascii_lowercase();
            between.len() <= 40
                && ![
                    "expir", "laps", "end", "ran out", "runs out", "run out", "pass", "elaps", "clos", "due",
                    "conclud", "arriv", "fell", "fall", "came", "come",
                ]
                .iter()
                .any(|w| between.contains(w))
        })
}

/// Whether "gave … N days to" (a [`SPAN`] match) tells time spent rather than granted: a
/// preposition among the words before the number ("gave evidence for three hours to").
fn granted_time_spent(span: &str) -> bool {
    span.split_whitespace()
        .skip(1)
        .any(|w| matches!(w.to_ascii_lowercase().as_str(), "for" | "during" | "over" | "about" | "in" | "at" | "of"))
}

/// "…agreed to extend the truce for another two days. The truce had been due to expire on
/// Tuesday morning.": a deadline superseded by an extension of a span told in a sentence
/// next to it is due that long after the old day, when no new day is given.
fn extended_by_span(out: &mut Vec<(FoundDeadline, Option<Anchor>)>, text: &str, sentences: &[Sentence]) {
    static EXTEND_BY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:extend(?:s|ed|ing)?|prolong(?:s|ed|ing)?|lengthen(?:s|ed|ing)?)\s+(?:[^.;]{0,80}?\s)?(?:by|for)\s+(?:another\s+|a\s+further\s+|an\s+additional\s+|one\s+more\s+)?(?P<n>\d+|[a-z]+)(?:\s+more|\s+additional|\s+extra)?[\s-]+(?P<u>days?|weeks?|months?)(?-u:\b)")
            .expect("extend-by regex")
    });
    let index_of = |start: usize| sentences.partition_point(|x| x.start < start);
    let old: Vec<(usize, DateTime<FixedOffset>, &'static str)> = out
        .iter()
        .filter(|(d, _)| d.status.is_some())
        .filter_map(|(d, _)| Some((index_of(d.start), d.due?, d.grain?)))
        .collect();
    for (k, due, grain) in old {
        let near = k.saturating_sub(2)..(k + 3).min(sentences.len());
        // A new day told nearby is the extension's own.
        if out.iter().any(|(d, _)| d.status.is_none() && d.due.is_some() && near.contains(&index_of(d.start))) {
            continue;
        }
        let Some((s, c)) = near
            .clone()
            .filter_map(|i| sentences.get(i))
            .find_map(|s| EXTEND_BY.captures(&text[s.start..s.end]).map(|c| (s, c)))
        else {
            continue;
        };
        let Some(n) = count(&c["n"]) else { continue };
        let Some(day) = add_span(due.date_naive(), n, &c["u"].to_ascii_lowercase()) else { continue };
        let Some(new_due) = due.checked_add_signed(day - due.date_naive()) else { continue };
        let at = c.get(0).map_or((s.start, s.start), |m| (s.start + m.start(), s.start + m.end()));
        out.push(pending(s, text[s.start..s.end].trim(), new_due, grain, None, at));
    }
}

/// "Trump moved the cutoff to Aug. 8", "the new deadline runs out Friday": a deadline the
/// sentence names only as a deadline is the demand the article states nearest to it
/// ("Russia to agree to a ceasefire or face secondary tariffs").
fn name_the_demand<'a>(
    found: impl IntoIterator<Item = &'a mut FoundDeadline>,
    text: &str,
    sentences: &[Sentence],
    times: &[Timex],
) {
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:deadline|cut-?off|ultimatum|window)(?-u:\b)").expect("bare regex")
    });
    // A title that names nothing but the deadline ("set the deadline", "US UN deadline",
    // "Moscow deadline he had set expires"): the demand the article makes says more.
    let vague = |title: &str| {
        const EMPTY: [&str; 16] = [
            "deadline",
            "cutoff",
            "cut-off",
            "set",
            "sets",
            "moves",
            "moved",
            "expires",
            "new",
            "previous",
            "original",
            "earlier",
            "first",
            "due",
            "ultimatum",
            "window",
        ];
        crate::model::content_words(title).iter().filter(|w| !EMPTY.contains(&w.as_str())).count() <= 2
    };
    let needs = |d: &FoundDeadline| {
        BARE.is_match(&d.title)
            && (vague(&d.title)
                || !(d.title.contains(" to ")
                    && d.title.chars().next().is_some_and(char::is_uppercase)
                    && !d.title.starts_with("The ")))
    };
    let (mut found, named): (Vec<&mut FoundDeadline>, Vec<&mut FoundDeadline>) =
        found.into_iter().partition(|d| needs(d));
    if found.is_empty() {
        return;
    }
    // What the article's other deadlines say is due, for an article that makes no demand.
    let others: Vec<(usize, String)> =
        named.iter().filter(|d| !vague(&d.title)).map(|d| (d.start, d.title.clone())).collect();
    let mut demands: Vec<(usize, String)> = Vec::new();
    let mut first = 0;
    for s in sentences {
        while first < times.len() && times[first].start < s.start {
            first += 1;
        }
        let here: Vec<&Timex> =
            times[first..].iter().take_while(|t| t.start < s.end).filter(|t| t.end <= s.end).collect();
        if CUE.is_match(&text[s.start..s.end])
            && let Some(t) = ultimatum_title(text, s, &here)
        {
            demands.push((s.start, t));
        }
    }
    if demands.is_empty() {
        demands = others;
    }
    for d in &mut found {
        if let Some((_, t)) = demands.iter().min_by_key(|(at, _)| at.abs_diff(d.start)) {
            d.title = t.clone();
        }
    }
}

/// Cues strong enough to make a deadline without a date.
fn undated_cue(cue: &str) -> bool {
    let c = cue.to_ascii_lowercase();
    [
        "deadline",
        "ultimatum",
        "expir",
        "lapse",
        "effect",
        "into force",
        "cutoff",
        "cut-off",
        "up for renewal",
        "or face",
    ]
    .iter()
    .any(|w| c.contains(w))
        && !c.starts_with("expired")
}

/// The part of the sentence's clause before `at`: back to the last clause break.
fn clause_before(text: &str, s: &Sentence, at: usize) -> String {
    let before = &text[s.start..at];
    let from = clause_break(before).map_or(0, |i| i + 1);
    let piece = &before[from..];
    // Only the last few words speak of this date.
    let words: Vec<&str> = piece.split_whitespace().collect();
    words[words.len().saturating_sub(12)..].join(" ").to_ascii_lowercase()
}

/// The last clause break in `text`: ";", "(" or a colon that is not part of a clock time.
fn clause_break(text: &str) -> Option<usize> {
    text.char_indices()
        .filter(|&(i, c)| {
            c == ';' || c == '(' || (c == ':' && !text[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        })
        .map(|(i, _)| i)
        .next_back()
}

/// The few words before `at` that make its verb group: back to the last "that", "which",
/// comma or clause break ("said he had signed an order that suspends the tariffs until").
fn verb_group(text: &str, s: &Sentence, at: usize) -> String {
    let before = clause_before(text, s, at);
    let words: Vec<&str> = before.split_whitespace().collect();
    let from = words
        .iter()
        .rposition(|w| matches!(*w, "that" | "which" | "who" | "and" | "but") || w.ends_with(','))
        .map_or(0, |i| i + 1);
    words[from..].join(" ")
}

/// Whether the sentence ties date `t` to something falling due: a due word right before
/// it, "deadline" right after it, or a due verb a few words before it with nothing but
/// a preposition between.
fn tied(text: &str, s: &Sentence, t: &Timex) -> bool {
    if !matches!(t.kind, TimexType::Date | TimexType::Time) {
        return false;
    }
    // "suspended at 12:01 a.m. Eastern Time on Friday": the minute after midnight or before
    // it is when a measure starts or ends, whatever the verb.
    if t.kind == TimexType::Time
        && ["T00:01", "T23:59"].iter().any(|m| t.value.get(10..16) == Some(*m))
        && measure_in(&text[s.start..s.end])
    {
        return true;
    }
    let before = &text[s.start..t.start];
    let after_text = text[t.end..s.end].trim_start();
    let after = after_text[..floor_char_boundary(after_text, 24)].to_ascii_lowercase();
    if after.starts_with("deadline")
        || after.starts_with("is the deadline")
        || after.starts_with("was the deadline")
        || after.starts_with("is the new deadline")
        || after.starts_with("'s deadline")
        || after.starts_with("’s deadline")
        || after.starts_with("cutoff")
        || after.starts_with("cut-off")
        || after.starts_with("tariff deadline")
        || after.starts_with("trade deadline")
        || after.starts_with("as the deadline")
        || after.starts_with("as a deadline")
        || after.starts_with("as its deadline")
        || after.starts_with("as their deadline")
    {
        return true;
    }
    // "the leaders are due to meet on May 14", "is due to remain in the country until
    // Friday", "we expect an answer by Friday": when people meet, stay or hear back.
    static MEET_OR_STAY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:(?:due|set|scheduled|expected|going|planning|plans?)\s+to\s+(?:meet|visit|travel|arrive|speak|talk|attend|fly|announce|unveil|publish|release|decide|rule|vote|(?:remain|stay)\s+in\s+(?:the\s+)?(?:country|city|capital|region))|(?:stay|visit|trip|tour)\s+(?:lasting|running|that\s+(?:lasts|runs|will\s+last|will\s+run))|(?P<hear>expect(?:s|ed|ing)?\s+(?:an?\s+|the\s+|their\s+|its\s+)?(?:answer|reply|response|decision|ruling|verdict)))(?-u:\b)")
            .expect("meet-or-stay regex")
    });
    let tail = &before[floor_char_boundary(before, before.len().saturating_sub(140))..];
    if let Some(c) = MEET_OR_STAY.captures_iter(tail).last()
        && let Some(m) = c.get(0)
    {
        // Up to the day, nothing else falls due ("…are expected to meet again before the
        // tariffs take effect on Aug. 1"), and no "or" makes the answer an ultimatum
        // ("expects a response by Friday or it will reimpose sanctions").
        let between = tail[m.end()..].to_ascii_lowercase();
        let breaks: &[char] = if c.name("hear").is_some() { &[';', ':', '.'] } else { &[',', ';', ':'] };
        let other = ["before", "after", "when", "ahead of", "deadline", "expir", "effect", "lapse", "truce"]
            .iter()
            .any(|w| between.contains(w));
        let ultimatum = text[t.end..s.end].split_once(" or ").is_some_and(|(_, rest)| {
            let next = rest.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
            !["by", "on", "before", "until", "the", "today", "tomorrow"].contains(&next.as_str())
                && !crate::model::CALENDAR.contains(&next.trim_end_matches([',', '.', '"']))
        });
        if between.len() <= 80 && !between.contains(breaks) && !other && !ultimatum {
            return false;
        }
    }
    // "around August 27, when the additional tariff is set to take effect": the clause after
    // the day says what falls due on it.
    if let Some(rest) = text[t.end..s.end].strip_prefix(", when ")
        && let clause = &rest[..rest.find([',', ';']).unwrap_or(rest.len())]
        && DUE_VERB.is_match(clause)
        && measure_in(clause)
    {
        return true;
    }
    // "Hamas was supposed to provide that list on Saturday", "Iran must respond on Monday":
    // what someone is bound to do on a day is due that day.
    static BOUND_TO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:(?:supposed|required|obliged|obligated)\s+to|must)\s+(?P<verb>[a-z]+)[^,;:]{0,80}\s(?:on|at)\s*$")
            .expect("bound-to regex")
    });
    // "the $47.6 level that has applied since Sept. 3": a measure's start, told after it.
    static SINCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:(?:has|have|had)\s+(?:applied|been\s+in\s+(?:force|effect|place))|(?:in\s+force|in\s+effect))\s+since\s*$")
            .expect("since regex")
    });
    // Only the last words can hold these: the regexes read a short tail, not the sentence.
    let tail_of_before = &before[floor_char_boundary(before, before.len().saturating_sub(140))..];
    let ends_with_word = |w: &str| {
        let b = before.trim_end().as_bytes();
        b.len() > w.len()
            && b[b.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
            && b[b.len() - w.len() - 1] == b' '
    };
    if ends_with_word("since") && SINCE.is_match(tail_of_before) {
        return true;
    }
    // "they will now expire on January 28 instead of January 21": the day it was due before,
    // in a sentence that moves it.
    if (ends_with_word("instead of") || ends_with_word("rather than"))
        && CUE.is_match(&text[s.start..t.start])
        && MOVED.is_match(&text[s.start..s.end])
    {
        return true;
    }
    // "Lawmakers have 30 days to block it, and that window closes Friday".
    static WINDOW_CLOSES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:window|period|countdown)\s+(?:closes|will\s+close|is\s+due\s+to\s+close|shuts|will\s+shut)\s+(?:on\s+)?$")
            .expect("window-closes regex")
    });
    if WINDOW_CLOSES.is_match(tail_of_before) {
        return true;
    }
    // "would refuse to stretch the reprieve past September 26": the day something runs to
    // unless it is extended is its end ("extended the talks past midnight" is history).
    static EXTENDED_PAST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:extend(?:s|ing)?|stretch(?:es|ing)?|prolong(?:s|ing)?|renew(?:s|ing)?)\s+(?:[^,;:.]{0,60}?\s)?(?:past|beyond)\s*$")
            .expect("extended-past regex")
    });
    if (ends_with_word("past") || ends_with_word("beyond")) && EXTENDED_PAST.is_match(tail_of_before) {
        return true;
    }
    // "The package is supposed to be adopted on 23 February" is a decision expected, not
    // something someone must do.
    if (ends_with_word("on") || ends_with_word("at"))
        && let Some(c) = BOUND_TO.captures(tail_of_before)
        && !c["verb"].eq_ignore_ascii_case("be")
        && !TALK_NOUN.is_match(&before[before.rfind([',', ';']).map_or(0, |i| i + 1)..])
    {
        return true;
    }
    // "tabled a draft resolution that would give talks another half year, or until April
    // 18": what a proposal would set is no deadline until it is adopted.
    static PROPOSED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:draft|proposal|proposed|proposes|proposing|bill|motion)\s+(?:[\w-]+\s+){0,3}?(?:that|which)\s+would\s+[^;.]*$")
            .expect("proposed regex")
    });
    // "…by June 30, 2026, which could support a 15% tariff from January 1, 2027": what a
    // finding could lead to is no deadline.
    static COULD_LEAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:could|might|may)\s+(?:support|lead\s+to|pave\s+the\s+way\s+for|result\s+in|justify|open\s+the\s+door\s+to)\s+[^;]*$")
            .expect("could-lead regex")
    });
    // Both need a modal: most dates have none before them, and skip the searches.
    let modal = |m: &str| tail_of_before.contains(m);
    if (modal("would") && PROPOSED.is_match(tail_of_before))
        || ((modal("could") || modal("might") || modal("may ")) && COULD_LEAD.is_match(tail_of_before))
    {
        return false;
    }
    // "the 72 tankers they had blacklisted as of October 10": a count as it stood that day.
    if ends_with_word("as of") {
        let words: Vec<String> =
            tail_of_before.split_whitespace().rev().skip(2).take(3).map(str::to_ascii_lowercase).collect();
        if words.iter().any(|w| w == "had") && words.first().is_some_and(|w| w.ends_with("ed")) {
            return false;
        }
    }
    // "The deadline for Iran to respond to the proposal is Sunday": the subject of "is" is
    // the deadline, however long its complement.
    static COPULA: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:is|was|will\s+be|would\s+be|had\s+been|has\s+been|remains|falls\s+on|(?:is|was|has\s+been|had\s+been)\s+(?:now\s+)?set\s+for|is\s+now|now\s+is)\s*$")
            .expect("copula regex")
    });
    if let Some(m) = COPULA.find(before.trim_end())
        && let clause = before[..m.start()].rsplit([',', ';', ':']).next().unwrap_or("").to_ascii_lowercase()
        && ["deadline", "cutoff", "cut-off", "due date", "target date", "ultimatum"].iter().any(|w| clause.contains(w))
    {
        return true;
    }
    // "talks in Oman due to open on Friday", "Koo's meeting with Bessent is scheduled for
    // Thursday": a meeting's date is no deadline (GUIDELINES.md), unless the clause names a
    // measure too.
    static MEETING_DUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(?:talks|meetings?|summit|negotiations|round|visit|conference|session|consultations|call)(?-u:\b)[^,;]{0,60}?(?-u:\b)(?:due\s+to|scheduled|set\s+(?:for|to)|expected\s+to)\s+(?:(?:open|begin|start|resume|take\s+place|be\s+held|convene|meet)\s+)?(?:on|for|at|in)?\s*$")
            .expect("meeting-due regex")
    });
    let clause = clause_before(text, s, t.start);
    // "joint war games set to begin on Friday", "elections due to take place on 5 March":
    // events that start on a day are no deadlines.
    static EVENT_START: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:war\s+games|(?:military\s+)?exercises?|drills?|manoeuvres|maneuvers|elections?|polls|referendum|festival|tournament|parade)(?-u:\b)[^,;]{0,40}?(?-u:\b)(?:set|due|scheduled|expected|slated)\s+to\s+(?:begin|start|open|take\s+place|be\s+held)\s+(?:on|at|in)?\s*$")
            .expect("event-start regex")
    });
    let starts = {
        let end = clause.trim_end();
        let tail = &end[floor_char_boundary(end, end.len().saturating_sub(24))..];
        ["begin", "start", "open", "place", "held"].iter().any(|w| tail.contains(w))
    };
    if starts && EVENT_START.is_match(&clause) && !measure_in(&clause) {
        return false;
    }
    // "…can continue until August 1, when his latest reprieve runs out": the day is due.
    let lasts = MEETING_TIME.is_match(&clause) && !text[t.end..s.end].starts_with(", when ");
    if (MEETING_DUE.is_match(&clause) || lasts) && !measure_in(&clause) {
        return false;
    }
    // "The talks, set to begin on Saturday on the fringes of the summit": the same, with the
    // meeting named before the comma.
    let lead = clause.rsplit(',').next().unwrap_or("").trim_start();
    if ["set to ", "set for ", "due to ", "scheduled ", "expected to "].iter().any(|w| lead.starts_with(w))
        && !measure_in(&clause)
        && before.trim_end().rsplit([',', '(']).nth(1).is_some_and(|head| {
            let head = head.trim_end();
            TALK_NOUN.find_iter(head).last().is_some_and(|m| m.end() == head.len())
        })
    {
        return false;
    }
    // The last six words before the date, as a slice of the text.
    let near = {
        let mut at = before.len();
        let mut words = 0;
        let bytes = before.as_bytes();
        while at > 0 && words < 6 {
            while at > 0 && bytes[at - 1].is_ascii_whitespace() {
                at -= 1;
            }
            while at > 0 && !bytes[at - 1].is_ascii_whitespace() {
                at -= 1;
            }
            words += 1;
        }
        &before[at..]
    };
    let trimmed = near.trim_end();
    // "On December 5 the EU's price ceiling took effect": the day leads the sentence whose
    // verb is the measure's start or end.
    if before.trim().eq_ignore_ascii_case("on") && took_effect_then(&text[t.end..s.end]) {
        return true;
    }
    // "on Monday" after an action ("announced on Monday") is when it was done.
    if let Some(m) = DUE_BEFORE.find(trimmed) {
        // "until at least June 1" is due as "until June 1".
        let word = m.as_str().trim().trim_end_matches(',').to_ascii_lowercase();
        let word = word.strip_suffix("at least").map_or(word.as_str(), str::trim_end).to_owned();
        if word.is_empty() {
            // A comma: "the truce expires Tuesday, August 12" keeps the cue before it.
            return DUE_VERB.is_match(trimmed);
        }
        return match word.as_str() {
            // "a trip for trade negotiations from August 25 to 29" is a meeting's time.
            // "From 1 January, member states may no longer buy Russian diamonds": a ban
            // starting, though it names no measure.
            "from" | "starting" | "beginning" => {
                static NO_LONGER: LazyLock<Regex> = LazyLock::new(|| {
                    Regex::new(r"(?i)(?-u:\b)(?:(?:may|can|will|must)\s+no\s+longer|(?:may|can|must)\s+not\s+be\s+(?:exported|imported|sold|bought|supplied|shipped|transferred|provided|used)|(?:is|are|will\s+be)\s+(?:banned|prohibited|barred|forbidden)|no\s+(?:[\w'’,-]+\s+){1,15}?(?:may|can|shall)\s+(?:import|export|purchase|buy|sell|transport|ship|supply|provide|transfer|invest))(?-u:\b)")
                        .expect("no-longer regex")
                });
                let sentence = &text[s.start..s.end];
                (measure_in(sentence) || NO_LONGER.is_match(sentence)) && !TALK_NOUN.is_match(&clause)
            }
            "to" => MOVED.is_match(&text[s.start..t.start]) || trimmed.to_ascii_lowercase().ends_with("deadline to"),
            "before" => {
                let lead = text[s.start..t.start].to_ascii_lowercase();
                // "loaded before 12:01 a.m. EST on February 5": a minute set as a cut-off.
                (t.kind == TimexType::Time && measure_in(&text[s.start..s.end]))
                    || DUE_VERB.is_match(trimmed)
                    || lead.contains("deadline")
                    || ["must ", "had to ", "has to ", "have to ", "required to ", "need to ", "should "]
                        .iter()
                        .any(|w| lead.contains(w))
                    // "provided the cargo is unloaded before 1 April 2023": a condition's bound.
                    || [" provided ", " provided that ", " as long as ", " so long as ", " on condition that "]
                        .iter()
                        .any(|w| lead.rsplit([',', ';']).next().is_some_and(|clause| clause.contains(w)))
            }
            "due" | "due on" => true,
            _ => true,
        };
    }
    // "will come into effect in 45 days, on Dec. 7": the day restates the span the clause
    // before the comma gave its due verb.
    if let Some(lead) = before.trim_end().strip_suffix("on").map(str::trim_end).and_then(|l| l.strip_suffix(','))
        && let Some(clause) = lead.rsplit([';', ':', ',']).next()
        && DUE_VERB.is_match(clause)
        && SPAN_WORDS.is_match(clause)
    {
        return true;
    }
    // "the countermeasures that were due to be switched back on this Monday", "tariffs
    // scheduled to be reinstated on Monday": a measure's start or end, planned in the passive.
    static DUE_PASSIVE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:due|scheduled|set|slated)\s+to\s+be\s+[a-z]+(?:ed|en)(?:\s+(?:back|up|in|off))?(?:\s+(?:on|at|in|from))?\s*$")
            .expect("due-passive regex")
    });
    if DUE_PASSIVE.is_match(near) && measure_in(&text[s.start..s.end]) {
        return true;
    }
    // "expires on May 27", "takes effect at 12:01 a.m. on", "due to lapse on".
    let tail = trimmed.to_ascii_lowercase();
    let tail = tail.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    let last_words: Vec<&str> = tail.split_whitespace().rev().take(4).collect();
    let joined: String = last_words.iter().rev().copied().collect::<Vec<_>>().join(" ");
    let last_two: String = last_words.iter().take(2).rev().copied().collect::<Vec<_>>().join(" ");
    let preposition_only =
        last_words.first().is_some_and(|w| matches!(*w, "on" | "at" | "in")) || DUE_VERB.is_match(&last_two);
    // "held intensive talks in Doha over the past 48 hours, starting on Thursday": talks
    // start and end; a plain verb after them is theirs.
    let plain_of_talks = || TALK_NOUN.is_match(tail_of_before) && !measure_in(tail_of_before);
    preposition_only
        && DUE_VERB.is_match(&joined)
        && (!only_plain_verbs(&joined) || (timed_thing_in(&text[s.start..s.end]) && !plain_of_talks()))
}

/// Whether the due verbs of `words` are only ones anything can do ("started", "ends"): "a
/// dinner that started at 6 p.m." falls due no more than "talks ended on Tuesday".
fn only_plain_verbs(words: &str) -> bool {
    DUE_VERB.find_iter(words).all(|m| {
        matches!(
            m.as_str().to_ascii_lowercase().as_str(),
            "start"
                | "starts"
                | "started"
                | "starting"
                | "begin"
                | "begins"
                | "beginning"
                | "end"
                | "ends"
                | "ended"
                | "stop"
                | "rise"
                | "rises"
                | "rising"
        )
    })
}

/// Whether the sentence names something that runs for a set time: a measure, or a period,
/// window, countdown, ceasefire, mandate or deadline (not talks: "talks ended on Tuesday").
fn timed_thing_in(sentence: &str) -> bool {
    static TIMED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:period|window|countdown|ceasefire|cease-fire|moratorium|mandate|term|deadline|ultimatum|process|freeze|grace|extensions?|reprieve|respite|armistice|phase)(?-u:\b)")
            .expect("timed regex")
    });
    measure_in(sentence) || TIMED.is_match(sentence)
}

/// A span of days counted to a deadline: "in 45 days", "45 days after designation".
static SPAN_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:\d+|[a-z]+)[\s-]+(?:days?|weeks?|months?)(?-u:\b)").expect("span-words regex")
});

/// Whether the clause after a leading date has a measure's start or end for its verb, with
/// no relative clause in between ("…, which takes effect…" is another time's).
fn took_effect_then(rest: &str) -> bool {
    static MAIN_VERB: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:took\s+effect|takes\s+effect|(?:came|comes|entered|enters|went|goes)\s+into\s+(?:force|effect)|expired|expires|lapsed|lapses|ran\s+out|runs\s+out|kicked\s+in|kicks\s+in)(?-u:\b)")
            .expect("main-verb regex")
    });
    static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:that|which|who|said|says|announced|agreed|decided|when|after|before)(?-u:\b)")
            .expect("relative regex")
    });
    let clause = &rest[..rest.find([';', ':', ',']).unwrap_or(rest.len())];
    let Some(m) = MAIN_VERB.find(clause) else { return false };
    m.start() <= 160 && !RELATIVE.is_match(&clause[..m.start()])
}

/// Whether the sentence speaks of a measure ("tariffs from June 1", "the ban starting…").
fn measure_in(sentence: &str) -> bool {
    static MEASURE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:tariffs?|sanctions?|ban|(?:counter-?)?measures?|price\s+cap|duties|duty|levy|rules?|restrictions?|licen[cs]es?|waiver|exemptions?|suspension|pause|truce|controls?|fees?|ceiling|(?:price\s+)?caps?|embargo(?:es)?|quotas?|contracts?|transactions?|dealings)(?-u:\b)")
            .expect("measure regex")
    });
    MEASURE.is_match(sentence)
}

/// The due time a time expression gives: a clock time in the zone the text names, the end
/// of a day, or, for "the end of the month", the end of its last day. A month alone ("in
/// June") is no due time.
fn due_of(
    text: &str,
    s: &Sentence,
    t: &Timex,
    published: DateTime<FixedOffset>,
    zone: Zone,
    joined: Option<(NaiveDate, &str)>,
) -> Option<(DateTime<FixedOffset>, &'static str)> {
    let v = t.value.as_str();
    let group = verb_group(text, s, t.start);
    // "Hamas was supposed to provide that list on Saturday": an act someone was bound to do
    // is told after the day; a measure that "was supposed to expire" may still be ahead.
    let lead = clause_before(text, s, t.start);
    let bound_before = BOUND.captures(&lead).is_some_and(|c| {
        matches!(c["aux"].to_ascii_lowercase().as_str(), "was" | "were") && !DUE_VERB.is_match(&c["verb"])
    });
    // "applied retroactively to goods that entered on or after August 7": a day gone.
    let retroactive = text[s.start..t.start].to_ascii_lowercase().contains("retroactive");
    let tense = if PAST_TENSE.is_match(&group) || bound_before || retroactive {
        Tense::Past
    } else if FORMERLY_DUE.is_match(&group) || ordered_in_the_past(&group) {
        // "had been due to lapse on March 15": the reading nearest the day it was said.
        Tense::Nearest
    } else if FUTURE_TENSE.is_match(&group) {
        Tense::Future
    } else {
        Tense::Nearest
    };
    if t.kind == TimexType::Time && v.len() >= 16 && v.as_bytes()[10] == b'T' && v.as_bytes()[13] == b':' {
        // "Thursday at midnight": the day before it says which; midnight is its end.
        if t.text.eq_ignore_ascii_case("midnight") {
            return None;
        }
        let at = NaiveDateTime::parse_from_str(&v[..16], "%Y-%m-%dT%H:%M").ok()?;
        let day = match joined {
            // "…goods that entered the US on or after 12:01 a.m. on August 7", told in the
            // past: the day of the date it joins, read in that tense.
            Some((day, written)) if tense == Tense::Past => refit(written, day, published.date_naive(), tense),
            Some((day, _)) => day,
            None => refit(&t.text, at.date(), published.date_naive(), tense),
        };
        // "midnight GMT on September 27", like "midnight on Saturday", is the end of that day;
        // but a truce that "will start at midnight on May 8" starts as May 8 begins.
        let starts = {
            let lead = lead.strip_suffix(" at").unwrap_or(&lead);
            ["start", "starts", "begin", "begins", "starting", "beginning", "from"]
                .iter()
                .any(|w| lead.ends_with(&format!(" {w}")))
        };
        if t.text.to_ascii_lowercase().starts_with("midnight") && at.time() == NaiveTime::MIN && !starts {
            return Some((zone.end_of(day)?, "minute"));
        }
        return Some((zone.at(day.and_time(at.time()))?, "minute"));
    }
    if let Some(day) = day_value(v) {
        let day = refit(&t.text, day, published.date_naive(), tense);
        // "midnight on Saturday" is the end of Saturday; "12:01 a.m." is a clock time.
        return Some((zone.end_of(day)?, "day"));
    }
    if v.len() == 7 && v.as_bytes()[4] == b'-' && v[5..].bytes().all(|b| b.is_ascii_digit()) {
        let before = text[s.start..t.start].to_ascii_lowercase();
        let written = t.text.to_ascii_lowercase();
        let end_of = before.trim_end().ends_with("end of")
            || written.starts_with("the end of")
            || written.starts_with("end of")
            || written.starts_with("the end of the month");
        if !end_of {
            return None;
        }
        let first = NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d").ok()?;
        let last = first.checked_add_months(Months::new(1))? - Days::new(1);
        return Some((zone.end_of(last)?, "day"));
    }
    // "by the end of the year", "by year-end": the year's last day.
    if v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) {
        let before = text[s.start..t.start].to_ascii_lowercase();
        let written = t.text.to_ascii_lowercase();
        let end_of = before.trim_end().ends_with("end of")
            || ["end of the year", "year-end", "year end", "year's end"].iter().any(|w| written.contains(w));
        if !end_of {
            return None;
        }
        let last = NaiveDate::from_ymd_opt(v.parse().ok()?, 12, 31)?;
        return Some((zone.end_of(last)?, "day"));
    }
    None
}

/// The date a bare clock time is on when the date follows it with only a zone, "on" or a
/// comma between ("12:01 a.m. EST on 21 November 2025").
fn joined_day(text: &str, t: &Timex, next: Option<&Timex>) -> Option<NaiveDate> {
    let next = next?;
    // Only a clock time with no day of its own ("12:01 a.m.", "noon", "11 p.m. ET").
    let lower = t.text.to_ascii_lowercase();
    let names_day = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "day", "tomorrow",
        "tonight",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if t.kind != TimexType::Time || names_day {
        return None;
    }
    let gap = text.get(t.end..next.start)?;
    let zone_words = [
        "eastern",
        "standard",
        "daylight",
        "time",
        "est",
        "edt",
        "et",
        "gmt",
        "utc",
        "on",
        "the",
        "local",
        "washington",
        "new",
        "york",
        "uk",
        "london",
        "british",
        "bst",
        "cet",
        "cest",
        "pacific",
        "central",
        "european",
    ];
    let only_zone = gap.len() <= 40
        && gap
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| zone_words.contains(&w.to_ascii_lowercase().as_str()));
    only_zone.then(|| day_value(&next.value)).flatten()
}

fn day_value(v: &str) -> Option<NaiveDate> {
    let day = v.get(..10)?;
    let ok = day.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !ok || (v.len() > 10 && v.as_bytes()[10] != b'T') {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// How the words before a date place it: told after the fact, ahead of it, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tense {
    Past,
    Future,
    Nearest,
}

/// A due date told as it stood before: neither ahead nor behind by itself.
static FORMERLY_DUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:had\s+been|had\s+(?:given|granted|allowed|set)|was\s+(?:due|set|scheduled|supposed|expected)|were\s+(?:due|set|scheduled|supposed|expected))(?-u:\b)")
        .expect("formerly regex")
});

/// An order or obligation told in the past: "the Act, adopted in April 2024, obliged TikTok
/// to go dark by January 19" (said in June: the January gone), "ordered ByteDance to divest
/// by September 17" (said in June: the September ahead); a commitment likewise ("committed
/// to drawing up a draft by 2 May", said on 16 May). Its "by" does not make it future.
static ORDERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:obliged|obligated|required|ordered|forced|compelled|mandated)\s+(?:[a-z'’.-]+\s+){1,4}?to|(?:committed|agreed|pledged|promised|vowed|undertook)\s+to)\s",
    )
    .expect("ordered regex")
});

/// An order told in the past ([`ORDERED`]): not one still to come ("will be required by
/// regulators to report"), nor an adjective ("the required forms").
fn ordered_in_the_past(group: &str) -> bool {
    ORDERED.find_iter(group).any(|m| {
        let before = group[..m.start()].split_whitespace().next_back().unwrap_or("").to_ascii_lowercase();
        !matches!(
            before.as_str(),
            "will" | "shall" | "would" | "'ll" | "is" | "are" | "be" | "being" | "the" | "a" | "an" | "any" | "all"
        )
    })
}

/// Someone bound to act: "was supposed to provide", "are required to submit".
static BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?P<aux>was|were|is|are)\s+(?:supposed|required|obliged|obligated)\s+to\s+(?P<verb>[a-z]+)",
    )
    .expect("bound regex")
});

/// Words that put a due date ahead: "until", "will expire", "is set to".
static FUTURE_TENSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:until|till|by|before|through|than|will|'ll|shall|would|set\s+to|due|scheduled|expires?|takes?\s+effect|comes?\s+into\s+force|lapses?|starting|effective|as\s+of|on\s+or\s+after)(?-u:\b)")
        .expect("future regex")
});

/// A date written without its year ("Nov. 10", "Saturday") is the reading nearest the
/// publication day that fits the tense: the next one in deadline language, the last one
/// when told after the fact.
fn refit(written: &str, day: NaiveDate, published: NaiveDate, tense: Tense) -> NaiveDate {
    let has_year = written.as_bytes().windows(4).any(|w| w.iter().all(u8::is_ascii_digit));
    let lower = written.to_ascii_lowercase();
    if has_year
        || ["today", "tomorrow", "yesterday", "tonight", "next", "last", "this", "that"]
            .iter()
            .any(|w| lower.contains(w))
    {
        return day;
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let has_month = MONTHS.iter().any(|m| lower.contains(m)) && lower.chars().any(|c| c.is_ascii_digit());
    let weekday = !has_month
        && ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
            .iter()
            .any(|w| lower.contains(w));
    if has_month {
        let candidates = [day.with_year(day.year() - 1), Some(day), day.with_year(day.year() + 1)];
        let pick = match tense {
            // "agreed last month to produce a draft by May 2", said on May 7: a day a few days
            // gone is nearer than next year's.
            Tense::Future => candidates.iter().flatten().filter(|d| **d + Days::new(10) >= published).min().copied(),
            Tense::Past => candidates.iter().flatten().filter(|d| **d <= published + Days::new(3)).max().copied(),
            Tense::Nearest => candidates.iter().flatten().min_by_key(|d| (**d - published).num_days().abs()).copied(),
        };
        return pick.unwrap_or(day);
    }
    if weekday {
        let wd: Weekday = day.weekday();
        let mut d = published;
        if tense != Tense::Past {
            while d.weekday() != wd {
                d = d.succ_opt().unwrap_or(d);
                if d == NaiveDate::MAX {
                    break;
                }
            }
        } else {
            while d.weekday() != wd {
                d = d.pred_opt().unwrap_or(d);
                if d == NaiveDate::MIN {
                    break;
                }
            }
        }
        return d;
    }
    day
}

fn count(word: &str) -> Option<u64> {
    if let Ok(n) = word.parse() {
        return Some(n);
    }
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    let w = word.to_ascii_lowercase();
    if let Some(i) = WORDS.iter().position(|x| *x == w) {
        return u64::try_from(i).ok();
    }
    match w.as_str() {
        "thirty" => Some(30),
        "forty" => Some(40),
        "fifty" => Some(50),
        "sixty" => Some(60),
        "ninety" => Some(90),
        _ => None,
    }
}

/// A suspension, pause or waiver for a stated time: "suspended for one year as of …",
/// "on hold for 180 days", "a new 180-day suspension".
static SUSPENDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:(?:suspend(?:s|ed|ing)?|paused?|on\s+hold|waived?|exempted|frozen|halted)\s+(?:[^.;:]{0,40}?\s)?for\s+(?:(?:a|an|another|the\s+next)\s+)?(?P<n1>\d+|[a-z]+)\s+(?P<u1>days?|weeks?|months?|years?)|(?P<n2>\d+|[a-z]+)[- ](?P<u2>day|week|month|year)\s+(?:suspension|pause|waiver|exemption|reprieve|extension\s+of\s+the\s+suspension))(?-u:\b)")
        .expect("suspended regex")
});

/// "USTR action be suspended" → "USTR action suspension ends": what ends is the pause.
fn suspension_title(title: &str) -> String {
    static VERBS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:\s+(?:be|is|are|was|were|been|will|to|has|have|had|also|now|already|partly|partially|temporarily|formally))*\s+(?:suspended|paused|put\s+on\s+hold|on\s+hold|waived|frozen|halted|takes?\s+effect|expires?)(?:\s+.*)?$")
            .expect("suspension verbs regex")
    });
    let head = VERBS.replace(title, "");
    let head = head.trim();
    let lower = head.to_ascii_lowercase();
    if lower.contains("suspension") || lower.contains("pause") {
        format!("{head} ends")
    } else if LICENCE_WORDS.iter().any(|w| lower.contains(w)) {
        // "a 180-day waiver under the Caesar Act" lapses: it is no suspension of its own.
        format!("{head} expires")
    } else {
        format!("{head} suspension ends")
    }
}

/// Where a suspension the sentence tells ends, and the words that tell it.
fn suspension_end(
    text: &str,
    s: &Sentence,
    here: &[&Timex],
    published: NaiveDate,
) -> Option<(NaiveDate, (usize, usize))> {
    static FROM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:as\s+of|starting(?:\s+on)?|beginning(?:\s+on)?|from|effective(?:\s+on)?)\s*(?:(?:12:01|midnight)[^,]{0,40}?\s+on\s+)?$")
            .expect("from regex")
    });
    let sentence = &text[s.start..s.end];
    let c = SUSPENDED.captures(sentence)?;
    let m = c.get(0)?;
    let n = c.name("n1").or_else(|| c.name("n2")).and_then(|n| count(n.as_str()))?;
    let unit = c.name("u1").or_else(|| c.name("u2"))?.as_str().to_ascii_lowercase();
    // Only a date it runs from, or the day the sentence says it was told.
    // "suspended for 180 days, replacing an earlier waiver issued on 23 May": a date in a
    // clause after the span's own is another thing's, unless it says when this was told
    // ("…, the Treasury said on Monday").
    let span_end = s.start + m.end();
    let own_clause = |t: &Timex| {
        let between = text[span_end..t.start].to_ascii_lowercase();
        // "paused for 90 days, starting May 14": the start it runs from.
        FROM.is_match(&text[s.start..t.start])
            || !between.contains([',', ';', '('])
            || [" said", " says", " announced", " told", " stated", " confirmed"].iter().any(|w| between.contains(w))
    };
    let dates: Vec<(&Timex, NaiveDate)> = here
        .iter()
        .filter(|t| matches!(t.kind, TimexType::Date | TimexType::Time))
        .filter(|t| t.start < span_end || own_clause(t))
        .filter_map(|t| day_value(&t.value).map(|d| (*t, d)))
        .collect();
    // "the 90-day pause, which is due to run out on July 9": the sentence dates its end.
    if here.iter().any(|t| t.start >= span_end && !FROM.is_match(&text[s.start..t.start]) && tied(text, s, t)) {
        return None;
    }
    // "for two weeks in 2019": a time that is no day says it is not running from now.
    if here.iter().any(|t| t.kind == TimexType::Date && day_value(&t.value).is_none() && !t.value.ends_with("_REF")) {
        return None;
    }
    let start = match dates.iter().find(|(t, _)| FROM.is_match(&text[s.start..t.start])) {
        Some((t, day)) => refit(&t.text, *day, published, Tense::Future),
        None if dates.is_empty() => published,
        None => {
            let (t, day) = dates.iter().find(|(t, _)| !tied(text, s, t))?;
            let day = refit(&t.text, *day, published, Tense::Past);
            if day > published + Days::new(1) {
                return None;
            }
            day
        }
    };
    Some((add_span(start, n, &unit)?, (s.start + m.start(), s.start + m.end())))
}

/// A grace window: what may still be done for a span from a day, its title and its last
/// day ("Contracts concluded under the old cap may still be performed for 90 days from 15
/// January" is "grace period for contracts concluded under the old cap ends" on 15 April).
fn grace_end(text: &str, s: &Sentence, here: &[&Timex], published: NaiveDate) -> Option<(String, NaiveDate)> {
    static GRACE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?P<what>[^,;:]{3,90}?)\s+(?:may|can|could|will)\s+(?:still\s+|only\s+|continue\s+to\s+)?(?:be\s+)?(?:performed|executed|honou?red|completed|carried\s+out|fulfilled|delivered|wound\s+down|continued|continue|run)\s+(?:only\s+)?for\s+(?:a\s+further\s+|another\s+|up\s+to\s+)?(?P<n>\d+|[a-z]+)\s+(?P<u>days?|weeks?|months?)\s+(?:from|after|starting(?:\s+on)?|as\s+of)\s*$")
            .expect("grace regex")
    });
    let t =
        here.iter().find(|t| matches!(t.kind, TimexType::Date | TimexType::Time) && day_value(&t.value).is_some())?;
    let lead = text.get(s.start..t.start)?;
    // Most sentences have no span "for … from" a day: skip the search.
    if !lead.contains(" for ") || !["day", "week", "month"].iter().any(|u| lead.contains(u)) {
        return None;
    }
    let c = GRACE.captures(lead.trim_start())?;
    let from = refit(&t.text, day_value(&t.value)?, published, Tense::Nearest);
    let n = count(&c["n"])?;
    let what = c["what"].trim();
    let what = what.strip_prefix("The ").or_else(|| what.strip_prefix("the ")).unwrap_or(what);
    let lowered = match what.split_whitespace().next() {
        Some(w) if w.chars().skip(1).all(|c| c.is_lowercase()) => format!("{}{}", what[..1].to_lowercase(), &what[1..]),
        _ => what.to_owned(),
    };
    Some((format!("grace period for {lowered} ends"), add_span(from, n, &c["u"].to_ascii_lowercase())?))
}

fn add_span(from: NaiveDate, n: u64, unit: &str) -> Option<NaiveDate> {
    match unit.trim_end_matches('s') {
        "day" => from.checked_add_days(Days::new(n)),
        "week" => from.checked_add_days(Days::new(7 * n)),
        "month" => from.checked_add_months(Months::new(u32::try_from(n).ok()?)),
        "year" => from.checked_add_months(Months::new(u32::try_from(n.checked_mul(12)?).ok()?)),
        "hour" => from.checked_add_days(Days::new(n.div_ceil(24))),
        _ => None,
    }
}

/// A dated entry whose title is written later, from `anchor` (see [`finish`]).
fn pending(
    s: &Sentence,
    evidence: &str,
    due: DateTime<FixedOffset>,
    grain: &'static str,
    status: Option<&'static str>,
    anchor: (usize, usize),
) -> (FoundDeadline, Option<Anchor>) {
    let found = FoundDeadline {
        title: String::new(),
        due: Some(due),
        grain: Some(grain),
        evidence: evidence.to_owned(),
        start: s.start,
        end: s.end,
        status,
    };
    (found, Some(Anchor { sentence: *s, start: anchor.0, end: anchor.1 }))
}

/// Where a title is to be read from: the sentence and the words it ties to.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    sentence: Sentence,
    start: usize,
    end: usize,
}

/// "a notice suspending, until November 10, 2026, the Section 301 countermeasures it had
/// imposed…", "suspended the port fees until November 10": what is suspended until a day
/// comes back then ("suspension of the Section 301 countermeasures ends").
fn suspended_until(text: &str, s: &Sentence, start: usize, end: usize) -> Option<String> {
    static BEFORE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)suspend(?:s|ed|ing)?\s*(?:(?P<x>[^,;:()]{3,80}?)\s+)?,?\s*(?:until|through|till)\s*$")
            .expect("suspended-until regex")
    });
    static AFTER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^\s*,\s*(?P<x>[^,;:()]{3,100})").expect("suspended-after regex"));
    let before = text.get(s.start..start)?;
    let c = BEFORE.captures(before)?;
    let x = match c.name("x") {
        Some(x) => x.as_str().to_owned(),
        None => AFTER.captures(text.get(end..s.end)?)?["x"].to_owned(),
    };
    // The noun phrase ends where a clause about it begins.
    let x = [" it ", " that ", " which ", " who ", " they ", " he ", " she ", " imposed ", " announced "]
        .iter()
        .filter_map(|w| x.find(w))
        .min()
        .map_or(x.as_str(), |i| &x[..i])
        .trim();
    if x.split_whitespace().count() > 10 || x.is_empty() {
        return None;
    }
    Some(format!("suspension of {x} ends"))
}

/// "The decision keeps the measures in place until March 15": measures kept in place until
/// a day come up for renewal then, like measures given more time.
fn kept_until(text: &str, s: &Sentence, start: usize) -> Option<String> {
    static KEPT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:keep|keeps|kept|keeping)\s+(?:(?:the|its|their|these|those|all)\s+)?(?P<x>[^,;:()]{3,120}?)\s+in\s+(?:place|force|effect)(?:\s+for\s+(?:another|a\s+further|an\s+additional|a\s+(?:[\w-]+\s+)?)?(?:[\w-]+\s+){0,2}(?:months?|years?|weeks?|days?))?,?\s+(?:until|till|through|up\s+to)\s+(?:at\s+least\s+)?$")
            .expect("kept-until regex")
    });
    const MEASURES: [&str; 16] = [
        "sanctions",
        "measures",
        "restrictions",
        "ban",
        "bans",
        "embargo",
        "listings",
        "designations",
        "asset freezes",
        "freeze",
        "regime",
        "framework",
        "tariffs",
        "duties",
        "prohibitions",
        "curbs",
    ];
    let c = KEPT.captures(text.get(s.start..start)?)?;
    let x = c["x"].trim();
    // The head: the last word before the first preposition ("measures aimed at …").
    let head_end = [" on ", " against ", " aimed ", " over ", " targeting ", " for ", " in ", " of ", " imposed "]
        .iter()
        .filter_map(|w| x.find(w))
        .min()
        .unwrap_or(x.len());
    let head = x[..head_end].rsplit(' ').next().unwrap_or("").to_ascii_lowercase();
    if x.split_whitespace().count() > 14 || !MEASURES.iter().any(|m| m.ends_with(head.as_str()) && !head.is_empty()) {
        return None;
    }
    Some(format!("{x} up for renewal"))
}

/// "banned outright, effective 25 April 2026, so spot deals remain allowed only until 24
/// April 2026": the last day something is still allowed, told to explain the day a ban
/// starts, is that ban's deadline again, not one of its own.
fn without_eves(mut found: Vec<(FoundDeadline, Option<Anchor>)>, text: &str) -> Vec<(FoundDeadline, Option<Anchor>)> {
    let day = |d: &FoundDeadline| d.due.map(|t| t.date_naive());
    let mut i = 0;
    while i < found.len() {
        let (Some(eve), Some(a)) = (day(&found[i].0), found[i].1) else {
            i += 1;
            continue;
        };
        let until = text[a.sentence.start..a.start].trim_end().to_ascii_lowercase().ends_with("until");
        let next = found.iter().position(|(d, b)| {
            b.is_some_and(|b| b.sentence.start == a.sentence.start)
                && day(d).is_some_and(|n| eve.succ_opt() == Some(n))
                && {
                    let (lo, hi) = (b.map_or(0, |b| b.start).min(a.start), b.map_or(0, |b| b.end).max(a.end));
                    let between = text[lo..hi].to_ascii_lowercase();
                    [", so ", " meaning ", "which means", "in other words"].iter().any(|w| between.contains(w))
                }
        });
        match next {
            Some(j) if until => {
                if found[i].0.status.is_none() {
                    found[j].0.status = None;
                }
                found.remove(i);
            }
            _ => i += 1,
        }
    }
    found
}

/// One deadline stated several ways is one entry: keep the most precise mention of a day.
/// A mention with no date is kept when it is about something the dated ones are not.
fn finish(
    found: Vec<(FoundDeadline, Option<Anchor>)>,
    text: &str,
    sentences: &[Sentence],
    times: &[Timex],
    topic: &Topic,
) -> Vec<FoundDeadline> {
    let found = without_eves(found, text);
    let rank = |g: Option<&str>| match g {
        Some("minute") => 3,
        Some("day") => 2,
        Some(_) => 1,
        None => 0,
    };
    let mut out: Vec<(FoundDeadline, Option<Anchor>)> = Vec::new();
    // Per day, the entries and the licence each names: "General License 126 … until 12:01
    // a.m. on 21 November" and "General License 127 … also until" are two deadlines.
    // So are "a 50% tariff on copper" and "a 35% tariff on Canadian goods" due the same day.
    type Key = (Option<String>, Option<String>);
    let mut by_day: std::collections::HashMap<NaiveDate, Vec<(usize, Key)>> = std::collections::HashMap::new();
    let agree = |a: &Option<String>, b: &Option<String>| a.is_none() || b.is_none() || a == b;
    for (d, anchor) in found.iter().filter(|(d, _)| d.due.is_some()) {
        let Some(day) = d.due.map(|t| t.date_naive()) else { continue };
        let sentence = anchor.map(|a| (&text[a.sentence.start..a.sentence.end], a.start - a.sentence.start));
        let licence = sentence.and_then(|(s, at)| licence_near(s, at));
        let object = sentence.and_then(|(s, at)| object_near(s, at));
        // "would take effect at 11:15 … had been meant to begin at 8:30 a.m.": a clock time
        // moved within the day leaves the old minute superseded beside the new one.
        let moved_within_day = |i: usize| {
            let other = &out[i].0;
            d.grain == Some("minute")
                && other.grain == Some("minute")
                && other.due != d.due
                && other.status.is_some() != d.status.is_some()
        };
        let same = by_day.get(&day).and_then(|entries| {
            entries
                .iter()
                .find(|(i, (l, o))| agree(l, &licence) && agree(o, &object) && !moved_within_day(*i))
                .map(|(i, _)| *i)
        });
        let licence = (licence, object);
        match same {
            Some(i) => {
                // The most precise mention of the day; current if any mention is.
                let status = if out[i].0.status.is_none() || d.status.is_none() { None } else { d.status };
                if rank(d.grain) > rank(out[i].0.grain) {
                    out[i] = (d.clone(), *anchor);
                }
                out[i].0.status = status;
            }
            None => {
                by_day.entry(day).or_default().push((out.len(), licence));
                out.push((d.clone(), *anchor));
            }
        }
    }
    let mut out: Vec<FoundDeadline> = out
        .into_iter()
        .map(|(mut d, anchor)| {
            if let Some(a) = anchor {
                let from = times.partition_point(|t| t.start < a.sentence.start);
                let here: Vec<&Timex> = times[from..]
                    .iter()
                    .take_while(|t| t.start < a.sentence.end)
                    .filter(|t| t.end <= a.sentence.end)
                    .collect();
                d.title = title(text, &a.sentence, &here, a.start, a.end, topic);
            }
            d
        })
        .collect();
    let mut undated: Vec<FoundDeadline> = found.into_iter().filter(|(d, _)| d.due.is_none()).map(|(d, _)| d).collect();
    // The demands of the article are looked for once, for dated and undated entries alike.
    name_the_demand(out.iter_mut().chain(undated.iter_mut()), text, sentences, times);
    // What a deadline is about, by its common words: names ("EU", "OFAC") are shared by
    // every deadline of an article.
    let subject = |title: &str| -> Vec<String> {
        let common: Vec<&str> = title.split_whitespace().filter(|w| !w.starts_with(char::is_uppercase)).collect();
        crate::model::content_words(&common.join(" "))
    };
    let dated_words: Vec<String> = out.iter().flat_map(|d| subject(&d.title)).collect();
    let mut kept = 0;
    for d in undated {
        let words = subject(&d.title);
        let new_subject = !words.iter().any(|w| dated_words.contains(w));
        // One undated deadline per article; a second only beside dated ones it is not about.
        if kept == 0 && (out.is_empty() || new_subject) {
            kept += 1;
            out.push(d);
        }
    }
    out.sort_by_key(|d| d.start);
    refer_back(&mut out);
    for d in &mut out {
        if let Some(t) = antecedent(&d.title, text, d.start) {
            d.title = t;
        }
    }
    if us_licensor(text) {
        for d in &mut out {
            d.title = ofac_licence(&d.title);
        }
    }
    out
}

/// "These two rules take effect on December 1", "the measures expire": a title whose
/// subject only points back is the measure an earlier sentence named ("export controls on
/// rare-earth items take effect"). `start` is where the deadline's sentence begins.
fn antecedent(title: &str, text: &str, start: usize) -> Option<String> {
    // What points back: a determiner that does, or a bare head with nothing of its own.
    static ANAPHOR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?-i:(?:U\.?S\.?|US|EU|UK|UN|[A-Z][a-z]+)\s+)?(?P<det>these|those|both|such|the\s+two|the\s+three|these\s+two|these\s+three|both\s+the|the)?\s*(?P<head>rules|measures|controls|curbs|restrictions|sanctions|listings|steps|provisions|requirements|regulations|changes|bans|prohibitions|tariffs|duties|truce|suspension|pause|ceasefire|exemption|waiver|ban|prohibition|duty|levy)$")
            .expect("anaphor regex")
    });
    let (subject, (one, many)) =
        ENDINGS.iter().find_map(|e| title.strip_suffix(e.0).or_else(|| title.strip_suffix(e.1)).map(|s| (s, *e)))?;
    let c = ANAPHOR.captures(subject.trim())?;
    let head = c["head"].to_ascii_lowercase();
    // "these rules" may point back to controls or curbs; "the truce" only to a truce.
    let generic = ["rules", "measures", "steps", "provisions", "changes", "requirements", "regulations"];
    let heads: Vec<&str> = if generic.contains(&head.as_str()) {
        vec![
            "controls",
            "restrictions",
            "sanctions",
            "tariffs",
            "curbs",
            "duties",
            "rules",
            "measures",
            "bans",
            "requirements",
            "regulations",
        ]
    } else {
        vec![head.as_str()]
    };
    let before = &text[floor_char_boundary(text, start.saturating_sub(2500))..start];
    let words: Vec<(usize, &str)> = before
        .split_whitespace()
        .scan(0usize, |at, w| {
            let i = before[*at..].find(w).map_or(*at, |i| *at + i);
            *at = i + w.len();
            Some((i, w))
        })
        .collect();
    const STOP: [&str; 62] = [
        "the",
        "a",
        "an",
        "these",
        "those",
        "this",
        "its",
        "their",
        "his",
        "her",
        "our",
        "to",
        "of",
        "on",
        "and",
        "or",
        "said",
        "will",
        "would",
        "has",
        "have",
        "had",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "from",
        "that",
        "which",
        "impose",
        "imposes",
        "imposed",
        "announced",
        "it",
        "they",
        "all",
        "any",
        "some",
        "apply",
        "applies",
        "introduce",
        "introduces",
        "adopt",
        "adopts",
        "use",
        "uses",
        "lift",
        "lifts",
        "ease",
        "eases",
        "tighten",
        "tightens",
        "extend",
        "extends",
        "keep",
        "keeps",
        "unveil",
        "unveils",
    ];
    // A word ends the phrase at a stop, unless it is an abbreviation ("U.S.").
    let ends_phrase = |w: &str| w.ends_with([',', ';', ':']) || (w.ends_with('.') && !w[..w.len() - 1].contains('.'));
    fn bare(w: &str) -> &str {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '%' && c != '$' && c != '\'')
    }
    // The nearest mention with a complement ("export controls on rare-earth items") is the
    // most telling; else the nearest with words of its own.
    let mut fallback = None;
    for (k, &(_, w)) in words.iter().enumerate().rev() {
        let b = bare(w);
        if !heads.iter().any(|h| b.eq_ignore_ascii_case(h)) {
            continue;
        }
        // Words before the head that qualify it, up to a break or a word that ends the phrase.
        let mut first = k;
        while first > 0 && k - first < 4 {
            let prev = words[first - 1].1;
            let pb = bare(prev);
            if ends_phrase(prev)
                || pb.is_empty()
                || STOP.contains(&pb.to_ascii_lowercase().as_str())
                || (pb.len() > 4 && pb.ends_with("ly"))
            {
                break;
            }
            if pb.chars().next().is_some_and(char::is_lowercase) && pb.ends_with("ed") && !pb.contains('-') {
                // "expanded export controls" keeps "expanded"; a verb before it ends it.
                if first >= 2 && !STOP.contains(&bare(words[first - 2].1).to_ascii_lowercase().as_str()) {
                    break;
                }
            }
            first -= 1;
        }
        // A complement: "on rare-earth items", "against Russia", "covering lithium batteries".
        let mut last = k;
        if !ends_phrase(w)
            && let Some(&(_, next)) = words.get(k + 1)
            && matches!(bare(next).to_ascii_lowercase().as_str(), "on" | "against" | "for" | "of" | "covering" | "targeting")
            // "controls of this kind" points elsewhere again.
            && !words.get(k + 2).is_some_and(|(_, w)| {
                matches!(bare(w).to_ascii_lowercase().as_str(), "this" | "that" | "these" | "those" | "such" | "it" | "them")
            })
        {
            let mut j = k + 1;
            while j + 1 < words.len() && j - k < 7 {
                let n = words[j + 1].1;
                let nb = bare(n).to_ascii_lowercase();
                if matches!(
                    nb.as_str(),
                    "that"
                        | "which"
                        | "who"
                        | "will"
                        | "would"
                        | "is"
                        | "are"
                        | "was"
                        | "were"
                        | "has"
                        | "have"
                        | "had"
                        | "it"
                        | "they"
                        | "to"
                        | "from"
                        | "since"
                        | "after"
                        | "before"
                        | "until"
                        | "by"
                        | "citing"
                ) || (nb.ends_with("ed") && !n.contains('-') && j > k + 1)
                {
                    break;
                }
                j += 1;
                if ends_phrase(n) {
                    break;
                }
            }
            if j > k + 1 {
                last = j;
            }
        }
        if first == k && last == k {
            continue;
        }
        let phrase: Vec<&str> = words[first..=last].iter().map(|(_, w)| *w).collect();
        let phrase = phrase.join(" ");
        let phrase = phrase.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '%' && c != ')');
        let plural = plural_noun(bare(w));
        let ending = if plural { many } else { one };
        let found = format!("{phrase}{ending}");
        if last > k {
            return Some(found);
        }
        fallback = fallback.or(Some(found));
    }
    fallback
}

/// The endings a title's verb takes, each with its plural.
const ENDINGS: [(&str, &str); 4] = [
    (" expires", " expire"),
    (" takes effect", " take effect"),
    (" up for renewal", " up for renewal"),
    (" ends", " end"),
];

/// "…the general licence covering Lukoil's subsidiaries… it has now been extended until
/// August 13": a deadline whose subject is "it" or "they" is the measure the deadline
/// before it was about, with its own verb. `out` is in text order.
fn refer_back(out: &mut [FoundDeadline]) {
    static PRONOUN_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:it|they)\s+(?:(?:has|have|had|would|will|was|were|is|are|could|may|now|also|then|first|originally|already|not|been|be|have)\s+){0,4}(?:extended|prolonged|renewed|expire[sd]?|lapse[sd]?|run|runs|ran|end|ends|ended|valid|due|set|came|come|comes|takes?|took)(?-u:\b)")
            .expect("pronoun-subject regex")
    });
    let measure = |title: &str| -> Option<String> {
        ENDINGS
            .iter()
            .find_map(|(one, many)| title.strip_suffix(one).or_else(|| title.strip_suffix(many)))
            .map(str::to_owned)
    };
    for i in 1..out.len() {
        if !PRONOUN_SUBJECT.is_match(&out[i].evidence) || out[i].evidence == out[i - 1].evidence {
            continue;
        }
        let Some(ending) =
            ENDINGS.iter().find(|(one, many)| out[i].title.ends_with(one) || out[i].title.ends_with(many))
        else {
            continue;
        };
        let Some(earlier) = out[..i].iter().rev().find_map(|d| measure(&d.title)) else { continue };
        let plural = earlier.split_whitespace().last().is_some_and(plural_noun);
        out[i].title = format!("{earlier}{}", if plural { ending.1 } else { ending.0 });
    }
}

/// Whether the article is about licences the US Treasury issues: it names OFAC, or the
/// Treasury and not the UK's (HM Treasury, OFSI).
fn us_licensor(text: &str) -> bool {
    text.contains("OFAC")
        || text.contains("Office of Foreign Assets Control")
        || (text.contains("Treasury") && !text.contains("HM Treasury") && !text.contains("OFSI"))
}

/// A licence title names OFAC, which issues general licences for the US Treasury: "Lukoil
/// permit expires" is "OFAC Lukoil permit expires", "Treasury General License 8L expires" is
/// "OFAC General License 8L expires".
fn ofac_licence(title: &str) -> String {
    static LICENCE_WORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:licen[cs]es?|GL|authori[sz]ations?|permits?|waivers?)(?-u:\b)")
            .expect("licence-word regex")
    });
    if title.contains("OFAC") || !LICENCE_WORD.is_match(title) {
        return title.to_owned();
    }
    for lead in ["U.S. Treasury's ", "U.S. Treasury ", "US Treasury ", "U.S Treasury ", "Treasury's ", "Treasury "] {
        if let Some(rest) = title.strip_prefix(lead) {
            return format!("OFAC {rest}");
        }
    }
    let rest = ["US ", "U.S. "].iter().find_map(|l| title.strip_prefix(l)).unwrap_or(title);
    format!("OFAC {rest}")
}

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

/// The zone a sentence names for its times.
#[derive(Debug, Clone, Copy)]
enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

impl Zone {
    /// The zone a later sentence of the article means: "EST" named in one sentence is US
    /// Eastern time in the next, in whichever offset its day has.
    fn carried(self) -> Zone {
        match self {
            Zone::Fixed(o) if [-4, -5].contains(&(o.local_minus_utc() / 3600)) => {
                "America/New_York".parse::<Tz>().map_or(self, Zone::Named)
            }
            other => other,
        }
    }

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

/// "11:15 local time (4:15 a.m. ET)", "8 p.m. (0000 GMT)": the same moment retold in
/// brackets in a zone of its own; the offset between the two clocks is the first one's zone.
fn retold(text: &str, t: &Timex, next: Option<&Timex>) -> Option<Zone> {
    let next = next.filter(|n| n.kind == TimexType::Time)?;
    // "8 p.m. (0000 GMT)": the clock's own period may stand outside its span.
    if text.get(t.end..next.start)?.trim().trim_start_matches('.').trim() != "(" {
        return None;
    }
    let utc = written_offset(&next.value)?;
    let clock = |v: &str| -> Option<i32> {
        let hh: i32 = v.get(11..13)?.parse().ok()?;
        let mm: i32 = v.get(14..16)?.parse().ok()?;
        Some(hh * 60 + mm)
    };
    let Zone::Fixed(o) = utc else { return None };
    let theirs = clock(&next.value)? - o.local_minus_utc() / 60;
    // The offset between the clocks, taken between UTC−12 and UTC+14.
    let offset = (clock(&t.value)? - theirs).rem_euclid(24 * 60);
    let offset = if offset > 14 * 60 { offset - 24 * 60 } else { offset };
    FixedOffset::east_opt(offset * 60).map(Zone::Fixed)
}

/// The zone a TIMEX3 clock value carries: `2025-09-27T20:00-04:00` or `…T09:30Z`.
fn written_offset(value: &str) -> Option<Zone> {
    let rest = value.get(16..)?;
    let rest = rest.strip_prefix(|c: char| c == ':').map_or(rest, |r| r.get(2..).unwrap_or(""));
    if rest == "Z" {
        return FixedOffset::east_opt(0).map(Zone::Fixed);
    }
    let sign = match rest.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = rest.get(1..3)?.parse().ok()?;
    let minutes: i32 = rest.get(4..6)?.parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).map(Zone::Fixed)
}

/// A word that may name a zone: looked for over the whole text, before [`zone_in`] reads
/// the sentences that have one.
static ZONE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:EDT|EST|ET|CDT|CST|CT|PDT|PST|PT|GMT|UTC|BST|CET|CEST|MSK|[Tt]ime)(?-u:\b)")
        .expect("zone regex")
});

/// The zone `words` (of sentence `s`) name: "EDT", "Seoul time", or "local time", which
/// is the time of the place the sentence names, else of the first place the article names
/// ("must free the captives by noon local time on Monday" in a story datelined in Israel).
fn zone_at(words: &str, text: &str, s: &Sentence, first_place: &std::cell::OnceCell<Option<Zone>>) -> Option<Zone> {
    zone_in(words).or_else(|| {
        let lower = words.to_ascii_lowercase();
        if !lower.contains(" time") {
            return None;
        }
        let watch = &*super::names::NO_ACTORS;
        // "6 p.m. Seoul time", "Cuban time": a place the gazetteer knows, right before "time".
        let named = watch.mentions(words).into_iter().find(|m| {
            let rest = words[m.end..].to_ascii_lowercase();
            rest.starts_with(" time") || rest.starts_with(" standard time") || rest.starts_with(" summer time")
        });
        if let Some(m) = named {
            return place_zone(&m);
        }
        if !lower.contains("local time") {
            return None;
        }
        watch
            .mentions(&text[s.start..s.end])
            .iter()
            .find_map(place_zone)
            .or_else(|| *first_place.get_or_init(|| watch.mentions(text).iter().find_map(place_zone)))
    })
}

/// The zone of a place the gazetteer gives one (`zones.tsv`), parsed once.
fn place_zone(m: &super::names::Mention) -> Option<Zone> {
    static ZONES: LazyLock<std::collections::HashMap<usize, Tz>> = LazyLock::new(|| {
        super::gazetteer::BUILTIN.zones.iter().filter_map(|(e, z)| Some((*e, z.parse::<Tz>().ok()?))).collect()
    });
    match m.named {
        super::names::Named::Entry(i, _) => ZONES.get(&i).copied().map(Zone::Named),
        super::names::Named::Actor(_) => None,
    }
}

fn zone_in(sentence: &str) -> Option<Zone> {
    let hours = |h: i32| FixedOffset::east_opt(h * 3600).map(Zone::Fixed);
    let named = |name: &str| name.parse::<Tz>().ok().map(Zone::Named);
    for word in sentence.split(|c: char| !c.is_ascii_alphanumeric()) {
        let zone = match word {
            "EDT" => hours(-4),
            "EST" => hours(-5),
            "ET" => named("America/New_York"),
            "CDT" | "CST" | "CT" => named("America/Chicago"),
            "PDT" | "PST" | "PT" => named("America/Los_Angeles"),
            "GMT" | "UTC" => hours(0),
            "BST" => named("Europe/London"),
            "CET" | "CEST" => named("Europe/Brussels"),
            "MSK" => hours(3),
            _ => None,
        };
        if zone.is_some() {
            return zone;
        }
    }
    let lower = sentence.to_ascii_lowercase();
    for (phrase, zone) in [
        ("eastern standard time", hours(-5)),
        ("eastern daylight time", hours(-4)),
        ("eastern time", named("America/New_York")),
        ("washington time", named("America/New_York")),
        ("new york time", named("America/New_York")),
        ("geneva time", named("Europe/Zurich")),
        ("bern time", named("Europe/Zurich")),
        ("paris time", named("Europe/Paris")),
        ("berlin time", named("Europe/Berlin")),
        ("tokyo time", named("Asia/Tokyo")),
        ("seoul time", named("Asia/Seoul")),
        ("jerusalem time", named("Asia/Jerusalem")),
        ("moscow time", hours(3)),
        ("kyiv time", named("Europe/Kyiv")),
        ("cuban time", named("America/Havana")),
        ("havana time", named("America/Havana")),
        ("tehran time", named("Asia/Tehran")),
        ("beijing time", hours(8)),
        ("brussels time", named("Europe/Brussels")),
        ("london time", named("Europe/London")),
        ("uk time", named("Europe/London")),
        ("british time", named("Europe/London")),
        ("central european time", named("Europe/Brussels")),
        ("gulf time", hours(4)),
        ("pacific time", named("America/Los_Angeles")),
        ("israel time", named("Asia/Jerusalem")),
    ] {
        if lower.contains(phrase) {
            return zone;
        }
    }
    None
}

/// Who must do what: "deadline for Iran to resume inspections", "gave Russia 10 days to
/// end the war", "Hamas must free the hostages", "unless Moscow stops the fighting", read as
/// "Iran to resume inspections", with "or face …" kept when the sentence says it.
fn ultimatum_title(text: &str, s: &Sentence, times: &[&Timex]) -> Option<String> {
    static MAYBE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:deadline|ultimatum|gave|give|gives|given|giving|handed|hands?|must|has|have|had|needs?|should|required|told|unless|if|pledged|promised|vowed|ordered|obliged|due|instructed|directed|urged|called)(?-u:\b)")
            .expect("maybe regex")
    });
    if !MAYBE.is_match(&text[s.start..s.end]) {
        return None;
    }
    static PATTERNS: LazyLock<[Regex; 10]> = LazyLock::new(|| {
        // "US persons", "European companies": a capitalized qualifier and the ones it
        // qualifies, who are told to act as a group.
        let who = r"(?P<who>(?:the\s+)?[A-Z][\w'’.-]*(?:\s+(?:of\s+)?[A-Z][\w'’.-]*){0,3}(?:\s+(?-i:persons|companies|firms|banks|entities|individuals|businesses|citizens|nationals|exporters|importers|investors|holders|shippers|operators|traders|people))?)";
        // "gave his Cabinet 30 days to assess…": whoever is given the time, with a possessive.
        let whose = r"(?P<who>(?:(?:the|his|her|their|its)\s+)?[A-Z][\w'’.-]*(?:\s+(?:of\s+)?[A-Z][\w'’.-]*){0,3}(?:\s+(?-i:persons|companies|firms|banks|entities|individuals|businesses|citizens|nationals|exporters|importers|investors|holders|shippers|operators|traders|people))?)";
        // "…would face sanctions unless it stopped fighting": the pronoun is read below.
        let who_or_pronoun = r"(?P<who>(?:the\s+)?[A-Z][\w'’.-]*(?:\s+(?:of\s+)?[A-Z][\w'’.-]*){0,3}|it|they)";
        // "U.S." does not end the demand: "to find a buyer for TikTok's U.S. operations".
        let vp = r"(?P<vp>[a-z](?:[A-Z]\.|[^,;:.!?()]){2,90})";
        [
            // "the deadline for Iran to respond", "the deadline President Donald Trump has set
            // for Ukraine's Volodymyr Zelenskiy to answer a 28-point peace plan".
            Regex::new(&format!(
                r"(?i:deadline|ultimatum)[\s,]+(?:(?:that\s+)?(?:[A-Z][\w.'’-]*\s+){{1,4}}(?:has\s+|had\s+|have\s+)?(?i:set|given|issued|imposed)\s+)?for\s+{who}\s+to\s+{vp}"
            )),
            Regex::new(&format!(
                r"(?i:gave|give|gives|given|giving|handed|hands|hand)\s+{whose}\s+(?:(?:(?:an?|the|another|only|just)\s+)?(?:[\w-]+\s+){{0,3}}?(?i:days?|weeks?|months?|hours?|deadline|ultimatum|time|window)\s+)?to\s+{vp}"
            )),
            Regex::new(&format!(
                r"{who}\s+(?i:must|has\s+to|have\s+to|had\s+to|needs?\s+to|should|is\s+required\s+to|are\s+required\s+to|was\s+told\s+to|were\s+told\s+to|has\s+until|have\s+until|had\s+until)\s+(?:to\s+)?{vp}"
            )),
            // "Russia has 10 days from today to stop its war".
            Regex::new(&format!(
                r"{who}\s+(?i:has|have|had|was\s+given|were\s+given)\s+(?:(?i:only|just|another)\s+)?(?:[\w-]+\s+){{0,2}}?(?i:days?|weeks?|months?|hours?)\s+(?:(?i:from\s+\w+|left)\s+)?to\s+{vp}"
            )),
            // Reported speech keeps the past: "…unless it stopped fighting within 50 days".
            Regex::new(&format!(
                r"(?i:unless|if)\s+{who_or_pronoun}\s+(?P<verb>agree[sd]?|stop(?:s|ped)?|end(?:s|ed)?|resume[sd]?|accept(?:s|ed)?|reach(?:es|ed)?|halt(?:s|ed)?|sign(?:s|ed)?|release[sd]?|free[sd]?|complie[sd]|comply|return(?:s|ed)?|withdr[ae]ws?|pull(?:s|ed)?)\s+(?P<rest>[^,;:.!?()]{{0,80}})"
            )),
            // "Carney pledged to adjust…", "ByteDance was ordered to divest…", "Hamas is due
            // to free…": an undertaking or an order with a date is a demand too ("unless
            // Moscow agreed to a ceasefire" is a condition, not one).
            Regex::new(&format!(
                r"{who}\s+(?i:pledged|has\s+pledged|promised|has\s+promised|vowed|was\s+ordered|were\s+ordered|has\s+been\s+ordered|is\s+obliged|are\s+obliged|is\s+due|are\s+due)\s+to\s+{vp}"
            )),
            // "The Treasury gave companies until Nov. 21 to wind down…" (the date cut out):
            // whoever is given the time, named in lower case.
            Regex::new(&format!(
                r"(?i:gave|give|gives|given|giving)\s+(?P<who>(?:U\.S\.\s+|US\s+|foreign\s+|American\s+)?(?-i:[a-z][\w-]+)(?:\s+(?-i:[a-z][\w-]+)){{0,2}})\s+to\s+{vp}"
            )),
            // "Trump handed Putin a 50-day ultimatum: accept a ceasefire or face sanctions".
            Regex::new(&format!(
                r"(?i:gave|give|gives|handed|hands|hand|issued|issues|delivered|set)\s+{who}\s+(?:an?|the|his|her|their)\s+(?:[\w-]+\s+){{0,2}}?(?i:ultimatum|choice)\s*[:—–]\s*{vp}"
            )),
            // "Companies have a 90-day period after the order is issued to wind down…".
            Regex::new(&format!(
                r"{who}\s+(?i:has|have|had|was\s+given|were\s+given|gets?|got)\s+(?i:an?|the)\s+(?:[\w-]+\s+){{0,2}}?(?i:period|window|deadline|grace\s+period)\s+(?:[^,;:.!?()]{{0,60}}?\s)?to\s+{vp}"
            )),
            // "Trump instructed federal agencies to finish that review": who is told to act.
            Regex::new(&format!(
                r"(?i:instructed|ordered|directed|told|urged|required|called\s+on)\s+(?P<who>(?:the\s+)?(?:[A-Z][\w'’.-]*|(?-i:[a-z][\w-]+))(?:\s+(?:of\s+)?(?:[A-Z][\w'’.-]*|(?-i:[a-z][\w-]+))){{0,2}})\s+to\s+{vp}"
            )),
        ]
        .map(|r| r.expect("ultimatum regex"))
    });
    static FACE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)or\s+(?:face|see|risk)\s+(?:(?-i:[A-Z])\.|[^,;:.!?()]){3,60}").expect("face regex")
    });
    // The sentence without its dates and the words that tied them.
    let mut clean = String::new();
    let mut at = s.start;
    for t in times
        .iter()
        .filter(|t| t.start >= s.start && t.end <= s.end && matches!(t.kind, TimexType::Date | TimexType::Time))
    {
        if t.start < at {
            continue;
        }
        let piece = &text[at..t.start];
        let trimmed = piece.trim_end();
        let cut = [
            "no later than",
            "by",
            "until",
            "till",
            "on",
            "before",
            "at",
            "as of",
            "through",
            "from",
            "starting",
            "of",
        ]
        .iter()
        .find(|w| trimmed.to_ascii_lowercase().ends_with(&format!(" {w}")))
        .map_or(trimmed.len(), |w| trimmed.len() - w.len());
        clean.push_str(&piece[..cut]);
        clean.push(' ');
        at = t.end;
    }
    clean.push_str(&text[at..s.end]);
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    // "…would be hit with heavy new tariffs unless Putin agrees…": the penalty told before
    // the condition is what the party faces.
    static PENALTY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:hit\s+with|face|faces|facing|impose[sd]?|imposing|slap(?:ped)?\s+with)\s+(?P<p>[^,;:.!?()]{3,60}?),?\s+(?:unless|if)(?-u:\b)")
            .expect("penalty regex")
    });
    // "…or see it barred from U.S. app stores to [Dec. 16]": no word that led to the date.
    let face = FACE.find(&clean).map(|m| {
        let mut words: Vec<&str> = m.as_str().split_whitespace().collect();
        while words.last().is_some_and(|w| ends_nothing(w)) {
            words.pop();
        }
        words.join(" ")
    });
    let face = face.or_else(|| {
        PENALTY.captures(&clean).and_then(|c| c.name("p")).map(|p| format!("or face {}", p.as_str().trim()))
    });
    for (i, re) in PATTERNS.iter().enumerate() {
        let Some(c) = re.captures(&clean) else { continue };
        let who = c.name("who")?.as_str().trim();
        let first = who.split_whitespace().next().unwrap_or("");
        if ["It", "This", "That", "There", "He", "She", "They", "We", "I", "You", "The", "A"].contains(&first)
            && who.split_whitespace().count() == 1
        {
            continue;
        }
        // Pronouns and quantities are no party: "gave them", "gave another 90 days".
        if (i == 6 || i == 9)
            && who.split_whitespace().any(|w| {
                [
                    "them",
                    "him",
                    "her",
                    "it",
                    "us",
                    "me",
                    "you",
                    "another",
                    "more",
                    "the",
                    "a",
                    "an",
                    "time",
                    "days",
                    "reporters",
                    "journalists",
                ]
                .contains(&w)
            })
        {
            continue;
        }
        // "tariffs would take effect on July 24 unless Moscow agreed": the day is the
        // measure's, the condition only says how to stop it.
        if i == 4 {
            static MEASURE_DUE: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(
                    r"(?i)(?-u:\b)(?:take\s+effect|come\s+into\s+(?:force|effect)|kick\s+in|expire|lapse)(?-u:\b)",
                )
                .expect("measure-due regex")
            });
            if MEASURE_DUE.is_match(&clean[..c.get(0).map_or(0, |m| m.start())]) {
                continue;
            }
        }
        // "it" and "they" are whoever the penalty falls on: "Moscow would face … unless it".
        let who = if matches!(who, "it" | "they") {
            static FACER: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"(?P<s>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})\s+(?:would|will|could|may|might)\s+(?:be\s+hit|face|be\s+slapped|be\s+subject)")
                    .expect("facer regex")
            });
            let before = &clean[..c.get(0).map_or(0, |m| m.start())];
            let Some(subject) = FACER.captures_iter(before).last().and_then(|f| f.name("s")) else { continue };
            subject.as_str()
        } else {
            who
        };
        let who = as_party(who);
        let vp = if i == 4 {
            let verb = c.name("verb")?.as_str();
            let base = base_form(verb);
            format!("{base} {}", c.name("rest").map_or("", |r| r.as_str()))
        } else {
            c.name("vp")?.as_str().to_owned()
        };
        // "The EU's sanctions on Russia are due to expire": a measure lapsing, no demand.
        let lower = vp.to_ascii_lowercase();
        if ["expire", "lapse", "take effect", "come into", "enter into", "run out", "remain in", "stay in", "go into"]
            .iter()
            .any(|v| lower.starts_with(v) && lower[v.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
        {
            continue;
        }
        let mut vp: Vec<&str> = vp.split_whitespace().collect();
        // End before what is not part of the demand: "…, Trump said", "or face".
        if let Some(cut) = vp.iter().enumerate().position(|(k, w)| {
            ["or", "said", "says", "according", "while", "after", "because", "within", "unless"]
                .contains(&w.to_ascii_lowercase().as_str())
                // "…by the end of the 90-day period": when, not what.
                || (w.eq_ignore_ascii_case("by")
                    && vp.get(k + 1).is_some_and(|n| n.eq_ignore_ascii_case("the"))
                    && vp.get(k + 2).is_some_and(|n| {
                        ["end", "deadline", "close", "expiry", "expiration", "time"]
                            .contains(&n.to_ascii_lowercase().as_str())
                    }))
        }) {
            vp.truncate(cut);
        }
        // A long demand ends where a phrase starts, never mid-phrase ("…for ending its
        // almost four-year war with Russia" keeps "war").
        if vp.len() > 14 {
            let cut = (5..=14)
                .rev()
                .find(|&k| ["with", "in", "at", "for", "by", "and", "on", "to", "from"].contains(&vp[k]))
                .unwrap_or(14);
            vp.truncate(cut);
        }
        while vp.last().is_some_and(|w| ends_nothing(w)) {
            vp.pop();
        }
        if vp.is_empty() {
            continue;
        }
        // "…the sale of NIS." ends the sentence; "U.S." keeps its periods.
        let last = vp.len() - 1;
        if vp[last].ends_with('.') && vp[last].matches('.').count() == 1 {
            vp[last] = vp[last].trim_end_matches('.');
        }
        let mut title = format!("{who} to {}", vp.join(" "));
        if let Some(f) = &face {
            title.push(' ');
            title.push_str(f);
        }
        return Some(title);
    }
    None
}

/// The party a demand falls on, as a desk names it: "Moscow" and "Russian President
/// Vladimir Putin" are told to act for Russia, "Tehran" for Iran. Anyone else stays as named.
fn as_party(who: &str) -> String {
    use super::gazetteer::{Form, Kind};
    use super::names::{NO_ACTORS, Named};
    let mentions = NO_ACTORS.mentions(who);
    let Some(m) = mentions.first().filter(|m| matches!(who[..m.start].trim(), "" | "the" | "The")) else {
        return who.to_owned();
    };
    let Named::Entry(e, form) = m.named else { return who.to_owned() };
    let Some(entry) = NO_ACTORS.entry(e).filter(|entry| entry.kind == Kind::Country) else { return who.to_owned() };
    let rest = who[m.end..].trim();
    let led_by_title = || NO_ACTORS.titles(rest).first().is_some_and(|&(start, _)| start == 0);
    match form {
        Form::Metonym if rest.is_empty() => entry.name.clone(),
        Form::Adjective if !rest.is_empty() && led_by_title() => entry.name.clone(),
        _ => who.to_owned(),
    }
}

/// The plain form of a condition's verb ("agrees", "stopped", "complied", "withdrew").
fn base_form(verb: &str) -> String {
    let v = verb.to_ascii_lowercase();
    if v == "withdrew" {
        return "withdraw".to_owned();
    }
    if let Some(stem) = v.strip_suffix("ied") {
        return format!("{stem}y");
    }
    if let Some(stem) = v.strip_suffix("pped") {
        return format!("{stem}p");
    }
    if let Some(stem) = v.strip_suffix("ed") {
        // "agreed", "freed", "resumed", "released" keep their "e".
        return if stem.ends_with('e') || stem.ends_with('s') || stem.ends_with('m') {
            format!("{stem}e")
        } else {
            stem.to_owned()
        };
    }
    if let Some(stem) = v.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if let Some(stem) = v.strip_suffix("es")
        && (stem.ends_with("ch") || stem.ends_with("sh") || stem.ends_with('s') || stem.ends_with('x'))
    {
        return stem.to_owned();
    }
    v.strip_suffix('s').map_or(v.clone(), str::to_owned)
}

/// The measure a sentence says falls due, with what the sentence tells of it ("the EU's
/// individual sanctions over Ukraine's territorial integrity", "General License 24",
/// "the 50% tariffs on EU goods") and the verb a desk uses: "OFAC Syria General License 24
/// expires", "EU transaction ban on 22 Russian banks takes effect".
fn measure_title(text: &str, s: &Sentence, times: &[&Timex], anchor: usize, topic: &Topic) -> Option<String> {
    const HEADS: [&str; 51] = [
        "freeze",
        "moratorium",
        "ceasefire",
        "period",
        "transition period",
        "grace period",
        "wind-down period",
        "licence",
        "licences",
        "license",
        "licenses",
        "general licence",
        "general license",
        "general licences",
        "general licenses",
        "waiver",
        "waivers",
        "ban",
        "bans",
        "rule",
        "rules",
        "truce",
        "pause",
        "measures",
        "sanctions",
        "tariff",
        "tariffs",
        "duties",
        "suspension",
        "exemption",
        "exemptions",
        "authorization",
        "authorizations",
        "authorisation",
        "permit",
        "permits",
        "price cap",
        "cap",
        "listings",
        "mandate",
        "resolution",
        "restrictions",
        "fees",
        "levy",
        "controls",
        "order",
        "prohibition",
        "prohibitions",
        "designation",
        "designations",
        "package",
    ];
    let is_head = |t: &str| t.len() <= 18 && HEADS.iter().any(|h| h.eq_ignore_ascii_case(t));
    // Two words that make one head ("general licence"), compared in place.
    let is_head2 = |a: &str, b: &str| {
        let n = a.len() + 1 + b.len();
        n <= 18
            && HEADS.iter().any(|h| {
                h.len() == n
                    && h.as_bytes()[a.len()] == b' '
                    && h[..a.len()].eq_ignore_ascii_case(a)
                    && h[a.len() + 1..].eq_ignore_ascii_case(b)
            })
    };
    static VERB: LazyLock<[(Regex, &str, &str); 3]> = LazyLock::new(|| {
        [
            (r"(?i)(?-u:\b)(?:expir(?:e|es|ed|ing|y|ation)|lapse[sd]?|valid\s+(?:until|through|till)|appl(?:y|ies)\s+until|runs?\s+(?:out|through|until)|ran\s+out|running\s+out|run\s+through|ends?|ended|wind[- ]?down|wound\s+down|remains?\s+valid)(?-u:\b)", "expires", "expire"),
            (r"(?i)(?-u:\b)(?:tak(?:e|es|ing|en)\s+effect|took\s+effect|(?:come|comes|came|coming|enter|enters|entered|entering)\s+into\s+force|kicks?\s+in|kicked\s+in|apply|applies|start(?:s|ed|ing)?|begins?|beginning|from|effective|imposed?)(?-u:\b)", "takes effect", "take effect"),
            (r"(?i)(?-u:\b)(?:(?:stay|stays|remain|remains|be|kept)\s+in\s+force|renew(?:al|ed)?|extended|prolonged)(?-u:\b)", "up for renewal", "up for renewal"),
        ]
        .map(|(r, one, many)| (Regex::new(r).expect("verb regex"), one, many))
    });
    const STOP: [&str; 34] = [
        "the", "a", "an", "its", "their", "his", "her", "this", "that", "which", "who", "was", "is", "has", "had",
        "will", "would", "were", "are", "be", "been", "said", "says", "and", "but", "to", "it", "they", "by", "until",
        "after", "before", "when", "while",
    ];
    let sentence = &text[s.start..s.end];
    // The verb nearest the date says what happens on it: "the new tariffs would take effect
    // on Aug. 1, three weeks after the exemption runs out".
    let near_anchor = |r: &Regex| {
        r.find_iter(sentence)
            .map(|m| (s.start + m.start()).abs_diff(anchor).min((s.start + m.end()).abs_diff(anchor)))
            .min()
    };
    let (verb, one, many) =
        VERB.iter().filter_map(|v| Some((near_anchor(&v.0)?, v))).min_by_key(|(d, _)| *d).map(|(_, v)| v)?;
    let ws = super::names::words(text, s.start, s.end);
    let in_time = |w: &super::names::Word<'_>| times.iter().any(|t| w.start >= t.start && w.end <= t.end);
    // A head the verb tells of, in the same clause a few words on: "before 18 October, when
    // the Security Council resolution underpinning the deal expires" is the resolution's
    // deadline, not that of the sanctions named nearer the date.
    let verbs: Vec<usize> = verb.find_iter(sentence).map(|m| s.start + m.start()).collect();
    let subject_of_verb = |end: usize| {
        verbs.iter().any(|&v| {
            v >= end
                && v - end <= 60
                && !text[end..v].contains([',', ';', ':', '(', ')'])
                && !text[end..v].contains(" and ")
        })
    };
    // The measure nearest the date or cue: "General License" counts as one head.
    let mut best: Option<((bool, usize), usize, usize)> = None; // ((not the verb's subject, distance), head start, head end)
    let mut i = 0;
    while i < ws.len() {
        let (len, ok) = match ws.get(i + 1) {
            Some(n) if is_head2(ws[i].text, n.text) => (2, true),
            _ => (1, is_head(ws[i].text)),
        };
        // "pipeline gas will be prohibited from 30 September, while a complete ban on LNG
        // kicks in earlier": a head across "while" or ";" is another clause's.
        let other_clause = || {
            let (a, b) = if ws[i].start < anchor { (ws[i].end, anchor) } else { (anchor, ws[i].start) };
            text.get(a..b).is_some_and(|between| {
                between.contains(';') || [", while ", ", whereas "].iter().any(|w| between.contains(w))
            })
        };
        if ok && !in_time(&ws[i]) && !other_clause() {
            let at = ws[i].start;
            let rank = (!subject_of_verb(ws[i + len - 1].end), at.abs_diff(anchor));
            if best.is_none_or(|(d, _, _)| rank < d) {
                best = Some((rank, i, i + len));
            }
        }
        i += len.max(1);
    }
    let (_, mut h0, mut h1) = best?;
    // "The 90-day pause on the higher tariffs runs through…": a head that is the complement
    // of an earlier one ("on the higher tariffs") leaves the subject to that one.
    let mut k = h0;
    while k > 0 && h0 - k < 5 {
        k -= 1;
        let lower = ws[k].lower();
        // A word in quotes is still one of the phrase: the "reciprocal" tariffs.
        let gap = text[ws[k].end..ws[k + 1].start].trim_matches(|c: char| c.is_whitespace() || "\"“”'‘’".contains(c));
        if !gap.is_empty() || in_time(&ws[k]) {
            break;
        }
        if matches!(lower.as_str(), "on" | "of" | "for" | "against" | "over") {
            if k > 0 && is_head(ws[k - 1].text) && text[ws[k - 1].end..ws[k].start].trim().is_empty() {
                (h0, h1) = (k - 1, k);
            }
            break;
        }
        // Articles and adjectives ("the higher", "additional reciprocal") go on to the preposition.
        let adjective = lower.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            && !STOP.contains(&lower.as_str())
            && !VERB_WORDS.contains(&lower.as_str())
            && !acts_on(&lower);
        if !matches!(lower.as_str(), "the" | "a" | "an" | "its" | "their") && !adjective && !ws[k].capitalized() {
            break;
        }
    }
    // Up to five words before the head that modify it ("EU's individual", "50% U.S.").
    let mut from = h0;
    while from > 0 && h0 - from < 5 {
        let w = &ws[from - 1];
        let between = &text[w.end..ws[from].start];
        let lower = w.text.to_ascii_lowercase();
        if between.contains([',', ';', ':', '(', ')', '"', '“', '”'])
            || STOP.contains(&lower.as_str())
            || in_time(w)
            // "announced", but not the adjective after an article ("the advanced computing rule").
            || lower.ends_with("ed")
                && !w.capitalized()
                && !(from >= 2 && matches!(ws[from - 2].text.to_ascii_lowercase().as_str(), "the" | "a" | "an" | "its" | "their" | "this"))
            || !w.capitalized() && acts_on(&lower)
            // A preposition before the name ties it to what comes before: "set in
            // Washington's sanctions".
            || matches!(lower.as_str(), "in" | "of" | "on" | "into" | "with" | "for" | "from" | "under")
            // "tries to negotiate down punitive American tariffs": a verb's particle ends
            // the words that name the measure.
            || matches!(lower.as_str(), "down" | "up" | "out" | "off" | "back" | "away")
        {
            break;
        }
        from -= 1;
    }
    let head = ws[h1 - 1].text.to_ascii_lowercase();
    // "General License INT/2022/1277777", "General License No. 128B": the licence's number.
    let plural = plural_noun(&head);
    while !plural && h1 < ws.len() && h1 - h0 < 8 && !in_time(&ws[h1]) {
        let gap = text[ws[h1 - 1].end..ws[h1].start].trim();
        let w = ws[h1].text;
        let numbered = w.bytes().any(|b| b.is_ascii_digit())
            || (w == "No" && gap.is_empty())
            || (w.bytes().all(|b| b.is_ascii_uppercase()) && (gap == "/" || text[ws[h1].end..].starts_with('/')));
        if !numbered || !matches!(gap, "" | "/" | "." | "-") {
            break;
        }
        h1 += 1;
    }
    // The complement after it: "on EU goods", "for Chevron's Venezuela operations".
    let mut to = h1;
    if ws.get(h1).is_some_and(|w| {
        [
            "of",
            "on",
            "for",
            "against",
            "over",
            "involving",
            "covering",
            "with",
            "targeting",
            // "a license allowing transactions with Serbia's NIS".
            "allowing",
            "authorizing",
            "authorising",
            "permitting",
            "banning",
            "barring",
            "prohibiting",
        ]
        .contains(&w.lower().as_str())
    }) && text[ws[h1 - 1].end..ws[h1].start].trim().is_empty()
    {
        to = h1 + 1;
        while to < ws.len() && to - h1 < 8 {
            let w = &ws[to];
            let between = &text[ws[to - 1].end..w.start];
            let lower = w.lower();
            // "for the construction, mining and textiles sectors": a list goes on.
            let listed = between.trim() == ","
                && (to..(to + 4).min(ws.len())).any(|k| {
                    matches!(ws[k].lower().as_str(), "and" | "or")
                        && (to..k).all(|x| {
                            let l = ws[x].lower();
                            text[ws[x].end..ws.get(x + 1).map_or(ws[x].end, |n| n.start)].trim().len() <= 1
                                && !STOP.contains(&l.as_str())
                                && !VERB_WORDS.contains(&l.as_str())
                        })
                });
            if (between.contains([',', ';', ':', '(', ')']) && !listed)
                || (STOP.contains(&lower.as_str())
                    && !matches!(lower.as_str(), "the" | "a" | "an" | "its" | "their" | "and"))
                || in_time(w)
                || VERB_WORDS.contains(&lower.as_str())
                // A date follows the word that ties it.
                || matches!(lower.as_str(), "through" | "until" | "till" | "from" | "starting" | "effective" | "as")
            {
                break;
            }
            to += 1;
        }
    }
    // A list keeps its commas: "Rosneft, Lukoil and their subsidiaries".
    let mut phrase: Vec<String> = Vec::new();
    for k in from..to {
        let listed = k + 1 < to && text[ws[k].end..ws[k + 1].start].trim() == ",";
        let word = if listed { format!("{},", ws[k].text) } else { ws[k].text.to_owned() };
        // "INT/2022/1277777" stays one word; "No. 128B" keeps its dot.
        match (k > from).then(|| &text[ws[k - 1].end..ws[k].start]) {
            Some(glue @ ("/" | "-")) => {
                if let Some(last) = phrase.last_mut() {
                    last.push_str(glue);
                    last.push_str(&word);
                }
            }
            Some(". ") if ws[k - 1].text == "No" => {
                if let Some(last) = phrase.last_mut() {
                    last.push('.');
                }
                phrase.push(word);
            }
            _ => phrase.push(word),
        }
    }
    // "for another" left where "six months" was cut out is no complement.
    while phrase.last().is_some_and(|w| {
        GLUE.contains(&w.to_ascii_lowercase().as_str())
            || (phrase.len() > h1 - from
                && matches!(w.to_ascii_lowercase().as_str(), "another" | "further" | "additional"))
    }) {
        phrase.pop();
    }
    if phrase.is_empty() {
        return None;
    }
    let mut title = phrase.join(" ");
    // A bare "the licence" takes the words the article named it with.
    if from == h0 && to == h1 {
        title = enrich(&title, text, s.start);
    }
    if !title.split_whitespace().any(|w| w.chars().next().is_some_and(char::is_uppercase))
        && let Some(topic) = topic_of(text, topic)
    {
        title = format!("{topic} {title}");
    }
    // Who issued it, when the sentence says and the title does not: "OFAC licence",
    // "EU sanctions", "US tariffs".
    let title = with_issuer(title, sentence);
    Some(format!("{title} {}", if plural { many } else { one }))
}

/// The title led by who issued it, when the sentence says and the title does not: "OFAC
/// licence", "EU sanctions", "US tariffs". A shorter name of the issuer leading the title
/// gives way to it: "UN mandate" reads "UN Security Council mandate", not "UN Security
/// Council UN mandate".
fn with_issuer(title: String, sentence: &str) -> String {
    let Some(issuer) = issuer_in(sentence, &title) else { return title };
    // "Industry and Security's Affiliates Rule", cut from "the Bureau of Industry and
    // Security's…": the issuer's own tail opens the title; it is completed, not repeated.
    let words: Vec<&str> = issuer.split_whitespace().collect();
    for k in 1..words.len().saturating_sub(1) {
        let tail = words[k..].join(" ");
        if let Some(rest) = title.strip_prefix(&tail) {
            return format!("{issuer}{rest}");
        }
    }
    let lead = super::names::NO_ACTORS
        .mentions(&title)
        .into_iter()
        .find(|m| m.start == 0 && matches!(m.named, super::names::Named::Entry(..)));
    match lead {
        Some(m) if m.end < title.len() && issuer.contains(&title[..m.end]) => format!("{issuer}{}", &title[m.end..]),
        _ => format!("{issuer} {title}"),
    }
}

/// The authority a sentence names that issues measures, when `title` does not name it
/// already: a body or bloc of the gazetteer (OFAC, the EU, the UN Security Council), or the
/// US by name or seat.
fn issuer_in(sentence: &str, title: &str) -> Option<String> {
    use super::gazetteer::{Form, Kind};
    use super::names::Named;
    let entry_of = |m: &super::names::Mention| match m.named {
        Named::Entry(e, form) => Some((e, form)),
        Named::Actor(_) => None,
    };
    let named: Vec<usize> =
        super::names::NO_ACTORS.mentions(title).iter().filter_map(entry_of).map(|(e, _)| e).collect();
    for m in super::names::NO_ACTORS.mentions(sentence) {
        let Some((e, form)) = entry_of(&m) else { continue };
        let Some(entry) = super::gazetteer::BUILTIN.entries.get(e) else { continue };
        if named.contains(&e) {
            return None;
        }
        match (entry.kind, form) {
            (Kind::Body | Kind::Bloc, Form::Name) => {
                return Some(super::names::bare(&sentence[m.start..m.end]).to_owned());
            }
            (Kind::Country, _) if entry.name == "United States" => return Some("US".to_owned()),
            _ => {}
        }
    }
    None
}

/// Verbs that end a measure's complement ("the licence for X expires").
const VERB_WORDS: [&str; 40] = [
    "expire", "expires", "expired", "expiring", "lapse", "lapses", "lapsed", "lapsing", "end", "ends", "ended",
    "ending", "take", "takes", "took", "taken", "taking", "come", "comes", "came", "coming", "enter", "enters",
    "entered", "apply", "applies", "start", "starts", "begin", "begins", "remain", "remains", "stay", "stays", "run",
    "runs", "ran", "running", "valid", "kicking",
];

/// Words that never modify a measure's name from before it: modals and the verbs that act
/// on measures ("the US could reimpose sanctions", "put 50% tariffs on", "let the licence
/// expire"), with the past forms that do not end in "-ed".
fn acts_on(word: &str) -> bool {
    const VERBS: [&str; 62] = [
        "could",
        "can",
        "may",
        "might",
        "must",
        "should",
        "shall",
        "not",
        "never",
        "put",
        "puts",
        "let",
        "lets",
        "set",
        "sets",
        "sign",
        "signs",
        "impose",
        "imposes",
        "reimpose",
        "reimposes",
        "lift",
        "lifts",
        "extend",
        "extends",
        "renew",
        "renews",
        "ease",
        "eases",
        "adopt",
        "adopts",
        "approve",
        "approves",
        "announce",
        "announces",
        "introduce",
        "introduces",
        "suspend",
        "suspends",
        "keep",
        "keeps",
        "avert",
        "averts",
        "require",
        "requires",
        "give",
        "gives",
        "grant",
        "grants",
        "slap",
        "slaps",
        "threaten",
        "threatens",
        "restore",
        "restores",
        "allow",
        "allows",
        "revoke",
        "revokes",
        "maintain",
        "maintains",
        "hit",
    ];
    VERBS.contains(&word) || super::timex::IRREGULAR_PAST.contains(&word)
}

/// Words a title never starts or ends with.
const GLUE: [&str; 46] = [
    "a",
    "an",
    "the",
    "of",
    "ahead",
    "to",
    "before",
    "after",
    "by",
    "on",
    "in",
    "with",
    "and",
    "that",
    "for",
    "amid",
    "as",
    "at",
    "said",
    "says",
    "its",
    "their",
    "his",
    "her",
    "which",
    "who",
    "while",
    "but",
    "or",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "it",
    "this",
    "from",
    "through",
    "until",
    "till",
    "starting",
    "effective",
];

/// A word a title cannot end on: glue, or the start of a phrase whose rest was a date
/// ("within", "no later", "at the latest", "between").
fn ends_nothing(word: &str) -> bool {
    let w = word.trim_end_matches(',').to_ascii_lowercase();
    GLUE.contains(&w.as_str())
        || ["within", "between", "later", "latest", "no", "if", "unless", "when", "so", "because", "than"]
            .contains(&w.as_str())
}

/// "U.S.", "U.K.": capitals each followed by a period.
fn is_initials(word: &str) -> bool {
    word.len() >= 4 && word.as_bytes().chunks(2).all(|pair| matches!(pair, [c, b'.'] if c.is_ascii_uppercase()))
}

/// Words that start an attribution or aside, not the thing due.
const ASIDE: [&str; 14] = [
    "said",
    "says",
    "told",
    "announced",
    "added",
    "wrote",
    "posted",
    "according",
    "reported",
    "stated",
    "warned",
    "noted",
    "confirmed",
    "explained",
];

/// A short title for what falls due, built from the clause that ties the date: its subject
/// and verb phrase without the dates, the attribution ("Trump said"), asides and the
/// prepositions that tie the dates ("OFAC general licence for Chevron's Venezuela
/// operations expires", "Russia to agree a ceasefire or face tariffs").
fn title(text: &str, s: &Sentence, times: &[&Timex], anchor_start: usize, anchor_end: usize, topic: &Topic) -> String {
    if let Some(t) = under_licence(&text[s.start..s.end], anchor_start.saturating_sub(s.start)) {
        return t;
    }
    if let Some(t) = suspended_until(text, s, anchor_start, anchor_end) {
        return t;
    }
    if let Some(t) = kept_until(text, s, anchor_start) {
        return with_issuer(t, &text[s.start..s.end]);
    }
    let title = title_words(text, s, times, anchor_start, anchor_end, topic);
    // "fees did not kick in until October 14": they take effect then.
    static NOT_UNTIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\s+(?:did|does|do|will|would)\s+not\s+(?:kick|take|come|enter|start|begin|apply)(?:\s+in)?(?P<end>\s+(?:takes?\s+effect|expires?|ends?))$")
            .expect("not-until regex")
    });
    let title = NOT_UNTIL.replace(&title, "$end").into_owned();
    let title = with_licence(title, &text[s.start..s.end], anchor_start.saturating_sub(s.start));
    // "cargo is loaded eastern standard time": the zone of a clock time says nothing due.
    static ZONE_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\s*(?-u:\b)(?:(?:eastern|central|pacific|mountain|british|uk|london|moscow|kyiv|beijing|brussels|washington|tehran|israel|gulf|local|central\s+european)\s+(?:(?:standard|daylight|summer)\s+)?time|(?:standard|daylight|summer)\s+time|EST|EDT|ET|GMT|UTC|BST|CET|CEST)(?-u:\b)")
            .expect("zone-name regex")
    });
    let title = with_percent(&title, &text[s.start..s.end]);
    let mut cleaned = ZONE_NAME.replace_all(&title, "").trim().to_owned();
    // "US U.S ban": the issuer named twice over.
    let norm = |w: &str| {
        let w = w.replace('.', "").to_ascii_lowercase();
        if w == "usa" { "us".to_owned() } else { w }
    };
    let mut words = cleaned.split(' ');
    if let (Some(a), Some(b)) = (words.next(), words.next())
        && norm(a) == norm(b)
    {
        cleaned = cleaned[a.len() + 1..].to_owned();
    }
    let mut cleaned = act_as_measure(&cleaned);
    // "transactions to wind down dealings with X are authorized through December 13": the
    // authorization is what runs out.
    static AUTHORIZED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:all\s+)?(?P<x>.+?)\s+(?:are|is|were|was|remain|remains|will\s+be|would\s+be)\s+(?:still\s+)?(?:authori[sz]ed|permitted|allowed)$")
            .expect("authorized regex")
    });
    if let Some(c) = AUTHORIZED.captures(&cleaned)
        && let tie = text[s.start..anchor_start].split_whitespace().last().unwrap_or("").to_ascii_lowercase()
        && matches!(tie.trim_end_matches(','), "through" | "until" | "till" | "before" | "to")
    {
        cleaned = format!("authorization for {} expires", c["x"].trim());
    }
    // "The deadline for a TikTok sale was extended by another": the thing moved is the
    // title; how it was moved is in the entry's status and evidence.
    static MOVED_TAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\s+(?:was|were|has\s+been|have\s+been|had\s+been|is|are|will\s+be)\s+(?:again\s+|once\s+again\s+)?(?:extended|postponed|delayed|pushed\s+back|moved|prolonged)(?-u:\b).*$")
            .expect("moved-tail regex")
    });
    if let Some(m) = MOVED_TAIL.find(&cleaned)
        && cleaned[..m.start()].split_whitespace().count() >= 2
    {
        cleaned.truncate(m.start());
    }
    // "EU's economic sanctions on Russia expire": an issuer's acronym leads as a name
    // ("Chevron's broader license" keeps its possessive).
    if let Some((first, rest)) = cleaned.split_once(' ')
        && let Some(owner) = first.strip_suffix("'s").or_else(|| first.strip_suffix("’s"))
        && owner.len() >= 2
        && owner.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '.')
    {
        cleaned = format!("{owner} {rest}");
    }
    // "Washington would refuse to stretch the reprieve past September 26": the thing that
    // would have to be stretched is what ends; "extend the sanctions beyond July 31" keeps
    // its own ending.
    static STRETCHED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^.*?(?-u:\b)(?:extend(?:s|ed|ing)?|stretch(?:es|ed|ing)?|prolong(?:s|ed|ing)?|renew(?:s|ed|ing)?)\s+(?:the\s+|its\s+|their\s+)?(?P<x>[^,;:]+?)\s+(?:past|beyond)$")
            .expect("stretched regex")
    });
    let cleaned = match STRETCHED.captures(&cleaned) {
        Some(c) => format!("{} ends", &c["x"]),
        None => cleaned
            .replace(" beyond up for renewal", " up for renewal")
            .replace(" past up for renewal", " up for renewal"),
    };
    let cleaned = with_target(&cleaned, &text[s.start..s.end], &text[..s.start]);
    let tie = text[s.start..anchor_start.max(s.start)].split_whitespace().next_back().unwrap_or("");
    let title = if cleaned.is_empty() { title } else { cleaned };
    period_ends(&title, tie)
}

/// Stretches of time, which end rather than expire or take effect.
const PERIODS: [&str; 18] = [
    "period",
    "periods",
    "truce",
    "ceasefire",
    "cease-fire",
    "pause",
    "suspension",
    "moratorium",
    "reprieve",
    "window",
    "wind-down",
    "phase",
    "delay",
    "hiatus",
    "freeze",
    "transition",
    "mandate",
    "standstill",
];

/// "transition period takes effect" for a period "lasting until April 16", "truce expires":
/// a stretch of time ends. The date is its end when it expires, or when it is tied to the
/// date by "until", "through", "till" or "to" (`tie`, the word before the date).
fn period_ends(title: &str, tie: &str) -> String {
    let until = matches!(tie.to_ascii_lowercase().as_str(), "until" | "through" | "till" | "to" | "thru");
    let endings: [(&str, bool); 4] =
        [(" expires", true), (" expire", true), (" takes effect", until), (" take effect", until)];
    for (ending, applies) in endings {
        if let Some(head) = title.strip_suffix(ending)
            && applies
            // The head noun comes before its complement: "suspension of the tariffs",
            // "licence for the bank's wind-down".
            && let Some(noun) = head
                .split_whitespace()
                .take_while(|w| {
                    !matches!(*w, "of" | "for" | "on" | "to" | "between" | "with" | "in" | "against" | "under" | "over")
                })
                .last()
            && PERIODS.contains(&noun.to_ascii_lowercase().as_str())
            // "licence allowing the wind-down of …" is a licence.
            && !head.split_whitespace().any(|w| LICENCE_WORDS.contains(&w.to_ascii_lowercase().as_str()))
        {
            let plural = noun.eq_ignore_ascii_case("periods");
            return format!("{head} {}", if plural { "end" } else { "ends" });
        }
    }
    title.to_owned()
}

/// Whom a tariff hits, when the title does not say: "Canadian goods will face a 35 per cent
/// U.S. tariff from Aug. 1" is "35 per cent U.S. tariff on Canadian goods takes effect".
/// A sentence that names no one hit takes the goods the article named last before it ("The
/// tariffs on South African goods…", then "the 30% tariffs were expected to come into effect
/// today").
fn with_target(title: &str, sentence: &str, earlier: &str) -> String {
    static FACE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^.+?\s+(?:will\s+|would\s+)?(?:face|faces|be\s+subject\s+to|are\s+subject\s+to|be\s+hit\s+(?:with|by)|are\s+hit\s+(?:with|by))\s+(?:a\s+|an\s+|the\s+)?(?P<m>.+)$")
            .expect("face regex")
    });
    static LEVY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)(?:tariffs?|duty|duties|levy|levies)(?-u:\b)").expect("levy regex"));
    static TARGET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(?:(?P<who>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+(?P<what>goods|exports|imports|products|steel|aluminum|aluminium|cars|vehicles|autos|shipments|copper|lumber)|(?P<from>(?:imports|goods|products)\s+from\s+(?:the\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?))(?-u:\b)")
            .expect("target regex")
    });
    const NOT_WHO: [&str; 10] = ["Many", "Most", "All", "Some", "The", "These", "Those", "Other", "Its", "Their"];
    let ends = [" takes effect", " take effect", " come into effect", " comes into effect"];
    let Some(verb) = ends.iter().find(|e| title.ends_with(**e)) else {
        // "exports to the United States face a 39-percent duty": the duty is the title.
        return match FACE.captures(title) {
            // "Russia to agree to a ceasefire or face tariffs" is an ultimatum, not a levy.
            Some(c) if LEVY.is_match(&c["m"]) && !title.contains(" or ") => {
                with_target(&format!("{} takes effect", &c["m"]), sentence, earlier)
            }
            _ => title.to_owned(),
        };
    };
    let head = &title[..title.len() - verb.len()];
    let lower = head.to_ascii_lowercase();
    if !LEVY.is_match(head) || lower.contains(" on ") || lower.contains(" against ") || lower.contains(" from ") {
        return title.to_owned();
    }
    let hit = |c: regex::Captures<'_>| match (c.name("who"), c.name("what"), c.name("from")) {
        // "South African goods"; "The Chinese goods" are Chinese.
        (Some(who), Some(what), _) => {
            let who = match who.as_str().split_once(' ') {
                Some((first, rest)) if NOT_WHO.contains(&first) => rest,
                _ => who.as_str(),
            };
            (!NOT_WHO.contains(&who)).then(|| format!("{who} {}", what.as_str()))
        }
        (_, _, Some(from)) => Some(from.as_str().to_owned()),
        _ => None,
    };
    let target =
        TARGET.captures_iter(sentence).find_map(hit).or_else(|| TARGET.captures_iter(earlier).filter_map(hit).last());
    match target {
        Some(t) if !lower.contains(&t.to_ascii_lowercase()) => {
            // "imports from the European Union": the Union is hit, not the issuer.
            let hit = t.split_once(" from ").map(|(_, c)| c.trim_start_matches("the ")).unwrap_or("");
            let head = match head.strip_prefix(hit) {
                Some(rest) if !hit.is_empty() && rest.starts_with(' ') => rest.trim_start(),
                _ => head,
            };
            format!("{head} on {t}{verb}")
        }
        _ => title.to_owned(),
    }
}

/// The measure an act made, not the act: "the State Department issued a waiver under the
/// Caesar Act" is "State Department waiver under the Caesar Act"; "signed an executive order
/// that suspends the additional tariffs" is "suspension of the additional tariffs ends".
fn act_as_measure(title: &str) -> String {
    static SUSPENDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^.*?(?-u:\b)(?:executive\s+)?(?:order|decision|proclamation|decree|notice|memorandum)\s+(?:that|which)\s+(?:suspends|suspended|pauses|paused|delays|delayed|postpones|postponed|halts|halted)\s+(?P<x>.+)$")
            .expect("suspends regex")
    });
    static ISSUED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?P<who>(?:(?:the|The)\s+)?(?:[A-Z][\w.'’&-]*\s+){0,4}?[A-Z][\w.'’&-]*\s+)?(?:has\s+|had\s+|have\s+)?(?i:issued|granted|signed|announced|approved|adopted|introduced|published|unveiled)\s+(?i:an?|the|its|his|her|their)\s+(?P<rest>.+)$")
            .expect("issued regex")
    });
    // "EU leaders agreed to extend economic sanctions on Russia by six months": what is due
    // is the measure's next renewal, not the act of extending it.
    static EXTENDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?P<who>(?:(?:the|The)\s+)?(?:[A-Z][\w.'’&-]*\s+){0,3}?[A-Z][\w.'’&-]*\s+)?(?:[a-z]+\s+){0,3}?(?i:extend|extends|extended|extending|prolong|prolongs|prolonged|renew|renews|renewed|roll\s+over|rolled\s+over)\s+(?:(?i:the|its|their)\s+)?(?P<x>.+?)(?:\s+(?:by|for)\s+(?:another|a\s+further|a\s+further\s+period\s+of|\S+)\s+(?:\S+\s+)?(?:days?|weeks?|months?|years?))?$")
            .expect("extends regex")
    });
    if let Some(c) = SUSPENDS.captures(title) {
        return format!("suspension of {} ends", c["x"].trim());
    }
    if let Some(c) = EXTENDS.captures(title)
        && measure_in(&c["x"])
        && !c["x"].to_ascii_lowercase().contains("deadline")
    {
        let who = c.name("who").map_or("", |w| w.as_str().trim());
        let who = who.strip_prefix("the ").or_else(|| who.strip_prefix("The ")).unwrap_or(who);
        // The issuer, when the measure does not start with one.
        let who = who.split_whitespace().next().filter(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '.'));
        let x = c["x"].trim();
        let x = ["expires", "expire", "ends", "end", "takes effect", "up for renewal"]
            .iter()
            .find_map(|v| x.strip_suffix(v))
            .map_or(x, str::trim_end);
        // A licence or waiver given more time runs out; sanctions given more time come up
        // for renewal.
        let lower = x.to_ascii_lowercase();
        let verb = if LICENCE_WORDS.iter().any(|w| lower.contains(w)) { "expires" } else { "up for renewal" };
        return match who {
            Some(w) => format!("{w} {x} {verb}"),
            None => format!("{x} {verb}"),
        };
    }
    if let Some(c) = ISSUED.captures(title) {
        let who = c.name("who").map_or("", |w| w.as_str().trim());
        let who = who.strip_prefix("the ").or_else(|| who.strip_prefix("The ")).unwrap_or(who);
        return if who.is_empty() { c["rest"].to_owned() } else { format!("{who} {}", &c["rest"]) };
    }
    title.to_owned()
}

/// "Under GL 8E, those transactions had to be carried out before April 22": what falls due
/// is the licence's authorization, which ends ("before", "until", "through") or begins
/// ("from", "on or after") on the day. The sentence's own subject ("those transactions")
/// points back and says nothing.
fn under_licence(sentence: &str, anchor: usize) -> Option<String> {
    // A licence by its number: "GL 8E", "General License No. 131".
    const NAME: &str = r"(?i:general\s+licen[cs]e|GL)\s+(?i:no\.?\s*)?\d{1,4}[A-Z]{0,2}";
    static UNDER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r"^\s*(?i:under)\s+(?P<l>{NAME})\s*,\s*(?P<s>[a-z]+)(?-u:\b)"))
            .expect("under-licence regex")
    });
    // "OFAC's General License 131 authorizes transactions … until January 17": the licence
    // is the subject, what it allows its object.
    static ALLOWS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"^\s*(?:(?:the\s+)?[A-Z][\w.]*(?:'s|’s)\s+)?(?P<l>{NAME})\s*,?\s+(?:authori[sz]es|allows|permits|lets)(?-u:\b)"
        ))
            .expect("licence-allows regex")
    });
    let c = match UNDER.captures(sentence) {
        Some(c) if matches!(&c["s"], "those" | "these" | "such" | "the" | "this" | "that" | "it" | "they") => c,
        Some(_) => return None,
        None => ALLOWS.captures(sentence)?,
    };
    let before = sentence.get(..anchor)?.to_ascii_lowercase();
    let last = before.split_whitespace().last().unwrap_or("");
    let last_three = before.split_whitespace().rev().take(3).collect::<Vec<_>>();
    let verb = if matches!(last, "before" | "until" | "through" | "by" | "till" | "to") {
        "expires"
    } else if last == "from" || last_three.contains(&"after") || last_three.contains(&"as") {
        "takes effect"
    } else {
        return None;
    };
    Some(format!("{} authorization {verb}", &c["l"]))
}

/// A rate keeps its sign: the words of a title are read without punctuation, so "a 15% U.S.
/// tariff" came out as "15 U.S. tariff".
fn with_percent(title: &str, sentence: &str) -> String {
    let words: Vec<String> = title
        .split(' ')
        .map(|w| {
            let rate = !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            if rate && sentence.contains(&format!("{w}%")) { format!("{w}%") } else { w.to_owned() }
        })
        .collect();
    words.join(" ")
}

/// "General License 24", "GL 8F": a licence named by its number.
static LICENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:general\s+licen[cs]e|GL)\s+(?:no\.?\s*)?(\d{1,4}[A-Z]{0,2})(?-u:\b)")
        .expect("licence regex")
});

/// The number of the licence the sentence names nearest `anchor`, upper case.
fn licence_near(sentence: &str, anchor: usize) -> Option<String> {
    LICENCE
        .captures_iter(sentence)
        .min_by_key(|c| c.get(0).map_or(usize::MAX, |m| m.start().abs_diff(anchor)))
        .and_then(|c| c.get(1))
        .map(|n| n.as_str().to_ascii_uppercase())
}

/// What the measure nearest `anchor` falls on: "copper" in "a 50 per cent tariff on copper
/// imports", "canadian" in "tariffs on Canadian goods".
fn object_near(sentence: &str, anchor: usize) -> Option<String> {
    static OBJECT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:tariffs?|duties|duty|levy|levies)\s+(?:on|against)\s+(?:imports\s+(?:of|from)\s+|the\s+|all\s+|goods\s+from\s+)?([a-z][a-z-]+)")
            .expect("object regex")
    });
    // Else its rate: "a 35 per cent U.S. tariff" and "a 50 per cent tariff" are two.
    static RATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent)\s+(?:[\w.-]+\s+){0,2}(?:tariffs?|duty|duties|levy|levies)(?-u:\b)")
            .expect("rate regex")
    });
    let nearest = |re: &Regex| {
        re.captures_iter(sentence)
            .min_by_key(|c| c.get(0).map_or(usize::MAX, |m| m.start().abs_diff(anchor)))
            .and_then(|c| c.get(1))
            .map(|w| w.as_str().to_ascii_lowercase())
    };
    nearest(&OBJECT).or_else(|| nearest(&RATE).map(|r| format!("{r}%")))
}

/// A licence the sentence names by number, in place of the bare word in the title: "Syria
/// license expires" in "…General License 24, which expires on July 7" is "Syria General
/// License 24 expires". Of several, the one nearest the date.
fn with_licence(title: String, sentence: &str, anchor: usize) -> String {
    static HEAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:general\s+)?(?:licen[cs]e|authori[sz]ation|permit|waiver)(?-u:\b)")
            .expect("head regex")
    });
    let Some(c) =
        LICENCE.captures_iter(sentence).min_by_key(|c| c.get(0).map_or(usize::MAX, |m| m.start().abs_diff(anchor)))
    else {
        return title;
    };
    let (Some(whole), Some(number)) = (c.get(0), c.get(1)) else { return title };
    if title
        .split_whitespace()
        .any(|w| w.trim_matches(|ch: char| !ch.is_alphanumeric()).eq_ignore_ascii_case(number.as_str()))
    {
        return title;
    }
    match HEAD.find(&title) {
        Some(h) => format!("{}{}{}", &title[..h.start()], whole.as_str(), &title[h.end()..]),
        None => title,
    }
}

/// A comma that ended words cut out of a title still ends the phrase: it goes on the last
/// word kept.
fn carry_comma(words: &mut [(usize, String)]) {
    if let Some((_, last)) = words.last_mut()
        && !last.ends_with(',')
    {
        last.push(',');
    }
}

fn title_words(
    text: &str,
    s: &Sentence,
    times: &[&Timex],
    anchor_start: usize,
    anchor_end: usize,
    topic: &Topic,
) -> String {
    if let Some(t) = ultimatum_title(text, s, times) {
        return t;
    }
    // "hours after a two-month deadline that Trump had set expired on Friday": whose
    // deadline it is, not the clause around it.
    static SET_BY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:an?|the)\s+(?P<mods>(?:[\w-]+\s+){0,2}?)(?P<head>deadline|ultimatum|cut-?off|time\s+limit)\s+(?:that|which)\s+(?P<who>(?-i:[A-Z][\w.'’-]*)(?:\s+(?-i:[A-Z][\w.'’-]*)){0,2})\s+(?:had\s+|has\s+|have\s+)?(?:set|imposed|gave|issued|announced|laid\s+down)(?-u:\b)")
            .expect("set-by regex")
    });
    if let Some(c) = SET_BY.captures(&text[s.start..s.end])
        && c.get(0).is_some_and(|m| s.start + m.end() <= anchor_start && anchor_start - (s.start + m.end()) <= 40)
    {
        let dated =
            |w: &str| times.iter().any(|t| matches!(t.kind, TimexType::Date | TimexType::Time) && t.text.contains(w));
        let mods = c["mods"].split_whitespace().filter(|w| !dated(w));
        let mut words: Vec<String> = vec![format!("{}'s", &c["who"])];
        words.extend(mods.map(str::to_owned));
        words.push(c["head"].to_owned());
        return canonical(&words.join(" "), &text[s.start..s.end], text, topic, anchor_start.saturating_sub(s.start));
    }
    if let Some(t) = measure_title(text, s, times, anchor_start, topic) {
        return t;
    }
    if let Some(t) = relative_title(&text[s.start..anchor_start.max(s.start)]) {
        return canonical(&t, &text[s.start..s.end], text, topic, anchor_start.saturating_sub(s.start));
    }
    // The clause around the anchor: between the nearest strong breaks.
    let sentence = &text[s.start..s.end];
    let rel = anchor_start.saturating_sub(s.start).min(sentence.len());
    let rel_end = anchor_end.saturating_sub(s.start).clamp(rel, sentence.len());
    let breaks: Vec<usize> = sentence
        .char_indices()
        .filter(|&(i, c)| {
            matches!(c, ';' | '(' | ')' | '—' | '–')
                || (c == ':' && !sentence[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        })
        .map(|(i, _)| i)
        .collect();
    let left = breaks
        .iter()
        .rev()
        .find(|&&i| i < rel)
        .map_or(0, |&i| i + sentence[i..].chars().next().map_or(1, char::len_utf8));
    let right = breaks.iter().find(|&&i| i >= rel_end).map_or(sentence.len(), |&i| i);
    let (left, right) = (s.start + left, s.start + right);

    let mut words: Vec<(usize, String)> = Vec::new();
    let mut offset = left;
    for piece in text[left..right].split_inclusive(char::is_whitespace) {
        let at = offset;
        offset += piece.len();
        let trimmed = piece.trim();
        let word = trimmed.trim_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '-' | '\'' | '%' | '.' | '’'));
        // "U.S." keeps its last period; a word ending the sentence loses it.
        let word = if is_initials(word) { word } else { word.trim_end_matches('.') };
        if word.is_empty() || times.iter().any(|t| at >= t.start && at < t.end) {
            // "expires on May 27, officials said": the comma still ends the phrase.
            if trimmed.ends_with(',') {
                carry_comma(&mut words);
            }
            continue;
        }
        // A comma after the word ends a phrase; keep it to find clause starts.
        let comma = trimmed.ends_with(',');
        words.push((at, if comma { format!("{word},") } else { word.to_owned() }));
    }
    // Drop the preposition left hanging where a date was cut out ("until", "on", "at").
    let mut kept: Vec<(usize, String)> = Vec::new();
    // "finish that review within seven days of the order's publication": the span and what
    // it counts from go together; the title keeps neither.
    let mut counted_from = false;
    for (i, (at, w)) in words.iter().enumerate() {
        let lower = w.trim_end_matches(',').to_ascii_lowercase();
        if counted_from {
            if w.ends_with(',') {
                counted_from = false;
            }
            continue;
        }
        let next_at = words.get(i + 1).map_or(right, |(a, _)| *a);
        let before_time = times.iter().any(|t| t.start >= *at + w.len() && t.start <= next_at && t.start >= left);
        if before_time && lower == "within" {
            let next = words.get(i + 1).map(|(_, n)| n.to_ascii_lowercase());
            counted_from = matches!(next.as_deref(), Some("of" | "after" | "from"));
            // "…within 90 days, according to a copy": the comma still ends the phrase.
            if w.ends_with(',') {
                carry_comma(&mut kept);
            }
            continue;
        }
        if before_time
            && matches!(
                lower.as_str(),
                "on" | "at"
                    | "by"
                    | "until"
                    | "till"
                    | "through"
                    | "from"
                    | "to"
                    | "in"
                    | "as"
                    | "of"
                    | "after"
                    | "before"
                    | "than"
                    | "starting"
                    | "effective"
            )
        {
            if w.ends_with(',') {
                carry_comma(&mut kept);
            }
            continue;
        }
        kept.push((*at, w.clone()));
    }
    let words = kept;
    let anchor = words.iter().position(|(at, _)| *at >= anchor_start).unwrap_or(words.len());

    // Drop an attribution before the anchor: "Trump said (that)", "according to X,".
    let mut from = 0;
    for (i, (_, w)) in words[..anchor].iter().enumerate() {
        let lower = w.trim_end_matches(',').to_ascii_lowercase();
        if ASIDE.contains(&lower.as_str()) {
            from = i + 1;
            if words.get(i + 1).is_some_and(|(_, n)| n.eq_ignore_ascii_case("that")) {
                from = i + 2;
            }
        }
    }
    // "reviewing their policies ahead of an impending deadline": the title starts after the
    // connective that ties the rest of the clause to the deadline.
    for (i, (_, w)) in words[from..anchor].iter().enumerate() {
        let lower = w.trim_end_matches(',').to_ascii_lowercase();
        let next = words.get(from + i + 1).map(|(_, n)| n.to_ascii_lowercase());
        if (lower == "ahead" && next.as_deref() == Some("of")) || lower == "amid" {
            from = from + i + if lower == "ahead" { 2 } else { 1 };
            break;
        }
    }
    // A leading phrase closed by a comma ("Under the measures,") is an aside, when a subject
    // follows; so is a clause before ", while": the last such comma starts the title.
    for (i, (_, w)) in words[from..anchor].iter().enumerate().rev() {
        let next = words.get(from + i + 1).map(|(_, n)| n.to_ascii_lowercase());
        let contrast = matches!(next.as_deref(), Some("while" | "whereas"));
        if w.ends_with(',')
            && anchor - (from + i + 1) >= 2
            && (contrast || words[from..from + i].iter().all(|(_, p)| !p.ends_with(',')))
        {
            from = from + i + 1 + usize::from(contrast);
            break;
        }
    }
    // Keep the words before the anchor that make its subject, and a few after it.
    let start = from.max(anchor.saturating_sub(9));
    let mut end = (anchor.max(start) + 6).min(words.len());
    // Stop at a comma after the anchor: what follows is another clause.
    // (A date cut out of the words leaves its comma on the word before it.)
    if let Some(stop) = (anchor.saturating_sub(1).max(start)..end).find(|&i| words[i].1.ends_with(',')) {
        end = end.min(stop + 1);
    }
    let mut picked: Vec<String> = words[start..end].iter().map(|(_, w)| w.trim_end_matches(',').to_owned()).collect();
    // "Russia must agree" reads "Russia to agree"; "will expire" reads "expires".
    for w in &mut picked {
        if w.eq_ignore_ascii_case("must") || w.eq_ignore_ascii_case("has to") {
            *w = "to".to_owned();
        }
    }
    picked.retain(|w| {
        !matches!(
            w.to_ascii_lowercase().as_str(),
            "will" | "would" | "also" | "now" | "then" | "just" | "likely" | "probably"
        )
    });
    while picked.first().is_some_and(|w| GLUE.contains(&w.to_ascii_lowercase().as_str())) {
        picked.remove(0);
    }
    while picked.len() > 1 && picked.last().is_some_and(|w| ends_nothing(w)) {
        picked.pop();
    }
    let title = picked.join(" ");
    let title = if title.is_empty() {
        text[s.start..s.end].split_whitespace().take(8).collect::<Vec<_>>().join(" ")
    } else {
        title
    };
    let title = enrich(&plain_verbs(&title), text, s.start);
    canonical(&title, &text[s.start..s.end], text, topic, anchor_start.saturating_sub(s.start))
}

/// The title in the words a desk uses: the thing due, then "expires", "takes effect" or
/// "up for renewal" in place of the sentence's verb group ("was valid until", "will come
/// into force from", "runs out"), led by what the article is about when the sentence
/// names nothing ("licence expires" in an article about NIS is "NIS licence expires").
fn canonical(title: &str, sentence: &str, article: &str, topic: &Topic, anchor: usize) -> String {
    static CLASSES: LazyLock<[(Regex, &str); 3]> = LazyLock::new(|| {
        [
            (r"(?i)(?-u:\b)(?:expir(?:e|es|ed|ing|y|ation)|lapse[sd]?|valid\s+(?:until|through|till)|appl(?:y|ies)\s+until|runs?\s+(?:out|through|until)|ran\s+out|running\s+out|run\s+through|last(?:s|ed|ing)?\s+(?:until|through|till)|ends?|ended)(?-u:\b)", "expires"),
            (r"(?i)(?-u:\b)(?:tak(?:e|es|ing|en)\s+effect|took\s+effect|(?:come|comes|came|coming|enter|enters|entered|entering)\s+into\s+force|kicks?\s+in|kicked\s+in|apply|applies|start(?:s|ed)?|begins?)(?-u:\b)", "takes effect"),
            (r"(?i)(?-u:\b)(?:(?:stay|stays|remain|remains|be|kept)\s+in\s+force|renew(?:al|ed)?|extended\s+(?:\S+\s+){0,3}until)(?-u:\b)", "up for renewal"),
        ]
        .map(|(r, v)| (Regex::new(r).expect("class regex"), v))
    });
    // An ultimatum ("Russia to agree … or face tariffs") already says what is due.
    if title.contains(" to ")
        && title.split_whitespace().next().is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
        && !CLASSES.iter().any(|(r, _)| r.is_match(title))
    {
        return title.to_owned();
    }
    // "tariffs be reinstated" (from "due to be reinstated"): the participle alone says it.
    static BE_PARTICIPLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?-u:\b)be\s+([a-z]+(?:ed|en))(?-u:\b)").expect("be-participle regex"));
    // Only a bare "be": "expect the transaction to be completed" keeps its infinitive.
    let mut out = BE_PARTICIPLE
        .replace_all(title, |c: &regex::Captures<'_>| {
            let at = c.get(0).map_or(0, |m| m.start());
            let prev = title[..at].split_whitespace().next_back().unwrap_or("").to_ascii_lowercase();
            let auxiliary = ["to", "may", "might", "will", "would", "must", "can", "could", "should", "shall", "not"];
            if auxiliary.contains(&prev.as_str()) { c[0].to_owned() } else { c[1].to_owned() }
        })
        .into_owned();
    // "shall apply until 24 February": the title keeps "apply" without its "until".
    static APPLY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)appl(?:y|ies)(?-u:\b)").expect("apply regex"));
    // The verb nearest the date says what happens on it: "a transition period lasting until
    // April 16, so that all operators apply the cap" ends then.
    let distance = |r: &Regex| {
        r.find_iter(sentence)
            .map(|m| if m.end() <= anchor { anchor - m.end() } else { m.start().saturating_sub(anchor) })
            .min()
    };
    let class = CLASSES
        .iter()
        .filter_map(|(r, verb)| distance(r).map(|d| (d, r, verb)))
        .min_by_key(|(d, _, _)| *d)
        .map(|(_, r, verb)| (r, verb));
    if let Some((re, verb)) = class {
        if let Some(m) = re.find(&out).or_else(|| APPLY.find(&out)) {
            // Drop the verb group and what trails it in the title; the canonical verb ends it.
            let head = out[..m.start()].trim_end();
            let head =
                head.trim_end_matches(|c: char| c == ',' || c.is_whitespace()).split_whitespace().collect::<Vec<_>>();
            let mut head: Vec<&str> = head;
            while head.last().is_some_and(|w| {
                [
                    "will", "would", "shall", "to", "is", "are", "was", "were", "has", "have", "had", "been", "be",
                    "due", "set", "which", "that", "it", "they", "and", "not", "also", "now",
                ]
                .contains(&w.to_ascii_lowercase().as_str())
            }) {
                head.pop();
            }
            if head.len() >= 2 || (head.len() == 1 && !GLUE.contains(&head[0].to_ascii_lowercase().as_str())) {
                out = format!("{} {verb}", head.join(" "));
            }
        } else if out.split_whitespace().count() <= 8 {
            // "countermeasures kick" (from "due to kick in"): the verb's stub goes too.
            let trimmed = out.trim_end();
            let head =
                [" kick", " kicks", " kicked", " last", " lasts", " lasting", " run", " runs", " remain", " remains"]
                    .iter()
                    .find_map(|v| trimmed.strip_suffix(v))
                    .unwrap_or(trimmed);

            out = format!("{head} {verb}");
        }
    } else if LICENCE_UNTIL.is_match(sentence) && LICENCE_WORDS.iter().any(|w| out.to_ascii_lowercase().contains(w)) {
        // "a general license authorizing transactions … until April 29": it expires then.
        out = format!("{out} expires");
    }
    // Lead with what the article is about when the title names nothing.
    let named = out.split_whitespace().any(|w| w.chars().next().is_some_and(char::is_uppercase) && w.len() > 1)
        && !out.split_whitespace().next().is_some_and(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && out.split_whitespace().skip(1).all(|x| !x.chars().next().is_some_and(char::is_uppercase))
                && matches!(w.to_ascii_lowercase().as_str(), "the" | "a" | "an" | "its" | "their")
        });
    if !named && let Some(topic) = topic_of(article, topic) {
        out = format!("{topic} {out}");
    }
    with_issuer(out, sentence)
}

/// "…preserving the temporary ceasefire, which was first agreed in May and is due to expire
/// on August 12": the due verb is the relative clause's, and what falls due is the noun
/// phrase it hangs on ("temporary ceasefire expires"). `lead` is the sentence up to the date.
fn relative_title(lead: &str) -> Option<String> {
    static WHICH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:^|\s)(?:the|its|their|his|her|this|a|an)\s+(?P<np>[^,;:()]{2,80}?),\s+(?:which|that)\s+(?P<rel>[^,;:()]{0,140})$")
            .expect("which regex")
    });
    // The verbs, each with its title ending (`ENDINGS`: singular, plural).
    static VERB: LazyLock<[(Regex, (&str, &str)); 2]> = LazyLock::new(|| {
        [
            (r"(?i)(?-u:\b)(?:expir(?:e|es|ed|ing)|lapse[sd]?|run\s+out|runs\s+out|end|ends)(?-u:\b)", ENDINGS[0]),
            (
                r"(?i)(?-u:\b)(?:take\s+effect|takes\s+effect|(?:enter|enters|come|comes)\s+into\s+force|kicks?\s+in)(?-u:\b)",
                ENDINGS[1],
            ),
        ]
        .map(|(r, ending)| (Regex::new(r).expect("relative verb regex"), ending))
    });
    let c = WHICH.captures(lead.trim_end())?;
    let rel = &c["rel"];
    // The verb ends the relative clause, with at most a preposition after it.
    let (_, (one, many)) = VERB
        .iter()
        .find(|(r, _)| r.find_iter(rel).last().is_some_and(|m| rel[m.end()..].split_whitespace().count() <= 1))?;
    let np = c["np"].trim();
    // "its access to the US market under the African Growth and Opportunity Act, which
    // expires": a long phrase hangs the clause on its last noun phrase.
    let np = match np.rfind(" the ") {
        Some(i) if np.split_whitespace().count() > 6 => &np[i + 5..],
        _ => np,
    };
    // "the same new deadline that applies to comments, which": a list or a clause is no noun phrase.
    // ("the African Growth and Opportunity Act" is one name: its "and" joins capitals.)
    let words: Vec<&str> = np.split_whitespace().collect();
    let capital = |i: usize| words.get(i).is_some_and(|w| w.starts_with(|c: char| c.is_uppercase()));
    if words.len() > 6
        || words.iter().enumerate().any(|(i, w)| match w.to_ascii_lowercase().as_str() {
            "that" | "which" | "who" => true,
            "and" | "or" => !(i > 0 && capital(i - 1) && capital(i + 1)),
            _ => false,
        })
    {
        return None;
    }
    let plural = np.split_whitespace().last().is_some_and(plural_noun);
    Some(format!("{np}{}", if plural { many } else { one }))
}

/// Permissions given for a time: they expire, they are no suspension.
const LICENCE_WORDS: [&str; 6] = ["licence", "license", "waiver", "exemption", "authorization", "permit"];

/// A permission given up to a day: "until", "through", "till".
static LICENCE_UNTIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)(?:until|through|till)(?-u:\b)").expect("until regex"));

/// The gazetteer's adjectives ("Chinese", "South Korean"): never an article's topic.
static ADJECTIVES: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
    super::gazetteer::BUILTIN
        .forms
        .iter()
        .filter(|(_, _, f)| *f == super::gazetteer::Form::Adjective)
        .map(|(t, _, _)| t.as_str())
        .collect()
});

/// The name an article keeps coming back to: the most frequent acronym or capitalized
/// word that does not open a sentence and is not a month, a weekday or a title.
/// The article's topic, counted once per article and only if a title asks for it.
type Topic = std::cell::OnceCell<Option<String>>;

fn topic_of(article: &str, topic: &Topic) -> Option<String> {
    topic.get_or_init(|| count_topic(article)).clone()
}

fn count_topic(article: &str) -> Option<String> {
    use super::gazetteer::{BUILTIN, Form};
    use super::names::Named;
    const SKIP: [&str; 11] =
        ["President", "Minister", "Secretary", "The", "Trump", "He", "She", "It", "They", "Mr", "A"];
    let mut counts: std::collections::HashMap<std::borrow::Cow<'_, str>, (usize, usize)> =
        std::collections::HashMap::new();
    // A gazetteer name counts whole, as the entry it names: "European Union" and "EU" are
    // one topic, and "Hong Kong" never counts as "Hong" nor "State Department" as "State".
    let mentions = super::names::NO_ACTORS.mentions(article);
    // The mention a word is part of (a word may start with a bracket or a quote).
    let mention_in = |at: usize, end: usize| {
        let i = mentions.partition_point(|m| m.end <= at);
        mentions.get(i).filter(|m| m.start < end)
    };
    let mut previous_end = true;
    for raw in article.split_whitespace() {
        let at = raw.as_ptr() as usize - article.as_ptr() as usize;
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        let word = word.strip_suffix("'s").or_else(|| word.strip_suffix("’s")).unwrap_or(word);
        let capital = word.chars().next().is_some_and(char::is_uppercase) && word.len() > 1;
        // "Jan. 19": a month cut short is no more a topic than the month.
        let month = || raw.contains('.') && crate::model::CALENDAR.contains(&word.to_ascii_lowercase().as_str());
        let key = match mention_in(at, at + raw.len()).map(|m| (m, m.named)) {
            // Counted once, at the name's first word.
            Some((m, Named::Entry(e, Form::Name))) => {
                (m.start >= at).then(|| BUILTIN.entries.get(e).map(|entry| short_name(&entry.name).into())).flatten()
            }
            Some((m, _)) if article[m.start..m.end].contains(' ') => None,
            _ => (capital
                && !SKIP.contains(&word)
                && !super::names::CALENDAR.contains(&word)
                && !month()
                && !ADJECTIVES.contains(word))
            .then_some(word.into()),
        };
        if let Some(key) = key
            && !previous_end
        {
            let order = counts.len();
            counts.entry(key).or_insert((0, order)).0 += 1;
        }
        previous_end = raw.ends_with(['.', '!', '?', ':']);
    }
    // The most frequent; of equals, the first named.
    let (word, (n, _)) = counts.into_iter().max_by_key(|(_, (n, order))| (*n, std::cmp::Reverse(*order)))?;
    (n >= 2).then(|| word.into_owned())
}

/// How a title names a gazetteer entry: "European Union" as "EU", "United States" as "US".
fn short_name(canonical: &str) -> String {
    match canonical {
        "United States" => "US",
        "United Kingdom" => "UK",
        "European Union" => "EU",
        "United Nations" => "UN",
        other => other,
    }
    .to_owned()
}

/// "had been due to lapse", "was originally supposed to take effect" read "lapse", "take
/// effect": the title says what falls due, the status says whether it still holds.
fn plain_verbs(title: &str) -> String {
    static AUX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:(?:had|has|have)\s+been|was|were|is|are)\s+(?:originally\s+|initially\s+|previously\s+|now\s+)?(?:due|set|scheduled|supposed|expected|slated|meant|planned)\s+to\s+|(?-u:\b)(?:would|could|might)\s+have\s+")
            .expect("aux regex")
    });
    static END: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:(?:come|comes|came|coming)\s+to\s+an\s+end|(?:(?:is|are|was|were)\s+)?(?:draw|draws|drawing|drew)\s+to\s+a\s+close)(?-u:\b)")
            .expect("come-to-an-end regex")
    });
    // "Hamas was supposed to provide that list" reads "Hamas to provide that list", as a
    // demand; "the truce was supposed to expire" reads "the truce expire(s)" like the rest.
    let title = BOUND.replace_all(title, |c: &regex::Captures<'_>| {
        if DUE_VERB.is_match(&c["verb"]) { c["verb"].to_owned() } else { format!("to {}", &c["verb"]) }
    });
    let title = AUX.replace_all(&title, "");
    // "the first phase is drawing to a close" reads "the first phase ends".
    END.replace_all(&title, |c: &regex::Captures<'_>| {
        let lead = c[0].split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        if matches!(lead.as_str(), "is" | "was") { "ends" } else { "end" }
    })
    .into_owned()
}

/// A title whose subject is a bare "licence", "truce" or "ban" takes the words the article
/// first named it with ("the operating licence of Serbian oil company NIS").
fn enrich(title: &str, text: &str, before: usize) -> String {
    const HEADS: [&str; 34] = [
        "licence",
        "license",
        "waiver",
        "ban",
        "rule",
        "truce",
        "pause",
        "measures",
        "sanctions",
        "tariffs",
        "tariff",
        "suspension",
        "exemption",
        "authorization",
        "authorisation",
        "permit",
        "order",
        "package",
        "cap",
        "listings",
        "mandate",
        "deal",
        "agreement",
        "plan",
        "ultimatum",
        "deadline",
        "action",
        "fees",
        "restrictions",
        "permission",
        "ceiling",
        "levy",
        "duties",
        "designations",
    ];
    let words: Vec<&str> = title.split_whitespace().collect();
    let Some(at) = words.iter().take(4).position(|w| HEADS.contains(&w.to_ascii_lowercase().as_str())) else {
        return title.to_owned();
    };
    let head = words[at].to_ascii_lowercase();
    // Only a bare head: "licence had been due to expire", "the previous deadline".
    let specified = words[..at].iter().filter(|w| w.chars().next().is_some_and(char::is_uppercase)).count() > 0
        || words.get(at + 1).is_some_and(|w| {
            ["of", "for", "on", "to", "against", "involving", "with"].contains(&w.to_ascii_lowercase().as_str())
        });
    if specified || before == 0 {
        return title.to_owned();
    }
    // "The lower ceiling will apply…" after "the price cap on Russian crude oil": the same
    // measure told with another word.
    let also: &[&str] = match head.as_str() {
        "ceiling" => &["cap"],
        "levy" | "duties" => &["tariffs", "tariff"],
        "listings" | "designations" => &["sanctions"],
        "restrictions" => &["sanctions", "controls"],
        _ => &[],
    };
    let Some(phrase) =
        first_mention(&text[..before], &head).or_else(|| also.iter().find_map(|h| first_mention(&text[..before], h)))
    else {
        return title.to_owned();
    };
    let mut out: Vec<String> = words[..at]
        .iter()
        .map(|w| (*w).to_owned())
        .filter(|w| !GLUE.contains(&w.to_ascii_lowercase().as_str()))
        .collect();
    out.push(phrase);
    out.extend(words[at + 1..].iter().map(|w| (*w).to_owned()));
    out.join(" ")
}

/// The fullest phrase an earlier part of the article names `head` with: a few words before
/// it and an "of/for/on …" complement after it.
fn first_mention(text: &str, head: &str) -> Option<String> {
    const STOP: [&str; 22] = [
        "the", "a", "an", "its", "their", "his", "her", "this", "that", "which", "was", "is", "has", "had", "will",
        "would", "were", "are", "said", "and", "but", "to",
    ];
    // Heads are common nouns, written in lower case mid-sentence: no need to fold the text.
    let mut from = 0;
    while let Some(i) = text[from..].find(head) {
        let start = from + i;
        let end = start + head.len();
        from = end;
        if !super::gazetteer::whole_word(text, start, end) {
            continue;
        }
        let left: Vec<&str> = text[..start].split_whitespace().rev().take(4).collect();
        let mut pre: Vec<&str> = Vec::new();
        for w in left {
            let bare = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '%');
            if w.ends_with([',', '.', ';', ':'])
                || STOP.contains(&bare.to_ascii_lowercase().as_str())
                || bare.is_empty()
                || acts_on(bare)
            {
                break;
            }
            pre.insert(0, bare);
        }
        let mut post: Vec<&str> = Vec::new();
        let right: Vec<&str> = text[end..].split_whitespace().take(8).collect();
        if right.first().is_some_and(|w| {
            ["of", "for", "on", "against", "involving", "covering"].contains(&w.to_ascii_lowercase().as_str())
        }) {
            for w in right {
                let bare = w.trim_end_matches([',', '.', ';', ':']);
                let lower = bare.to_ascii_lowercase();
                // A date or the word that ties one ends the phrase.
                if bare.starts_with(|c: char| c.is_ascii_digit())
                    || ["through", "until", "till", "from", "by", "starting", "effective"].contains(&lower.as_str())
                {
                    break;
                }
                // "tariffs on Mexican imports on hold": a second phrase is another's.
                let stop =
                    (STOP[5..].contains(&lower.as_str()) || (post.len() >= 2 && lower == "on")) && !post.is_empty();
                if stop {
                    break;
                }
                post.push(bare);
                if w.ends_with([',', '.', ';', ':']) {
                    break;
                }
            }
        }
        // "sanctions on more than 2,400 people", cut at the number: no quantity without it.
        while post.last().is_some_and(|w| {
            matches!(
                w.to_ascii_lowercase().as_str(),
                "more"
                    | "less"
                    | "fewer"
                    | "than"
                    | "up"
                    | "to"
                    | "about"
                    | "nearly"
                    | "some"
                    | "over"
                    | "around"
                    | "almost"
                    | "at"
                    | "least"
            )
        }) {
            post.pop();
        }
        if post.len() == 1 {
            post.clear();
        }
        if pre.is_empty() && post.is_empty() {
            continue;
        }
        let mut phrase: Vec<&str> = pre;
        phrase.push(&text[start..end]);
        phrase.extend(post);
        while phrase.last().is_some_and(|w| GLUE.contains(&w.to_ascii_lowercase().as_str())) {
            phrase.pop();
        }
        return Some(phrase.join(" "));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{NO_ACTORS, Options, extract};

    #[test]
    fn a_span_set_on_a_day_runs_from_it() {
        // Monday 28 July 2025.
        let at = "2025-07-28T16:45:00+02:00";
        for text in [
            "Trump gave Russia a 50-day deadline on July 14 to agree a ceasefire.",
            "Announcing the first, 50-day deadline on July 14, Trump had threatened severe tariffs on Russia.",
        ] {
            let found = deadlines(text, at);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0.as_deref(), Some("2025-09-02T23:59:59+00:00"), "{text}: {found:?}");
        }
        // The day it fell due is not the day it was set.
        let found = deadlines(
            "The cancellation came hours after a two-month deadline that Trump had set expired on Friday.",
            at,
        );
        assert_eq!(found[0].0.as_deref(), Some("2025-07-25T23:59:59+00:00"), "{found:?}");
        // An earlier span told with no day it was set is not counted from today.
        let found = deadlines("Trump saw no reason to wait for the original 50-day deadline to run its course.", at);
        assert!(found.iter().all(|d| d.0.is_none()), "{found:?}");
    }

    #[test]
    fn when_people_meet_stay_or_hear_back_is_no_deadline() {
        let at = "2026-01-20T12:00:00+01:00";
        for text in [
            "A few days after the Armenian and Azerbaijani leaders are due to meet on January 24 in Brussels, the ministers will hold talks.",
            "Wright, who flew in that morning, is due to remain in the country until Friday and to tour Petropiar.",
            "\"We did everything that was asked of us; we expect an answer today, tomorrow, by Thursday or by Friday,\" he said.",
        ] {
            let found = deadlines(text, at);
            assert!(found.iter().all(|d| d.0.is_none()), "{text}: {found:?}");
        }
        // An announcement, a ruling or a vote expected on a day is no deadline (GUIDELINES:
        // expected decisions); what falls due with it still is.
        let found = deadlines(
            "The meeting came ahead of the new round of tariffs that Trump is due to announce on Wednesday.",
            at,
        );
        assert!(found.iter().all(|d| d.0.is_none()), "{found:?}");
        let found =
            deadlines("The Council is set to vote on Friday on renewing the sanctions, which expire on July 31.", at);
        assert!(found.iter().any(|d| d.0.as_deref() == Some("2026-07-31T23:59:59+00:00")), "{found:?}");
        // A measure set to remain in force is still due.
        let found = deadlines("The sanctions are set to remain in force until July 31.", at);
        assert_eq!(found[0].0.as_deref(), Some("2026-07-31T23:59:59+00:00"), "{found:?}");
        // What falls due after people meet, and an answer demanded on pain of something.
        for (text, due) in [
            (
                "EU and U.S. negotiators are expected to meet again before the 30% tariffs take effect on Aug. 1.",
                "2026-08-01T23:59:59+00:00",
            ),
            (
                "Washington expects a response from Tehran by Friday or it will reimpose sanctions.",
                "2026-01-23T23:59:59+00:00",
            ),
        ] {
            let found = deadlines(text, at);
            assert!(found.iter().any(|d| d.0.as_deref() == Some(due)), "{text}: {found:?}");
        }
    }

    #[test]
    fn what_someone_committed_to_do_by_a_day_is_the_nearest_such_day() {
        // Friday 16 May 2025: "by 2 May" is the one just gone, not next year's.
        let found = deadlines(
            "On 25 April the two foreign ministers signed a declaration and committed to drawing up a draft peace agreement by 2 May.",
            "2025-05-16T13:00:00+03:00",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-05-02T23:59:59+00:00"), "{found:?}");
        // What someone will do by a day is still ahead.
        let found = deadlines("Iran has until May 2 to answer.", "2025-05-16T13:00:00+03:00");
        assert_eq!(found[0].0.as_deref(), Some("2026-05-02T23:59:59+00:00"), "{found:?}");
    }

    #[test]
    fn a_span_with_its_end_told_a_stay_a_deadline_gone_and_a_start_at_midnight() {
        // Friday 27 June 2025, morning in Tokyo.
        let at = "2025-06-27T08:15:00+09:00";
        let found = deadlines(
            "The White House said on Thursday that Trump might extend the 90-day pause on reciprocal tariffs, which is due to run out on July 9.",
            at,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-07-09T23:59:59+00:00"), "{found:?}");
        // A visit that runs to a day is no deadline.
        let found = deadlines(
            "Akazawa arrived in Washington on Thursday, hoping to meet Bessent during a stay lasting through Saturday.",
            at,
        );
        assert!(found.iter().all(|d| d.0.is_none()), "{found:?}");
        // "the deadline that passed on Friday", said on a Sunday: the Friday gone.
        let found = deadlines(
            "LeBlanc tried to secure a deal before the deadline that passed on Friday.",
            "2025-08-03T16:00:00-04:00",
        );
        assert_eq!(found[0].0.as_deref(), Some("2025-08-01T23:59:59+00:00"), "{found:?}");
        // A truce that starts at midnight starts as the day begins; one that ends then, as
        // it ends.
        let found = deadlines("The Kremlin said the truce will start at midnight on May 8.", "2025-04-28T12:00:00Z");
        assert_eq!(found[0].0.as_deref(), Some("2025-05-08T00:00:00+00:00"), "{found:?}");
        let found = deadlines("The Kremlin said the truce will expire at midnight on May 10.", "2025-04-28T12:00:00Z");
        assert_eq!(found[0].0.as_deref(), Some("2025-05-10T23:59:59+00:00"), "{found:?}");
    }

    fn deadlines(text: &str, published: &str) -> Vec<(Option<String>, Option<&'static str>, String)> {
        let published = DateTime::parse_from_rfc3339(published).expect("time");
        extract(text, &Options { published, timezone: Tz::UTC, actors: &NO_ACTORS })
            .deadlines
            .into_iter()
            .map(|d| (d.due.map(|t| t.to_rfc3339()), d.status, d.title))
            .collect()
    }

    #[test]
    fn a_day_instead_of_another_a_window_closing_a_condition_bound_and_a_ban_on_anyone() {
        let due = |text: &str, at: &str| -> Vec<(Option<String>, Option<&'static str>)> {
            deadlines(text, at).into_iter().map(|d| (d.0, d.1)).collect()
        };
        // The day it was due before, in a sentence that moves it, is superseded.
        assert_eq!(
            due(
                "OFAC pushed back the licences again: they will now expire on March 4 instead of February 25.",
                "2020-02-20T10:00:00Z"
            ),
            [
                (Some("2020-03-04T23:59:59+00:00".to_owned()), None),
                (Some("2020-02-25T23:59:59+00:00".to_owned()), Some("superseded"))
            ]
        );
        // "…and that window closes Friday".
        assert_eq!(
            due("Congress has 30 days to act, and that window closes Friday.", "2020-02-19T10:00:00Z"),
            [(Some("2020-02-21T23:59:59+00:00".to_owned()), None)]
        );
        // The bound of a condition: cargo loaded before the cap must be unloaded by a day.
        assert_eq!(
            due(
                "A transition covers tankers loaded before the cap, provided the oil is discharged before 20 March 2023.",
                "2023-02-01T10:00:00Z"
            ),
            [(Some("2023-03-20T23:59:59+00:00".to_owned()), None)]
        );
        // A ban on anyone, from a day, with no measure noun.
        assert_eq!(
            due("From 1 October 2022, no Canadian person may import or buy coal from Russia.", "2022-09-01T10:00:00Z"),
            [(Some("2022-10-01T23:59:59+00:00".to_owned()), None)]
        );
        // A meeting moved is no deadline.
        assert_eq!(due("The ministers will now meet on March 4 instead of February 25.", "2020-02-20T10:00:00Z"), []);
    }

    #[test]
    fn a_phase_in_a_phase_ending_and_an_export_ban_from_a_day() {
        let at = "2025-02-20T10:00:00Z";
        let days = |text: &str| -> Vec<Option<String>> { deadlines(text, at).into_iter().map(|d| d.0).collect() };
        assert_eq!(
            days(
                "The levy will be phased in over two years, beginning at 10% on Jan. 1, 2027, and rising to 15% on Jan. 1, 2028."
            ),
            [Some("2027-01-01T23:59:59+00:00".to_owned()), Some("2028-01-01T23:59:59+00:00".to_owned())]
        );
        let found = deadlines("The truce has three stages, and the first one is drawing to a close on March 1.", at);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.ends_with("ends"), "{found:?}");
        assert_eq!(
            days("According to the trade ministry, 335 items may not be exported to Russia from March 23."),
            [Some("2025-03-23T23:59:59+00:00".to_owned())]
        );
        // Talks start too: no deadline, though a ceasefire is their aim.
        assert!(
            days("Officials held talks in Doha over 48 hours, starting on Thursday, to conclude a ceasefire.")
                .is_empty()
        );
    }

    #[test]
    fn days_granted_to_someone_run_from_the_day_of_the_grant() {
        // Wednesday 2 July 2025; "on Monday" is 30 June.
        let found = deadlines(
            "In a memo issued on Monday, Trump gave his Cabinet 30 days to assess the sanctions and recommend tougher options.",
            "2025-07-02T12:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-07-30T23:59:59+00:00"));
        assert!(found[0].2.starts_with("his Cabinet to assess the sanctions"), "{found:?}");
        // With no day in the sentence, from the day it was said.
        let found = deadlines("He gave Hamas three days to respond.", "2025-09-30T12:00:00Z");
        assert_eq!(found.iter().map(|d| d.0.as_deref()).collect::<Vec<_>>(), [Some("2025-10-03T23:59:59+00:00")]);
        let found = deadlines(
            "The Treasury gave European companies 90 days to wind down their contracts.",
            "2025-09-30T12:00:00Z",
        );
        assert!(found.first().is_some_and(|d| d.2.starts_with("European companies to wind down")), "{found:?}");
        // Time spent, not granted.
        assert!(
            deadlines("The envoy gave evidence for three hours to lawmakers on Tuesday.", "2025-09-30T12:00:00Z")
                .is_empty()
        );
    }

    #[test]
    fn an_order_told_in_the_past_reads_the_day_nearest_the_telling() {
        let at = "2025-06-19T12:00:00Z";
        let due = |text: &str| deadlines(text, at).into_iter().map(|d| d.0).collect::<Vec<_>>();
        // The January gone, not the next one, for all its "by".
        assert_eq!(
            due(
                "The Act, adopted in April 2024, obliged TikTok to go dark in the US by January 19 unless ByteDance had sold it."
            ),
            [Some("2025-01-19T23:59:59+00:00".to_owned())]
        );
        assert_eq!(
            due("In May the president ordered ByteDance to divest the app by September 17."),
            [Some("2025-09-17T23:59:59+00:00".to_owned())]
        );
        // An order still to come keeps its "by" ahead.
        assert_eq!(
            due("Banks will be required by regulators to report their Russian holdings by January 31."),
            [Some("2026-01-31T23:59:59+00:00".to_owned())]
        );
    }

    #[test]
    fn the_last_day_still_allowed_before_a_ban_is_the_ban_s_deadline_again() {
        // Friday 24 October 2025.
        let at = "2025-10-24T11:00:00+01:00";
        let found = deadlines(
            "Buying Russian LNG will be banned outright, effective 25 April 2026, so short-term deals remain allowed \
             only until 24 April 2026.",
            at,
        );
        assert_eq!(found.iter().map(|d| d.0.as_deref()).collect::<Vec<_>>(), [Some("2026-04-25T23:59:59+00:00")]);
        let found = deadlines(
            "For long-term contracts the prohibition is postponed until 1 January 2027, meaning such purchases may \
             continue only until 31 December 2026.",
            at,
        );
        assert_eq!(
            found.iter().map(|d| (d.0.as_deref(), d.1)).collect::<Vec<_>>(),
            [(Some("2027-01-01T23:59:59+00:00"), None)]
        );
        // Two things due a day apart are two deadlines.
        let found = deadlines(
            "The licence is valid until March 11, and the new rules take effect on March 12.",
            "2025-03-01T10:00:00Z",
        );
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn what_a_draft_would_set_is_no_deadline() {
        let found = deadlines(
            "China and Russia tabled a draft resolution that would give talks another half year, or until April 18 \
             next year.",
            "2025-09-27T08:00:00+08:00",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_count_as_it_stood_on_a_day_is_no_deadline() {
        let found = deadlines(
            "At least 21 of the 72 tankers the U.S., the EU and the UK had blacklisted as of October 10 have since \
             loaded Russian cargoes.",
            "2024-10-18T10:00:00+03:30",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn measures_kept_in_place_until_a_day_come_up_for_renewal_then() {
        let found = deadlines(
            "The Council of the EU said on Thursday its decision keeps the restrictive measures aimed at the \
             Belarusian potash trade in force until 28 February 2026.",
            "2025-02-20T12:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].2.ends_with("restrictive measures aimed at the Belarusian potash trade up for renewal"),
            "{found:?}"
        );
        let found = deadlines(
            "The ruling, adopted on Monday, keeps the arms embargo in place for another year, until June 1, 2026.",
            "2025-05-20T12:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, "arms embargo up for renewal", "{found:?}");
        // Something kept that is no measure keeps the title it had.
        let found = deadlines(
            "The ruling keeps the Belarusian potash plant running until June 1, 2026.",
            "2025-05-20T12:00:00Z",
        );
        assert!(found.iter().all(|d| !d.2.ends_with(" up for renewal")), "{found:?}");
    }

    #[test]
    fn what_is_suspended_until_a_day_comes_back_then() {
        let found = deadlines(
            "The Office of the U.S. Trade Representative published a notice suspending, until November 10, 2026, the \
             Section 301 countermeasures it had imposed on Chinese vessels.",
            "2025-11-14T11:00:00-05:00",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, "suspension of the Section 301 countermeasures ends");
        let found = deadlines(
            "Under the same agreement, the Bureau of Industry and Security's Affiliates Rule has also been suspended for one year.",
            "2025-11-14T11:00:00-05:00",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.starts_with("Bureau of Industry and Security's Affiliates Rule"), "{found:?}");
        let found = deadlines(
            "The fees on Chinese-related maritime transport services did not kick in until October 14, 2025.",
            "2025-11-14T11:00:00-05:00",
        );
        assert_eq!(found[0].2, "fees on Chinese-related maritime transport services take effect", "{found:?}");
    }

    #[test]
    fn a_day_that_is_the_deadline_and_what_a_report_could_lead_to() {
        // Friday 21 November 2025.
        let found = deadlines(
            "Next Thursday is the deadline President Donald Trump has set for Ukraine's Volodymyr Zelenskiy to answer \
             a 28-point peace plan.",
            "2025-11-21T19:45:00+01:00",
        );
        assert_eq!(found.iter().map(|d| d.0.as_deref()).collect::<Vec<_>>(), [Some("2025-11-27T23:59:59+00:00")]);
        let found = deadlines(
            "Commerce owes the President a report on the copper market by June 30, 2026, which could support a 15% \
             tariff on refined copper from January 1, 2027 and 30% from January 1, 2028.",
            "2025-07-31T10:00:00-05:00",
        );
        assert_eq!(found.iter().map(|d| d.0.as_deref()).collect::<Vec<_>>(), [Some("2026-06-30T23:59:59+00:00")]);
    }

    #[test]
    fn war_games_that_begin_on_a_day_are_no_deadline() {
        let found = deadlines(
            "The concession came ahead of joint Russian-Belarusian war games set to begin on Friday.",
            "2025-09-11T14:30:00-04:00",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_title_that_only_points_back_is_the_measure_named_before() {
        // Thursday 9 October 2025.
        let at = "2025-10-09T21:40:00+08:00";
        let found = deadlines(
            "China's Ministry of Commerce said it will impose export controls on rare-earth items handled by foreign \
             entities. A licence will also be required for rare earth metals produced abroad. These two rules take \
             effect on December 1.",
            at,
        );
        assert_eq!(
            found.iter().map(|d| d.2.as_str()).collect::<Vec<_>>(),
            ["export controls on rare-earth items take effect"]
        );
        // "controls of this kind" names nothing; what has a name of its own keeps it.
        let found = deadlines(
            "Major economies commonly apply controls of this kind. The controls take effect on November 8.",
            at,
        );
        assert_eq!(found[0].2, "controls take effect", "{found:?}");
        let found = deadlines("IEEPA tariffs expire on November 8.", at);
        assert_eq!(found[0].2, "IEEPA tariffs expire", "{found:?}");
    }

    #[test]
    fn a_deadline_someone_set_for_someone_to_act_names_the_act() {
        let found = deadlines(
            "Next Thursday is the deadline President Donald Trump has set for Ukraine's Volodymyr Zelenskiy to answer \
             a 28-point peace plan.",
            "2025-11-21T19:45:00+01:00",
        );
        assert_eq!(found[0].2, "Ukraine's Volodymyr Zelenskiy to answer a 28-point peace plan", "{found:?}");
    }

    #[test]
    fn a_grace_window_ends_its_span_after_the_day_it_runs_from() {
        // Thursday 15 January 2026.
        let found = deadlines(
            "Contracts concluded under the old cap may still be performed for 90 days from 15 January.",
            "2026-01-15T15:30:00+01:00",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2026-04-15T23:59:59+00:00"), "{found:?}");
        assert_eq!(found[0].2, "grace period for contracts concluded under the old cap ends");
    }

    #[test]
    fn a_day_given_in_the_past_perfect_is_the_nearest_and_one_applied_retroactively_is_gone() {
        // Friday 20 June 2025: the April 5 deadline of the first order was this year's.
        let found = deadlines(
            "Trump's first order in January had given TikTok until April 5th to arrange a sale.",
            "2025-06-20T10:00:00Z",
        );
        assert_eq!(found.first().and_then(|d| d.0.as_deref()), Some("2025-04-05T23:59:59+00:00"), "{found:?}");
        // The same past perfect, said before the day (Monday 31 March 2025): the day is ahead.
        let found = deadlines(
            "Maurel et Prom said the US Treasury had given it a wind-down licence to conclude its operations by May 27.",
            "2025-03-31T17:00:00Z",
        );
        assert_eq!(found.first().and_then(|d| d.0.as_deref()), Some("2025-05-27T23:59:59+00:00"), "{found:?}");
        // Friday 5 September 2025.
        let found = deadlines(
            "The new rates will be applied retroactively to Japanese goods that entered the United States on or after \
             12:01 a.m. Washington time on August 7.",
            "2025-09-05T10:00:00Z",
        );
        assert_eq!(found.first().and_then(|d| d.0.as_deref()), Some("2025-08-07T00:01:00-04:00"), "{found:?}");
        // The customs formula with no "retroactively" is ahead.
        let found = deadlines(
            "The tariff applies to goods entered for consumption on or after 12:01 a.m. EDT on August 7.",
            "2025-07-31T10:00:00Z",
        );
        assert_eq!(found.first().and_then(|d| d.0.as_deref()), Some("2025-08-07T00:01:00-04:00"), "{found:?}");
    }

    #[test]
    fn a_title_drops_the_span_and_what_it_counts_from_and_names_who_was_told_to_act() {
        let found = deadlines(
            "Trump instructed federal agencies to finish that review within seven days of the order's publication.",
            "2025-09-05T10:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, "federal agencies to finish that review", "{found:?}");
        // The comma after the span still ends the phrase: no attribution in the title.
        let found = deadlines(
            "Rwandan troops are to pull out of eastern Congo within 90 days, according to a copy seen by Reuters.",
            "2025-06-27T20:30:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0].2.contains("according"), "{found:?}");
    }

    #[test]
    fn a_relative_clause_s_due_verb_falls_on_the_noun_it_hangs_on() {
        let found = deadlines(
            "Li said both sides had committed to preserving the temporary ceasefire, which was first agreed in May \
             and is due to expire on August 12.",
            "2025-07-30T10:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.ends_with("temporary ceasefire ends"), "{found:?}");
        assert_eq!(relative_title("the TGL, which was due to expire on").as_deref(), Some("TGL expires"));
        assert_eq!(
            relative_title("the new rules, which will enter into force on").as_deref(),
            Some("new rules take effect")
        );
        // A clause that is not the due verb's: no title from it.
        assert_eq!(relative_title("the envoy, who met Putin on"), None);
    }

    #[test]
    fn how_long_a_meeting_lasts_is_no_deadline_but_an_extension_ending_is() {
        // Monday 15 September 2025.
        let at = "2025-09-15T17:30:00-04:00";
        let found =
            deadlines("The meeting was led by Bessent, and the dialogue is expected to go on until Wednesday.", at);
        assert!(found.is_empty(), "{found:?}");
        let found = deadlines("Orban said the summit could take place within the next two weeks.", at);
        assert!(found.is_empty(), "{found:?}");
        let found = deadlines("The latest extension Trump granted for the sale of TikTok ends on Sept. 17.", at);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-09-17T23:59:59+00:00"), "{found:?}");
        // Talks that go on up to a day when a reprieve runs out: the day is due.
        let found = deadlines(
            "Negotiations can continue until August 1, when his latest reprieve runs out and the surcharge is set to rise.",
            "2025-07-13T13:30:00+02:00",
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn a_move_by_a_span_supersedes_the_old_day() {
        // Tuesday 5 August 2025: Thursday is 7 August; six months on is 7 February 2026.
        let found = deadlines(
            "The EU will put off by six months the countermeasures that were due to take effect on Thursday.",
            "2025-08-05T12:00:00Z",
        );
        let days: Vec<_> = found.iter().map(|(due, status, _)| (due.as_deref(), *status)).collect();
        assert_eq!(
            days,
            [(Some("2025-08-07T23:59:59+00:00"), Some("superseded")), (Some("2026-02-07T23:59:59+00:00"), None)],
            "{found:?}"
        );
        // "until" names the new day itself: nothing is added to it.
        let found = deadlines("The tariffs were postponed by six months until July 31.", "2025-01-05T12:00:00Z");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-07-31T23:59:59+00:00"));
    }

    #[test]
    fn a_day_then_when_a_measure_takes_effect_is_due_but_a_trip_from_a_day_is_not() {
        let at = "2025-08-16T12:00:00Z";
        let found =
            deadlines("The visit fell around August 27, when the additional 25% tariff is set to take effect.", at);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-08-27T23:59:59+00:00"));
        let found = deadlines(
            "A planned trip for trade negotiations from August 25 to 29 was called off amid higher tariffs.",
            at,
        );
        assert_eq!(found, vec![]);
    }

    #[test]
    fn a_licence_title_keeps_its_number_and_adjectives() {
        let at = "2022-03-02T12:00:00Z";
        let found = deadlines(
            "General License INT/2022/1277777 gives 7 days to wind down positions and lapses on March 8, 2022.",
            at,
        );
        assert_eq!(found[0].2, "General License INT/2022/1277777 expires");
        let found = deadlines("General License No. 128B for Lukoil stations expires on April 29.", at);
        assert_eq!(found[0].2, "General License No. 128B for Lukoil stations expires");
        let found = deadlines("The advanced computing rule takes effect on November 16, 2023.", at);
        assert_eq!(found[0].2, "advanced computing rule takes effect");
    }

    #[test]
    fn a_tariff_title_says_whom_it_hits() {
        let found =
            deadlines("Canadian goods will face a 35 per cent U.S. tariff from Aug. 1.", "2025-07-11T12:00:00Z");
        assert_eq!(found[0].2, "35 per cent U.S. tariff on Canadian goods takes effect");
        let found = deadlines("Many Swiss exports face a 39-percent duty from Thursday.", "2025-08-05T12:00:00Z");
        assert_eq!(found[0].2, "39-percent duty on Swiss exports takes effect");
        // The sentence names no one hit: the goods the article named last before it are.
        let found = deadlines(
            "Pretoria hopes to avert the levies on South African goods. The 30% US tariffs are expected to come into effect on Thursday.",
            "2025-08-05T12:00:00Z",
        );
        assert_eq!(found[0].2, "30% US tariffs on South African goods come into effect", "{found:?}");
    }

    #[test]
    fn a_meeting_date_is_not_due() {
        let at = "2026-02-05T18:00:00Z";
        assert_eq!(deadlines("Negotiators got ready for nuclear talks in Oman due to open on Friday.", at), vec![]);
        assert_eq!(deadlines("Koo's meeting with Bessent is scheduled for Thursday in Washington.", at), vec![]);
        // A measure in the same clause is still due.
        let found =
            deadlines("The meeting is set for Friday, when the tariffs are scheduled to take effect on Friday.", at);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn the_day_something_was_done_is_not_due() {
        let found = deadlines("In March the council set a 90-day deadline for the talks.", "2025-05-01T10:00:00Z");
        assert!(found.iter().all(|(due, _, _)| due.as_deref() != Some("2025-03-31T23:59:59+00:00")), "{found:?}");
        let found = deadlines("Treasury announced the designations on Monday.", "2025-05-01T10:00:00Z");
        assert_eq!(found, vec![]);
    }

    #[test]
    fn an_ultimatum_title_says_who_must_do_what_or_face_what() {
        let at = "2025-07-29T15:00:00Z";
        let found = deadlines(
            "Trump said on Tuesday that Russia has 10 days from today to stop its war in Ukraine or face American penalties.",
            at,
        );
        assert_eq!(found[0].2, "Russia to stop its war in Ukraine or face American penalties", "{found:?}");
        let found = deadlines(
            "Trump warned that Russia would be hit with heavy new tariffs unless Putin agrees to a ceasefire within 50 days.",
            "2025-07-14T15:00:00Z",
        );
        assert_eq!(found[0].2, "Putin to agree to a ceasefire or face heavy new tariffs", "{found:?}");
        // Reported speech: the past tense, and "it" is whoever faces the penalty.
        let found = deadlines(
            "On July 14 he had warned that Moscow would face more sanctions and tariffs unless it stopped fighting within 50 days, which set the deadline at Sept. 2.",
            "2025-07-29T15:00:00Z",
        );
        // A capital speaks for its country: the demand falls on Russia.
        assert_eq!(found[0].2, "Russia to stop fighting or face more sanctions and tariffs", "{found:?}");
        // An ultimatum spelled out after a colon.
        let found = deadlines(
            "Last month Trump handed Russian President Vladimir Putin a 50-day ultimatum: accept a ceasefire or face sweeping sanctions, which would expire on Sept. 2.",
            "2025-08-05T15:00:00Z",
        );
        // A head of state named by country and title acts for the country.
        assert_eq!(found[0].2, "Russia to accept a ceasefire or face sweeping sanctions", "{found:?}");
        // A person named without a country stays as named.
        let found = deadlines(
            "Trump said Putin has until Friday to agree to a ceasefire or face new sanctions.",
            "2025-08-05T15:00:00Z",
        );
        assert_eq!(found[0].2, "Putin to agree to a ceasefire or face new sanctions", "{found:?}");
        let found = deadlines(
            "The order moves the deadline under which ByteDance must divest TikTok or see it barred from U.S. app stores to Dec. 16.",
            "2025-09-16T18:40:00-04:00",
        );
        assert_eq!(found[0].2, "ByteDance to divest TikTok or see it barred from U.S. app stores", "{found:?}");
        // A long demand is cut where a phrase begins, not mid-phrase.
        let found = deadlines(
            "Ukraine should sign up by next Thursday to a plan for ending its almost four-year war with Russia and its allies in the region, Trump said.",
            "2025-11-21T15:00:00Z",
        );
        assert_eq!(
            found[0].2, "Ukraine to sign up to a plan for ending its almost four-year war with Russia",
            "{found:?}"
        );
    }

    #[test]
    fn a_suspension_for_a_time_ends_that_long_after_its_start() {
        let at = "2025-11-10T18:00:00Z";
        let found =
            deadlines("USTR said the action will be suspended for one year as of 12:01 a.m. on November 10, 2025.", at);
        assert_eq!(found.len(), 1, "the start is no deadline: {found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2026-11-10T23:59:59+00:00"));
        assert!(found[0].2.ends_with("suspension ends"), "{found:?}");
        let found =
            deadlines("Washington put its Caesar Act sanctions on hold for 180 days, the Treasury said on Monday.", at);
        assert_eq!(found[0].0.as_deref(), Some("2026-05-09T23:59:59+00:00"), "180 days from Monday the 10th");
        let found = deadlines("The tariffs will be paused for 90 days starting May 14.", at);
        assert_eq!(found[0].0.as_deref(), Some("2026-08-12T23:59:59+00:00"));
        assert!(deadlines("The court suspended the case for two weeks in 2019.", at).is_empty());
        // The day of an earlier waiver, in a clause of its own, is not where this one starts.
        let found = deadlines(
            "The Treasury said Caesar Act sanctions had been partly suspended for 180 days, replacing an earlier waiver issued on 23 May.",
            at,
        );
        assert_eq!(found[0].0.as_deref(), Some("2026-05-09T23:59:59+00:00"), "{found:?}");
        assert!(!found[0].2.contains("partly"), "{found:?}");
        // A start after a comma is still where it runs from.
        let found = deadlines("The tariffs will be paused for 90 days, starting May 14.", at);
        assert_eq!(found[0].0.as_deref(), Some("2026-08-12T23:59:59+00:00"), "{found:?}");
    }

    #[test]
    fn two_licences_due_the_same_day_are_two_deadlines() {
        let found = deadlines(
            "General License 126 authorizes the wind down until 12:01 a.m. EST on 21 November 2025. \
             General License 127 separately authorizes certain debt transactions, also until 12:01 a.m. EST on 21 November 2025. \
             The licences expire on November 21.",
            "2025-10-22T20:00:00Z",
        );
        let titles: Vec<&str> = found.iter().map(|d| d.2.as_str()).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(titles.iter().any(|t| t.contains("126")) && titles.iter().any(|t| t.contains("127")), "{titles:?}");
    }

    #[test]
    fn a_licence_named_by_number_keeps_its_number_in_the_title() {
        let title = |t: &str| with_licence(t.to_owned(), "OFAC said Syria General License 24 expires on July 7.", 30);
        assert_eq!(title("Syria license expires"), "Syria General License 24 expires");
        assert_eq!(title("Syria General License 24 expires"), "Syria General License 24 expires");
        assert_eq!(title("tariffs take effect"), "tariffs take effect", "no licence word to replace");
        let two = "GL 8E lapses on May 27, and GL 8F on June 27.";
        assert_eq!(with_licence("authorization expires".into(), two, two.find("June").unwrap_or(0)), "GL 8F expires");
    }

    #[test]
    fn a_measure_told_of_as_it_is_the_one_before() {
        let found = deadlines(
            "Britain has prolonged the general licence covering Lukoil's subsidiaries in Bulgaria. The licence first \
             came into force on November 14, 2025. After talks, it has now been extended until August 13, 2026. Under \
             its original terms it would have expired on February 14, 2026.",
            "2026-02-12T12:00:00Z",
        );
        let titles: Vec<&str> = found.iter().map(|d| d.2.as_str()).collect();
        assert!(titles[1..].iter().all(|t| t.contains("licence covering Lukoil's subsidiaries")), "{titles:?}");
        assert!(titles[2].ends_with("expires"), "{titles:?}");
    }

    #[test]
    fn the_measure_due_is_what_the_verb_tells_of() {
        let at = "2025-07-20T12:00:00Z";
        let found = deadlines(
            "The snapback can restore UN sanctions only before 18 October, when the Security Council resolution \
             underpinning the 2015 deal expires.",
            at,
        );
        assert!(found[0].2.contains("resolution expires"), "{found:?}");
        let found = deadlines(
            "Trump said the new reciprocal tariffs would take effect on Aug. 1, three weeks after the exemption runs out.",
            at,
        );
        assert!(found[0].2.ends_with("reciprocal tariffs take effect"), "{found:?}");
    }

    #[test]
    fn until_at_least_is_until_and_goods_from_a_country_moved_nothing() {
        let found =
            deadlines("Targeted measures will stay in force until at least June 1, 2026.", "2025-05-28T12:00:00Z");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2026-06-01T23:59:59+00:00"));
        let found = deadlines(
            "Washington will impose a 25 percent tariff on goods from Japan starting Aug. 1.",
            "2025-07-08T12:00:00Z",
        );
        assert_eq!(found[0].1, None, "not superseded: {found:?}");
        let found = deadlines("The US moved the start from September 27 to October 1.", "2025-09-20T12:00:00Z");
        // The day it moved from is no live deadline.
        assert!(
            found.iter().any(|d| d.1.is_none() && d.0.as_deref() == Some("2025-10-01T23:59:59+00:00")),
            "{found:?}"
        );
        assert!(
            found.iter().all(|d| d.1.is_some() || d.0.as_deref() != Some("2025-09-27T23:59:59+00:00")),
            "{found:?}"
        );
    }

    #[test]
    fn midnight_on_a_day_is_its_end_and_us_does_not_end_a_demand() {
        let at = "2025-08-01T12:00:00Z";
        let found = deadlines(
            "The sanctions will snap back at midnight GMT on September 27 unless the Security Council votes otherwise.",
            at,
        );
        assert_eq!(found[0].0.as_deref(), Some("2025-09-27T23:59:59+00:00"), "{found:?}");
        let found = deadlines("ByteDance has until June 19 to find a buyer for TikTok's U.S. operations.", at);
        assert_eq!(found[0].2, "ByteDance to find a buyer for TikTok's U.S. operations", "{found:?}");
    }

    #[test]
    fn a_rate_keeps_its_percent_sign() {
        let found =
            deadlines("Most Japanese goods became subject to a 15% U.S. tariff from Aug. 1.", "2025-07-30T12:00:00Z");
        assert!(found[0].2.contains("15% U.S. tariff"), "{found:?}");
        assert_eq!(with_percent("15 tariffs on 15 goods", "a 15% tariff"), "15% tariffs on 15% goods");
        assert_eq!(with_percent("tariffs on 15 goods", "tariffs on 15 goods"), "tariffs on 15 goods");
    }

    #[test]
    fn what_a_licence_allows_falls_due_as_the_licence() {
        let at = "2022-10-01T12:00:00Z";
        let found = deadlines("Under GL 8E, those transactions had to be carried out before April 22, 2020.", at);
        assert_eq!(found[0].2, "GL 8E authorization expires", "{found:?}");
        // The licensing office is named where the article says the licence is the US Treasury's.
        let found = deadlines(
            "The Treasury issued a new licence. Under GL 5H, those rights can only be exercised on or after January \
             21, 2022.",
            at,
        );
        assert_eq!(found[0].2, "OFAC GL 5H authorization takes effect", "{found:?}");
        let found =
            deadlines("HM Treasury said so. Under General License 24, such dealings are allowed until July 7.", at);
        assert_eq!(found[0].2, "General License 24 authorization expires", "{found:?}");
        // A licence that is the subject of what it allows.
        let found = deadlines(
            "OFAC's General License 131 authorizes transactions related to the sale until January 17, 2026.",
            at,
        );
        assert_eq!(found[0].2, "OFAC General License 131 authorization expires", "{found:?}");
        // A sentence whose subject names what is due keeps its own title.
        let found = deadlines("Under GL 13, Chevron's Venezuela license expires on June 3.", at);
        assert!(!found[0].2.contains("authorization"), "{found:?}");
    }

    #[test]
    fn licence_forms_and_zones_carry_over() {
        let found = deadlines(
            "The licence is valid until 12:01 a.m. EST on March 12. The truce had been due to lapse at 12:01 a.m. on Tuesday, August 12.",
            "2025-08-12T10:00:00Z",
        );
        // EST as written; carried to the next sentence as US Eastern, in August's offset.
        assert_eq!(found[0].0.as_deref(), Some("2026-03-12T00:01:00-05:00"), "{found:?}");
        assert_eq!(found[1].0.as_deref(), Some("2025-08-12T00:01:00-04:00"), "{found:?}");
        assert_eq!(found[1].1, Some("superseded"));
    }

    #[test]
    fn a_span_counts_from_the_start_the_sentence_gives() {
        let found = deadlines(
            "Britain, France and Germany notified the Council on Aug. 28 that they were starting the snapback, which restores UN sanctions unless the Council blocks it within 30 days.",
            "2025-09-01T10:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-09-27T23:59:59+00:00"));
    }

    #[test]
    fn a_month_alone_is_a_deadline_with_no_date() {
        let found = deadlines("The nuclear deal itself is set to expire in October.", "2025-08-25T10:00:00Z");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, None);
        assert!(found[0].2.contains("nuclear deal"), "{found:?}");
    }

    #[test]
    fn licences_and_measures_in_every_form() {
        let published = "2025-05-20T10:00:00Z";
        for (text, due) in [
            ("Treasury extended the waiver until June 30.", "2025-06-30"),
            ("The wind-down period ends on June 1 for U.S. persons.", "2025-06-01"),
            ("Importers must file the forms no later than June 5.", "2025-06-05"),
            ("The new tariffs take effect on July 1, the ministry said.", "2025-07-01"),
            ("The listings had been due to lapse on March 15.", "2025-03-15"),
        ] {
            let found = deadlines(text, published);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0.as_deref().map(|d| &d[..10]), Some(due), "{text}");
        }
    }

    #[test]
    fn a_window_is_no_day() {
        let found =
            deadlines("Trump said he would set a new deadline two or three weeks from now.", "2025-05-20T10:00:00Z");
        assert!(found.iter().all(|(due, _, _)| due.is_none()), "{found:?}");
    }

    #[test]
    fn a_moved_deadline_keeps_the_old_one_superseded() {
        let found = deadlines("The Commission pushed the August 1 deadline back to August 12.", "2025-07-30T10:00:00Z");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].1, Some("superseded"));
        assert_eq!(found[1].1, None);
        assert!(found[1].0.as_deref().is_some_and(|d| d.starts_with("2025-08-12")), "{found:?}");
    }

    #[test]
    fn titles_say_what_is_due() {
        let found = deadlines(
            "In a post, Trump said Russia must agree to a ceasefire by Aug. 8 or face secondary tariffs.",
            "2025-07-30T10:00:00Z",
        );
        assert_eq!(found[0].2, "Russia to agree to a ceasefire or face secondary tariffs", "{found:?}");
        let found = deadlines(
            "OFAC's general license for Chevron's Venezuela operations expires on May 27, officials said.",
            "2025-05-20T10:00:00Z",
        );
        assert_eq!(found[0].2, "OFAC general license for Chevron's Venezuela operations expires", "{found:?}");
    }

    #[test]
    fn a_stretch_of_time_ends() {
        let at = "2026-01-10T10:00:00Z";
        // The verb nearest the date is what happens on it, and a period ends.
        let found = deadlines(
            "Older contracts may still be honoured during a transition period lasting until April 16, so that all operators apply the cap the same way.",
            at,
        );
        assert_eq!(found[0].2, "transition period ends", "{found:?}");
        let found = deadlines("The truce between the two sides expires on March 1.", at);
        assert_eq!(found[0].2, "truce ends", "{found:?}");
        // A licence still expires, and a ban still takes effect.
        let found = deadlines("The general licence for the bank's wind-down expires on March 1.", at);
        assert!(found[0].2.ends_with(" expires"), "{found:?}");
        let found = deadlines("The ban on imports of the metals takes effect on March 1.", at);
        assert!(found[0].2.ends_with(" takes effect"), "{found:?}");
    }

    #[test]
    fn a_verb_or_preposition_before_a_measure_is_not_part_of_its_name() {
        for (text, want) in [
            (
                "Trump threatened to put 50 per cent tariffs on European Union goods that take effect on July 9.",
                "50 per cent tariffs on European Union goods take effect",
            ),
            (
                "The administration let Chevron's broader license expire on May 27, the company said.",
                "Chevron's broader license expires",
            ),
            (
                "Firms were given until Nov. 21 to comply with the cut-off set in Washington's latest sanctions, \
                 which take effect then.",
                "Washington's latest sanctions take effect",
            ),
        ] {
            let found = deadlines(text, "2025-05-20T10:00:00Z");
            assert_eq!(found.first().map(|f| f.2.as_str()), Some(want), "{text}: {found:?}");
        }
    }

    #[test]
    fn a_month_cut_short_never_leads_a_title() {
        let found = deadlines(
            "The ban takes effect on Jan. 19. Lawmakers passed it in April. Officials said on Jan. 10 that \
             nothing had changed, and the company said Jan. 15 it would sue.",
            "2025-01-16T10:00:00Z",
        );
        assert!(!found.is_empty(), "{found:?}");
        assert!(found.iter().all(|(_, _, title)| !title.starts_with("Jan")), "{found:?}");
    }

    #[test]
    fn effect_dates_told_in_other_words() {
        let at = "2025-08-07T09:00:00Z";
        // "come into effect", a date set "as the deadline", a date that leads the sentence.
        let found =
            deadlines("The minister said the 30% tariffs were expected to come into effect today, 7 August.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-08-07T23:59:59+00:00"), "{found:?}");
        let found = deadlines("The resolution sets October 18 as the deadline for doing so.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-10-18T23:59:59+00:00"), "{found:?}");
        let found =
            deadlines("On December 5 the EU's price ceiling on Russian crude took effect.", "2023-01-20T09:00:00Z");
        assert_eq!(found[0].0.as_deref(), Some("2022-12-05T23:59:59+00:00"), "{found:?}");
        // An action the day leads is not a deadline.
        let found = deadlines("On December 5 the EU announced a ban on Russian crude.", "2023-01-20T09:00:00Z");
        assert_eq!(found, vec![]);
    }

    #[test]
    fn titles_name_who_was_given_time_a_lapsing_measure_and_what_was_moved() {
        let at = "2025-10-23T10:00:00Z";
        let title = |text: &str| deadlines(text, at).into_iter().map(|d| d.2).next().unwrap_or_default();
        assert_eq!(
            title("The Treasury gave companies until Nov. 21 to wind down their dealings with Rosneft and Lukoil."),
            "companies to wind down their dealings with Rosneft and Lukoil"
        );
        // A measure due to lapse is no demand on the country it targets.
        assert_eq!(
            title("The EU's economic sanctions on Russia are due to expire on January 31 unless renewed."),
            "EU economic sanctions on Russia expire"
        );
        assert_eq!(title("Hamas is due to free the hostages by noon on Monday."), "Hamas to free the hostages");
        assert_eq!(
            title("The deadline for a TikTok sale was extended by another 90 days, to Dec. 16."),
            "deadline for a TikTok sale"
        );
    }

    #[test]
    fn the_measure_is_the_head_of_its_phrase_and_a_day_may_restate_a_span() {
        let at = "2025-10-23T10:00:00Z";
        let first = |text: &str| deadlines(text, at).into_iter().next().expect("a deadline");
        assert_eq!(
            first("The 90-day pause on the higher tariffs runs through Nov. 10.").2,
            "pause on the higher tariffs ends"
        );
        assert_eq!(
            first("A wind-down licence for Serbia's NIS remains valid until Jan. 23.").2,
            "wind-down licence for Serbia's NIS expires"
        );
        assert_eq!(
            first("The European Council prolonged the sectoral measures for another six months, until 31 July 2026.").2,
            "European Council sectoral measures up for renewal"
        );
        let found = deadlines(
            "The new rules apply from 1 January 2026, with a transition period for existing contracts that ends on 30 June 2026.",
            at,
        );
        assert!(found.iter().any(|d| d.2 == "transition period for existing contracts ends"), "{found:?}");
        // The day after a comma restates the span: it is the due day.
        let d = first("Sanctions on the bank will come into effect in 45 days, on Dec. 7.");
        assert_eq!(d.0.as_deref(), Some("2025-12-07T23:59:59+00:00"), "{d:?}");
        let d = first("The ban will kick in 30 days from today.");
        assert_eq!(d.0.as_deref(), Some("2025-11-22T23:59:59+00:00"), "{d:?}");
    }

    #[test]
    fn a_cut_off_minute_keeps_its_own_zone_and_leaves_the_title() {
        let found = deadlines(
            "Cargoes must be loaded before 12:01 a.m. eastern standard time on February 5, 2023, and unloaded before 12:01 a.m. eastern daylight time on April 1, 2023.",
            "2023-01-20T09:00:00Z",
        );
        let dues: Vec<Option<&str>> = found.iter().map(|d| d.0.as_deref()).collect();
        assert!(dues.contains(&Some("2023-02-05T00:01:00-05:00")), "{found:?}");
        assert!(dues.contains(&Some("2023-04-01T00:01:00-04:00")), "{found:?}");
        assert!(found.iter().all(|d| !d.2.contains("standard time") && !d.2.contains("daylight time")), "{found:?}");
        let found =
            deadlines("The de minimis exemption was suspended at 12:01 a.m. ET on Friday.", "2025-08-29T12:00:00Z");
        assert_eq!(found[0].0.as_deref(), Some("2025-08-29T00:01:00-04:00"), "{found:?}");
    }

    #[test]
    fn starting_or_ending_falls_due_only_for_a_thing_that_runs_for_a_set_time() {
        let at = "2024-03-28T12:00:00Z";
        for sentence in [
            "Kim hosted the pair for a dinner that started at 6 p.m. on Monday, a spokesman said.",
            "Net income for the six months ended Oct. 1 slipped 5% to $89.7 million.",
            "Talks ended on Tuesday without a deal.",
        ] {
            assert!(deadlines(sentence, at).is_empty(), "{sentence}: {:?}", deadlines(sentence, at));
        }
        for sentence in [
            "With no renewal, the panel's current mandate will end on April 30 this year.",
            "The tariff pause will end on April 30.",
            "The 30-day countdown ends on April 30.",
        ] {
            let found = deadlines(sentence, at);
            assert_eq!(found.first().and_then(|d| d.0.as_deref()), Some("2024-04-30T23:59:59+00:00"), "{sentence}");
        }
    }

    #[test]
    fn a_measure_running_out_a_restoring_span_and_a_name_before_which() {
        // Sunday 6 July 2025: the pause runs out on Wednesday 9 July.
        let found = deadlines(
            "With the freeze on the extra \"retaliatory\" duties running out on Wednesday, Seoul is making one more attempt to win a cut.",
            "2025-07-06T12:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-07-09T23:59:59+00:00"), "{found:?}");
        assert_eq!(found[0].2, "freeze on the extra retaliatory duties ends", "{found:?}");
        // A span counted from the day, though another verb of the sentence is past; a past
        // verb right before the span, or one inside a word, is read as it stands.
        let found = deadlines(
            "Unless the Council votes to halt it, all sanctions that lapsed under the accord will be restored in 30 days.",
            "2025-08-28T15:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.as_deref(), Some("2025-09-27T23:59:59+00:00"), "{found:?}");
        let found =
            deadlines("The duties Washington reimposed should take effect in two weeks.", "2025-08-28T15:00:00Z");
        assert_eq!(found.first().and_then(|d| d.0.as_deref()), Some("2025-09-11T23:59:59+00:00"), "{found:?}");
        let found = deadlines("The duties took effect in two weeks, after the talks failed.", "2025-08-28T15:00:00Z");
        assert!(found.iter().all(|d| d.0.is_none()), "{found:?}");
        // Order restored is no measure restored.
        assert!(deadlines("Power should be restored in two days.", "2025-08-28T15:00:00Z").is_empty());
        // The name a long phrase ends on is what the relative clause tells of.
        let found = deadlines(
            "Exporters still count on their duty-free entry to the American market under the Caribbean Basin Trade and Partnership Act, which expires on Tuesday.",
            "2025-09-28T12:00:00Z",
        );
        assert!(found[0].2.contains("Caribbean Basin Trade and Partnership Act expires"), "{found:?}");
    }

    #[test]
    fn a_measure_told_again_with_another_word_takes_its_first_name() {
        let found = deadlines(
            "Canada said on Friday it would follow Brussels in lowering the price cap on Russian crude oil to $47.60 a barrel. The lower ceiling will apply from September 2.",
            "2025-07-18T12:00:00Z",
        );
        let last = found.last().expect("a deadline");
        assert!(last.2.contains("price cap on Russian crude oil"), "{found:?}");
    }

    #[test]
    fn a_verb_before_a_measure_is_no_part_of_its_name() {
        let found = deadlines(
            "Manila is trying to talk down steep American tariffs due to kick in on August 1.",
            "2025-07-14T12:00:00Z",
        );
        assert_eq!(found[0].2, "steep American tariffs take effect", "{found:?}");
    }

    #[test]
    fn a_measure_given_more_time_comes_up_for_renewal_and_a_licence_expires() {
        for (sentence, want) in [
            (
                "EU leaders unanimously agreed to extend economic sanctions on the Russian economy by six months, until 31 January 2018.",
                "EU economic sanctions on the Russian economy up for renewal",
            ),
            (
                "The Council decided to prolong the measures targeting sectors of the Russian economy by six months, until 31 July 2022.",
                "measures targeting sectors of the Russian economy up for renewal",
            ),
        ] {
            let found = deadlines(sentence, "2017-06-29T12:00:00Z");
            assert_eq!(found[0].2, want, "{found:?}");
        }
        let found = deadlines(
            "OFAC extends the General License No. 128B for transactions involving Lukoil until April 29.",
            "2025-04-01T12:00:00Z",
        );
        let title = &found[0].2;
        assert!(
            title.starts_with("OFAC General License No")
                && title.ends_with("128B for transactions involving Lukoil expires"),
            "{found:?}"
        );
        // A deadline given more time stays the deadline it was.
        let found = deadlines("Trump extended the deadline for a TikTok sale until Dec. 16.", "2024-07-22T12:00:00Z");
        assert!(!found[0].2.contains("renewal"), "{found:?}");
    }

    #[test]
    fn a_group_a_qualifier_names_is_who_must_act() {
        let found = deadlines(
            "US persons now have until June 6, 2018 to divest from holdings covered by the license.",
            "2018-05-02T12:00:00Z",
        );
        assert_eq!(found[0].2, "US persons to divest from holdings covered by the license", "{found:?}");
    }

    #[test]
    fn what_is_authorized_through_a_day_is_an_authorization_that_expires() {
        let found = deadlines(
            "Transactions needed to wind down dealings with the listed companies are authorized through 12:01 a.m. eastern standard time, December 13, 2023.",
            "2023-09-14T12:00:00Z",
        );
        assert_eq!(found[0].0.as_deref(), Some("2023-12-13T00:01:00-05:00"), "{found:?}");
        assert_eq!(found[0].2, "authorization for wind down dealings with the listed companies expires", "{found:?}");
    }

    #[test]
    fn local_time_is_the_time_of_the_place_named() {
        let at = "2025-10-10T12:00:00Z";
        // The sentence names no place: the first the article names with one civil time.
        let found = deadlines(
            "Israel and Hamas signed the deal in Egypt. The group must free the captives by noon local time on Monday.",
            at,
        );
        assert_eq!(found[0].0.as_deref(), Some("2025-10-13T12:00:00+03:00"), "{found:?}");
        // The place the sentence names comes first; Tehran keeps its half hour.
        let found = deadlines(
            "Washington wants an answer. Iran has until 6 p.m. local time on Friday to respond, officials in Tehran said.",
            at,
        );
        assert_eq!(found[0].0.as_deref(), Some("2025-10-10T18:00:00+03:30"), "{found:?}");
        // A place named before "time" is that place's time.
        let found = deadlines("The offer lapses at 6 p.m. Seoul time on Friday.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-10-10T18:00:00+09:00"), "{found:?}");
        // No place with one civil time: the configured zone, as before.
        let found = deadlines("The hostages must be freed by noon local time on Monday.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-10-13T12:00:00+00:00"), "{found:?}");
    }

    #[test]
    fn a_title_names_the_measure_an_act_made_not_the_act() {
        let at = "2025-08-01T12:00:00Z";
        let found = deadlines(
            "President Donald Trump said he had signed an executive order that suspends the additional tariffs until 12:01 a.m. Eastern Standard Time on November 10.",
            at,
        );
        assert_eq!(found[0].2, "suspension of the additional tariffs ends", "{found:?}");
        let found = deadlines(
            "The State Department issued a 180-day waiver under the Caesar Act on Friday, so that foreign firms cannot be sanctioned.",
            at,
        );
        assert_eq!(found[0].0.as_deref(), Some("2026-01-28T23:59:59+00:00"), "{found:?}");
        assert_eq!(found[0].2, "State Department waiver under the Caesar Act expires", "{found:?}");
    }

    #[test]
    fn whose_deadline_and_what_a_licence_allows() {
        let at = "2025-08-01T12:00:00Z";
        let found = deadlines(
            "The cancellation came hours after a two-month deadline that Trump had set expired on Friday.",
            at,
        );
        assert_eq!(found[0].2, "Trump's two-month deadline expires", "{found:?}");
        let found = deadlines(
            "OFAC issued a general license authorizing transactions with Lukoil's retail stations until April 29.",
            at,
        );
        assert_eq!(found[0].2, "OFAC general license authorizing transactions with Lukoil's retail stations expires");
        let found = deadlines(
            "The U.S. Treasury extended a license allowing transactions with Serbia's NIS until March 24.",
            at,
        );
        assert!(found[0].2.contains("allowing transactions with Serbia's NIS"), "{found:?}");
        let found = deadlines(
            "Companies have a 90-day period after the order is issued to wind down those transactions by the end of the period.",
            at,
        );
        assert_eq!(found[0].2, "Companies to wind down those transactions", "{found:?}");
        // A list inside the measure's complement stays whole, with its commas.
        let found =
            deadlines("The sanctions on Rosneft, Lukoil and their subsidiaries take effect on November 21.", at);
        assert_eq!(found[0].2, "sanctions on Rosneft, Lukoil and their subsidiaries take effect", "{found:?}");
        let found = deadlines("Washington gave Belgrade until Friday to present a plan for the sale of NIS.", at);
        assert_eq!(found[0].2, "Serbia to present a plan for the sale of NIS", "{found:?}");
    }

    #[test]
    fn a_measure_due_in_a_span_counts_from_the_day_it_was_said() {
        let at = "2024-05-14T12:00:00Z";
        let found = deadlines("The new tariffs on Chinese electric vehicles will take effect in two weeks.", at);
        assert_eq!(found[0].0.as_deref(), Some("2024-05-28T23:59:59+00:00"), "{found:?}");
        let found = deadlines("The ban takes effect in a week.", at);
        assert_eq!(found[0].0.as_deref(), Some("2024-05-21T23:59:59+00:00"), "{found:?}");
        // Told after the fact, a span says nothing due.
        let found = deadlines("The ban took effect in two weeks, as planned.", at);
        assert!(found.iter().all(|d| d.0.as_deref() != Some("2024-05-28T23:59:59+00:00")), "{found:?}");
    }

    #[test]
    fn a_deadline_is_due_on_the_day_it_is_said_to_be() {
        let at = "2025-08-01T12:00:00Z";
        let found = deadlines("The deadline for Iran to respond to the proposal is Sunday, officials said.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-08-03T23:59:59+00:00"), "{found:?}");
        assert_eq!(found[0].2, "Iran to respond to the proposal", "{found:?}");
        let found = deadlines("Iran's deadline to respond was Aug. 31.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-08-31T23:59:59+00:00"), "{found:?}");
        // "had been set for Friday": a deadline told after it moved is due that day, superseded.
        let found = deadlines(
            "The deadline had been set for Friday following an earlier 15-day extension.",
            "2020-11-25T12:00:00Z",
        );
        assert_eq!(
            (found[0].0.as_deref(), found[0].1),
            (Some("2020-11-27T23:59:59+00:00"), Some("superseded")),
            "{found:?}"
        );
        // A copula whose subject is no deadline ties nothing.
        assert!(deadlines("The meeting with Iran's envoy is Sunday.", at).iter().all(|d| d.0.is_none()));
    }

    #[test]
    fn an_undertaking_names_the_demand_a_condition_does_not() {
        let at = "2025-07-14T16:00:00Z";
        let found = deadlines("Last month, Carney pledged to adjust Canada's counter-tariffs on steel by July 21.", at);
        assert!(found[0].2.starts_with("Carney to adjust Canada's counter-tariffs"), "{found:?}");
        let found = deadlines(
            "The president said secondary tariffs on countries buying Russian oil would take effect on July 24 unless Moscow agreed to a ceasefire.",
            at,
        );
        assert_eq!(found[0].2, "secondary tariffs on countries buying Russian oil take effect", "{found:?}");
    }

    #[test]
    fn a_measure_due_to_be_switched_back_on_and_a_year_end_deadline() {
        // Sunday 13 July 2025.
        let at = "2025-07-13T12:00:00Z";
        let found = deadlines("The EU's countermeasures were due to be switched back on this Monday.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-07-14T23:59:59+00:00"), "{found:?}");
        assert_eq!(found[0].2, "EU countermeasures switched back", "{found:?}");
        let found = deadlines("The retaliatory tariffs are due to be reinstated on Monday.", at);
        assert_eq!(found[0].2, "retaliatory tariffs reinstated", "{found:?}");
        // A report due to be published is no measure.
        assert!(deadlines("The report was due to be published on Monday.", at).is_empty());
        // "a year-end deadline" is due on the year's last day, not "a year" from now.
        let found = deadlines("Pyongyang told Washington to heed a year-end deadline for a new proposal.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-12-31T23:59:59+00:00"), "{found:?}");
    }

    #[test]
    fn a_meeting_named_before_a_comma_is_no_deadline() {
        let at = "2025-10-23T12:00:00Z";
        assert!(
            deadlines("The talks, set to begin on Saturday on the fringes of the ASEAN summit, will be the fifth.", at)
                .is_empty()
        );
        let found = deadlines("The tariffs, set to begin on Saturday, will hit cars.", at);
        assert_eq!(found[0].0.as_deref(), Some("2025-10-25T23:59:59+00:00"), "{found:?}");
    }

    #[test]
    fn two_tariffs_due_the_same_day_stay_apart() {
        let found = deadlines(
            "Canadian goods will face a 35 per cent U.S. tariff from Aug. 1. A day earlier, Trump said a 50 per cent tariff on copper imports would take effect on Aug. 1.",
            "2025-07-11T09:00:00Z",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        // One tariff told twice is one entry.
        let found = deadlines(
            "A 35 per cent tariff on Canadian goods takes effect on Aug. 1. The tariff on Canadian goods was announced in a letter; it takes effect on Aug. 1.",
            "2025-07-11T09:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn a_clock_time_retold_in_brackets_in_another_zone_gives_its_own() {
        // 4:15 a.m. ET in January is 09:15 UTC, so 11:15 local is UTC+2.
        let found = deadlines(
            "The Israeli government said the truce would take effect at 11:15 local time (4:15 a.m. ET), three hours late.",
            "2025-01-19T05:30:00-05:00",
        );
        assert_eq!(found[0].0.as_deref(), Some("2025-01-19T11:15:00+02:00"), "{found:?}");
        // The same moment across midnight: 8 p.m. on Friday is 0000 GMT on Saturday.
        let found = deadlines("The truce expires at 8 p.m. (0000 GMT) on Friday.", "2025-08-06T12:00:00Z");
        assert_eq!(found[0].0.as_deref(), Some("2025-08-08T20:00:00-04:00"), "{found:?}");
        // The local zone worked out carries to the next sentence's clock time, and a start
        // moved within the day leaves the old minute superseded beside the new one.
        let found = deadlines(
            "The truce would take effect at 11:15 local time (4:15 a.m. ET). The ceasefire had been meant to begin at 8:30 a.m. on Sunday.",
            "2025-01-19T05:30:00-05:00",
        );
        let dues: Vec<_> = found.iter().map(|f| (f.0.as_deref(), f.1)).collect();
        assert_eq!(
            dues,
            vec![(Some("2025-01-19T11:15:00+02:00"), None), (Some("2025-01-19T08:30:00+02:00"), Some("superseded"))],
            "{found:?}"
        );
    }

    #[test]
    fn what_would_have_to_be_stretched_past_a_day_ends_that_day() {
        let found = deadlines(
            "Vucic voiced fears that Washington would refuse to stretch the reprieve past September 26.",
            "2025-09-20T12:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0.as_deref(), found[0].2.as_str()), (Some("2025-09-26T23:59:59+00:00"), "reprieve ends"));
        let found = deadlines("The EU is expected to extend the sanctions beyond July 31.", "2025-07-01T10:00:00Z");
        assert_eq!(
            (found[0].0.as_deref(), found[0].2.as_str()),
            (Some("2025-07-31T23:59:59+00:00"), "EU sanctions up for renewal")
        );
        // A day passed is no end of anything, nor a stretch told as history.
        assert!(deadlines("Prices rose past March 3 levels.", "2025-07-01T10:00:00Z").is_empty());
        assert!(
            deadlines("The war has stretched past February 24, 2022, into its fourth year.", "2025-07-01T10:00:00Z")
                .is_empty()
        );
    }

    #[test]
    fn a_clock_time_with_no_zone_anywhere_is_on_the_articles_own_clock() {
        let found = deadlines(
            "The new rules apply from 6pm on Wednesday, 16 August, the statement said.",
            "2023-08-16T10:00:00+02:00",
        );
        assert_eq!(found[0].0.as_deref(), Some("2023-08-16T18:00:00+02:00"), "{found:?}");
        // A bare day still ends in the configured zone, and a zone the text names wins.
        let found = deadlines("The new rules apply from Wednesday, 16 August.", "2023-08-16T10:00:00+02:00");
        assert_eq!(found[0].0.as_deref(), Some("2023-08-16T23:59:59+00:00"), "{found:?}");
        let found = deadlines("The new rules apply from 6pm GMT on Wednesday, 16 August.", "2023-08-16T10:00:00+02:00");
        assert_eq!(found[0].0.as_deref(), Some("2023-08-16T18:00:00+00:00"), "{found:?}");
    }

    #[test]
    fn what_someone_is_bound_to_do_on_a_day_is_due_then() {
        // Sunday 19 January 2025: told after the fact, Saturday is the day before.
        let found = deadlines(
            "Under the deal, Hamas was supposed to provide that list on Saturday.",
            "2025-01-19T05:30:00-05:00",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.as_deref().is_some_and(|d| d.starts_with("2025-01-18")), "{found:?}");
        assert_eq!(found[0].2, "Hamas to provide that list", "{found:?}");
        // A deadline told as passed, with no day of its own, is no new entry.
        let found = deadlines(
            "After that deadline had passed, the group named three women it would release.",
            "2025-01-19T05:30:00-05:00",
        );
        assert_eq!(found, vec![]);
        // A meeting someone must attend is not made due by "must".
        let found = deadlines("Officials said the talks must resume on Monday in Geneva.", "2025-01-19T05:30:00-05:00");
        assert_eq!(found, vec![]);
        // Nor is a decision expected on a day.
        let found = deadlines("The package is supposed to be adopted on 23 February.", "2026-02-20T14:30:00+02:00");
        assert_eq!(found, vec![]);
    }

    #[test]
    fn an_extension_by_a_span_told_beside_the_old_day_is_due_that_long_after_it() {
        // Monday 27 November 2023: Tuesday is 28 November; two days more is 30 November.
        let found = deadlines(
            "Qatar said a deal had been reached to extend the humanitarian truce in Gaza for another two days. The truce had been due to expire on Tuesday morning.",
            "2023-11-27T12:30:00-05:00",
        );
        let dues: Vec<_> = found.iter().map(|f| (f.0.as_deref().map(|d| &d[..10]), f.1)).collect();
        assert_eq!(dues, vec![(Some("2023-11-30"), None), (Some("2023-11-28"), Some("superseded"))], "{found:?}");
        // A new day told nearby is the extension's own: nothing is added.
        let found = deadlines(
            "The truce was extended for another two days, until Thursday. It had been due to expire on Tuesday.",
            "2023-11-27T12:30:00-05:00",
        );
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn a_title_keeps_to_the_clause_of_its_date() {
        let at = "2026-01-26T16:00:00+01:00";
        let found = deadlines(
            "Imports of Russian gas by pipeline will be prohibited from 30 September 2027, while a complete ban on Russian LNG kicks in earlier.",
            at,
        );
        assert!(found[0].2.starts_with("Imports of Russian gas by pipeline"), "{found:?}");
        let found = deadlines(
            "Under the package, short-term LNG contracts have to be terminated by April 2026, while long-term contracts must come to an end by 1 January 2027.",
            at,
        );
        let last = found.last().expect("a deadline");
        assert!(last.2.starts_with("long-term contracts"), "{found:?}");
        assert!(!last.2.contains("package"), "{found:?}");
    }

    #[test]
    fn starts_told_as_bans_since_or_in_a_named_city_zone() {
        // A ban starting from a day, though no measure is named.
        let found = deadlines(
            "From 1 January, the 27 member states may no longer buy natural or synthetic diamonds coming directly from Russia.",
            "2023-12-18T20:00:00+03:00",
        );
        assert_eq!(found[0].0.as_deref(), Some("2024-01-01T23:59:59+00:00"), "{found:?}");
        // A measure's start told after it: "has applied since".
        let found = deadlines(
            "The lower ceiling replaces the $47.6 level that has applied since Sept. 3, 2025.",
            "2026-01-20T10:00:00Z",
        );
        assert_eq!(found[0].0.as_deref(), Some("2025-09-03T23:59:59+00:00"), "{found:?}");
        // "New York time" is US Eastern.
        let found = deadlines(
            "The duties on imported steel will kick in at 12:01am New York time on Friday March 23.",
            "2018-03-12T21:00:00Z",
        );
        assert_eq!(found[0].0.as_deref(), Some("2018-03-23T00:01:00-04:00"), "{found:?}");
    }

    #[test]
    fn a_demand_due_days_ago_is_this_years_not_the_next() {
        // Said on 7 May: "by May 2" is five days gone, not a year ahead.
        let found = deadlines(
            "At talks last month, Kinshasa and Kigali agreed to produce a draft peace deal by May 2.",
            "2025-05-07T00:00:00+06:00",
        );
        assert_eq!(found[0].0.as_deref().map(|d| &d[..10]), Some("2025-05-02"), "{found:?}");
        // "should … before" a day is a demand.
        let found = deadlines(
            "Blinken said Maduro should begin releasing political prisoners before the end of November.",
            "2023-10-19T09:00:00Z",
        );
        assert_eq!(found[0].0.as_deref().map(|d| &d[..10]), Some("2023-11-30"), "{found:?}");
    }
}
