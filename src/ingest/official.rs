//! Official sources in their own formats (`[[feed]] kind`): the Federal Register API's JSON,
//! OFAC's recent actions (the listing, each action's page and the general licence PDFs it
//! links), EUR-Lex RSS for the EU Official Journal, gov.uk Atom for OFSI. Each document
//! becomes a feed [`Entry`] with a [`Document`]: article text extracted like any other, plus the dates the source
//! gives in fields of their own. Pure: fetching is the feed poller's.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::feed::Entry;
use crate::config::FeedKind;
use crate::model::Official;

/// A date an official source gives in a field of its own: a deadline on that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialDate {
    /// What falls due: "Russian Harmful Foreign Activities Sanctions Regulations take effect".
    pub what: String,
    pub day: NaiveDate,
    /// Where the day is counted: the source's own zone.
    pub timezone: Tz,
    /// The field as the source gives it: "effective_on: 2025-08-08".
    pub evidence: String,
}

/// What makes a feed entry an official document: its source and name, and the dates the
/// source gives in fields of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub official: Official,
    pub dates: Vec<OfficialDate>,
}

/// The end of `day` in `tz`, as day-grain deadlines fall due.
pub fn end_of_day(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    day.and_hms_opt(23, 59, 59)?.and_local_timezone(tz).latest().map(|t| t.with_timezone(&Utc))
}

/// The Federal Register's fields this reader needs; a search URL that asks for no fields
/// gets these added (the API's default set has no dates).
const FR_FIELDS: [&str; 11] = [
    "title",
    "type",
    "abstract",
    "document_number",
    "html_url",
    "publication_date",
    "effective_on",
    "dates",
    "comments_close_on",
    "agencies",
    "action",
];

/// `url` with the `fields[]` the reader needs, unless it names its own.
pub fn federal_register_url(url: &str) -> String {
    if url.contains("fields%5B%5D") || url.contains("fields[]") {
        return url.to_owned();
    }
    let mut out = url.to_owned();
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for f in FR_FIELDS {
        out.push(sep);
        out.push_str("fields%5B%5D=");
        out.push_str(f);
        sep = '&';
    }
    out
}

#[derive(Debug, Deserialize)]
struct FrPage {
    #[serde(default)]
    results: Vec<FrDocument>,
}

#[derive(Debug, Deserialize)]
struct FrDocument {
    document_number: String,
    title: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    action: Option<String>,
    #[serde(rename = "abstract")]
    summary: Option<String>,
    html_url: Option<String>,
    publication_date: Option<String>,
    effective_on: Option<String>,
    dates: Option<String>,
    comments_close_on: Option<String>,
    #[serde(default)]
    agencies: Vec<FrAgency>,
}

#[derive(Debug, Deserialize)]
struct FrAgency {
    name: Option<String>,
    raw_name: Option<String>,
}

/// A Federal Register `documents.json` page: each document an item, its `effective_on`
/// and `comments_close_on` deadlines on those days (US Eastern), its abstract and `dates`
/// text extracted like an article.
pub fn federal_register(body: &[u8]) -> Result<Vec<Entry>, String> {
    let page: FrPage = serde_json::from_slice(body)
        .map_err(|e| format!("not a Federal Register documents.json page: {e} (is the URL the API's?)"))?;
    let tz = chrono_tz::America::New_York;
    let day = |field: &str, value: &Option<String>| -> Result<Option<NaiveDate>, String> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("{field} {v:?} is not a date (YYYY-MM-DD)")),
        }
    };
    let mut items = Vec::with_capacity(page.results.len());
    for doc in page.results {
        let number = doc.document_number.trim().to_owned();
        let in_doc = |e: String| format!("document {number}: {e}");
        let title = one_line(doc.title.as_deref().unwrap_or("untitled document"));
        let agency = doc
            .agencies
            .iter()
            .rev()
            .find_map(|a| a.name.clone().or_else(|| a.raw_name.clone()))
            .map(|a| one_line(&a))
            .unwrap_or_default();
        let mut text = format!("Title: {title}\nSource: Federal Register\n");
        if let Some(url) = doc.html_url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
            text.push_str(&format!("URL: {}\n", one_line(url)));
        }
        let published = day("publication_date", &doc.publication_date).map_err(in_doc)?;
        if let Some(published) = published {
            text.push_str(&format!("Published: {published}\n"));
        }
        text.push('\n');
        for part in [&doc.kind, &doc.action] {
            if let Some(p) = part.as_deref().filter(|p| !p.trim().is_empty()) {
                text.push_str(&format!("{}.\n", one_line(p).trim_end_matches('.')));
            }
        }
        if !agency.is_empty() {
            text.push_str(&format!("Agency: {agency}.\n"));
        }
        if let Some(s) = doc.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            text.push_str(&format!("\n{}\n", s.trim()));
        }
        if let Some(d) = doc.dates.as_deref().filter(|d| !d.trim().is_empty()) {
            text.push_str(&format!("\nDATES: {}\n", d.trim()));
        }
        let mut dates = Vec::new();
        // A notice in effect the day it is published is news, not a date to warn of.
        let effective = day("effective_on", &doc.effective_on).map_err(in_doc)?;
        if let Some(effective) = effective.filter(|e| published.is_none_or(|p| e > &p)) {
            dates.push(OfficialDate {
                what: format!("{title} takes effect"),
                day: effective,
                timezone: tz,
                evidence: format!("Federal Register {number}: effective on {effective}"),
            });
        }
        if let Some(close) = day("comments_close_on", &doc.comments_close_on).map_err(in_doc)? {
            dates.push(OfficialDate {
                what: format!("comments due on {title}"),
                day: close,
                timezone: tz,
                evidence: format!("Federal Register {number}: comments close on {close}"),
            });
        }
        items.push(Entry {
            key: format!("fr:{number}"),
            origin: doc.html_url.clone().unwrap_or_else(|| format!("federal-register:{number}")),
            text,
            link: None,
            official: Some(Document {
                official: Official {
                    source: "Federal Register".to_owned(),
                    document: format!("FR Doc. {number}: {title}"),
                },
                dates,
            }),
        });
    }
    Ok(items)
}

/// A feed entry of an official kind read as RSS or Atom (OFAC, the EU Official Journal,
/// OFSI): its text as any entry's, marked official, the document named by its title.
pub fn from_entry(kind: FeedKind, origin: &str, text: &str) -> Document {
    let title = crate::extract::article::parse_header(text).title.unwrap_or_else(|| origin.to_owned());
    // EUR-Lex titles open with the CELEX number: "CELEX:32025R1494: Council Regulation …".
    let title = match title.split_once(": ") {
        Some((celex, rest)) if celex.starts_with("CELEX:") => format!("{rest} ({celex})"),
        _ => title,
    };
    Document {
        official: Official { source: kind.official().unwrap_or("official").to_owned(), document: title },
        dates: Vec::new(),
    }
}

/// The documents an OFAC recent-action page links to: general licences and other PDFs on
/// the same site (`…/media/934256/download?inline`, `….pdf`), absolute, each once.
pub fn document_links(html: &str, base: &str) -> Vec<String> {
    let Ok(base) = reqwest::Url::parse(base) else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    for piece in html.split("href=").skip(1) {
        let Some(quote) = piece.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        let Some(end) = piece[1..].find(quote) else { continue };
        let href = piece[1..=end].replace("&amp;", "&");
        let lower = href.to_ascii_lowercase();
        let path = lower.split(['?', '#']).next().unwrap_or("");
        if !(path.ends_with(".pdf") || path.contains("/media/") && path.ends_with("/download")) {
            continue;
        }
        let Ok(url) = base.join(&href) else { continue };
        if url.host_str() != base.host_str() || !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let url = url.to_string();
        if !out.contains(&url) {
            out.push(url);
        }
    }
    out
}

static ACTION_LINK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"(?s)<a\s[^>]*?href\s*=\s*["'](?P<href>(?:https?://[^"'/]+)?/recent-actions/(?P<day>\d{8})(?:_\d+)?)["'][^>]*>(?P<text>.{0,600}?)</a>"#)
        .expect("action link regex")
});

/// OFAC's recent-actions listing (HTML, since its RSS feed was retired in January 2025):
/// each action's link, title and day, oldest first. Each action's page is read for its
/// text and the licences it links.
pub fn ofac_listing(html: &str, base: &str) -> Vec<Entry> {
    let Ok(base) = reqwest::Url::parse(base) else { return Vec::new() };
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for c in ACTION_LINK.captures_iter(html) {
        let Ok(url) = base.join(&c["href"]) else { continue };
        if url.host_str() != base.host_str() {
            continue;
        }
        let url = url.to_string();
        let title = one_line(&super::decode::html_text(&c["text"]));
        if title.is_empty() || seen.contains(&url) {
            continue;
        }
        seen.push(url.clone());
        let day = NaiveDate::parse_from_str(&c["day"], "%Y%m%d").ok();
        let mut text = format!("Title: {title}\nSource: OFAC\nURL: {url}\n");
        if let Some(day) = day {
            text.push_str(&format!("Published: {day}\n"));
        }
        text.push_str(&format!("\n{title}.\n"));
        let key = format!("link:{url}");
        let document = from_entry(FeedKind::Ofac, &url, &text);
        out.push((day, Entry { key, origin: url.clone(), text, link: Some(url), official: Some(document) }));
    }
    out.sort_by_key(|e| e.0);
    out.into_iter().map(|(_, e)| e).collect()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_url_gets_the_fields_it_needs_unless_it_names_some() {
        let url = federal_register_url("https://www.federalregister.gov/api/v1/documents.json?per_page=20");
        assert!(url.contains("&fields%5B%5D=effective_on&"), "{url}");
        let own = "https://example.test/api/v1/documents.json?fields[]=title";
        assert_eq!(federal_register_url(own), own);
    }

    #[test]
    fn links_to_licences_stay_on_the_site_and_are_made_absolute() {
        let html = r#"<a href="/media/934256/download?inline">GL 124A</a> <a href='https://ofac.treasury.gov/x/gl.pdf'>pdf</a>
            <a href="https://elsewhere.test/media/1/download">other site</a> <a href="/recent-actions/20250715">page</a>
            <a href="/media/934256/download?inline">again</a>"#;
        assert_eq!(
            document_links(html, "https://ofac.treasury.gov/recent-actions/20250715"),
            ["https://ofac.treasury.gov/media/934256/download?inline", "https://ofac.treasury.gov/x/gl.pdf"]
        );
    }

    #[test]
    fn the_ofac_listing_gives_each_action_once_oldest_first() {
        let html = r#"<div class="views-row"><a href="/recent-actions/20250715">Russia-related Designations; Issuance of
            Russia-related General License</a><div>July 15, 2025 - Sanctions List Updates</div></div>
            <div class="views-row"><a href="/recent-actions/20250710_33">Iran-related Designations</a></div>
            <a href="/recent-actions/20250715">Russia-related Designations; Issuance of Russia-related General License</a>
            <a href="https://elsewhere.test/recent-actions/20250101">not OFAC</a>"#;
        let entries = ofac_listing(html, "https://ofac.treasury.gov/recent-actions");
        let urls: Vec<&str> = entries.iter().map(|e| e.origin.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://ofac.treasury.gov/recent-actions/20250710_33",
                "https://ofac.treasury.gov/recent-actions/20250715"
            ]
        );
        assert!(entries[1].text.starts_with(
            "Title: Russia-related Designations; Issuance of Russia-related General License\nSource: OFAC\n"
        ));
        assert!(entries[1].text.contains("Published: 2025-07-15\n"));
        assert_eq!(entries[1].official.as_ref().map(|i| i.official.source.as_str()), Some("OFAC"));
    }

    #[test]
    fn a_federal_register_page_that_is_not_one_is_named() {
        let e = federal_register(b"<html>").expect_err("not JSON");
        assert!(e.contains("not a Federal Register documents.json page"), "{e}");
        let e = federal_register(br#"{"results":[{"document_number":"2025-1","effective_on":"soon"}]}"#)
            .expect_err("bad date");
        assert!(e.contains("document 2025-1: effective_on \"soon\" is not a date"), "{e}");
    }
}
