//! Domain types shared by every stage: deadlines, lead times, alerts. No I/O here.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// How long before a deadline an alert goes out, kept as the user wrote it (`"3d"`).
///
/// A lead written in whole days or weeks counts calendar days in the daemon's time zone,
/// so "3d" before 09:00 on a Monday is 09:00 on the Friday before, also across a DST change.
/// Any other lead ("6h", "90m", "0s") is an exact span of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    text: String,
    span: Duration,
    calendar_days: Option<u64>,
}

impl Lead {
    /// Parses a humantime duration such as `7d`, `6h`, `1h30m` or `0s`.
    pub fn parse(text: &str) -> Result<Lead, String> {
        let trimmed = text.trim();
        let span = humantime::parse_duration(trimmed)
            .map_err(|e| format!("invalid duration {text:?}: {e} (write e.g. \"7d\", \"6h\", \"90m\", \"0s\")"))?;
        Ok(Lead { text: trimmed.to_owned(), span, calendar_days: whole_days(trimmed) })
    }

    /// The lead exactly as written in the config.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The nominal length in seconds, which identifies the lead in the outbox key.
    pub fn seconds(&self) -> i64 {
        i64::try_from(self.span.as_secs()).unwrap_or(i64::MAX)
    }

    /// When the alert for this lead fires, for a deadline due at `due`.
    pub fn fire_time(&self, due: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        match self.calendar_days {
            Some(days) => {
                let local = due.with_timezone(&tz).naive_local().checked_sub_days(Days::new(days))?;
                // A wall-clock time that falls in a DST gap does not exist: use the exact span.
                match local.and_local_timezone(tz).earliest() {
                    Some(t) => Some(t.with_timezone(&Utc)),
                    None => due.checked_sub_signed(chrono::Duration::from_std(self.span).ok()?),
                }
            }
            None => due.checked_sub_signed(chrono::Duration::from_std(self.span).ok()?),
        }
    }
}

impl fmt::Display for Lead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `Some(n)` when the text is a whole number of days or weeks ("3d", "2 weeks").
fn whole_days(text: &str) -> Option<u64> {
    let digits_end = text.find(|c: char| !c.is_ascii_digit())?;
    let count: u64 = text[..digits_end].parse().ok()?;
    match text[digits_end..].trim() {
        "d" | "day" | "days" => Some(count),
        "w" | "week" | "weeks" => count.checked_mul(7),
        _ => None,
    }
}

/// What to do with alerts whose planned time passed while nothing could send them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CatchUp {
    /// Send only the most recent missed alert of each deadline, marked late.
    Latest,
    /// Send every missed alert, marked late.
    All,
    /// Send none of them; they are kept as cancelled.
    Skip,
}

impl CatchUp {
    pub fn as_str(self) -> &'static str {
        match self {
            CatchUp::Latest => "latest",
            CatchUp::All => "all",
            CatchUp::Skip => "skip",
        }
    }

    pub fn parse(text: &str) -> Option<CatchUp> {
        match text {
            "latest" => Some(CatchUp::Latest),
            "all" => Some(CatchUp::All),
            "skip" => Some(CatchUp::Skip),
            _ => None,
        }
    }
}

/// Where a deadline stands in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeadlineStatus {
    Active,
    /// Removed from the config (or otherwise retracted); kept with its history.
    Withdrawn,
}

impl DeadlineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineStatus::Active => "active",
            DeadlineStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<DeadlineStatus> {
        match text {
            "active" => Some(DeadlineStatus::Active),
            "withdrawn" => Some(DeadlineStatus::Withdrawn),
            _ => None,
        }
    }
}

/// The life of one alert in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Pending,
    Sending,
    Sent,
    Failed,
    Cancelled,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Pending => "pending",
            AlertState::Sending => "sending",
            AlertState::Sent => "sent",
            AlertState::Failed => "failed",
            AlertState::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<AlertState> {
        match text {
            "pending" => Some(AlertState::Pending),
            "sending" => Some(AlertState::Sending),
            "sent" => Some(AlertState::Sent),
            "failed" => Some(AlertState::Failed),
            "cancelled" => Some(AlertState::Cancelled),
            _ => None,
        }
    }
}

/// Whether a deadline alerts. Declared deadlines are always tracked; one found in articles
/// is tracked when a `[[topic]]` or a watched actor matches, else a candidate until the
/// user tracks or dismisses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tracking {
    Tracked,
    Candidate,
    Dismissed,
}

impl Tracking {
    pub fn as_str(self) -> &'static str {
        match self {
            Tracking::Tracked => "tracked",
            Tracking::Candidate => "candidate",
            Tracking::Dismissed => "dismissed",
        }
    }

    pub fn parse(text: &str) -> Option<Tracking> {
        match text {
            "tracked" => Some(Tracking::Tracked),
            "candidate" => Some(Tracking::Candidate),
            "dismissed" => Some(Tracking::Dismissed),
            _ => None,
        }
    }
}

/// A deadline as the ledger holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    pub id: String,
    pub title: String,
    pub due: DateTime<Utc>,
    pub status: DeadlineStatus,
    pub tags: Vec<String>,
    /// Replaces `[alerts] lead_times` for this deadline when set.
    pub lead_times: Option<Vec<String>>,
    /// Bumped each time `due` changes; part of every alert's outbox key.
    pub revision: i64,
    pub sources: Vec<String>,
    pub tracking: Tracking,
    /// The official publication that gives its due time, when one does: that date drives
    /// its alerts, and news reports confirm or contradict it.
    pub official: Option<Official>,
}

/// An official source of a deadline: the Federal Register, OFAC, the EU Official Journal,
/// OFSI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Official {
    /// The source's name: "Federal Register".
    pub source: String,
    /// The document: its number and title, or its URL.
    pub document: String,
}

/// Months (also cut short) and weekdays, lower case. They say when, not what: two measures
/// reported "on August 8" by statements made "on Friday" are not one deadline for it.
pub(crate) const CALENDAR: [&str; 31] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Words that say nothing about what a deadline is about.
const NOT_SUBJECT: [&str; 79] = [
    "a",
    "an",
    "the",
    "of",
    "to",
    "on",
    "in",
    "for",
    "by",
    "and",
    "or",
    "with",
    "at",
    "its",
    "their",
    "his",
    "her",
    "deadline",
    "deadlines",
    "ultimatum",
    "ultimatums",
    "impending",
    "looming",
    "new",
    "original",
    "current",
    "latest",
    "final",
    "take",
    "takes",
    "taking",
    "took",
    "effect",
    "come",
    "comes",
    "came",
    "into",
    "force",
    "expire",
    "expires",
    "within",
    "face",
    "faces",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "said",
    "says",
    "told",
    "that",
    "this",
    "it",
    "after",
    "before",
    "ahead",
    "than",
    "also",
    "not",
    "no",
    "as",
    "from",
    "but",
    "which",
    "who",
    "until",
    "till",
    "valid",
    "set",
    "friday's",
    "there",
    "so",
];

/// The content words of `text`, lower case, in order, each once: what a deadline is
/// about ("impending sanctions deadline" → ["sanction"]). Plurals are folded.
pub fn content_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in text.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'') {
        let w = w.trim_matches(['-', '\'']).trim_end_matches("'s").to_lowercase();
        if w.len() < 2
            || NOT_SUBJECT.contains(&w.as_str())
            || CALENDAR.contains(&w.as_str())
            || w.chars().all(|c| c.is_ascii_digit())
        {
            continue;
        }
        let w = w.strip_suffix('s').filter(|s| s.len() > 3 && !s.ends_with('s')).map_or(w.clone(), str::to_owned);
        if !words.contains(&w) {
            words.push(w);
        }
    }
    words
}

/// A deadline's subject as stored: its content words, sorted, space-separated.
pub fn subject_of(text: &str) -> String {
    let mut words = content_words(text);
    words.sort();
    words.join(" ")
}

/// How many words two subjects share.
pub fn overlap(a: &str, b: &str) -> usize {
    a.split(' ').filter(|w| !w.is_empty() && b.split(' ').any(|x| x == *w)).count()
}

/// A talk event as the ledger holds it: one meeting, merged from every article that
/// reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TalkEvent {
    pub id: i64,
    pub participants: Vec<String>,
    pub actors: Vec<String>,
    /// `held` or `planned`.
    pub status: String,
    /// The day it was held or is planned for, `YYYY-MM-DD`.
    pub date: Option<String>,
    pub place: Option<String>,
    pub tone: Vec<String>,
    pub sources: Vec<TalkSource>,
    /// The deadlines it bears on.
    pub deadlines: Vec<String>,
    #[serde(skip)]
    pub first_seen: DateTime<Utc>,
}

/// One article's report of a talk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TalkSource {
    /// The article, as `sources` of a deadline names it.
    pub article: String,
    pub reported_by: Option<String>,
    pub evidence: String,
}

/// One value `due` has had, and who said so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub revision: i64,
    pub due: DateTime<Utc>,
    pub recorded: DateTime<Utc>,
    pub source: String,
}

/// The identity of an alert: one per deadline, due-time revision, lead and receiver.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlertKey {
    pub deadline: String,
    pub revision: i64,
    pub lead_seconds: i64,
    pub receiver: String,
}

/// A deadline written in the config by the user.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredDeadline {
    pub id: String,
    pub title: String,
    pub due: DateTime<Utc>,
    pub tags: Vec<String>,
    pub lead_times: Option<Vec<Lead>>,
    pub match_phrases: Vec<String>,
}

/// One talk event found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Talk {
    /// As the text names them, at their fullest mention in the article.
    pub participants: Vec<String>,
    /// Canonical names of the watched actors among them.
    pub actors: Vec<String>,
    /// `held` or `planned`.
    pub status: &'static str,
    pub date: Option<String>,
    pub place: Option<String>,
    /// The words the text uses about the talks, verbatim.
    pub tone: Vec<String>,
    pub reported_by: Option<String>,
    pub evidence: String,
    pub start: usize,
    pub end: usize,
}

/// Where one message goes: a receiver, and for an email receiver one recipient address
/// (`""` for receivers that have none; on a row written before per-recipient rows, every
/// recipient of the receiver).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub receiver: String,
    pub recipient: String,
}

/// An alert the planner wants in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedAlert {
    pub key: AlertKey,
    pub recipient: String,
    pub lead: String,
    pub planned: DateTime<Utc>,
}

/// What an outbox row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// A lead-time alert of a deadline.
    Alert,
    /// The new facts of one ingest or feed poll.
    Notice,
    /// One run of a scheduled digest.
    Digest,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Alert => "alert",
            MessageKind::Notice => "notice",
            MessageKind::Digest => "digest",
        }
    }

    pub fn parse(text: &str) -> Option<MessageKind> {
        match text {
            "alert" => Some(MessageKind::Alert),
            "notice" => Some(MessageKind::Notice),
            "digest" => Some(MessageKind::Digest),
            _ => None,
        }
    }
}

/// Why an unsent row was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CancelReason {
    /// Its deadline got a new due time; the new revision has its own rows.
    Moved,
    Withdrawn,
    /// Dismissed, or no longer tracked.
    Untracked,
    /// The lead times or routes changed and no longer want it.
    Replanned,
    /// Missed while the daemon was down; the catch-up policy dropped it.
    CatchUp,
    /// `sanctiond ack`.
    Acknowledged,
}

impl CancelReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CancelReason::Moved => "moved",
            CancelReason::Withdrawn => "withdrawn",
            CancelReason::Untracked => "untracked",
            CancelReason::Replanned => "replanned",
            CancelReason::CatchUp => "catch-up",
            CancelReason::Acknowledged => "acknowledged",
        }
    }

    pub fn parse(text: &str) -> Option<CancelReason> {
        [
            CancelReason::Moved,
            CancelReason::Withdrawn,
            CancelReason::Untracked,
            CancelReason::Replanned,
            CancelReason::CatchUp,
            CancelReason::Acknowledged,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }

    /// A row cancelled for this reason comes back when the planner wants it again; one
    /// that was caught up or acknowledged stays cancelled.
    pub fn revivable(self) -> bool {
        !matches!(self, CancelReason::CatchUp | CancelReason::Acknowledged)
    }
}

/// An outbox row of any kind. For notices and digests `key.deadline` is empty, and
/// `notice` or `digest` says which one it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: i64,
    pub kind: MessageKind,
    pub key: AlertKey,
    pub recipient: String,
    /// The notice a notice row carries.
    pub notice: Option<i64>,
    /// The digest a digest row is a run of.
    pub digest: Option<String>,
    pub lead: String,
    pub planned: DateTime<Utc>,
    pub sent: Option<DateTime<Utc>>,
    pub state: AlertState,
    pub attempts: i64,
    pub late: bool,
    pub next_attempt: DateTime<Utc>,
    pub last_error: Option<String>,
    pub cancel_reason: Option<String>,
}

impl Alert {
    /// What a notice or digest row is about (`notice 12`, `digest monday`); empty for alerts.
    pub fn label(&self) -> String {
        match self.kind {
            MessageKind::Alert => String::new(),
            MessageKind::Notice => format!("notice {}", self.notice.unwrap_or_default()),
            MessageKind::Digest => format!("digest {}", self.digest.as_deref().unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_subject_has_no_month_or_weekday() {
        let oil = subject_of("Secondary tariffs on Russian oil take effect on August 8, the Treasury said on Friday.");
        let gold = subject_of("Sanctions on Venezuelan gold take effect on Aug. 8, the State Department said Friday.");
        assert_eq!(oil, "oil russian secondary tariff treasury");
        assert_eq!(overlap(&oil, &gold), 0, "{oil} / {gold}");
    }

    #[test]
    fn day_leads_keep_the_wall_clock_across_dst() {
        let tz: Tz = "America/New_York".parse().expect("zone");
        // Monday 3 Nov 2025 09:00 EST; DST ended on Sunday 2 Nov.
        let due = tz.with_ymd_and_hms(2025, 11, 3, 9, 0, 0).single().expect("due").with_timezone(&Utc);
        let three_days = Lead::parse("3d").expect("lead");
        let fire = three_days.fire_time(due, tz).expect("fire");
        assert_eq!(fire, tz.with_ymd_and_hms(2025, 10, 31, 9, 0, 0).single().expect("fri").with_timezone(&Utc));
        assert_eq!(due - fire, chrono::Duration::hours(73));
        let exact = Lead::parse("72h").expect("lead");
        assert_eq!(due - exact.fire_time(due, tz).expect("fire"), chrono::Duration::hours(72));
    }

    #[test]
    fn leads_parse_as_written() {
        assert_eq!(Lead::parse("2 weeks").expect("lead").calendar_days, Some(14));
        assert_eq!(Lead::parse("0s").expect("lead").seconds(), 0);
        assert_eq!(Lead::parse("1h30m").expect("lead").seconds(), 5400);
        assert!(Lead::parse("3 dayz").is_err());
        assert!(Lead::parse("-1d").is_err());
    }
}
