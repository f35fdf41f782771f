//! Delivery of due alerts to receivers. Today: the log receiver, one structured `tracing`
//! event per alert. Owns how an alert reads; not when it fires (that is `schedule`).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::{Config, ReceiverKind};
use crate::schedule::Deliver;
use crate::store::DueAlert;

/// The `tracing` target of alert events, so they can be filtered (`RUST_LOG=sanctiond::alert=info`).
pub const ALERT_TARGET: &str = "sanctiond::alert";

/// Sends each alert through the receiver it is addressed to.
#[derive(Debug, Default)]
pub struct Receivers;

impl Deliver for Receivers {
    fn deliver(&mut self, config: &Config, alert: &DueAlert) -> Result<(), String> {
        let name = &alert.alert.key.receiver;
        let receiver = config
            .receiver(name)
            .ok_or_else(|| format!("receiver \"{name}\" is no longer in the config"))?;
        match receiver.kind {
            ReceiverKind::Log => log_alert(alert, config.daemon.timezone),
        }
        Ok(())
    }
}

fn log_alert(alert: &DueAlert, tz: Tz) {
    let a = &alert.alert;
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
        "deadline alert: {}",
        lead_phrase(&a.lead),
    );
}

/// `2025-08-08 23:59:59 EDT`: a time as a reader in `tz` would write it.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

fn lead_phrase(lead: &str) -> String {
    match humantime::parse_duration(lead) {
        Ok(d) if d.is_zero() => "due now".to_owned(),
        _ => format!("due in {lead}"),
    }
}
