//! Articles in: from text to what the ledger merges. Reads the header block, extracts
//! times, deadlines and talks, decides which deadlines are tracked (a `[[topic]]` or a
//! watched actor matches) and which declared deadlines the article is about (their
//! `match` phrases), then hands the result to [`Store::ingest`].

pub mod decode;
pub mod feed;
pub mod official;
pub mod spool;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, Utc};

use crate::config::Config;
use crate::extract::{self, Actor, Watch};
use crate::model::{Deadline, PlannedAlert, subject_of};
use crate::schedule;
use crate::store::{ArticleIn, IngestReport, MentionIn, Policy, Result, Store};

/// What ingesting needs from the config, built once for many articles.
#[derive(Debug)]
pub struct Ingester {
    timezone: chrono_tz::Tz,
    /// What times are believed (`[daemon] earliest`, `horizon`).
    window: crate::config::Daemon,
    watch: Watch,
    /// Lower-case phrases with the tags of their topic.
    topics: Vec<(String, Vec<String>)>,
    /// Lower-case `match` phrases of declared deadlines, with the deadline's id.
    declared: Vec<(String, String)>,
}

impl Ingester {
    pub fn new(config: &Config) -> Ingester {
        let actors = config.actors.iter().map(|a| Actor { name: a.name.clone(), aliases: a.aliases.clone() }).collect();
        let topics = config
            .topics
            .iter()
            .flat_map(|t| t.phrases.iter().map(|p| (p.trim().to_lowercase(), t.tags.clone())))
            .filter(|(p, _)| !p.is_empty())
            .collect();
        let declared = config
            .deadlines
            .iter()
            .flat_map(|d| d.match_phrases.iter().map(|p| (p.trim().to_lowercase(), d.id.clone())))
            .filter(|(p, _)| !p.is_empty())
            .collect();
        Ingester {
            timezone: config.daemon.timezone,
            window: config.daemon.clone(),
            watch: Watch::new(actors),
            topics,
            declared,
        }
    }

    /// Extracts `text` (an article as given, with its optional header block) into what the
    /// ledger merges. Pure: `now` stands in for a missing publication time (flagged).
    pub fn prepare(
        &self,
        origin: &str,
        text: &str,
        published: Option<DateTime<FixedOffset>>,
        now: DateTime<Utc>,
    ) -> ArticleIn {
        let extract::ArticleFacts { header, mut published, mut estimated, found } =
            extract::extract_article(text, published, now.fixed_offset(), self.timezone, &self.watch);
        // A publication time before `earliest`, or more than a day ahead (a feed's
        // future-dated entry, a year 9999), is not believed: the article counts as
        // published when it was read, flagged as an estimate.
        let published_utc = published.with_timezone(&Utc);
        if !self.window.plausible(published_utc, now) || published_utc > now + chrono::Duration::days(1) {
            tracing::warn!(
                article = %origin.escape_debug(),
                published = %published.to_rfc3339(),
                "implausible publication time: taken as published now, flagged as estimated"
            );
            published = now.fixed_offset();
            estimated = true;
        }
        let body = &text[header.body_start..];

        let article_lower = body.to_lowercase();
        let article_topics = self.topic_tags(&article_lower);
        let article_actor = self.watch.names_any(body);
        let article_declared = self.declared_in(&article_lower);
        let mut mentions: Vec<MentionIn> = Vec::new();
        let mut moved_from: Option<(usize, DateTime<Utc>)> = None;
        for d in &found.deadlines {
            // A due date outside the window is a misreading or a joke: never tracked.
            if d.due.is_some_and(|due| !self.window.plausible(due.with_timezone(&Utc), now)) {
                continue;
            }
            if d.status == Some("superseded") {
                // The extractor gives the old date right before the new one, same sentence.
                moved_from = d.due.map(|due| (d.start, due.with_timezone(&Utc)));
                continue;
            }
            let sentence = d.evidence.to_lowercase();
            let mut tags = self.topic_tags(&sentence);
            let topical = tags.is_some() || article_topics.is_some();
            if let Some(more) = &article_topics {
                let all = tags.get_or_insert_with(Vec::new);
                for t in more {
                    if !all.contains(t) {
                        all.push(t.clone());
                    }
                }
            }
            let declared = self.declared_in(&sentence);
            mentions.push(MentionIn {
                subject: subject_of(&d.title),
                context: subject_of(&d.evidence),
                title: d.title.clone(),
                due: d.due.map(|t| t.with_timezone(&Utc)),
                day: d.due.map(|t| t.date_naive()),
                moved_from: moved_from.take().filter(|(start, _)| *start == d.start).map(|(_, from)| from),
                tracked: topical || article_actor || self.watch.names_any(&d.evidence) || !declared.is_empty(),
                declared,
                tags: tags.unwrap_or_default(),
                refs: extract::refs::references(&d.evidence),
                evidence: d.evidence.clone(),
                start: d.start,
                end: d.end,
            });
        }
        ArticleIn {
            hash: sha256_hex(text.as_bytes()),
            origin: origin.to_owned(),
            title: header.title,
            source: header.source,
            url: header.url,
            published: published.with_timezone(&Utc),
            published_estimated: estimated,
            body: text.to_owned(),
            mentions,
            talks: found.talks,
            declared: article_declared,
            official: None,
        }
    }

    /// Extracts an official document like any article, then adds the dates its source
    /// gives in fields of their own (a Federal Register `effective_on`): each a deadline on
    /// that day, over any the text gives for the same day. Every deadline in it is official.
    pub fn prepare_official(
        &self,
        origin: &str,
        text: &str,
        official: crate::model::Official,
        dates: &[official::OfficialDate],
        now: DateTime<Utc>,
    ) -> ArticleIn {
        let mut article = self.prepare(origin, text, None, now);
        let header = extract::article::parse_header(text);
        let title_refs = header.title.as_deref().map(extract::refs::references).unwrap_or_default();
        let body_lower = text[header.body_start..].to_lowercase();
        let tracked = self.topic_tags(&body_lower).is_some()
            || header.title.as_deref().is_some_and(|t| self.topic_tags(&t.to_lowercase()).is_some())
            || self.watch.names_any(&text[header.body_start..])
            || !article.declared.is_empty();
        let tags = self.topic_tags(&format!("{}\n{body_lower}", header.title.as_deref().unwrap_or("").to_lowercase()));
        article.mentions.retain(|m| !dates.iter().any(|d| m.day == Some(d.day)));
        for d in dates {
            let Some(due) = official::end_of_day(d.day, d.timezone) else { continue };
            if !self.window.plausible(due, now) {
                continue;
            }
            article.mentions.push(MentionIn {
                subject: subject_of(&d.what),
                context: subject_of(&d.what),
                title: d.what.clone(),
                due: Some(due),
                day: Some(d.day),
                moved_from: None,
                tracked,
                declared: Vec::new(),
                tags: tags.clone().unwrap_or_default(),
                refs: Vec::new(),
                evidence: d.evidence.clone(),
                start: 0,
                end: 0,
            });
        }
        for m in &mut article.mentions {
            for r in &title_refs {
                if !m.refs.contains(r) {
                    m.refs.push(r.clone());
                }
            }
        }
        article.official = Some(official);
        article
    }

    /// The tags of every topic whose phrases `lower` uses; `None` when none does.
    fn topic_tags(&self, lower: &str) -> Option<Vec<String>> {
        let mut tags: Option<Vec<String>> = None;
        for (phrase, topic_tags) in &self.topics {
            if contains_phrase(lower, phrase) {
                let all = tags.get_or_insert_with(Vec::new);
                for t in topic_tags {
                    if !all.contains(t) {
                        all.push(t.clone());
                    }
                }
            }
        }
        tags
    }

    fn declared_in(&self, lower: &str) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for (phrase, id) in &self.declared {
            if !ids.contains(id) && contains_phrase(lower, phrase) {
                ids.push(id.clone());
            }
        }
        ids
    }
}

/// Routing and lead times from the config, for what an ingest writes.
#[derive(Debug, Clone, Copy)]
pub struct ConfigPolicy<'a> {
    pub config: &'a Config,
    pub now: DateTime<Utc>,
}

impl Policy for ConfigPolicy<'_> {
    fn targets(&self, id: &str, tags: &[String]) -> Vec<crate::model::Target> {
        schedule::route::targets(self.config, id, tags)
    }

    fn plan(&self, deadline: &Deadline) -> Vec<PlannedAlert> {
        schedule::plan(deadline, self.config, self.now)
    }
}

/// Extracts and merges one article: the whole path of `sanctiond ingest`.
pub fn ingest_text(
    store: &mut Store,
    ingester: &Ingester,
    config: &Config,
    origin: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<IngestReport> {
    let article = ingester.prepare(origin, text, None, now);
    store.ingest(&article, &ConfigPolicy { config, now }, now)
}

/// Extracts and merges one official document (see [`Ingester::prepare_official`]).
pub fn ingest_official(
    store: &mut Store,
    ingester: &Ingester,
    config: &Config,
    origin: &str,
    text: &str,
    document: &official::Document,
    now: DateTime<Utc>,
) -> Result<IngestReport> {
    let article = ingester.prepare_official(origin, text, document.official.clone(), &document.dates, now);
    store.ingest(&article, &ConfigPolicy { config, now }, now)
}

/// Runs a ledger operation off the async threads.
pub(crate) async fn with_store<T: Send + 'static>(
    store: &Arc<Mutex<Store>>,
    f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static,
) -> std::result::Result<T, String> {
    crate::notify::pipeline::with_store(store, move |s| f(s).map_err(|e| e.to_string())).await
}

/// Whether `phrase` occurs in `haystack` as whole words (both already lower case).
fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    haystack.match_indices(phrase).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + phrase.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Opens the ledger for a source's task, off the async threads (opening may connect to
/// PostgreSQL).
pub(crate) async fn open_store(ledger: crate::store::Location) -> std::result::Result<Store, String> {
    tokio::task::spawn_blocking(move || Store::open_at(&ledger).map_err(|e| e.to_string()))
        .await
        .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(contains_phrase("new sanctions on russian oil exports", "russian oil"));
        assert!(!contains_phrase("prussian oilfields", "russian oil"));
        assert!(contains_phrase("russian oil", "russian oil"));
    }

    #[test]
    fn content_hash_is_sha256() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
