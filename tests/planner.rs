//! The planner and catch-up against a real SQLite ledger, driven by an injected clock:
//! each test says what time it is and checks which alerts exist and which go out.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use sanctiond::config::{self, Config};
use sanctiond::model::AlertState;
use sanctiond::schedule::{Deliver, Scheduler};
use sanctiond::store::{Delivery, DigestRun, DueAlert, Notice, Recipients, Store};

/// What a receiver got: (deadline, lead, receiver, late).
type Sent = Arc<Mutex<Vec<(String, String, String, bool)>>>;

struct Recorder(Sent);

impl Deliver for Recorder {
    fn deliver(&mut self, _: &Config, _: &Store, alerts: &[DueAlert], _: DateTime<Utc>) -> Vec<(Delivery, Recipients)> {
        let mut sent = self.0.lock().expect("lock");
        for alert in alerts {
            let a = &alert.alert;
            sent.push((a.key.deadline.clone(), a.lead.clone(), a.key.receiver.clone(), a.late));
        }
        alerts.iter().map(|a| (Delivery::Delivered, a.recipients.clone())).collect()
    }

    fn deliver_digest(&mut self, _: &Config, _: &Store, run: &DigestRun, _: DateTime<Utc>) -> (Delivery, Recipients) {
        let late = run.late;
        self.0.lock().expect("lock").push((
            format!("digest:{}", run.name),
            run.planned.to_rfc3339(),
            run.receiver.clone(),
            late,
        ));
        (Delivery::Delivered, Recipients::new())
    }

    fn deliver_notice(&mut self, _: &Config, notice: &Notice, _: DateTime<Utc>) -> (Delivery, Recipients) {
        let facts = notice.facts.iter().map(|f| f.deadline().unwrap_or("-").to_owned()).collect::<Vec<_>>().join(",");
        self.0.lock().expect("lock").push((format!("notice:{facts}"), String::new(), notice.receiver.clone(), false));
        (Delivery::Delivered, Recipients::new())
    }
}

struct Harness {
    dir: tempfile::TempDir,
    scheduler: Option<Scheduler>,
    sent: Sent,
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").to_utc()
}

fn parse(text: &str) -> Arc<Config> {
    Arc::new(config::parse(Path::new("test.toml"), text).unwrap_or_else(|e| panic!("{e}")))
}

impl Harness {
    fn start(config_text: &str, now: DateTime<Utc>) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut h = Harness { dir, scheduler: None, sent: Sent::default() };
        h.restart(config_text, now);
        h
    }

    /// Drops the scheduler (as a crash would) and opens the same ledger again.
    fn restart(&mut self, config_text: &str, now: DateTime<Utc>) {
        self.scheduler = None;
        let store = Store::open(&self.dir.path().join("ledger.sqlite3")).expect("open ledger");
        let deliver = Box::new(Recorder(Arc::clone(&self.sent)));
        let (scheduler, _) = Scheduler::open(store, parse(config_text), deliver, now).expect("scheduler");
        self.scheduler = Some(scheduler);
    }

    fn s(&mut self) -> &mut Scheduler {
        self.scheduler.as_mut().expect("running")
    }

    fn tick(&mut self, now: DateTime<Utc>) -> Vec<(String, String, String, bool)> {
        let before = self.sent.lock().expect("lock").len();
        self.s().tick(now).expect("tick");
        self.sent.lock().expect("lock")[before..].to_vec()
    }

    /// (lead, receiver, planned, state) of every outbox row of `deadline`.
    fn outbox(&mut self, deadline: &str) -> Vec<(String, String, DateTime<Utc>, AlertState)> {
        let alerts = self.s().store().alerts(Some(deadline)).expect("alerts");
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
    assert_eq!(h.s().next_due().expect("next"), Some(t("2025-08-05T12:00:00Z")));
    assert!(h.tick(t("2025-08-05T11:59:59.999Z")).is_empty(), "nothing before its time");
    assert_eq!(h.tick(t("2025-08-05T12:00:00.200Z")), vec![one("ru", "3d", "log", false)]);
    assert!(h.tick(t("2025-08-05T12:00:01Z")).is_empty(), "never twice");
    assert_eq!(h.s().next_due().expect("next"), Some(t("2025-08-07T12:00:00Z")));
    assert_eq!(h.tick(t("2025-08-07T12:00:00Z")), vec![one("ru", "1d", "log", false)]);
    assert_eq!(h.tick(t("2025-08-08T11:00:00Z")), vec![one("ru", "1h", "log", false)]);
    assert_eq!(h.tick(t("2025-08-08T12:00:00Z")), vec![one("ru", "0s", "log", false)]);
    assert_eq!(h.s().next_due().expect("next"), None);
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
    let report = h.s().reload(parse(&moved), t("2025-08-06T00:00:00Z")).expect("reload");
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
    let revisions = h.s().store().revisions("ru").expect("revisions");
    let dues: Vec<_> = revisions.iter().map(|r| (r.revision, r.due)).collect();
    assert_eq!(dues, vec![(1, t("2025-08-08T12:00:00Z")), (2, t("2025-08-10T12:00:00Z"))]);
    let deadline = h.s().store().deadline("ru").expect("query").expect("exists");
    assert_eq!((deadline.revision, deadline.due), (2, t("2025-08-10T12:00:00Z")), "a revision, not a new deadline");
}

#[test]
fn a_withdrawn_deadline_stops_alerting_and_comes_back_when_declared_again() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    let without = "[alerts]\nlead_times = [\"3d\", \"1d\", \"1h\", \"0s\"]\n";
    let report = h.s().reload(parse(without), t("2025-08-02T00:00:00Z")).expect("reload");
    assert_eq!(report.withdrawn, ["ru"]);
    let deadline = h.s().store().deadline("ru").expect("query").expect("kept");
    assert_eq!(deadline.status.as_str(), "withdrawn");
    assert!(h.outbox("ru").iter().all(|r| r.3 == AlertState::Cancelled));
    assert!(h.tick(t("2025-08-09T00:00:00Z")).is_empty(), "a withdrawn deadline sends nothing");

    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    h.s().reload(parse(without), t("2025-08-02T00:00:00Z")).expect("withdraw");
    let report = h.s().reload(parse(BASIC), t("2025-08-03T00:00:00Z")).expect("restore");
    assert_eq!(report.restored, ["ru"]);
    assert_eq!(h.outbox("ru").iter().filter(|r| r.3 == AlertState::Pending).count(), 4);
    assert_eq!(h.tick(t("2025-08-05T12:00:00Z")), vec![one("ru", "3d", "log", false)]);
}

#[test]
fn catch_up_latest_sends_only_the_most_recent_missed_alert_marked_late() {
    let mut h = Harness::start(BASIC, t("2025-08-01T00:00:00Z"));
    // Down from before the 3d alert until after the 1d alert.
    h.scheduler = None;
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
    h.scheduler = None;
    // Simulate a crash between writing `sending` and recording the delivery.
    let mut store = Store::open(&h.dir.path().join("ledger.sqlite3")).expect("open");
    store
        .connection()
        .execute("UPDATE outbox SET state = 'sending', next_attempt_ms = planned_ms WHERE lead = '3d'", [])
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
    assert_eq!(h.s().next_due().expect("next"), Some(t("2025-11-03T13:00:00Z")), "08:00 EST is 13:00 UTC");
    let got = h.tick(t("2025-11-03T13:00:00.300Z"));
    assert_eq!(
        got,
        vec![("digest:monday".to_owned(), "2025-11-03T13:00:00+00:00".to_owned(), "log".to_owned(), false)]
    );
    assert!(h.tick(t("2025-11-03T13:05:00Z")).is_empty(), "once per occurrence");
    assert_eq!(h.s().next_due().expect("next"), Some(t("2025-11-10T13:00:00Z")));
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
