//! The built-in gazetteer: countries (names, adjectives, capitals and seats used as
//! metonyms), blocs and international bodies, official titles and the nouns that name a
//! party to talks. The data are the files under `data/gazetteer/`, compiled into the
//! binary; `build.rs` refuses a file that does not parse, so a bad line is a build
//! failure, never a runtime one. The user's `[[actor]]` entries extend it (see
//! [`super::Watch`]); both are matched in one pass over the text.

use std::collections::HashSet;
use std::sync::LazyLock;

/// `data/gazetteer/places.tsv`: kind, canonical name, names, adjectives, metonyms.
pub const PLACES: &str = include_str!("../../data/gazetteer/places.tsv");
/// `data/gazetteer/titles.txt`: one official title per line, lower case.
pub const TITLES: &str = include_str!("../../data/gazetteer/titles.txt");
/// `data/gazetteer/talk_words.tsv`: kind (`noun`, `verb`, `party`) and phrase.
pub const TALK_WORDS: &str = include_str!("../../data/gazetteer/talk_words.tsv");
pub const ZONES: &str = include_str!("../../data/gazetteer/zones.tsv");

/// What a gazetteer entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Country,
    Bloc,
    Body,
}

/// How a mention names its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// "Russia", "the E3", "U.S."
    Name,
    /// "Russian", "South Korean": names a party only with a noun after it.
    Adjective,
    /// "Moscow", "the Kremlin": the government, unless it is where something happens.
    Metonym,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub name: String,
}

/// A place file line that does not parse: which line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub file: &'static str,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "data/gazetteer/{} line {}: {}", self.file, self.line, self.reason)
    }
}

/// The parsed data, before any matcher is built.
#[derive(Debug, Default)]
pub struct Data {
    pub entries: Vec<Entry>,
    /// Every surface form: text, entry index, form.
    pub forms: Vec<(String, usize, Form)>,
    pub titles: Vec<String>,
    pub party_nouns: Vec<String>,
    pub talk_nouns: Vec<String>,
    pub talk_verbs: Vec<String>,
    /// The zone "local time" means at an entry: entry index, IANA zone name.
    pub zones: Vec<(usize, String)>,
}

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r'))).filter(|(_, l)| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

/// Parses the three files; every problem is reported with its file and line.
pub fn parse(places: &str, titles: &str, talk_words: &str) -> Result<Data, Vec<LineError>> {
    let mut data = Data::default();
    let mut errors = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (line, l) in data_lines(places) {
        let err = |reason: String| LineError { file: "places.tsv", line, reason };
        let fields: Vec<&str> = l.split('\t').collect();
        if fields.len() != 5 {
            errors.push(err(format!(
                "{} tab-separated fields, expected 5 (kind, canonical, names, adjectives, metonyms)",
                fields.len()
            )));
            continue;
        }
        let kind = match fields[0] {
            "country" => Kind::Country,
            "bloc" => Kind::Bloc,
            "body" => Kind::Body,
            other => {
                errors.push(err(format!("kind {other:?} is not country, bloc or body")));
                continue;
            }
        };
        let canonical = fields[1].trim();
        if canonical.is_empty() {
            errors.push(err("empty canonical name".to_owned()));
            continue;
        }
        let index = data.entries.len();
        data.entries.push(Entry { kind, name: canonical.to_owned() });
        let lists = [(fields[2], Form::Name), (fields[3], Form::Adjective), (fields[4], Form::Metonym)];
        for form in std::iter::once((canonical, Form::Name))
            .chain(lists.iter().flat_map(|(list, form)| list.split(';').map(move |n| (n, *form))))
        {
            let (text, form) = (form.0.trim(), form.1);
            if text.is_empty() {
                continue;
            }
            // The canonical name listed again among the names is the same form.
            if form == Form::Name && data.forms.iter().any(|(t, i, f)| t == text && *i == index && *f == Form::Name) {
                continue;
            }
            // An adjective that is also the entry's name ("US") stays a name.
            if !seen.insert(text.to_owned()) {
                if data.forms.iter().any(|(t, i, _)| t == text && *i == index) {
                    continue;
                }
                errors.push(err(format!("{text:?} already names another entry")));
                continue;
            }
            data.forms.push((text.to_owned(), index, form));
            // A people is its country: "the Afghans", "the Americans", "Israelis".
            if kind == Kind::Country
                && form == Form::Adjective
                && (text.ends_with("an") || text.ends_with('i'))
                && seen.insert(format!("{text}s"))
            {
                data.forms.push((format!("{text}s"), index, Form::Name));
            }
        }
    }
    for (line, l) in data_lines(titles) {
        let t = l.trim();
        if t.chars().any(|c| c.is_uppercase() || c == '\t') {
            errors.push(LineError {
                file: "titles.txt",
                line,
                reason: format!("{t:?}: titles are lower case, one per line"),
            });
            continue;
        }
        data.titles.push(t.to_owned());
    }
    for (line, l) in data_lines(talk_words) {
        let Some((kind, phrase)) = l.split_once('\t') else {
            errors.push(LineError { file: "talk_words.tsv", line, reason: "expected kind<TAB>phrase".to_owned() });
            continue;
        };
        let phrase = phrase.trim().to_owned();
        match kind {
            "noun" => data.talk_nouns.push(phrase),
            "verb" => data.talk_verbs.push(phrase),
            "party" => data.party_nouns.push(phrase),
            other => errors.push(LineError {
                file: "talk_words.tsv",
                line,
                reason: format!("kind {other:?} is not noun, verb or party"),
            }),
        }
    }
    if errors.is_empty() { Ok(data) } else { Err(errors) }
}

/// Reads `zones.tsv` (canonical name, IANA zone) against the entries of `data`. A zone
/// name is checked for its shape here; that each is one chrono-tz knows is a unit test.
pub fn parse_zones(zones: &str, data: &mut Data) -> Result<(), Vec<LineError>> {
    let mut errors = Vec::new();
    for (line, l) in data_lines(zones) {
        let err = |reason: String| LineError { file: "zones.tsv", line, reason };
        let Some((canonical, zone)) = l.split_once('\t') else {
            errors.push(err("expected canonical<TAB>zone".to_owned()));
            continue;
        };
        let (canonical, zone) = (canonical.trim(), zone.trim());
        let Some(index) = data.entries.iter().position(|e| e.name == canonical) else {
            errors.push(err(format!("{canonical:?} is not a canonical name in places.tsv")));
            continue;
        };
        let shaped = zone.split_once('/').is_some_and(|(area, city)| {
            !area.is_empty()
                && !city.is_empty()
                && zone.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
        });
        if !shaped {
            errors.push(err(format!("{zone:?} is not an IANA zone name such as Europe/Kyiv")));
            continue;
        }
        if data.zones.iter().any(|(i, _)| *i == index) {
            errors.push(err(format!("{canonical:?} has a zone already")));
            continue;
        }
        data.zones.push((index, zone.to_owned()));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The built-in files, parsed; every problem with its file and line.
pub fn builtin() -> Result<Data, Vec<LineError>> {
    let mut data = parse(PLACES, TITLES, TALK_WORDS)?;
    parse_zones(ZONES, &mut data)?;
    Ok(data)
}

/// The built-in data. `build.rs` has checked the files, so this parses; were it not to,
/// the gazetteer is empty rather than the daemon down.
pub static BUILTIN: LazyLock<Data> = LazyLock::new(|| builtin().unwrap_or_default());

/// Whether `text[start..end]` stands as whole words.
pub fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let inner = |c: char| c.is_alphanumeric() || c == '_';
    // "U.S." ends in a period that may also end the sentence; a name ending in a letter
    // must not run on into one ("Iranian" is not "Iran").
    !before.is_some_and(inner) && !after.is_some_and(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_parse() {
        let data = builtin().unwrap_or_else(|errors| {
            panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
        });
        assert!(data.entries.len() > 200, "{} entries", data.entries.len());
        for name in ["Russia", "Moscow", "Kremlin", "E3", "Iranian", "South Korean", "European Union", "OFAC"] {
            assert!(data.forms.iter().any(|(t, _, _)| t == name), "{name} missing");
        }
        assert!(data.titles.iter().any(|t| t == "foreign minister"));
        assert!(data.party_nouns.iter().any(|t| t == "delegation"));
        assert!(data.party_nouns.iter().any(|t| t == "ambassadors"));
    }

    #[test]
    fn a_bad_line_is_reported_with_file_and_line() {
        let places = "# comment\ncountry\tRussia\tRussia\tRussian\tMoscow\nstate\tNowhere\t\t\t\ncountry\tX\n";
        let errors = parse(places, "president\n", "noun\ttalks\n").expect_err("bad lines");
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "data/gazetteer/places.tsv line 3: kind \"state\" is not country, bloc or body",
                "data/gazetteer/places.tsv line 4: 2 tab-separated fields, expected 5 (kind, canonical, names, adjectives, metonyms)"
            ]
        );
        let errors = parse("", "Foreign Minister\n", "adverb\tsoon\n").expect_err("bad lines");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].file, "titles.txt");
        assert_eq!(errors[1].line, 1);
    }

    #[test]
    fn every_zone_is_one_chrono_tz_knows() {
        let data = builtin().expect("the built-in files parse");
        assert!(data.zones.len() > 80, "{} zones", data.zones.len());
        for (i, zone) in &data.zones {
            assert!(zone.parse::<chrono_tz::Tz>().is_ok(), "{}: {zone} is unknown to chrono-tz", data.entries[*i].name);
        }
    }

    #[test]
    fn a_bad_zone_line_is_reported_with_file_and_line() {
        let mut data = parse("country\tIsrael\tIsrael\tIsraeli\tJerusalem\n", "", "").expect("places");
        let errors = parse_zones(
            "# c\nIsrael\tAsia/Jerusalem\nAtlantis\tAtlantic/Atlantis\nIsrael\tJerusalem time\n",
            &mut data,
        )
        .expect_err("bad lines");
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "data/gazetteer/zones.tsv line 3: \"Atlantis\" is not a canonical name in places.tsv",
                "data/gazetteer/zones.tsv line 4: \"Jerusalem time\" is not an IANA zone name such as Europe/Kyiv"
            ]
        );
        assert_eq!(data.zones, vec![(0, "Asia/Jerusalem".to_owned())]);
    }

    #[test]
    fn one_name_names_one_entry() {
        let places = "country\tGeorgia\t\tGeorgian\tTbilisi\nbody\tState\tGeorgia\t\t\n";
        let errors = parse(places, "", "").expect_err("a name twice");
        assert!(errors[0].reason.contains("already names another entry"), "{errors:?}");
    }
}
