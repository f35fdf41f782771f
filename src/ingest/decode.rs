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
    /// A PDF document (a general licence): its text.
    Pdf,
}

impl Kind {
    /// By file extension; `None` for a type sanctiond does not read.
    pub fn of_path(path: &std::path::Path) -> Option<Kind> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("txt" | "md" | "text" | "markdown") => Some(Kind::Text),
            Some("html" | "htm" | "xhtml") => Some(Kind::Html),
            Some("json") => Some(Kind::Json),
            Some("pdf") => Some(Kind::Pdf),
            _ => None,
        }
    }

    /// By HTTP `Content-Type`, else by a look at the first bytes.
    pub fn of_content(content_type: Option<&str>, body: &[u8]) -> Kind {
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if ct.contains("pdf") || body.starts_with(b"%PDF-") {
            return Kind::Pdf;
        }
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
    if kind == Kind::Pdf {
        return pdf(name, &bytes, max_bytes, url);
    }
    let text = check_text(name, bytes, max_bytes)?;
    match kind {
        Kind::Text => Ok(text),
        Kind::Json => json(name, &text),
        Kind::Html => Ok(html(&text, url)),
        Kind::Pdf => unreachable!("PDFs are read above"),
    }
}

/// The text of a PDF, as an article with its URL; a damaged or hostile file is refused with
/// the reason, and never takes the process down.
fn pdf(name: &str, bytes: &[u8], max_bytes: usize, url: Option<&str>) -> Result<String, String> {
    if bytes.len() > max_bytes {
        return Err(format!(
            "{name}: larger than the {max_bytes}-byte limit for an article (raise it with --max-bytes)"
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(format!("{name}: not a PDF (no %PDF- header)"));
    }
    // The extractor panics on some malformed files: a panic is a refusal, not a crash.
    let extracted = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
    let text = match extracted {
        Ok(Ok(text)) => text,
        Ok(Err(e)) => return Err(format!("{name}: cannot read the PDF: {e}")),
        Err(_) => {
            return Err(format!("{name}: cannot read the PDF: it is damaged or uses a form the reader does not know"));
        }
    };
    // Lines broken for the page, joined back into paragraphs.
    let mut body = String::with_capacity(text.len());
    for para in text.split("\n\n") {
        let joined = para.split_whitespace().collect::<Vec<_>>().join(" ");
        if !joined.is_empty() {
            body.push_str(&joined);
            body.push_str("\n\n");
        }
    }
    if body.trim().is_empty() {
        return Err(format!("{name}: the PDF has no text (a scan?); sanctiond does not read images"));
    }
    let mut out = String::new();
    if let Some(url) = url {
        out.push_str(&format!("URL: {url}\n\n"));
    }
    out.push_str(body.trim_end());
    out.push('\n');
    Ok(out)
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
    /// A start tag: its lower-case name, whether it ends in `/>`, whether it stands in
    /// SVG or MathML content (where `/>` closes an element, and nothing is raw text),
    /// and for raw-text elements (`script`, `title`…) their content.
    Open {
        name: String,
        self_closing: bool,
        foreign: bool,
        raw: Option<&'a str>,
    },
    Close(String),
}

/// HTML elements that end SVG or MathML content when they start inside it.
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// SVG and MathML elements whose content is HTML again.
const INTEGRATION_POINT: &[&str] =
    &["foreignobject", "desc", "title", "annotation-xml", "mi", "mo", "mn", "ms", "mtext"];

/// Splits a page into text, start tags and end tags in one pass, never looking back:
/// comments, doctypes and processing instructions are skipped, a raw-text element's
/// content is taken whole. Quoted attribute values may hold `>`. Rough next to a real
/// HTML tokenizer, and meant to be: it only has to count nesting and find the text.
/// Where it cannot follow the parser (HTML inside SVG) it errs towards more nesting.
fn pieces(page: &str) -> impl Iterator<Item = Piece<'_>> {
    let bytes = page.as_bytes();
    let mut at = 0;
    // How many `<svg>`/`<math>` are open around this point; 0 once HTML is back.
    let mut foreign = 0usize;
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
                if name == "svg" || name == "math" {
                    foreign = foreign.saturating_sub(1);
                }
                return Some(Piece::Close(name));
            } else if next.is_ascii_alphabetic() {
                let name = tag_name(&page[at + 1..]);
                let end = tag_end(bytes, at + 1 + name.len());
                let self_closing = end > 0 && bytes.get(end - 1) == Some(&b'/');
                at = (end + 1).min(bytes.len());
                if BREAKOUT.contains(&name.as_str()) {
                    foreign = 0;
                }
                let in_foreign = foreign > 0;
                if in_foreign && INTEGRATION_POINT.contains(&name.as_str()) {
                    foreign = 0;
                } else if (name == "svg" || name == "math") && !self_closing {
                    foreign += 1;
                }
                let raw = (!in_foreign && RAW_TEXT.contains(&name.as_str())).then(|| {
                    let close = find_ignore_case(page, at, &format!("</{name}")).unwrap_or(bytes.len());
                    let content = &page[at..close];
                    at = find(page, close, ">").map_or(bytes.len(), |end| end + 1);
                    content
                });
                return Some(Piece::Open { name, self_closing, foreign: in_foreign, raw });
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
/// sibling starts, and `/>` in SVG or MathML do not count. Linear; it stops counting
/// once past [`MAX_NESTING`].
pub fn nesting_depth(page: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for piece in pieces(page) {
        match piece {
            Piece::Open { name, self_closing, foreign, raw } => {
                let name = name.as_str();
                // HTML ignores `/>` on its own elements (`<div/>` opens a div); only SVG
                // and MathML elements close themselves that way. In there, `<tr>` or
                // `<input>` are elements like any other.
                let counted = if foreign {
                    !self_closing
                } else {
                    raw.is_none()
                        && !VOID.contains(&name)
                        && !OPTIONAL_END.contains(&name)
                        && !(self_closing && (name == "svg" || name == "math"))
                };
                if counted {
                    depth += 1;
                    deepest = deepest.max(depth);
                    if deepest > MAX_NESTING {
                        return deepest;
                    }
                }
            }
            Piece::Close(name) => {
                if !VOID.contains(&name.as_str()) && !OPTIONAL_END.contains(&name.as_str()) {
                    depth = depth.saturating_sub(1);
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
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
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
            Piece::Open { name, self_closing, raw: None, .. } => {
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

    /// `depth` unclosed nested elements of each kind in turn, around one sentence.
    fn unclosed(depth: usize) -> String {
        let tags = ["div", "span", "b", "section", "font"];
        let mut page = String::from("<html><head><title>Deep &amp; dark</title></head><body>");
        for i in 0..depth {
            page.push('<');
            page.push_str(tags[i % tags.len()]);
            page.push('>');
        }
        page.push_str("<p>Sanctions take effect on Friday.</p>");
        page
    }

    fn closed(depth: usize) -> String {
        format!(
            "<html><body>{}Sanctions take effect on Friday.{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        )
    }

    #[test]
    fn nesting_is_counted_as_a_parser_would_build_it() {
        assert_eq!(nesting_depth("<html><body><div><p>a<br>b<img src=x></p></div></body></html>"), 1);
        assert_eq!(nesting_depth("<div><div><span>x</span></div><div></div></div>"), 3);
        // Unclosed paragraphs and list items close themselves; they do not nest.
        assert_eq!(nesting_depth(&"<p>para".repeat(1000)), 0);
        assert_eq!(nesting_depth(&format!("<ul>{}</ul>", "<li>item".repeat(1000))), 1);
        // `<div/>` opens a div in HTML; in SVG `/>` closes the element.
        assert_eq!(nesting_depth(&"<div/>".repeat(300)), MAX_NESTING + 1);
        assert_eq!(nesting_depth(&format!("<svg>{}</svg>", "<path d='M0 0'/>".repeat(1000))), 1);
        assert_eq!(nesting_depth(&"<svg/><p>x".repeat(1000)), 0);
        // HTML inside SVG is HTML again: `/>` does not close it, nor hide it from the count.
        for trick in ["<svg/>", "<svg><div/>", "<svg><foreignObject>", "<svg><title>", "<svg><script>"] {
            let page = format!("{trick}{}", "<section/><div/>".repeat(1000));
            assert_eq!(nesting_depth(&page), MAX_NESTING + 1, "{trick}");
        }
        assert_eq!(nesting_depth(&format!("<svg>{}", "<tr><input>".repeat(1000))), MAX_NESTING + 1);
        // Tags inside comments, scripts and quoted attributes are not tags.
        let hidden = format!(
            "<!-- {} --><script>if (a<b) {{ x = '{}'; }}</script><a title='>{}'>t</a>",
            "<div>".repeat(500),
            "<div>".repeat(500),
            "<div>".repeat(500)
        );
        assert_eq!(nesting_depth(&hidden), 1);
        assert_eq!(nesting_depth(&unclosed(30_000)), MAX_NESTING + 1, "stops counting past the limit");
        assert_eq!(nesting_depth(&closed(100)), 100);
    }

    #[test]
    fn a_page_nested_too_deep_is_stripped_to_its_text_and_title() {
        for page in [unclosed(30_000), closed(20_000)] {
            let d = decode("deep.html", Kind::Html, page.into_bytes(), 8 << 20, None).expect("decoded");
            assert!(d.contains("Sanctions take effect on Friday."), "{d}");
            assert!(!d.contains('<'), "{}", &d[..d.len().min(300)]);
        }
        let d = decode("deep.html", Kind::Html, unclosed(30_000).into_bytes(), 8 << 20, None).expect("decoded");
        assert!(d.starts_with("Title: Deep & dark\n\n"), "{d}");
        // A feed fragment as deep goes the same way.
        assert_eq!(html_text(&closed(20_000)), "Sanctions take effect on Friday.");
    }

    #[test]
    fn the_stripper_keeps_paragraphs_and_decodes_entities() {
        let page = "<html><head><title>T &#8211; wire</title><style>p { x: 1 }</style></head><body>\n\
            <h1>Envoy&nbsp;in   Moscow</h1><p>Talks were <b>useful</b>, he said &ndash; &quot;really&quot;.</p>\n\
            <p>Line one<br>line two &#x2019;&#0;&bogus; &amp;c</p><script>var a = '<p>no</p>';</script>\n\
            <svg><text>chart</text></svg><!-- <p>hidden</p> --><div>Last</div>";
        let s = strip_tags(page);
        assert_eq!(s.title.as_deref(), Some("T – wire"));
        assert_eq!(
            s.text,
            "Envoy in Moscow\n\nTalks were useful, he said – \"really\".\n\nLine one\nline two \u{2019}\u{fffd}&bogus; &c\n\nLast\n"
        );
    }

    #[test]
    fn a_page_within_the_limit_still_goes_through_readability() {
        let d =
            decode("page.html", Kind::Html, closed(200).replace("Sanctions", &PAGE[200..]).into_bytes(), 1 << 20, None);
        assert!(d.expect("decoded").contains("Vladimir Putin"));
    }

    #[test]
    fn deeply_nested_json_is_refused_with_a_clear_reason() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = decode("deep.json", Kind::Json, deep.into_bytes(), 1 << 20, None).expect_err("too deep");
        assert!(err.starts_with("deep.json: JSON nested too deeply (more than 128 levels"), "{err}");
        let body_deep = format!(r#"{{"title": "T", "body": "B", "x": {}1{}}}"#, "[".repeat(200), "]".repeat(200));
        let err = decode("d.json", Kind::Json, body_deep.into_bytes(), 1 << 20, None).expect_err("too deep");
        assert!(err.contains("nested too deeply"), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 32, ..Default::default() })]

        /// Deep, wide and broken markup in any mix: decoding returns, with no markup
        /// left in the text when the page was stripped.
        #[test]
        fn any_markup_decodes_without_panicking(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("<div>".to_owned()),
                    proptest::strategy::Just("</div>".to_owned()),
                    proptest::strategy::Just("<span class=\"a>b\">".to_owned()),
                    proptest::strategy::Just("<b><i>".to_owned()),
                    proptest::strategy::Just("</b>".to_owned()),
                    proptest::strategy::Just("<table><tr><td>".to_owned()),
                    proptest::strategy::Just("<p>Sanctions on Friday.".to_owned()),
                    proptest::strategy::Just("<svg><path/>".to_owned()),
                    proptest::strategy::Just("<!-- x".to_owned()),
                    proptest::strategy::Just("-->".to_owned()),
                    proptest::strategy::Just("<script>".to_owned()),
                    proptest::strategy::Just("</script>".to_owned()),
                    proptest::strategy::Just("<title>".to_owned()),
                    proptest::strategy::Just("&#x1F600;&amp;&#99999999;&".to_owned()),
                    proptest::strategy::Just("<".to_owned()),
                    proptest::strategy::Just("<a href='".to_owned()),
                    proptest::strategy::Just("é€ text".to_owned()),
                    "[<>/a-z =\"'!&#;-]{0,12}",
                ],
                0..100,
            ),
            repeat in 1usize..120,
        ) {
            // Repeating the mix makes it deep (or wide) enough to cross the limit often.
            let page = pieces.concat().repeat(repeat);
            let decoded = decode("p.html", Kind::Html, page.clone().into_bytes(), 8 << 20, None);
            proptest::prop_assert!(decoded.is_ok());
            let _ = html_text(&page);
            let stripped = strip_tags(&page);
            proptest::prop_assert!(stripped.text.ends_with('\n'));
        }
    }

    /// A PDF as a plain producer writes it: one page, Helvetica (a standard font, WinAnsi),
    /// an uncompressed content stream, a cross-reference table with real offsets.
    fn plain_pdf(lines: &[&str]) -> Vec<u8> {
        let mut content = String::from("BT /F1 11 Tf 72 720 Td 14 TL\n");
        for l in lines {
            content.push_str(&format!("({}) Tj T*\n", l.replace('(', "\\(").replace(')', "\\)")));
        }
        content.push_str("ET\n");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_owned(),
            format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        pdf
    }

    #[test]
    fn a_licence_pdf_of_a_plain_producer_reads_as_its_text() {
        let pdf = plain_pdf(&[
            "GENERAL LICENSE NO. 25B",
            "Transactions ordinarily incident and necessary to the wind down of",
            "operations are authorized through 12:01 a.m. eastern daylight time,",
            "October 3, 2025.",
        ]);
        let text = decode("gl25b.pdf", Kind::Pdf, pdf, 1 << 20, Some("https://ofac.example/gl25b.pdf")).expect("read");
        assert!(text.starts_with("URL: https://ofac.example/gl25b.pdf\n\n"), "{text}");
        assert!(text.contains("GENERAL LICENSE NO. 25B"), "{text}");
        assert!(text.contains("authorized through 12:01 a.m. eastern daylight time, October 3, 2025."), "{text}");
    }

    #[test]
    fn a_damaged_or_hostile_pdf_is_refused_with_its_reason() {
        for bytes in [
            &b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"[..],
            &b"%PDF-1.4\n\xff\xfe\x00\x01 garbage that is no PDF at all"[..],
            &b"%PDF-"[..],
        ] {
            let e = decode("gl.pdf", Kind::Pdf, bytes.to_vec(), 1 << 20, None).expect_err("refused");
            assert!(e.starts_with("gl.pdf: "), "{e}");
        }
        let e = decode("x.pdf", Kind::Pdf, b"not a pdf".to_vec(), 1 << 20, None).expect_err("refused");
        assert!(e.contains("not a PDF"), "{e}");
        let e = decode("big.pdf", Kind::Pdf, b"%PDF-1.7 ".repeat(100), 64, None).expect_err("refused");
        assert!(e.contains("64-byte limit"), "{e}");
    }

    #[test]
    fn kinds_by_name_and_content() {
        assert_eq!(Kind::of_path(std::path::Path::new("a/b.HTML")), Some(Kind::Html));
        assert_eq!(Kind::of_path(std::path::Path::new("a/b.pdf")), Some(Kind::Pdf));
        assert_eq!(Kind::of_path(std::path::Path::new("a/b.docx")), None);
        assert_eq!(Kind::of_content(Some("application/octet-stream"), b"%PDF-1.7\n"), Kind::Pdf);
        assert_eq!(Kind::of_content(Some("text/html; charset=utf-8"), b""), Kind::Html);
        assert_eq!(Kind::of_content(None, b"  <!DOCTYPE html><p>x"), Kind::Html);
        assert_eq!(Kind::of_content(None, b"Title: x\n\nbody"), Kind::Text);
    }
}
