//! Sentence boundaries that survive abbreviations ("Aug.", "U.S.", "Gen."), quotes,
//! bullet lists and the markdown-style tables news pages contain.

/// A sentence as a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

const ABBREVIATIONS: [&str; 44] = [
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed",
    "thu", "thur", "thurs", "fri", "sat", "sun", "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "gov", "sen",
    "rep", "st", "no", "inc", "co", "corp", "ltd", "jr", "sr", "vs", "etc", "prof",
];

/// The longest sentence, in bytes, before it is cut at the next space. Real sentences in
/// news run to about 600 bytes.
const LONGEST: usize = 2_000;

/// Splits `text` into sentences: at `.`, `!` or `?` followed by space and a capital, digit
/// or quote (unless the word before is an abbreviation or an initial), and at line breaks.
pub fn split(text: &str) -> Vec<Sentence> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let boundary = match b {
            b'\n' => Some(i + 1),
            // Text with no sentence ends (a table flattened to one line, a list of names) is
            // cut at a space once it runs past any real sentence: the readers of a sentence
            // compare its words pairwise, and must not do so over a whole article.
            b' ' | b'\t' if i - start >= LONGEST => Some(i + 1),
            b'.' | b'!' | b'?' => {
                let mut j = i + 1;
                while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')' | b'.') {
                    j += 1;
                }
                let spaced = j < bytes.len() && bytes[j] == b' ';
                let next = text[j..].trim_start_matches(' ').chars().next();
                let opens =
                    next.is_none_or(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '\'' | '('));
                if spaced && opens && !(b == b'.' && abbreviation(&text[start..i])) { Some(j) } else { None }
            }
            _ => None,
        };
        if let Some(end) = boundary {
            push(text, start, end, &mut out);
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    push(text, start, text.len(), &mut out);
    out
}

fn push(text: &str, start: usize, end: usize, out: &mut Vec<Sentence>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push(Sentence { start: start + lead, end: end - trail });
    }
}

/// Whether the text before a period ends with an abbreviation or an initial ("U.S", "J").
fn abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"').next().unwrap_or("");
    let bare = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    if bare.len() == 1 && bare.chars().all(|c| c.is_ascii_uppercase()) {
        return true;
    }
    if bare.contains('.') && bare.split('.').all(|p| p.len() <= 2) {
        return true;
    }
    ABBREVIATIONS.contains(&bare.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        split(text).iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            texts(
                "The U.S. envoy met Gen. Smith on Aug. 6. Talks were \"useful.\" Next came lunch.\n- a bullet\n| a | table |"
            ),
            vec![
                "The U.S. envoy met Gen. Smith on Aug. 6.",
                "Talks were \"useful.\"",
                "Next came lunch.",
                "- a bullet",
                "| a | table |"
            ]
        );
    }

    #[test]
    fn text_without_sentence_ends_is_cut_into_bounded_pieces() {
        let text = "Minister Ali Khan met Secretary John Smith in Paris ".repeat(2_000);
        let pieces = split(&text);
        assert!(pieces.len() > 40, "{} pieces", pieces.len());
        for s in &pieces {
            // Cut at the first space past the limit: a word's length at most beyond it.
            assert!(s.end - s.start <= LONGEST + "Secretary".len(), "a piece of {} bytes", s.end - s.start);
            // Between words, never inside one.
            assert!(text[s.end..].is_empty() || text[s.end..].starts_with(' '));
        }
        // Nothing is lost: the pieces cover every word.
        let words: usize = pieces.iter().map(|s| text[s.start..s.end].split_whitespace().count()).sum();
        assert_eq!(words, text.split_whitespace().count());
    }
}
