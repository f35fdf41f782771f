//! The Slack receiver: an incoming webhook (its URL is the secret) with readable blocks:
//! a header, the message as text, and the sources as links.

use std::time::Duration;

use serde_json::{Value, json};

use super::message::Message;
use super::{NotifyError, http};
use crate::config::Secret;

pub struct Slack {
    client: reqwest::Client,
    url: Secret,
}

impl std::fmt::Debug for Slack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slack").field("url", &self.url).finish_non_exhaustive()
    }
}

impl Slack {
    pub fn new(url: &Secret, timeout: Duration) -> Result<Slack, String> {
        Ok(Slack { client: http::client(timeout)?, url: url.clone() })
    }

    pub async fn send(&self, message: &Message) -> Result<(), NotifyError> {
        let request = http::json(self.client.post(self.url.expose()), &blocks(message));
        http::send(request, "slack", Some(self.url.expose())).await
    }
}

/// Slack's mrkdwn treats `&`, `<` and `>` as markup: untrusted text is escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The message as Block Kit: a header, the body, and a context line of sources.
pub fn blocks(message: &Message) -> Value {
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": cut(&message.subject, 148)}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&escape(&message.text), 2900)}}),
    ];
    let links: Vec<String> = message.payload["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let source = escape(s["source"].as_str()?);
            Some(match s["url"].as_str() {
                Some(url) if !url.contains(['<', '>', '|']) => format!("<{url}|{source}>"),
                _ => source,
            })
        })
        .take(10)
        .collect();
    if !links.is_empty() {
        blocks
            .push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": cut(&links.join(" · "), 2900)}]}));
    }
    // `text` is the notification's fallback, read as mrkdwn too: a `<!channel>` in a title
    // must not ping anyone.
    json!({"text": escape(&message.subject), "blocks": blocks})
}
