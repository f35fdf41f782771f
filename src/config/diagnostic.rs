//! Config problems with their place in the file, printed as `FILE:LINE:COL: message`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem at a byte span of the config text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Range<usize>,
    pub message: String,
}

/// Every problem found in one config file, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors {
    pub path: PathBuf,
    /// `(line, column, message)`, 1-based, column counted in characters.
    pub problems: Vec<(usize, usize, String)>,
}

impl ConfigErrors {
    pub fn new(path: &Path, text: &str, mut diagnostics: Vec<Diagnostic>) -> ConfigErrors {
        diagnostics.sort_by_key(|d| d.span.start);
        diagnostics.dedup();
        let problems = diagnostics
            .into_iter()
            .map(|d| {
                let (line, col) = line_col(text, d.span.start);
                (line, col, d.message)
            })
            .collect();
        ConfigErrors { path: path.to_owned(), problems }
    }

    /// A problem with the file as a whole (unreadable, not UTF-8).
    pub fn whole_file(path: &Path, message: String) -> ConfigErrors {
        ConfigErrors { path: path.to_owned(), problems: vec![(1, 1, message)] }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (line, col, message)) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{line}:{col}: {message}", self.path.display())?;
        }
        Ok(())
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// The known name closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_characters() {
        assert_eq!(line_col("a\nbé c", 6), (2, 4));
        assert_eq!(line_col("abc", 0), (1, 1));
    }

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(did_you_mean("recievers", &["receivers", "tags"]), Some("receivers"));
        assert_eq!(did_you_mean("colour", &["receivers", "tags"]), None);
    }
}
