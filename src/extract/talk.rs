//! Talk events: meetings, talks, negotiations, calls and visits between named parties,
//! with their status, date, place, tone and who reported them. What counts is written down
//! in GUIDELINES.md; this module finds the plain cases and leaves the rest alone.

use std::sync::LazyLock;

use regex::Regex;

use super::sentence::Sentence;
use super::timex::{Timex, TimexType};

/// A watched actor: canonical name, the other names it goes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub aliases: Vec<String>,
}

/// The watch list, with one matcher for all names and aliases built once (a 1,000-entry
/// list is one pass over a sentence, not a thousand).
#[derive(Debug, Default)]
pub struct Watch {
    actors: Vec<Actor>,
    /// One pattern per name or alias; `owner[i]` is the actor pattern `i` names.
    names: Option<regex::RegexSet>,
    owner: Vec<usize>,
}

/// An empty watch list.
pub static NO_ACTORS: Watch = Watch { actors: Vec::new(), names: None, owner: Vec::new() };

impl Watch {
    pub fn new(actors: Vec<Actor>) -> Watch {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        for (i, a) in actors.iter().enumerate() {
            for name in std::iter::once(&a.name).chain(&a.aliases) {
                patterns.push(format!(r"(?-u:\b){}(?-u:\b)", regex::escape(name)));
                owner.push(i);
            }
        }
        // Escaped literals always compile; the raised size limit keeps very long lists in one set.
        let names = (!patterns.is_empty())
            .then(|| regex::RegexSetBuilder::new(&patterns).size_limit(256 << 20).build().ok())
            .flatten();
        Watch { actors, names, owner }
    }

    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// Whether `text` names any watched actor.
    pub fn names_any(&self, text: &str) -> bool {
        self.names.as_ref().is_some_and(|n| n.is_match(text))
    }

    /// The watched actors `sentence` names.
    fn mentioned(&self, sentence: &str) -> Vec<&Actor> {
        let Some(names) = &self.names else { return Vec::new() };
        let mut found: Vec<usize> = names.matches(sentence).iter().map(|i| self.owner[i]).collect();
        found.dedup();
        found.into_iter().map(|i| &self.actors[i]).collect()
    }
}

/// Talks are model types: the ledger stores them as extracted.
pub use crate::model::Talk;

static TRIGGER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:talks|negotiations|discussions|meetings?|summit|phone\s+call|call\s+with|spoke\s+(?:by\s+phone\s+)?with|met(?:\s+with)?|meets|meet\s+with|will\s+meet|to\s+meet|visit(?:ed|s)?|conversations?)(?-u:\b)")
        .expect("trigger regex")
});

/// Things that look like meetings and are not.
static NOT_TALKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:meet(?:s|ing)?\s+(?:the\s+)?(?:targets?|demands?|deadlines?|goals?|requirements?|criteria|expectations?|needs?)|meeting\s+of\s+(?:the\s+)?minds|head-to-head|match|interview|press\s+conference|possible|would\s+like\s+to|should\s+be\s+organi[sz]ed|proposed|a\s+lot|often|usually)(?-u:\b)")
        .expect("exclusion regex")
});

/// A person named after a title: "US envoy Scott Witkoff", "Foreign Minister Sergei Lavrov".
static TITLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:[Ee]nvoy|President|Prime\s+Minister|Foreign\s+Minister|Minister|Secretary\s+of\s+State|Secretary|Chancellor|Premier|Ambassador|Senator|Gen\.|General|[Ll]eader|[Aa]ide|[Ss]pokesman|[Nn]egotiator|Vice\s+President)\s+((?:[A-Z][a-z'’-]+\s+){0,2}[A-Z][a-z'’-]+)")
        .expect("titled regex")
});

static PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:in|at)\s+((?:the\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?(?:,\s+[A-Z][a-z]+)?)")
        .expect("place regex")
});

static TONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:(?:very|highly|extremely|quite|really)\s+)?(?:constructive|productive|useful|positive|frank|candid|tense|cordial|friendly|difficult|substantive|warm|fruitful|businesslike|no\s+breakthrough)(?:\s+and\s+(?:constructive|productive|useful|positive|frank|candid|substantive|cordial))?(?-u:\b)")
        .expect("tone regex")
});

static REPORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:according\s+to|told|reported\s+by)\s+((?:the\s+)?[A-Z][A-Za-z0-9]*(?:\s+[A-Z0-9][A-Za-z0-9]*){0,2})|((?:[A-Z][A-Za-z0-9]*\s+){0,2}[A-Z0-9][A-Za-z0-9]*)\s+report(?:s|ed)(?-u:\b)")
        .expect("reported regex")
});

static PLANNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:will|'ll|to\s+meet|expected\s+to|plans?\s+to|set\s+to|set\s+for|scheduled|is\s+to|are\s+to|going\s+to)(?-u:\b)")
        .expect("planned regex")
});

/// A sentence that speaks of talks just described ("described the talks as tense").
static ANAPHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:the|those|these)\s+(?:talks|meetings?|discussions|conversations?|negotiations|visit|call|summit)(?-u:\b)")
        .expect("anaphor regex")
});

const NOT_PLACES: [&str; 10] = ["January", "February", "The", "A", "An", "This", "That", "Monday", "Friday", "Sunday"];

pub fn find(text: &str, sentences: &[Sentence], times: &[Timex], watch: &Watch) -> Vec<Talk> {
    // The fullest mention of each surname in the article: "Witkoff" is "Scott Witkoff".
    let full: Vec<String> =
        TITLED.captures_iter(text).filter_map(|c| c.get(1)).map(|m| bare_name(m.as_str())).collect();
    let fullest = |name: &str| -> String {
        let last = name.rsplit(' ').next().unwrap_or(name);
        full.iter().filter(|f| f.ends_with(last)).max_by_key(|f| f.len()).cloned().unwrap_or_else(|| name.to_owned())
    };
    let mut out: Vec<Talk> = Vec::new();
    let mut first_time = 0;
    // The talk the latest talk sentence described, and that sentence's index.
    let mut last: Option<(usize, usize)> = None;
    for (index, s) in sentences.iter().enumerate() {
        let sentence = &text[s.start..s.end];
        let Some(trigger) = TRIGGER.find(sentence) else { continue };
        if NOT_TALKS.is_match(sentence) {
            continue;
        }
        let mut participants: Vec<String> = Vec::new();
        let add = |list: &mut Vec<String>, name: String| {
            if !list.contains(&name) {
                list.push(name);
            }
        };
        for c in TITLED.captures_iter(sentence) {
            let Some(m) = c.get(1) else { continue };
            // "Kremlin aide Yuri Ushakov told TASS": the source of the report, not a party.
            let after = &sentence[m.end()..];
            if after.starts_with(" told") || after.starts_with(" said") || after.starts_with(", said") {
                continue;
            }
            add(&mut participants, fullest(&bare_name(m.as_str())));
        }
        for actor in watch.mentioned(sentence) {
            if !participants.iter().any(|p| same_person(p, &actor.name, &actor.aliases)) {
                add(&mut participants, fullest(&actor.name));
            }
        }
        if participants.len() < 2 {
            // "Diplomats described the talks as tense.": more about the talk just told, unless
            // the sentence has a time of its own ("the talks in Geneva last year").
            let from = times.partition_point(|t| t.start < s.start);
            let own_time = times.get(from).is_some_and(|t| t.end <= s.end);
            if let Some((talk, at)) = last
                && index <= at + 2
                && !own_time
                && ANAPHOR.is_match(sentence)
            {
                let same = &mut out[talk];
                for m in TONE.find_iter(sentence) {
                    if !same.tone.iter().any(|x| x.eq_ignore_ascii_case(m.as_str())) {
                        same.tone.push(m.as_str().to_owned());
                    }
                }
            }
            continue;
        }
        while first_time < times.len() && times[first_time].start < s.start {
            first_time += 1;
        }
        let date = times[first_time..]
            .iter()
            .take_while(|t| t.start < s.end)
            .find(|t| {
                matches!(t.kind, TimexType::Date | TimexType::Time)
                    && t.value.as_bytes().first().is_some_and(u8::is_ascii_digit)
            })
            .map(|t| t.value.get(..10).unwrap_or(&t.value).to_owned());
        let place = PLACE
            .captures_iter(&sentence[trigger.start()..])
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str().trim_start_matches("the ").to_owned())
            .find(|p| {
                !NOT_PLACES.iter().any(|n| p.starts_with(n)) && !participants.iter().any(|x| x.contains(p.as_str()))
            });
        let tone: Vec<String> = TONE.find_iter(sentence).map(|m| m.as_str().to_owned()).collect();
        let reported_by = REPORTED
            .captures(sentence)
            .and_then(|c| c.get(1).or_else(|| c.get(2)))
            .map(|m| m.as_str().trim_start_matches("the ").to_owned());
        let status = if PLANNED.is_match(sentence) { "planned" } else { "held" };
        let actors_matched: Vec<String> = watch
            .actors
            .iter()
            .filter(|a| participants.iter().any(|p| same_person(p, &a.name, &a.aliases)))
            .map(|a| a.name.clone())
            .collect();
        let talk = Talk {
            participants,
            actors: actors_matched,
            status,
            date,
            place,
            tone,
            reported_by,
            evidence: sentence.trim().to_owned(),
            start: s.start,
            end: s.end,
        };
        last = Some((merge(&mut out, talk), index));
    }
    out
}

/// One meeting described in several sentences is one event: same people, same status.
/// Returns the index of the event in `out`.
fn merge(out: &mut Vec<Talk>, talk: Talk) -> usize {
    let key = |t: &Talk| {
        let mut k: Vec<String> = t.participants.iter().map(|p| p.rsplit(' ').next().unwrap_or(p).to_owned()).collect();
        k.sort();
        k
    };
    if let Some((index, same)) = out.iter_mut().enumerate().find(|(_, o)| {
        key(o) == key(&talk)
            && o.status == talk.status
            && (o.date == talk.date || o.date.is_none() || talk.date.is_none())
    }) {
        for t in talk.tone {
            if !same.tone.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
                same.tone.push(t);
            }
        }
        same.date = same.date.take().or(talk.date);
        same.place = same.place.take().or(talk.place);
        same.reported_by = same.reported_by.take().or(talk.reported_by);
        return index;
    }
    out.push(talk);
    out.len() - 1
}

/// A name without a possessive ending: "Witkoff’s" is "Witkoff".
fn bare_name(name: &str) -> String {
    name.trim_end_matches("’s").trim_end_matches("'s").to_owned()
}

fn same_person(mention: &str, name: &str, aliases: &[String]) -> bool {
    let last = |s: &str| s.rsplit(' ').next().unwrap_or(s).to_owned();
    mention == name || aliases.iter().any(|a| a == mention) || last(mention) == last(name)
}
