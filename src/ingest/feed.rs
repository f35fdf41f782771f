//! Feeds: fetching with conditional GET, redirects, `Retry-After`, timeouts and a body
//! cap; parsing RSS 0.9x/1.0/2.0, Atom and JSON Feed (feed-rs); ingesting each new entry
//! once (by GUID, else link, else content hash); backoff after errors; "source stale" and
//! "source recovered" notices; and the poller that keeps every feed on its schedule
//! without one feed ever waiting for another.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::{Notify, Semaphore, mpsc, watch};

use super::decode::{Kind, decode, html_text};
use super::{Ingester, ingest_text, sha256_hex, with_store};
use crate::config::{self, Config, FeedKind};
use crate::store::{Fact, FeedPoll, FeedRow, Store};

/// The largest feed or page read.
pub const MAX_BODY: usize = 5 * 1024 * 1024;
/// The longest a connection may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// At most this many feeds are fetched at the same time.
const CONCURRENCY: usize = 32;
const MAX_REDIRECTS: usize = 5;
/// A server's Retry-After is honoured up to a day.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// What one HTTP fetch brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    Body {
        url: String,
        body: Vec<u8>,
        content_type: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// 304: nothing changed since the validators we sent.
    NotModified,
    /// 410: the feed is gone for good.
    Gone,
    /// 429 or 503: try again after this long (the server's Retry-After, if it gave one).
    RetryAfter(Option<Duration>, u16),
}

/// A fetch and the permanent redirect (301, 308) it met on the way, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub got: Got,
    /// The URL to use from now on, when the server moved the feed for good.
    pub moved_to: Option<String>,
}

/// An HTTP client with sanctiond's limits: 10 s to connect, a total timeout per fetch,
/// a 5 MiB body cap, redirects followed by hand (to notice permanent ones).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
}

impl Fetcher {
    pub fn new() -> Result<Fetcher, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("sanctiond/", env!("CARGO_PKG_VERSION"), " (feed reader)"))
            .gzip(true)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Fetcher { client })
    }

    /// GETs `url`, conditionally when validators are given, within `timeout` in all.
    pub async fn get(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
        timeout: Duration,
        max_bytes: usize,
    ) -> Result<Fetched, String> {
        match tokio::time::timeout(timeout, self.get_inner(url, etag, last_modified, max_bytes)).await {
            Ok(result) => result,
            Err(_) => Err(format!("no complete answer within {}", humantime::format_duration(timeout))),
        }
    }

    async fn get_inner(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
        max_bytes: usize,
    ) -> Result<Fetched, String> {
        let mut current = reqwest::Url::parse(url).map_err(|e| format!("bad URL {url:?}: {e}"))?;
        // A feed on the open internet may not send us to this machine or the local network.
        let inside_allowed = is_internal(&current).await;
        let mut moved_to = None;
        let mut permanent_so_far = true;
        for _ in 0..=MAX_REDIRECTS {
            let mut request = self.client.get(current.clone());
            if let Some(tag) = etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, tag);
            }
            if let Some(time) = last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, time);
            }
            let mut response = request.send().await.map_err(|e| describe(&e))?;
            let status = response.status().as_u16();
            let header = |name: reqwest::header::HeaderName| {
                response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
            };
            match status {
                301 | 302 | 303 | 307 | 308 => {
                    let location = header(reqwest::header::LOCATION)
                        .ok_or_else(|| format!("HTTP {status} without a Location header"))?;
                    current = current
                        .join(&location)
                        .map_err(|e| format!("HTTP {status} to a bad Location {location:?}: {e}"))?;
                    if !inside_allowed && is_internal(&current).await {
                        return Err(format!(
                            "HTTP {status} redirects to {}, a loopback, link-local or private address; refused \
                             (configure that URL itself if it is meant)",
                            current.host_str().unwrap_or("?")
                        ));
                    }
                    // Only a chain of permanent redirects moves the feed for good.
                    permanent_so_far &= matches!(status, 301 | 308);
                    if permanent_so_far {
                        moved_to = Some(current.to_string());
                    }
                }
                304 => return Ok(Fetched { got: Got::NotModified, moved_to }),
                410 => return Ok(Fetched { got: Got::Gone, moved_to }),
                429 | 503 => {
                    let wait = header(reqwest::header::RETRY_AFTER).and_then(|v| retry_after(&v, Utc::now()));
                    return Ok(Fetched { got: Got::RetryAfter(wait, status), moved_to });
                }
                200..=299 => {
                    if response.content_length().is_some_and(|n| n > max_bytes as u64) {
                        return Err(format!("the body is larger than the {max_bytes}-byte limit"));
                    }
                    let content_type = header(reqwest::header::CONTENT_TYPE);
                    let etag = header(reqwest::header::ETAG);
                    let last_modified = header(reqwest::header::LAST_MODIFIED);
                    let mut body = Vec::new();
                    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
                        if body.len() + chunk.len() > max_bytes {
                            return Err(format!("the body is larger than the {max_bytes}-byte limit"));
                        }
                        body.extend_from_slice(&chunk);
                    }
                    let got = Got::Body { url: current.to_string(), body, content_type, etag, last_modified };
                    return Ok(Fetched { got, moved_to });
                }
                _ => {
                    let reason = response.status().canonical_reason().unwrap_or("");
                    return Err(format!("HTTP {status} {reason}").trim_end().to_owned());
                }
            }
        }
        Err(format!("more than {MAX_REDIRECTS} redirects"))
    }
}

/// Whether `url` points at this machine or a local network: a loopback, link-local,
/// private or unspecified address, by literal or by what its name resolves to now.
pub async fn is_internal(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else { return true };
    let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>();
    let addresses: Vec<std::net::IpAddr> = match literal {
        Ok(ip) => vec![ip],
        Err(_) => {
            let name = host;
            if name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost") {
                return true;
            }
            let port = url.port_or_known_default().unwrap_or(80);
            match tokio::net::lookup_host((name, port)).await {
                Ok(found) => found.map(|a| a.ip()).collect(),
                // Unresolvable: the request fails on its own.
                Err(_) => return false,
            }
        }
    };
    addresses.iter().any(|ip| internal_ip(*ip))
}

fn internal_ip(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast()
                // 100.64.0.0/10, carrier-grade NAT
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        std::net::IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_ip(v4.into());
            }
            let first = v6.segments()[0];
            v6.is_loopback() || v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

/// An HTTP error without reqwest's internals: what went wrong, in a line.
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_connect() {
        "cannot connect"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else {
        "request failed"
    };
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    format!("{what}: {detail}")
}

/// `Retry-After` as seconds or an HTTP date, capped at a day.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let wait = match value.trim().parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = DateTime::parse_from_rfc2822(value.trim()).ok()?.with_timezone(&Utc);
            (at - now).to_std().unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// How long to leave a feed alone after `failures` failed polls in a row: 1 min, doubling,
/// up to 6 h.
pub fn backoff(failures: i64) -> Duration {
    let exponent = u32::try_from(failures.clamp(1, 20) - 1).unwrap_or(0);
    Duration::from_secs(60u64.saturating_mul(1 << exponent.min(16)).min(6 * 3600))
}

/// When a feed should be polled next: its next scheduled time after `after`, but not
/// before `not_before`. A feed never polled, or whose scheduled time passed while nothing
/// polled it (`last_poll` before the latest occurrence), is due at `now`.
pub fn next_poll(
    feed: &config::Feed,
    tz: Tz,
    last_poll: Option<DateTime<Utc>>,
    not_before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let missed = match last_poll {
        None => true,
        // One look: the first occurrence after the last poll is already past.
        Some(last) => feed
            .schedule
            .find_next_occurrence(&last.with_timezone(&tz), false)
            .is_ok_and(|t| t.with_timezone(&Utc) <= now),
    };
    let scheduled = if missed {
        now
    } else {
        feed.schedule.find_next_occurrence(&now.with_timezone(&tz), false).ok()?.with_timezone(&Utc)
    };
    Some(match not_before {
        Some(t) if t > scheduled => t,
        _ => scheduled,
    })
}

/// What one poll of one feed did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    pub feed: String,
    pub new_entries: usize,
    pub ingested: usize,
    pub not_modified: bool,
    pub error: Option<String>,
    pub moved_to: Option<String>,
    pub not_before: Option<DateTime<Utc>>,
    /// A notice went out: "stale" or "recovered".
    pub notice: Option<&'static str>,
}

/// Polls one feed now: fetch, parse, ingest the new entries, record the outcome, and
/// raise or clear staleness.
pub async fn poll(
    fetcher: &Fetcher,
    store: &Arc<Mutex<Store>>,
    config: &Arc<Config>,
    ingester: &Arc<Ingester>,
    feed: &config::Feed,
    now: DateTime<Utc>,
) -> Result<PollReport, String> {
    let row = with_store(store, {
        let (name, url) = (feed.name.clone(), feed.url.clone());
        move |s| s.register_feed(&name, &url, now)
    })
    .await?;
    let mut report = PollReport { feed: feed.name.clone(), ..PollReport::default() };
    if row.gone {
        report.error = row.last_error.clone();
        return Ok(report);
    }
    // The Federal Register's search answers with the fields the reader needs only when asked.
    let target = match feed.kind {
        FeedKind::FederalRegister => super::official::federal_register_url(&row.url),
        _ => row.url.clone(),
    };
    let fetched = fetcher.get(&target, row.etag.as_deref(), row.last_modified.as_deref(), feed.timeout, MAX_BODY).await;
    let mut outcome = FeedPoll { url: row.url.clone(), ..FeedPoll::default() };
    match fetched {
        Err(error) => outcome.error = Some(error),
        Ok(Fetched { got, moved_to }) => {
            if let Some(url) = &moved_to {
                outcome.url = url.clone();
                report.moved_to = Some(url.clone());
            }
            match got {
                Got::NotModified => {
                    outcome.success = true;
                    report.not_modified = true;
                }
                Got::Gone => {
                    outcome.gone = true;
                    outcome.error = Some("HTTP 410 Gone: the feed was removed; delete its [[feed]] entry".to_owned());
                }
                Got::RetryAfter(wait, status) => {
                    let wait = wait.unwrap_or_else(|| backoff(row.failures + 1));
                    outcome.not_before = Some(now + chrono::Duration::from_std(wait).unwrap_or_default());
                    outcome.error = Some(format!(
                        "HTTP {status}: the server asks to wait {}",
                        humantime::format_duration(Duration::from_secs(wait.as_secs()))
                    ));
                }
                Got::Body { url, body, etag, last_modified, .. } => match entries_of(feed, &body, &url) {
                    Err(error) => outcome.error = Some(error),
                    Ok(entries) => {
                        outcome.success = true;
                        outcome.etag = etag;
                        outcome.last_modified = last_modified;
                        let (new, ingested) =
                            ingest_entries(fetcher, store, config, ingester, feed, entries, now).await?;
                        outcome.new_entries = new;
                        report.new_entries = new;
                        report.ingested = ingested;
                        crate::metrics::record_articles(&feed.name, true, ingested as u64);
                    }
                },
            }
        }
    }
    if !outcome.success && outcome.not_before.is_none() && !outcome.gone {
        outcome.not_before = Some(now + chrono::Duration::from_std(backoff(row.failures + 1)).unwrap_or_default());
    }
    report.error = outcome.error.clone();
    report.not_before = outcome.not_before;
    let receivers = if feed.receivers.is_empty() { &config.default_receivers } else { &feed.receivers };
    let receivers = crate::schedule::route::targets_of(config, receivers);
    let stale_after = chrono::Duration::from_std(feed.stale_after).unwrap_or(chrono::Duration::MAX);
    report.notice = with_store(store, {
        let (name, outcome) = (feed.name.clone(), outcome.clone());
        move |s| {
            s.record_poll(&name, &outcome, now)?;
            let quiet_since = if outcome.new_entries > 0 { now } else { row.last_new_entry.unwrap_or(row.created) };
            if row.stale && outcome.new_entries > 0 {
                s.set_stale(&name, false, &Fact::SourceRecovered { feed: name.clone() }, &receivers, now)?;
                return Ok(Some("recovered"));
            }
            // Whole milliseconds, as the ledger keeps them.
            let quiet = chrono::Duration::milliseconds(now.timestamp_millis() - quiet_since.timestamp_millis());
            if !row.stale && quiet > stale_after {
                let fact = Fact::SourceStale { feed: name.clone(), since: quiet_since, error: outcome.error.clone() };
                s.set_stale(&name, true, &fact, &receivers, now)?;
                return Ok(Some("stale"));
            }
            Ok(None)
        }
    })
    .await?;
    Ok(report)
}

/// Parses a feed; entries without a GUID keep an empty id (we fall back to the link).
pub fn parse_feed(body: &[u8], url: &str) -> Result<feed_rs::model::Feed, String> {
    feed_rs::parser::Builder::new()
        .base_uri(Some(url))
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(body)
        .map_err(|e| format!("not a feed (RSS, Atom or JSON Feed): {e}"))
}

/// An entry's identity: its GUID, else its link, else a hash of its content.
pub fn entry_key(entry: &feed_rs::model::Entry) -> String {
    if !entry.id.trim().is_empty() {
        return format!("guid:{}", entry.id.trim());
    }
    if let Some(link) = entry.links.first() {
        return format!("link:{}", link.href);
    }
    let title = entry.title.as_ref().map_or("", |t| t.content.as_str());
    let body = entry_body(entry).unwrap_or_default();
    format!("hash:{}", sha256_hex(format!("{title}\n{body}").as_bytes()))
}

fn entry_body(entry: &feed_rs::model::Entry) -> Option<String> {
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
        .filter(|b| !b.trim().is_empty())
}

/// An entry as header-block article text: its title, the feed as source, its link and
/// time, and its content or summary as text.
pub fn entry_article(entry: &feed_rs::model::Entry, source: &str) -> String {
    let mut text = String::new();
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(t) = &entry.title {
        text.push_str(&format!("Title: {}\n", flat(&html_text(&t.content))));
    }
    text.push_str(&format!("Source: {}\n", flat(source)));
    if let Some(link) = entry.links.first() {
        text.push_str(&format!("URL: {}\n", flat(&link.href)));
    }
    if let Some(t) = entry.published.or(entry.updated) {
        text.push_str(&format!("Published: {}\n", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
    }
    text.push('\n');
    text.push_str(&html_text(&entry_body(entry).unwrap_or_default()));
    text
}

/// One entry of a feed, whatever its format, ready to be checked against the seen ones.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    /// Its link, or `feed:NAME`.
    pub origin: String,
    /// Header-block article text.
    pub text: String,
    /// The page to read for more (`fetch_article`; always for OFAC's actions).
    pub link: Option<String>,
    /// An official source's dates and document; `None` for news.
    pub official: Option<super::official::Document>,
}

/// The entries of a fetched feed body in the feed's format, oldest first.
pub fn entries_of(feed: &config::Feed, body: &[u8], url: &str) -> Result<Vec<Entry>, String> {
    use super::official;
    if feed.kind == FeedKind::FederalRegister {
        let mut entries = official::federal_register(body)?;
        // The API lists the newest first.
        entries.reverse();
        return Ok(entries);
    }
    let parsed = match parse_feed(body, url) {
        Ok(parsed) => parsed,
        // OFAC's recent actions are an HTML listing since its RSS feed was retired.
        Err(_) if feed.kind == FeedKind::Ofac && Kind::of_content(None, body) == Kind::Html => {
            return Ok(official::ofac_listing(&String::from_utf8_lossy(body), url));
        }
        Err(error) => return Err(error),
    };
    let source = parsed.title.as_ref().map(|t| html_text(&t.content)).filter(|t| !t.trim().is_empty());
    let source = match feed.kind.official() {
        Some(name) => name.to_owned(),
        None => source.unwrap_or_else(|| feed.name.clone()),
    };
    Ok(parsed
        .entries
        .iter()
        .rev()
        .map(|entry| {
            let key = entry_key(entry);
            let origin = entry.links.first().map_or_else(|| format!("feed:{}", feed.name), |l| l.href.clone());
            let text = entry_article(entry, &source);
            let link = entry.links.first().map(|l| l.href.clone());
            let official = feed.kind.official().map(|_| official::from_entry(feed.kind, &origin, &text));
            Entry { key, origin, text, link, official }
        })
        .collect())
}

async fn ingest_entries(
    fetcher: &Fetcher,
    store: &Arc<Mutex<Store>>,
    config: &Arc<Config>,
    ingester: &Arc<Ingester>,
    feed: &config::Feed,
    entries: Vec<Entry>,
    now: DateTime<Utc>,
) -> Result<(usize, usize), String> {
    let mut new = 0;
    let mut ingested = 0;
    // Oldest first, so that a later entry's move of a date is a later revision.
    for entry in entries {
        let seen = with_store(store, {
            let (name, key) = (feed.name.clone(), entry.key.clone());
            move |s| s.entry_seen(&name, &key)
        })
        .await?;
        if seen {
            continue;
        }
        new += 1;
        let mut text = entry.text;
        if let Some(link) = entry.link.as_deref().filter(|_| feed.fetch_article || feed.kind == FeedKind::Ofac) {
            match read_page(fetcher, link, feed).await {
                Ok(page) => text = merge_page(&text, &page),
                Err(error) => {
                    tracing::warn!(feed = %feed.name, url = %link, %error, "cannot read the entry's page; ingesting its summary")
                }
            }
        }
        let (config, ingester, name, key) = (Arc::clone(config), Arc::clone(ingester), feed.name.clone(), entry.key);
        let origin = entry.origin;
        let official = entry.official;
        let article = with_store(store, move |s| {
            let report = match official {
                Some(document) => super::ingest_official(s, &ingester, &config, &origin, &text, &document, now)?,
                None => ingest_text(s, &ingester, &config, &origin, &text, now)?,
            };
            s.add_entry(&name, &key, Some(report.article), now)?;
            Ok(report.article)
        })
        .await?;
        tracing::debug!(feed = %feed.name, article, "feed entry ingested");
        ingested += 1;
    }
    Ok((new, ingested))
}

/// The most documents (licence PDFs) read from one OFAC action's page.
const MAX_DOCUMENTS: usize = 4;

/// An entry's page as article text; for OFAC, with the text of the licences it links.
async fn read_page(fetcher: &Fetcher, url: &str, feed: &config::Feed) -> Result<String, String> {
    let (html, mut text) = match fetcher.get(url, None, None, feed.timeout, MAX_BODY).await?.got {
        Got::Body { url, body, content_type, .. } => {
            let kind = Kind::of_content(content_type.as_deref(), &body);
            let html = (kind == Kind::Html).then(|| String::from_utf8_lossy(&body).into_owned());
            (html.map(|h| (h, url.clone())), decode_aside(url, kind, body, feed.timeout).await?)
        }
        Got::NotModified => return Err("HTTP 304 to an unconditional request".to_owned()),
        Got::Gone => return Err("HTTP 410 Gone".to_owned()),
        Got::RetryAfter(_, status) => return Err(format!("HTTP {status}: the server asks to wait")),
    };
    let Some((html, base)) = html.filter(|_| feed.kind == FeedKind::Ofac) else { return Ok(text) };
    for link in super::official::document_links(&html, &base).into_iter().take(MAX_DOCUMENTS) {
        match page_article(fetcher, &link, feed.timeout).await {
            Ok(document) => {
                let body = &document[crate::extract::article::parse_header(&document).body_start..];
                text.push_str("\n\n");
                text.push_str(body.trim());
                text.push('\n');
            }
            Err(error) => {
                tracing::warn!(feed = %feed.name, url = %link, %error, "cannot read a document the action links")
            }
        }
    }
    Ok(text)
}

/// Fetches and decodes one page (`fetch_article`, `sanctiond ingest URL`).
pub async fn page_article(fetcher: &Fetcher, url: &str, timeout: Duration) -> Result<String, String> {
    match fetcher.get(url, None, None, timeout, MAX_BODY).await?.got {
        Got::Body { url, body, content_type, .. } => {
            let kind = Kind::of_content(content_type.as_deref(), &body);
            decode_aside(url, kind, body, timeout).await
        }
        Got::NotModified => Err("HTTP 304 to an unconditional request".to_owned()),
        Got::Gone => Err("HTTP 410 Gone".to_owned()),
        Got::RetryAfter(_, status) => Err(format!("HTTP {status}: the server asks to wait")),
    }
}

/// Decodes a fetched page or document on a blocking thread, within `limit`: a PDF or a
/// huge page never holds up the async threads, and one that takes too long is given up.
async fn decode_aside(url: String, kind: Kind, body: Vec<u8>, limit: Duration) -> Result<String, String> {
    let name = url.clone();
    let work = tokio::task::spawn_blocking(move || decode(&url, kind, body, MAX_BODY, Some(&url)));
    match tokio::time::timeout(limit, work).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(format!("{name}: the document could not be read ({join})")),
        Err(_) => {
            Err(format!("{name}: reading the document took longer than {}; skipped", humantime::format_duration(limit)))
        }
    }
}

/// The page's text with the entry's header fields where the page has none.
fn merge_page(entry: &str, page: &str) -> String {
    use crate::extract::article::parse_header;
    let (e, p) = (parse_header(entry), parse_header(page));
    let mut text = String::new();
    let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    if let Some(t) = pick(&p.title, &e.title) {
        text.push_str(&format!("Title: {t}\n"));
    }
    if let Some(s) = pick(&p.source, &e.source) {
        text.push_str(&format!("Source: {s}\n"));
    }
    if let Some(u) = pick(&e.url, &p.url) {
        text.push_str(&format!("URL: {u}\n"));
    }
    if let Some(t) = p.published.or(e.published) {
        text.push_str(&format!("Published: {}\n", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
    }
    text.push('\n');
    text.push_str(&page[p.body_start..]);
    text
}

/// What the feed poller needs from the daemon.
#[derive(Debug)]
pub struct FeedsContext {
    pub ledger: crate::store::Location,
    pub config: watch::Receiver<Arc<Config>>,
    /// Told after each poll that ingested something or raised a notice.
    pub changed: Arc<Notify>,
}

/// Keeps every configured feed on its schedule until `shutdown` turns true. Each poll is
/// its own task (at most 32 at once); a poll still running when its feed is due again
/// makes that occurrence skipped, and logged.
pub async fn run(ctx: FeedsContext, mut shutdown: watch::Receiver<bool>) -> Result<(), String> {
    let FeedsContext { ledger, mut config, changed } = ctx;
    let store = Arc::new(Mutex::new(super::open_store(ledger).await?));
    let fetcher = Fetcher::new()?;
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let (done_tx, mut done) = mpsc::unbounded_channel::<(String, Option<DateTime<Utc>>)>();
    let mut current = Arc::clone(&config.borrow_and_update());
    let mut ingester = Arc::new(Ingester::new(&current));
    let mut due: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut running: HashSet<String> = HashSet::new();
    schedule_all(&store, &current, &mut due).await?;
    if !current.feeds.is_empty() {
        tracing::info!(feeds = current.feeds.len(), "polling feeds");
    }
    loop {
        let next = due.values().min().copied();
        let sleep = next.map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO));
        tokio::select! {
            () = async { match sleep { Some(d) => tokio::time::sleep(d).await, None => std::future::pending().await } } => {}
            Some((name, not_before)) = done.recv() => {
                running.remove(&name);
                if let Some(feed) = current.feeds.iter().find(|f| f.name == name) {
                    let tz = current.daemon.timezone;
                    let now = Utc::now();
                    // Polled just now: the next time is the next occurrence after now.
                    if let Some(t) = next_poll(feed, tz, Some(now), not_before, now) {
                        due.insert(name, t);
                    }
                }
                continue;
            }
            Ok(()) = config.changed() => {
                current = Arc::clone(&config.borrow_and_update());
                ingester = Arc::new(Ingester::new(&current));
                due.retain(|name, _| current.feeds.iter().any(|f| &f.name == name));
                schedule_all(&store, &current, &mut due).await?;
                continue;
            }
            _ = shutdown.changed() => return Ok(()),
        }
        let now = Utc::now();
        let ready: Vec<String> = due.iter().filter(|(_, t)| **t <= now).map(|(n, _)| n.clone()).collect();
        for name in ready {
            let Some(feed) = current.feeds.iter().find(|f| f.name == name).cloned() else {
                due.remove(&name);
                continue;
            };
            if !running.insert(name.clone()) {
                tracing::warn!(feed = %name, "the previous poll is still running; skipping this scheduled poll");
                if let Some(t) = next_poll(&feed, current.daemon.timezone, Some(now), None, now) {
                    due.insert(name, t);
                }
                continue;
            }
            let slot = due.remove(&name).unwrap_or(now);
            let (fetcher, store, config, ingester, changed, limit, done_tx) = (
                fetcher.clone(),
                Arc::clone(&store),
                Arc::clone(&current),
                Arc::clone(&ingester),
                Arc::clone(&changed),
                Arc::clone(&limit),
                done_tx.clone(),
            );
            tokio::spawn(async move {
                // Sharing a ledger, one daemon polls each feed at each of its times.
                let claimed = with_store(&store, {
                    let name = feed.name.clone();
                    move |s| s.claim_slot("feed", &name, slot, now)
                })
                .await;
                match claimed {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::debug!(feed = %feed.name, "polled by another daemon sharing the ledger");
                        let _ = done_tx.send((feed.name.clone(), None));
                        return;
                    }
                    Err(error) => {
                        tracing::error!(feed = %feed.name, %error, "feed poll not claimed in the ledger");
                        let _ = done_tx.send((feed.name.clone(), None));
                        return;
                    }
                }
                let _permit = limit.acquire_owned().await;
                let started = Utc::now();
                let late = (started - now).num_milliseconds();
                let result = poll(&fetcher, &store, &config, &ingester, &feed, started).await;
                let not_before = match result {
                    Ok(report) => {
                        log_poll(&report, late);
                        if report.ingested > 0 || report.notice.is_some() {
                            changed.notify_one();
                        }
                        report.not_before
                    }
                    Err(error) => {
                        tracing::error!(feed = %feed.name, %error, "feed poll failed in the ledger");
                        None
                    }
                };
                let _ = done_tx.send((feed.name.clone(), not_before));
            });
        }
    }
}

async fn schedule_all(
    store: &Arc<Mutex<Store>>,
    config: &Arc<Config>,
    due: &mut HashMap<String, DateTime<Utc>>,
) -> Result<(), String> {
    let now = Utc::now();
    for feed in &config.feeds {
        if due.contains_key(&feed.name) {
            continue;
        }
        let row: FeedRow = with_store(store, {
            let (name, url) = (feed.name.clone(), feed.url.clone());
            move |s| s.register_feed(&name, &url, now)
        })
        .await?;
        if row.gone {
            tracing::warn!(feed = %feed.name, "not polled: the server said 410 Gone; delete its [[feed]] entry");
            continue;
        }
        if let Some(t) = next_poll(feed, config.daemon.timezone, row.last_poll, row.not_before, now) {
            due.insert(feed.name.clone(), t);
        }
    }
    Ok(())
}

fn log_poll(report: &PollReport, late_ms: i64) {
    match &report.error {
        None => tracing::info!(
            feed = %report.feed,
            new = report.new_entries,
            not_modified = report.not_modified,
            late_ms,
            "feed polled"
        ),
        Some(error) => tracing::warn!(
            feed = %report.feed,
            %error,
            retry_after = ?report.not_before.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "feed poll failed"
        ),
    }
    if let Some(url) = &report.moved_to {
        tracing::info!(feed = %report.feed, %url, "the feed moved for good (permanent redirect); polling the new URL");
    }
    match report.notice {
        Some("stale") => tracing::warn!(feed = %report.feed, "source stale: notice sent"),
        Some(_) => tracing::info!(feed = %report.feed, "source recovered: notice sent"),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(schedule: &str) -> config::Feed {
        let cron = croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Disallowed)
            .build()
            .parse(schedule)
            .expect("cron");
        config::Feed {
            name: "f".to_owned(),
            url: "http://127.0.0.1/feed".to_owned(),
            schedule: cron,
            schedule_text: schedule.to_owned(),
            kind: FeedKind::Rss,
            fetch_article: false,
            stale_after: config::FEED_DEFAULT_STALE,
            timeout: config::FEED_DEFAULT_TIMEOUT,
            receivers: Vec::new(),
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").to_utc()
    }

    #[test]
    fn a_new_feed_or_one_that_missed_its_time_is_due_now_else_at_its_next_occurrence() {
        let f = feed("*/15 * * * *");
        let now = t("2026-01-05T10:07:00Z");
        assert_eq!(next_poll(&f, Tz::UTC, None, None, now), Some(now));
        assert_eq!(next_poll(&f, Tz::UTC, Some(t("2026-01-05T09:58:00Z")), None, now), Some(now), "10:00 was missed");
        assert_eq!(next_poll(&f, Tz::UTC, Some(t("2026-01-05T10:01:00Z")), None, now), Some(t("2026-01-05T10:15:00Z")));
        // Retry-After or backoff pushes it later, never earlier.
        let later = t("2026-01-05T11:00:00Z");
        assert_eq!(next_poll(&f, Tz::UTC, Some(t("2026-01-05T10:01:00Z")), Some(later), now), Some(later));
        assert_eq!(
            next_poll(&f, Tz::UTC, Some(t("2026-01-05T10:01:00Z")), Some(now), now),
            Some(t("2026-01-05T10:15:00Z"))
        );
    }

    #[test]
    fn backoff_doubles_up_to_six_hours_and_retry_after_reads_both_forms() {
        assert_eq!(backoff(1), Duration::from_secs(60));
        assert_eq!(backoff(3), Duration::from_secs(240));
        assert_eq!(backoff(50), Duration::from_secs(6 * 3600));
        let now = t("2026-01-05T10:00:00Z");
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("Mon, 05 Jan 2026 10:05:00 GMT", now), Some(Duration::from_secs(300)));
        assert_eq!(retry_after("9999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn entries_are_known_by_guid_then_link_then_content() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><guid>id-1</guid><title>One</title><link>https://example.org/1</link></item>
<item><title>Two</title><link>https://example.org/2</link></item>
<item><title>Three</title><description>Only text.</description></item>
</channel></rss>"#;
        let feed = parse_feed(rss, "https://example.org/rss").expect("feed");
        let keys: Vec<String> = feed.entries.iter().map(entry_key).collect();
        assert_eq!(keys[0], "guid:id-1");
        assert_eq!(keys[1], "link:https://example.org/2");
        assert!(keys[2].starts_with("hash:"), "{}", keys[2]);
        assert!(parse_feed(b"<rss><channel><item>", "https://example.org/rss").is_err());
    }

    #[tokio::test]
    async fn redirect_targets_inside_this_machine_or_network_are_recognised() {
        let internal = [
            "http://127.0.0.1/x",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://172.16.5.4/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://[::1]:8080/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost:9000/",
            "http://0.0.0.0/",
        ];
        for url in internal {
            assert!(is_internal(&reqwest::Url::parse(url).expect("url")).await, "{url} is internal");
        }
        for url in ["http://93.184.216.34/", "http://[2606:4700::1111]/", "http://8.8.8.8/"] {
            assert!(!is_internal(&reqwest::Url::parse(url).expect("url")).await, "{url} is outside");
        }
    }
}
