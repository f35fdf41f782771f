//! The ntfy receiver: a push to a topic (`url = "https://ntfy.sh/desk-alerts"`) through
//! ntfy's JSON publishing, with the priority rising as the deadline nears.

use std::time::Duration;

use super::message::Message;
use super::{NotifyError, http};
use crate::config::Secret;

pub struct Ntfy {
    client: reqwest::Client,
    /// The server's root, where JSON messages are published.
    base: String,
    topic: String,
    token: Option<Secret>,
}

impl std::fmt::Debug for Ntfy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ntfy").field("base", &self.base).field("topic", &self.topic).finish_non_exhaustive()
    }
}

impl Ntfy {
    pub fn new(url: &str, token: Option<&Secret>, timeout: Duration) -> Result<Ntfy, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("ntfy url {url}: {e}"))?;
        let topic = parsed.path_segments().and_then(|mut s| s.next_back()).unwrap_or("").to_owned();
        if topic.is_empty() {
            return Err(format!("ntfy url {url} names no topic: write it like https://ntfy.sh/desk-alerts"));
        }
        let mut base = parsed.clone();
        base.set_path(parsed.path().strip_suffix(&topic).unwrap_or("/"));
        Ok(Ntfy { client: http::client(timeout)?, base: base.to_string(), topic, token: token.cloned() })
    }

    pub async fn send(&self, message: &Message) -> Result<(), NotifyError> {
        let text: String = message.text.chars().take(3500).collect();
        let body = serde_json::json!({
            "topic": self.topic,
            "title": message.subject,
            "message": text,
            "priority": priority(message.lead_seconds),
            "tags": [message.kind.as_str()],
        });
        let mut request = http::json(self.client.post(&self.base), &body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        http::send(request, "ntfy", None).await
    }
}

/// ntfy's 1-5: an hour or less to go is urgent (5), a day high (4), three days the
/// default (3), further out low (2). Notices and digests are default.
pub fn priority(lead_seconds: Option<i64>) -> u8 {
    match lead_seconds {
        None => 3,
        Some(s) if s <= 3_600 => 5,
        Some(s) if s <= 86_400 => 4,
        Some(s) if s <= 3 * 86_400 => 3,
        Some(_) => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_rises_as_the_deadline_nears() {
        let p: Vec<u8> = [7 * 86_400, 3 * 86_400, 86_400, 3_600, 0].iter().map(|s| priority(Some(*s))).collect();
        assert_eq!(p, vec![2, 3, 4, 5, 5]);
        assert_eq!(priority(None), 3);
    }

    #[test]
    fn the_topic_is_the_last_path_segment() {
        let n = Ntfy::new("https://ntfy.example.org/sub/desk", None, Duration::from_secs(1)).expect("ntfy");
        assert_eq!((n.base.as_str(), n.topic.as_str()), ("https://ntfy.example.org/sub/", "desk"));
        assert!(Ntfy::new("https://ntfy.example.org/", None, Duration::from_secs(1)).is_err());
    }
}
