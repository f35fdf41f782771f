//! The Microsoft Teams receiver: an incoming webhook (its URL is the secret) carrying an
//! Adaptive Card: the subject, the message, and one button per source.

use std::time::Duration;

use serde_json::{Value, json};

use super::message::Message;
use super::{NotifyError, http};
use crate::config::Secret;

pub struct MsTeams {
    client: reqwest::Client,
    url: Secret,
}

impl std::fmt::Debug for MsTeams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MsTeams").field("url", &self.url).finish_non_exhaustive()
    }
}

impl MsTeams {
    pub fn new(url: &Secret, timeout: Duration) -> Result<MsTeams, String> {
        Ok(MsTeams { client: http::client(timeout)?, url: url.clone() })
    }

    pub async fn send(&self, message: &Message) -> Result<(), NotifyError> {
        let request = http::json(self.client.post(self.url.expose()), &card(message));
        http::send(request, "msteams", Some(self.url.expose())).await
    }
}

/// Adaptive Cards read a Markdown subset in text blocks (emphasis, links, lists): untrusted
/// text has those markers escaped, list markers only where they start a line, so a date
/// like 2025-08-08 reads as written.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut line_start = true;
    for c in text.chars() {
        let marker =
            matches!(c, '\\' | '*' | '_' | '[' | ']' | '`') || (line_start && matches!(c, '-' | '+' | '#' | '>'));
        if marker {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

/// The message as a Teams message with one Adaptive Card.
pub fn card(message: &Message) -> Value {
    let actions: Vec<Value> = message.payload["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let url = s["url"].as_str().filter(|u| u.starts_with("https://") || u.starts_with("http://"))?;
            Some(json!({"type": "Action.OpenUrl", "title": s["source"].as_str().unwrap_or("source"), "url": url}))
        })
        .take(5)
        .collect();
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    {"type": "TextBlock", "text": escape(&message.subject), "weight": "Bolder", "size": "Medium", "wrap": true},
                    {"type": "TextBlock", "text": escape(&message.text.chars().take(6000).collect::<String>()), "wrap": true},
                ],
                "actions": actions,
            }
        }]
    })
}
