//! Upgrading a ledger that a version before the one outbox wrote (schema 5): its alerts,
//! digest runs and notices become outbox rows with their states, nothing is lost or sent
//! again, and the daemon's first start after the upgrade plans per recipient.

use std::path::Path;

use chrono::{DateTime, Utc};
use sanctiond::config;
use sanctiond::model::{AlertState, MessageKind};
use sanctiond::notify::{Notifiers, pipeline};
use sanctiond::schedule;
use sanctiond::store::Store;

fn migration(n: usize) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
    let name = std::fs::read_dir(&dir)
        .expect("migrations")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .find(|f| f.starts_with(&format!("{n:04}_")))
        .expect("migration file");
    std::fs::read_to_string(dir.join(name)).expect("read")
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").to_utc()
}

/// A schema-5 ledger, as the version before the one outbox left it.
fn version_5(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL;").expect("wal");
    for n in 1..=5 {
        conn.execute_batch(&migration(n)).expect("migration");
    }
    conn.execute_batch(
        r#"
        PRAGMA user_version = 5;
        INSERT INTO deadlines (id, title, due_ms, status, origin, tags, lead_times, match_phrases, revision,
                               created_ms, updated_ms, tracking, config_due_ms, subject)
        VALUES ('ru', 'Secondary tariffs', 1754654400000, 'active', 'config', '[]', NULL, '[]', 1,
                1754006400000, 1754006400000, 'tracked', 1754654400000, 'secondary tariffs');
        INSERT INTO revisions (deadline_id, revision, due_ms, recorded_ms, source)
        VALUES ('ru', 1, 1754654400000, 1754006400000, 'config:test.toml');
        -- 3d sent, 1d waiting for a retry (old 'sending'), 1h and 0s pending, one cancelled.
        INSERT INTO outbox (deadline_id, revision, lead_seconds, receiver, lead, planned_ms, state, attempts, late,
                            sent_ms, last_error, cancel_reason, next_attempt_ms, first_attempt_ms, recipients)
        VALUES ('ru', 1, 259200, 'log', '3d', 1754395200000, 'sent', 1, 0, 1754395200100, NULL, NULL, NULL,
                1754395200000, '{}'),
               ('ru', 1, 86400, 'log', '1d', 1754568000000, 'sending', 1, 0, NULL, 'relay down', NULL,
                1754568030000, 1754568000000, '{}'),
               ('ru', 1, 3600, 'log', '1h', 1754650800000, 'pending', 0, 0, NULL, NULL, NULL, NULL, NULL, '{}'),
               ('ru', 1, 0, 'log', '0s', 1754654400000, 'pending', 0, 0, NULL, NULL, NULL, NULL, NULL, '{}'),
               ('ru', 1, 21600, 'log', '6h', 1754632800000, 'cancelled', 0, 0, NULL, NULL, 'replanned', NULL, NULL,
                '{}');
        INSERT INTO digest_runs (name, planned_ms, receiver, state, late, attempts, next_attempt_ms, sent_ms)
        VALUES ('monday', 1754280000000, 'log', 'sent', 0, 1, 1754280000000, 1754280000100);
        INSERT INTO notices (receiver, created_ms, facts, state, next_attempt_ms)
        VALUES ('log', 1754006400000, '[{"kind":"new_deadline","deadline":"ru","title":"Secondary tariffs","due":"2025-08-08T12:00:00Z","source":"Wire"}]',
                'pending', 1754006400000);
        "#,
    )
    .expect("rows");
}

#[test]
fn a_schema_5_ledger_keeps_every_row_in_the_one_outbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ledger.sqlite3");
    version_5(&path);

    let store = Store::open(&path).expect("migrated");
    let rows = store.alerts(None).expect("rows");
    let by = |kind: MessageKind, lead: &str| {
        rows.iter()
            .find(|r| r.kind == kind && (kind != MessageKind::Alert || r.lead == lead))
            .unwrap_or_else(|| panic!("a {kind:?} {lead} row in {rows:#?}"))
    };
    assert_eq!(rows.len(), 7, "5 alerts, a digest run and a notice: {rows:#?}");
    assert_eq!((by(MessageKind::Alert, "3d").state, by(MessageKind::Alert, "3d").attempts), (AlertState::Sent, 1));
    let retry = by(MessageKind::Alert, "1d");
    assert_eq!(retry.state, AlertState::Pending, "a retry waits as pending now");
    assert_eq!((retry.attempts, retry.last_error.as_deref()), (1, Some("relay down")));
    assert_eq!(retry.next_attempt, t("2025-08-07T12:00:30Z"), "at its retry time");
    let cancelled = by(MessageKind::Alert, "6h");
    assert_eq!((cancelled.state, cancelled.cancel_reason.as_deref()), (AlertState::Cancelled, Some("replanned")));
    let digest = by(MessageKind::Digest, "");
    assert_eq!((digest.state, digest.label().as_str()), (AlertState::Sent, "digest monday"));
    let notice = by(MessageKind::Notice, "");
    assert_eq!(notice.state, AlertState::Pending, "the notice not yet sent is still to send");
    assert_eq!(store.notice_facts(notice.notice.expect("id")).expect("facts").len(), 1);
    drop(store);

    // The first start after the upgrade: what was sent is not sent again, the rest goes out.
    let text = "[alerts]\nlead_times = [\"3d\", \"1d\", \"1h\", \"0s\"]\n[[deadline]]\nid = \"ru\"\n\
                title = \"Secondary tariffs\"\ndue = \"2025-08-08T12:00:00Z\"\n";
    let config = config::parse(Path::new("test.toml"), text).unwrap_or_else(|e| panic!("{e}"));
    let mut store = Store::open(&path).expect("open");
    let now = t("2025-08-07T12:01:00Z");
    schedule::sync(&mut store, &config, now).expect("sync");
    let notifiers = Notifiers::new(&config, None, &Default::default()).expect("notifiers");
    let mut sent = Vec::new();
    pipeline::deliver_due(&mut store, &config, &notifiers, now, &mut |m| {
        sent.push((m.kind, m.payload["lead"].as_str().unwrap_or("").to_owned()));
        Ok(())
    })
    .expect("deliver");
    // Oldest first: the notice has waited since before the 1d alert was due.
    assert_eq!(sent, vec![(MessageKind::Notice, String::new()), (MessageKind::Alert, "1d".to_owned())], "{sent:?}");
    let rows = store.alerts(Some("ru")).expect("rows");
    let pending: Vec<&str> = rows.iter().filter(|r| r.state == AlertState::Pending).map(|r| r.lead.as_str()).collect();
    assert_eq!(pending, ["1h", "0s"], "{rows:#?}");
}
