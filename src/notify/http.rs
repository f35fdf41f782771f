//! What every HTTP receiver shares: a client with sanctiond's limits, and how a reply is
//! read: 2xx is delivered, 408/429/5xx and connection errors are retried (honouring
//! `Retry-After`), any other status fails at once with the reply in the error.

use std::time::Duration;

use super::NotifyError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a refusing server's reply is kept in `last_error`.
const REPLY_CHARS: usize = 300;

/// A client for one receiver: its own timeout, no redirects (a POST is not re-sent elsewhere).
pub fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .user_agent(concat!("sanctiond/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// `request` with `body` as its JSON body.
pub fn json(request: reqwest::RequestBuilder, body: &serde_json::Value) -> reqwest::RequestBuilder {
    request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string())
}

/// Sends `request` and reads its reply as delivered, worth retrying, or final. `what` names
/// the receiver kind in messages; `redact` hides a secret that may appear in errors (a URL).
pub async fn send(request: reqwest::RequestBuilder, what: &str, redact: Option<&str>) -> Result<(), NotifyError> {
    let clean = |text: String| match redact {
        Some(secret) if !secret.is_empty() => text.replace(secret, "<redacted>"),
        _ => text,
    };
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "cannot connect"
            } else {
                "request failed"
            };
            // reqwest's errors carry the URL, which for chat webhooks is the secret.
            let e = e.without_url();
            return Err(NotifyError::retry(clean(format!("{what}: {kind}: {}", super::email::error_chain(&e)))));
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // Read against the clock by the pipeline: a notifier does not read the time.
    let retry_after =
        response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    // Only the start of a refusal is kept; a huge or endless reply is never read whole.
    let mut head = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while head.len() < REPLY_CHARS * 4 {
            match response.chunk().await {
                Ok(Some(chunk)) => head.extend_from_slice(&chunk[..chunk.len().min(REPLY_CHARS * 4 - head.len())]),
                _ => break,
            }
        }
    })
    .await;
    let reply: String = String::from_utf8_lossy(&head).chars().filter(|c| !c.is_control()).take(REPLY_CHARS).collect();
    let message = clean(format!("{what}: HTTP {status}: {reply}"));
    if status.as_u16() == 408 || status.as_u16() == 429 || status.is_server_error() {
        Err(NotifyError { message, retryable: true, retry_after })
    } else {
        Err(NotifyError::fail(message))
    }
}
