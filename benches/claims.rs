//! Claims on a shared PostgreSQL ledger: N alert rows due now, drained by two daemons'
//! stores at once (two threads, two connections, two owners), each claiming batches with
//! `FOR UPDATE SKIP LOCKED` and settling every row in its own transaction, as the log
//! receiver does. Prints rows/s for claim + settle and for claims alone, and checks that no
//! row was claimed twice. A real PostgreSQL (initdb + pg_ctl on loopback, fsync off).
//! `cargo bench --bench claims`; quick mode (`cargo test`): 1,000 rows.

use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use chrono::{DateTime, Utc};
use sanctiond::store::db::Connector;
use sanctiond::store::{Location, Outcome, Owner, PgTarget, Store};

mod common;
#[path = "../tests/support/pg.rs"]
mod pg;

const BATCH: usize = 200;

/// `rows` tracked deadlines, each with one alert to the `log` receiver due at `now`,
/// settled by catch-up as on time.
fn load(store: &mut Store, rows: i64, now: DateTime<Utc>) {
    let ms = now.timestamp_millis();
    let sql = format!(
        "BEGIN;
         INSERT INTO deadlines (id, title, due_ms, status, origin, tags, lead_times, match_phrases, revision,
                                created_ms, updated_ms, tracking, config_due_ms, subject)
         SELECT 'd' || lpad(CAST(i AS text), 7, '0'), 'Deadline ' || i, {ms}, 'active', 'article', '[]', NULL, '[]', 1,
                {ms}, {ms}, 'tracked', NULL, 'deadline ' || i FROM generate_series(0, {last}) AS i;
         INSERT INTO revisions (deadline_id, revision, due_ms, recorded_ms, source)
         SELECT id, 1, due_ms, {ms}, 'bench' FROM deadlines;
         INSERT INTO outbox (kind, key, receiver, recipient, deadline_id, revision, lead_seconds, lead, planned_ms,
                             state, late, next_attempt_ms)
         SELECT 'alert', id || '/1/0', 'log', '', id, 1, 0, '0s', {ms}, 'pending', 0, {ms} FROM deadlines;
         COMMIT;",
        last = rows - 1
    );
    store.connection().execute_batch(&sql).expect("bulk load");
}

/// Two owners drain the outbox at once; each returns the ids it claimed.
fn drain(location: &Location, now: DateTime<Utc>, settle: bool) -> (Vec<Vec<i64>>, f64) {
    let start = Arc::new(Barrier::new(3));
    let workers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|id| {
            let (location, start) = (location.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let mut store = Store::open_at(&location).expect("ledger");
                store.set_owner(Some(Owner { id: id.to_owned(), lease: chrono::Duration::seconds(30) }));
                start.wait();
                let mut mine = Vec::new();
                loop {
                    let (claimed, _) = store.claim("log", BATCH, now).expect("claim");
                    if claimed.is_empty() {
                        break;
                    }
                    for c in claimed {
                        if settle {
                            store.settle(c.row.id, &Outcome::Sent, now).expect("settle");
                        }
                        mine.push(c.row.id);
                    }
                }
                mine
            })
        })
        .collect();
    start.wait();
    let t0 = Instant::now();
    let claimed: Vec<Vec<i64>> = workers.into_iter().map(|w| w.join().expect("worker")).collect();
    (claimed, t0.elapsed().as_secs_f64())
}

fn main() {
    let quick = common::quick();
    common::announce("claims", quick);
    let rows: i64 = if quick { 1_000 } else { 20_000 };
    let cluster = pg::Cluster::start_new("bench");
    for (phase, settle) in [("claim + settle", true), ("claim only", false)] {
        let url = cluster.database();
        let location = Location::Postgres(Box::new(PgTarget {
            config: url.parse().expect("url"),
            connector: Connector::plain(),
            label: url,
        }));
        let now = Utc::now();
        let mut store = Store::open_at(&location).expect("ledger");
        load(&mut store, rows, now);
        drop(store);
        let (claimed, secs) = drain(&location, now, settle);
        let total: usize = claimed.iter().map(Vec::len).sum();
        let unique: HashSet<i64> = claimed.iter().flatten().copied().collect();
        #[allow(clippy::cast_precision_loss)]
        let rate = total as f64 / secs;
        println!(
            "claims ({phase}): {rows} rows, two daemons: {} + {} claimed in {secs:.2} s = {rate:.0} rows/s; {} claimed twice",
            claimed[0].len(),
            claimed[1].len(),
            total - unique.len()
        );
        assert_eq!(unique.len(), usize::try_from(rows).unwrap_or(0), "every row claimed");
        assert_eq!(total, unique.len(), "no row claimed twice");
    }
}
