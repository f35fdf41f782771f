//! The planner and catch-up against a real ledger (SQLite, or PostgreSQL when the suite
//! runs on it), driven by an injected clock: each test says what time it is and checks
//! which alerts exist and which go out.

#[path = "support/pg.rs"]
mod pg;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use sanctiond::config::{self, Config};
use sanctiond::model::{AlertState, MessageKind};
use sanctiond::notify::{Message, Notifiers, NotifyError, pipeline};
use sanctiond::schedule;
use sanctiond::store::{Location, Store};

/// What a receiver got: (deadline or digest/notice, lead or planned, receiver, late).
type Sent = Vec<(String, String, String, bool)>;

struct Harness {
    _dir: tempfile::TempDir,
    ledger: Location,
    store: Option<Store>,
    config: Arc<Config>,
    notifiers: Notifiers,
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").to_utc()
}

fn parse(text: &str) -> Arc<Config> {
    Arc::new(config::parse(Path::new("test.toml"), text).unwrap_or_else(|e| panic!("{e}")))
}

/// The receivers of `config`; an email relay is set up but never connected to.
fn notifiers(config: &Config) -> Notifiers {
    let mailer = sanctiond::daemon::build_mailer(config).expect("mailer");
    Notifiers::new(config, mailer, &Default::default()).expect("notifiers")
}

/// What one message says, in the terms the tests compare.
fn summary(m: &Message) -> (String, String, String, bool) {
    let p = &m.payload;
    let late = p["late"].as_bool().unwrap_or(false);
    match m.kind {
        MessageKind::Alert => (
            p["deadline"]["id"].as_str().unwrap_or("").to_owned(),
            p["lead"].as_str().unwrap_or("").to_owned(),
            m.receiver.clone(),
            late,
        ),
        MessageKind::Digest => (
            format!("digest:{}", p["digest"].as_str().unwrap_or("")),
            DateTime::parse_from_rfc3339(p["planned"].as_str().unwrap_or(""))
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            m.receiver.clone(),
            late,
        ),
        MessageKind::Notice => {
            let facts: Vec<&str> =
                p["facts"].as_array().into_iter().flatten().map(|f| f["deadline"].as_str().unwrap_or("-")).collect();
            (format!("notice:{}", facts.join(",")), String::new(), m.receiver.clone(), false)
        }
    }
}

impl Harness {
    fn start(config_text: &str, now: DateTime<Utc>) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = parse(config_text);
        let notifiers = notifiers(&config);
        let ledger = pg::location(dir.path());
        let mut h = Harness { _dir: dir, ledger, store: None, config, notifiers };
        h.restart(config_text, now);
        h
    }

    /// Drops the ledger (as a crash would), opens it again and syncs the config, as the
    /// daemon does at start; rows left `sending` go out again.
    fn restart(&mut self, config_text: &str, now: DateTime<Utc>) {
        self.store = None;
        self.config = parse(config_text);
        self.notifiers = notifiers(&self.config);
        let mut store = Store::open_at(&self.ledger).expect("open ledger");
        schedule::sync(&mut store, &self.config, now).expect("sync");
        store.recover_in_flight(now).expect("recover");
        self.store = Some(store);
    }

    fn s(&mut self) -> &mut Store {
        self.store.as_mut().expect("running")
    }

    /// Delivers everything due at `now` through the pipeline's steps; returns what went out.
    fn tick(&mut self, now: DateTime<Utc>) -> Sent {
        self.tick_with(now, |_| Ok(()))
    }

    /// Like [`Harness::tick`], with a receiver that answers each message with `answer`;
    /// returns every message handed to it.
    fn tick_with(&mut self, now: DateTime<Utc>, answer: impl Fn(&Message) -> Result<(), NotifyError>) -> Sent {
        let mut sent = Vec::new();
        let (config, notifiers) = (Arc::clone(&self.config), std::mem::take(&mut self.notifiers));
        pipeline::deliver_due(self.s(), &config, &notifiers, now, &mut |m| {
            sent.push(summary(m));
            answer(m)
        })
        .expect("deliver");
        self.notifiers = notifiers;
        sent
    }

    /// Swaps in a new config, as SIGHUP does.
    fn reload(&mut self, config_text: &str, now: DateTime<Utc>) -> sanctiond::store::SyncReport {
        self.config = parse(config_text);
        self.notifiers = notifiers(&self.config);
        let config = Arc::clone(&self.config);
        schedule::sync(self.s(), &config, now).expect("sync")
    }

    /// When the dispatcher would next wake.
    fn next_due(&mut self) -> Option<DateTime<Utc>> {
        let config = Arc::clone(&self.config);
        let store = self.s();
        let mut next: Vec<DateTime<Utc>> =
            config.receivers.iter().filter_map(|r| store.next_due(&r.name).expect("next")).collect();
        next.extend(store.next_unsettled().expect("next"));
        next.extend(schedule::next_digest(store, &config));
        next.into_iter().min()
    }

    /// (lead, receiver, planned, state) of every outbox row of `deadline`.
    fn outbox(&mut self, deadline: &str) -> Vec<(String, String, DateTime<Utc>, AlertState)> {
        let alerts = self.s().alerts(Some(deadline)).expect("alerts");
        alerts.into_iter().map(|a| (a.lead, a.key.receiver, a.planned, a.state)).collect()
    }
}

fn one(deadline: &str, lead: &str, receiver: &str, late: bool) -> (String, String, String, bool) {
    (deadline.to_owned(), lead.to_owned(), receiver.to_owned(), late)
}

const BASIC: &str = r#"
[alerts]
lead_times = ["3d", "1d", "1h", "0s"]
catch_up = "latest"
late_after = "1m"

[[deadline]]
id = "ru"
title = "Secondary tariffs"
due = "2025-08-08T12:00:00Z"
"#;

#[test]
fn each_lead_fires_once_at_its_time() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    let planned: Vec<_> = h.outbox("ru").iter().map(|(l, _, p, s)| (l.clone(), *p, *s)).collect();
    assert_eq!(
        planned,
        vec![
            ("3d".to_owned(), t("2025-08-05T12:00:00Z"), AlertState::Pending),
            ("1d".to_owned(), t("2025-08-07T12:00:00Z"), AlertState::Pending),
            ("1h".to_owned(), t("2025-08-08T11:00:00Z"), AlertState::Pending),
            ("0s".to_owned(), t("2025-08-08T12:00:00Z"), AlertState::Pending),
        ]
    );
    assert_eq!(h.next_due(), Some(t("2025-08-05T12:00:00Z")));
    assert!(h.tick(t("2025-08-05T11:59:59.999Z")).is_empty(), "nothing before its time");
    assert_eq!(h.tick(t("2025-08-05T12:00:00.200Z")), vec![one("ru", "3d", "log", false)]);
    assert!(h.tick(t("2025-08-05T12:00:01Z")).is_empty(), "never twice");
    assert_eq!(h.next_due(), Some(t("2025-08-07T12:00:00Z")));
    assert_eq!(h.tick(t("2025-08-07T12:00:00Z")), vec![one("ru", "1d", "log", false)]);
    assert_eq!(h.tick(t("2025-08-08T11:00:00Z")), vec![one("ru", "1h", "log", false)]);
    assert_eq!(h.tick(t("2025-08-08T12:00:00Z")), vec![one("ru", "0s", "log", false)]);
    assert_eq!(h.next_due(), None);
    assert!(h.outbox("ru").iter().all(|(_, _, _, s)| *s == AlertState::Sent));
}

#[test]
fn leads_already_past_when_a_deadline_is_declared_are_not_planned() {
    let mut h = Harness::start(BASIC, t("2025-08-07T00:00:00Z"));
    let leads: Vec<_> = h.outbox("ru").into_iter().map(|(l, ..)| l).collect();
    assert_eq!(leads, ["1d", "1h", "0s"]);
    assert!(h.tick(t("2025-08-07T00:00:01Z")).is_empty());
}

#[test]
fn routes_choose_receivers_per_deadline() {
    let text = r#"
[alerts]
lead_times = ["1d"]
[[receiver]]
name = "desk"
type = "log"
[[receiver]]
name = "journal"
type = "log"
[[receiver]]
name = "oil"
type = "log"
[[route]]
tags = ["russia", "oil"]
receivers = ["oil", "desk"]
[[route]]
tags = ["russia"]
receivers = ["desk"]
[routing]
default = ["journal"]
[[deadline]]
id = "a"
title = "Russian oil price cap"
due = "2025-09-01T00:00:00Z"
tags = ["russia", "oil"]
[[deadline]]
id = "b"
title = "Russia tariffs"
due = "2025-09-01T00:00:00Z"
tags = ["russia"]
[[deadline]]
id = "c"
title = "Iran snapback"
due = "2025-09-01T00:00:00Z"
tags = ["iran"]
"#;
    let mut h = Harness::start(text, t("2025-08-01T00:00:00Z"));
    let mut got = h.tick(t("2025-08-31T00:00:00Z"));
    got.sort();
    assert_eq!(
        got,
        vec![
            one("a", "1d", "desk", false),
            one("a", "1d", "oil", false),
            one("b", "1d", "desk", false),
            one("c", "1d", "journal", false)
        ]
    );
}

#[test]
fn a_moved_deadline_cancels_its_pending_alerts_and_plans_new_ones() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    assert_eq!(h.tick(t("2025-08-05T12:00:00Z")), vec![one("ru", "3d", "log", false)]);
    let moved = BASIC.replace("2025-08-08T12:00:00Z", "2025-08-10T12:00:00Z");
    let report = h.reload(&moved, t("2025-08-06T00:00:00Z"));
    assert_eq!(report.moved, ["ru"]);

    let rows = h.outbox("ru");
    let state_of = |lead: &str, planned: &str| {
        rows.iter().find(|(l, _, p, _)| l == lead && *p == t(planned)).map(|r| r.3).expect("row")
    };
    assert_eq!(state_of("3d", "2025-08-05T12:00:00Z"), AlertState::Sent, "history stays");
    assert_eq!(state_of("1d", "2025-08-07T12:00:00Z"), AlertState::Cancelled);
    assert_eq!(state_of("0s", "2025-08-08T12:00:00Z"), AlertState::Cancelled);
    assert_eq!(state_of("3d", "2025-08-07T12:00:00Z"), AlertState::Pending, "new revision, new 3d alert");
    assert_eq!(state_of("0s", "2025-08-10T12:00:00Z"), AlertState::Pending);

    assert!(h.tick(t("2025-08-07T12:00:00Z")).contains(&one("ru", "3d", "log", false)));
    let revisions = h.s().revisions("ru").expect("revisions");
    let dues: Vec<_> = revisions.iter().map(|r| (r.revision, r.due)).collect();
    assert_eq!(dues, vec![(1, t("2025-08-08T12:00:00Z")), (2, t("2025-08-10T12:00:00Z"))]);
    let deadline = h.s().deadline("ru").expect("query").expect("exists");
    assert_eq!((deadline.revision, deadline.due), (2, t("2025-08-10T12:00:00Z")), "a revision, not a new deadline");
}

#[test]
fn a_withdrawn_deadline_stops_alerting_and_comes_back_when_declared_again() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    let without = "[alerts]\nlead_times = [\"3d\", \"1d\", \"1h\", \"0s\"]\n";
    let report = h.reload(without, t("2025-08-02T00:00:00Z"));
    assert_eq!(report.withdrawn, ["ru"]);
    let deadline = h.s().deadline("ru").expect("query").expect("kept");
    assert_eq!(deadline.status.as_str(), "withdrawn");
    assert!(h.outbox("ru").iter().all(|r| r.3 == AlertState::Cancelled));
    assert!(h.tick(t("2025-08-09T00:00:00Z")).is_empty(), "a withdrawn deadline sends nothing");

    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    h.reload(without, t("2025-08-02T00:00:00Z"));
    let report = h.reload(BASIC, t("2025-08-03T00:00:00Z"));
    assert_eq!(report.restored, ["ru"]);
    assert_eq!(h.outbox("ru").iter().filter(|r| r.3 == AlertState::Pending).count(), 4);
    assert_eq!(h.tick(t("2025-08-05T12:00:00Z")), vec![one("ru", "3d", "log", false)]);
}

#[test]
fn catch_up_latest_sends_only_the_most_recent_missed_alert_marked_late() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    // Down from before the 3d alert until after the 1d alert.
    h.restart(BASIC, t("2025-08-07T13:00:00Z"));
    assert_eq!(h.tick(t("2025-08-07T13:00:00Z")), vec![one("ru", "1d", "log", true)]);
    let rows = h.outbox("ru");
    assert_eq!(rows[0].3, AlertState::Cancelled, "3d skipped");
    assert_eq!(rows[1].3, AlertState::Sent);
    assert_eq!(h.tick(t("2025-08-08T11:00:00Z")), vec![one("ru", "1h", "log", false)]);
}

#[test]
fn catch_up_all_sends_every_missed_alert_marked_late() {
    let text = BASIC.replace("\"latest\"", "\"all\"");
    let mut h = Harness::start(&text, t("2025-08-01T00:00:00Z"));
    h.restart(&text, t("2025-08-08T11:30:00Z"));
    assert_eq!(
        h.tick(t("2025-08-08T11:30:00Z")),
        vec![one("ru", "3d", "log", true), one("ru", "1d", "log", true), one("ru", "1h", "log", true)]
    );
}

#[test]
fn catch_up_skip_sends_nothing_missed_but_keeps_later_alerts() {
    let text = BASIC.replace("\"latest\"", "\"skip\"");
    let mut h = Harness::start(&text, t("2025-08-01T00:00:00Z"));
    // Running (catch-up has looked up to here), then down over three alerts.
    assert!(h.tick(t("2025-08-02T00:00:00Z")).is_empty());
    assert_eq!(h.s().caught_up_through().expect("mark"), Some(t("2025-08-02T00:00:00Z")));
    h.restart(&text, t("2025-08-08T11:30:00Z"));
    assert!(h.tick(t("2025-08-08T11:30:00Z")).is_empty());
    assert_eq!(h.outbox("ru").iter().filter(|r| r.3 == AlertState::Cancelled).count(), 3);
    assert_eq!(h.tick(t("2025-08-08T12:00:00Z")), vec![one("ru", "0s", "log", false)]);
}

#[test]
fn an_alert_within_late_after_is_on_time_and_not_caught_up() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    // 30 s after the 1h alert; the 1d alert long missed: latest keeps only the on-time one.
    h.restart(BASIC, t("2025-08-08T11:00:30Z"));
    assert_eq!(h.tick(t("2025-08-08T11:00:30Z")), vec![one("ru", "1h", "log", false)]);
    assert_eq!(h.outbox("ru").iter().filter(|r| r.3 == AlertState::Cancelled).count(), 2);
}

#[test]
fn an_alert_seen_on_time_is_never_caught_up_however_long_it_waits() {
    let text = BASIC.replace("\"latest\"", "\"skip\"");
    let mut h = Harness::start(&text, t("2025-08-01T00:00:00Z"));
    // Catch-up looks at the 3d alert on time; its receiver is too busy to take it for an hour.
    let config = Arc::clone(&h.config);
    pipeline::prepare(h.s(), &config, t("2025-08-05T12:00:10Z")).expect("prepare");
    assert_eq!(h.s().next_unsettled().expect("next"), Some(t("2025-08-07T12:00:00Z")));
    assert_eq!(h.tick(t("2025-08-05T13:00:00Z")), vec![one("ru", "3d", "log", false)]);
    assert!(h.outbox("ru").iter().all(|r| r.3 != AlertState::Cancelled));
}

#[test]
fn catch_ups_mark_moves_forward_only_unless_a_clock_went_back() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    let minute = Duration::minutes(1);
    h.s().mark_caught_up(t("2025-08-02T00:00:00Z"), minute).expect("mark");
    // Another daemon's clock a few seconds behind does not move it back.
    h.s().mark_caught_up(t("2025-08-01T23:59:58Z"), minute).expect("mark");
    assert_eq!(h.s().caught_up_through().expect("mark"), Some(t("2025-08-02T00:00:00Z")));
    // A clock that had run a day ahead and was corrected: the mark follows it back, so
    // alerts missed from here on are caught up.
    h.s().mark_caught_up(t("2025-08-01T00:10:00Z"), minute).expect("mark");
    assert_eq!(h.s().caught_up_through().expect("mark"), Some(t("2025-08-01T00:10:00Z")));
}

#[test]
fn a_restart_never_sends_an_alert_twice() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    assert_eq!(h.tick(t("2025-08-05T12:00:00Z")).len(), 1);
    for _ in 0..3 {
        h.restart(BASIC, t("2025-08-05T12:00:05Z"));
        assert!(h.tick(t("2025-08-05T12:00:05Z")).is_empty());
    }
    assert_eq!(h.outbox("ru").len(), 4, "restarts plan nothing new");
}

#[test]
fn an_alert_left_sending_by_a_crash_is_sent_on_restart() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    // Simulate a crash between writing `sending` and recording the delivery.
    h.store = None;
    let mut store = Store::open_at(&h.ledger).expect("open");
    store
        .connection()
        .execute("UPDATE outbox SET state = 'sending', late = 0, claimed_ms = planned_ms WHERE lead = '3d'", ())
        .expect("update");
    drop(store);
    h.restart(BASIC, t("2025-08-05T12:00:02Z"));
    assert_eq!(h.tick(t("2025-08-05T12:00:02Z")), vec![one("ru", "3d", "log", false)]);
    assert!(h.tick(t("2025-08-05T12:00:03Z")).is_empty());
}

#[test]
fn changing_lead_times_replans_stored_deadlines() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    let fewer = BASIC.replace(r#"["3d", "1d", "1h", "0s"]"#, r#"["2d", "0s"]"#);
    h.restart(&fewer, t("2025-08-02T00:00:00Z"));
    let pending: Vec<_> =
        h.outbox("ru").into_iter().filter(|r| r.3 == AlertState::Pending).map(|r| (r.0, r.2)).collect();
    assert_eq!(
        pending,
        vec![("2d".to_owned(), t("2025-08-06T12:00:00Z")), ("0s".to_owned(), t("2025-08-08T12:00:00Z"))]
    );
}

#[test]
fn day_leads_keep_local_wall_time_across_a_dst_change() {
    // New York leaves DST on Sunday 2 Nov 2025; the deadline is the end of Monday 3 Nov.
    let text = r#"
[daemon]
timezone = "America/New_York"
[alerts]
lead_times = ["3d", "1d", "6h"]
[[deadline]]
id = "gl"
title = "General license expires"
due = "2025-11-03"
"#;
    let mut h = Harness::start(text, t("2025-10-01T00:00:00Z"));
    let ny: Tz = "America/New_York".parse().expect("zone");
    let local = |d, h, m, s| ny.with_ymd_and_hms(2025, 11, d, h, m, s).single().expect("local").to_utc();
    let planned: Vec<_> = h.outbox("gl").into_iter().map(|r| (r.0, r.2)).collect();
    let due = local(3, 23, 59, 59);
    assert_eq!(
        planned,
        vec![
            ("3d".to_owned(), ny.with_ymd_and_hms(2025, 10, 31, 23, 59, 59).single().expect("oct").to_utc()),
            ("1d".to_owned(), local(2, 23, 59, 59)),
            ("6h".to_owned(), due - Duration::hours(6)),
        ]
    );
    // 3d before, in EDT, is 73 real hours before the EST deadline.
    assert_eq!(due - planned[0].1, Duration::hours(73));
}

#[test]
fn a_day_lead_landing_in_a_dst_gap_falls_back_to_the_exact_span() {
    // 02:30 on Sunday 9 Mar 2025 does not exist in New York.
    let text = r#"
[daemon]
timezone = "America/New_York"
[alerts]
lead_times = ["1d"]
[[deadline]]
id = "gap"
title = "Deadline at 02:30"
due = "2025-03-10T02:30:00-04:00"
"#;
    let mut h = Harness::start(text, t("2025-03-01T00:00:00Z"));
    let planned = h.outbox("gap")[0].2;
    assert_eq!(planned, t("2025-03-10T02:30:00-04:00") - Duration::hours(24));
}

const DIGEST: &str = r#"
[daemon]
timezone = "America/New_York"
[alerts]
lead_times = ["1d"]
[[digest]]
name = "monday"
schedule = "0 8 * * Mon"
receivers = ["log"]
horizon = "30d"
"#;

#[test]
fn a_digest_goes_out_on_its_schedule_in_local_time() {
    // Friday 31 Oct 2025, New York; the next Monday 08:00 is after the DST change (EST).
    let mut h = Harness::start(DIGEST, t("2025-10-31T12:00:00Z"));
    assert!(h.tick(t("2025-10-31T12:00:00Z")).is_empty());
    assert_eq!(h.next_due(), Some(t("2025-11-03T13:00:00Z")), "08:00 EST is 13:00 UTC");
    let got = h.tick(t("2025-11-03T13:00:00.300Z"));
    assert_eq!(
        got,
        vec![("digest:monday".to_owned(), "2025-11-03T13:00:00+00:00".to_owned(), "log".to_owned(), false)]
    );
    assert!(h.tick(t("2025-11-03T13:05:00Z")).is_empty(), "once per occurrence");
    assert_eq!(h.next_due(), Some(t("2025-11-10T13:00:00Z")));
}

#[test]
fn digests_missed_while_down_are_sent_once_on_start_marked_late() {
    let mut h = Harness::start(DIGEST, t("2025-10-31T12:00:00Z"));
    h.tick(t("2025-10-31T12:00:00Z"));
    // Down for three Mondays.
    h.restart(DIGEST, t("2025-11-20T12:00:00Z"));
    let got = h.tick(t("2025-11-20T12:00:00Z"));
    assert_eq!(got, vec![("digest:monday".to_owned(), "2025-11-17T13:00:00+00:00".to_owned(), "log".to_owned(), true)]);
    assert!(h.tick(t("2025-11-20T12:00:01Z")).is_empty());
}

#[test]
fn a_new_digest_does_not_send_for_times_before_it_existed() {
    let mut h = Harness::start(DIGEST, t("2025-11-04T12:00:00Z"));
    assert!(h.tick(t("2025-11-04T12:00:00Z")).is_empty());
}

#[test]
fn a_retry_waiting_when_its_deadline_moves_is_cancelled_and_never_sent_with_the_old_lead() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    let refused = h.tick_with(t("2025-08-08T11:00:00Z"), |_| Err(NotifyError::retry("relay down")));
    assert_eq!(refused, vec![one("ru", "1h", "log", false)]);
    let rows = h.s().alerts(Some("ru")).expect("alerts");
    let waiting = rows.iter().find(|a| a.lead == "1h").expect("1h row");
    assert_eq!((waiting.state, waiting.attempts), (AlertState::Pending, 1), "waiting for its retry");

    let moved = BASIC.replace("2025-08-08T12:00:00Z", "2025-08-09T12:00:00Z");
    h.reload(&moved, t("2025-08-08T11:00:05Z"));
    let rows = h.s().alerts(Some("ru")).expect("alerts");
    let old = rows.iter().find(|a| a.lead == "1h" && a.key.revision == 1).expect("old 1h row");
    assert_eq!((old.state, old.cancel_reason.as_deref()), (AlertState::Cancelled, Some("moved")));
    // Long after the retry would have come: only the new revision's alerts, at their times.
    assert!(h.tick(t("2025-08-08T11:30:00Z")).is_empty(), "the old 1h alert is never sent");
    assert_eq!(h.tick(t("2025-08-09T11:00:00Z")), vec![one("ru", "1h", "log", false)]);
}

#[test]
fn a_row_is_checked_against_its_deadlines_revision_just_before_it_is_sent() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    // Another writer moved the deadline in the ledger without replanning (a crash between).
    h.s()
        .connection()
        .execute("UPDATE deadlines SET revision = revision + 1, due_ms = due_ms + 86400000 WHERE id = 'ru'", ())
        .expect("move");
    assert!(h.tick(t("2025-08-05T12:00:00Z")).is_empty(), "an alert of an old revision is not sent");
    let rows = h.s().alerts(Some("ru")).expect("alerts");
    let stale = rows.iter().find(|a| a.lead == "3d").expect("3d row");
    assert_eq!((stale.state, stale.cancel_reason.as_deref()), (AlertState::Cancelled, Some("moved")));
}

#[test]
fn ack_stops_the_remaining_leads_for_one_receiver_until_the_deadline_moves() {
    let two =
        format!("{BASIC}\n[[receiver]]\nname = \"a\"\ntype = \"log\"\n[[receiver]]\nname = \"b\"\ntype = \"log\"\n");
    let mut h = Harness::start(&two, t("2025-08-01T00:00:00Z"));
    assert_eq!(h.tick(t("2025-08-05T12:00:00Z")).len(), 2, "3d to a and b");
    let (revision, stopped) = h.s().ack("ru", Some("a"), t("2025-08-06T00:00:00Z")).expect("ack").expect("known");
    assert_eq!((revision, stopped), (1, 3), "1d, 1h and 0s stop for a");
    let got = h.tick(t("2025-08-07T12:00:00Z"));
    assert_eq!(got, vec![one("ru", "1d", "b", false)], "b still hears");
    // A restart replans from the config: the ack holds.
    h.restart(&two, t("2025-08-07T12:00:01Z"));
    assert_eq!(h.tick(t("2025-08-08T11:00:00Z")), vec![one("ru", "1h", "b", false)]);
    // A move is news: a hears of the new due time again.
    let moved = two.replace("2025-08-08T12:00:00Z", "2025-08-10T12:00:00Z");
    h.reload(&moved, t("2025-08-08T11:10:00Z"));
    let got = h.tick(t("2025-08-09T12:00:00Z"));
    assert_eq!(got, vec![one("ru", "1d", "a", false), one("ru", "1d", "b", false)]);
}

const QUIET: &str = r#"
[daemon]
timezone = "UTC"
[alerts]
lead_times = ["1d", "1h", "0s"]
late_after = "1m"
[[deadline]]
id = "ru"
title = "Secondary tariffs"
due = "2025-08-08T03:00:00Z"
tags = ["russia"]
[[receiver]]
name = "desk"
type = "log"
[[time_interval]]
name = "nights"
start = "22:00"
end = "07:00"
[[route]]
tags = ["russia"]
receivers = ["desk"]
mute_time_intervals = ["nights"]
urgent_lead = "1h"
"#;

#[test]
fn quiet_hours_hold_an_alert_until_they_end_and_urgent_leads_go_through() {
    let mut h = Harness::start(QUIET, t("2025-08-01T00:00:00Z"));
    // The 1d alert falls at 03:00, in the night: held until 07:00, then sent, late.
    assert!(h.tick(t("2025-08-07T03:00:00Z")).is_empty(), "held by the night");
    assert_eq!(h.next_due(), Some(t("2025-08-07T07:00:00Z")));
    assert_eq!(h.tick(t("2025-08-07T07:00:00Z")), vec![one("ru", "1d", "desk", true)]);
    // The 1h alert (02:00) and the deadline itself (03:00) are urgent: they go out at night.
    assert_eq!(h.tick(t("2025-08-08T02:00:00Z")), vec![one("ru", "1h", "desk", false)]);
    assert_eq!(h.tick(t("2025-08-08T03:00:00Z")), vec![one("ru", "0s", "desk", false)]);
}

#[test]
fn each_email_recipient_is_its_own_row_and_a_failure_retries_only_that_one() {
    let email = format!(
        "{BASIC}\n[smtp]\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\nfrom = \"sanctiond <s@example.org>\"\n\
         [[receiver]]\nname = \"desk\"\ntype = \"email\"\nto = [\"a@example.org\"]\ncc = [\"b@example.org\"]\n"
    );
    let mut h = Harness::start(&email, t("2025-08-01T00:00:00Z"));
    let rows = h.s().alerts(Some("ru")).expect("alerts");
    let recipients: std::collections::BTreeSet<&str> = rows.iter().map(|a| a.recipient.as_str()).collect();
    assert_eq!(recipients.into_iter().collect::<Vec<_>>(), ["a@example.org", "b@example.org"]);
    assert_eq!(rows.len(), 8, "4 leads x 2 recipients");
    let got = h.tick_with(t("2025-08-05T12:00:00Z"), |m| {
        if m.recipient == "b@example.org" { Err(NotifyError::retry("451 try later")) } else { Ok(()) }
    });
    assert_eq!(got.len(), 2);
    let states: Vec<(String, AlertState)> = h
        .s()
        .alerts(Some("ru"))
        .expect("alerts")
        .into_iter()
        .filter(|a| a.lead == "3d")
        .map(|a| (a.recipient, a.state))
        .collect();
    assert_eq!(
        states,
        vec![("a@example.org".to_owned(), AlertState::Sent), ("b@example.org".to_owned(), AlertState::Pending)]
    );
    // The retry goes to b alone.
    let retry = h.tick_with(t("2025-08-05T12:05:00Z"), |m| {
        assert_eq!(m.recipient, "b@example.org");
        Ok(())
    });
    assert_eq!(retry.len(), 1);
}

#[test]
fn a_deadline_outside_the_plausible_window_is_never_planned() {
    let far = BASIC.replace("2025-08-08T12:00:00Z", "9999-12-31T12:00:00Z");
    let mut h = Harness::start(&far, t("2025-08-01T00:00:00Z"));
    assert!(h.outbox("ru").is_empty(), "no alerts for the year 9999");
    let near = format!("[daemon]\nearliest = \"2025-08-10\"\n{BASIC}");
    let mut h = Harness::start(&near, t("2025-08-01T00:00:00Z"));
    assert!(h.outbox("ru").is_empty(), "nor before [daemon] earliest");
}

#[test]
fn a_receivers_own_max_retry_bounds_its_retries() {
    let hook = format!(
        "{BASIC}\n[[receiver]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\nmax_retry = \"30s\"\n"
    );
    let mut h = Harness::start(&hook, t("2025-08-01T00:00:00Z"));
    let down = |_: &Message| Err(NotifyError::retry("connection refused"));
    assert_eq!(h.tick_with(t("2025-08-05T12:00:00Z"), down).len(), 1);
    let row =
        |h: &mut Harness| h.s().alerts(Some("ru")).expect("rows").into_iter().find(|a| a.lead == "3d").expect("3d");
    let first = row(&mut h);
    assert_eq!(first.state, AlertState::Pending, "retried within its 30 s");
    // The second failure would put the next try past 30 s after the first: it fails for good.
    assert_eq!(h.tick_with(first.next_attempt, down).len(), 1);
    let last = row(&mut h);
    assert_eq!(last.state, AlertState::Failed);
    assert!(last.last_error.as_deref().is_some_and(|e| e.starts_with("gave up after 2 attempts over 30s")), "{last:?}");
}
