//! Licence and regulation numbers, the names official documents and the news both use for
//! one measure: "General License 124A", "GL 124A", "Regulation (EU) No 833/2014",
//! "Council Decision (CFSP) 2025/1495", OFSI's "INT/2025/1234567". Normalised so that the
//! news and the document compare equal: `gl-124a`, `reg-833/2014`, `dec-2025/1495`,
//! `int/2025/1234567`.

use std::sync::LazyLock;

use regex::Regex;

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:general\s+licen[cs]e|GL)\s+(?:no\.?\s*|number\s+)?(?P<gl>\d{1,4}[A-Z]{0,2})(?-u:\b)|(?P<kind>regulation|decision)\s+\((?:EU|EC|CFSP)\)\s+(?:no\.?\s*)?(?P<num>\d{1,4}/\d{1,5})|(?P<int>INT/\d{4}/\d{4,8}))",
    )
    .expect("reference regex")
});

/// The references `text` makes, normalised, each once, in order.
pub fn references(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in REFERENCE.captures_iter(text) {
        let reference = if let Some(gl) = c.name("gl") {
            format!("gl-{}", gl.as_str().to_ascii_lowercase())
        } else if let (Some(kind), Some(num)) = (c.name("kind"), c.name("num")) {
            let kind = if kind.as_str().eq_ignore_ascii_case("decision") { "dec" } else { "reg" };
            format!("{kind}-{}", num.as_str())
        } else if let Some(int) = c.name("int") {
            int.as_str().to_ascii_lowercase()
        } else {
            continue;
        };
        if !out.contains(&reference) {
            out.push(reference);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn licences_and_regulations_are_named_the_same_way_in_news_and_documents() {
        assert_eq!(references("OFAC issued General License 124A on Friday"), ["gl-124a"]);
        assert_eq!(references("under GL 124A, which expires"), ["gl-124a"]);
        assert_eq!(references("General License No. 8L"), ["gl-8l"]);
        assert_eq!(
            references("Council Regulation (EU) 2025/1494 amending Regulation (EU) No 833/2014"),
            ["reg-2025/1494", "reg-833/2014"]
        );
        assert_eq!(references("Council Decision (CFSP) 2025/1495 of 18 July 2025"), ["dec-2025/1495"]);
        assert_eq!(references("General Licence INT/2025/7012345 expires"), ["int/2025/7012345"]);
        assert!(references("the general license expires next week").is_empty());
        assert!(references("GLOBAL markets, a GL of beer").is_empty());
    }
}
