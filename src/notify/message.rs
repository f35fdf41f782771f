//! What a message says, read from the ledger just before it is sent: one [`Message`] per
//! claimed outbox row, with a subject, text and HTML bodies, the JSON payload that
//! webhooks and chat receivers carry, and for email the formatted RFC 5322 message.
//! Reads the ledger; never writes it, never sends.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::render::{self, AlertFacts, AlertView, DigestRun, DigestView, Renderer};
use crate::config::{Config, ReceiverKind};
use crate::model::{Alert, AlertKey, Deadline, MessageKind, Revision, TalkEvent, Tracking};
use crate::store::{Evidence, Fact, Store, StoreError};

/// How many of a deadline's linked talks a message shows, latest first.
pub const LATEST_TALKS: usize = 3;
/// How many evidence sentences a message quotes.
const EVIDENCE: usize = 5;

/// One message, ready for its notifier.
#[derive(Debug, Clone)]
pub struct Message {
    /// Stable across re-sends: the webhook `id`, the Matrix transaction id, the local part
    /// of the email's Message-ID.
    pub id: String,
    pub kind: MessageKind,
    pub receiver: String,
    /// The email address of this row; empty for other receivers (or every recipient).
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The JSON payload of webhooks; chat receivers read it too.
    pub payload: Value,
    /// For an email receiver, the formatted message.
    pub email: Option<Vec<u8>>,
    /// Seconds left until the deadline as the alert announces it; none for notices and digests.
    pub lead_seconds: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The config no longer has what the row needs (its receiver, its digest…): final.
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    Render(String),
}

/// What the alerts of one claimed batch show (deadlines, revisions, latest talks, evidence,
/// and for email the alert each thread replies to), read in one query per table rather
/// than one per row: a burst builds thousands of messages a second.
#[derive(Debug, Default)]
pub struct Batch {
    deadlines: HashMap<String, Deadline>,
    revisions: HashMap<String, Vec<Revision>>,
    talks: HashMap<String, Vec<TalkEvent>>,
    evidence: HashMap<String, Vec<Evidence>>,
    /// By (deadline, receiver).
    roots: HashMap<(String, String), AlertKey>,
}

impl Batch {
    /// Reads what the alerts among `rows` need.
    pub fn read<'a>(
        store: &Store,
        config: &Config,
        rows: impl IntoIterator<Item = &'a Alert>,
    ) -> Result<Batch, StoreError> {
        let alerts: Vec<&Alert> = rows.into_iter().filter(|r| r.kind == MessageKind::Alert).collect();
        if alerts.is_empty() {
            return Ok(Batch::default());
        }
        let mut ids: Vec<&str> = alerts.iter().map(|r| r.key.deadline.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut receivers: Vec<&str> = alerts.iter().map(|r| r.key.receiver.as_str()).collect();
        receivers.sort_unstable();
        receivers.dedup();
        // Only email threads: the roots' Message-IDs are what later alerts reply to.
        let mut roots = HashMap::new();
        for receiver in receivers {
            if matches!(config.receiver(receiver).map(|r| &r.kind), Some(ReceiverKind::Email { .. })) {
                roots.extend(
                    store.thread_roots(&ids, receiver)?.into_iter().map(|(d, k)| ((d, receiver.to_owned()), k)),
                );
            }
        }
        Ok(Batch {
            deadlines: store.deadlines_of(&ids)?,
            revisions: store.revisions_of(&ids)?,
            talks: store.talks_of(&ids, LATEST_TALKS)?,
            evidence: store.evidence_of(&ids, EVIDENCE)?,
            roots,
        })
    }
}

/// Builds the message of `row`, one of the rows `batch` was read for.
pub fn build_from(
    batch: &Batch,
    store: &Store,
    config: &Config,
    renderer: &Renderer,
    row: &Alert,
    now: DateTime<Utc>,
) -> Result<Message, BuildError> {
    let receiver = config
        .receiver(&row.key.receiver)
        .ok_or_else(|| BuildError::Gone(format!("receiver \"{}\" is no longer in the config", row.key.receiver)))?;
    let tz = receiver.timezone.unwrap_or(config.daemon.timezone);
    let mut message = match row.kind {
        MessageKind::Alert => alert(batch, renderer, row, tz, now)?,
        MessageKind::Notice => notice(store, row, tz)?,
        MessageKind::Digest => digest(store, config, renderer, row, tz, now)?,
    };
    if let ReceiverKind::Email { .. } = &receiver.kind {
        let domain = config.smtp.as_ref().map_or("localhost", |smtp| smtp.from.email.domain());
        let (message_id, in_reply_to) = match row.kind {
            MessageKind::Alert => {
                let root = batch.roots.get(&(row.key.deadline.clone(), row.key.receiver.clone()));
                (render::message_id(&row.key, domain), root.map(|root| render::message_id(root, domain)))
            }
            MessageKind::Notice => {
                (render::notice_message_id(row.notice.unwrap_or_default(), &row.key.receiver, domain), None)
            }
            MessageKind::Digest => (
                render::digest_message_id(
                    row.digest.as_deref().unwrap_or_default(),
                    row.planned,
                    &row.key.receiver,
                    domain,
                ),
                None,
            ),
        };
        let deadline = (row.kind == MessageKind::Alert).then_some(row.key.deadline.as_str());
        attach_email(&mut message, config, message_id, in_reply_to, deadline, now)?;
    }
    Ok(message)
}

/// Formats `message` as the email its receiver sends (headers from `[smtp]` and the
/// receiver's `to` and `cc`).
fn attach_email(
    message: &mut Message,
    config: &Config,
    message_id: String,
    in_reply_to: Option<String>,
    deadline: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), BuildError> {
    let smtp = config.smtp.as_ref().ok_or_else(|| BuildError::Gone("no [smtp] relay is configured".to_owned()))?;
    let Some(ReceiverKind::Email { to, cc }) = config.receiver(&message.receiver).map(|r| &r.kind) else {
        return Err(BuildError::Gone(format!("receiver \"{}\" is not an email receiver", message.receiver)));
    };
    let envelope = render::Envelope { from: &smtp.from, to, cc, message_id, in_reply_to, deadline, date: now };
    let formatted = render::build_message(&envelope, &message.subject, message.text.clone(), message.html.clone())
        .map_err(|e| BuildError::Render(e.to_string()))?;
    message.email = Some(formatted.formatted());
    Ok(())
}

/// A sample alert for `receiver` about no real deadline, through the real rendering
/// (`sanctiond test-alert`).
pub fn sample(config: &Config, renderer: &Renderer, receiver: &str, now: DateTime<Utc>) -> Result<Message, BuildError> {
    let r = config.receiver(receiver).ok_or_else(|| BuildError::Gone(format!("no receiver named \"{receiver}\"")))?;
    let tz = r.timezone.unwrap_or(config.daemon.timezone);
    let key = AlertKey {
        deadline: "sanctiond-test-alert".to_owned(),
        revision: 1,
        lead_seconds: 3 * 86_400,
        receiver: receiver.to_owned(),
    };
    let due = now + chrono::Duration::days(3);
    let (tags, sources) = (vec!["test".to_owned()], vec!["sanctiond test-alert".to_owned()]);
    let title = "Test alert from sanctiond: no real deadline";
    let view = AlertView::new(&AlertFacts {
        key: &key,
        lead: "3d",
        late: false,
        planned: now,
        title,
        due,
        tags: &tags,
        sources: &sources,
        revisions: &[],
        evidence: &[],
        talks: &[],
        official: None,
        timezone: tz,
        now,
    });
    let (text, html) = renderer.bodies(&view).map_err(|e| BuildError::Render(e.to_string()))?;
    let id = format!("alert.sanctiond-test-alert.1.259200.{receiver}");
    let payload = json!({
        "id": id, "kind": "alert", "receiver": receiver, "test": true,
        "deadline": {"id": key.deadline, "title": title, "due": millis(due), "due_local": view.deadline.due_local,
                     "revision": 1, "tags": tags, "sources": sources},
        "lead": "3d", "lead_words": view.alert.lead_words, "remaining": view.deadline.remaining,
        "planned": millis(now), "late": false, "talks": [], "sources": [], "timezone": tz.to_string(),
    });
    let mut message = Message {
        id,
        kind: MessageKind::Alert,
        receiver: receiver.to_owned(),
        recipient: String::new(),
        subject: view.subject(),
        text,
        html,
        payload,
        email: None,
        lead_seconds: Some(key.lead_seconds),
    };
    if let ReceiverKind::Email { .. } = r.kind {
        let domain = config.smtp.as_ref().map_or("localhost", |smtp| smtp.from.email.domain());
        attach_email(&mut message, config, render::message_id(&key, domain), None, Some(&key.deadline), now)?;
    }
    Ok(message)
}

fn millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `alert.ru-tariffs.2.259200.desk`, `notice.12.desk`, `digest.monday.1754640000000.desk`.
fn message_id(row: &Alert) -> String {
    match row.kind {
        MessageKind::Alert => {
            format!("alert.{}.{}.{}.{}", row.key.deadline, row.key.revision, row.key.lead_seconds, row.key.receiver)
        }
        MessageKind::Notice => format!("notice.{}.{}", row.notice.unwrap_or_default(), row.key.receiver),
        MessageKind::Digest => {
            format!(
                "digest.{}.{}.{}",
                row.digest.as_deref().unwrap_or_default(),
                row.planned.timestamp_millis(),
                row.key.receiver
            )
        }
    }
}

fn alert(batch: &Batch, renderer: &Renderer, row: &Alert, tz: Tz, now: DateTime<Utc>) -> Result<Message, BuildError> {
    let key = &row.key;
    let deadline = batch
        .deadlines
        .get(&key.deadline)
        .ok_or_else(|| BuildError::Gone(format!("deadline {} is no longer in the ledger", key.deadline)))?;
    let revisions = batch.revisions.get(&key.deadline).map_or(&[][..], Vec::as_slice);
    let talks = batch.talks.get(&key.deadline).map_or(&[][..], Vec::as_slice);
    let evidence = batch.evidence.get(&key.deadline).map_or(&[][..], Vec::as_slice);
    let view = AlertView::new(&AlertFacts {
        key,
        lead: &row.lead,
        late: row.late,
        planned: row.planned,
        title: &deadline.title,
        due: deadline.due,
        tags: &deadline.tags,
        sources: &deadline.sources,
        revisions,
        evidence,
        talks,
        official: deadline.official.as_ref(),
        timezone: tz,
        now,
    });
    let (text, html) = renderer.bodies(&view).map_err(|e| BuildError::Render(e.to_string()))?;
    let talks_json: Vec<Value> = talks.iter().map(render::talk_value).collect();
    let sources: Vec<Value> = view
        .deadline
        .evidence
        .iter()
        .map(|e| json!({"source": e.source, "url": e.url, "evidence": e.sentence}))
        .collect();
    let id = message_id(row);
    let payload = json!({
        "id": id,
        "kind": "alert",
        "receiver": key.receiver,
        "deadline": {
            "id": deadline.id,
            "title": view.deadline.title,
            "due": millis(deadline.due),
            "due_local": view.deadline.due_local,
            "revision": deadline.revision,
            "tags": deadline.tags,
            "sources": deadline.sources,
            "official": deadline.official,
        },
        "lead": row.lead,
        "lead_words": view.alert.lead_words,
        "remaining": view.deadline.remaining,
        "planned": millis(row.planned),
        "late": row.late,
        "talks": talks_json,
        "sources": sources,
        "timezone": tz.to_string(),
    });
    let lead_seconds = if row.late { (deadline.due - now).num_seconds() } else { key.lead_seconds };
    Ok(Message {
        id,
        kind: MessageKind::Alert,
        receiver: key.receiver.clone(),
        recipient: row.recipient.clone(),
        subject: view.subject(),
        text,
        html,
        payload,
        email: None,
        lead_seconds: Some(lead_seconds),
    })
}

fn notice(store: &Store, row: &Alert, tz: Tz) -> Result<Message, BuildError> {
    let facts = store.notice_facts(row.notice.unwrap_or_default())?;
    let lines: Vec<String> = facts.iter().map(|f| fact_line(f, tz)).collect();
    let text = format!(
        "New in the ledger:\n\n{}\n\n-- \nsanctiond, for receiver \"{}\". One notice per ingest; \
         `sanctiond deadlines` and `sanctiond talks` show the rest.\n",
        lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n"),
        row.key.receiver
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body style=\"font-family: sans-serif\">\
         <h3>New in the ledger</h3><ul>{}</ul></body></html>\n",
        lines.iter().map(|l| format!("<li>{}</li>", render::escape_html(l))).collect::<String>()
    );
    let id = message_id(row);
    let facts_json: Vec<Value> = facts
        .iter()
        .zip(&lines)
        .map(|(f, line)| {
            let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut v {
                map.insert("text".to_owned(), Value::String(line.clone()));
            }
            v
        })
        .collect();
    let payload = json!({"id": id, "kind": "notice", "receiver": row.key.receiver, "facts": facts_json});
    Ok(Message {
        id,
        kind: MessageKind::Notice,
        receiver: row.key.receiver.clone(),
        recipient: row.recipient.clone(),
        subject: notice_subject(&facts),
        text,
        html,
        payload,
        email: None,
        lead_seconds: None,
    })
}

fn digest(
    store: &Store,
    config: &Config,
    renderer: &Renderer,
    row: &Alert,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Message, BuildError> {
    let name = row.digest.as_deref().unwrap_or_default();
    let digest = config
        .digests
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(|| BuildError::Gone(format!("digest \"{name}\" is no longer in the config")))?;
    let horizon = chrono::Duration::from_std(digest.horizon).unwrap_or(chrono::Duration::MAX);
    let deadlines = store.deadlines_due_between(now, now + horizon, Tracking::Tracked)?;
    let candidates = store.deadlines_due_between(now, now + horizon, Tracking::Candidate)?;
    let since = store.previous_digest(name, row.planned)?.unwrap_or(row.planned - chrono::Duration::days(7));
    let talks = store.talks_since(since, 50)?;
    let run = DigestRun { name, planned: row.planned, receiver: &row.key.receiver, late: row.late };
    let mut view = DigestView::new(&run, digest.horizon, &deadlines, &candidates, &talks, tz, now);
    // Each entry quotes the sentence behind its due time, with its source and URL.
    for entry in view.deadlines.iter_mut().chain(view.candidates.iter_mut()) {
        if let Some(e) = store.evidence(&entry.id, 1)?.into_iter().next() {
            entry.evidence = Some(render::one_line_long(&e.sentence));
            entry.source = Some(render::one_line(&e.source));
            entry.url = e.url.filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        }
    }
    let (text, html) = renderer.digest_bodies(&view).map_err(|e| BuildError::Render(e.to_string()))?;
    let id = message_id(row);
    let list = |ds: &[render::DigestDeadline], all: &[Deadline]| -> Vec<Value> {
        ds.iter()
            .zip(all)
            .map(|(v, d)| {
                json!({"id": d.id, "title": v.title, "due": millis(d.due), "tags": d.tags,
                       "evidence": v.evidence, "source": v.source, "url": v.url})
            })
            .collect()
    };
    let payload = json!({
        "id": id,
        "kind": "digest",
        "receiver": row.key.receiver,
        "digest": name,
        "planned": millis(row.planned),
        "late": row.late,
        "horizon": view.digest.horizon,
        "deadlines": list(&view.deadlines, &deadlines),
        "candidates": list(&view.candidates, &candidates),
        "talks": talks.iter().map(render::talk_value).collect::<Vec<_>>(),
    });
    Ok(Message {
        id,
        kind: MessageKind::Digest,
        receiver: row.key.receiver.clone(),
        recipient: row.recipient.clone(),
        subject: view.subject(),
        text,
        html,
        payload,
        email: None,
        lead_seconds: None,
    })
}

/// `[sanctiond] 3 new facts: 1 new deadline, 1 moved, 1 talk`
pub fn notice_subject(facts: &[Fact]) -> String {
    let count = |f: fn(&Fact) -> bool| facts.iter().filter(|x| f(x)).count();
    let mut parts = Vec::new();
    for (n, one, many) in [
        (count(|f| matches!(f, Fact::NewDeadline { .. })), "new deadline", "new deadlines"),
        (count(|f| matches!(f, Fact::Moved { .. })), "deadline moved", "deadlines moved"),
        (count(|f| matches!(f, Fact::NewTalk { .. })), "new talk", "new talks"),
        (count(|f| matches!(f, Fact::Confirmed { .. })), "confirmed officially", "confirmed officially"),
        (count(|f| matches!(f, Fact::Contradicted { .. })), "report contradicts", "reports contradict"),
        (count(|f| matches!(f, Fact::SourceStale { .. })), "source stale", "sources stale"),
        (count(|f| matches!(f, Fact::SourceRecovered { .. })), "source recovered", "sources recovered"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    format!("[sanctiond] {}", parts.join(", "))
}

/// One fact as a sentence, times in `tz`, with the evidence and the article's URL.
pub fn fact_line(fact: &Fact, tz: Tz) -> String {
    let cite = |source: &str, evidence: &Option<String>, url: &Option<String>| {
        let mut out = format!("from {}", render::one_line(source));
        if let Some(url) = url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
            out.push_str(&format!(", {}", render::one_line(url)));
        }
        if let Some(e) = evidence {
            out.push_str(&format!(": \"{}\"", render::one_line_long(e)));
        }
        out
    };
    match fact {
        Fact::NewDeadline { deadline, title, due, source, evidence, url } => format!(
            "new deadline {deadline}: {}, due {} ({})",
            render::one_line(title),
            local_time(*due, tz),
            cite(source, evidence, url)
        ),
        Fact::Moved { deadline, title, from, to, source, evidence, url } => format!(
            "deadline moved {deadline}: {}, from {} to {} ({})",
            render::one_line(title),
            local_time(*from, tz),
            local_time(*to, tz),
            cite(source, evidence, url)
        ),
        Fact::NewTalk { deadline, summary, source, evidence, url, .. } => {
            format!("new talk on {deadline}: {} ({})", render::one_line(summary), cite(source, evidence, url))
        }
        Fact::Confirmed { deadline, title, due, official, document, url } => format!(
            "confirmed by {}: {deadline}: {}, due {} ({}{})",
            render::one_line(official),
            render::one_line(title),
            local_time(*due, tz),
            render::one_line(document),
            url.as_deref()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .map(|u| format!(", {}", render::one_line(u)))
                .unwrap_or_default()
        ),
        Fact::Contradicted { deadline, title, official_due, reported_due, official, source, evidence, url } => format!(
            "report contradicts {}: {deadline}: {} is due {} officially, a report says {}; the official date stands ({})",
            render::one_line(official),
            render::one_line(title),
            local_time(*official_due, tz),
            local_time(*reported_due, tz),
            cite(source, evidence, url)
        ),
        Fact::SourceStale { feed, since, error } => format!(
            "source stale: feed {feed} has had no new entry since {}{}",
            local_time(*since, tz),
            error.as_deref().map(|e| format!(" (last error: {})", render::one_line(e))).unwrap_or_default()
        ),
        Fact::SourceRecovered { feed } => format!("source recovered: feed {feed} brings new entries again"),
    }
}

/// `2025-08-08 23:59:59 EDT`: a time as a reader in `tz` would write it.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z").to_string()
}
