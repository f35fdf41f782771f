//! Talk events: meetings, rounds of talks, negotiations, calls, visits and summits between
//! named parties, with their status, date, place, tone and who reported them. What counts
//! is written down in GUIDELINES.md.
//!
//! Each sentence that tells of a talk ("met", "held talks", "a call with", "the second
//! round", "will meet", "hosted") gives a candidate with the parties it names: people
//! (titled or not, later by surname), countries and their capitals or seats as metonyms,
//! blocs and bodies, groups ("Japanese and South Korean trade officials", "his E3
//! counterparts"). Sentences about one meeting join one event: the same parties (a
//! minister counts for their country), a compatible day and status, or "the talks"
//! referring back.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use super::gazetteer::Form;
use super::names::{self, Mention, Named, OUTLETS, Watch, Word};
use super::sentence::Sentence;
use super::timex::{Timex, TimexType, floor_char_boundary};

pub use super::names::{Actor, NO_ACTORS};
/// Talks are model types: the ledger stores them as extracted.
pub use crate::model::Talk;

/// Words and phrases that tell of a talk.
static TRIGGER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?-i:met|Met)|meet(?:s|ing|ings)?|talks|negotiations?|negotiat(?:ed|ing)|(?:phone|telephone|video)\s+(?:calls?|conversations?|talks)|calls?\s+with|call\s+between|(?-i:called\s+(?:him|her|them|[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+(?:on|to|late|early|earlier|last|this|from|yesterday|today))|(?:a|the|their)\s+call|phoned|spoke|speak(?:s|ing)?\s+(?:with|to|by|again)|talk(?:ing)?\s+(?:with|to|again)|talked|(?:expected|due|set|scheduled|going|planning|plans?|agreed)\s+to\s+(?:talk|speak)|host(?:ed|s|ing)?|receiv(?:e|es|ed|ing)|one-on-one|face-to-face|sit-down|visit(?:ed|s|ing)?|summit|(?:re)?conven(?:e|es|ed|ing)|(?-i:welcom(?:ed|es|ing)\s+(?:[A-Z][\w'’-]*|his|her|their))|consultations|discussions|conversations?|spoken|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|latest|next|new|another|final|fresh)\s+round|rounds?\s+of|sat\s+down|sat\s+with|(?:got|get|gets|getting)\s+together|sit(?:s|ting)?\s+down\s+with|discuss(?:ed|es)?\s+(?:[^.,;]{0,50}?\s)?with|tete-a-tete|(?:travel(?:s|ed|led|ing|ling)?|trip|fly|flew|flies)\s+to|(?-i:saw\s+(?:[A-Z][\w'’-]*|his|her|their))|(?-i:(?:due|set|scheduled|expected)\s+to\s+see\s+(?:[A-Z][\w'’-]*|his|her|their))|sp[ea]nt?\s+(?:[\w-]+\s+){0,4}?(?:hours?|minutes|days?)\s+with)(?-u:\b)",
    )
    .expect("trigger regex")
});

/// Sentences about something else that uses talk words (interviews, speeches, sport,
/// commerce: GUIDELINES.md "Does not count"), or that call the talks off, wherever these
/// are in the sentence.
static NOT_TALKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:interviews?|press\s+conference|news\s+conference|press\s+briefing|speech|scrapped|cancel(?:l)?ed|called\s+off|(?:cut|cuts|cutting|broke|broken|breaking|breaks)\s+off|no\s+date|not\s+(?:now\s+)?go\s+ahead|match|matches|tournament|league|(?:asia|world|davis|ryder)\s+cup|cricket|football|olympics?|innings|testif(?:y|ies|ied|ying)\s+before|(?:appearing|appeared|appears)\s+on\s+(?:[A-Z][\w'’]*\s+){0,4}(?:[\w'’]+\s+)?(?:channel|tv|television|radio|show|programme|program)|(?:a|the|daily|regular|weekly|media|his|her|their)\s+briefing|briefing\s+(?:reporters|journalists|the\s+press|the\s+media|lawmakers)|pulled\s+out\s+of|head-to-head|the\s+sale\s+of|about\s+buying|buying\s+(?:its|the)|acquire|acquisition|takeover|merger|to\s+buy|(?:with|potential|prospective|possible)\s+buyers?|shareholders?|(?:conference|earnings|investor)\s+call|(?:the\s+|his\s+|her\s+|a\s+)?(?:cabinet|parliament|congress|senate|politburo|jury)\s+(?:met|meets|will\s+meet|convened|convenes))(?-u:\b)",
    )
    .expect("exclusion regex")
});

/// What makes the talk word itself no talk (a hope, a refusal, a habit), when it is in the talk word's own clause: "might meet" is no meeting, but
/// "met on Tuesday, and said a deal might follow" is one.
static NOT_THIS_TALK: LazyLock<Regex> = LazyLock::new(|| {
    super::large_regex(
        r"(?i)(?-u:\b)(?:meet(?:s|ing)?\s+(?:the\s+|its\s+|their\s+|all\s+)?(?:[a-z]+\s+){0,2}(?:targets?|demands?|deadlines?|goals?|requirements?|criteria|expectations?|needs?|conditions?|obligations?|standards?|thresholds?|terms|commitments?|pledges?|promises?|quotas?|benchmarks?)|(?:conditions|demands|requirements|criteria|targets|terms|obligations|standards|benchmarks)\s+(?:that\s+|which\s+)?(?:[\w'’-]+\s+){1,5}?(?:to\s+meet|must\s+meet|(?:not|never)\s+(?:meet|met))|(?:comments?|remarks?|views|questions?|updates?|briefings?|reports?|statements?)\s+(?:on|about)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}?(?:talks|negotiations|diplomacy)|meeting\s+of\s+(?:the\s+)?minds|negotiat\w*\s+(?:a|an|its|their)\s+(?:[\w-]+\s+)?(?:waivers?|exemptions?|licen[cs]es?|carve-?outs?)|(?:in|during|for|of)\s+(?:the\s+|their\s+|its\s+)?(?:[\w'’]+\s+)?future\s+(?:talks|conversations|meetings|contacts|negotiations)|(?:have|has|had|need|needs)\s+to\s+negotiate|(?:give|gives|giving|gave|allow|allows|more|buy|buys)\s+(?:time\s+for\s+)?(?:the\s+)?(?:talks|negotiations|diplomacy)\s+(?:another|more|a\s+further|an\s+extra|an\s+additional|time|until|to)|(?:time|window|room)\s+for\s+(?:more\s+)?(?:talks|negotiations|diplomacy)|as\s+(?:the\s+)?host|host\s+(?:country|city|nation|broadcaster)|met\s+(?:with\s+)?(?:[a-z]+\s+){0,2}?(?:resistance|opposition|criticism|skepticism|scepticism|protests?|backlash|objections?|approval|disapproval|condemnation|silence|derision|resolve|indifference|setbacks?|success|failure)|(?:talks|negotiations)\s+with\s+(?:[\w'’-]+\s+){1,3}?(?:are|is|were|was|would\s+be)\s+(?:\x22|“|')?(?:not|never|pointless|useless|meaningless|futile|unacceptable|impossible|a\s+waste|a\s+mistake|a\s+trap|out\s+of)|(?:possible|potential|proposed)\s+(?:[\w'’-]+\s+){0,3}?(?:talks|meetings?|summit|negotiations|calls?|visit|round|trip|conversations?|sit-down|encounter)|(?:is|was|be|are|were)\s+(?:still\s+|also\s+)?(?:possible|not\s+impossible)|possibility|proposal\s+for|suggested|would\s+like|hopes?\s+to|hoping\s+to|had\s+hoped\s+to|wants?\s+to\s+(?:meet|talk|hold|resume|restart|reopen|revive)|(?:up\s+for|open\s+to|subject\s+to)\s+(?:debate\s+or\s+|discussion\s+or\s+)?negotiation|(?:ready|willing|open|prepared)\s+to\s+(?:keep\s+|continue\s+)?(?:meet|talk|hold|negotiate|resume|mediat(?:e|ing)|host)|(?:space|room|options?|ways?|chance|basis|path|door|road)\s+(?:for|to)\s+(?:[\w-]+\s+)?(?:negotiat\w*|talks)|speculation\s+(?:over|about|on)|(?:meet\w*|talk\w*|negotiat\w*)\s+with\s+(?:many|several|various|numerous|multiple|other|a\s+number\s+of|dozens\s+of)\s+(?:countries|nations|governments|partners)|no\s+(?:exact\s+|precise\s+|firm\s+)?(?:timing|timeline|timetable)|no\s+(?:direct\s+|formal\s+|face-to-face\s+|official\s+)?(?:negotiations|meetings|contacts)|(?:would|will|could|did)\s+not\s+(?:host|meet|hold|attend)|won't\s+(?:host|meet|hold|attend)|(?:spoke|spoken|speaks)\s+of|(?:who|whoever)\s+negotiat\w*|(?:agreement|deal|treaty|accord|pact)\s+(?:that\s+)?(?:[\w'’-]+\s+){0,5}negotiated|receiv(?:e|es|ed|ing)\s+(?:[\w'’-]+\s+){0,3}(?:licen[cs]es?|approvals?|permission|aid|money|funds|payments?|support|awards?|prizes?|shipments?|letters?|messages?|waivers?|exemptions?|visas?|orders?|deliveries|assistance|drafts?|(?:peace\s+)?proposals?|plans?|documents?|reports?|requests?|responses?|repl(?:y|ies)|notes?|cop(?:y|ies)|offers?|guarantees?|assurances?|answers?|updates?|information|news|word|lists?|names|hostages|captives|prisoners|bodies|remains|care|treatment|resources|goods|assets|funds|cargo(?:es)?|imports|revenues?|income|investments?|oil|gas|fuel|equipment|weapons|arms|components|chips)|receiv(?:e|es|ed|ing)\s+(?:no\s+more\s+than|up\s+to|at\s+most|at\s+least|more\s+than|less\s+than|nearly|almost|[0-9$€£])|(?:can|could|may|will|must)\s+(?:no\s+longer|not)\s+travel|(?:banned|barred)\s+from\s+travel\w*|travel\s+bans?|could\s+(?:meet|hold)|(?:meeting|summit|talks|negotiations)\s+could|might|may\s+(?:meet|hold)|no\s+plans?|no\s+(?:occasion|reason|need|intention|interest|point)\s+(?:for|to|of|in)\s+(?:[\w'’-]+\s+){0,6}?(?:meet\w*|talk\w*|hold\w*|negotiat\w*|discuss\w*|dialogue|speak\w*)|not\s+planning|refused\s+to|declined\s+to|never\s+met|has\s+not\s+met|have\s+not\s+met|did\s+not\s+meet|no\s+talks|without\s+talks|often|usually|regularly|frequently|a\s+lot|routinely|prepared\s+to\s+meet|(?:who|he|she)\s+talks|talks\s+(?:nicely|tough|big|too\s+much)|invit(?:e|es|ed|ing|ation)|keeps?\s+up|kept\s+up|(?:keep|keeps|kept|keeping|continue|continues|continued|continuing)\s+(?:negotiating|talking)|hoping\s+for|hopes\s+for|rule\s+out|series\s+of|not\s+yet|negotiating\s+table|(?:were|are|is)\s+over|(?:speak|talk)(?:s|ing)?\s+to\s+(?:reporters|journalists|the\s+press|the\s+media|lawmakers|students|an\s+audience)|speaking\s+against|letters?|(?:back|return(?:ed|ing)?)\s+to\s+(?:the\s+)?(?:[a-z-]+\s+)?(?:talks|negotiations|negotiating\s+table)|rounds?\s+of\s+(?:[a-z-]+\s+)?(?:sanctions|tariffs?|duties|strikes|airstrikes|air\s+strikes|attacks|shelling|fighting|layoffs|voting|elections?|cuts|hikes|increases|funding|aid|measures|restrictions|penalties|designations|listings|prisoner\s+swaps?|exchanges|hostage\s+releases?|releases|tests?|testing|applause|stimulus|easing|tightening|bids?|bidding|financing|investment)|no\s+(?:meeting|meetings|call|calls|summit|negotiations|plans?\s+to\s+meet)|(?:talks|negotiations|discussions|negotiating|talking)\s+with\s+(?:the\s+)?(?:platform|company|companies|firm|firms|app|buyers?|bidders?|investors?|carmakers?|automakers?|chipmakers?|lenders?|creditors?|bondholders?|unions?)|(?:talk|talks|talking|speak|speaks|speaking|spoke|meet|meets|met|meeting)\s+(?:to|with)\s+(?:[a-z'’-]+\s+){0,3}?(?:chief\s+executives?|ceos?|executives|bosses|shareholders)|(?:heads?|chiefs?|bosses)\s+of\s+(?:the\s+)?(?:two\s+|both\s+)?(?:companies|firms)|(?:two|both)\s+companies|restrict(?:s|ed|ing)?\s+(?:[a-z'’-]+\s+){0,2}?travel|propos(?:e|es|ed|ing)\s+(?:to\s+(?:[\w'’-]+\s+){1,4}?)?that|propos(?:e|es|ed|ing)\s+(?:to\s+)?(?:hold|holding|meet|meeting)|work(?:s|ed|ing)?\s+(?:towards?|for)\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:meeting|summit)|(?:cabinet|board|staff|party|caucus|politburo|faculty)\s+meetings?|(?:two|three|four|five|six|seven|eight|nine|ten|several|multiple|numerous|many|\d+)\s+(?:[a-z-]+\s+){0,2}?(?:rounds|meetings|calls|summits|sessions|conversations|encounters)(?:\s+of\s+(?:[a-z-]+\s+){0,3}?(?:talks|negotiations|discussions|consultations))?|met\s+(?:[a-z]+\s+){0,2}?(?:twice|(?:three|four|five|several|many|\d+)\s+times|on\s+(?:several|many|numerous)\s+occasions)|(?:halted|froze|derailed|torpedoed|revive|reviving|salvage|salvaging|rescue|rescuing|unblock|unfreeze|jump-?start|kick-?start)\s+(?:the\s+|all\s+|those\s+)?(?:[a-z-]+\s+){0,2}?(?:talks|negotiations|dialogue)|(?:(?:put|puts|putting)\s+off|postpon(?:e|es|ed|ing))\s+(?:his|her|their|its|the)\s+(?:[\w-]+\s+){0,2}?(?:trip|visit|travel)|deadlines?\s+for\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:talks|negotiations)|as\s+(?:many\s+times|often)\s+as|(?:weeks|months|years|decades)\s+of\s+(?:[a-z-]+\s+){0,2}?(?:talks|negotiations|discussions|diplomacy|wrangling|haggling)|any\s+(?:[a-z-]+\s+){0,2}?(?:talks|negotiations|meetings?|summit|discussions|round)|(?:sale|sales|purchase|divestment|acquisition|buyout|merger|takeover|contract|pricing)\s+(?:talks|negotiations))(?-u:\b)",
    )
    .expect("exclusion regex")
});

/// A condition before the talk word: "if the two sides close a deal, he would meet Xi".
static CONDITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)(?:if|unless|whether)(?-u:\b)").expect("condition regex"));

/// Whether the words before a talk word make it hang on a condition: "if the two sides
/// close a deal, he would meet Xi", but not "if there is no deal, it goes to the ministers,
/// who meet on January 27" (a relative clause tells a fact of its own).
fn conditional(before: &str) -> bool {
    CONDITION.find_iter(before).last().is_some_and(|m| {
        let rest = &before[m.end()..];
        ![", who ", ", which ", ", where ", ", when "].iter().any(|w| rest.contains(w))
    })
}

/// A trip, which brings talks but does not date them when the talks are told too.
fn travel(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    ["travel", "trip", "fly", "flew", "flies"].iter().any(|w| lower.starts_with(w))
}

/// The talks themselves: "talks", "negotiations", "a meeting", "the summit".
fn talk_noun(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    ["talks", "negotiations", "meeting", "summit", "consultations"].contains(&lower.as_str())
}

/// A day named outright: "on Saturday", "on June 3", "next week".
static DAY_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|(?:this|next|last)\s+week|today|yesterday|tomorrow|(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2})(?-u:\b)")
        .expect("day-named regex")
});

/// Whether the talk word's own clause makes it no talk. A return to talks voids only the
/// talk it names: "spoke with Araghchi about returning to negotiations" is a call.
fn voided(sentence: &str, start: usize, end: usize) -> bool {
    let clause = clause_around(sentence, start, end);
    let offset = clause.as_ptr() as usize - sentence.as_ptr() as usize;
    NOT_THIS_TALK.find_iter(clause).any(|m| {
        let lower = m.as_str().to_ascii_lowercase();
        let returning = lower.starts_with("back") || lower.starts_with("return");
        // "met Putin … and proposed that Kyiv cede the Donbas": a proposal voids only the
        // talk it proposes, after it.
        if lower.starts_with("propos") && offset + m.end() > start {
            return false;
        }
        let own_word = own_word(&lower);
        // "their two sessions", "the two meetings": one talk told in parts; "had two phone
        // conversations with Lutnick on Saturday": two talks of a day, not a tally.
        let counted = tally(&lower) && {
            let before = clause[..m.start()].to_ascii_lowercase();
            let previous = before.split(|c: char| !c.is_alphanumeric()).rfind(|w| !w.is_empty()).unwrap_or("");
            ["the", "their", "these", "those", "both", "its", "his", "her", "first", "last"].contains(&previous)
                || DAY_NAMED.is_match(&clause[m.end()..])
        };
        if counted {
            return false;
        }
        // "received the Saudi oil minister": the noun names the visitor's office.
        let office_after = lower.starts_with("receiv")
            && clause[m.end()..].split_whitespace().next().is_some_and(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric()).to_ascii_lowercase();
                NO_ACTORS.is_title_word(&w) || NO_ACTORS.is_party_noun(&w)
            });
        // "a seventh round of tariff talks" is talks, not a round of tariffs.
        let of_talks = lower.starts_with("round") && {
            let rest = clause[m.end()..].trim_start().to_ascii_lowercase();
            rest.starts_with("talks") || rest.starts_with("negotiations")
        };
        // "…would speak with Putin as Budapest got ready to host the meeting": a clause
        // of its own after the talk word says nothing of it.
        let own_clause = offset + m.start() >= end && {
            let between = sentence[end..offset + m.start()].to_ascii_lowercase();
            [" as ", " while ", " because ", " since ", " when ", " after ", " before "]
                .iter()
                .any(|w| between.contains(w))
        };
        // "had accepted an invitation from Sweden to come back for talks": a plan agreed.
        let accepted = lower.starts_with("invit") && {
            let before = clause[..m.start()].to_ascii_lowercase();
            let words: Vec<&str> = before.split_whitespace().rev().take(3).collect();
            words.iter().any(|w| w.starts_with("accept")) && !words.iter().any(|w| ["not", "never"].contains(w))
        };
        !of_talks
            && !office_after
            && !own_clause
            && !accepted
            && (!(returning || own_word) || (offset + m.start() < end && start < offset + m.end()))
    })
}

/// Whether an exclusion that speaks only of the words it holds ("five rounds of talks",
/// "a cabinet meeting") holds the talk word at `start..end` of `sentence`.
fn self_voided(sentence: &str, start: usize, end: usize) -> bool {
    let clause = clause_around(sentence, start, end);
    let offset = clause.as_ptr() as usize - sentence.as_ptr() as usize;
    voided(sentence, start, end)
        && NOT_THIS_TALK
            .find_iter(clause)
            .any(|m| offset + m.start() < end && start < offset + m.end() && own_word(&m.as_str().to_ascii_lowercase()))
}

/// Exclusions that say what the talk word they hold is, not the other talk words of the
/// clause: "met Fidan after a cabinet meeting", "will meet to work towards a summit",
/// "held five rounds of talks".
fn own_word(lower: &str) -> bool {
    lower.starts_with("work")
        // "before the August 1 deadline for tariff negotiations": the deadline's talks.
        || lower.starts_with("deadline")
        || [
            "halted ",
            "froze ",
            "derailed ",
            "torpedoed ",
            "reviv",
            "salvag",
            "rescu",
            "unblock ",
            "unfreeze ",
            "jump",
            "kick",
        ]
        .iter()
        .any(|w| lower.starts_with(w))
        || ["cabinet ", "board ", "staff ", "party ", "caucus ", "politburo ", "faculty "]
            .iter()
            .any(|w| lower.starts_with(w))
        || tally(lower)
        || met_condition(lower)
        || ["comment", "remark", "views ", "question", "update", "briefing", "report", "statement"]
            .iter()
            .any(|w| lower.starts_with(w))
        // "after weeks of talks failed", "central to any negotiations", "the sale talks": a
        // stretch of talks, talks that may never be, a company's deal.
        || [
            "weeks ",
            "months ",
            "years ",
            "decades ",
            "any ",
            "sale",
            "purchase ",
            "divestment ",
            "acquisition ",
            "buyout ",
            "merger ",
            "takeover ",
            "contract ",
            "pricing ",
        ]
        .iter()
        .any(|w| lower.starts_with(w))
}

/// "conditions that the Maduro government had failed to meet": the idiom told backwards.
fn met_condition(lower: &str) -> bool {
    [
        "conditions ",
        "demands ",
        "requirements ",
        "criteria ",
        "targets ",
        "terms ",
        "obligations ",
        "standards ",
        "benchmarks ",
    ]
    .iter()
    .any(|w| lower.starts_with(w))
        && (lower.ends_with("meet") || lower.ends_with("met"))
}

/// "five rounds of talks", "several meetings": a count of talks.
fn tally(lower: &str) -> bool {
    (lower.starts_with("met ") && ["twice", "times", "occasions"].iter().any(|w| lower.ends_with(w)))
        || lower.starts_with(|c: char| c.is_ascii_digit())
        || [
            "two ",
            "three ",
            "four ",
            "five ",
            "six ",
            "seven ",
            "eight ",
            "nine ",
            "ten ",
            "several ",
            "multiple ",
            "numerous ",
            "many ",
        ]
        .iter()
        .any(|w| lower.starts_with(w))
}

/// The word right before `at`, lowercased, without a trailing comma: "correspondent" in
/// "Axios correspondent Barak Ravid".
fn word_before(text: &str, at: usize) -> String {
    let lo = floor_char_boundary(text, at.saturating_sub(40));
    text[lo..at].split_whitespace().last().unwrap_or("").trim_end_matches(',').to_ascii_lowercase()
}

/// What ends a clause: a comma, semicolon, colon, bracket or dash.
const CLAUSE_BREAKS: [char; 7] = [',', ';', ':', '(', ')', '\u{2014}', '\u{2013}'];

/// The clause of `sentence` around the talk word at `start..end`: up to the nearest comma,
/// semicolon, colon, dash or bracket on either side.
fn clause_around(sentence: &str, start: usize, end: usize) -> &str {
    let is_break = |c: char| CLAUSE_BREAKS.contains(&c);
    let from = sentence[..start].char_indices().rev().find(|&(_, c)| is_break(c)).map_or(0, |(i, c)| i + c.len_utf8());
    let to = sentence[end..].find(is_break).map_or(sentence.len(), |i| end + i);
    &sentence[from..to]
}

/// Talk is planned, not held.
static PLANNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:will|'ll|to\s+(?:meet|hold|visit|host|travel|attend|come\s+back|return)|expected\s+(?:to|in|at)|plans?\s+to|planned|set\s+to|set\s+for|scheduled|is\s+to|are\s+to|due\s+to\s+(?:meet|hold|visit|host|receive|resume|begin|start|take|open|get)|going\s+to|would\s+(?:meet|hold|host|travel|visit|speak|talk|call|phone|receive|come\s+back|return)|upcoming|forthcoming|next\s+round|shall|intends?\s+to|aims?\s+to|is\s+due|are\s+due|(?:when|before|once)\s+(?:he|she|they|we|i)\s+(?:meets|meet|visits|visit|hosts|host|sees|see|travels|travel))(?-u:\b)")
        .expect("planned regex")
});

static TONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:(?:very|highly|extremely|quite|really|rather|largely|generally)\s+)?(?:constructive|productive|useful|positive|frank|candid|tense|cordial|friendly|difficult|substantive|warm|fruitful|businesslike|business-like|respectful|serious|detailed|good|great|excellent|encouraging|open|honest|no\s+breakthrough|inconclusive|heated|acrimonious)(?:\s+and\s+(?:(?:very|highly)\s+)?(?:constructive|productive|useful|positive|frank|candid|substantive|cordial|friendly|respectful|serious|detailed|fruitful|good|open|honest))?(?-u:\b)")
        .expect("tone regex")
});

/// Tone words only count when they speak of the talks themselves.
static TONE_OF_TALKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:talks?|meetings?|discussions?|conversations?|call|negotiations|round|session|dialogue|exchange|atmosphere|described|called|was|were|held|had|a)(?-u:\b)")
        .expect("tone context regex")
});

static REPORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:according\s+to|told|reported\s+by)\s+((?:the\s+)?[A-Z][A-Za-z0-9]*(?:\s+[A-Z0-9][A-Za-z0-9]*){0,2})|((?:[A-Z][A-Za-z0-9]*\s+){0,2}[A-Z0-9][A-Za-z0-9]*)\s+(?:news\s+agency\s+)?report(?:s|ed)(?-u:\b)")
        .expect("reported regex")
});

/// A sentence that speaks of talks just described ("described the talks as tense").
static ANAPHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:the|those|these|that|this|their|today's|yesterday's)\s+(?:[a-z]{3,9}\.?\s+[0-9]{1,2}(?:st|nd|rd|th)?\s+)?(?:talks|meetings?|discussions|conversations?|negotiations|visit|call|phone\s+call|summit|session|round)|the\s+two\s+(?:sides|leaders|men|ministers|delegations)|both\s+sides|the\s+sides(?-u:\b)")
        .expect("anaphor regex")
});

/// The sentences to read, each with its index; a sentence with talk words in two clauses
/// is split at the break between them.
fn clauses(text: &str, sentences: &[Sentence], triggers: &[(usize, usize)]) -> Vec<(usize, Sentence)> {
    static BREAK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i),\s+(?:and|while|but|after|before|then)\s+|;\s+|\s+and\s+(?:separately|then|later|also|afterwards)\s+|,\s+and\s+that\s+|^(?:after|before|following|ahead\s+of|when)\s[^,]{3,120}(,)\s+")
            .expect("clause regex")
    });
    let mut out = Vec::with_capacity(sentences.len());
    for (index, s) in sentences.iter().enumerate() {
        let from = triggers.partition_point(|t| t.0 < s.start);
        let inside: Vec<&(usize, usize)> = triggers[from..].iter().take_while(|t| t.1 <= s.end).collect();
        if inside.len() < 2 {
            out.push((index, *s));
            continue;
        }
        let sentence = &text[s.start..s.end];
        let mut start = s.start;
        for c in BREAK.captures_iter(sentence) {
            let Some(m) = c.get(0) else { continue };
            let at = s.start + c.get(1).map_or(m.start(), |g| g.start());
            // Split only where a talk word lies on both sides.
            let left = inside.iter().any(|t| t.0 >= start && t.1 <= at);
            let right = inside.iter().any(|t| t.0 >= s.start + m.end());
            if left && right {
                out.push((index, Sentence { start, end: at }));
                start = s.start + m.end();
            }
        }
        out.push((index, Sentence { start, end: s.end }));
    }
    out
}

/// A day named before, referred to again.
/// Told as it happens or just after: talks that "finished", "have come to an end", "are
/// meeting" happened on the day of the report when the sentence names no other time.
static JUST_NOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:finished|wrapped\s+up|(?:have|has)\s+(?:come\s+to\s+an\s+end|ended|concluded|begun|started|opened)|(?:had|has|have)\s+just\s+(?:come|got|gotten)\s+(?:off|out\s+of)\s+(?:a|an|the|his|her|their)\s+(?:[\w-]+\s+){0,2}?(?:call|meeting|talks|conversation)|(?:had|has|have)\s+just\s+hung\s+up|just\s+(?:came|got)\s+off\s+(?:a|the)\s+(?:[\w-]+\s+)?call|(?:had|has|have)\s+just\s+(?:spoken|spoke|talked|met)|(?:are|is)\s+(?:now\s+)?(?:meeting|holding\s+talks|in\s+talks|talking\s+(?:to|with)|negotiating\s+with))(?-u:\b)")
        .expect("just-now regex")
});

static SAME_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:(?:that|the\s+same|that\s+same)\s+(?:day|morning|afternoon|evening|night)|(?:just|only|mere|few|several|two|three|four|five|six|signed|came|held)\s+(?:hours|minutes)\s+(?:after|before)|moments\s+(?:after|before))(?-u:\b)")
        .expect("same-day regex")
});

/// "they" in a clause that names no one: the sides its sentence names.
static THEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u:\b)(?:they|They)\s").expect("they regex"));

/// A sentence whose subject is a person named before.
static PRONOUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u:\b)(?:He|She|he|she)\s").expect("pronoun regex"));

/// Whether `before` has a "he" or "she" that stands for a person: "He Lifeng met Bessent"
/// names China's vice premier by his surname, not a man told of before.
fn pronoun_in(before: &str) -> bool {
    PRONOUN.find_iter(before).any(|m| !surname_he(&before[m.start()..]))
}

/// Whether `before`, the words of a sentence before its talk word, is a possessive "His" or
/// "Her" and at most two words: "His first meeting was with…", "Her talks with…".
fn possessive_opening(before: &str) -> bool {
    let mut words = before.split_whitespace();
    matches!(words.next(), Some("His" | "Her")) && words.count() <= 2
}

/// Whether `clause` opens with a subordinate clause or a participle ("After he met…",
/// "Speaking after he met…"), whose "he" may be the subject named after it.
fn opens_subordinate(clause: &str) -> bool {
    let first = clause.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    ["after", "as", "when", "while", "before", "since", "once", "following", "having"].contains(&first.as_str())
        || (first.len() > 5 && first.ends_with("ing"))
}

/// Whether the text from a "He" on names a person of that surname: "He" and a capitalized
/// name right after it ("He Lifeng", "He Yafei").
fn surname_he(from: &str) -> bool {
    from.strip_prefix("He ").is_some_and(|rest| {
        let next = rest.split(|c: char| !c.is_alphanumeric() && c != '-').next().unwrap_or("");
        next.len() > 2
            && next.starts_with(|c: char| c.is_uppercase())
            && next.chars().skip(1).all(|c| c.is_lowercase() || c == '-')
            && !names::CALENDAR.contains(&next)
    })
}

/// Words before a name that make it the topic, not a party ("sanctions on Russia").
const TOPIC_BEFORE: [&str; 25] = [
    "on",
    "against",
    "over",
    "for",
    "about",
    "of",
    "to",
    "in",
    "at",
    "from",
    "into",
    "toward",
    "towards",
    "across",
    "inside",
    "within",
    "near",
    "through",
    "around",
    "via",
    "discussed",
    "discuss",
    "discussing",
    "regarding",
    "concerning",
];

/// Words before "in X" that make X the topic rather than the place of the talk.
const NOT_PLACE_BEFORE: [&str; 14] = [
    "war",
    "conflict",
    "fighting",
    "invasion",
    "crisis",
    "ceasefire",
    "peace",
    "sanctions",
    "investment",
    "interests",
    "presence",
    "troops",
    "stake",
    "operations",
];

/// Words right after a person that make them the source of the report.
const SAYS: [&str; 18] = [
    "said",
    "reported",
    "reports",
    "says",
    "told",
    "added",
    "wrote",
    "posted",
    "stated",
    "noted",
    "announced",
    "confirmed",
    "explained",
    "tweeted",
    "described",
    "called",
    "characterized",
    "characterised",
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Party {
    name: String,
    /// The last word, lower case: what two mentions of one party share.
    key: String,
    /// The country (gazetteer entry) the party belongs to, when the text says it.
    country: Option<usize>,
    start: usize,
    end: usize,
    person: bool,
    /// Named as the source of a statement ("Ushakov said"), which may not be a party.
    sayer: bool,
}

/// The people named in full in the whole text ("Steve Witkoff"), so that a surname alone
/// later is that person.
fn full_names(text: &str, watch: &Watch, mentions: &[Mention]) -> Vec<String> {
    // Runs of capitalized words, found in one pass; only they are looked at word by word.
    // No leading `\b`: a Unicode word boundary makes the lazy DFA give up on the first
    // curly quote or dash and the whole scan fall back to a slow engine. A run found inside
    // a word ("iPhone Maker", "3M Company") starts at the word after instead.
    static RUN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:\p{Lu}[\p{L}'’.-]*|al-\p{Lu}[\p{L}'’-]*|(?:bin|ibn|van|von|der|de|da|di|du|del|la|le)(?-u:\b))(?:[ \t]+(?:\p{Lu}[\p{L}'’.-]*|al-\p{Lu}[\p{L}'’-]*|(?:bin|ibn|van|von|der|de|da|di|du|del|la|le)(?-u:\b)))+")
            .expect("run regex")
    });
    let mut out: Vec<String> = Vec::new();
    let mut cached: Option<(usize, bool)> = None;
    // The start of the line holding the run, found by reading forward from the last run's:
    // each byte is looked at once, however long the lines.
    let (mut line, mut seen) = (0, 0);
    for run in RUN.find_iter(text) {
        let (mut start, end) = (run.start(), run.end());
        if text[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            // Inside a word: the run is the words after this one, if two or more.
            let rest = text[start..end].trim_start_matches(|c: char| c != ' ' && c != '\t').trim_start();
            if !rest.contains([' ', '\t']) {
                continue;
            }
            start = end - rest.len();
        }
        if let Some(i) = text.as_bytes()[seen..start].iter().rposition(|&b| b == b'\n') {
            line = seen + i + 1;
        }
        seen = start;
        // One look per line, not per run: news paragraphs are long single lines.
        if cached.is_none_or(|(l, _)| l != line) {
            cached = Some((line, headline(text, start)));
        }
        if cached.is_some_and(|(_, h)| h) {
            continue;
        }
        let ws = names::words(text, start, end);
        // A run holding a title word ("President Vladimir Putin") has its titles located.
        // (From a little before the run: "Secretary of State Marco Rubio" starts outside it.)
        let lead = floor_char_boundary(text, start.saturating_sub(24));
        let titles: Vec<(usize, usize)> = if ws.iter().any(|w| watch.is_title_word(&w.lower())) {
            watch.titles(&text[lead..end]).into_iter().map(|(a, b)| (lead + a, lead + b)).collect()
        } else {
            Vec::new()
        };
        // Mentions are in text order: the ones inside this run, by binary search.
        let from = mentions.partition_point(|m| m.end <= start);
        let inside = &mentions[from..mentions.partition_point(|m| m.start < end)];
        let skip = |w: &Word<'_>| {
            inside.iter().any(|m| w.start < m.end && m.start < w.end)
                || titles.iter().any(|&(s, e)| w.start < e && s < w.end)
        };
        let mut i = 0;
        while i < ws.len() {
            let mut j = i;
            while j < ws.len() && names::name_like(&ws[j]) && !skip(&ws[j]) && adjacent(text, &ws, j, i) {
                j += 1;
            }
            if j - i >= 2 && j - i <= 4 {
                let name = names::bare(&text[ws[i].start..ws[j - 1].end]).to_owned();
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            i = j.max(i + 1);
        }
    }
    out
}

/// Whether the line holding `at` is a heading in title case ("Witkoff Engages In Talks"):
/// its capitals are not names.
fn headline(text: &str, at: usize) -> bool {
    // A heading is short: a line longer than 250 bytes is prose, and is not scanned.
    const LONGEST: usize = 250;
    let bytes = text.as_bytes();
    let lo = at.saturating_sub(LONGEST);
    let Some(start) = bytes[lo..at].iter().rposition(|&b| b == b'\n').map(|i| lo + i + 1).or((lo == 0).then_some(0))
    else {
        return false;
    };
    let hi = (at + LONGEST).min(text.len());
    let Some(end) = bytes[at..hi].iter().position(|&b| b == b'\n').map(|i| at + i).or((hi == text.len()).then_some(hi))
    else {
        return false;
    };
    let line = text[start..end].trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    let capitals = words.iter().filter(|w| w.chars().next().is_some_and(char::is_uppercase)).count();
    words.len() >= 3 && capitals * 10 >= words.len() * 7 && !line.ends_with(['.', '!', '?', '"', '”'])
}

/// Whether word `j` continues the run of capitalized words started at `i` (no comma or
/// other break between them).
fn adjacent(text: &str, ws: &[Word<'_>], j: usize, i: usize) -> bool {
    j == i || text[ws[j - 1].end..ws[j].start].trim().is_empty() && !ws[j - 1].text.ends_with("'s")
}

/// The parties a sentence names.
fn parties(
    text: &str,
    s: &Sentence,
    watch: &Watch,
    mentions: &[Mention],
    known: &[String],
    offices: &Offices,
) -> Vec<Party> {
    let ws = names::words(text, s.start, s.end);
    let is_headline = headline(text, s.start);
    // Mentions are in text order: the sentence's own, by binary search.
    let from = mentions.partition_point(|m| m.start < s.start);
    let here: Vec<&Mention> =
        mentions[from..].iter().take_while(|m| m.start < s.end).filter(|m| m.end <= s.end).collect();
    let mut out: Vec<Party> = Vec::new();
    let mut taken = vec![false; ws.len()];
    let index_at = |at: usize| ws.iter().position(|w| w.start >= at);
    // The word before, past any article: "at the Kremlin" is "at".
    let prev_word = |at: usize| -> String {
        ws.iter()
            .rev()
            .filter(|w| w.end <= at)
            .map(Word::lower)
            .find(|w| !matches!(w.as_str(), "the" | "a" | "an"))
            .unwrap_or_default()
    };
    // The word before a list of names ("on Russia, China and Iran" → "on"): list items are
    // capitalized words, "and" and "or" (words hold no commas).
    let list_lead = |at: usize| -> String {
        ws.iter()
            .rev()
            .filter(|w| w.end <= at)
            .take(12)
            .find(|w| !w.capitalized() && !w.text.eq_ignore_ascii_case("and") && !w.text.eq_ignore_ascii_case("or"))
            .map(Word::lower)
            .unwrap_or_default()
    };
    let push = |out: &mut Vec<Party>, p: Party| {
        if !out.iter().any(|o| o.name == p.name || (o.key == p.key && o.start == p.start)) && !p.key.is_empty() {
            out.push(p);
        }
    };
    // The source of what is told: "…, Lavrov said", "according to a Japanese official".
    let says_after = |start: usize, end: usize| -> bool {
        let rest = text[end..s.end].trim_start_matches([',', ' ']);
        let lead = text[s.start..start].trim_end();
        let lead = ["a", "an", "the", "one", "two", "several"]
            .iter()
            .find_map(|w| lead.strip_suffix(w).filter(|l| l.ends_with(' ')))
            .unwrap_or(lead)
            .trim_end();
        // "Erdogan told Putin in a phone call": who told is in the call.
        static TOLD_IN_TALKS: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^told\s+[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}\s+(?:in|during)\s+(?:a|an|the|their|his|her)\s+(?:(?:phone|telephone|video)\s+)?(?:call|meeting|conversation|talks)")
                .expect("told-in-talks regex")
        });
        // "In a phone call on Wednesday, Erdogan told Putin…": the call opens the sentence.
        static IN_TALKS_FIRST: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)^(?:in|during)\s+(?:a|an|the|their|his|her|[\w'’]+(?:'s|’s))\s+(?:[\w-]+\s+){0,2}(?:call|meeting|conversation|talks)(?-u:\b)[^,]*,\s*$")
                .expect("in-talks-first regex")
        });
        let told_in_talks = TOLD_IN_TALKS.is_match(rest)
            || (rest.starts_with("told ") && IN_TALKS_FIRST.is_match(&text[s.start..start]));
        // "Kim, who spent Saturday in talks with a delegation led by Biegun, told reporters":
        // the verb after a relative clause is its subject's, not the last name's in it.
        let in_relative = [", who ", ", whose "]
            .iter()
            .filter_map(|w| text[s.start..start].rfind(w).map(|i| i + w.len()))
            .max()
            .is_some_and(|i| !text[s.start + i..start].contains(','));
        (SAYS.iter().any(|w| rest.starts_with(w)) && !told_in_talks && !in_relative) || lead.ends_with("according to")
    };

    // A name in apposition after a title: "his Russian counterpart, Sergei Lavrov,".
    static APPOSITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^,\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}(?:[,.;]|$)").expect("apposition regex")
    });
    // Counterparts: their words are no other party ("his Russian counterpart").
    let mut counterparts: Vec<(usize, usize)> = Vec::new();
    // 1. Titled people: "Russian Foreign Minister Sergei Lavrov", "his Chinese counterpart Wang Yi".
    let titles: Vec<(usize, usize)> =
        watch.titles(&text[s.start..s.end]).into_iter().map(|(a, b)| (s.start + a, s.start + b)).collect();
    for &(t_start, t_end) in &titles {
        let Some(first) = index_at(t_end) else { continue };
        let mut j = first;
        // "Vice Premier He Lifeng": a short capitalized word right after a title is a name
        // when a name follows it.
        let short_name = |x: usize| {
            ws[x].capitalized()
                && ws[x].text.len() <= 3
                && ws[x].text.chars().all(char::is_alphabetic)
                && ws.get(x + 1).is_some_and(|n| names::name_like(n) && n.capitalized())
                && adjacent(text, &ws, x + 1, x)
        };
        while j < ws.len()
            && j - first < 5
            && (names::name_like(&ws[j]) || (j == first && short_name(j)))
            && adjacent(text, &ws, j, first)
        {
            if j == first && !text[t_end..ws[j].start].trim().is_empty() {
                break;
            }
            j += 1;
        }
        // In a title-case heading every word is capitalized: take the name's first word only.
        if j > first + 1 && is_headline {
            j = first + 1;
        }
        // The adjective or possessive country before the title: "Iranian", "Turkey's".
        let lead = here.iter().rev().find(|m| {
            m.end <= t_start
                && t_start - m.end <= 12
                && matches!(m.named, Named::Entry(_, Form::Adjective | Form::Name))
        });
        let country = lead.and_then(|m| match m.named {
            Named::Entry(e, _) => Some(e),
            Named::Actor(_) => None,
        });
        let title = text[t_start..t_end].to_lowercase();
        if j > first {
            let name = names::bare(&text[ws[first].start..ws[j - 1].end]).to_owned();
            let name = fullest(&name, known);
            for w in &mut taken[first..j] {
                *w = true;
            }
            let end = ws[j - 1].end;
            let start = lead.map_or(t_start, |m| m.start);
            push(
                &mut out,
                Party {
                    key: names::last_word(&name),
                    name,
                    country,
                    start,
                    end,
                    person: true,
                    sayer: says_after(start, end),
                },
            );
        } else if let Some(m) = lead.filter(|_| !title.starts_with("counterpart")) {
            // "the Russian leader", "Iran's foreign minister": the office stands for the person,
            // named where the article names them with it ("Switzerland's president" is
            // "President Karin Keller-Sutter").
            let office = names::bare(&text[m.start..t_end]).to_owned();
            // "North Korea's chief nuclear negotiator, Kim Myong-gil, said…": the name in
            // apposition is the holder, and what follows the name tells who speaks.
            if let Some(a) = APPOSITION.find(&text[t_end..s.end])
                && let Some(first) = index_at(t_end + 1)
            {
                let end = t_end + a.as_str().trim_end_matches([',', '.', ';']).len();
                let last = ws.iter().rposition(|w| w.end <= end).unwrap_or(first).max(first);
                for w in &mut taken[first..=last] {
                    *w = true;
                }
                let name = fullest(names::bare(&text[ws[first].start..ws[last].end]), known);
                let party = Party {
                    key: names::last_word(&name),
                    name,
                    country,
                    start: m.start,
                    end: ws[last].end,
                    person: true,
                    sayer: says_after(m.start, ws[last].end),
                };
                push(&mut out, party);
                continue;
            }
            let name = offices.holder(text, &title, country, mentions, known).unwrap_or(office);
            push(
                &mut out,
                Party {
                    key: names::last_word(&name),
                    name,
                    country,
                    start: m.start,
                    end: t_end,
                    person: true,
                    sayer: says_after(m.start, t_end),
                },
            );
        } else if title.starts_with("counterpart") {
            // "his E3 counterparts", "her Chinese counterpart".
            let from = lead.map_or(t_start, |m| m.start);
            let owner = text[s.start..from].trim_end();
            let start = ["his", "her", "their", "its"]
                .iter()
                .find(|p| owner.to_lowercase().ends_with(*p))
                .map_or(from, |p| s.start + owner.len() - p.len());
            // "his Russian counterpart, Sergei Lavrov,": the name that follows is the party.
            counterparts.push((start, t_end));
            if APPOSITION.is_match(&text[t_end..s.end]) {
                continue;
            }
            let name = text[start..t_end].to_owned();
            push(
                &mut out,
                Party { key: names::last_word(&name), name, country, start, end: t_end, person: false, sayer: false },
            );
        }
    }

    // 2. Gazetteer entries and watched actors.
    let mut k = 0;
    while k < here.len() {
        let m = here[k];
        k += 1;
        // Inside a titled person or a counterpart ("his Russian counterpart").
        if out
            .iter()
            .filter(|p| p.person)
            .map(|p| (p.start, p.end))
            .chain(counterparts.iter().copied())
            // "U.S. Treasury Secretary Scott Bessent": a seat that runs into a title is his.
            .any(|(a, b)| m.start < b && a < m.end)
        {
            continue;
        }
        let prev = prev_word(m.start);
        match m.named {
            Named::Actor(a) => {
                let actor = &watch.actors()[a];
                let name = fullest(&actor.name, known);
                push(
                    &mut out,
                    Party {
                        key: names::last_word(&name),
                        name,
                        country: None,
                        start: m.start,
                        end: m.end,
                        person: true,
                        sayer: says_after(m.start, m.end),
                    },
                );
            }
            Named::Entry(e, Form::Adjective) => {
                // "Japanese and South Korean trade officials": each adjective with the noun.
                let Some(mut j) = index_at(m.end) else { continue };
                while j < ws.len()
                    && (ws[j].text == "and"
                        || here.iter().any(|n| n.start == ws[j].start || (n.start < ws[j].end && ws[j].start < n.end)))
                {
                    j += 1;
                }
                let limit = (j + 3).min(ws.len());
                let Some(noun) = (j..limit).find(|&x| watch.is_party_noun(&ws[x].lower())) else { continue };
                if (j..noun).any(|x| ws[x].capitalized() && names::name_like(&ws[x])) {
                    continue;
                }
                let tail = &text[ws[j].start.min(ws[noun].start)..ws[noun].end];
                // "the Armenian and Azerbaijani leaders": each side keeps the noun as the text
                // gives it, plural, as readers name them.
                let name = format!("{} {}", &text[m.start..m.end], tail);
                push(
                    &mut out,
                    Party {
                        key: names::last_word(&name),
                        name,
                        country: Some(e),
                        start: m.start,
                        end: ws[noun].end,
                        person: false,
                        sayer: says_after(m.start, ws[noun].end),
                    },
                );
            }
            // "the White House special envoy": the seat qualifies a title, it is no party.
            Named::Entry(..)
                if titles.iter().any(|&(a, _)| {
                    a >= m.end
                        && a - m.end <= 24
                        && text[m.end..a].split_whitespace().all(|w| w.chars().all(|c| c.is_lowercase() || c == '-'))
                }) => {}
            // "France 24" is a broadcaster.
            Named::Entry(..)
                if text[m.end..s.end].starts_with(' ')
                    && text[m.end..s.end].trim_start().starts_with(|c: char| c.is_ascii_digit()) => {}
            Named::Entry(e, form) => {
                let entry = watch.entry(e);
                let kind_is_place =
                    matches!(form, Form::Metonym) || entry.is_some_and(|x| x.kind == super::gazetteer::Kind::Country);
                // "will travel to China", "a trip to Moscow": the host is a party.
                let visited = prev == "to" && {
                    let lead = text[s.start..m.start].to_ascii_lowercase();
                    let tail: Vec<&str> = lead.split_whitespace().rev().take(4).collect();
                    tail.iter().any(|w| {
                        [
                            "travel",
                            "travels",
                            "traveled",
                            "travelled",
                            "trip",
                            "visit",
                            "fly",
                            "flew",
                            "flies",
                            "head",
                            "heads",
                            "headed",
                            "return",
                        ]
                        .contains(w)
                    })
                };
                // "Delegations from Ukraine and Russia", "negotiators of both countries": the
                // group's side, not a topic.
                let side_of = matches!(prev.as_str(), "from" | "of") && {
                    let before: Vec<String> =
                        ws.iter().rev().filter(|w| w.end <= m.start).take(2).map(Word::lower).collect();
                    before.get(1).is_some_and(|w| watch.is_party_noun(w))
                };
                // "the next round of U.S.-Iran talks": a side of a hyphenated pair before
                // the talk word, not the topic its preposition leads to.
                let paired = {
                    let (before, after) = (&text[s.start..m.start], &text[m.end..s.end]);
                    let joined = after.starts_with('-') && after[1..].starts_with(char::is_uppercase)
                        || before.ends_with('-') && before[..before.len() - 1].ends_with(char::is_alphanumeric);
                    let rest = after.trim_start_matches(|c: char| c.is_alphanumeric() || matches!(c, '-' | '.'));
                    joined
                        && prev == "of"
                        && ["talks", "meeting", "summit", "negotiations", "dialogue", "call"]
                            .iter()
                            .any(|w| rest.trim_start().starts_with(w))
                };
                let visited = visited || side_of || paired;
                // "to discuss Venezuela, Ukraine and Arctic security", "subjects including
                // Venezuela and Ukraine": every name of a list the sides discussed is a topic.
                let topic_listed = {
                    let lead = list_lead(m.start);
                    let discussed = || text[s.start..m.start].to_ascii_lowercase().contains("discuss");
                    (lead == "including" && discussed())
                        || ((prev == "and" || prev == "or" || text[s.start..m.start].trim_end().ends_with(','))
                            && ["discuss", "discussed", "discussing", "on", "against", "over", "about", "regarding"]
                                .contains(&lead.as_str()))
                };
                if topic_listed && !visited {
                    continue;
                }
                if TOPIC_BEFORE.contains(&prev.as_str()) && kind_is_place && !visited {
                    continue;
                }
                if TOPIC_BEFORE.contains(&prev.as_str()) && !matches!(prev.as_str(), "to" | "at") && !visited {
                    // "sanctions on the EU" is a topic; "talks with" was not in the list.
                    continue;
                }
                let mention = names::bare(&text[m.start..m.end]);
                // "EU foreign ministers", "G7 leaders", "Turkey's delegation": the group.
                if let Some(j) = index_at(m.end) {
                    let limit = (j + 2).min(ws.len());
                    let gap = text[m.end..ws[j].start].trim();
                    if let Some(noun) = (j..limit).find(|&x| watch.is_party_noun(&ws[x].lower()))
                        && !(j..noun).any(|x| ws[x].capitalized())
                        && (gap.is_empty() || gap == "'s" || gap == "’s")
                    {
                        let name = text[m.start..ws[noun].end].to_owned();
                        push(
                            &mut out,
                            Party {
                                key: names::last_word(&name),
                                name,
                                country: Some(e),
                                start: m.start,
                                end: ws[noun].end,
                                person: false,
                                // "White House officials said the talks…" only tell of them.
                                sayer: says_after(m.start, ws[noun].end),
                            },
                        );
                        continue;
                    }
                    // "discussed recent U.S. sanctions against Moscow": a country before a
                    // measure or trade noun says whose measure, it is no side of the talk.
                    if gap.is_empty()
                        && [
                            "sanctions",
                            "tariffs",
                            "tariff",
                            "embargo",
                            "measures",
                            "goods",
                            "exports",
                            "imports",
                            "restrictions",
                            "duties",
                            "curbs",
                            "blockade",
                            "strikes",
                            "airstrikes",
                        ]
                        .contains(&ws[j].lower().as_str())
                    {
                        continue;
                    }
                }
                // "Iran-E3 meeting": a hyphenated pair names both parties.
                let name = if text[..m.start].ends_with("the ") && matches!(form, Form::Name) && mention.len() <= 4 {
                    format!("the {mention}")
                } else {
                    mention.to_owned()
                };
                let _ = entry;
                push(
                    &mut out,
                    Party {
                        key: names::last_word(&name),
                        name,
                        country: Some(e),
                        start: m.start,
                        end: m.end,
                        person: false,
                        sayer: says_after(m.start, m.end),
                    },
                );
            }
        }
    }

    // "The ministers agreed that their next meeting…", "the three trade ministers".
    static GROUP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)[Tt]he\s+(?:(?:bloc|alliance|union|group|region|continent)(?:'s|’s)\s+)?(?:(?:two|three|four|five|six|seven|trade|foreign|finance|defen[cs]e|energy|member|[A-Z][a-z]+)\s+){0,2}(?:ministers|leaders|delegations|negotiators|envoys|states)(?-u:\b)")
            .expect("group regex")
    });
    for m in GROUP.find_iter(&text[s.start..s.end]) {
        let (start, end) = (s.start + m.start(), s.start + m.end());
        if out.iter().any(|p| p.start < end && start < p.end) {
            continue;
        }
        let name = m.as_str().to_owned();
        push(
            &mut out,
            Party {
                key: names::last_word(&name),
                name,
                country: None,
                start,
                end,
                person: false,
                sayer: says_after(start, end),
            },
        );
    }

    // 3. People named without a title: "Steve Witkoff", or "Witkoff" after a full mention.
    let mut i = 0;
    while i < ws.len() {
        let in_mention = |w: &Word<'_>| {
            here.iter().any(|m| w.start < m.end && m.start < w.end)
                || out.iter().any(|p| w.start >= p.start && w.end <= p.end)
        };
        let he = ws[i].text == "He" && !is_headline && surname_he(&text[ws[i].start..s.end]);
        if taken[i] || !(he || names::name_like(&ws[i])) || in_mention(&ws[i]) {
            i += 1;
            continue;
        }
        let mut j = i + usize::from(he);
        while j < ws.len() && !taken[j] && names::name_like(&ws[j]) && !in_mention(&ws[j]) && adjacent(text, &ws, j, i)
        {
            j += 1;
        }
        let run = names::bare(&text[ws[i].start..ws[j - 1].end]).to_owned();
        let single = j - i == 1;
        let known_surname = known.iter().any(|k| k.rsplit(' ').next() == Some(run.as_str()));
        // "in Geneva", "to Moscow"; but "spoke to Xi" names a person.
        // "took a call from Vance", "a visit from Rubio": the caller is a person.
        let place_before = !spoken_to(&ws, i)
            && !caller(&ws, i)
            && matches!(prev_word(ws[i].start).as_str(), "in" | "at" | "from" | "to" | "near" | "outside");
        let accept = if (place_before || is_headline) && !known_surname {
            false
        } else if single {
            known_surname || lone_name_slot(text, &ws, i, s)
        } else {
            j - i <= 4 && !OUTLETS.iter().any(|o| run.contains(o))
        };
        if accept {
            let name = fullest(&run, known);
            let end = ws[j - 1].end;
            push(
                &mut out,
                Party {
                    key: names::last_word(&name),
                    name,
                    country: None,
                    start: ws[i].start,
                    end,
                    person: true,
                    sayer: says_after(ws[i].start, end),
                },
            );
        }
        i = j.max(i + 1);
    }
    // "a Trump-Kim summit", "the Putin-Trump meeting": two people the article names in full
    // (or the watch list knows), joined by a hyphen before the talk word, are its parties.
    for (i, w) in ws.iter().enumerate() {
        let Some((a, b)) = w.text.split_once('-') else { continue };
        let next = ws.get(i + 1).map(Word::lower).unwrap_or_default();
        if taken[i] || !matches!(next.as_str(), "summit" | "meeting" | "talks" | "call" | "negotiations") {
            continue;
        }
        let person = |part: &str| {
            part.starts_with(char::is_uppercase)
                && (known.iter().any(|k| k.contains(' ') && k.split(' ').any(|x| x == part))
                    || !watch.actors_named(&[part.to_owned()]).is_empty())
        };
        if !(person(a) && person(b)) {
            continue;
        }
        for (part, start, end) in [(a, w.start, w.start + a.len()), (b, w.end - b.len(), w.end)] {
            let name = fullest(part, known);
            push(
                &mut out,
                Party { key: names::last_word(&name), name, country: None, start, end, person: true, sayer: false },
            );
        }
    }
    out.sort_by_key(|p| p.start);
    out
}

/// Where the article names a person after a title ("President Karin Keller-Sutter"): each
/// full name's occurrences, found in one pass over the text, with the words just before
/// them; what an office resolves to is worked out once per article.
/// A title and the country that leads it: "president" of Switzerland.
type Office = (String, Option<usize>);

struct Offices {
    /// (the lower-cased text just before the name, where the name starts, its index in `known`).
    named: std::cell::OnceCell<Vec<(String, usize, usize)>>,
    /// Each office (title, country) asked for, and whom it named.
    memo: RefCell<HashMap<Office, Option<String>>>,
}

impl Offices {
    fn new() -> Offices {
        Offices { named: std::cell::OnceCell::new(), memo: RefCell::new(HashMap::new()) }
    }

    /// The full names' occurrences, looked for on the first office only.
    fn named(&self, text: &str, known: &[String]) -> &[(String, usize, usize)] {
        self.named.get_or_init(|| {
            // One automaton over the names, longest first where two start together; no
            // regex is compiled per article.
            let all = (!known.is_empty())
                .then(|| {
                    aho_corasick::AhoCorasick::builder()
                        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                        // Built per article and used once: no DFA to build.
                        .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
                        .build(known)
                        .ok()
                })
                .flatten();
            let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            let mut named = Vec::new();
            for m in all.iter().flat_map(|ac| ac.find_iter(text)) {
                // Whole words only: "Wang" is not the start of "Wangari".
                if word_char(text[..m.start()].chars().next_back()) || word_char(text[m.end()..].chars().next()) {
                    continue;
                }
                let i = m.pattern().as_usize();
                let lead =
                    text[floor_char_boundary(text, m.start().saturating_sub(48))..m.start()].to_ascii_lowercase();
                named.push((lead, m.start(), i));
            }
            named
        })
    }

    /// The person the article names with `title` ("President Karin Keller-Sutter" for "the
    /// president"), when exactly one of its full names follows that title and no other
    /// country leads it.
    fn holder(
        &self,
        text: &str,
        title: &str,
        country: Option<usize>,
        mentions: &[Mention],
        known: &[String],
    ) -> Option<String> {
        let title = title.trim();
        if title.is_empty() {
            return None;
        }
        let key = (title.to_owned(), country);
        if let Some(done) = self.memo.borrow().get(&key) {
            return done.clone();
        }
        let mut found: Option<usize> = None;
        let mut ambiguous = false;
        for (lead, start, i) in self.named(text, known) {
            let Some(before) = lead.strip_suffix(' ').filter(|l| l.ends_with(title)) else { continue };
            let at = start - (lead.len() - before.len()) - title.len();
            let led_by = mentions.iter().rev().find(|m| {
                m.end <= at && at - m.end <= 12 && matches!(m.named, Named::Entry(_, Form::Adjective | Form::Name))
            });
            let other = led_by.and_then(|m| match m.named {
                Named::Entry(e, _) => Some(e),
                Named::Actor(_) => None,
            });
            if other.is_some() && other != country {
                continue;
            }
            if found.is_some_and(|f| f != *i) {
                ambiguous = true;
                break;
            }
            found = Some(*i);
        }
        let name = found.filter(|_| !ambiguous).map(|i| known[i].clone());
        self.memo.borrow_mut().insert(key, name.clone());
        name
    }
}

/// Whether the word at `i` is whom someone spoke to: "spoke to Xi", "talked to Rubio".
fn spoken_to(ws: &[Word<'_>], i: usize) -> bool {
    i >= 2
        && ws[i - 1].lower() == "to"
        && matches!(
            ws[i - 2].lower().as_str(),
            "spoke" | "speak" | "speaks" | "speaking" | "talked" | "talk" | "talks" | "talking"
        )
}

/// A single capitalized word is a person's name when it stands where a party does: "Lavrov
/// and Wang met", "met Wang", "talks with Araghchi".
/// "took a call from Vance", "a visit from Rubio": the word before "from" makes the name
/// after it a caller, a person, not a place.
fn caller(ws: &[Word<'_>], i: usize) -> bool {
    i >= 2
        && ws[i - 1].lower() == "from"
        && matches!(
            ws[i - 2].lower().as_str(),
            "call" | "calls" | "visit" | "visits" | "delegation" | "envoy" | "message"
        )
}

fn lone_name_slot(text: &str, ws: &[Word<'_>], i: usize, s: &Sentence) -> bool {
    let prev = if i > 0 { ws[i - 1].lower() } else { String::new() };
    let next = ws.get(i + 1).map(Word::lower).unwrap_or_default();
    let initial = i == 0 || text[s.start..ws[i].start].trim().is_empty();
    let coordinated = next == "and" && ws.get(i + 2).is_some_and(|w| names::name_like(w) && w.capitalized());
    let after_and = prev == "and" && i >= 2 && names::name_like(&ws[i - 2]) && ws[i - 2].capitalized();
    // "received by Putin", "hosted by Modi": the host, after "by".
    let by_host = prev == "by"
        && i >= 2
        && matches!(ws[i - 2].lower().as_str(), "received" | "hosted" | "welcomed" | "greeted" | "met" | "visited");
    // "took a call from Vance": the caller, after "from".
    let caller = caller(ws, i);
    let object = caller
        || matches!(
            prev.as_str(),
            "met"
                | "with"
                | "hosted"
                | "received"
                | "receive"
                | "called"
                | "phoned"
                | "meet"
                | "meets"
                | "between"
                | "told"
                | "urged"
                | "assured"
                | "thanked"
                | "briefed"
                | "welcomed"
                | "welcomes"
        )
        || by_host
        || spoken_to(ws, i);
    // "Tajani separately saw Grossi": an adverb may stand between the name and its verb.
    let adverb = (next.len() > 4 && next.ends_with("ly") && next != "only")
        || matches!(next.as_str(), "later" | "also" | "then" | "earlier" | "first" | "already" | "again" | "twice");
    let verb = if adverb { ws.get(i + 2).map(Word::lower).unwrap_or_default() } else { next.clone() };
    let subject = matches!(
        verb.as_str(),
        "met"
            | "took"
            | "takes"
            | "got"
            | "gets"
            | "made"
            | "makes"
            | "joined"
            | "saw"
            | "meets"
            | "hosted"
            | "received"
            | "spoke"
            | "phoned"
            | "called"
            | "held"
            | "will"
            | "plans"
            | "planned"
            | "intends"
            | "visited"
            | "travelled"
            | "traveled"
            | "flew"
            | "arrived"
            | "discussed"
            | "talked"
            | "sat"
            | "spent"
            | "receives"
            | "visits"
            | "told"
            | "hosts"
            | "welcomed"
            | "welcomes"
            | "has"
            | "had"
    ) && !ws[i].text.ends_with('s');
    // "Lavrov said his talks with Choe…": the speaker of his own talks.
    let after = ws.get(i + 2).map(Word::lower).unwrap_or_default();
    // "Medinsky said on May 28 that he had phoned…": past the day and "that".
    let own_word = ws.iter().skip(i + 2).take(5).map(Word::lower).find(|w| {
        !(matches!(w.as_str(), "that" | "on" | "late" | "earlier" | "last" | "this")
            || w.bytes().all(|b| b.is_ascii_digit())
            || crate::model::CALENDAR.contains(&w.as_str()))
    });
    let own_talks = matches!(next.as_str(), "said" | "says")
        && matches!(own_word.as_deref(), Some("his" | "her" | "he" | "she"))
        && !OUTLETS.iter().any(|o| ws[i].text.contains(o));
    // "Trump is due to receive…", "Rubio is expected to meet…"; "Sharaa was received by…".
    let due = (next == "is" && matches!(after.as_str(), "due" | "expected" | "set" | "scheduled" | "to"))
        || (next == "was" && matches!(after.as_str(), "received" | "hosted" | "welcomed" | "greeted"));
    // "Putin's most recent phone conversation with Trump": the owner of the talks.
    let possessor = (ws[i].text.ends_with("'s") || ws[i].text.ends_with("’s"))
        && ws[i + 1..].iter().take(4).any(|w| {
            matches!(
                w.lower().as_str(),
                "call"
                    | "calls"
                    | "conversation"
                    | "conversations"
                    | "meeting"
                    | "meetings"
                    | "talks"
                    | "summit"
                    | "visit"
                    | "trip"
                    | "one-on-one"
                    | "negotiations"
            )
        });
    // "After he met Starmer on Wednesday, Trump said…": who speaks after a clause that
    // opens with "he".
    let cataphor = matches!(next.as_str(), "said" | "says" | "told" | "added")
        && text[s.start..ws[i].start].trim_end().ends_with(',')
        && text[s.start..ws[i].start].matches(',').count() == 1
        && opens_subordinate(&text[s.start..ws[i].start])
        && pronoun_in(&text[s.start..ws[i].start]);
    let subject = subject || due || own_talks || possessor || cataphor;
    if initial { coordinated || subject } else { coordinated || after_and || object || subject }
}

/// The fullest mention of a person seen in the article: "Witkoff" is "Steve Witkoff".
fn fullest(name: &str, known: &[String]) -> String {
    let last = name.rsplit(' ').next().unwrap_or(name);
    if let Some(full) =
        known.iter().filter(|k| k.rsplit(' ').next() == Some(last) && k.len() >= name.len()).max_by_key(|k| k.len())
    {
        return full.clone();
    }
    // "Lula" after "Luiz Inácio Lula da Silva", "Xi" after "Xi Jinping": a one-word name
    // that is a word of exactly one full name is that person.
    if !name.contains(' ') {
        let mut holders = known.iter().filter(|k| k.contains(' ') && k.split(' ').any(|w| w == name));
        if let (Some(full), None) = (holders.next(), holders.next()) {
            return full.clone();
        }
    }
    name.to_owned()
}

pub fn find(text: &str, sentences: &[Sentence], times: &[Timex], watch: &Watch, published: NaiveDate) -> Vec<Talk> {
    // Talk words found in one pass over the whole text, not one per sentence.
    let triggers: Vec<(usize, usize)> = TRIGGER.find_iter(text).map(|m| (m.start(), m.end())).collect();
    // Names are looked up only once a sentence tells of talks.
    let names = std::cell::OnceCell::new();
    let mut out: Vec<(Talk, Vec<Party>)> = Vec::new();
    let mut first_time = 0;
    // The event the latest talk sentence described, and that sentence's index.
    let mut last: Option<(usize, usize)> = None;
    // A sentence that tells of two talks ("talked by phone on Friday, and Trump announced he
    // will meet Xi in October"; "held talks with Putin and separately met Lukashenko") is
    // read clause by clause.
    let units = clauses(text, sentences, &triggers);
    // The first person of the clause before, for a clause that names only the other side.
    let mut subject: Option<(usize, Party)> = None;
    for &(index, unit) in &units {
        let s = &unit;
        let sentence = &text[s.start..s.end];
        while first_time < times.len() && times[first_time].start < s.start {
            first_time += 1;
        }
        let here: Vec<&Timex> = times[first_time..].iter().take_while(|t| t.start < s.end).collect();
        let mut first = triggers.partition_point(|t| t.0 < s.start);
        // "they have held several rounds of talks with Tehran, but … Tuesday's talks in
        // Geneva": a talk word that is itself no talk gives way to the next one.
        while triggers
            .get(first + 1)
            .is_some_and(|t| t.1 <= s.end && !text[triggers[first].1..t.0].contains(CLAUSE_BREAKS))
            && self_voided(sentence, triggers[first].0 - s.start, triggers[first].1 - s.start)
        {
            first += 1;
        }
        let Some(&(t0, t1)) = triggers.get(first).filter(|t| t.1 <= s.end) else {
            continue;
        };
        // "flew to Muscat on Thursday … for talks due to open on Friday": the talks, not the
        // trip, carry the event's time and status.
        let (t0, t1) = if travel(&text[t0..t1]) {
            triggers[first + 1..]
                .iter()
                .take_while(|t| t.1 <= s.end)
                .find(|t| talk_noun(&text[t.0..t.1]))
                .copied()
                .unwrap_or((t0, t1))
        } else {
            (t0, t1)
        };
        // The talk word's offsets within the sentence.
        let (trigger_start, trigger_end) = (t0 - s.start, t1 - s.start);
        // "a meeting that ended in a shouting match" is still a meeting.
        let not_talks = NOT_TALKS.find_iter(sentence).any(|m| {
            let before = sentence[..m.start()].to_ascii_lowercase();
            let lower = m.as_str().to_ascii_lowercase();
            // "was briefing reporters on Thursday's phone call between the two leaders": the
            // call is what the briefing was about.
            let briefed_on = lower.starts_with("briefing ")
                && m.end() <= trigger_start
                && [" on ", " about "].iter().any(|w| sentence[m.end()..].starts_with(w))
                && !sentence[m.end()..trigger_start].contains([',', ';']);
            // "…are expected to meet Rubio on Thursday, Sheinbaum told her morning news
            // conference": where the talk was told, in a clause of its own after it.
            let told_at = (lower.contains("conference") || lower.contains("briefing"))
                && before.rfind([',', ';']).is_some_and(|i| {
                    i >= trigger_end
                        && [" told ", " said ", " says ", " tells "].iter().any(|w| before[i..].contains(w))
                });
            !briefed_on
                && !told_at
                && !(lower.starts_with("match") && (before.ends_with("shouting ") || before.ends_with("slanging ")))
        });
        // "Speaking to APP, the envoy said…": an interview with a news outlet.
        let to_outlet = {
            let word = text[t0..t1].to_ascii_lowercase();
            let next = text[t1..s.end].split_whitespace().next().unwrap_or("");
            let bare = next.trim_end_matches([',', '.', ';']);
            // "Speaking to Fox Radio,", "talking to Channel 4 News,": a name that ends in
            // what a broadcaster or paper is.
            let rest = &text[t1..s.end];
            let named = rest.find(',').map(|i| rest[..i].trim()).is_some_and(|n| {
                let words: Vec<&str> = n.split_whitespace().collect();
                (2..=4).contains(&words.len())
                    && words[0].starts_with(char::is_uppercase)
                    && words.last().is_some_and(|w| {
                        [
                            "Radio",
                            "TV",
                            "Television",
                            "News",
                            "Channel",
                            "Times",
                            "Post",
                            "Journal",
                            "Agency",
                            "Network",
                        ]
                        .contains(w)
                    })
            });
            (word.starts_with("speak") || word.starts_with("talk")) && word.ends_with(" to") && {
                OUTLETS.contains(&bare)
                    || named
                    || (next.ends_with(',')
                        && (2..=5).contains(&bare.len())
                        && bare.bytes().all(|b| b.is_ascii_uppercase()))
            }
        };
        if not_talks
            || to_outlet
            || voided(sentence, trigger_start, trigger_end)
            || conditional(&sentence[..trigger_start])
        {
            continue;
        }
        let trigger_at = s.start + trigger_start;
        let (mentions, known, offices) = names.get_or_init(|| {
            let mentions = watch.mentions(text);
            let known = full_names(text, watch, &mentions);
            let offices = Offices::new();
            (mentions, known, offices)
        });
        let mut found = parties(text, s, watch, mentions, known, offices);
        // "they have held several rounds of talks with Tehran, but they said Tuesday's talks
        // in Geneva…": a clause whose "they" names no one takes the sides its sentence names,
        // when it dates talks of its own.
        let whole = &sentences[index];
        if found.is_empty()
            && (whole.start, whole.end) != (s.start, s.end)
            && THEY.is_match(&sentence[..trigger_start])
            && here.iter().any(|t| t.kind == TimexType::Date && t.end <= s.end && !t.value.ends_with("_REF"))
        {
            found = parties(text, whole, watch, mentions, known, offices);
            found.retain(|p| !p.sayer && p.end <= s.start);
        }
        // "Tom Barrack, the U.S. ambassador to Turkey, …": the title in apposition is the
        // person named before it, not a second party.
        let appositive: Vec<usize> = (1..found.len())
            .filter(|&i| {
                let (q, p) = (&found[i - 1], &found[i]);
                let gap = text.get(q.end..p.start).unwrap_or("x").trim().to_ascii_lowercase();
                q.person && p.person && matches!(gap.as_str(), "," | ", the" | ", a") && watch.is_title_word(&p.key)
            })
            .collect();
        for i in appositive.into_iter().rev() {
            found.remove(i);
        }
        // "Medinsky said that he had phoned Umerov": who says "he" did it is in the talk.
        static SAID_HE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^[\s,]*(?:said|says|told\s+[\w.]+|added|announced|confirmed|stated|wrote)\s+(?:(?:on|late|early|earlier|later)\s+[\w]+\s+)?(?:that\s+)?(?:he|she)\s+[^,;:]{0,40}$")
                .expect("said-he regex")
        });
        let mut says_he = false;
        for p in &mut found {
            if p.sayer && p.person && p.end <= trigger_at && SAID_HE.is_match(&text[p.end..trigger_at]) {
                p.sayer = false;
                says_he = true;
            }
        }
        // "Axios correspondent Barak Ravid posted…": who reports the talks is not in them.
        found.retain(|p| {
            !(p.person
                && ["correspondent", "reporter", "journalist", "columnist", "editor", "commentator", "anchor"]
                    .contains(&word_before(text, p.start).as_str()))
        });
        // The source of a statement is not a party when the sentence names others.
        if found.iter().filter(|p| !p.sayer).count() >= 2 {
            found.retain(|p| !p.sayer);
        }
        // "Tajani saw Grossi" is a meeting; "analysts saw Moscow and Beijing drawing closer"
        // is not: "saw" tells a talk only between people on either side of it.
        if text[t0..t1].starts_with("saw")
            && !(found.iter().any(|p| p.person && p.end <= trigger_at)
                && found.iter().any(|p| p.person && p.start > trigger_at + 3))
        {
            continue;
        }
        // No party, no talks just told, no "he": nothing more to read here.
        let near_event = last.is_some_and(|(_, at)| index <= at + 3);
        // "His first meeting was with Lutnick": the "his" of a sentence that opens on the
        // talk stands for a person, like "he".
        let he = pronoun_in(&sentence[..trigger_start]) || possessive_opening(&sentence[..trigger_start]);
        if found.is_empty() && !near_event && !he {
            continue;
        }
        let mut days = days_of(text, &here, trigger_at);
        // "that afternoon", "earlier that day": the day the text last named.
        if days.is_empty() && SAME_DAY.is_match(sentence) {
            let before = &times[..first_time];
            if let Some(day) = before
                .iter()
                .rev()
                .find_map(|t| matches!(t.kind, TimexType::Date | TimexType::Time).then(|| day_of(&t.value)).flatten())
            {
                days.push(day.to_owned());
            }
        }
        // "He posted… after a phone conversation with the Russian leader": he is the person
        // the talks just told began with.
        if he {
            // The person the talks just told began with, else the first person the
            // sentence before names.
            let recent = last
                .filter(|&(_, at)| index <= at + 2)
                .and_then(|(event, _)| out[event].1.iter().find(|p| p.person).cloned());
            let before = || {
                index.checked_sub(1).and_then(|i| {
                    parties(text, &sentences[i], watch, mentions, known, offices).into_iter().find(|p| p.person)
                })
            };
            // "After he met Starmer on Wednesday, Trump said…": the "he" of a clause that opens
            // the sentence is the one who speaks after it.
            let speaker = || {
                (whole.start == s.start && opens_subordinate(sentence))
                    .then(|| {
                        parties(text, whole, watch, mentions, known, offices)
                            .into_iter()
                            .find(|p| p.person && p.sayer && p.start > trigger_at)
                            // Right after the opening clause: "…, Witkoff flew home, Peskov said"
                            // is a source, not the "he".
                            .filter(|p| text[whole.start..p.start].matches(',').count() == 1)
                    })
                    .flatten()
                    .map(|p| Party { sayer: false, ..p })
            };
            // "Trump said he will meet Xi": the one who said it, named before "he".
            let said_by_him = says_he || found.iter().any(|p| p.person && p.sayer && p.end <= trigger_at);
            // A person told just before is the "he"; only with none is it who speaks after.
            if !said_by_him && let Some(p) = recent.or_else(before) {
                if !found.iter().any(|f| f.key == p.key) {
                    found.insert(0, p);
                }
            } else if let Some(p) = speaker() {
                match found.iter_mut().find(|f| f.key == p.key) {
                    Some(f) => f.sayer = false,
                    None => found.insert(0, p),
                }
            }
        }
        // "The calls came a day after the two men held a meeting": days counted from the
        // talk just told.
        if days.is_empty()
            && let Some((event, at)) = last
            && index <= at + 3
            && let Some(day) = out[event].0.date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            && let Some(shifted) = here
                .iter()
                // A talk word after the count: the talks it dates ("the call came a day
                // after the two men met"), not the talks just told.
                .filter(|t| t.kind == TimexType::Duration && triggers.iter().any(|&(a, b)| a >= t.end && b <= s.end))
                .find_map(|t| {
                    let n: i64 = t.value.strip_prefix('P')?.strip_suffix('D')?.parse().ok()?;
                    let lower = t.text.to_ascii_lowercase();
                    if lower.ends_with(" after") {
                        day.checked_sub_signed(chrono::Duration::days(n))
                    } else if lower.ends_with(" before") {
                        day.checked_add_signed(chrono::Duration::days(n))
                    } else {
                        None
                    }
                })
        {
            days.push(shifted.format("%Y-%m-%d").to_string());
        }
        if days.is_empty()
            && JUST_NOW.is_match(sentence)
            && !here.iter().any(|t| {
                t.start >= s.start
                    && t.end <= s.end
                    && matches!(t.kind, TimexType::Date | TimexType::Time)
                    && !t.value.ends_with("_REF")
            })
        {
            days.push(published.to_string());
        }
        // "Erdogan gave no sign on Monday … He was speaking after his first meeting with
        // Biden": he spoke, and so met, on the day the sentence before names.
        static SPEAKING_AFTER: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)(?-u:\b)(?:(?:was|were)\s+speaking|(?:remarks|comments|words)\s+came)\s+(?:after|following|at\s+the\s+end\s+of)(?-u:\b)")
                .expect("speaking-after regex")
        });
        if days.is_empty()
            && index > 0
            && SPEAKING_AFTER.is_match(&sentence[..trigger_start])
            && let Some(day) = said_day(&sentences[index - 1], times, published)
        {
            days.push(day);
        }
        // "met Tusk on July 11 and Merz on July 12": a meeting per day, each with whom it
        // names before its day; consecutive days are no single round then.
        let by_day = parts_by_day(text, &here, &found, trigger_at, &days);
        one_round(&mut days, sentence);
        let date = days.first().cloned();
        // "would hold a call next week … the call would take place on Wednesday", told on a
        // Wednesday: the Wednesday of that week, not today.
        let date = match (date, last) {
            (Some(d), Some((event, at)))
                if d == published.to_string()
                    && ANAPHOR.is_match(sentence)
                    && index <= at + 3
                    && here.iter().any(|t| day_of(&t.value) == Some(d.as_str()) && weekday_name(&t.text)) =>
            {
                out[event].0.date.as_deref().and_then(|w| same_weekday_in(&d, w)).or(Some(d))
            }
            (date, _) => date,
        };
        let place = place_of(text, s, trigger_at, &found);
        let tone: Vec<String> = tone_of(sentence);
        // Held or planned: the day says, else the words around the trigger ("will meet",
        // "talks are set for"), not those of another clause ("and will continue them").
        let around = {
            let lo = floor_char_boundary(sentence, trigger_start.saturating_sub(60));
            let hi = floor_char_boundary(sentence, (trigger_end + 20).min(sentence.len()));
            &sentence[lo..hi]
        };
        // "Talks between Armenia and Azerbaijan are scheduled to take place…": the verb of
        // the talk word's own clause, further on, up to a comma.
        let scheduled_after = || {
            static SCHEDULED: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"(?i)^[^,;]*?(?-u:\b)(?:is|are)\s+(?:now\s+)?(?:scheduled|set|due|expected|slated|planned|to\s+(?:be\s+held|take\s+place|begin|start|resume))(?-u:\b)")
                    .expect("scheduled regex")
            });
            let hi = floor_char_boundary(sentence, (trigger_end + 80).min(sentence.len()));
            SCHEDULED.is_match(&sentence[trigger_end..hi])
        };
        let planned = match date.as_deref().and_then(|d| order_of(d, published)) {
            Some(std::cmp::Ordering::Greater) => true,
            Some(std::cmp::Ordering::Less) => false,
            _ => PLANNED.is_match(around) || scheduled_after(),
        };
        let status = if planned { "planned" } else { "held" };
        // "The two Koreas announced on Monday that Moon and Kim will hold a summit": talks
        // to come are not on the day they were announced.
        let announced = date.as_deref().is_some_and(|d| {
            planned
                && order_of(d, published) != Some(std::cmp::Ordering::Greater)
                && here.iter().any(|t| day_of(&t.value) == Some(d) && said_time(text, t))
                // "said on Friday he would speak with Putin later in the day": that day.
                && !here.iter().any(|t| day_of(&t.value) == Some(d) && !said_time(text, t))
        });
        let date = if announced {
            days.clear();
            None
        } else {
            date
        };
        let anaphor = ANAPHOR.is_match(sentence);
        // "\"The meeting was cordial,\" Ebrard said on Tuesday", after the meeting was told:
        // the day of the saying, not of the talk.
        let said_only = anaphor
            && last.is_some_and(|(_, at)| index <= at + 3)
            && date.as_deref().is_some_and(|d| {
                let of_day: Vec<&&Timex> = here.iter().filter(|t| day_of(&t.value) == Some(d)).collect();
                !of_day.is_empty() && of_day.iter().all(|t| said_time(text, t))
            });
        let date = if said_only {
            days.clear();
            None
        } else {
            date
        };
        // "Tajani separately saw Grossi", "in a separate meeting": another event.
        static SEPARATE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)(?-u:\b)(?:separately|(?:in|at|during|held)\s+(?:a\s+)?separate)(?-u:\b)")
                .expect("separate regex")
        });
        // "…held talks with Wallström on Friday. On Friday morning he also met Löfven": someone
        // new, met as well, is another meeting.
        let also_met = |event: &[Party]| {
            word_before(text, t0) == "also"
                && found.iter().any(|f| f.person && !f.sayer && !event.iter().any(|k| same(k, f)))
        };
        let separate = SEPARATE.is_match(sentence) || last.is_some_and(|(event, _)| also_met(&out[event].1));

        // "…expected to go on until Wednesday": a bound is not when a talk was.
        let bound = |t: &Timex| {
            let word = text[..t.start].trim_end().rsplit(' ').next().unwrap_or("").to_ascii_lowercase();
            matches!(word.as_str(), "until" | "till" | "through" | "by")
        };
        let own_time = here.iter().any(|t| {
            t.start >= s.start
                && t.end <= s.end
                && t.kind == TimexType::Date
                && !t.value.ends_with("_REF")
                && !bound(t)
                && !(said_only && said_time(text, t))
        });
        // "The two presidents last spoke in February": a month or year of its own that the
        // talk just told is not in makes this another talk, though it names no day.
        let coarse: Vec<&str> = here
            .iter()
            .filter(|t| {
                t.start >= s.start
                    && t.end <= s.end
                    && t.kind == TimexType::Date
                    && !bound(t)
                    && !said_time(text, t)
                    && coarse_time(&t.value)
                    // The talk's own time, in its clause: not "since the war broke out in
                    // February 2022".
                    && {
                        let between = if t.start >= t1 { &text[t1..t.start] } else { &text[t.end.min(t0)..t0] };
                        between.len() <= 100
                            && !between
                                .split(|c: char| !c.is_alphanumeric())
                                .any(|w| matches!(w, "since" | "after" | "before" | "when" | "while" | "until" | "as"))
                            && !between.contains([';', '('])
                    }
            })
            .map(|t| t.value.as_str())
            .collect();
        let elsewhen = |talk: &Talk| {
            talk.date
                .as_deref()
                .and_then(day_of)
                .is_some_and(|d| !coarse.is_empty() && !coarse.iter().any(|c| d.starts_with(c)))
        };
        // A sentence about the talks just told: their tone, place or day. "Yesterday's
        // meeting", with no one new, reaches a little further back.
        if let Some((event, at)) = last
            && !separate
            && !elsewhen(&out[event].0)
            && (index <= at + 3
                || (anaphor && index <= at + 5 && found.iter().all(|f| out[event].1.iter().any(|k| same(k, f)))))
            && days.len() < 2
            && by_day.is_none()
            && (out[event].0.status == status || (anaphor && date.is_none()))
            && (anaphor || found.len() < 2 || shares(&out[event].1, &found))
            && (anaphor || found.is_empty() || shares(&out[event].1, &found))
            && (anaphor || !other_people(&out[event].1, &found))
            && (compatible(&out[event].0, date.as_deref())
                // "next week's summit … The June 12 meeting": that week's day.
                || anaphor && narrows(date.as_deref(), out[event].0.date.as_deref()))
            // "the talks in Geneva last year": a time of its own is another talk; so is one
            // with someone new ("In September, Kim held talks with Putin" after a line on
            // Trump and Kim).
            // ("Washington and Beijing first negotiated in Geneva in mid-May" after a call
            // between Trump and Xi: sides not yet in the talk are someone new).
            && (date.is_some() || !own_time || (found.len() >= 2 && !found.iter().any(|p| !out[event].1.iter().any(|k| same(k, p) || (p.country.is_some() && k.country == p.country)))))
        {
            let (talk, known_parties) = &mut out[event];
            absorb(talk, known_parties, found, date, place, tone);
            last = Some((event, index));
            continue;
        }
        // "The first round was held in Muscat on April 12 and the second in Rome on April
        // 19": rounds of the talks just told, with their parties.
        if found.is_empty()
            && let Some((event, at)) = last
            && index <= at + 3
            && !days.is_empty()
        {
            found = out[event].1.clone();
        }
        // "The third round, again facilitated by Oman's foreign minister, is to take place in
        // Muscat on April 26": a round of the talks the article told, however far back,
        // between their parties (with whoever this sentence adds).
        if found.len() <= 1
            && text[t0..t1].to_ascii_lowercase().contains("round")
            && (!days.is_empty() || PLANNED.is_match(sentence))
            && let Some((_, parties)) = out.iter().rev().find(|(_, p)| p.len() >= 2)
        {
            let mut all = parties.clone();
            for p in found {
                if !all.iter().any(|a| a.key == p.key) {
                    all.push(p);
                }
            }
            found = all;
        }
        // "After the two leaders talked by phone, Trump announced … Xi": "the two leaders" are
        // the people the whole sentence names.
        static THE_TWO: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)(?-u:\b)(?:the|both)\s+(?:two\s+(?:men|women|leaders|sides|ministers|presidents|envoys|negotiators|officials|diplomats)|pair|leaders|presidents)(?-u:\b)|(?-u:\b)the\s+two\s+(?:had|have|has|were|met|spoke|talked|held|last|also|later|then|first)(?-u:\b)")
                .expect("the-two regex")
        });
        // "The leaders met at the museum": the plural alone, with no one named.
        // "the leaders of the five Central Asian states" are a group the sentence names.
        let the_pair = |p: &Party| {
            let name = p.name.to_ascii_lowercase();
            (name.starts_with("the two ")
                || ["the leaders", "both leaders", "the presidents", "the pair"].contains(&name.as_str()))
                && !text[p.end..].starts_with(" of ")
        };
        let two_named = THE_TWO.find_iter(sentence).any(|m| !sentence[m.end()..].starts_with(" of "));
        if found.iter().any(the_pair) || (found.iter().filter(|p| p.person).count() < 2 && two_named) {
            let whole = &sentences[index];
            let people: Vec<Party> = if (whole.start, whole.end) == (s.start, s.end) {
                found.iter().filter(|p| p.person).cloned().collect()
            } else {
                parties(text, whole, watch, mentions, known, offices).into_iter().filter(|p| p.person).collect()
            };
            // "The calls came a day after the two men held a meeting": when the sentence
            // names no pair, the two are the people of the talk just told.
            let people = match last {
                Some((event, at)) if people.len() < 2 && index <= at + 3 => {
                    // The first two, unless the talk names its leaders as such: "Rubio and
                    // Lavrov will prepare a meeting of presidents Trump and Putin. … a call
                    // between the two leaders" is Trump and Putin's.
                    let people: Vec<&Party> = out[event].1.iter().filter(|p| p.person).collect();
                    let leaders = people.iter().position(|p| {
                        ["presidents", "leaders", "premiers"].contains(&word_before(text, p.start).as_str())
                    });
                    let from = leaders.filter(|&i| i + 1 < people.len()).unwrap_or(0);
                    let mut pair: Vec<Party> = people[from..].iter().take(2).map(|p| (*p).clone()).collect();
                    // "South Korea and the DPRK agreed on the date … The two sides also agreed
                    // to hold working-level talks": sides that are no people are the talk's.
                    let sides = {
                        let lower = sentence.to_ascii_lowercase();
                        lower.contains("two sides") || lower.contains("both sides")
                    };
                    if pair.len() < 2 && sides {
                        pair = out[event].1.iter().filter(|p| !p.sayer).cloned().collect();
                    }
                    // They are the sides; what else the sentence names is where or what.
                    if pair.len() >= 2 {
                        found.clear();
                    }
                    pair
                }
                _ => people,
            };
            if people.len() >= 2 {
                found.retain(|p| !the_pair(p));
                // Two people, or every side of the talk just told.
                let take = if people.iter().all(|p| p.person) { 2 } else { people.len() };
                for p in people.into_iter().take(take) {
                    if !found.iter().any(|f| f.key == p.key) {
                        found.push(p);
                    }
                }
            }
        }
        // "…and separately met Lukashenko": the subject of the clause before is a party.
        if found.len() == 1
            && found[0].person
            && let Some((at, p)) = &subject
            && *at == index
            && p.key != found[0].key
        {
            found.insert(0, p.clone());
        }
        if let Some(p) = found.iter().find(|p| p.person) {
            subject = Some((index, p.clone()));
        }
        // A lone party is enough only as a group meeting itself: "EU foreign ministers met".
        let single_group = found.len() == 1
                // "EU foreign ministers" is an office held by many: a group too.
                && (!found[0].person || found[0].key.ends_with('s'))
                && !found[0].sayer
                && watch.is_party_noun(&found[0].key);
        if found.is_empty() || (found.len() < 2 && !single_group) {
            continue;
        }
        let reported_by = REPORTED
            .captures(sentence)
            .and_then(|c| c.get(1).or_else(|| c.get(2)))
            .map(|m| m.as_str().trim_start_matches("the ").to_owned());
        // One event per day the sentence names for it ("met on May 16 and June 2").
        let each: Vec<(Option<String>, Vec<Party>)> = match by_day {
            Some(parts) => parts
                .into_iter()
                .map(|(day, (lo, hi))| {
                    let with = found.iter().filter(|p| p.end <= trigger_at || (lo <= p.start && p.end <= hi)).cloned();
                    (Some(day), with.collect())
                })
                .collect(),
            None if days.is_empty() => vec![(None, found)],
            None => days.into_iter().map(|d| (Some(d), found.clone())).collect(),
        };
        for (date, found) in each {
            // The same meeting told again further on: one event.
            if let Some(event) = out.iter().position(|(t, p)| {
                !separate
                    && !elsewhen(t)
                    && t.status == status
                    && ((t.date.is_some()
                        && t.date == date
                        && shares(p, &found)
                        && !foreign(p, &found)
                        && !other_people(p, &found))
                        || ((compatible(t, date.as_deref()) || in_week(date.as_deref(), t.date.as_deref()))
                            && shared(p, &found) >= 2))
            }) {
                let (talk, known_parties) = &mut out[event];
                absorb(talk, known_parties, found.clone(), date, place.clone(), tone.clone());
                last = Some((event, index));
                continue;
            }
            let talk = Talk {
                participants: found.iter().map(|p| p.name.clone()).collect(),
                actors: Vec::new(),
                status,
                date,
                place: place.clone(),
                tone: tone.clone(),
                reported_by: reported_by.clone(),
                // The whole sentence, also when one of its clauses told the talk.
                evidence: text[sentences[index].start..sentences[index].end].trim().to_owned(),
                start: sentences[index].start,
                end: sentences[index].end,
            };
            out.push((talk, found.clone()));
            last = Some((out.len() - 1, index));
        }
    }
    out.into_iter()
        .map(|(mut talk, _)| {
            talk.actors = watch.actors_named(&talk.participants);
            talk
        })
        .collect()
}

/// "Fico met Tusk on July 11 and Merz on July 12": for each day the sentence names after the
/// talk word, the stretch of text holding whom it was with (the parties after the previous
/// day, up to this one), when every day follows its own party.
fn parts_by_day(
    text: &str,
    here: &[&Timex],
    found: &[Party],
    trigger_at: usize,
    days: &[String],
) -> Option<Vec<(String, (usize, usize))>> {
    if days.len() < 2 {
        return None;
    }
    let mut parts: Vec<(String, (usize, usize))> = Vec::new();
    let mut from = trigger_at;
    for t in here.iter().filter(|t| t.start > trigger_at) {
        let Some(day) = day_of(&t.value).filter(|d| days.iter().any(|x| x == d)) else { continue };
        let last = found.iter().rfind(|p| p.start >= from && p.end <= t.start)?;
        if !matches!(text[last.end..t.start].trim(), "on" | "in") || parts.iter().any(|(d, _)| d == day) {
            return None;
        }
        parts.push((day.to_owned(), (from, t.start)));
        from = t.end;
    }
    (parts.len() >= 2 && parts.len() == days.len()).then_some(parts)
}

/// "Orban said he would speak with Putin later in the day", after Trump's meeting with
/// Zelensky told that day: someone new, and two of the event's people gone, is another talk.
fn other_people(event: &[Party], found: &[Party]) -> bool {
    found.iter().any(|f| f.person && !event.iter().any(|k| same(k, f)))
        && event.iter().filter(|k| k.person && !found.iter().any(|f| same(k, f))).count() >= 2
}

/// Whether two lists of parties name the same side at least once (a minister counts for
/// their country).
fn shares(a: &[Party], b: &[Party]) -> bool {
    a.iter().any(|x| b.iter().any(|y| same(x, y) || (x.country.is_some() && x.country == y.country)))
}

/// Whether two mentions name one party: the same last word, or, for people, one's last word
/// is a word of the other's name ("Lula" and "Luiz Inácio Lula da Silva").
fn same(x: &Party, y: &Party) -> bool {
    let within = |name: &str, key: &str| name.split(' ').any(|w| w.eq_ignore_ascii_case(key));
    x.key == y.key || (x.person && y.person && (within(&x.name, &y.key) || within(&y.name, &x.key)))
}

/// Whether `found` names a party from a country none of the event's parties belongs to:
/// "Italy's foreign minister met his Iranian counterpart" on the day of the Iran–US round
/// is another meeting, though it shares a side with it.
fn foreign(event: &[Party], found: &[Party]) -> bool {
    found.iter().any(|y| y.country.is_some() && !event.iter().any(|x| x.key == y.key || x.country == y.country))
}

/// How many of `b`'s parties `a` names too.
fn shared(a: &[Party], b: &[Party]) -> usize {
    b.iter().filter(|y| a.iter().any(|x| same(x, y))).count()
}

/// One round of talks over days in a row is one event, dated by its first day: "would meet
/// on Saturday and Sunday" is Saturday's; "on Sunday … returned for day two of trade talks"
/// began on Saturday. Days apart ("met on May 16 and June 2") stay apart.
fn one_round(days: &mut Vec<String>, sentence: &str) {
    // "returned for day two of trade talks", "wrapped up two days of talks on Tuesday": the
    // round began that many days before.
    static DAY_N: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:day\s+(?P<n>two|three|four|2|3|4)|(?P<o>second|third|fourth)\s+day|(?:wrapped\s+up|wrap\s+up|wraps\s+up|concluded|ended|closed|finished|ending|concluding)\s+(?:their\s+|the\s+)?(?P<d>two|three|four|2|3|4)\s+days)\s+of(?-u:\b)")
            .expect("day-of-talks regex")
    });
    let parsed: Option<Vec<NaiveDate>> = days.iter().map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).collect();
    let Some(mut parsed) = parsed.filter(|p| !p.is_empty()) else { return };
    parsed.sort();
    if parsed.windows(2).all(|w| w[0].succ_opt() == Some(w[1])) {
        let back = DAY_N.captures(sentence).and_then(|c| {
            match c.name("n").or(c.name("o")).or(c.name("d"))?.as_str().to_ascii_lowercase().as_str() {
                "two" | "2" | "second" => Some(1),
                "three" | "3" | "third" => Some(2),
                "four" | "4" | "fourth" => Some(3),
                _ => None,
            }
        });
        let first = match back {
            Some(n) if parsed.len() == 1 => parsed[0].checked_sub_days(chrono::Days::new(n)).unwrap_or(parsed[0]),
            _ => parsed[0],
        };
        *days = vec![first.format("%Y-%m-%d").to_string()];
    }
}

/// The one day a sentence names, if it is not after `published`: when what it tells was
/// said.
fn said_day(s: &Sentence, times: &[Timex], published: NaiveDate) -> Option<String> {
    let mut days = times
        .iter()
        .filter(|t| t.start >= s.start && t.end <= s.end && t.kind == TimexType::Date)
        .filter_map(|t| day_of(&t.value))
        .filter(|d| order_of(d, published) != Some(std::cmp::Ordering::Greater));
    let day = days.next()?;
    days.all(|d| d == day).then(|| day.to_owned())
}

/// Whether a time expression is a bare day of the week ("Wednesday", "on Friday").
fn weekday_name(text: &str) -> bool {
    let word = text.trim().trim_start_matches("on ").trim_start_matches("On ");
    matches!(
        word.to_ascii_lowercase().as_str(),
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday"
    )
}

/// The day of `week` ("2025-W33") that falls on the weekday of `day`, when `day` is not in
/// it already.
fn same_weekday_in(day: &str, week: &str) -> Option<String> {
    if !is_week(week) || in_week(Some(day), Some(week)) {
        return None;
    }
    let weekday = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?.weekday();
    let (year, number) = week.split_once("-W")?;
    let moved = NaiveDate::from_isoywd_opt(year.parse().ok()?, number.parse().ok()?, weekday)?;
    Some(moved.format("%Y-%m-%d").to_string())
}

/// Whether `day` tells the day of a talk known by `known` more precisely: a day of its week,
/// or the Sunday of a weekend known by its Saturday ("sat down together this weekend …
/// yesterday's meeting", told on a Monday).
fn narrows(day: Option<&str>, known: Option<&str>) -> bool {
    let sunday_after = || {
        let (Some(day), Some(known)) = (day, known) else { return false };
        let (Ok(day), Ok(known)) =
            (NaiveDate::parse_from_str(day, "%Y-%m-%d"), NaiveDate::parse_from_str(known, "%Y-%m-%d"))
        else {
            return false;
        };
        known.weekday() == chrono::Weekday::Sat && known.succ_opt() == Some(day)
    };
    in_week(day, known) || sunday_after()
}

/// Whether a date value names a year or a month and no day ("2022", "2024-02"): a time
/// coarser than a talk's day, which a day can be checked against.
fn coarse_time(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 4
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b.len() == 4 || (b.len() == 7 && b[4] == b'-' && b[5..].iter().all(u8::is_ascii_digit)))
}

/// Whether `day` ("2018-06-12") falls in `week` ("2018-W24").
fn in_week(day: Option<&str>, week: Option<&str>) -> bool {
    let (Some(day), Some(week)) = (day, week) else { return false };
    let Ok(day) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else { return false };
    let iso = day.iso_week();
    week == format!("{}-W{:02}", iso.year(), iso.week())
}

/// The day ("2018-06-12") a date or time value falls on, if it names one.
fn day_of(value: &str) -> Option<&str> {
    let b = value.as_bytes();
    (b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit)).then(|| &value[..10])
}

/// The Saturday of a weekend value ("2025-W19-WE" is 2025-05-10).
fn weekend_saturday(value: &str) -> Option<String> {
    let week = value.strip_suffix("-WE")?;
    let (year, week) = week.split_once("-W")?;
    let day = NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, chrono::Weekday::Sat)?;
    Some(day.format("%Y-%m-%d").to_string())
}

/// Whether a date value names a week ("2018-W24").
fn is_week(value: &str) -> bool {
    value.len() == 8 && value.as_bytes()[5] == b'W'
}

/// The few words before `at`, lower case: what ties a date to a verb or a deadline.
fn lower_before(text: &str, at: usize) -> String {
    text[floor_char_boundary(text, at.saturating_sub(48))..at].trim_end().to_lowercase()
}

/// How a talk's day ("2018-06-12") or week ("2018-W24") stands to the publication day.
fn order_of(date: &str, published: NaiveDate) -> Option<std::cmp::Ordering> {
    if let Ok(day) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        return Some(day.cmp(&published));
    }
    let (year, week) = date.split_once("-W")?;
    let week = (year.parse::<i32>().ok()?, week.parse::<u32>().ok()?);
    let now = published.iso_week();
    Some(week.cmp(&(now.year(), now.week())))
}

fn compatible(talk: &Talk, date: Option<&str>) -> bool {
    talk.date.as_deref().is_none_or(|d| date.is_none_or(|x| x == d))
}

fn absorb(
    talk: &mut Talk,
    known: &mut Vec<Party>,
    found: Vec<Party>,
    date: Option<String>,
    place: Option<String>,
    tone: Vec<String>,
) {
    // Parties join only from a sentence that names one of the event's own: "Witkoff and
    // Putin spoke for three hours" may add a third; "Washington and Moscow" in a sentence
    // about the talks' background does not.
    let related = shares(known, &found);
    for p in found.into_iter().filter(|p| !p.sayer && related && (p.person || p.name.contains(' '))) {
        if !known.iter().any(|k| same(k, &p)) {
            // A fuller mention of a party already known replaces it.
            talk.participants.push(p.name.clone());
            known.push(p);
        }
    }
    for t in tone {
        if !talk.tone.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            talk.tone.push(t);
        }
    }
    // A day of the week the event was known by tells it more precisely.
    if talk.date.is_none() || narrows(date.as_deref(), talk.date.as_deref()) {
        talk.date = date;
    }
    if talk.place.is_none() {
        talk.place = place;
    }
}

/// The days of the talk: the day-grain dates of the sentence that are not a deadline's
/// ("by Friday", "the August 8 deadline"), nearest the trigger first; more than one only
/// when the sentence lists them together ("on May 16 and June 2").
fn days_of(text: &str, here: &[&Timex], trigger_at: usize) -> Vec<String> {
    // "next week's summit", "Friday's talks": the time that owns the talk word is its time,
    // whatever day the sentence says it was announced on.
    if let Some(owner) = here.iter().find(|t| {
        t.end <= trigger_at
            && matches!(t.kind, TimexType::Date | TimexType::Time)
            && !t.value.ends_with("_REF")
            && text[t.end..trigger_at]
                .strip_prefix("'s")
                .or_else(|| text[t.end..trigger_at].strip_prefix("’s"))
                .is_some_and(|rest| rest.len() < 30 && rest.split_whitespace().count() <= 2)
    }) {
        if let Some(day) = day_of(&owner.value) {
            return vec![day.to_owned()];
        }
        if is_week(&owner.value) {
            return vec![owner.value.clone()];
        }
    }
    // "meetings in Washington, with a tariff deadline looming next week": the deadline's time.
    let deadline_time = |t: &Timex| {
        t.start > trigger_at && {
            let near = text[floor_char_boundary(text, t.start.saturating_sub(60)).max(trigger_at)..t.start]
                .to_ascii_lowercase();
            // "…, with the snapback deadline in mind, in Istanbul on Friday" is the talks' day.
            [near.rfind("deadline"), near.rfind("ultimatum")]
                .into_iter()
                .flatten()
                .max()
                .is_some_and(|at| !near[at..].contains(','))
        }
    };
    let here: Vec<&Timex> = here.iter().copied().filter(|t| !deadline_time(t)).collect();
    let here = here.as_slice();
    let dated: Vec<&&Timex> = here
        .iter()
        .filter(|t| matches!(t.kind, TimexType::Date | TimexType::Time) && day_of(&t.value).is_some())
        .filter(|t| {
            // A few words either side, not the whole text: linear in the article.
            let before = lower_before(text, t.start);
            let after =
                text[t.end..floor_char_boundary(text, (t.end + 24).min(text.len()))].trim_start().to_lowercase();
            // "talks … from October 17 to 20", "held talks … starting on Thursday": the first
            // day of the talks, when nothing else stands between the talk word and the day.
            let stem = before.strip_suffix(" on").unwrap_or(&before);
            let span = (before.ends_with(" from")
                && (after.starts_with("to ") || after.starts_with("through ") || after.starts_with(['-', '–'])))
                || stem.ends_with(" starting");
            let span = span && t.start > trigger_at && {
                let between = text[trigger_at..t.start].to_ascii_lowercase();
                between.len() < 120
                    && !["tariff", "sanction", "dut", "measure", "ban", "licen", "deadline", "effect", "waiver"]
                        .iter()
                        .any(|w| between.contains(w))
            };
            // "new tariffs that were due to take effect on Friday": a measure's day.
            let measure_day = [
                "take effect",
                "takes effect",
                "into force",
                "expire",
                "expires",
                "lapse",
                "lapses",
                "kick in",
                "kicks in",
            ]
            .iter()
            .any(|w| stem.ends_with(&format!(" {w}")));
            // "sat with E3 officials …, following an earlier round in Istanbul on May 16": the
            // day of another round, told after the talk word, is not this one's.
            let other_round = t.start > trigger_at && {
                let near = text[floor_char_boundary(text, t.start.saturating_sub(90))..t.start].to_ascii_lowercase();
                [
                    "earlier round",
                    "previous round",
                    "earlier meeting",
                    "previous meeting",
                    "last round",
                    "earlier session",
                ]
                .iter()
                .any(|w| near.contains(w))
            };
            // "would begin on December 10 and wrap up on December 12": the talks' last day.
            let last_day = ["wrap up", "wraps up", "end", "ends", "conclude", "concludes", "close", "closes", "finish"]
                .iter()
                .any(|w| stem.ends_with(&format!(" {w}")));
            // "set May 12 as the start date for the truce": a day named for something else.
            let named_as = after.starts_with("as ")
                && stem.rsplit(' ').next().is_some_and(|w| {
                    ["set", "sets", "named", "names", "fixed", "chose", "picked", "proposed"].contains(&w)
                });
            (span
                || !["by", "until", "before", "than", "till", "ahead of", "from", "starting", "on or after", "through"]
                    .iter()
                    .any(|w| stem.ends_with(&format!(" {w}"))))
                && !measure_day
                && !named_as
                && !last_day
                && !other_round
                && !after.starts_with("deadline")
                && !after.starts_with("'s deadline")
                && !after.starts_with("’s deadline")
        })
        .collect();
    // "intends to restart negotiations this week, Maduro said on Monday": the day of the
    // saying dates the saying; the talks keep the time of their own clause, if they have one.
    let said = |t: &Timex| said_time(text, t);
    let own_time = here.iter().any(|t| {
        t.kind == TimexType::Date
            && !said(t)
            && !t.value.ends_with("_REF")
            && (is_week(&t.value) || dated.iter().any(|d| std::ptr::eq(**d, *t)))
    });
    let dated: Vec<&&Timex> = if own_time { dated.into_iter().filter(|t| !said(t)).collect() } else { dated };
    let Some(nearest) = dated
        .iter()
        .min_by_key(|t| if t.start >= trigger_at { t.start - trigger_at } else { (trigger_at - t.end) + 20 })
    else {
        // "next week": no day, but the week the talks are planned for; "over the weekend":
        // its Saturday, the day weekend talks open.
        return here
            .iter()
            .find_map(|t| {
                (t.kind == TimexType::Date)
                    .then(|| weekend_saturday(&t.value).or_else(|| is_week(&t.value).then(|| t.value.clone())))
                    .flatten()
            })
            .map(|v| vec![v])
            .unwrap_or_default();
    };
    let mut out = vec![nearest.value[..10].to_owned()];
    // Further days listed with the nearest one, after the trigger.
    for pair in dated.windows(2) {
        let between = &text[pair[0].end..pair[1].start];
        // "met Tusk on July 11 and German Chancellor Friedrich Merz on July 12": each day
        // with its own party.
        let with_party = between.len() < 90
            && between.starts_with(" and ")
            && between.trim_end().ends_with(" on")
            && !between.contains([',', ';']);
        let listed = (between.len() < 40 && (between.contains(" and ") || between.trim() == ",")) || with_party;
        if listed && pair[0].start >= trigger_at {
            for t in pair {
                let day = t.value[..10].to_owned();
                if !out.contains(&day) {
                    out.push(day);
                }
            }
        }
    }
    out
}

/// Whether `t` dates a saying: "Maduro said on Monday", "told Russian media on Tuesday".
fn said_time(text: &str, t: &Timex) -> bool {
    let before = lower_before(text, t.start);
    let before = before.strip_suffix(" on").unwrap_or(&before).trim_end();
    let before = before.strip_suffix(" late").or_else(|| before.strip_suffix(" early")).unwrap_or(before);
    // "told reporters", "told Russian media", "told the state news agency".
    let told = before.split_whitespace().rev().take(4).any(|w| w == "told");
    told || ["said", "says", "announced", "stated", "added", "wrote"].iter().any(|w| before.ends_with(&format!(" {w}")))
}

/// Where: "in Geneva", "at the White House", nearest after the trigger, else before it.
fn place_of(text: &str, s: &Sentence, trigger_at: usize, parties: &[Party]) -> Option<String> {
    static PLACE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(?:in|at)\s+(?:the\s+)?((?:[A-Z][\p{L}'’-]+)(?:\s+(?:[A-Z][\p{L}'’-]+|of|de|al-[A-Z][\p{L}]+)){0,3})(?:'s|’s)?(?:[\s,.;:)]|$)")
            .expect("place regex")
    });
    const NOT_PLACES: [&str; 11] =
        ["The", "A", "An", "This", "That", "Congress", "Parliament", "Security", "General", "Washington's", "Talks"];
    let sentence = &text[s.start..s.end];
    let mut best: Option<(usize, String)> = None;
    for c in PLACE.captures_iter(sentence) {
        let Some(m) = c.get(1) else { continue };
        // "in New York", "in Abu Dhabi", but "in Moscow President Putin": the name ends at a
        // title, a day or month, or a word that starts a new clause.
        let mut end = m.as_str().len();
        let mut offset: usize = 0;
        for (i, w) in m.as_str().split(' ').enumerate() {
            let lower = w.to_lowercase();
            let stop = i > 0
                && (names::CALENDAR.contains(&w)
                    || super::gazetteer::BUILTIN.titles.iter().any(|t| t.split(' ').next() == Some(lower.as_str()))
                    || ["on", "after", "before", "last", "this", "next", "and", "with", "for"]
                        .contains(&lower.as_str())
                    || (w != "of" && w != "de" && !w.starts_with(char::is_uppercase)));
            if stop {
                end = offset.saturating_sub(1);
                break;
            }
            offset += w.len() + 1;
        }
        let place = m.as_str()[..end].trim_end_matches(['.', ',']).trim_end_matches([' ']);
        let place = place.strip_suffix(" of").or_else(|| place.strip_suffix(" de")).unwrap_or(place);
        let first = place.split_whitespace().next().unwrap_or("");
        if NOT_PLACES.contains(&first) || names::CALENDAR.contains(&first) || OUTLETS.contains(&place) {
            continue;
        }
        // "in the Russian capital": the capital the gazetteer names first for Russia.
        let place = if sentence[m.start() + place.len()..].starts_with(" capital") {
            use super::gazetteer::{BUILTIN, Form};
            let Some(capital) = BUILTIN
                .forms
                .iter()
                .find(|(t, _, f)| t == place && *f == Form::Adjective)
                .and_then(|(_, e, _)| BUILTIN.forms.iter().find(|(_, x, f)| x == e && *f == Form::Metonym))
                .map(|(t, _, _)| t.as_str())
            else {
                continue;
            };
            capital
        } else {
            place
        };
        let whole = c.get(0).map_or(0, |w| w.start());
        let before = sentence[..whole].trim_end().rsplit(' ').next().unwrap_or("").to_lowercase();
        if NOT_PLACE_BEFORE.contains(&before.as_str()) {
            continue;
        }
        let at = s.start + m.start();
        if parties.iter().any(|p| p.person && at >= p.start && at < p.end) {
            continue;
        }
        let distance = if at >= trigger_at { at - trigger_at } else { (trigger_at - at) * 2 };
        if best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((distance, place.to_owned()));
        }
    }
    best.map(|(_, p)| p)
}

fn tone_of(sentence: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in TONE.find_iter(sentence) {
        let word = m.as_str().to_lowercase();
        // "good", "open", "serious" speak of the talks only right next to them.
        let weak = ["good", "great", "open", "serious", "honest", "detailed", "excellent"].iter().any(|w| word == *w);
        let around = &sentence[m.start().saturating_sub(30)..(m.end() + 30).min(sentence.len())];
        let around = around.get(..).unwrap_or("");
        if weak && !TONE_OF_TALKS.is_match(around) {
            continue;
        }
        if weak {
            let next = sentence[m.end()..].trim_start().to_lowercase();
            if !["talks", "meeting", "call", "conversation", "discussion", "discussions", "and"]
                .iter()
                .any(|w| next.starts_with(w))
            {
                continue;
            }
        }
        if !out.iter().any(|x| x.eq_ignore_ascii_case(m.as_str())) {
            out.push(m.as_str().to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Options, extract};
    use chrono::DateTime;

    #[test]
    fn companies_their_chiefs_and_restricted_travel_are_no_talks() {
        let at = "2025-12-01T12:00:00Z";
        for text in [
            "The spokesperson said the heads of the two companies had held a first round of talks last week.",
            "TikTok said it would keep working with the office of Vice President JD Vance, which has been involved in negotiations with the platform.",
            "Trump said he would talk to Nvidia chief executive Jensen Huang about selling a newer chip.",
            "China is restricting travel to Hong Kong by some U.S. officials, the Foreign Ministry said on Thursday.",
            "The licence lets UK persons keep making payments and handing over or receiving economic resources on certain terms.",
        ] {
            assert!(talks(text, at).is_empty(), "{text}");
        }
        assert_eq!(talks("Putin received Witkoff at the Kremlin on Tuesday.", at).len(), 1);
        // A noun of the excluded kinds that names an office, and travel as a topic.
        assert_eq!(talks("Lavrov received the Saudi oil minister in Moscow on Tuesday.", at).len(), 1);
        assert_eq!(talks("Rubio met Wang Yi on Friday to discuss easing travel restrictions.", at).len(), 1);
    }

    #[test]
    fn full_names_start_at_a_word_and_read_past_curly_quotes() {
        let watch = &*NO_ACTORS;
        let text = "The iPhone Maker said “Maroš Šefčovič met Jamieson Greer” on Monday, and 3M Company Chief Bill Brown agreed.";
        let names = full_names(text, watch, &watch.mentions(text));
        assert!(names.contains(&"Maroš Šefčovič".to_owned()), "{names:?}");
        assert!(names.contains(&"Jamieson Greer".to_owned()), "{names:?}");
        // A run found inside a word starts at the word after it.
        assert!(names.iter().all(|n| !n.contains("Phone") && !n.starts_with("M Company")), "{names:?}");
    }

    fn talks(text: &str, published: &str) -> Vec<Talk> {
        let published = DateTime::parse_from_rfc3339(published).expect("time");
        extract(text, &Options { published, timezone: chrono_tz::Tz::UTC, actors: &NO_ACTORS }).talks
    }

    #[test]
    fn a_talk_is_dated_by_the_sentence_around_it() {
        // Tuesday 15 June 2021.
        let found = talks(
            "President Recep Tayyip Erdogan gave no sign on Monday that Ankara would drop the missile deal. He was speaking after his first meeting with President Joe Biden in Brussels.",
            "2021-06-15T09:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date.as_deref(), Some("2021-06-14"), "{found:?}");
        // Told on Wednesday 6 August 2025: next week's Wednesday.
        let found = talks(
            "Finance Minister Fernando Haddad said on Wednesday he would hold a call next week with Treasury Secretary Scott Bessent. He told reporters the call would take place on Wednesday.",
            "2025-08-06T15:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date.as_deref(), Some("2025-08-13"), "{found:?}");
        assert_eq!(found[0].status, "planned", "{found:?}");
        // Told on Monday 27 October 2025: the weekend just past, then its Sunday, named
        // four sentences on.
        let found = talks(
            "President Luiz Inacio Lula da Silva and President Donald Trump sat down together this weekend in Kuala Lumpur. \
             The foreign minister said the mood had improved. Tariffs of 50% still weigh on exports. \
             Officials hope for relief within days. Lula told reporters that yesterday's meeting had left him optimistic.",
            "2025-10-27T10:00:00-03:00",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date.as_deref(), Some("2025-10-26"), "{found:?}");
        assert_eq!(found[0].status, "held", "{found:?}");
    }

    #[test]
    fn the_two_sides_are_the_countries_of_the_talk_just_told() {
        let found = talks(
            "Seoul and Pyongyang will hold a summit on April 27 after South Korea and North Korea agreed on the date at talks on Thursday. \
             The two sides also agreed to hold working-level talks on April 4 in Panmunjom.",
            "2018-03-29T18:00:00+09:00",
        );
        let working = found.iter().find(|t| t.date.as_deref() == Some("2018-04-04")).expect("the working-level talks");
        assert!(working.participants.iter().any(|p| p.ends_with("Korea") || p == "Seoul"), "{found:?}");
        assert_eq!(working.status, "planned", "{found:?}");
    }

    #[test]
    fn someone_also_met_is_another_meeting() {
        let found = talks(
            "Foreign Minister Ri Yong-ho held talks with Margot Wallstrom on Friday in Stockholm. On Friday morning he also met Prime Minister Stefan Lofven at his offices.",
            "2018-03-17T09:00:00Z",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[1].participants.iter().any(|p| p.ends_with("Lofven")), "{found:?}");
        assert!(!found[0].participants.iter().any(|p| p.ends_with("Lofven")), "{found:?}");
        // Someone already at the table is the same meeting.
        let found = talks(
            "Foreign Minister Ri Yong-ho held talks with Margot Wallstrom on Friday in Stockholm. Wallstrom also met Ri for a working lunch.",
            "2018-03-17T09:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn a_name_in_apposition_to_an_office_is_its_holder_and_speaks_for_the_talks() {
        let at = "2019-10-06T05:30:00+01:00";
        let found = talks(
            "North Korea's lead negotiator, Ri Song-chol, said on Saturday night that the talks with the United States in Sweden had collapsed.",
            at,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].participants, ["Ri Song-chol", "United States"], "{found:?}");
        assert_eq!(found[0].date.as_deref(), Some("2019-10-05"));
    }

    #[test]
    fn who_leads_a_delegation_inside_a_relative_clause_is_no_speaker() {
        let at = "2019-10-06T05:30:00+01:00";
        let found = talks(
            "Ri, who spent Saturday in talks in Stockholm with a US team led by envoy Mark Halvorsen, told reporters the American side had not moved.",
            at,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].participants.iter().any(|p| p == "Mark Halvorsen"), "{found:?}");
    }

    #[test]
    fn a_meeting_per_day_when_each_day_follows_its_own_party() {
        let at = "2025-07-12T18:20:00+03:00";
        let found = talks(
            "Orban met Austrian Chancellor Karl Nehammer on July 10 and Czech Prime Minister Petr Fiala on July 11.",
            at,
        );
        let got: Vec<(Vec<String>, Option<String>)> =
            found.iter().map(|t| (t.participants.clone(), t.date.clone())).collect();
        assert_eq!(
            got,
            [
                (vec!["Orban".to_owned(), "Karl Nehammer".to_owned()], Some("2025-07-10".to_owned())),
                (vec!["Orban".to_owned(), "Petr Fiala".to_owned()], Some("2025-07-11".to_owned())),
            ]
        );
        // Two days of one round between the same sides stay one talk.
        assert_eq!(talks("Rubio and Lavrov met on Monday and Tuesday in Riyadh.", at).len(), 1);
    }

    #[test]
    fn every_name_of_a_list_the_sides_discussed_is_a_topic() {
        let at = "2026-01-27T10:00:00-05:00";
        let found = talks("Merz met Starmer on Monday to discuss Syria, Iraq and Libya.", at);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].participants, ["Merz", "Starmer"], "{found:?}");
        // A list of sides stays the sides.
        let found = talks("Rubio held talks with Germany, France and Britain on Monday.", at);
        assert_eq!(found[0].participants, ["Rubio", "Germany", "France", "Britain"], "{found:?}");
    }

    #[test]
    fn who_called_whom_on_a_day_is_a_call() {
        let at = "2026-01-27T10:00:00-05:00";
        let found = talks("Trump called Carney on Monday.", at);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].participants.clone(), found[0].date.as_deref()),
            (vec!["Trump".to_owned(), "Carney".to_owned()], Some("2026-01-26"))
        );
        // Calling someone names is no call.
        assert!(talks("Trump called Putin a dictator on Monday.", at).is_empty());
    }

    #[test]
    fn an_accepted_invitation_to_come_back_for_talks_is_a_planned_talk() {
        let at = "2019-10-06T05:30:00+01:00";
        let found = talks(
            "Washington said it had accepted an invitation from Oslo to come back for further talks with Pyongyang.",
            at,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].status, "planned");
        assert!(found[0].participants.iter().any(|p| p == "Pyongyang"), "{found:?}");
        // An invitation alone is no talk yet.
        assert!(talks("Oslo sent Pyongyang an invitation to talks with Washington.", at).is_empty());
    }

    #[test]
    fn a_hedge_or_condition_voids_its_own_talk_word_not_the_rest_of_the_sentence() {
        let at = "2025-07-17T10:00:00Z";
        // The hedge is in another clause: the meeting happened.
        let t = talks("Lavrov met Wang in Beijing on Tuesday, and said a deal might follow if Kyiv agreed.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        let t = talks(
            "Tehran answered a week later, after a letter from Washington, when an Emirati envoy held a meeting with Araghchi.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        // In the talk word's clause, or a condition before it: no talk.
        assert!(talks("Lavrov said he might meet Wang in Beijing next week.", at).is_empty());
        assert!(
            talks("Trump said that if the two sides closed a deal, he would meet Xi Jinping in October.", at)
                .is_empty()
        );
        // Called off anywhere in the sentence: no talk.
        assert!(
            talks(
                "The sixth round of talks between Iran and the United States, set for Sunday, has been scrapped.",
                at
            )
            .is_empty()
        );
    }

    #[test]
    fn a_month_or_year_of_its_own_is_another_talk_between_the_same_people() {
        // Wednesday 10 July 2024: today's call, then the last one, in February.
        let at = "2024-07-10T12:00:00Z";
        let t = talks(
            "Putin spoke by phone with Erdogan on Wednesday. The two presidents last spoke in February, by telephone.",
            at,
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2024-07-10"));
        assert_eq!(t[1].date, None, "a month is no talk day: {t:?}");
        let t = talks(
            "Putin met Erdogan in Astana on Wednesday. The two presidents last met in Astana in October 2022.",
            at,
        );
        assert_eq!(t.len(), 2, "{t:?}");
        // "The two" alone, before a verb, are the pair just told.
        let t = talks("Putin spoke by phone with Erdogan on Wednesday. The two had also spoken in June.", at);
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[1].participants.iter().any(|p| p == "Erdogan"), "{t:?}");
        // The month the talk just told falls in, or a time in another clause, adds nothing.
        let t = talks("Putin met Erdogan in Astana on Wednesday. Their talks in July were warm.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        let t = talks(
            "Putin met Erdogan in Astana on Wednesday. It was the talks' first day since the war broke out in February 2022.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
    }

    #[test]
    fn the_time_that_owns_the_talk_word_dates_it_not_the_day_it_was_announced() {
        // Tuesday 5 June 2018: the summit is next week's, announced today.
        let t = talks(
            "A White House spokeswoman announced on Tuesday that next week's summit between Donald Trump and \
             Kim Jong Un will take place at a hotel on Singapore's Sentosa Island.",
            "2018-06-05T10:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].date.as_deref(), t[0].status), (Some("2018-W24"), "planned"), "{t:?}");
        // The day the next sentence gives that week's meeting is its day.
        let t = talks(
            "A White House spokeswoman announced on Tuesday that next week's summit between Donald Trump and \
             Kim Jong Un will take place in Singapore. The June 12 meeting would be the first between the two.",
            "2018-06-05T10:00:00Z",
        );
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2018-06-12")], "{t:?}");
        // Thursday 24 July 2025: the same two sides, on days of that week.
        let t = talks(
            "Treasury Secretary Scott Bessent will meet Vice Premier He Lifeng in Stockholm next week. Officials \
             said Scott Bessent and He Lifeng will hold talks on Monday and Tuesday.",
            "2025-07-24T10:00:00Z",
        );
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2025-07-28")], "{t:?}");
        // Monday 1 July 2024: the day of the saying is not the day of the talks.
        let t = talks(
            "Venezuela's government will restart negotiations with the U.S. government this week, President \
             Nicolas Maduro said on Monday.",
            "2024-07-01T18:00:00Z",
        );
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2024-W27")], "{t:?}");
    }

    #[test]
    fn he_before_a_name_is_a_surname_not_a_pronoun() {
        let at = "2025-07-24T10:00:00Z";
        let t = talks("Scott Bessent's talks with He Lifeng ended in Geneva on Monday.", at);
        assert_eq!(t.iter().map(|t| t.participants.clone()).collect::<Vec<_>>(), [["Scott Bessent", "He Lifeng"]]);
        let t = talks("He Lifeng met Scott Bessent in Geneva on Monday.", at);
        assert_eq!(t.iter().map(|t| t.participants.clone()).collect::<Vec<_>>(), [["He Lifeng", "Scott Bessent"]]);
        // The pronoun still stands for the man told of before.
        let t = talks("Vladimir Putin flew to Beijing. He met Xi Jinping on Monday.", at);
        assert!(t.iter().any(|t| t.participants.iter().any(|p| p == "Vladimir Putin")), "{t:?}");
    }

    #[test]
    fn whose_sanctions_who_told_and_a_counterpart_named_after() {
        let at = "2018-08-11T10:00:00Z";
        // "U.S. sanctions" says whose measure; the counterpart is the man named after it.
        let t = talks(
            "Pompeo discussed recent U.S. sanctions against Moscow in a phone call with his Russian counterpart, Sergei Lavrov, on Friday, a State Department spokeswoman said.",
            at,
        );
        assert_eq!(t.iter().map(|t| t.participants.clone()).collect::<Vec<_>>(), [["Pompeo", "Sergei Lavrov"]]);
        // Officials who only tell of the talks are not in them.
        let t = talks(
            "White House officials said the talks between Jake Sullivan and Nikolai Patrushev on Wednesday were frank.",
            at,
        );
        assert_eq!(t[0].participants, ["Jake Sullivan", "Nikolai Patrushev"]);
        // The seat in a title is no party of its own.
        let t = talks("U.S. Treasury Secretary Scott Bessent met He Lifeng on Sunday.", at);
        assert_eq!(t[0].participants, ["Scott Bessent", "He Lifeng"]);
    }

    #[test]
    fn groups_from_countries_peoples_and_a_possible_topic() {
        let at = "2022-03-13T18:00:00Z";
        // "Delegations from Ukraine and Russia": the countries are the sides, not a topic.
        let t = talks("Delegations from Ukraine and Russia are due to talk again on Monday.", at);
        assert_eq!(t.iter().map(|t| t.participants.clone()).collect::<Vec<_>>(), [["Ukraine", "Russia"]]);
        assert_eq!(t[0].status, "planned");
        // A possible ceasefire is the topic; a possible meeting is no meeting.
        let t = talks("Ukraine and Russia will hold a new round of negotiations on a possible ceasefire.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(talks("Ukraine and Russia discussed a possible meeting of their presidents.", at).is_empty());
        // A people stands for its country.
        let t = talks("The Americans will also sit down with Umerov in Geneva on Tuesday.", at);
        assert!(t.iter().any(|t| t.participants.iter().any(|p| p == "Americans")), "{t:?}");
        // Directors of three ministries, named by their countries' adjectives.
        let t = talks(
            "Political directors from the British, French and German foreign ministries will meet in Brussels on Thursday.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants.len(), 3, "{t:?}");
        assert_eq!(t[0].place.as_deref(), Some("Brussels"));
    }

    #[test]
    fn a_call_that_opens_the_sentence_a_shouting_match_and_hours_spent_together() {
        let at = "2025-03-04T10:00:00Z";
        let t = talks("In a phone call on Wednesday, Erdogan told Putin that Turkey was ready to host talks.", at);
        assert!(t.iter().any(|t| t.participants.starts_with(&["Erdogan".to_owned(), "Putin".to_owned()])), "{t:?}");
        let t = talks(
            "Zelensky met with Trump at the White House on Friday, a meeting that ended in a shouting match.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(talks("Zelensky watched the football match with Trump on Friday.", at).is_empty());
        let t = talks("Witkoff spent more than four hours with Putin in St Petersburg on Friday.", at);
        assert!(t.iter().any(|t| t.participants.iter().any(|p| p == "Putin")), "{t:?}");
    }

    #[test]
    fn the_two_men_of_a_later_sentence_are_the_pair_just_told() {
        // Saturday 28 June 2025: the call today, their meeting the day before.
        let t = talks(
            "Ryosei Akazawa spoke by phone with Howard Lutnick on Saturday. The call came a day after the two \
             men held a meeting of about an hour at the Commerce Department.",
            "2025-06-28T12:00:00Z",
        );
        let got: Vec<_> = t.iter().map(|t| (t.participants.clone(), t.date.as_deref())).collect();
        assert!(
            got.contains(&(vec!["Ryosei Akazawa".to_owned(), "Howard Lutnick".to_owned()], Some("2025-06-27"))),
            "{t:?}"
        );
        assert_eq!(t.len(), 2, "{t:?}");
    }

    #[test]
    fn what_the_sides_discussed_is_no_party() {
        let t = talks(
            "Sergei Lavrov met Wang Yi in Beijing on Tuesday, and the two discussed Israel's strikes on Iran.",
            "2025-07-17T10:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, ["Sergei Lavrov", "Wang Yi"], "{t:?}");
    }

    #[test]
    fn who_says_he_talked_is_a_party_and_a_later_clause_voids_nothing() {
        // Friday 17 October 2025.
        let at = "2025-10-17T10:00:00Z";
        let t = talks("Medinsky said on May 28 that he had phoned Defense Minister Rustem Umerov.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, ["Medinsky", "Rustem Umerov"], "{t:?}");
        // Said on Friday, to happen later that day: planned, that day.
        let t = talks(
            "Orban said on Friday he would speak with Putin later in the day as Budapest began getting ready to \
             host the meeting.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].status, t[0].date.as_deref()), ("planned", Some("2025-10-17")), "{t:?}");
        // Briefing the other side on talks is no press briefing.
        let t = talks("Araghchi spoke by phone with Antonio Tajani, briefing him on the day's talks.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        let t = talks("Araghchi spoke at a briefing on the talks with Tajani.", at);
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn interviews_quotas_and_travel_bans_are_no_talks() {
        let at = "2025-10-17T10:00:00Z";
        for text in [
            "Speaking to APP, the Pakistani envoy to the UN said the Security Council committee had approved the request.",
            "Appearing on Fox News Channel's Special Report on Thursday, Bessent said negotiations with China were stalled.",
            "Exports are allowed only while supply lasts, and China may receive no more than 50% of the volume made for the U.S.",
            "London said the six can no longer travel to Britain, and British banks are barred from dealing with them.",
        ] {
            let t = talks(text, at);
            assert!(t.is_empty(), "{text}: {t:?}");
        }
        let t = talks(
            "In a separate announcement after the meeting, Tom Barrack, the U.S. ambassador to Turkey, unveiled a deal \
             for Boeing planes.",
            at,
        );
        assert!(t.is_empty(), "{t:?}");
        let t = talks(
            "Bessent is scheduled to testify before the House Ways and Means Committee, so the negotiations end Tuesday.",
            at,
        );
        assert!(t.is_empty(), "{t:?}");
        // Speaking to a person is a talk.
        assert_eq!(talks("Speaking to Putin by phone on Monday, Xi called for restraint.", at).len(), 1);
    }

    #[test]
    fn someone_new_without_two_of_the_event_s_people_is_another_talk() {
        // Friday 17 October 2025.
        let t = talks(
            "Donald Trump will host Volodymyr Zelensky at the White House later today. Hungary's Prime Minister \
             Viktor Orban said he would speak with Vladimir Putin later in the day.",
            "2025-10-17T10:00:00Z",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[1].participants.iter().any(|p| p.contains("Orban")), "{t:?}");
    }

    #[test]
    fn the_meeting_told_again_with_a_bound_is_the_same_meeting() {
        // Monday 15 September 2025.
        let t = talks(
            "U.S. and Chinese delegations met in Madrid on Monday. The meeting was led by Treasury Secretary \
             Scott Bessent and Chinese Vice Premier He Lifeng, and the dialogue is expected to go on until Wednesday.",
            "2025-09-15T17:30:00-04:00",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-09-15"), "{t:?}");
        assert!(t[0].participants.iter().any(|p| p == "Scott Bessent"), "{t:?}");
    }

    #[test]
    fn envoys_who_got_together_held_talks() {
        // Wednesday 9 October 2019.
        let t = talks(
            "The chief nuclear envoys of South Korea, the United States and Japan got together in Washington on Tuesday.",
            "2019-10-09T11:00:00+09:00",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].date.as_deref(), t[0].place.as_deref()), (Some("2019-10-08"), Some("Washington")), "{t:?}");
    }

    #[test]
    fn hours_after_a_dated_act_is_that_day_and_a_measure_day_dates_no_call() {
        // Wednesday 6 August 2025.
        let t = talks(
            "President Donald Trump on Wednesday signed an executive order adding a further 25% tariff on goods from \
             India. The order was signed hours after Russian and U.S. officials met for about three hours.",
            "2025-08-06T17:30:00-04:00",
        );
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2025-08-06")], "{t:?}");
        // Thursday 31 July 2025: Friday is when the tariffs were due, not when the call was.
        let t = talks(
            "Mexican President Claudia Sheinbaum said on Thursday that a phone call with U.S. President Donald Trump \
             had produced an understanding to hold off new tariffs that were due to take effect on Friday.",
            "2025-07-31T16:00:00-04:00",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].status, t[0].date.as_deref()), ("held", Some("2025-07-31")), "{t:?}");
    }

    #[test]
    fn a_broadcaster_by_name_and_a_commitment_to_keep_negotiating_are_no_talks_but_a_call_moments_after_is() {
        let at = "2025-11-21T19:45:00+01:00";
        for text in [
            "Speaking to Fox Radio, Trump said Thanksgiving would be an appropriate time for Kyiv to decide.",
            "The notice says the suspension rests on China's commitment to keep negotiating on the issues.",
        ] {
            assert!(talks(text, at).is_empty(), "{text}");
        }
        let t = talks(
            "Ukraine's Volodymyr Zelenskiy has a week to answer. In an address to the nation on Friday, Zelenskiy \
             warned of a historic crossroads. Moments after the address he took a call from U.S. Vice President JD Vance.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-11-21"), "{t:?}");
    }

    #[test]
    fn a_capital_by_its_country_one_chief_each_and_the_leaders_of_a_group() {
        // Tuesday 25 November 2025.
        let at = "2025-11-25T22:15:00+04:00";
        let t = talks(
            "A Ukrainian delegation under Gen. Kyrylo Budanov is also in the Emirati capital and is talking to both \
             the American and the Russian sides.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].date.as_deref(), t[0].place.as_deref()), (Some("2025-11-25"), Some("Abu Dhabi")), "{t:?}");
        let t = talks("The Ukrainian and Russian intelligence chiefs had been scheduled to meet there.", at);
        assert_eq!(t[0].participants, ["Ukrainian intelligence chiefs", "Russian intelligence chiefs"], "{t:?}");
        let t = talks(
            "Syrian Defense Minister Murhaf Abu Qasra held talks with Russian Defense Minister Andrei Belousov on \
             Monday. Separately, the leaders of the five Central Asian states are set to visit Washington on November \
             6 for a summit with the United States.",
            "2025-11-02T09:00:00Z",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(!t[1].participants.iter().any(|p| p.contains("Belousov")), "{t:?}");
    }

    #[test]
    fn talks_cut_off_are_none_and_a_round_is_dated_by_its_first_day_not_its_last() {
        let t = talks(
            "Trump had said on Friday that he was cutting off all trade discussions with Canada over the levy.",
            "2025-06-30T18:00:00-04:00",
        );
        assert!(t.is_empty(), "{t:?}");
        let t = talks(
            "India and the United States will open three days of discussions in New Delhi on December 10. One source \
             said the talks would begin on December 10 and wrap up on December 12.",
            "2025-12-06T18:30:00+05:30",
        );
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2025-12-10")], "{t:?}");
    }

    #[test]
    fn the_day_of_an_earlier_round_told_after_the_talk_word_is_not_its_day() {
        // Friday 25 July 2025.
        let t = talks(
            "Iranian deputy foreign ministers Majid Takht-Ravanchi and Kazem Gharibabadi sat with senior E3 officials \
             on Friday behind closed doors for over three hours, following an earlier round of the same kind in \
             Istanbul on May 16.",
            "2025-07-25T13:42:00+03:30",
        );
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2025-07-25")], "{t:?}");
    }

    #[test]
    fn time_given_to_talks_and_talks_one_has_to_hold_are_no_event() {
        for text in [
            "China and Russia tabled a draft resolution that would give talks another half year, or until April 18 next year.",
            "\"Now we have to negotiate,\" Parmelin said, noting that Switzerland could ask for further exemptions as part \
             of future negotiations.",
        ] {
            assert!(talks(text, "2025-09-27T08:00:00+08:00").is_empty(), "{text}");
        }
    }

    #[test]
    fn a_round_over_days_in_a_row_is_one_event_dated_by_its_first_day() {
        // Thursday 8 May 2025.
        let t =
            talks("Scott Bessent and He Lifeng will meet in Geneva on Saturday and Sunday.", "2025-05-08T10:00:00Z");
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2025-05-10")], "{t:?}");
        // Monday 27 October 2025: day two was Sunday, so the round began on Saturday.
        let t = talks(
            "On Sunday, Vice Premier He Lifeng returned for day two of trade talks in Kuala Lumpur with \
             Treasury Secretary Scott Bessent.",
            "2025-10-27T10:00:00Z",
        );
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2025-10-25")], "{t:?}");
        // Wednesday 30 July 2025: two days of talks that ended on Tuesday began on Monday.
        let t = talks(
            "Bessent and Li Chenggang wrapped up two days of talks in Stockholm on Tuesday.",
            "2025-07-30T10:00:00Z",
        );
        assert_eq!(t.iter().map(|t| t.date.as_deref()).collect::<Vec<_>>(), [Some("2025-07-28")], "{t:?}");
        // Days apart are two meetings.
        let t = talks("Lavrov met Wang Yi on May 16 and June 2.", "2025-06-08T10:00:00Z");
        assert_eq!(t.len(), 2, "{t:?}");
    }

    #[test]
    fn a_speaker_of_his_own_talks_and_a_visitor_due_to_be_received() {
        let at = "2025-07-13T10:00:00Z";
        let t = talks("Lavrov said his talks with Wang Yi in Beijing had lasted three hours.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Lavrov", "Wang Yi"]);
        let t = talks("On Friday Trump is due to receive Volodymyr Zelensky at the White House.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].status, "planned");
        assert_eq!(t[0].date.as_deref(), Some("2025-07-18"));
        // Receiving a thing is no talk.
        assert!(talks("Iran will receive sanctions relief on Friday.", at).is_empty());
        // The day a plan was told is not the day of the talks it tells of.
        let t = talks(
            "Vladimir Putin will talk to Chinese leader Xi Jinping by telephone this week, Kremlin aide Yuri \
             Ushakov told Russian media on Tuesday.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-W28"), "{t:?}");
        // Who told whom in a call, and who was received by whom.
        let t = talks("Erdogan told Putin in a phone call on Tuesday that Turkey backed a ceasefire.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(t[0].participants.starts_with(&["Erdogan".to_owned(), "Putin".to_owned()]), "{t:?}");
        let t = talks("Sharaa was received by Crown Prince Mohammed bin Salman in Riyadh on Wednesday.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Sharaa", "Mohammed bin Salman"]);
        // A guest welcomed is a meeting; a decision welcomed is not.
        let t = talks(
            "French President Emmanuel Macron welcomed Ukrainian President Volodymyr Zelensky at the Elysee on Wednesday.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(talks("Macron welcomed the decision on Wednesday.", at).is_empty());
        // Planned by the verb of its own clause, on the day it was told.
        let t = talks("Talks between Armenia and Azerbaijan are scheduled to take place in Abu Dhabi today.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].status, "planned");
        // A round of tariff talks is talks; a round of tariffs is not.
        let t = talks("Akazawa will travel to Washington on Friday for a seventh round of tariff talks.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(talks("Akazawa said a new round of tariffs would hit Japan on Friday.", at).is_empty());
        // "X said he will meet Y": X is in the talks.
        let t = talks("Trump said he will meet Xi in South Korea in late October.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Trump", "Xi"]);
        assert!(talks("Peskov said he had no comment on the war.", at).is_empty());
        // The owner of the talks, named by a possessive.
        let t = talks("Putin's most recent phone conversation with Trump took place on June 14.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Putin", "Trump"]);
        assert_eq!(t[0].date.as_deref(), Some("2025-06-14"));
    }

    #[test]
    fn a_place_of_several_words_ends_at_a_title_day_or_lower_case_word() {
        let at = "2025-09-24T20:00:00Z";
        let place = |text: &str| talks(text, at).first().and_then(|t| t.place.clone());
        assert_eq!(
            place("Lavrov and Rubio held talks in New York after roughly an hour.").as_deref(),
            Some("New York")
        );
        assert_eq!(place("The leaders met in Saint Petersburg Friday.").as_deref(), Some("Saint Petersburg"));
        assert_eq!(place("Witkoff met in Moscow President Vladimir Putin on Wednesday.").as_deref(), Some("Moscow"));
        assert_eq!(place("Putin and Trump met in Anchorage, Alaska, on Friday.").as_deref(), Some("Anchorage"));
        assert_eq!(place("Araghchi met Witkoff in Abu Dhabi on Monday.").as_deref(), Some("Abu Dhabi"));
    }

    #[test]
    fn saw_tells_a_meeting_only_between_people_and_talks_just_ended_are_of_the_report_day() {
        let at = "2025-09-24T20:00:00Z";
        let t = talks("Antonio Tajani saw Rafael Grossi on Monday.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Antonio Tajani", "Rafael Grossi"]);
        assert!(talks("Analysts saw Moscow and Beijing drawing closer.", at).is_empty());
        // An adverb between the name and its verb.
        let t = talks("Tajani separately saw IAEA chief Rafael Grossi.", at);
        assert!(t.iter().any(|t| t.participants.contains(&"Tajani".to_owned())), "{t:?}");
        let t = talks("Tajani later met Rafael Grossi.", at);
        assert!(t.iter().any(|t| t.participants.contains(&"Tajani".to_owned())), "{t:?}");
        // "separately" tells another meeting, not more of the one just told.
        let t = talks(
            "Italy's Foreign Minister Antonio Tajani met his Iranian counterpart on Saturday. Tajani separately saw IAEA chief Rafael Grossi.",
            at,
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(t[0].participants, ["Antonio Tajani", "his Iranian counterpart"], "one counterpart, once");
        assert!(t[1].participants.contains(&"Rafael Grossi".to_owned()), "{t:?}");
        assert!(talks("The year saw Russia's economy shrink.", at).is_empty());
        let t = talks("Sergey Lavrov and Marco Rubio finished their talks in New York after roughly an hour.", at);
        assert_eq!(t[0].date.as_deref(), Some("2025-09-24"), "{t:?}");
        let t = talks("Sergey Lavrov and Marco Rubio held talks in New York.", at);
        assert_eq!(t[0].date, None, "no day given or implied: {t:?}");
        let t = talks("Lavrov and Wang concluded talks last week.", at);
        assert_ne!(t[0].date.as_deref(), Some("2025-09-24"), "a time of its own: {t:?}");
    }

    #[test]
    fn a_later_round_is_between_the_parties_the_article_told() {
        let t = talks(
            "Abbas Araghchi and Steve Witkoff held a second round of talks in Rome on Saturday. Both sides called it \
             constructive. Officials gave no details. Oman said more work was needed. The third round, again facilitated \
             by the Omani foreign minister, is to take place in Muscat on April 26.",
            "2025-04-19T20:00:00Z",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(t[1].status, "planned");
        assert_eq!(t[1].date.as_deref(), Some("2025-04-26"));
        assert!(t[1].participants.starts_with(&["Abbas Araghchi".to_owned(), "Steve Witkoff".to_owned()]), "{t:?}");
    }

    #[test]
    fn surnames_with_no_first_mention() {
        let t = talks("Lavrov and Wang met in Beijing on Tuesday to discuss the war.", "2025-07-17T10:00:00Z");
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Lavrov", "Wang"]);
        assert_eq!(t[0].date.as_deref(), Some("2025-07-15"));
        assert_eq!(t[0].place.as_deref(), Some("Beijing"));
        assert_eq!(t[0].status, "held");
    }

    #[test]
    fn countries_capitals_and_groups_are_parties() {
        let t = talks(
            "Japanese and South Korean trade officials held a round of talks in Seoul on Monday. Moscow and Kyiv will hold talks in Istanbul on Friday.",
            "2025-05-14T10:00:00Z",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(t[0].participants, vec!["Japanese trade officials", "South Korean trade officials"]);
        assert_eq!(t[0].place.as_deref(), Some("Seoul"));
        assert_eq!(t[1].participants, vec!["Moscow", "Kyiv"]);
        assert_eq!(t[1].status, "planned");
        assert_eq!(t[1].date.as_deref(), Some("2025-05-16"));
    }

    #[test]
    fn one_meeting_over_several_sentences_is_one_event() {
        let t = talks(
            "US envoy Steve Witkoff met President Vladimir Putin in Moscow on Wednesday. Kremlin aide Yuri Ushakov described the talks as useful and constructive. Witkoff and Putin spoke for three hours.",
            "2025-08-07T10:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Steve Witkoff", "Vladimir Putin"]);
        assert_eq!(t[0].tone, vec!["useful and constructive"]);
        assert_eq!(t[0].date.as_deref(), Some("2025-08-06"));
    }

    #[test]
    fn a_meeting_with_a_third_country_the_same_day_is_another_event() {
        let t = talks(
            "Iran and the United States held a second round of talks in Rome on Saturday. The venue was kept \
             secret until the morning. Oman again carried messages between the rooms. Both sides called the \
             session useful. Reporters waited outside for hours. Italy's Foreign Minister Antonio Tajani met \
             his Iranian counterpart on Saturday.",
            "2025-04-19T18:00:00Z",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t.iter().all(|t| t.date.as_deref() == Some("2025-04-19")), "{t:?}");
        assert!(!t[0].participants.iter().any(|p| p.contains("Tajani")), "{t:?}");
    }

    #[test]
    fn blocs_delegations_and_counterparts() {
        let t = talks(
            "Iranian Foreign Minister Abbas Araghchi held a call with his E3 counterparts on Friday.",
            "2025-08-25T10:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Abbas Araghchi", "his E3 counterparts"]);
        assert_eq!(t[0].date.as_deref(), Some("2025-08-22"));
        let t = talks(
            "Turkey's delegation, led by Hakan Fidan, met the Russian delegation in Istanbul on Monday.",
            "2025-06-03T10:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(t[0].participants.iter().any(|p| p.ends_with("Fidan")), "{t:?}");
        assert!(t[0].participants.iter().any(|p| p == "Russian delegation"), "{t:?}");
        let t =
            talks("G7 foreign ministers convened in Quebec on Tuesday to discuss sanctions.", "2025-03-12T10:00:00Z");
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["G7 foreign ministers"]);
        assert_eq!(t[0].place.as_deref(), Some("Quebec"));
    }

    #[test]
    fn every_way_a_talk_is_told() {
        for (text, status) in [
            ("Trump spoke by phone with Putin on Tuesday.", "held"),
            ("Xi hosted Lula in Beijing on Tuesday.", "held"),
            ("Putin received Witkoff at the Kremlin on Tuesday.", "held"),
            ("Lavrov will meet Rubio in Vienna next week.", "planned"),
            ("Talks between Washington and Tehran are set for Monday in Oslo.", "planned"),
            ("Witkoff plans to meet Araghchi in Muscat on Saturday.", "planned"),
        ] {
            let t = talks(text, "2025-07-16T10:00:00Z");
            assert_eq!(t.len(), 1, "{text}: {t:?}");
            assert!(t[0].participants.len() >= 2, "{text}: {t:?}");
            assert_eq!(t[0].status, status, "{text}");
        }
    }

    #[test]
    fn what_is_not_a_talk() {
        for text in [
            "Trump said a possible meeting with Putin could happen soon.",
            "The company is in talks to buy the refinery.",
            "Kyiv must meet the demands of its partners by Friday.",
            "PSG and Inter go head-to-head in Munich on Saturday.",
            "Lavrov told a press conference in Moscow that talks with Washington were useful.",
            "Trump speaks to Putin a lot.",
        ] {
            assert!(talks(text, "2025-07-17T10:00:00Z").is_empty(), "{text}");
        }
    }

    #[test]
    fn proposals_tallies_and_internal_meetings_are_no_talks_but_do_not_void_the_clause() {
        let at = "2025-06-02T19:00:00Z";
        for text in [
            "Umerov said Kyiv had proposed to the Russian side that the delegations meet again between June 20 and June 30.",
            "They agreed to work towards a meeting between presidents Volodymyr Zelensky and Vladimir Putin.",
            "Talking to reporters after a cabinet meeting, Araghchi said Tehran saw nothing positive.",
            "Iran and the United States had held five rounds of indirect talks mediated by Oman.",
            "Iran and the United States had held five rounds of talks before Israel attacked in June, which in effect ended the negotiations.",
            "Tehran has seen nothing positive in Washington's stance that could help revive the stalled nuclear negotiations, Iranian Foreign Minister Abbas Araghchi said on Sunday.",
            "The two leaders held three meetings during Trump's first term, Kim Jong Un said.",
            "Akazawa has put off his trip to the United States, the government said.",
            // A day after "met with" does not make criticism a tally of meetings.
            "Rubio met with criticism from Lavrov on Monday.",
        ] {
            assert!(talks(text, at).is_empty(), "{text}: {:?}", talks(text, at));
        }
        // A tally gives way to the talks the clause dates.
        let t = talks(
            "Iran and the E3 held several rounds of talks over the summer and met again in Geneva on Tuesday.",
            "2025-08-28T12:00:00Z",
        );
        assert_eq!((t.len(), t[0].date.as_deref()), (1, Some("2025-08-26")), "{t:?}");
        // …and so does a clause of its own, whose "they" are the sides the tally named.
        let t = talks(
            "Britain, France and Germany have held several rounds of talks with Tehran since June, but they said Tuesday's talks in Geneva had not produced concrete commitments.",
            "2025-08-28T12:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].date.as_deref(), t[0].participants.len()), (Some("2025-08-26"), 4), "{t:?}");
        // Two calls on a named day are two talks of that day, not a tally.
        let t = talks(
            "Akazawa had two phone conversations with Howard Lutnick on Saturday, one in the morning and one in the evening.",
            "2025-06-28T12:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-06-28"), "{t:?}");
        // Review counter-examples: each is a talk.
        for text in [
            "Trump met Putin in Alaska on Friday and proposed that Kyiv cede the Donbas region.",
            "Stalled talks between Iran and the United States resumed in Muscat on Saturday.",
            "Iran and the E3 ended talks in Geneva on Tuesday without a deal.",
            "Rubio had two calls with Lavrov this week.",
            "Witkoff met Putin twice in Moscow on Thursday.",
        ] {
            assert_eq!(talks(text, at).len(), 1, "{text}: {:?}", talks(text, at));
        }
        // "their two sessions" are parts of one talk.
        let t = talks("Medinsky met Umerov in Geneva on Tuesday, in the last of their two sessions.", at);
        assert_eq!(t.len(), 1, "{t:?}");
    }

    #[test]
    fn his_meeting_a_talk_expected_a_call_hoped_for_and_a_day_set_for_something_else() {
        // Tuesday 25 February 2025.
        let at = "2025-02-25T19:00:00-06:00";
        let t = talks(
            "Economy Secretary Marcelo Ebrard has stepped up his contacts in Washington. \
             His first meeting was with U.S. Commerce Secretary Howard Lutnick on Thursday of last week.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, ["Marcelo Ebrard", "Howard Lutnick"], "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-02-20"), "{t:?}");
        let t = talks(
            "Prime Minister Mark Carney and U.S. President Donald Trump are expected to talk in the coming days, a minister said.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].status, "planned", "{t:?}");
        assert_eq!(t[0].participants, ["Mark Carney", "Donald Trump"], "{t:?}");
        let t = talks(
            "The setback hurts Brasilia, which had hoped to use the call to negotiate with President Donald Trump's administration.",
            at,
        );
        assert!(t.is_empty(), "{t:?}");
        // The day the leaders set for the truce is not the day they met.
        let t = talks(
            "Meeting President Volodymyr Zelenskyy in Kyiv, Prime Minister Keir Starmer set May 12 as the start date for the truce.",
            "2025-05-10T21:50:00+04:00",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_ne!(t[0].date.as_deref(), Some("2025-05-12"), "{t:?}");
    }

    #[test]
    fn a_deadline_for_negotiations_meetings_as_often_as_they_can_and_a_minister_due_to_see_another() {
        let at = "2025-07-29T09:24:52+09:00";
        let t = talks(
            "South Korea is going all out to strike a trade deal with the United States before the August 1 deadline for tariff negotiations.",
            at,
        );
        assert!(t.is_empty(), "{t:?}");
        let t = talks(
            "The industry and trade ministers also plan to meet Lutnick and Greer as many times as they can before Friday.",
            at,
        );
        assert!(t.is_empty(), "{t:?}");
        // A talk told before the deadline still is one.
        let t = talks("Yeo met Greer in Washington on Thursday, ahead of the deadline for tariff negotiations.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        let t = talks("Foreign Minister Cho Hyun is due to see Secretary of State Marco Rubio on Thursday.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, ["Cho Hyun", "Marco Rubio"], "{t:?}");
        assert_eq!(t[0].status, "planned", "{t:?}");
    }

    #[test]
    fn a_talk_told_at_a_news_conference_is_still_a_talk() {
        let at = "2025-02-26T22:00:00+05:00";
        let t = talks(
            "Foreign Minister Juan Ramon de la Fuente is expected to meet US Secretary of State Marco Rubio on Thursday, Sheinbaum told her morning news conference.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-02-27"), "{t:?}");
        // The conference itself is no talk.
        let t = talks("Sheinbaum and Ebrard held a joint news conference on Thursday.", at);
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn the_day_a_talk_just_told_is_talked_of_is_not_its_day() {
        let t = talks(
            "Economy Secretary Marcelo Ebrard has stepped up his contacts in Washington. \
             His first meeting was with U.S. Commerce Secretary Howard Lutnick on Thursday of last week. \
             \"The meeting was cordial,\" Ebrard said on Tuesday after opening a session of a trade committee.",
            "2025-02-25T19:00:00-06:00",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-02-20"), "{t:?}");
        assert_eq!(t[0].tone, ["cordial"], "{t:?}");
    }

    #[test]
    fn sides_not_in_the_talk_just_told_with_a_time_of_their_own_are_another_talk() {
        let t = talks(
            "Trump made the announcement after a telephone call with Xi Jinping on June 5. \
             Washington and Beijing first negotiated in Geneva in mid-May, where they agreed to pause their tariff battle.",
            "2025-06-07T21:00:00+08:00",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-06-05"), "{t:?}");
        assert_eq!(t[0].place, None, "{t:?}");
        assert_eq!(t[1].participants, ["Washington", "Beijing"], "{t:?}");
        assert_eq!(t[1].place.as_deref(), Some("Geneva"), "{t:?}");
    }

    #[test]
    fn the_two_leaders_of_a_briefing_and_a_reporter_who_is_no_party() {
        let at = "2025-10-17T00:40:00Z";
        let t = talks(
            "Rubio and Lavrov will hold talks soon to prepare a meeting of presidents Donald Trump and Vladimir Putin. \
             Ushakov was briefing reporters on Thursday's phone call between the two leaders.",
            at,
        );
        let call = t.iter().find(|t| t.status == "held").unwrap_or_else(|| panic!("{t:?}"));
        assert_eq!(call.participants, ["Donald Trump", "Vladimir Putin"], "{t:?}");
        assert_eq!(call.date.as_deref(), Some("2025-10-16"), "{t:?}");
        // Aides named after the leaders are not "the two leaders".
        let t = talks(
            "Trump met Putin in Anchorage on Friday, joined by Marco Rubio and Steve Witkoff. On Monday, the two leaders spoke by phone.",
            at,
        );
        let call = t.iter().find(|t| t.date.as_deref() == Some("2025-10-13")).unwrap_or_else(|| panic!("{t:?}"));
        assert_eq!(call.participants, ["Trump", "Putin"], "{t:?}");
        // Briefing reporters with no talks named is still no talk.
        assert!(talks("Peskov, briefing reporters, said the Kremlin was ready.", at).is_empty());
        let t = talks(
            "Ukraine and Russia held talks in Abu Dhabi on Saturday. Axios correspondent Barak Ravid posted that Ukrainian officials said another round would take place next week.",
            "2026-01-24T16:00:00Z",
        );
        assert!(t.iter().all(|t| !t.participants.iter().any(|p| p.contains("Ravid"))), "{t:?}");
        // A present tense after "when" plans the meeting.
        let t = talks("Trump said he would raise it when he meets Zelenskiy in Washington on Friday.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].status, "planned", "{t:?}");
    }

    #[test]
    fn groups_offices_and_what_is_no_talk() {
        let at = "2025-01-20T12:00:00Z";
        // A group that meets itself, in a relative clause after a condition.
        let t = talks(
            "If there is no agreement this week, the matter goes to the bloc's foreign ministers, who meet in Brussels on January 27.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-01-27"));
        assert_eq!(t[0].place.as_deref(), Some("Brussels"));
        // A return to negotiations voids only the talk it names.
        let t = talks(
            "Kallas and the E3 ministers had already spoken with Araghchi on Monday about returning to negotiations.",
            at,
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(talks("Iran must return to broad negotiations with the United States.", at).is_empty());
        // Rounds of sanctions, sport, licences received and a briefing are no talks.
        assert!(
            talks("It was Washington's fourth round of sanctions on Iranian oil since Trump took office.", at)
                .is_empty()
        );
        assert!(talks("India and Pakistan meet again at the Asia Cup on Sunday.", at).is_empty());
        assert!(talks("Nvidia is now receiving Commerce Department licences to ship chips to China.", at).is_empty());
        // "spoke to" names a person, not a place.
        let t = talks("Putin spoke to Xi on Thursday.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, vec!["Putin".to_owned(), "Xi".to_owned()]);
        // "sit down with" is a talk; an office is the person the article names with it.
        let t = talks("Bessent will sit down with Chinese officials in Stockholm on Monday.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        let t = talks(
            "Switzerland's president held talks with the US secretary of state in Washington on Wednesday. President Karin Keller-Sutter said she and Secretary of State Marco Rubio covered the tariffs.",
            "2025-08-06T20:00:00Z",
        );
        assert!(t[0].participants.iter().any(|p| p == "Karin Keller-Sutter"), "{t:?}");
        assert!(t[0].participants.iter().any(|p| p == "Marco Rubio"), "{t:?}");
    }

    #[test]
    fn the_source_of_a_report_is_no_party() {
        let t = talks(
            "Akazawa had two phone conversations with U.S. Commerce Secretary Howard Lutnick on Saturday, according to a Japanese official.",
            "2025-06-29T12:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(!t[0].participants.iter().any(|p| p.contains("official")), "{t:?}");
    }

    #[test]
    fn idioms_domestic_bodies_and_verdicts_on_talks_are_no_talks() {
        let at = "2025-08-06T12:00:00Z";
        for text in [
            "While the cabinet met for a debate on disarming his party, Qassem said in a televised address on Tuesday that the group would keep its weapons.",
            "Pompeo said on Thursday that Washington's unilateral step has met resistance from Moscow and Beijing.",
            "On a conference call with reporters on Friday, Pompeo and Mnuchin declined to name the countries.",
            "Khamenei said on Friday that negotiations with America are \"not wise,\" days after Trump floated talks with Tehran.",
            "Boulos said on X on Monday that he had received a draft peace proposal from the two countries.",
            "He said he was very disappointed with Putin, who in his words talks nicely and then bombs cities at night.",
            "Vershinin said on July 21 that the Black Sea would come up in the presidents' future conversations.",
            "Recean said Chisinau would not block the flows arranged through Hungary's MET Gas, which could begin on February 13.",
            "Japan, India and South Korea are among them, while China is still negotiating a waiver.",
            "On Wednesday Araghchi thanked Oman on X, a sign that Tehran had accepted Muscat as host.",
        ] {
            assert!(talks(text, at).is_empty(), "{text}: {:?}", talks(text, at));
        }
        // A meeting that met with criticism is still a meeting.
        assert_eq!(talks("Lavrov met Wang in Beijing on Tuesday; the talks drew criticism in Kyiv.", at).len(), 1);
    }

    #[test]
    fn a_call_just_come_off_is_the_day_it_is_told() {
        // Tuesday 22 July 2025.
        let t = talks(
            "Speaking on a morning talk show, Greer said he had just come off a call with Japanese trade negotiators.",
            "2025-07-22T14:30:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-07-22"), "{t:?}");
        // A plan just come up with dates no talks.
        let t = talks(
            "Araghchi said Tehran had just come up with a plan for talks with the E3 in Oman.",
            "2025-07-22T14:30:00Z",
        );
        assert!(t.iter().all(|t| t.date.is_none()), "{t:?}");
    }

    #[test]
    fn stretches_hypotheses_deals_and_kept_promises_are_no_talks() {
        let at = "2025-08-06T12:00:00Z";
        for text in [
            "In a joint letter, twenty EU leaders pressed Trump to keep Kyiv at the heart of any negotiations.",
            "On July 12, after months of talks brought no deal, Trump said a 30% levy on goods from Mexico would start on August 1.",
            "Belgrade says it supports the sale talks between the Russian shareholders and Hungary's MOL.",
            "The E3 told the Council that Tehran had again failed to meet its commitments under the 2015 accord.",
        ] {
            assert!(talks(text, at).is_empty(), "{text}: {:?}", talks(text, at));
        }
        // Hours or days of talks are one round.
        assert_eq!(talks("Rubio and Lavrov held four hours of talks in Riyadh on Tuesday.", at).len(), 1);
    }

    #[test]
    fn a_trip_for_talks_takes_the_talks_time_and_status() {
        // Thursday 5 February 2026: he flew on Thursday; the talks open on Friday.
        let t = talks(
            "Araghchi flew to Muscat on Thursday, as American and Iranian negotiators got ready for nuclear talks in Oman due to open on Friday.",
            "2026-02-05T18:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].status, t[0].date.as_deref()), ("planned", Some("2026-02-06")), "{t:?}");
        // A trip told alone keeps its own day.
        let t = talks("Witkoff flew to Moscow on Wednesday for talks with Putin.", "2025-08-07T12:00:00Z");
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-08-06"), "{t:?}");
    }

    #[test]
    fn a_name_told_by_its_middle_word_is_the_same_person() {
        let t = talks(
            "Donald Trump and Brazilian President Luiz Inácio Lula da Silva met on Sunday in Kuala Lumpur. Before sitting down with Lula, Trump told reporters he was hopeful.",
            "2025-10-26T18:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants.len(), 2, "{t:?}");
    }

    #[test]
    fn a_time_of_its_own_with_someone_new_is_another_talk() {
        let t = talks(
            "Trump's aides discussed a meeting between him and Kim Jong Un, whom he last sat down with in 2019. In September, in Beijing, Kim held talks with Russian President Vladimir Putin.",
            "2025-10-26T09:00:00Z",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[1].participants.iter().any(|p| p.ends_with("Putin")), "{t:?}");
        assert!(!t[0].participants.iter().any(|p| p.ends_with("Putin")), "{t:?}");
    }

    #[test]
    fn talks_to_come_are_not_on_the_day_they_were_announced() {
        // Monday 13 August 2018.
        let t = talks(
            "The two Koreas announced on Monday that South Korean President Moon Jae-in and North Korean leader Kim Jong Un will hold a summit in Pyongyang in September.",
            "2018-08-13T07:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].status, t[0].date.as_deref()), ("planned", None), "{t:?}");
        // Held talks keep the day the text gives them.
        let t = talks("Moon and Kim met in Panmunjom on Monday, officials said.", "2018-08-13T07:00:00Z");
        assert_eq!(t[0].date.as_deref(), Some("2018-08-13"), "{t:?}");
    }

    #[test]
    fn talks_over_a_weekend_or_a_span_of_days_open_on_its_first_day() {
        // Monday 12 May 2025: the weekend before was 10-11 May.
        let t = talks(
            "Washington and Beijing agreed to roll back tariffs after hard negotiations over the weekend in Geneva.",
            "2025-05-12T12:00:00Z",
        );
        assert_eq!(t[0].date.as_deref(), Some("2025-05-10"), "{t:?}");
        // Friday 8 October 2021.
        let t = talks(
            "The next round of talks between the Venezuelan government and the opposition will be held in Mexico City from October 17 to 20.",
            "2021-10-08T12:00:00Z",
        );
        assert_eq!((t[0].status, t[0].date.as_deref()), ("planned", Some("2021-10-17")), "{t:?}");
        // Friday 16 August 2024: talks held "starting on Thursday" began the day before.
        let t = talks(
            "Egypt and Qatar said their officials had held intensive talks in Doha over the past 48 hours, starting on Thursday.",
            "2024-08-16T18:00:00Z",
        );
        assert_eq!((t[0].status, t[0].date.as_deref()), ("held", Some("2024-08-15")), "{t:?}");
        // A measure starting on a day is no talk's day.
        let t = talks("Trump met Xi and said tariffs would rise starting on Friday.", "2024-08-14T18:00:00Z");
        assert_eq!((t[0].status, t[0].date.as_deref()), ("held", None), "{t:?}");
    }

    #[test]
    fn two_people_joined_by_a_hyphen_before_the_talk_word_are_its_parties() {
        let t = talks(
            "Vladimir Putin and Donald Trump shook hands on the tarmac. The Putin-Trump meeting in Alaska lasted three hours.",
            "2025-08-16T12:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, ["Vladimir Putin", "Donald Trump"], "{t:?}");
        // Names the article never gave in full are not split into people.
        assert!(
            talks("The Smith-Jones meeting in Alaska lasted three hours.", "2025-08-16T12:00:00Z")
                .iter()
                .all(|t| !t.participants.iter().any(|p| p == "Smith" || p == "Jones"))
        );
    }

    #[test]
    fn countries_joined_by_a_hyphen_before_the_talk_word_are_its_parties_after_any_preposition() {
        // Wednesday 14 May 2025.
        let at = "2025-05-14T16:40:00Z";
        let t = talks("The next round of U.S.-Iran talks is set for Saturday in Muscat.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, ["U.S.", "Iran"], "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-05-17"), "{t:?}");
        let t = talks("He said the next round of Iran-EU talks would take place in Istanbul on Friday.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, ["Iran", "EU"], "{t:?}");
        // Talks about other talks: the pair is their topic.
        let t = talks("Trump discussed the Russia-Ukraine talks with Erdogan in a phone call on Monday.", at);
        assert_eq!(t[0].participants, ["Trump", "Erdogan"], "{t:?}");
        // A preposition before a country with no pair still makes it the topic.
        assert!(talks("Officials held talks on Iran in Istanbul on Friday.", at).is_empty());
    }

    #[test]
    fn the_he_of_an_opening_clause_is_who_speaks_after_it() {
        let at = "2025-07-30T12:00:00Z";
        let t = talks("After he met Starmer in Doha on Wednesday, Trump said trade would improve.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].participants, ["Starmer", "Trump"], "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-07-30"), "{t:?}");
        // In reported speech the source is not the "he" it reports on.
        let t = talks("Trump arrived in Doha. He met the emir on Wednesday, Witkoff said.", at);
        assert!(t.iter().all(|t| !t.participants.iter().any(|p| p == "Witkoff")), "{t:?}");
        // A person told just before is the "he"; a source after another clause is no party.
        let t = talks(
            "Trump flew to Alaska. While he met Putin in Anchorage on Friday, Zelensky said Ukraine would hold firm.",
            at,
        );
        assert_eq!(t[0].participants[..2], ["Trump", "Putin"], "{t:?}");
        assert!(!t[0].participants.iter().any(|p| p == "Zelensky"), "{t:?}");
        let t = talks("After he met Putin in Moscow on Wednesday, Witkoff flew home, Peskov said.", at);
        assert!(t.iter().all(|t| !t.participants.iter().any(|p| p == "Peskov")), "{t:?}");
        // Two leaders "scheduled to speak again" have a call planned.
        let t = talks(
            "Trump and Chinese President Xi Jinping are scheduled to speak again on Friday to wrap up the deal.",
            at,
        );
        assert_eq!((t.len(), t[0].status, t[0].date.as_deref()), (1, "planned", Some("2025-08-01")), "{t:?}");
    }

    #[test]
    fn a_deadline_told_after_the_talks_does_not_date_them() {
        let t = talks(
            "LeBlanc says he came away encouraged from meetings in Washington with Commerce Secretary Howard Lutnick, with a tariff deadline looming next week.",
            "2025-07-24T14:50:00-06:00",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].status, t[0].date.as_deref()), ("held", None), "{t:?}");
    }

    #[test]
    fn conditions_to_meet_and_comments_on_talks_are_no_talks() {
        let at = "2025-09-21T12:00:00Z";
        for text in [
            "At the end of August the E3 set conditions Tehran would have to meet to persuade them to postpone the snapback.",
            "Trump said the concessions were linked to electoral conditions that the Maduro government had failed to meet.",
            "After President Donald Trump's latest comments on nuclear negotiations with Iran, his administration stopped Iraq from importing Iranian gas.",
        ] {
            assert!(talks(text, at).is_empty(), "{text}: {:?}", talks(text, at));
        }
        // Only the talk word the comment is about: the meeting told beside it stands.
        let t = talks("Lavrov met Wang in Beijing on Tuesday after his remarks on the negotiations with Kyiv.", at);
        assert_eq!(t.len(), 1, "{t:?}");
        for text in [
            "Tehran laid out its conditions and Araghchi will meet Witkoff in Muscat on Saturday.",
            "Rubio met Lavrov in Kuala Lumpur on Thursday and said there was no reason to doubt Moscow's interest in a deal.",
            "Araghchi will meet E3 ministers, with the snapback deadline in mind, in Istanbul on Friday.",
        ] {
            let t = talks(text, at);
            assert!(t.len() == 1 && t[0].date.is_some(), "{text}: {t:?}");
        }
    }

    #[test]
    fn a_road_to_talks_speculation_and_refusals_are_no_talks() {
        let at = "2025-09-03T12:00:00Z";
        for text in [
            "A senior Iranian official said on Tuesday that the road to nuclear talks with Washington had not been closed.",
            "Asked about speculation over the next round of talks between Iran and the United States, he said Norway would not host it.",
            "She said there would be no occasion for the North to hold discussions with the South.",
            "The Lee administration has said it wants to resume talks with Pyongyang to ease tensions.",
            "Rubio said the matter was neither up for debate or negotiation with Venezuela.",
            "The Federal Register summary says the Affiliates Rule may remain a bargaining chip in the trade discussions.",
            "Messages with Washington still pass through intermediaries, but no direct negotiations with the U.S. have taken place, he said.",
            "Earlier in the week Araghchi had spoken of cautious optimism about a deal with the U.S.",
            "Vladimir Putin's aide said on Tuesday he could give no exact timing for a Putin-Trump meeting, Donald Trump said.",
            "Vladimir Medinsky said a Vladimir Putin-Volodymyr Zelensky meeting could only come after a settlement.",
            "Trump said on Sunday that Washington was meeting with many countries, China among them, about trade deals.",
        ] {
            assert!(talks(text, at).is_empty(), "{text}: {:?}", talks(text, at));
        }
    }

    #[test]
    fn the_leaders_are_the_pair_the_article_named_and_an_earlier_summit_is_its_own_event() {
        let at = "2025-10-29T23:00:00+09:00";
        let t = talks(
            "After an 87-minute summit with South Korean President Lee Jae Myung on Wednesday, U.S. President Donald Trump said the two had reached a deal. The leaders met at the Gyeongju National Museum on the sidelines of the APEC summit. At their first summit, held in Washington on Aug. 25, the allies had failed to produce a written outcome.",
            at,
        );
        let got: Vec<_> =
            t.iter().map(|t| (t.date.as_deref(), t.participants.iter().any(|p| p.contains("Lee")))).collect();
        assert_eq!(got, vec![(Some("2025-10-29"), true), (Some("2025-08-25"), true)], "{t:?}");
    }

    #[test]
    fn talks_that_have_begun_are_on_the_day_of_the_report() {
        let t = talks(
            "A Ukrainian delegation led by Rustem Umerov has begun talks in Miami with Secretary of State Marco Rubio.",
            "2025-11-30T18:00:00Z",
        );
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].date.as_deref(), Some("2025-11-30"), "{t:?}");
        // Care received is no talk.
        let t = talks(
            "Siarhei Tsikhanouski, husband of opposition leader Sviatlana Tsikhanouskaya, is now in Lithuania receiving care.",
            "2025-06-22T10:00:00Z",
        );
        assert!(t.is_empty(), "{t:?}");
    }
}
