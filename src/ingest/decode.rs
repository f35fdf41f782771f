//! Article files and pages into the one form the rest of ingest reads: a header block
//! (`Title:`, `Source:`, `URL:`, `Published:`) and the text, with its paragraphs kept so
//! that sentences and the byte offsets in evidence stay meaningful.
//!
//! `.txt`/`.md` are taken as they are; `.html` goes through the Readability algorithm
//! (dom_smoothie), falling back to html2text when no article is found; `.json` is an object
//! `{"title", "url", "source", "published", "body"}`. Anything else is refused with a reason.
//!
//! No input may crash or stall the process. Both HTML libraries recurse once per level of
//! element nesting, and slow down with the depth: 30,000 unclosed nested tags (140 KB)
//! overflowed the stack and 220 KB of closed nested `<div>`s took a minute. So a cheap
//! linear scan ([`nesting_depth`]) measures the nesting first, and a page nested deeper
//! than [`MAX_NESTING`] is reduced to its text by [`strip_tags`], a linear tag stripper
//! without recursion. Pages that pass the check are still decoded on a thread of their own
//! with a large stack ([`DECODER_STACK`]), so a recursion that slips past the rough scan
//! cannot abort the daemon; a panic inside a library falls back to the stripper too. JSON
//! nesting is bounded by serde_json's own recursion limit, reported as such.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use regex::Regex;

use crate::extract::article::parse_time;

/// What kind of document a name or a content type says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Html,
    Json,
}

impl Kind {
    /// By file extension; `None` for a type sanctiond does not read.
    pub fn of_path(path: &std::path::Path) -> Option<Kind> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("txt" | "md" | "text" | "markdown") => Some(Kind::Text),
            Some("html" | "htm" | "xhtml") => Some(Kind::Html),
            Some("json") => Some(Kind::Json),
            _ => None,
        }
    }

    /// By HTTP `Content-Type`, else by a look at the first bytes.
    pub fn of_content(content_type: Option<&str>, body: &[u8]) -> Kind {
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if ct.contains("html") {
            return Kind::Html;
        }
        if ct.contains("json") {
            return Kind::Json;
        }
        let head = String::from_utf8_lossy(&body[..body.len().min(512)]).trim_start().to_ascii_lowercase();
        if head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<head") {
            Kind::Html
        } else {
            Kind::Text
        }
    }
}

/// Refuses what is not text: too large, binary (a NUL byte) or not UTF-8.
pub fn check_text(name: &str, bytes: Vec<u8>, max_bytes: usize) -> Result<String, String> {
    if bytes.len() > max_bytes {
        return Err(format!(
            "{name}: larger than the {max_bytes}-byte limit for an article (raise it with --max-bytes)"
        ));
    }
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(format!("{name}: looks binary (a NUL byte at offset {at}); give a text article"));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!("{name}: not UTF-8 (invalid byte at offset {}); convert it to UTF-8", e.utf8_error().valid_up_to())
    })
}

/// Decodes one document into header-block text; `url` is where it came from, when it
/// came from the web.
pub fn decode(name: &str, kind: Kind, bytes: Vec<u8>, max_bytes: usize, url: Option<&str>) -> Result<String, String> {
    let text = check_text(name, bytes, max_bytes)?;
    match kind {
        Kind::Text => Ok(text),
        Kind::Json => json(name, &text),
        Kind::Html => Ok(html(&text, url)),
    }
}

fn json(name: &str, text: &str) -> Result<String, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        // serde_json stops at 128 levels rather than recurse without end; say so plainly.
        if e.to_string().starts_with("recursion limit exceeded") {
            format!(
                "{name}: JSON nested too deeply (more than 128 levels, at line {} column {}); give a flat {{\"title\", \"body\", …}} object",
                e.line(),
                e.column()
            )
        } else {
            format!("{name}: not JSON: {e} (give {{\"title\", \"body\", …}})")
        }
    })?;
    let field = |k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let body = field("body").or_else(|| field("text")).ok_or_else(|| {
        format!(
            "{name}: the JSON has no \"body\" string; give {{\"title\", \"url\", \"source\", \"published\", \"body\"}}"
        )
    })?;
    let published = match field("published") {
        Some(p) => Some(parse_time(p).ok_or_else(|| format!("{name}: \"published\": {p:?} is not an RFC 3339 time"))?),
        None => None,
    };
    Ok(assemble(field("title"), field("source"), field("url"), published, body))
}

static TIME_DATETIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)<time[^>]*\sdatetime\s*=\s*["']([^"']+)["']"#).expect("time regex"));
static CANONICAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<link[^>]*rel\s*=\s*["']canonical["'][^>]*href\s*=\s*["']([^"']+)["']|<meta[^>]*property\s*=\s*["']og:url["'][^>]*content\s*=\s*["']([^"']+)["']"#)
        .expect("canonical regex")
});

/// How deep elements may nest before a page is reduced to its text by [`strip_tags`]
/// instead of going through the libraries. Real pages stay well under 100.
pub const MAX_NESTING: usize = 256;

/// The stack of the thread the HTML libraries run on. Far more than [`MAX_NESTING`]
/// levels need; only touched pages are ever committed.
pub const DECODER_STACK: usize = 64 << 20;

/// The Readability text of a page, or html2text's when it finds no article, or the
/// stripped text of a page too deeply nested for either.
fn html(page: &str, url: Option<&str>) -> String {
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let library = || on_big_stack(|| by_libraries(page, url));
    let (title, source, published, body) = match (nesting_depth(page) <= MAX_NESTING).then(library).flatten() {
        Some(parts) => parts,
        None => {
            let stripped = strip_tags(page);
            (stripped.title, None, None, stripped.text)
        }
    };
    let published = published.or_else(|| {
        TIME_DATETIME.captures_iter(page).filter_map(|c| c.get(1)).find_map(|m| parse_time(m.as_str().trim()))
    });
    let canonical = CANONICAL.captures(page).and_then(|c| c.get(1).or_else(|| c.get(2))).map(|m| m.as_str().to_owned());
    let url = canonical.or_else(|| url.map(str::to_owned));
    assemble(title.as_deref(), source.as_deref(), url.as_deref(), published, &tidy(&body))
}

type Parts = (Option<String>, Option<String>, Option<DateTime<FixedOffset>>, String);

/// Title, site name, publication time and text by dom_smoothie, or html2text's text alone.
fn by_libraries(page: &str, url: Option<&str>) -> Parts {
    let config = dom_smoothie::Config { text_mode: dom_smoothie::TextMode::Formatted, ..Default::default() };
    let article = dom_smoothie::Readability::new(page, url, Some(config)).ok().and_then(|mut r| r.parse().ok());
    match article {
        Some(a) if a.text_content.trim().len() >= 80 => {
            let published = a.published_time.as_deref().and_then(|t| parse_time(t.trim()));
            (Some(a.title).filter(|t| !t.trim().is_empty()), a.site_name, published, a.text_content.to_string())
        }
        _ => {
            // Very wide lines: html2text must not break sentences across lines.
            let text = html2text::from_read(page.as_bytes(), 100_000).unwrap_or_default();
            (None, None, None, text)
        }
    }
}

/// Runs `f` on a thread with [`DECODER_STACK`] of stack and waits for it; `None` when it
/// panicked. When no thread can be started it runs here: the depth check already keeps
/// the libraries' recursion shallow, the large stack is only a second line of defence.
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Option<T> {
    let f = std::sync::Mutex::new(Some(f));
    let run = || f.lock().ok().and_then(|mut f| f.take()).map(|f| f());
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().name("html-decode".to_owned()).stack_size(DECODER_STACK);
        match thread.spawn_scoped(scope, run) {
            Ok(handle) => handle.join().ok().flatten(),
            Err(_) => run(),
        }
    })
}

/// The text of an HTML fragment (a feed entry's summary or title), paragraphs kept; text
/// without markup is only tidied.
pub fn html_text(fragment: &str) -> String {
    let text = if fragment.contains('<') && fragment.contains('>') {
        let library = || on_big_stack(|| html2text::from_read(fragment.as_bytes(), 100_000).ok()).flatten();
        match (nesting_depth(fragment) <= MAX_NESTING).then(library).flatten() {
            Some(text) => text,
            None => strip_tags(fragment).text,
        }
    } else {
        fragment.to_owned()
    };
    tidy(&text).trim_end().to_owned()
}

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "command", "embed", "frame", "hr", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
];

/// Elements whose end tag may be left out: the parser closes them when a sibling starts,
/// so an unclosed run of them does not nest. Not counted either way.
const OPTIONAL_END: &[&str] = &[
    "body", "caption", "colgroup", "dd", "dt", "head", "html", "li", "optgroup", "option", "p", "rb", "rp", "rt",
    "rtc", "tbody", "td", "tfoot", "th", "thead", "tr",
];

/// Elements whose content is text up to their end tag, never markup.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"];

/// One piece of a page, as the rough scanner below sees it.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    /// A start tag: its lower-case name, whether it ends in `/>`, and for raw-text
    /// elements (`script`, `title`…) their content.
    Open { name: String, self_closing: bool, raw: Option<&'a str> },
    Close(String),
}

/// Splits a page into text, start tags and end tags in one pass, never looking back:
/// comments, doctypes and processing instructions are skipped, a raw-text element's
/// content is taken whole. Quoted attribute values may hold `>`. Rough next to a real
/// HTML tokenizer, and meant to be: it only has to count nesting and find the text.
fn pieces(page: &str) -> impl Iterator<Item = Piece<'_>> {
    let bytes = page.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let start = at;
            if bytes[at] != b'<' {
                at += bytes[at..].iter().position(|b| *b == b'<').unwrap_or(bytes.len() - at);
                return Some(Piece::Text(&page[start..at]));
            }
            let next = bytes.get(at + 1).copied().unwrap_or(b' ');
            if page[at..].starts_with("<!--") {
                at = find(page, at + 4, "-->").map_or(bytes.len(), |end| end + 3);
            } else if next == b'!' || next == b'?' {
                at = find(page, at, ">").map_or(bytes.len(), |end| end + 1);
            } else if next == b'/' && bytes.get(at + 2).is_some_and(u8::is_ascii_alphabetic) {
                let name = tag_name(&page[at + 2..]);
                at = find(page, at, ">").map_or(bytes.len(), |end| end + 1);
                return Some(Piece::Close(name));
            } else if next.is_ascii_alphabetic() {
                let name = tag_name(&page[at + 1..]);
                let end = tag_end(bytes, at + 1 + name.len());
                let self_closing = end > 0 && bytes.get(end - 1) == Some(&b'/');
                at = (end + 1).min(bytes.len());
                let raw = RAW_TEXT.contains(&name.as_str()).then(|| {
                    let close = find_ignore_case(page, at, &format!("</{name}")).unwrap_or(bytes.len());
                    let content = &page[at..close];
                    at = find(page, close, ">").map_or(bytes.len(), |end| end + 1);
                    content
                });
                return Some(Piece::Open { name, self_closing, raw });
            } else {
                // A `<` that starts no tag is text.
                at += 1;
                return Some(Piece::Text(&page[start..at]));
            }
        }
        None
    })
}

fn find(page: &str, from: usize, needle: &str) -> Option<usize> {
    page.get(from..).and_then(|rest| rest.find(needle)).map(|i| from + i)
}

/// `find` for an ASCII needle, ignoring ASCII case, without copying the page.
fn find_ignore_case(page: &str, from: usize, needle: &str) -> Option<usize> {
    let (hay, needle) = (page.as_bytes(), needle.as_bytes());
    let first = needle.first()?.to_ascii_lowercase();
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let off = hay[i..].iter().position(|b| b.to_ascii_lowercase() == first)?;
        i += off;
        if i + needle.len() <= hay.len() && hay[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The lower-case name at the start of `rest`.
fn tag_name(rest: &str) -> String {
    let len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_')).count();
    rest[..len].to_ascii_lowercase()
}

/// The index of the `>` that ends a start tag whose attributes begin at `from` (the end
/// of the page when there is none), stepping over quoted attribute values.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    let mut after_equals = false;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return i,
            b'=' => after_equals = true,
            q @ (b'"' | b'\'') if after_equals => {
                i = bytes[i + 1..].iter().position(|b| *b == q).map_or(bytes.len(), |p| i + 1 + p);
                after_equals = false;
            }
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    bytes.len()
}

/// How deep elements nest in `page`, roughly as an HTML parser would build them: start
/// tags minus end tags, where void elements, elements that close themselves when a
/// sibling starts, and `/>` inside `<svg>`/`<math>` do not count. Linear; it stops
/// counting once past [`MAX_NESTING`].
pub fn nesting_depth(page: &str) -> usize {
    let (mut depth, mut deepest, mut foreign) = (0usize, 0usize, 0usize);
    for piece in pieces(page) {
        match piece {
            Piece::Open { name, self_closing, raw } => {
                let counted = !VOID.contains(&name.as_str()) && !OPTIONAL_END.contains(&name.as_str());
                // HTML ignores `/>` on its own elements (`<div/>` opens a div); only
                // SVG and MathML elements close themselves that way.
                if counted && raw.is_none() && !(self_closing && foreign > 0) {
                    depth += 1;
                    if name == "svg" || name == "math" {
                        foreign += 1;
                    }
                }
                deepest = deepest.max(depth);
                if deepest > MAX_NESTING {
                    return deepest;
                }
            }
            Piece::Close(name) => {
                if !VOID.contains(&name.as_str()) && !OPTIONAL_END.contains(&name.as_str()) {
                    depth = depth.saturating_sub(1);
                    if name == "svg" || name == "math" {
                        foreign = foreign.saturating_sub(1);
                    }
                }
            }
            Piece::Text(_) => {}
        }
    }
    deepest
}

/// A page reduced to text without an HTML parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    /// The first `<title>`, when it has text.
    pub title: Option<String>,
    /// The text, a blank line at each block element, entities decoded.
    pub text: String,
}

/// Elements that start a new paragraph.
const BLOCK: &[&str] = &[
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "tr", "ul",
];

/// Elements whose content is not text a reader sees (raw-text ones like `script` are
/// dropped by the scanner already).
const HIDDEN: &[&str] = &["template", "noscript", "svg", "math"];

/// What separates the next words from the text before them; a stronger break wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    None,
    Space,
    Line,
    Paragraph,
}

/// The text of `page` in one linear pass and constant stack, for pages the libraries
/// must not see: tags dropped, entities decoded, runs of white space made one space, a
/// paragraph break at block elements and a line break at `<br>`.
pub fn strip_tags(page: &str) -> Stripped {
    let mut title = None;
    let mut text = String::with_capacity(page.len() / 2);
    // Depth inside hidden elements; their text is skipped.
    let mut hidden = 0usize;
    let mut pending = Break::None;
    for piece in pieces(page) {
        match piece {
            Piece::Open { name, raw: Some(content), .. } => {
                if name == "title" && title.is_none() {
                    title = Some(collapse(&decode_entities(content))).filter(|t| !t.is_empty());
                } else if name == "textarea" && hidden == 0 {
                    push_text(&mut text, &mut pending, content);
                }
            }
            Piece::Open { name, self_closing, raw: None } => {
                if HIDDEN.contains(&name.as_str()) && !self_closing {
                    hidden += 1;
                } else if name == "br" {
                    pending = pending.max(Break::Line);
                } else if BLOCK.contains(&name.as_str()) {
                    pending = Break::Paragraph;
                }
            }
            Piece::Close(name) => {
                if HIDDEN.contains(&name.as_str()) {
                    hidden = hidden.saturating_sub(1);
                } else if BLOCK.contains(&name.as_str()) {
                    pending = Break::Paragraph;
                }
            }
            Piece::Text(t) if hidden == 0 => push_text(&mut text, &mut pending, t),
            Piece::Text(_) => {}
        }
    }
    text.push('\n');
    Stripped { title, text }
}

/// Appends the words of `raw` (entities decoded) after the pending break.
fn push_text(text: &mut String, pending: &mut Break, raw: &str) {
    let decoded = decode_entities(raw);
    if decoded.starts_with(char::is_whitespace) {
        *pending = (*pending).max(Break::Space);
    }
    let words = collapse(&decoded);
    if !words.is_empty() {
        if !text.is_empty() {
            text.push_str(match pending {
                Break::None => "",
                Break::Space => " ",
                Break::Line => "\n",
                Break::Paragraph => "\n\n",
            });
        }
        text.push_str(&words);
        *pending = Break::None;
    }
    if decoded.ends_with(char::is_whitespace) {
        *pending = (*pending).max(Break::Space);
    }
}

/// Runs of white space made one space, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `&amp;`, `&#8217;`, `&#x2019;` and the common named entities; anything else is kept
/// as written. A reference to NUL, a surrogate or a control character becomes U+FFFD.
fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(|c: char| !c.is_ascii_alphanumeric() && c != '#').map_or(rest.len(), |i| i + 1);
        let name = &rest[1..end];
        let decoded = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            code.map(|c| char::from_u32(c).filter(|c| !c.is_control() || c.is_whitespace()).unwrap_or('\u{fffd}'))
        } else {
            named_entity(name)
        };
        match decoded {
            Some(c) if !name.is_empty() => {
                out.push(c);
                rest = rest[end..].strip_prefix(';').unwrap_or(&rest[end..]);
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "euro" => '€',
        "pound" => '£',
        "copy" => '©',
        "reg" => '®',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        _ => return None,
    })
}

/// Paragraphs separated by one blank line, no runs of spaces, no empty lines in between.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for para in text.split("\n\n") {
        let lines: Vec<String> = para
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&lines.join("\n"));
    }
    out.push('\n');
    out
}

/// The header-block form: one line per known field (values on one line), a blank line,
/// then the body.
fn assemble(
    title: Option<&str>,
    source: Option<&str>,
    url: Option<&str>,
    published: Option<DateTime<FixedOffset>>,
    body: &str,
) -> String {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text = String::new();
    if let Some(t) = title {
        text.push_str(&format!("Title: {}\n", flat(t)));
    }
    if let Some(s) = source {
        text.push_str(&format!("Source: {}\n", flat(s)));
    }
    if let Some(u) = url {
        text.push_str(&format!("URL: {}\n", flat(u)));
    }
    if let Some(p) = published {
        text.push_str(&format!("Published: {}\n", p.to_rfc3339_opts(SecondsFormat::Secs, true)));
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(body);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><head><title>Envoy in Moscow | Wire</title>
<meta property="og:site_name" content="Test Wire">
<meta property="article:published_time" content="2025-08-07T08:00:00Z">
<link rel="canonical" href="https://example.org/envoy">
</head><body><nav>Home | World | Sport</nav>
<article><h1>Envoy in Moscow</h1>
<p>US envoy Steve Witkoff met Russian President Vladimir Putin at the Kremlin on Wednesday, two days before a deadline for Russia to agree a ceasefire or face secondary tariffs.</p>
<p>Kremlin aide Yuri Ushakov called the talks "useful and constructive", and said both sides would keep in touch over the coming days.</p>
<p>The White House has said the tariffs take effect on Friday unless Moscow agrees to a ceasefire in Ukraine.</p>
</article><footer>Copyright Test Wire</footer></body></html>"#;

    #[test]
    fn a_page_becomes_its_title_source_time_url_and_paragraphs() {
        let d = decode("page.html", Kind::Html, PAGE.as_bytes().to_vec(), 1 << 20, None).expect("decoded");
        let header = crate::extract::article::parse_header(&d);
        assert_eq!(header.source.as_deref(), Some("Test Wire"));
        assert_eq!(header.url.as_deref(), Some("https://example.org/envoy"));
        assert_eq!(header.published.map(|p| p.to_rfc3339()), Some("2025-08-07T08:00:00+00:00".to_owned()));
        let body = &d[header.body_start..];
        assert!(body.contains("met Russian President Vladimir Putin at the Kremlin on Wednesday"), "{body}");
        assert!(body.contains("\n\n"), "paragraphs are kept: {body}");
        assert!(!body.contains("Home | World") && !body.contains("Copyright"), "{body}");
    }

    #[test]
    fn a_page_without_metadata_falls_back_to_time_elements_and_whole_text() {
        let page = "<html><body><p>Short note. <time datetime=\"2025-08-06\">Wednesday</time></p></body></html>";
        let d =
            decode("p.html", Kind::Html, page.as_bytes().to_vec(), 1 << 20, Some("https://example.org/p")).expect("ok");
        let published = crate::extract::article::parse_header(&d).published;
        assert_eq!(published.map(|p| p.date_naive().to_string()), Some("2025-08-06".to_owned()));
        assert!(d.contains("Short note."), "{d}");
        assert!(d.contains("URL: https://example.org/p"), "{d}");
    }

    #[test]
    fn json_articles_need_a_body() {
        let ok = br#"{"title": "T", "source": "S", "published": "2025-08-06T10:00:00Z", "body": "Text here."}"#;
        let d = decode("a.json", Kind::Json, ok.to_vec(), 1 << 20, None).expect("ok");
        assert_eq!(d, "Title: T\nSource: S\nPublished: 2025-08-06T10:00:00Z\n\nText here.");
        let err = decode("b.json", Kind::Json, br#"{"title": "T"}"#.to_vec(), 1 << 20, None).expect_err("no body");
        assert!(err.contains("b.json") && err.contains("\"body\""), "{err}");
        let err = decode("c.json", Kind::Json, b"{nope".to_vec(), 1 << 20, None).expect_err("not json");
        assert!(err.starts_with("c.json: not JSON"), "{err}");
    }

    #[test]
    fn kinds_by_name_and_content() {
        assert_eq!(Kind::of_path(std::path::Path::new("a/b.HTML")), Some(Kind::Html));
        assert_eq!(Kind::of_path(std::path::Path::new("a/b.pdf")), None);
        assert_eq!(Kind::of_content(Some("text/html; charset=utf-8"), b""), Kind::Html);
        assert_eq!(Kind::of_content(None, b"  <!DOCTYPE html><p>x"), Kind::Html);
        assert_eq!(Kind::of_content(None, b"Title: x\n\nbody"), Kind::Text);
    }
}
