//! Typed reads from a spanned TOML table that record every problem instead of stopping at
//! the first, so `check-config` can report them all at once.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Diagnostic, did_you_mean};

pub type Span = Range<usize>;

/// Collects diagnostics while the config is read.
#[derive(Debug, Default)]
pub struct Reader {
    pub diagnostics: Vec<Diagnostic>,
}

impl Reader {
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic { span, message: message.into() });
    }

    /// Reports every key of `table` that is not in `known`.
    pub fn check_keys(&mut self, table: &DeTable<'_>, section: &str, known: &[&str]) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if known.contains(&name) {
                continue;
            }
            let hint = match did_you_mean(name, known) {
                Some(close) => format!(", did you mean \"{close}\"?"),
                None => format!(" (known keys in {section}: {})", known.join(", ")),
            };
            self.error(key.span(), format!("unknown key \"{name}\" in {section}{hint}"));
        }
    }

    pub fn string(&mut self, table: &DeTable<'_>, key: &str) -> Option<Spanned<String>> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(value.span(), s.to_string())),
            other => {
                self.wrong_type(value.span(), key, "a string", other);
                None
            }
        }
    }

    pub fn boolean(&mut self, table: &DeTable<'_>, key: &str) -> Option<bool> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.wrong_type(value.span(), key, "true or false", other);
                None
            }
        }
    }

    /// A string, or a TOML date/time literal given back in its text form.
    pub fn time_text(&mut self, table: &DeTable<'_>, key: &str) -> Option<Spanned<String>> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(value.span(), s.to_string())),
            DeValue::Datetime(d) => Some(Spanned::new(value.span(), d.to_string())),
            other => {
                self.wrong_type(value.span(), key, "a time", other);
                None
            }
        }
    }

    pub fn strings(&mut self, table: &DeTable<'_>, key: &str) -> Option<Vec<Spanned<String>>> {
        let value = table.get(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value.span(), key, "an array of strings", value.get_ref());
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Spanned::new(item.span(), s.to_string())),
                other => self.wrong_type(item.span(), key, "strings", other),
            }
        }
        Some(out)
    }

    pub fn table<'t, 'i>(&mut self, table: &'t DeTable<'i>, key: &str) -> Option<&'t DeTable<'i>> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.wrong_type(value.span(), key, &format!("a table ([{key}])"), other);
                None
            }
        }
    }

    /// An array of tables (`[[key]]`), each with its span.
    pub fn tables<'t, 'i>(&mut self, table: &'t DeTable<'i>, key: &str) -> Vec<(&'t DeTable<'i>, Span)> {
        let Some(value) = table.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value.span(), key, &format!("an array of tables ([[{key}]])"), value.get_ref());
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push((t, item.span())),
                other => self.wrong_type(item.span(), key, "a table", other),
            }
        }
        out
    }

    fn wrong_type(&mut self, span: Span, key: &str, expected: &str, found: &DeValue<'_>) {
        self.error(span, format!("\"{key}\" must be {expected}, found {}", found.type_str()));
    }
}

impl Reader {
    pub fn integer(&mut self, table: &DeTable<'_>, key: &str) -> Option<Spanned<i64>> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Spanned::new(value.span(), n)),
                Err(_) => {
                    self.error(value.span(), format!("\"{key}\" is out of range"));
                    None
                }
            },
            other => {
                self.wrong_type(value.span(), key, "an integer", other);
                None
            }
        }
    }

    /// A humantime duration ("30s", "24h").
    pub fn duration(&mut self, table: &DeTable<'_>, key: &str) -> Option<std::time::Duration> {
        let text = self.string(table, key)?;
        match humantime::parse_duration(text.get_ref()) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(
                    text.span(),
                    format!("invalid duration \"{}\": {e} (write e.g. \"30s\", \"24h\")", text.get_ref()),
                );
                None
            }
        }
    }
}
