//! Delivery: the outbox pipeline (claim → send → settle, see [`pipeline`]), one notifier
//! per receiver kind, and how each message reads ([`message`], [`render`]). Delivery
//! never plans, and never awaits the network while holding a lock.
//!
//! - [`pipeline`]: the dispatcher task, the retry policy, quiet hours.
//! - [`message`]: one claimed row → subject, bodies, JSON payload, formatted email.
//! - [`render`]: email templates, Message-IDs, escaping of untrusted text.
//! - [`log`], [`email`], [`webhook`], [`ntfy`], [`slack`], [`msteams`], [`matrix`]: the receivers.

pub mod email;
pub mod http;
pub mod log;
pub mod matrix;
pub mod message;
pub mod msteams;
pub mod ntfy;
pub mod pipeline;
pub mod render;
pub mod slack;
pub mod webhook;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::config::{Config, ReceiverKind, Secret};
pub use log::ALERT_TARGET;
pub use message::Message;

/// Why a send failed, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NotifyError {
    pub message: String,
    /// Connection errors, timeouts, 4xx SMTP replies, HTTP 408/429/5xx: try again later.
    pub retryable: bool,
    /// The server's `Retry-After`, as it wrote it (seconds or an HTTP date).
    pub retry_after: Option<String>,
}

impl NotifyError {
    pub fn retry(message: impl Into<String>) -> NotifyError {
        NotifyError { message: message.into(), retryable: true, retry_after: None }
    }

    pub fn fail(message: impl Into<String>) -> NotifyError {
        NotifyError { message: message.into(), retryable: false, retry_after: None }
    }
}

/// How one receiver sends.
#[derive(Debug)]
pub enum Notifier {
    /// Written to the log inside the transaction that settles the row (see [`log`]).
    Log,
    Email {
        mailer: email::Mailer,
        to: Vec<lettre::Address>,
    },
    Webhook(webhook::Webhook),
    Ntfy(ntfy::Ntfy),
    Slack(slack::Slack),
    MsTeams(msteams::MsTeams),
    Matrix(matrix::Matrix),
}

impl Notifier {
    /// Sends one message. Each notifier bounds its own time (`timeout`, `[smtp] timeout`).
    pub async fn send(&self, message: &Message) -> Result<(), NotifyError> {
        match self {
            Notifier::Log => {
                log::write(message);
                Ok(())
            }
            Notifier::Email { mailer, to } => {
                let bytes = message
                    .email
                    .as_deref()
                    .ok_or_else(|| NotifyError::fail("the message was not built as an email"))?;
                let one;
                let recipients: &[lettre::Address] = if message.recipient.is_empty() {
                    to
                } else {
                    one = [message
                        .recipient
                        .parse::<lettre::Address>()
                        .map_err(|e| NotifyError::fail(format!("bad recipient {:?}: {e}", message.recipient)))?];
                    &one
                };
                mailer.send(recipients, bytes).await
            }
            Notifier::Webhook(w) => w.send(message).await,
            Notifier::Ntfy(n) => n.send(message).await,
            Notifier::Slack(s) => s.send(message).await,
            Notifier::MsTeams(t) => t.send(message).await,
            Notifier::Matrix(m) => m.send(message).await,
        }
    }
}

/// One receiver: its notifier and how many of its sends may be on the wire at once.
#[derive(Debug)]
pub struct Endpoint {
    pub name: String,
    pub notifier: Notifier,
    /// Shared by every email receiver (one relay, `[smtp] max_connections`).
    pub permits: Arc<Semaphore>,
    /// Rows claimed for this receiver ahead of their sends.
    pub(crate) ahead: pipeline::Ahead,
}

/// The receivers of one config, by name.
#[derive(Debug, Default)]
pub struct Notifiers {
    pub endpoints: HashMap<String, Arc<Endpoint>>,
    pub renderer: Option<Arc<render::Renderer>>,
}

/// The secrets the receivers of a config need, read by the daemon (the only reader of
/// files named in the config and of the environment), by receiver name.
pub type Secrets = HashMap<String, Secret>;

impl Notifiers {
    /// Builds every receiver of `config`. `mailer` is the relay when there is `[smtp]`;
    /// `secrets` holds each receiver's secret (webhook key, chat URL, token).
    pub fn new(config: &Config, mailer: Option<email::Mailer>, secrets: &Secrets) -> Result<Notifiers, String> {
        let renderer = render::Renderer::new(&config.templates).map_err(|e| e.to_string())?;
        let mail_permits = Arc::new(Semaphore::new(mailer.as_ref().map_or(1, email::Mailer::max_connections)));
        let mut endpoints = HashMap::new();
        for r in &config.receivers {
            let secret = secrets.get(&r.name);
            let needs = |what: &str| secret.ok_or_else(|| format!("receiver \"{}\": its {what} was not read", r.name));
            let notifier = match &r.kind {
                ReceiverKind::Log => Notifier::Log,
                ReceiverKind::Email { to, cc } => Notifier::Email {
                    mailer: mailer.clone().ok_or_else(|| format!("receiver \"{}\" needs [smtp]", r.name))?,
                    to: to.iter().chain(cc).map(|m| m.email.clone()).collect(),
                },
                ReceiverKind::Webhook { url, .. } => Notifier::Webhook(webhook::Webhook::new(url, secret, r.timeout)?),
                ReceiverKind::Ntfy { url, .. } => Notifier::Ntfy(ntfy::Ntfy::new(url, secret, r.timeout)?),
                ReceiverKind::Slack { .. } => Notifier::Slack(slack::Slack::new(needs("URL")?, r.timeout)?),
                ReceiverKind::MsTeams { .. } => Notifier::MsTeams(msteams::MsTeams::new(needs("URL")?, r.timeout)?),
                ReceiverKind::Matrix { homeserver, room, .. } => {
                    Notifier::Matrix(matrix::Matrix::new(homeserver, room, needs("access token")?, r.timeout)?)
                }
            };
            let permits = match &r.kind {
                ReceiverKind::Email { .. } => Arc::clone(&mail_permits),
                _ => Arc::new(Semaphore::new(r.max_concurrent)),
            };
            endpoints.insert(
                r.name.clone(),
                Arc::new(Endpoint { name: r.name.clone(), notifier, permits, ahead: pipeline::Ahead::default() }),
            );
        }
        Ok(Notifiers { endpoints, renderer: Some(Arc::new(renderer)) })
    }
}
