//! `sanctiond extract`: reading articles (files, stdin, JSON lines) without a ledger.

use super::*;

/// Bad input (an article, a flag value): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct InputError(pub(super) String);

/// What `extract` takes from the config: `[daemon] timezone` and the `[[actor]]` watch list.
/// Without a config (none asked for, and no default one), UTC and no actors.
pub(super) struct ExtractSetup {
    timezone: Tz,
    actors: crate::extract::Watch,
}

pub(super) fn extract_setup(asked: Option<&Path>, path: &Path) -> anyhow::Result<ExtractSetup> {
    if asked.is_none() && !path.exists() {
        return Ok(ExtractSetup { timezone: Tz::UTC, actors: crate::extract::Watch::new(Vec::new()) });
    }
    let config = config::load(path)?;
    let actors = crate::extract::Watch::new(
        config
            .actors
            .iter()
            .map(|a| crate::extract::Actor { name: a.name.clone(), aliases: a.aliases.clone() })
            .collect(),
    );
    Ok(ExtractSetup { timezone: config.daemon.timezone, actors })
}

/// Reads an article, refusing what is not text.
pub(super) fn read_article(path: &Path, max_bytes: usize) -> Result<String, InputError> {
    let (name, bytes) = read_bytes(path, max_bytes)?;
    check_text(&name, bytes, max_bytes)
}

/// Reads a file (or standard input for `-`), at most one byte past `max_bytes`.
pub(super) fn read_bytes(path: &Path, max_bytes: usize) -> Result<(String, Vec<u8>), InputError> {
    use std::io::Read as _;
    let name = if path == Path::new("-") { "standard input".to_owned() } else { path.display().to_string() };
    let mut bytes = Vec::new();
    let reader: Box<dyn std::io::Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| InputError(format!("{name}: cannot open: {e}")))?)
    };
    reader
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError(format!("{name}: cannot read: {e}")))?;
    Ok((name, bytes))
}

pub(super) fn check_text(name: &str, bytes: Vec<u8>, max_bytes: usize) -> Result<String, InputError> {
    crate::ingest::decode::check_text(name, bytes, max_bytes).map_err(InputError)
}

/// Reads and decodes an article file by its type (`.txt`, `.md`, `.html`, `.json`; standard
/// input by its content) into header-block text.
pub(super) fn read_decoded(path: &Path, max_bytes: usize) -> Result<String, InputError> {
    use crate::ingest::decode::{Kind, decode};
    let text = path.to_string_lossy();
    if text.starts_with("http://") || text.starts_with("https://") {
        return fetch_page(&text);
    }
    let (name, bytes) = read_bytes(path, max_bytes)?;
    let kind = if path == Path::new("-") {
        Kind::of_content(None, &bytes)
    } else {
        Kind::of_path(path).ok_or_else(|| {
            InputError(format!("{name}: not an article type sanctiond reads; give .txt, .md, .html, .json or .pdf"))
        })?
    };
    decode(&name, kind, bytes, max_bytes, None).map_err(InputError)
}

pub(super) fn extraction_json(
    text: &str,
    published: Option<DateTime<chrono::FixedOffset>>,
    setup: &ExtractSetup,
) -> serde_json::Value {
    let crate::extract::ArticleFacts { header, published, estimated, found } =
        crate::extract::extract_article(text, published, Utc::now().fixed_offset(), setup.timezone, &setup.actors);
    let deadlines: Vec<serde_json::Value> = found
        .deadlines
        .iter()
        .map(|d| {
            let mut v = json!({
                "title": d.title,
                "due": d.due.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                "grain": d.grain,
                "evidence": d.evidence,
                "start": d.start,
                "end": d.end,
            });
            if let Some(status) = d.status {
                v["status"] = json!(status);
            }
            v
        })
        .collect();
    let mut article = json!({
        "title": header.title,
        "source": header.source,
        "published": published.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    if let Some(url) = &header.url {
        article["url"] = json!(url);
    }
    if estimated {
        article["published_estimated"] = json!(true);
    }
    json!({ "article": article, "times": found.times, "deadlines": deadlines, "talks": found.talks })
}

pub(super) fn extract_one(
    path: &Path,
    published: Option<DateTime<chrono::FixedOffset>>,
    setup: &ExtractSetup,
    format: Format,
    max_bytes: usize,
) -> anyhow::Result<()> {
    // An .html or .json file is decoded first, so offsets index the text as ingest stores it.
    let text = match crate::ingest::decode::Kind::of_path(path) {
        Some(
            crate::ingest::decode::Kind::Html | crate::ingest::decode::Kind::Json | crate::ingest::decode::Kind::Pdf,
        ) => read_decoded(path, max_bytes)?,
        _ => read_article(path, max_bytes)?,
    };
    let result = extraction_json(&text, published, setup);
    match format {
        Format::Json => say!("{}", serde_json::to_string_pretty(&result)?),
        Format::Human => {
            say!("published {}", result["article"]["published"].as_str().unwrap_or("?"));
            say!("{} time expressions:", result["times"].as_array().map_or(0, Vec::len));
            for t in result["times"].as_array().into_iter().flatten() {
                say!(
                    "  {:>6}  {:<9} {:<22} {}",
                    t["start"],
                    t["type"].as_str().unwrap_or(""),
                    t["value"].as_str().unwrap_or(""),
                    t["text"].as_str().unwrap_or("")
                );
            }
            say!("{} talk events:", result["talks"].as_array().map_or(0, Vec::len));
            for t in result["talks"].as_array().into_iter().flatten() {
                let names: Vec<&str> =
                    t["participants"].as_array().into_iter().flatten().filter_map(|p| p.as_str()).collect();
                let tone: Vec<&str> = t["tone"].as_array().into_iter().flatten().filter_map(|p| p.as_str()).collect();
                say!(
                    "  {} {} {}{}{} (reported by {})",
                    t["status"].as_str().unwrap_or(""),
                    names.join(" & "),
                    t["date"].as_str().map(|d| format!("on {d} ")).unwrap_or_default(),
                    t["place"].as_str().map(|p| format!("in {p} ")).unwrap_or_default(),
                    if tone.is_empty() { String::new() } else { format!("[{}]", tone.join(", ")) },
                    t["reported_by"].as_str().unwrap_or("?"),
                );
            }
            say!("{} deadlines:", result["deadlines"].as_array().map_or(0, Vec::len));
            for d in result["deadlines"].as_array().into_iter().flatten() {
                let status = d["status"].as_str().map(|s| format!(" ({s})")).unwrap_or_default();
                say!("  due {}{status}: {}", d["due"].as_str().unwrap_or("unknown"), d["title"].as_str().unwrap_or(""));
            }
        }
    }
    Ok(())
}

/// `--jsonl`: one `{"id", "published", "text"}` per line in, one result per line out; a
/// bad line yields `{"id", "error"}` and the rest go on.
pub(super) fn extract_jsonl(setup: &ExtractSetup, max_bytes: usize) -> anyhow::Result<()> {
    use std::io::{BufRead as _, Write as _};
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (n, line) in stdin.lock().split(b'\n').enumerate() {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let result = (|| -> Result<serde_json::Value, (serde_json::Value, String)> {
            let item: serde_json::Value = serde_json::from_slice(&line)
                .map_err(|e| (serde_json::Value::Null, format!("line {}: not JSON: {e}", n + 1)))?;
            let id = item.get("id").cloned().unwrap_or(serde_json::Value::Null);
            let text =
                item["text"].as_str().ok_or_else(|| (id.clone(), format!("line {}: no \"text\" string", n + 1)))?;
            check_text(&format!("line {}", n + 1), text.as_bytes().to_vec(), max_bytes)
                .map_err(|e| (id.clone(), e.0))?;
            let published = match item.get("published").and_then(|p| p.as_str()) {
                Some(p) => Some(
                    crate::extract::article::parse_time(p)
                        .ok_or_else(|| (id.clone(), format!("line {}: published {p:?} is not a time", n + 1)))?,
                ),
                None => None,
            };
            let mut v = extraction_json(text, published, setup);
            v["id"] = id;
            Ok(v)
        })();
        let value = result.unwrap_or_else(|(id, error)| json!({ "id": id, "error": error }));
        writeln!(out, "{}", serde_json::to_string(&value)?)?;
    }
    out.flush()?;
    Ok(())
}
