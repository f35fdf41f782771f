//! Article files and pages into the one form the rest of ingest reads: a header block
//! (`Title:`, `Source:`, `URL:`, `Published:`) and the text, with its paragraphs kept so
//! that sentences and the byte offsets in evidence stay meaningful.
//!
//! `.txt`/`.md` are taken as they are; `.html` goes through the Readability algorithm
//! (dom_smoothie), falling back to html2text when no article is found; `.json` is an object
//! `{"title", "url", "source", "published", "body"}`. Anything else is refused with a reason.

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
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{name}: not JSON: {e} (give {{\"title\", \"body\", …}})"))?;
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

/// The Readability text of a page, or html2text's when it finds no article.
fn html(page: &str, url: Option<&str>) -> String {
    let config = dom_smoothie::Config { text_mode: dom_smoothie::TextMode::Formatted, ..Default::default() };
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let article = dom_smoothie::Readability::new(page, url, Some(config)).ok().and_then(|mut r| r.parse().ok());
    let (title, source, published, body) = match article {
        Some(a) if a.text_content.trim().len() >= 80 => {
            let published = a.published_time.as_deref().and_then(|t| parse_time(t.trim()));
            (Some(a.title).filter(|t| !t.trim().is_empty()), a.site_name, published, a.text_content.to_string())
        }
        _ => {
            // Very wide lines: html2text must not break sentences across lines.
            let text = html2text::from_read(page.as_bytes(), 100_000).unwrap_or_default();
            (None, None, None, text)
        }
    };
    let published = published.or_else(|| {
        TIME_DATETIME.captures_iter(page).filter_map(|c| c.get(1)).find_map(|m| parse_time(m.as_str().trim()))
    });
    let canonical = CANONICAL.captures(page).and_then(|c| c.get(1).or_else(|| c.get(2))).map(|m| m.as_str().to_owned());
    let url = canonical.or_else(|| url.map(str::to_owned));
    assemble(title.as_deref(), source.as_deref(), url.as_deref(), published, &tidy(&body))
}

/// The text of an HTML fragment (a feed entry's summary or title), paragraphs kept; text
/// without markup is only tidied.
pub fn html_text(fragment: &str) -> String {
    let text = if fragment.contains('<') && fragment.contains('>') {
        html2text::from_read(fragment.as_bytes(), 100_000).unwrap_or_else(|_| fragment.to_owned())
    } else {
        fragment.to_owned()
    };
    tidy(&text).trim_end().to_owned()
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
