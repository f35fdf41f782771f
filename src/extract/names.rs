//! Who a text names: the built-in gazetteer and the user's `[[actor]]` watch list matched
//! in one pass, official titles before a name ("Foreign Minister Sergei Lavrov"), and
//! people named without a title ("Steve Witkoff", later "Witkoff").

use std::collections::HashSet;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::gazetteer::{self, BUILTIN, Entry, Form};

/// A watched actor: canonical name, the other names it goes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub aliases: Vec<String>,
}

/// What one matched name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// A gazetteer entry (index into [`Watch::entry`]) in one of its forms.
    Entry(usize, Form),
    /// A watched actor (index into [`Watch::actors`]).
    Actor(usize),
}

/// One name found in the text, as a byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub named: Named,
}

/// The watch list and the gazetteer behind one matcher, built once per configuration (a
/// 1,000-entry list is still one pass over the text, not a thousand).
#[derive(Debug)]
pub struct Watch {
    actors: Vec<Actor>,
    names: Option<AhoCorasick>,
    owners: Vec<Named>,
    titles: Option<AhoCorasick>,
    party_nouns: HashSet<&'static str>,
    /// Every word of every title, lower case.
    title_words: HashSet<&'static str>,
    /// Actor indexes by the last word of each name and alias, lower case.
    by_last_word: std::collections::HashMap<String, Vec<usize>>,
}

/// The gazetteer alone, with no watched actors.
pub static NO_ACTORS: LazyLock<Watch> = LazyLock::new(|| Watch::new(Vec::new()));

impl Watch {
    pub fn new(actors: Vec<Actor>) -> Watch {
        let mut patterns: Vec<&str> = Vec::new();
        let mut owners = Vec::new();
        // Actors first: a user's entry wins over the gazetteer's for the same words.
        for (i, a) in actors.iter().enumerate() {
            for name in std::iter::once(&a.name).chain(&a.aliases) {
                let name = name.trim();
                if !name.is_empty() {
                    patterns.push(name);
                    owners.push(Named::Actor(i));
                }
            }
        }
        for (text, entry, form) in &BUILTIN.forms {
            // "the Kremlin" is matched as "Kremlin": the article is not part of the name.
            let bare = text.strip_prefix("the ").unwrap_or(text);
            patterns.push(bare);
            owners.push(Named::Entry(*entry, *form));
        }
        let build = |p: &[&str], case_insensitive: bool| {
            (!p.is_empty())
                .then(|| {
                    AhoCorasickBuilder::new()
                        .match_kind(MatchKind::LeftmostLongest)
                        // A DFA: built once per configuration, then one table step per byte.
                        .kind(Some(AhoCorasickKind::DFA))
                        .ascii_case_insensitive(case_insensitive)
                        .build(p)
                        .ok()
                })
                .flatten()
        };
        let names = build(&patterns, false);
        let titles: Vec<&str> =
            BUILTIN.titles.iter().map(String::as_str).chain(["counterpart", "counterparts"]).collect();
        let mut by_last_word: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        for (i, a) in actors.iter().enumerate() {
            for name in std::iter::once(&a.name).chain(&a.aliases) {
                let entry = by_last_word.entry(last_word(name)).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
        Watch {
            title_words: BUILTIN
                .titles
                .iter()
                .flat_map(|t| t.split_whitespace())
                .chain(["counterpart", "counterparts"])
                .collect(),
            by_last_word,
            names,
            owners,
            titles: build(&titles, true),
            party_nouns: BUILTIN.party_nouns.iter().map(String::as_str).collect(),
            actors,
        }
    }

    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    pub fn entry(&self, index: usize) -> Option<&'static Entry> {
        BUILTIN.entries.get(index)
    }

    /// Whether `text` names any watched actor.
    pub fn names_any(&self, text: &str) -> bool {
        self.mentions(text).iter().any(|m| matches!(m.named, Named::Actor(_)))
    }

    /// Every gazetteer entry and watched actor `text` names, in text order, whole words only.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        let Some(names) = &self.names else { return Vec::new() };
        names
            .find_iter(text)
            .filter(|m| gazetteer::whole_word(text, m.start(), m.end()))
            .map(|m| Mention { start: m.start(), end: m.end(), named: self.owners[m.pattern().as_usize()] })
            .collect()
    }

    /// The official titles in `text` ("foreign minister", "envoy"), whole words, any case.
    pub fn titles(&self, text: &str) -> Vec<(usize, usize)> {
        let Some(titles) = &self.titles else { return Vec::new() };
        titles
            .find_iter(text)
            .filter(|m| gazetteer::whole_word(text, m.start(), m.end()))
            .map(|m| (m.start(), m.end()))
            .collect()
    }

    /// The canonical names of the watched actors among `participants` (by full name, alias
    /// or surname: "Witkoff" is the actor "Steve Witkoff").
    pub fn actors_named(&self, participants: &[String]) -> Vec<String> {
        let mut found: Vec<usize> = participants
            .iter()
            .flat_map(|p| self.by_last_word.get(&last_word(p)).map_or(&[][..], Vec::as_slice).iter().copied())
            .collect();
        // In the order of the watch list.
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| self.actors[i].name.clone()).collect()
    }

    /// Whether `word` (lower case) is part of an official title ("minister", "foreign").
    pub fn is_title_word(&self, word: &str) -> bool {
        self.title_words.contains(word)
    }

    /// Whether `word` (lower case) names a party as a group: "delegation", "officials".
    pub fn is_party_noun(&self, word: &str) -> bool {
        self.party_nouns.contains(word)
    }
}

/// The last word of a name, lower case, without a possessive: what two mentions share.
pub fn last_word(name: &str) -> String {
    bare(name.split_whitespace().next_back().unwrap_or(name))
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// A word of the text with its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'t> {
    pub text: &'t str,
    pub start: usize,
    pub end: usize,
}

impl Word<'_> {
    pub fn capitalized(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    pub fn lower(&self) -> String {
        self.text.to_lowercase()
    }
}

/// The words of `text[start..end]`: letters and digits, with inner apostrophes, hyphens
/// and the periods of initials ("U.S.", "al-Sharaa", "Turkey's").
pub fn words(text: &str, start: usize, end: usize) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let slice = &text[start..end];
    let mut iter = slice.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !c.is_alphanumeric() {
            continue;
        }
        let mut j = i + c.len_utf8();
        while let Some(&(k, d)) = iter.peek() {
            let joins = matches!(d, '\'' | '’' | '-' | '.')
                && slice[k + d.len_utf8()..].chars().next().is_some_and(char::is_alphanumeric);
            if d.is_alphanumeric() || joins {
                j = k + d.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        // "U.S." keeps its last period.
        if slice[..j].ends_with(|c: char| c.is_ascii_uppercase())
            && slice[i..j].contains('.')
            && slice[j..].starts_with('.')
        {
            j += 1;
            iter.next();
        }
        out.push(Word { text: &slice[i..j], start: start + i, end: start + j });
    }
    out
}

/// A name without its possessive ending: "Witkoff’s" is "Witkoff".
pub fn bare(name: &str) -> &str {
    name.strip_suffix("’s").or_else(|| name.strip_suffix("'s")).unwrap_or(name)
}

/// Months and weekdays: capitalized, and never a name, a place or a topic.
pub const CALENDAR: [&str; 19] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Capitalized words that are not names of people even when they stand together.
const NOT_NAME: [&str; 79] = [
    "The",
    "A",
    "An",
    "And",
    "But",
    "Or",
    "In",
    "On",
    "At",
    "By",
    "For",
    "Of",
    "To",
    "With",
    "From",
    "As",
    "After",
    "Before",
    "During",
    "Under",
    "Over",
    "Since",
    "While",
    "When",
    "If",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "Its",
    "He",
    "She",
    "They",
    "We",
    "I",
    "His",
    "Her",
    "Their",
    "Our",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "General",
    "License",
    "Licence",
    "Licenses",
    "Act",
    "Order",
    "Executive",
    "Ministry",
    "Department",
    "Council",
    "Agency",
    "Office",
    "Commission",
    "Committee",
    "Treasury",
    "Times",
    "Post",
    "Journal",
    "News",
    "Press",
    "Street",
    "Bank",
    "Group",
    "Party",
    "House",
    "Court",
    "Union",
    "Organization",
    "Fund",
    "Plan",
    "Agreement",
    "Republic",
    "Federation",
    "Kingdom",
    "Assembly",
];

/// Words that end a run of capitalized words as the name of an organisation or thing.
const ORG_WORDS: [&str; 63] = [
    "Nations",
    "States",
    "Airport",
    "Palace",
    "Hotel",
    "Centre",
    "Center",
    "Tower",
    "Forum",
    "Summit",
    "Talks",
    "Conference",
    "Programme",
    "Program",
    "Institute",
    "University",
    "Parliament",
    "Congress",
    "Senate",
    "Army",
    "Forces",
    "Guard",
    "Company",
    "Corp",
    "Inc",
    "Ltd",
    "Energy",
    "Oil",
    "Gas",
    "Petroleum",
    "Resources",
    "Initiative",
    "Accord",
    "Deal",
    "Declaration",
    "Regulation",
    "Mechanism",
    "Force",
    "Sea",
    "Day",
    "Social",
    "Economic",
    "East",
    "Lady",
    "Alongside",
    "Rule",
    "Rules",
    "Register",
    "Regulations",
    "Act",
    "Department",
    "Ministry",
    "Office",
    "Bureau",
    "Agency",
    "Commission",
    "Committee",
    "Council",
    "Fund",
    "Treasury",
    "Authority",
    "Agreement",
    "Treaty",
];

/// News organisations: they report talks, they do not hold them.
pub const OUTLETS: [&str; 44] = [
    "Reuters",
    "AP",
    "Associated Press",
    "AFP",
    "TASS",
    "Tass",
    "RIA",
    "RIA Novosti",
    "Interfax",
    "Xinhua",
    "IRNA",
    "ISNA",
    "Tasnim",
    "Fars",
    "Mehr",
    "Yonhap",
    "KCNA",
    "Bloomberg",
    "CNN",
    "CNBC",
    "BBC",
    "Axios",
    "Politico",
    "Al Jazeera",
    "Al Arabiya",
    "Fox News",
    "NBC",
    "CBS",
    "ABC",
    "Kyodo",
    "NHK",
    "Anadolu",
    "Sputnik",
    "RT",
    "Ukrinform",
    "Kommersant",
    "Izvestia",
    "Nikkei",
    "Semafor",
    "Punchbowl",
    "Financial Times",
    "Wall Street Journal",
    "New York Times",
    "Washington Post",
];

/// Whether a capitalized word can be part of a person's name.
pub fn name_like(word: &Word<'_>) -> bool {
    static NOT: LazyLock<HashSet<&'static str>> =
        LazyLock::new(|| NOT_NAME.iter().chain(&CALENDAR).chain(&ORG_WORDS).chain(&OUTLETS).copied().collect());
    let w = bare(word.text);
    let first = w.chars().next();
    let capital = first.is_some_and(char::is_uppercase);
    if !capital && !first.is_some_and(|c| matches!(c, 'a' | 'b' | 'd' | 'e' | 'i' | 'l' | 't' | 'v')) {
        return false;
    }
    let particle = !capital
        && ((w.len() > 4 && (w.starts_with("al-") || w.starts_with("el-")))
            || [
                "bin", "ibn", "van", "von", "der", "den", "ter", "de", "da", "di", "du", "dos", "del", "la", "le", "al",
            ]
            .contains(&w));
    (capital || particle)
        && w.chars().any(char::is_lowercase)
        && !w.contains('.')
        && !w.chars().any(|c| c.is_ascii_digit())
        && !NOT.contains(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_initials_possessives_and_hyphens() {
        let text = "The U.S. envoy met al-Sharaa and Turkey's team.";
        let w: Vec<&str> = words(text, 0, text.len()).iter().map(|w| w.text).collect();
        assert_eq!(w, vec!["The", "U.S.", "envoy", "met", "al-Sharaa", "and", "Turkey's", "team"]);
    }

    #[test]
    fn gazetteer_and_actors_in_one_pass() {
        let watch = Watch::new(vec![Actor { name: "Steve Witkoff".into(), aliases: vec!["Witkoff".into()] }]);
        let text = "Witkoff flew to Moscow; Iranian officials and the E3 met. Iranians are Iran; Irania is not.";
        let found: Vec<&str> = watch.mentions(text).iter().map(|m| &text[m.start..m.end]).collect();
        // Whole words only; the plural of a people names its country.
        assert_eq!(found, vec!["Witkoff", "Moscow", "Iranian", "E3", "Iranians", "Iran"]);
        assert!(watch.names_any(text));
        assert!(!NO_ACTORS.names_any(text));
        let titles: Vec<&str> = NO_ACTORS
            .titles("Foreign Minister Sergei Lavrov met his counterpart")
            .iter()
            .map(|&(s, e)| &"Foreign Minister Sergei Lavrov met his counterpart"[s..e])
            .collect();
        assert_eq!(titles, vec!["Foreign Minister", "counterpart"]);
    }
}
