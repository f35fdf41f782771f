//! The webhook receiver: the message's JSON payload as a POST, its `id` stable across
//! retries (`X-Sanctiond-Id` too), signed with HMAC-SHA256 of the raw body in
//! `X-Sanctiond-Signature: sha256=<hex>` when a secret is configured.

use std::time::Duration;

use aws_lc_rs::hmac;

use super::message::Message;
use super::{NotifyError, http};
use crate::config::Secret;

pub struct Webhook {
    client: reqwest::Client,
    url: String,
    // Boxed: a key holds its hash state, over a kilobyte.
    key: Option<Box<hmac::Key>>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook").field("url", &self.url).field("signed", &self.key.is_some()).finish()
    }
}

impl Webhook {
    pub fn new(url: &str, secret: Option<&Secret>, timeout: Duration) -> Result<Webhook, String> {
        let key = secret.map(|s| Box::new(hmac::Key::new(hmac::HMAC_SHA256, s.expose().as_bytes())));
        Ok(Webhook { client: http::client(timeout)?, url: url.to_owned(), key })
    }

    pub async fn send(&self, message: &Message) -> Result<(), NotifyError> {
        let body = serde_json::to_vec(&message.payload)
            .map_err(|e| NotifyError::fail(format!("cannot encode the payload: {e}")))?;
        let mut request = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Sanctiond-Id", &message.id)
            .header("X-Sanctiond-Kind", message.kind.as_str());
        if let Some(key) = &self.key {
            request = request.header("X-Sanctiond-Signature", signature(key, &body));
        }
        http::send(request.body(body), "webhook", None).await
    }
}

/// `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub fn signature(key: &hmac::Key, body: &[u8]) -> String {
    let tag = hmac::sign(key, body);
    let mut out = String::from("sha256=");
    for byte in tag.as_ref() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_hmac_sha256() {
        // RFC 4231 test case 2.
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"Jefe");
        assert_eq!(
            signature(&key, b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
