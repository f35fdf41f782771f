//! Delivery of due alerts to receivers: the log (one structured `tracing` event per
//! alert) and email (one message per alert, see [`email`] and [`render`]). Owns how an
//! alert reads and how it is sent; not when it fires (that is `schedule`).

pub mod email;
pub mod render;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::{Config, ReceiverKind};
use crate::model::Tracking;
use crate::schedule::Deliver;
use crate::store::{Delivery, DigestRun, DueAlert, Fact, Notice, Recipients, Store};
use email::{Mailer, SendError};
use render::{AlertFacts, AlertView, DigestView, Renderer};

/// The `tracing` target of alert events, so they can be filtered (`RUST_LOG=sanctiond::alert=info`).
pub const ALERT_TARGET: &str = "sanctiond::alert";
const SENT: &str = "sent";
/// How many of a deadline's linked talks an alert shows, latest first.
const LATEST_TALKS: usize = 3;

/// Sends each alert through the receiver it is addressed to.
#[derive(Debug, Default)]
pub struct Receivers {
    mailer: Option<Mailer>,
    renderer: Option<Renderer>,
}

impl Receivers {
    /// Receivers for `config`; `mailer` is needed when it has email receivers.
    pub fn new(config: &Config, mailer: Option<Mailer>) -> Result<Receivers, String> {
        let renderer = Renderer::new(&config.templates).map_err(|e| e.to_string())?;
        Ok(Receivers { mailer, renderer: Some(renderer) })
    }
}

/// An email to send: its bytes, and the recipients still waiting for it.
struct Pending {
    alert: usize,
    message: Arc<Vec<u8>>,
    to: Vec<lettre::Address>,
}

impl Deliver for Receivers {
    fn deliver_notice(&mut self, config: &Config, notice: &Notice, now: DateTime<Utc>) -> (Delivery, Recipients) {
        self.notice(config, notice, now)
    }

    fn deliver(
        &mut self,
        config: &Config,
        store: &Store,
        alerts: &[DueAlert],
        now: DateTime<Utc>,
    ) -> Vec<(Delivery, Recipients)> {
        let mut results: Vec<(Delivery, Recipients)> =
            alerts.iter().map(|a| (Delivery::Delivered, a.recipients.clone())).collect();
        let mut emails = Vec::new();
        for (i, alert) in alerts.iter().enumerate() {
            let name = &alert.alert.key.receiver;
            let Some(receiver) = config.receiver(name) else {
                results[i].0 = Delivery::Failed(format!("receiver \"{name}\" is no longer in the config"));
                continue;
            };
            let tz = receiver.timezone.unwrap_or(config.daemon.timezone);
            match &receiver.kind {
                ReceiverKind::Log => {
                    let talks = store.talks(Some(&alert.alert.key.deadline), LATEST_TALKS).unwrap_or_default();
                    log_alert(alert, config.daemon.timezone, &talks);
                }
                ReceiverKind::Email { to, cc } => match self.compose(store, alert, tz, to, cc, now) {
                    Ok(message) => {
                        let waiting: Vec<lettre::Address> = to
                            .iter()
                            .chain(cc)
                            .map(|m| m.email.clone())
                            .filter(|a| !alert.recipients.contains_key(&a.to_string()))
                            .collect();
                        emails.push(Pending { alert: i, message: Arc::new(message), to: waiting });
                    }
                    Err(error) => results[i].0 = Delivery::Retry(error),
                },
            }
        }
        if emails.is_empty() {
            return results;
        }
        let Some(mailer) = &self.mailer else {
            for p in emails {
                results[p.alert].0 = Delivery::Retry("no [smtp] relay is configured for email receivers".to_owned());
            }
            return results;
        };
        let jobs: Vec<_> =
            emails.iter().flat_map(|p| p.to.iter().map(|a| (Arc::clone(&p.message), a.clone()))).collect();
        let mut sent = mailer.send_all(jobs).into_iter();
        for p in emails {
            let (delivery, recipients) = &mut results[p.alert];
            *delivery = settle_recipients(recipients, p.to, &mut sent);
        }
        results
    }

    fn deliver_digest(
        &mut self,
        config: &Config,
        store: &Store,
        run: &DigestRun,
        now: DateTime<Utc>,
    ) -> (Delivery, Recipients) {
        let recipients = run.recipients.clone();
        let Some(receiver) = config.receiver(&run.receiver) else {
            return (Delivery::Failed(format!("receiver \"{}\" is no longer in the config", run.receiver)), recipients);
        };
        let Some(digest) = config.digests.iter().find(|d| d.name == run.name) else {
            return (Delivery::Failed(format!("digest \"{}\" is no longer in the config", run.name)), recipients);
        };
        let horizon = chrono::Duration::from_std(digest.horizon).unwrap_or(chrono::Duration::MAX);
        let context = (|| -> Result<_, crate::store::StoreError> {
            let deadlines = store.deadlines_due_between(now, now + horizon, Tracking::Tracked)?;
            let candidates = store.deadlines_due_between(now, now + horizon, Tracking::Candidate)?;
            let since =
                store.previous_digest(&run.name, run.planned)?.unwrap_or(run.planned - chrono::Duration::days(7));
            Ok((deadlines, candidates, store.talks_since(since, 50)?))
        })();
        let (deadlines, candidates, talks) = match context {
            Ok(c) => c,
            Err(e) => return (Delivery::Retry(e.to_string()), recipients),
        };
        let tz = receiver.timezone.unwrap_or(config.daemon.timezone);
        let view = DigestView::new(run, digest.horizon, &deadlines, &candidates, &talks, tz, now);
        match &receiver.kind {
            ReceiverKind::Log => {
                let ids: Vec<&str> = deadlines.iter().map(|d| d.id.as_str()).collect();
                tracing::info!(
                    target: ALERT_TARGET,
                    digest = %run.name,
                    late = run.late,
                    receiver = %run.receiver,
                    deadlines = ?ids,
                    "digest: {} deadlines due in the next {}",
                    deadlines.len(),
                    view.digest.horizon,
                );
                (Delivery::Delivered, recipients)
            }
            ReceiverKind::Email { to, cc } => {
                let Some(mailer) = &self.mailer else {
                    return (Delivery::Retry("no [smtp] relay is configured".to_owned()), recipients);
                };
                let message = self.renderer.as_ref().ok_or_else(|| "no templates loaded".to_owned()).and_then(|r| {
                    let (text, html) = r.digest_bodies(&view).map_err(|e| e.to_string())?;
                    let envelope = render::Envelope {
                        from: &mailer.from,
                        to,
                        cc,
                        message_id: render::digest_message_id(
                            &run.name,
                            run.planned,
                            &run.receiver,
                            mailer.from.email.domain(),
                        ),
                        in_reply_to: None,
                        deadline: None,
                        date: now,
                    };
                    render::build_message(&envelope, &view.subject(), text, html).map_err(|e| e.to_string())
                });
                match message {
                    Ok(m) => send_once(mailer, &m.formatted(), to, cc, recipients),
                    Err(e) => (Delivery::Retry(e), recipients),
                }
            }
        }
    }
}

impl Receivers {
    /// Sends a notice of new facts: one log event per fact, or one email for them all.
    fn notice(&mut self, config: &Config, notice: &Notice, now: DateTime<Utc>) -> (Delivery, Recipients) {
        let recipients = notice.recipients.clone();
        let Some(receiver) = config.receiver(&notice.receiver) else {
            return (
                Delivery::Failed(format!("receiver \"{}\" is no longer in the config", notice.receiver)),
                recipients,
            );
        };
        let tz = receiver.timezone.unwrap_or(config.daemon.timezone);
        match &receiver.kind {
            ReceiverKind::Log => {
                for fact in &notice.facts {
                    tracing::info!(
                        target: ALERT_TARGET,
                        notice = notice.id,
                        receiver = %notice.receiver,
                        deadline = fact.deadline().unwrap_or("-"),
                        "notice: {}",
                        fact_line(fact, tz)
                    );
                }
                (Delivery::Delivered, recipients)
            }
            ReceiverKind::Email { to, cc } => {
                let Some(mailer) = &self.mailer else {
                    return (Delivery::Retry("no [smtp] relay is configured".to_owned()), recipients);
                };
                let lines: Vec<String> = notice.facts.iter().map(|f| fact_line(f, tz)).collect();
                let text = format!(
                    "New in the ledger:\n\n{}\n\n-- \nsanctiond, for receiver \"{}\". One notice per ingest; \
                     `sanctiond deadlines` and `sanctiond talks` show the rest.\n",
                    lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n"),
                    notice.receiver
                );
                let html = format!(
                    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body style=\"font-family: sans-serif\">\
                     <h3>New in the ledger</h3><ul>{}</ul></body></html>\n",
                    lines.iter().map(|l| format!("<li>{}</li>", render::escape_html(l))).collect::<String>()
                );
                let envelope = render::Envelope {
                    from: &mailer.from,
                    to,
                    cc,
                    message_id: render::notice_message_id(notice.id, &notice.receiver, mailer.from.email.domain()),
                    in_reply_to: None,
                    deadline: None,
                    date: now,
                };
                match render::build_message(&envelope, &notice_subject(&notice.facts), text, html) {
                    Ok(m) => send_once(mailer, &m.formatted(), to, cc, recipients),
                    Err(e) => (Delivery::Retry(e.to_string()), recipients),
                }
            }
        }
    }
}

/// `[sanctiond] 3 new facts: 1 new deadline, 1 moved, 1 talk`
fn notice_subject(facts: &[Fact]) -> String {
    let count = |f: fn(&Fact) -> bool| facts.iter().filter(|x| f(x)).count();
    let mut parts = Vec::new();
    for (n, one, many) in [
        (count(|f| matches!(f, Fact::NewDeadline { .. })), "new deadline", "new deadlines"),
        (count(|f| matches!(f, Fact::Moved { .. })), "deadline moved", "deadlines moved"),
        (count(|f| matches!(f, Fact::NewTalk { .. })), "new talk", "new talks"),
        (count(|f| matches!(f, Fact::SourceStale { .. })), "source stale", "sources stale"),
        (count(|f| matches!(f, Fact::SourceRecovered { .. })), "source recovered", "sources recovered"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    format!("[sanctiond] {}", parts.join(", "))
}

/// One fact as a sentence, times in `tz`.
fn fact_line(fact: &Fact, tz: Tz) -> String {
    match fact {
        Fact::NewDeadline { deadline, title, due, source } => {
            format!(
                "new deadline {deadline}: {}, due {} (from {})",
                render::one_line(title),
                local_time(*due, tz),
                render::one_line(source)
            )
        }
        Fact::Moved { deadline, title, from, to, source } => format!(
            "deadline moved {deadline}: {}, from {} to {} (from {})",
            render::one_line(title),
            local_time(*from, tz),
            local_time(*to, tz),
            render::one_line(source)
        ),
        Fact::NewTalk { deadline, summary, source, .. } => {
            format!("new talk on {deadline}: {} (from {})", render::one_line(summary), render::one_line(source))
        }
        Fact::SourceStale { feed, since, error } => format!(
            "source stale: feed {feed} has had no new entry since {}{}",
            local_time(*since, tz),
            error.as_deref().map(|e| format!(" (last error: {})", render::one_line(e))).unwrap_or_default()
        ),
        Fact::SourceRecovered { feed } => format!("source recovered: feed {feed} brings new entries again"),
    }
}

/// "held Steve Witkoff & Vladimir Putin in Moscow on 2025-08-06 (constructive), reported by France 24".
fn talk_line(t: &crate::model::TalkEvent) -> String {
    let v = render::talk_value(t);
    let mut line = format!("{} {} {}", v["date"].as_str().unwrap_or(""), t.status, t.participants.join(" & "));
    if let Some(place) = &t.place {
        line.push_str(&format!(" in {place}"));
    }
    if !t.tone.is_empty() {
        line.push_str(&format!(" ({})", t.tone.join(", ")));
    }
    line.push_str(&format!(", reported by {}", v["reported_by"].as_str().unwrap_or("unknown")));
    render::one_line(&line)
}

/// Sends one message to every recipient of `to` and `cc` that has not had it yet.
fn send_once(
    mailer: &Mailer,
    message: &[u8],
    to: &[lettre::message::Mailbox],
    cc: &[lettre::message::Mailbox],
    mut recipients: Recipients,
) -> (Delivery, Recipients) {
    let message = Arc::new(message.to_vec());
    let waiting: Vec<lettre::Address> =
        to.iter().chain(cc).map(|m| m.email.clone()).filter(|a| !recipients.contains_key(&a.to_string())).collect();
    let jobs = waiting.iter().map(|a| (Arc::clone(&message), a.clone())).collect();
    let mut sent = mailer.send_all(jobs).into_iter();
    let delivery = settle_recipients(&mut recipients, waiting, &mut sent);
    (delivery, recipients)
}

/// Records what each recipient got and sums it up: retry while any recipient failed for a
/// reason that may pass, failed if any refused the message for good, else delivered.
fn settle_recipients(
    recipients: &mut Recipients,
    attempted: Vec<lettre::Address>,
    results: &mut impl Iterator<Item = Result<(), SendError>>,
) -> Delivery {
    let mut transient = Vec::new();
    for address in attempted {
        match results.next() {
            Some(Ok(())) => {
                recipients.insert(address.to_string(), SENT.to_owned());
            }
            Some(Err(SendError::Permanent(e))) => {
                recipients.insert(address.to_string(), format!("refused: {e}"));
            }
            Some(Err(SendError::Transient(e))) => transient.push(format!("{address}: {e}")),
            None => transient.push(format!("{address}: not attempted")),
        }
    }
    let refused: Vec<String> = recipients.iter().filter(|(_, s)| *s != SENT).map(|(a, s)| format!("{a} {s}")).collect();
    if !transient.is_empty() {
        Delivery::Retry(transient.join("; "))
    } else if !refused.is_empty() {
        Delivery::Failed(refused.join("; "))
    } else {
        Delivery::Delivered
    }
}

impl Receivers {
    fn compose(
        &self,
        store: &Store,
        alert: &DueAlert,
        tz: Tz,
        to: &[lettre::message::Mailbox],
        cc: &[lettre::message::Mailbox],
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, String> {
        let key = &alert.alert.key;
        let deadline = store.deadline(&key.deadline).map_err(|e| e.to_string())?;
        let revisions = store.revisions(&key.deadline).map_err(|e| e.to_string())?;
        let root = store.thread_root(&key.deadline, &key.receiver).map_err(|e| e.to_string())?;
        let sources = deadline.map(|d| d.sources).unwrap_or_default();
        let talks = store.talks(Some(&key.deadline), LATEST_TALKS).map_err(|e| e.to_string())?;
        let view = AlertView::new(&AlertFacts {
            key,
            lead: &alert.alert.lead,
            late: alert.alert.late,
            planned: alert.alert.planned,
            title: &alert.title,
            due: alert.due,
            tags: &alert.tags,
            sources: &sources,
            revisions: &revisions,
            talks: &talks,
            timezone: tz,
            now,
        });
        let renderer = self.renderer.as_ref().ok_or("no templates loaded")?;
        let (text, html) = renderer.bodies(&view).map_err(|e| e.to_string())?;
        let from = self.mailer.as_ref().map(|m| m.from.clone()).ok_or("no [smtp] relay is configured")?;
        let domain = from.email.domain();
        let envelope = render::Envelope {
            from: &from,
            to,
            cc,
            message_id: render::message_id(key, domain),
            in_reply_to: root.as_ref().map(|root| render::message_id(root, domain)),
            deadline: Some(&key.deadline),
            date: now,
        };
        let message = render::build_message(&envelope, &view.subject(), text, html).map_err(|e| e.to_string())?;
        Ok(message.formatted())
    }
}

/// Sends a sample alert to `receiver` through the real path (`sanctiond test-alert`).
/// Returns one line per recipient: `Ok(address)` or `Err(what went wrong)`.
pub fn send_sample(
    config: &Config,
    receiver: &crate::config::Receiver,
    mailer: Option<&Mailer>,
    now: DateTime<Utc>,
) -> Result<Vec<Result<String, String>>, String> {
    let key = crate::model::AlertKey {
        deadline: "sanctiond-test-alert".to_owned(),
        revision: 1,
        lead_seconds: 3 * 86_400,
        receiver: receiver.name.clone(),
    };
    let due = now + chrono::Duration::days(3);
    let tags = vec!["test".to_owned()];
    let sources = vec!["sanctiond test-alert".to_owned()];
    let alert = DueAlert {
        alert: crate::model::Alert {
            id: 0,
            key: key.clone(),
            lead: "3d".to_owned(),
            planned: now,
            sent: None,
            state: crate::model::AlertState::Sending,
            attempts: 0,
            late: false,
            last_error: None,
        },
        title: "Test alert from sanctiond: no real deadline".to_owned(),
        due,
        tags: tags.clone(),
        first_attempt: None,
        recipients: Recipients::new(),
    };
    match &receiver.kind {
        ReceiverKind::Log => {
            log_alert(&alert, config.daemon.timezone, &[]);
            Ok(vec![Ok("the log (stderr)".to_owned())])
        }
        ReceiverKind::Email { to, cc } => {
            let mailer = mailer.ok_or("no [smtp] relay is configured")?;
            let view = AlertView::new(&AlertFacts {
                key: &key,
                lead: "3d",
                late: false,
                planned: now,
                title: &alert.title,
                due,
                tags: &tags,
                sources: &sources,
                revisions: &[],
                talks: &[],
                timezone: receiver.timezone.unwrap_or(config.daemon.timezone),
                now,
            });
            let renderer = Renderer::new(&config.templates).map_err(|e| e.to_string())?;
            let (text, html) = renderer.bodies(&view).map_err(|e| e.to_string())?;
            let envelope = render::Envelope {
                from: &mailer.from,
                to,
                cc,
                message_id: render::message_id(&key, mailer.from.email.domain()),
                in_reply_to: None,
                deadline: Some(&key.deadline),
                date: now,
            };
            let message = render::build_message(&envelope, &view.subject(), text, html).map_err(|e| e.to_string())?;
            let message = Arc::new(message.formatted());
            let addresses: Vec<lettre::Address> = to.iter().chain(cc).map(|m| m.email.clone()).collect();
            let jobs = addresses.iter().map(|a| (Arc::clone(&message), a.clone())).collect();
            let results = mailer.send_all(jobs);
            Ok(addresses
                .iter()
                .zip(results)
                .map(|(a, r)| match r {
                    Ok(()) => Ok(a.to_string()),
                    Err(SendError::Permanent(e) | SendError::Transient(e)) => Err(format!("{a}: {e}")),
                })
                .collect())
        }
    }
}

fn log_alert(alert: &DueAlert, tz: Tz, talks: &[crate::model::TalkEvent]) {
    let a = &alert.alert;
    let talks: Vec<String> = talks.iter().map(talk_line).collect();
    tracing::info!(
        target: ALERT_TARGET,
        deadline = %a.key.deadline,
        title = ?alert.title,
        due = %alert.due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        due_local = ?local_time(alert.due, tz),
        lead = %a.lead,
        late = a.late,
        receiver = %a.key.receiver,
        planned = %a.planned.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        talks = ?talks,
        "deadline alert: {}",
        lead_phrase(&a.lead),
    );
}

/// `2025-08-08 23:59:59 EDT`: a time as a reader in `tz` would write it.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z").to_string()
}

fn lead_phrase(lead: &str) -> String {
    match humantime::parse_duration(lead) {
        Ok(d) if d.is_zero() => "due now".to_owned(),
        _ => format!("due in {lead}"),
    }
}
