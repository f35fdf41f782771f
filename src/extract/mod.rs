//! Pure text → facts: time expressions and deadlines found in an article, resolved
//! against its publication time. No I/O, no clock, no async: it is given everything.

pub mod article;
pub mod deadline;
pub mod gazetteer;
pub mod names;
pub mod refs;
pub mod sentence;
pub mod talk;
pub mod timex;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use serde::Serialize;

pub use deadline::FoundDeadline;
pub use names::{Actor, NO_ACTORS, Watch};
pub use talk::Talk;
pub use timex::{Timex, TimexType};

/// What the extractor is told about an article besides its text.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// When the article was published: relative expressions resolve against it.
    pub published: DateTime<FixedOffset>,
    /// The zone of day-grain deadlines when the text names none (`[daemon] timezone`).
    pub timezone: Tz,
    /// The `[[actor]]` watch list.
    pub actors: &'a Watch,
}

/// Everything found in one text; offsets are byte offsets into that text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extraction {
    pub times: Vec<Timex>,
    pub deadlines: Vec<FoundDeadline>,
    pub talks: Vec<Talk>,
}

impl Extraction {
    /// Moves every offset by `by`, for a text that was a slice of a larger input.
    pub fn shift(&mut self, by: usize) {
        for t in &mut self.times {
            t.start += by;
            t.end += by;
        }
        for d in &mut self.deadlines {
            d.start += by;
            d.end += by;
        }
        for t in &mut self.talks {
            t.start += by;
            t.end += by;
        }
    }
}

/// An article as given (optional header block, then the body) and what it says, with
/// offsets into the whole text.
#[derive(Debug, Clone)]
pub struct ArticleFacts {
    pub header: article::Header,
    /// The header's time, else `published`, else `now`.
    pub published: DateTime<FixedOffset>,
    /// No time was known: `published` is `now`.
    pub estimated: bool,
    pub found: Extraction,
}

/// Reads the header block of `text` and extracts its body. `published` overrides the
/// header's time; `now` stands in when neither gives one. A talk no attribution names
/// was reported by the article's `Source:`.
pub fn extract_article(
    text: &str,
    published: Option<DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
    timezone: Tz,
    actors: &Watch,
) -> ArticleFacts {
    let header = article::parse_header(text);
    let given = published.or(header.published);
    let published = given.unwrap_or(now);
    let options = Options { published, timezone, actors };
    let mut found = extract(&text[header.body_start..], &options);
    for talk in &mut found.talks {
        if talk.reported_by.is_none() {
            talk.reported_by = header.source.clone();
        }
    }
    found.shift(header.body_start);
    ArticleFacts { header, published, estimated: given.is_none(), found }
}

/// A large regex (a long alternation with bounded repeats of word classes) given room for
/// its lazy DFA's states: in the default 2 MB cache such a regex keeps clearing the cache
/// and building the same states again, which cost 40 % of all extraction work on news
/// (`valgrind --tool=callgrind`, README "Performance"). The room is taken only as states are
/// built; on the development news it adds about 3 MB.
pub(crate) fn large_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern).dfa_size_limit(LARGE_REGEX_CACHE).build()
}

/// The lazy DFA cache of a [`large_regex`], in bytes.
const LARGE_REGEX_CACHE: usize = 8 << 20;

/// Finds the time expressions, deadlines and talk events of `text`.
pub fn extract(text: &str, options: &Options<'_>) -> Extraction {
    let times = timex::find(text, options.published.date_naive());
    let sentences = sentence::split(text);
    let deadlines = deadline::find(text, &sentences, &times, options.published, options.timezone);
    let talks = talk::find(text, &sentences, &times, options.actors, options.published.date_naive());
    Extraction { times, deadlines, talks }
}
