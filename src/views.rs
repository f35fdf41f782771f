//! The read side: deadlines, talks, alerts and feeds as the user sees them. One code path
//! builds the JSON objects that `--format json` prints and the HTTP API serves, and the
//! pages and the calendar read the same values.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::config::Config;
use crate::model::{Alert, AlertState, Deadline, MessageKind, TalkEvent, Tracking};
use crate::store::{Instance, Store, StoreError};

/// `t` in `tz`, to the second, with its offset.
pub fn rfc3339_in(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `t` in UTC, to the millisecond.
pub fn millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A deadline with its revisions and the talks linked to it.
pub fn deadline(store: &Store, d: &Deadline, tz: Tz) -> Result<Value, StoreError> {
    Ok(deadlines(store, std::slice::from_ref(d), tz)?.pop().unwrap_or(Value::Null))
}

/// Deadlines with their revisions and talks, read in two queries for all of them.
pub fn deadlines(store: &Store, list: &[Deadline], tz: Tz) -> Result<Vec<Value>, StoreError> {
    let ids: Vec<&str> = list.iter().map(|d| d.id.as_str()).collect();
    let mut revisions = store.revisions_of(&ids)?;
    let mut talks = store.talk_briefs_of(&ids)?;
    let mut reports = store.reports_of(&ids)?;
    Ok(list
        .iter()
        .map(|d| {
            let revisions: Vec<Value> = revisions
                .remove(&d.id)
                .unwrap_or_default()
                .iter()
                .map(|r| json!({"revision": r.revision, "due": rfc3339_in(r.due, tz), "recorded": millis(r.recorded), "source": r.source}))
                .collect();
            let talks: Vec<Value> = talks
                .remove(&d.id)
                .unwrap_or_default()
                .iter()
                .map(|t| json!({"id": t.id, "status": t.status, "date": t.date, "participants": t.participants, "tone": t.tone}))
                .collect();
            let reports = reports.remove(&d.id).unwrap_or_default();
            let confirmed_by = d.official.as_ref().filter(|_| reports.news).map(|o| o.source.clone());
            let contradicted_by: Vec<Value> = reports
                .contradicted
                .iter()
                .map(|(source, due)| json!({"source": source, "due": rfc3339_in(*due, tz)}))
                .collect();
            json!({
                "id": d.id, "title": d.title, "due": rfc3339_in(d.due, tz), "status": d.status,
                "sources": d.sources, "revisions": revisions, "tags": d.tags, "lead_times": d.lead_times,
                "tracking": d.tracking, "talks": talks, "official": d.official,
                "confirmed_by": confirmed_by, "contradicted_by": contradicted_by,
            })
        })
        .collect())
}

/// A talk event, every report of it included.
pub fn talk(t: &TalkEvent) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// A talk in one line: "held 2025-08-06: Steve Witkoff & Vladimir Putin in Moscow".
pub fn talk_line(t: &TalkEvent) -> String {
    format!(
        "{} {}: {}{}",
        t.status,
        t.date.as_deref().unwrap_or("(undated)"),
        t.participants.join(" & "),
        t.place.as_deref().map(|p| format!(" in {p}")).unwrap_or_default()
    )
}

/// An id as one URL path segment: letters, digits and `-._~` as they are, the rest escaped.
pub fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// What an outbox row is about: its deadline for an alert, else its label.
pub fn alert_about(a: &Alert) -> String {
    if a.kind == MessageKind::Alert { a.key.deadline.clone() } else { a.label() }
}

/// One outbox row: an alert, a notice or a digest, and where it stands.
pub fn alert(a: &Alert) -> Value {
    let is_alert = a.kind == MessageKind::Alert;
    json!({
        "kind": a.kind, "deadline": is_alert.then_some(&a.key.deadline),
        "about": alert_about(a), "lead": is_alert.then_some(&a.lead),
        "receiver": a.key.receiver, "recipient": a.recipient,
        "planned": millis(a.planned), "sent": a.sent.map(millis), "state": a.state,
        "attempts": a.attempts, "late": a.late, "revision": a.key.revision,
        "next_attempt": (a.state == AlertState::Pending).then(|| millis(a.next_attempt)),
        "last_error": a.last_error, "cancel_reason": a.cancel_reason,
    })
}

/// Every configured feed with what the ledger knows of its polls.
pub fn feeds(config: &Config, store: &Store, now: DateTime<Utc>) -> Result<Vec<Value>, StoreError> {
    let tz = config.daemon.timezone;
    let rows = store.feeds()?;
    let mut out = Vec::with_capacity(config.feeds.len());
    for feed in &config.feeds {
        let row = rows.iter().find(|r| r.name == feed.name);
        let next = match row {
            Some(r) if r.gone => None,
            Some(r) => crate::ingest::feed::next_poll(feed, tz, r.last_poll, r.not_before, now),
            None => Some(now),
        };
        out.push(json!({
            "name": feed.name,
            "url": row.map_or(feed.url.as_str(), |r| r.url.as_str()),
            "schedule": feed.schedule_text,
            "last_poll": row.and_then(|r| r.last_poll).map(millis),
            "last_success": row.and_then(|r| r.last_success).map(millis),
            "last_new_entry": row.and_then(|r| r.last_new_entry).map(millis),
            "last_error": row.and_then(|r| r.last_error.clone()),
            "failures": row.map_or(0, |r| r.failures),
            "entries_seen": row.map_or(0, |r| r.entries_seen),
            "next_poll": next.map(millis),
            "stale": row.is_some_and(|r| r.stale),
            "gone": row.is_some_and(|r| r.gone),
        }));
    }
    Ok(out)
}

/// Which deadlines a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadlineFilter {
    pub tracking: Option<Tracking>,
    pub tag: Option<String>,
}

/// One page of a list and the cursor of the next, if there is more.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// A page of deadlines, soonest first, after the one `cursor` names.
pub fn deadlines_page(
    store: &Store,
    filter: &DeadlineFilter,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<Deadline>, CursorOr> {
    let from = match cursor {
        Some(c) => Some(decode_deadline_cursor(c).ok_or(CursorOr::BadCursor)?),
        None => None,
    };
    let mut items = store
        .deadlines_page(
            filter.tracking,
            filter.tag.as_deref(),
            from.as_ref().map(|(t, id)| (*t, id.as_str())),
            limit + 1,
        )
        .map_err(CursorOr::Store)?;
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|d| encode_cursor(&format!("{}\u{1f}{}", d.due.timestamp_millis(), d.id)))
    });
    Ok(Page { items, next: next.flatten() })
}

/// A page of outbox rows in planned order, after the one `cursor` names.
pub fn alerts_page(
    store: &Store,
    deadline: Option<&str>,
    state: Option<AlertState>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<Alert>, CursorOr> {
    let from = match cursor {
        Some(c) => {
            let text = decode_cursor(c).ok_or(CursorOr::BadCursor)?;
            let (ms, id) = text.split_once('\u{1f}').ok_or(CursorOr::BadCursor)?;
            let at = ms.parse().ok().and_then(DateTime::from_timestamp_millis).ok_or(CursorOr::BadCursor)?;
            Some((at, id.parse().map_err(|_| CursorOr::BadCursor)?))
        }
        None => None,
    };
    let mut items = store.alerts_page(deadline, state, from, limit + 1)?;
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|a| encode_cursor(&format!("{}\u{1f}{}", a.planned.timestamp_millis(), a.id)))
    });
    Ok(Page { items, next: next.flatten() })
}

/// A list read failed: the ledger, or a cursor this list never gave.
#[derive(Debug, thiserror::Error)]
pub enum CursorOr {
    #[error("the cursor is not one this list gave: start again without it")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A page of `items` (already in order) after the one whose key is `cursor`; `key` gives
/// each item's position, unique and increasing along the list.
pub fn page_of<T>(
    items: Vec<T>,
    cursor: Option<&str>,
    limit: usize,
    key: impl Fn(&T) -> String,
) -> Result<Page<T>, CursorOr> {
    let after = match cursor {
        Some(c) => Some(decode_cursor(c).ok_or(CursorOr::BadCursor)?),
        None => None,
    };
    let start = match &after {
        Some(k) => items.iter().position(|i| key(i) == *k).map(|p| p + 1).ok_or(CursorOr::BadCursor)?,
        None => 0,
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).take(limit + 1).collect();
    let next = (rest.len() > limit).then(|| {
        rest.truncate(limit);
        rest.last().map(|i| encode_cursor(&key(i)))
    });
    Ok(Page { items: rest, next: next.flatten() })
}

/// Cursors are opaque to clients: the position, hex-encoded so any id is URL-safe.
fn encode_cursor(position: &str) -> String {
    position.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(cursor: &str) -> Option<String> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > 2048 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..cursor.len()).step_by(2).map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok()).collect();
    String::from_utf8(bytes?).ok()
}

fn decode_deadline_cursor(cursor: &str) -> Option<(DateTime<Utc>, String)> {
    let text = decode_cursor(cursor)?;
    let (ms, id) = text.split_once('\u{1f}')?;
    Some((DateTime::from_timestamp_millis(ms.parse().ok()?)?, id.to_owned()))
}

/// A daemon sharing the ledger, as `sanctiond instances --format json`, `/readyz` and the
/// API show it.
pub fn instance(i: &Instance, now: DateTime<Utc>) -> Value {
    json!({
        "id": i.id,
        "host": i.host,
        "pid": i.pid,
        "live": i.live(now),
        "started": millis(i.started),
        "heartbeat": millis(i.heartbeat),
        "lease_seconds": i.lease.num_seconds(),
        "sending": i.sending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_they_did_not_give() {
        let c = encode_cursor("1754700000000\u{1f}russia oil/ültimatum");
        assert_eq!(decode_cursor(&c).as_deref(), Some("1754700000000\u{1f}russia oil/ültimatum"));
        assert!(c.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(decode_cursor("zz"), None);
        assert_eq!(decode_cursor("abc"), None);
        let page = page_of((1..=5).collect::<Vec<i32>>(), None, 2, i32::to_string).expect("page");
        assert_eq!(page.items, [1, 2]);
        let page = page_of((1..=5).collect::<Vec<i32>>(), page.next.as_deref(), 2, i32::to_string).expect("page");
        assert_eq!(page.items, [3, 4]);
        let last = page_of((1..=5).collect::<Vec<i32>>(), page.next.as_deref(), 2, i32::to_string).expect("page");
        assert_eq!((last.items, last.next), (vec![5], None));
        assert!(page_of((1..=5).collect::<Vec<i32>>(), Some(&encode_cursor("9")), 2, i32::to_string).is_err());
    }
}
