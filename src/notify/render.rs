//! How an alert reads as an email: subject, headers, and the text and HTML parts from
//! templates (built in, or replaced through `[templates]`). Text from articles is untrusted:
//! it is flattened to one line in headers and escaped in HTML.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::config::Templates;
use crate::model::{AlertKey, Revision};

const ALERT_TEXT: &str = include_str!("templates/alert.txt");
const ALERT_HTML: &str = include_str!("templates/alert.html");
const DIGEST_TEXT: &str = include_str!("templates/digest.txt");
const DIGEST_HTML: &str = include_str!("templates/digest.html");

/// Everything a template may use.
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    pub alert: AlertPart,
    pub deadline: DeadlinePart,
    pub receiver: ReceiverPart,
    /// The latest talk events linked to the deadline.
    pub talks: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertPart {
    pub lead: String,
    pub lead_words: String,
    pub headline: String,
    pub late: bool,
    pub planned_local: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadlinePart {
    pub id: String,
    pub title: String,
    pub due_local: String,
    pub due_utc: String,
    pub due_short: String,
    pub remaining: String,
    pub tags: Vec<String>,
    pub sources: Vec<String>,
    pub revisions: Vec<RevisionPart>,
    /// The sentences behind the current due time, each with its source and URL.
    pub evidence: Vec<EvidencePart>,
    /// "Federal Register: FR Doc. 2025-12790: …" when an official source gives the date.
    pub official: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidencePart {
    pub sentence: String,
    pub source: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionPart {
    pub revision: i64,
    pub due_local: String,
    pub recorded: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReceiverPart {
    pub name: String,
    pub timezone: String,
}

/// What the view is built from.
#[derive(Debug, Clone)]
pub struct AlertFacts<'a> {
    pub key: &'a AlertKey,
    pub lead: &'a str,
    pub late: bool,
    pub planned: DateTime<Utc>,
    pub title: &'a str,
    pub due: DateTime<Utc>,
    pub tags: &'a [String],
    pub sources: &'a [String],
    pub revisions: &'a [Revision],
    pub evidence: &'a [crate::store::Evidence],
    /// The latest talks linked to the deadline.
    pub talks: &'a [crate::model::TalkEvent],
    /// The official publication that gives its due time, if one does.
    pub official: Option<&'a crate::model::Official>,
    pub timezone: Tz,
    pub now: DateTime<Utc>,
}

impl AlertView {
    pub fn new(f: &AlertFacts<'_>) -> AlertView {
        let tz = f.timezone;
        let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %-d %b %Y, %H:%M:%S %Z").to_string();
        let title = one_line(f.title);
        let lead_words = lead_words(f.lead);
        AlertView {
            alert: AlertPart {
                lead: f.lead.to_owned(),
                headline: format!("{lead_words}: {title}"),
                lead_words,
                late: f.late,
                planned_local: local(f.planned),
            },
            deadline: DeadlinePart {
                id: f.key.deadline.clone(),
                due_local: local(f.due),
                due_utc: f.due.format("%a %-d %b %Y, %H:%M:%S UTC").to_string(),
                due_short: f.due.with_timezone(&tz).format("%a %-d %b, %H:%M %Z").to_string(),
                // An alert on time says what its subject says: a "2 minutes" alert sent a few
                // seconds after its planned time still has its lead to go, as announced.
                remaining: remaining(f.due - if f.late { f.now } else { f.planned.min(f.now) }),
                title,
                tags: f.tags.to_vec(),
                sources: f.sources.to_vec(),
                official: f.official.map(|o| one_line(&format!("{}: {}", o.source, o.document))),
                revisions: f
                    .revisions
                    .iter()
                    .map(|r| RevisionPart {
                        revision: r.revision,
                        due_local: local(r.due),
                        recorded: r.recorded.format("%Y-%m-%d %H:%M UTC").to_string(),
                        source: r.source.clone(),
                    })
                    .collect(),
                evidence: f
                    .evidence
                    .iter()
                    .map(|e| EvidencePart {
                        sentence: one_line_long(&e.sentence),
                        source: one_line(&e.source),
                        url: e
                            .url
                            .as_deref()
                            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                            .map(one_line),
                    })
                    .collect(),
            },
            receiver: ReceiverPart { name: f.key.receiver.clone(), timezone: tz.to_string() },
            talks: f.talks.iter().map(talk_value).collect(),
        }
    }

    /// `[sanctiond] 3 days: US ultimatum to Russia (Fri 8 Aug, 23:59 EDT)`
    pub fn subject(&self) -> String {
        let late = if self.alert.late { " (late)" } else { "" };
        format!("[sanctiond] {}{late}: {} ({})", self.alert.lead_words, self.deadline.title, self.deadline.due_short)
    }
}

/// Templates compiled once per config.
#[derive(Debug)]
pub struct Renderer {
    env: Environment<'static>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot render the {template} template: {source}")]
pub struct RenderError {
    template: &'static str,
    source: minijinja::Error,
}

impl Renderer {
    pub fn new(templates: &Templates) -> Result<Renderer, RenderError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
        let text = templates.alert_text.clone().unwrap_or_else(|| ALERT_TEXT.to_owned());
        let html = templates.alert_html.clone().unwrap_or_else(|| ALERT_HTML.to_owned());
        env.add_template_owned("alert.txt", text).map_err(|source| RenderError { template: "alert.txt", source })?;
        env.add_template_owned("alert.html", html).map_err(|source| RenderError { template: "alert.html", source })?;
        let text = templates.digest_text.clone().unwrap_or_else(|| DIGEST_TEXT.to_owned());
        let html = templates.digest_html.clone().unwrap_or_else(|| DIGEST_HTML.to_owned());
        env.add_template_owned("digest.txt", text).map_err(|source| RenderError { template: "digest.txt", source })?;
        env.add_template_owned("digest.html", html)
            .map_err(|source| RenderError { template: "digest.html", source })?;
        Ok(Renderer { env })
    }

    /// The plain-text and HTML bodies of an alert.
    pub fn bodies(&self, view: &AlertView) -> Result<(String, String), RenderError> {
        Ok((self.render("alert.txt", view)?, self.render("alert.html", view)?))
    }

    /// The plain-text and HTML bodies of a digest.
    pub fn digest_bodies(&self, view: &DigestView) -> Result<(String, String), RenderError> {
        Ok((self.render("digest.txt", view)?, self.render("digest.html", view)?))
    }

    fn render<T: Serialize>(&self, name: &'static str, view: &T) -> Result<String, RenderError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(minijinja::value::Serde(view)))
            .map_err(|source| RenderError { template: name, source })
    }
}

/// `<alert.ru-tariffs.2.259200.desk@example.org>`: the same alert always gets the same id,
/// so a message re-sent after a crash is recognisably the same message.
pub fn message_id(key: &AlertKey, domain: &str) -> String {
    format!(
        "<alert.{}.{}.{}.{}@{}>",
        id_part(&key.deadline),
        key.revision,
        key.lead_seconds,
        id_part(&key.receiver),
        id_part(domain)
    )
}

fn id_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
            out.push(c);
        } else if c == '.' {
            out.push('.');
        } else {
            for b in c.to_string().bytes() {
                out.push_str(&format!("={b:02X}"));
            }
        }
    }
    out
}

/// Who a message goes to and how it threads.
#[derive(Debug)]
pub struct Envelope<'a> {
    pub from: &'a Mailbox,
    pub to: &'a [Mailbox],
    pub cc: &'a [Mailbox],
    /// `<…@domain>`, from [`message_id`] or [`digest_message_id`].
    pub message_id: String,
    /// The message this one replies to, for threading.
    pub in_reply_to: Option<String>,
    /// `X-Sanctiond-Deadline`, for alerts.
    pub deadline: Option<&'a str>,
    pub date: DateTime<Utc>,
}

pub fn build_message(
    env: &Envelope<'_>,
    subject: &str,
    text: String,
    html: String,
) -> Result<Message, lettre::error::Error> {
    let mut builder = Message::builder()
        .from(env.from.clone())
        .subject(one_line(subject))
        .date(env.date.into())
        .message_id(Some(env.message_id.clone()));
    for to in env.to {
        builder = builder.to(to.clone());
    }
    for cc in env.cc {
        builder = builder.cc(cc.clone());
    }
    if let Some(root) = env.in_reply_to.as_ref().filter(|root| **root != env.message_id) {
        builder = builder.in_reply_to(root.clone()).references(root.clone());
    }
    let mut message = builder.multipart(MultiPart::alternative_plain_html(text, html))?;
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".to_owned()));
    if let Some(deadline) = env.deadline {
        headers
            .insert_raw(HeaderValue::new(HeaderName::new_from_ascii_str("X-Sanctiond-Deadline"), one_line(deadline)));
    }
    Ok(message)
}

/// `<digest.monday.1754640000000.desk@example.org>`: one id per digest run and receiver.
pub fn digest_message_id(name: &str, planned: DateTime<Utc>, receiver: &str, domain: &str) -> String {
    format!("<digest.{}.{}.{}@{}>", id_part(name), planned.timestamp_millis(), id_part(receiver), id_part(domain))
}

/// `<notice.42.desk@example.org>`: one id per notice and receiver.
pub fn notice_message_id(id: i64, receiver: &str, domain: &str) -> String {
    format!("<notice.{id}.{}@{}>", id_part(receiver), id_part(domain))
}

/// Text made safe inside HTML.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Which run of which digest a view is for.
#[derive(Debug, Clone, Copy)]
pub struct DigestRun<'a> {
    pub name: &'a str,
    pub planned: DateTime<Utc>,
    pub receiver: &'a str,
    pub late: bool,
}

/// Everything a digest template may use.
#[derive(Debug, Clone, Serialize)]
pub struct DigestView {
    pub digest: DigestPart,
    pub deadlines: Vec<DigestDeadline>,
    pub talks: Vec<serde_json::Value>,
    /// Deadlines found in articles that no topic or watched actor matched.
    pub candidates: Vec<DigestDeadline>,
    pub receiver: ReceiverPart,
}

#[derive(Debug, Clone, Serialize)]
pub struct DigestPart {
    pub name: String,
    pub late: bool,
    pub planned_local: String,
    pub horizon: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DigestDeadline {
    pub id: String,
    pub title: String,
    pub due_local: String,
    pub due_utc: String,
    pub remaining: String,
    pub tags: Vec<String>,
    pub revisions: usize,
    /// The sentence behind its due time, its source and the article's URL, when an article gave it.
    pub evidence: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
}

impl DigestView {
    pub fn new(
        run: &DigestRun<'_>,
        horizon: std::time::Duration,
        deadlines: &[crate::model::Deadline],
        candidates: &[crate::model::Deadline],
        talks: &[crate::model::TalkEvent],
        tz: Tz,
        now: DateTime<Utc>,
    ) -> DigestView {
        let (name, late, planned, receiver) = (run.name, run.late, run.planned, run.receiver);
        let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %-d %b %Y, %H:%M %Z").to_string();
        DigestView {
            digest: DigestPart {
                name: name.to_owned(),
                late,
                planned_local: local(planned),
                horizon: remaining(chrono::Duration::from_std(horizon).unwrap_or(chrono::Duration::MAX)),
            },
            deadlines: deadlines.iter().map(|d| digest_deadline(d, tz, now)).collect(),
            candidates: candidates.iter().map(|d| digest_deadline(d, tz, now)).collect(),
            talks: talks.iter().map(talk_value).collect(),
            receiver: ReceiverPart { name: receiver.to_owned(), timezone: tz.to_string() },
        }
    }

    /// `[sanctiond] digest monday: 3 deadlines in the next 30 days`
    pub fn subject(&self) -> String {
        let n = self.deadlines.len();
        let late = if self.digest.late { " (late)" } else { "" };
        let what = if n == 1 { "1 deadline".to_owned() } else { format!("{n} deadlines") };
        format!("[sanctiond] digest {}{late}: {what} in the next {}", self.digest.name, self.digest.horizon)
    }
}

fn digest_deadline(d: &crate::model::Deadline, tz: Tz, now: DateTime<Utc>) -> DigestDeadline {
    DigestDeadline {
        id: d.id.clone(),
        title: one_line(&d.title),
        due_local: d.due.with_timezone(&tz).format("%a %-d %b %Y, %H:%M %Z").to_string(),
        due_utc: d.due.format("%a %-d %b %Y, %H:%M UTC").to_string(),
        remaining: remaining(d.due - now),
        tags: d.tags.clone(),
        revisions: usize::try_from(d.revision).unwrap_or(1),
        evidence: None,
        source: None,
        url: None,
    }
}

/// A talk as templates see it: `date`, `status`, `participants`, `place`, `tone`,
/// `reported_by` (every outlet, joined) and `url` (none yet).
pub fn talk_value(t: &crate::model::TalkEvent) -> serde_json::Value {
    let mut reporters: Vec<&str> = Vec::new();
    for s in &t.sources {
        if let Some(r) = s.reported_by.as_deref()
            && !reporters.contains(&r)
        {
            reporters.push(r);
        }
    }
    serde_json::json!({
        "date": t.date.clone().unwrap_or_else(|| "undated".to_owned()),
        "status": t.status,
        "participants": t.participants.iter().map(|p| one_line(p)).collect::<Vec<_>>(),
        "place": t.place.as_deref().map(one_line),
        "tone": t.tone.iter().map(|w| one_line(w)).collect::<Vec<_>>(),
        "reported_by": if reporters.is_empty() { "unknown".to_owned() } else { one_line(&reporters.join(", ")) },
        "url": serde_json::Value::Null,
    })
}

/// Untrusted text made safe for a header or a one-line field: control characters (CR, LF,
/// tab…) become spaces, runs of spaces collapse, and it is cut at 200 characters.
pub fn one_line(text: &str) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let joined = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// Like [`one_line`], for a sentence quoted as evidence: cut at 600 characters.
pub fn one_line_long(text: &str) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let joined = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(600) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// "3 days", "6 hours", "90 minutes", "due now".
pub fn lead_words(lead: &str) -> String {
    let Ok(span) = humantime::parse_duration(lead) else { return lead.to_owned() };
    let secs = span.as_secs();
    let plural = |n: u64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    match secs {
        0 => "due now".to_owned(),
        s if s % 604_800 == 0 && lead.trim_end().ends_with('w') => plural(s / 604_800, "week"),
        s if s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s % 3_600 == 0 => plural(s / 3_600, "hour"),
        s if s % 60 == 0 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

/// "2 days 23 hours", "45 minutes", "passed 3 hours ago".
pub fn remaining(left: chrono::Duration) -> String {
    let past = left < chrono::Duration::zero();
    let secs = left.num_seconds().unsigned_abs();
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    let plural = |n: u64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    let text = match (d, h, m) {
        (0, 0, 0) => "less than a minute".to_owned(),
        (0, 0, m) => plural(m, "minute"),
        (0, h, m) if m > 0 => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
        (0, h, _) => plural(h, "hour"),
        (d, 0, _) => plural(d, "day"),
        (d, h, _) => format!("{} {}", plural(d, "day"), plural(h, "hour")),
    };
    if past { format!("passed {text} ago") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_list_candidates_and_the_talks_since_the_last_one() {
        use crate::model::{Deadline, DeadlineStatus, TalkEvent, TalkSource, Tracking};
        let now = DateTime::parse_from_rfc3339("2025-08-04T12:00:00Z").expect("time").to_utc();
        let deadline = |id: &str, title: &str, tracking| Deadline {
            id: id.into(),
            title: title.into(),
            due: now + chrono::Duration::days(4),
            status: DeadlineStatus::Active,
            tags: vec!["russia".into()],
            lead_times: None,
            revision: 1,
            sources: Vec::new(),
            tracking,
            official: None,
        };
        let talk = TalkEvent {
            id: 1,
            participants: vec!["Steve Witkoff".into(), "Vladimir Putin".into()],
            actors: Vec::new(),
            status: "held".into(),
            date: Some("2025-08-03".into()),
            place: Some("Moscow".into()),
            tone: vec!["constructive".into()],
            sources: vec![TalkSource {
                article: "Wire: Envoy".into(),
                reported_by: Some("Wire".into()),
                evidence: String::new(),
            }],
            deadlines: Vec::new(),
            first_seen: now,
        };
        let run = DigestRun { name: "monday", planned: now, receiver: "desk", late: false };
        let tracked = [deadline("ru-tariffs", "Secondary tariffs", Tracking::Tracked)];
        let candidates = [deadline("cod-quota-2025-08-08", "commission has set a deadline", Tracking::Candidate)];
        let view = DigestView::new(
            &run,
            std::time::Duration::from_secs(30 * 86_400),
            &tracked,
            &candidates,
            &[talk],
            Tz::UTC,
            now,
        );
        let renderer = Renderer::new(&Templates::default()).expect("templates");
        let (text, html) = renderer.digest_bodies(&view).expect("render");
        let candidates_at = text.find("Candidates").expect("a candidates section");
        assert!(text[candidates_at..].contains("cod-quota-2025-08-08"), "{text}");
        assert!(!text[..candidates_at].contains("cod-quota"), "a candidate is not listed as tracked: {text}");
        assert!(text.contains("2025-08-03: Steve Witkoff, Vladimir Putin in Moscow, reported by Wire"), "{text}");
        assert!(html.contains("Candidates (not tracked)") && html.contains("Steve Witkoff"), "{html}");
    }

    #[test]
    fn an_alert_names_the_official_source_of_its_date_and_only_then() {
        let now = DateTime::parse_from_rfc3339("2025-08-04T12:00:00Z").expect("time").to_utc();
        let key = AlertKey { deadline: "gl-124a".into(), revision: 2, lead_seconds: 259_200, receiver: "desk".into() };
        let official =
            crate::model::Official { source: "OFAC".into(), document: "Russia-related General License 124A".into() };
        let renderer = Renderer::new(&Templates::default()).expect("templates");
        let bodies = |official| {
            let view = AlertView::new(&AlertFacts {
                key: &key,
                lead: "3d",
                late: false,
                planned: now,
                title: "General License 124A expires",
                due: now + chrono::Duration::days(3),
                tags: &[],
                sources: &[],
                revisions: &[],
                evidence: &[],
                talks: &[],
                official,
                timezone: chrono_tz::UTC,
                now,
            });
            renderer.bodies(&view).expect("render")
        };
        let (text, html) = bodies(Some(&official));
        assert!(text.contains("Official:   OFAC: Russia-related General License 124A\n"), "{text}");
        assert!(html.contains("<th align=\"left\">Official</th><td>OFAC: Russia-related General License 124A</td>"));
        let (text, html) = bodies(None);
        assert!(!text.contains("Official:") && !html.contains("Official"), "{text}");
    }

    #[test]
    fn header_text_cannot_break_lines() {
        assert_eq!(one_line("Tariffs\r\nBcc: victim@example.org"), "Tariffs Bcc: victim@example.org");
        assert_eq!(one_line(&"x".repeat(300)).chars().count(), 201);
    }

    #[test]
    fn words_for_leads_and_time_left() {
        assert_eq!(lead_words("3d"), "3 days");
        assert_eq!(lead_words("1d"), "1 day");
        assert_eq!(lead_words("2w"), "2 weeks");
        assert_eq!(lead_words("6h"), "6 hours");
        assert_eq!(lead_words("90m"), "90 minutes");
        assert_eq!(lead_words("0s"), "due now");
        assert_eq!(remaining(chrono::Duration::hours(71)), "2 days 23 hours");
        assert_eq!(remaining(chrono::Duration::minutes(-180)), "passed 3 hours ago");
    }

    #[test]
    fn message_ids_are_stable_and_safe() {
        let key =
            AlertKey { deadline: "ru tariffs".into(), revision: 2, lead_seconds: 259_200, receiver: "desk".into() };
        assert_eq!(message_id(&key, "example.org"), "<alert.ru=20tariffs.2.259200.desk@example.org>");
    }
}
