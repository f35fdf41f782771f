//! sanctiond watches for sanctions deadlines and warns the people who must act before
//! each one lands.
//!
//! Deadlines come from the config (`[[deadline]]`) and, later, from the news it reads. They
//! are kept in a ledger (one SQLite file) with the history of their due times. For every
//! deadline and lead time ("7d", "1h", "0s") the planner writes one alert per routed
//! receiver into the ledger's outbox before it is due; the timer loop sleeps until the
//! next one, and each alert is delivered once, across restarts and crashes.
//!
//! ```text
//! config ──► store (ledger) ──► schedule (plan, timer, catch-up) ──► notify (receivers)
//! ```
//!
//! Layout:
//! - [`cli`]: the command line, human and JSON output, exit codes.
//! - [`config`]: the TOML config, validated with the line and column of every problem.
//! - [`model`]: domain types (deadlines, lead times, alerts) shared by every stage.
//! - [`extract`]: pure text → facts: time expressions, deadlines, talk events.
//! - [`ingest`]: articles in: extraction, tracking by topic and actor, merge into the ledger.
//! - [`store`]: the SQLite ledger: schema, migrations, deadlines, revisions, outbox,
//!   articles, talks, notices.
//! - [`schedule`]: lead-time planning, catch-up after downtime, the timer loop.
//! - [`notify`]: delivery of due alerts to receivers (the log today).
//! - [`replay`]: the pipeline under a simulated clock over past articles, sending nothing.
//! - [`daemon`]: wiring, signals, reload, sd_notify; the only reader of the wall clock.

pub mod cli;
pub mod config;
pub mod daemon;
pub mod extract;
pub mod http;
pub mod ics;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod replay;
pub mod schedule;
pub mod store;
pub mod views;
