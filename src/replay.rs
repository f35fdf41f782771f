//! Replay: "what would I have been told, and when". The whole pipeline (ingest, merge,
//! tracking, planning, delivery decisions) runs under a simulated clock over articles in
//! order of publication, in a ledger held in memory, and sends nothing: each message the
//! daemon would have sent is handed back with its simulated time and what caused it.
//!
//! Nothing here reads the wall clock, the environment or a file: the same input gives the
//! same output, byte for byte.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::ingest::{Ingester, ingest_text};
use crate::model::MessageKind;
use crate::notify::{Notifiers, pipeline, render::Renderer};
use crate::schedule;
use crate::store::{Outcome, Store, StoreError};

/// Rows claimed per receiver at a time.
const BATCH: usize = 500;

/// One article to replay, as read: its origin (path) and its decoded text.
#[derive(Debug, Clone)]
pub struct Input {
    pub origin: String,
    pub text: String,
}

/// A message the daemon would have sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Would {
    /// The simulated time it would have gone out.
    pub at: String,
    pub kind: &'static str,
    pub receiver: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub recipient: String,
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// The due time as it was known when the message went out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The article that caused it: for an alert, the one that gave its revision's due
    /// time (`config` for a declared deadline); for a notice, the one just ingested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

/// What a replay read and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub articles: usize,
    /// Published before `from` or after `to`.
    pub outside: Vec<String>,
    /// No publication time to place them on the timeline.
    pub undated: Vec<String>,
    pub messages: usize,
}

/// Replays `inputs` from `from` to `to` under `config`; `out` gets each message the daemon
/// would have sent, in simulated-time order, and `progress` the number of articles replayed
/// so far.
pub fn run(
    config: &Config,
    inputs: Vec<Input>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
    out: &mut dyn FnMut(Would),
) -> Result<Summary, StoreError> {
    let mut summary = Summary::default();
    let mut timeline = Vec::with_capacity(inputs.len());
    for input in inputs {
        match crate::extract::article::parse_header(&input.text).published {
            None => summary.undated.push(input.origin),
            Some(t) if t.with_timezone(&Utc) < from || t.with_timezone(&Utc) > to => {
                summary.outside.push(input.origin);
            }
            Some(t) => timeline.push((t.with_timezone(&Utc), input)),
        }
    }
    timeline.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.origin.cmp(&y.origin)));

    let mut store = Store::scratch()?;
    let renderer = Renderer::new(&config.templates).map_err(|e| StoreError::Damaged {
        path: config.path.clone(),
        what: format!("the message templates do not load: {e}"),
    })?;
    let notifiers = Notifiers { endpoints: HashMap::new(), renderer: Some(Arc::new(renderer)) };
    let ingester = Ingester::new(config);
    let mut replay = Replay { store: &mut store, config, notifiers: &notifiers, out, sent: 0 };

    schedule::sync(replay.store, config, from)?;
    let mut now = from;
    replay.deliver(now, None)?;
    let mut next_article = 0;
    loop {
        let article_at = timeline.get(next_article).map(|(t, _)| *t);
        let message_at = replay.next_message()?.map(|t| t.max(now));
        let at = match (article_at, message_at) {
            (None, None) => break,
            (Some(a), Some(m)) => a.min(m),
            (Some(t), None) | (None, Some(t)) => t,
        };
        if at > to {
            break;
        }
        if message_at.is_some_and(|m| m <= at) {
            replay.deliver(at, None)?;
            if at == now && replay.next_message()?.map(|t| t.max(now)) == message_at && article_at != Some(at) {
                // Nothing could be delivered and nothing moved: a row no decision settles.
                return Err(StoreError::Damaged {
                    path: std::path::PathBuf::from(":memory:"),
                    what: format!("replay stuck at {}: a message is due that cannot be settled", stamp(at)),
                });
            }
            now = at;
            continue;
        }
        now = at;
        let (published, input) = &timeline[next_article];
        ingest_text(replay.store, &ingester, config, &input.origin, &input.text, *published)?;
        next_article += 1;
        summary.articles += 1;
        progress(summary.articles);
        replay.deliver(now, Some(&input.origin))?;
    }
    summary.messages = replay.sent;
    Ok(summary)
}

struct Replay<'a> {
    store: &'a mut Store,
    config: &'a Config,
    notifiers: &'a Notifiers,
    out: &'a mut dyn FnMut(Would),
    sent: usize,
}

impl Replay<'_> {
    /// When the next message comes due: a planned row, a retry, a digest run.
    fn next_message(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut next = self.store.next_unsettled()?;
        for r in &self.config.receivers {
            next = next.into_iter().chain(self.store.next_due(&r.name)?).min();
        }
        Ok(next.into_iter().chain(schedule::next_digest(self.store, self.config)).min())
    }

    /// The delivery decisions at `now`, as the dispatcher makes them, with every send
    /// taken as done. `article` is the one just ingested: what caused its notices.
    fn deliver(&mut self, now: DateTime<Utc>, article: Option<&str>) -> Result<(), StoreError> {
        pipeline::prepare(self.store, self.config, now)?;
        for r in &self.config.receivers {
            loop {
                let built = pipeline::claim_and_build(self.store, self.config, self.notifiers, &r.name, BATCH, now)?;
                if built.is_empty() {
                    break;
                }
                for (claimed, message) in built {
                    let row = &claimed.row;
                    let mut would = Would {
                        at: stamp(now),
                        kind: row.kind.as_str(),
                        receiver: row.key.receiver.clone(),
                        recipient: row.recipient.clone(),
                        subject: message.subject.clone(),
                        deadline: None,
                        title: None,
                        lead: None,
                        revision: None,
                        due: None,
                        article: None,
                        late: row.late,
                    };
                    match row.kind {
                        MessageKind::Alert => {
                            let deadline = self.store.deadline(&row.key.deadline)?;
                            let revision = self.store.revision(&row.key.deadline, row.key.revision)?;
                            would.title = deadline.map(|d| d.title);
                            would.lead = Some(row.lead.clone());
                            would.revision = Some(row.key.revision);
                            would.due = revision.as_ref().map(|(r, _)| stamp(r.due));
                            would.article = revision.map(|(r, origin)| {
                                origin.unwrap_or(if r.source.starts_with("config:") {
                                    "config".to_owned()
                                } else {
                                    r.source
                                })
                            });
                            would.deadline = Some(row.key.deadline.clone());
                        }
                        MessageKind::Notice => would.article = article.map(str::to_owned),
                        MessageKind::Digest => {}
                    }
                    self.store.settle(row.id, &Outcome::Sent, now)?;
                    self.sent += 1;
                    (self.out)(would);
                }
            }
        }
        Ok(())
    }
}

/// A simulated time as the output writes it: RFC 3339 in UTC, to the second.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The replay as one self-contained HTML page: a timeline, a section per day.
pub fn html(from: DateTime<Utc>, to: DateTime<Utc>, summary: &Summary, messages: &[Would]) -> String {
    use std::fmt::Write as _;
    let e = crate::notify::render::escape_html;
    let mut page = String::with_capacity(1024 + messages.len() * 256);
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>sanctiond replay {} to {}</title>\n<style>\
         body{{font:15px/1.4 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3em .5em;\
         text-align:left;vertical-align:top}}h2{{margin-top:1.5em}}.alert{{color:#a40}}.notice{{color:#046}}\
         .digest{{color:#363}}.late{{font-weight:bold}}</style></head><body>\n\
         <h1>What sanctiond would have sent</h1>\n<p>{} to {}: {} article(s) replayed, {} message(s).</p>\n",
        e(&stamp(from)),
        e(&stamp(to)),
        e(&stamp(from)),
        e(&stamp(to)),
        summary.articles,
        summary.messages,
    );
    let mut day = "";
    for m in messages {
        if !m.at.starts_with(day) || day.is_empty() {
            if !day.is_empty() {
                page.push_str("</table>\n");
            }
            day = &m.at[..10];
            let _ = write!(
                page,
                "<h2>{day}</h2>\n<table><tr><th>time</th><th>kind</th><th>receiver</th><th>subject</th>\
                 <th>deadline</th><th>lead</th><th>due as known then</th><th>caused by</th></tr>\n"
            );
        }
        let _ = writeln!(
            page,
            "<tr class=\"{kind}{late}\"><td>{at}</td><td>{kind}</td><td>{receiver}</td><td>{subject}</td>\
             <td>{deadline}</td><td>{lead}</td><td>{due}</td><td>{article}</td></tr>",
            kind = m.kind,
            late = if m.late { " late" } else { "" },
            at = e(&m.at[11..]),
            receiver = e(&m.receiver),
            subject = e(&m.subject),
            deadline = e(&match (&m.deadline, m.revision) {
                (Some(d), Some(r)) if r > 1 => format!("{d} (revision {r})"),
                (Some(d), _) => d.clone(),
                _ => String::new(),
            }),
            lead = e(m.lead.as_deref().unwrap_or("")),
            due = e(m.due.as_deref().unwrap_or("")),
            article = e(m.article.as_deref().unwrap_or("")),
        );
    }
    if !day.is_empty() {
        page.push_str("</table>\n");
    }
    page.push_str("</body></html>\n");
    page
}
