//! The log receiver: one structured `tracing` event per alert, per notice fact and per
//! digest, on stderr (the journal under systemd). Written inside the transaction that
//! settles its row, so a crash never logs an alert twice.

use serde_json::Value;

use super::message::Message;
use crate::model::MessageKind;

/// The `tracing` target of alert events, so they can be filtered (`RUST_LOG=sanctiond::alert=info`).
pub const ALERT_TARGET: &str = "sanctiond::alert";

/// Writes `message` to the log.
pub fn write(message: &Message) {
    let p = &message.payload;
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    match message.kind {
        MessageKind::Alert => {
            let d = &p["deadline"];
            let talks: Vec<String> =
                p["talks"].as_array().map(|ts| ts.iter().map(talk_line).collect()).unwrap_or_default();
            let lead = s(&p["lead"]);
            tracing::info!(
                target: ALERT_TARGET,
                deadline = %s(&d["id"]),
                title = ?s(&d["title"]),
                due = %s(&d["due"]),
                due_local = ?s(&d["due_local"]),
                lead = %lead,
                late = p["late"].as_bool().unwrap_or(false),
                receiver = %message.receiver,
                planned = %s(&p["planned"]),
                remaining = ?s(&p["remaining"]),
                talks = ?talks,
                "deadline alert: {}",
                if lead == "0s" { "due now".to_owned() } else { format!("due in {lead}") },
            );
        }
        MessageKind::Notice => {
            for fact in p["facts"].as_array().into_iter().flatten() {
                tracing::info!(
                    target: ALERT_TARGET,
                    notice = %message.id,
                    receiver = %message.receiver,
                    deadline = fact["deadline"].as_str().unwrap_or("-"),
                    "notice: {}",
                    fact["text"].as_str().unwrap_or("")
                );
            }
        }
        MessageKind::Digest => {
            let ids: Vec<String> =
                p["deadlines"].as_array().map(|ds| ds.iter().map(|d| s(&d["id"])).collect()).unwrap_or_default();
            tracing::info!(
                target: ALERT_TARGET,
                digest = %s(&p["digest"]),
                late = p["late"].as_bool().unwrap_or(false),
                receiver = %message.receiver,
                deadlines = ?ids,
                "digest: {} deadlines due in the next {}",
                ids.len(),
                s(&p["horizon"]),
            );
        }
    }
}

/// "2025-08-06 held Steve Witkoff & Vladimir Putin in Moscow (constructive), reported by France 24".
fn talk_line(t: &Value) -> String {
    let names: Vec<&str> =
        t["participants"].as_array().map(|ps| ps.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let mut line =
        format!("{} {} {}", t["date"].as_str().unwrap_or(""), t["status"].as_str().unwrap_or(""), names.join(" & "));
    if let Some(place) = t["place"].as_str() {
        line.push_str(&format!(" in {place}"));
    }
    let tone: Vec<&str> =
        t["tone"].as_array().map(|ws| ws.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    if !tone.is_empty() {
        line.push_str(&format!(" ({})", tone.join(", ")));
    }
    line.push_str(&format!(", reported by {}", t["reported_by"].as_str().unwrap_or("unknown")));
    line
}
