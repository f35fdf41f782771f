//! Article text as given: an optional header block (`Title:`, `Source:`, `URL:`,
//! `Published:` lines, then a blank line) and the body after it.

use chrono::{DateTime, FixedOffset};

/// What the header block says, and where the body starts in the input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    /// Byte offset of the body in the input.
    pub body_start: usize,
}

/// Reads the header block, if the text opens with one. A block is only a header when
/// every line before the first blank line is a known `Key: value` line.
pub fn parse_header(text: &str) -> Header {
    let mut header = Header::default();
    let mut offset = 0;
    let mut saw_key = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.trim().is_empty() {
            if saw_key {
                header.body_start = offset + line.len();
            }
            return if saw_key { header } else { Header::default() };
        }
        let Some((key, value)) = trimmed.split_once(':') else { return Header::default() };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "title" => header.title = Some(value.to_owned()),
            "source" => header.source = Some(value.to_owned()),
            "url" => header.url = Some(value.to_owned()),
            "published" | "date" => header.published = parse_time(value),
            _ => return Header::default(),
        }
        saw_key = true;
        offset += line.len();
    }
    // A header with no body after it.
    if saw_key {
        header.body_start = text.len();
        header
    } else {
        Header::default()
    }
}

/// RFC 3339, or a bare date (midnight UTC).
pub fn parse_time(value: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(value) {
        return Some(t);
    }
    let day = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_block_and_body() {
        let text = "Title: Talks in Moscow\nSource: France 24\nPublished: 2025-08-06T10:00:00Z\n\nUS envoy met Putin.";
        let h = parse_header(text);
        assert_eq!(h.title.as_deref(), Some("Talks in Moscow"));
        assert_eq!(h.source.as_deref(), Some("France 24"));
        assert_eq!(h.published.map(|t| t.to_rfc3339()), Some("2025-08-06T10:00:00+00:00".to_owned()));
        assert_eq!(&text[h.body_start..], "US envoy met Putin.");
    }

    #[test]
    fn prose_is_not_a_header() {
        let text = "Moscow: the envoy met Putin on Wednesday.\n\nMore text.";
        assert_eq!(parse_header(text), Header::default());
    }
}
