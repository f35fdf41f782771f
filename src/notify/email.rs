//! Sending mail through `[smtp]` with lettre: a pooled async transport (rustls), one SMTP
//! transaction per recipient so a refused address fails only itself, and errors sorted
//! into worth-retrying and final.

use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::{self, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{Secret, Smtp, SmtpTls};

/// A connection pool to the relay, usable from the blocking ledger thread.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// lettre's pool caps idle connections only; this caps the ones in use.
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    handle: tokio::runtime::Handle,
    pub(crate) from: lettre::message::Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

/// How one send went wrong, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Connection, TLS, timeout, 4xx, authentication: retry later.
    Transient(String),
    /// 5xx: the server refused; retrying gives the same answer.
    Permanent(String),
}

impl Mailer {
    /// Builds the transport; reads the extra CA file if one is configured.
    pub fn new(smtp: &Smtp, password: Option<Secret>, handle: tokio::runtime::Handle) -> Result<Mailer, String> {
        let tls_parameters = || -> Result<TlsParameters, String> {
            let mut builder = TlsParameters::builder(smtp.host.clone());
            if let Some(path) = &smtp.ca_file {
                let pem =
                    std::fs::read(path).map_err(|e| format!("cannot read [smtp] ca_file {}: {e}", path.display()))?;
                let cert = Certificate::from_pem(&pem)
                    .map_err(|e| format!("[smtp] ca_file {} is not a PEM certificate: {e}", path.display()))?;
                builder = builder.add_root_certificate(cert);
            }
            builder.build().map_err(|e| format!("cannot set up TLS for {}: {e}", smtp.host))
        };
        let tls = match smtp.tls {
            SmtpTls::StartTls => Tls::Required(tls_parameters()?),
            SmtpTls::Tls => Tls::Wrapper(tls_parameters()?),
            SmtpTls::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(smtp.timeout))
            .pool_config(PoolConfig::new().max_size(smtp.max_connections).idle_timeout(Duration::from_secs(60)));
        if let (Some(user), Some(password)) = (&smtp.username, password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(smtp.max_connections as usize));
        Ok(Mailer { transport: builder.build(), permits, handle, from: smtp.from.clone() })
    }

    /// Sends each `(message, recipient)` as its own SMTP transaction, at most the pool's
    /// size at once, and waits for all. Call from a thread outside the async runtime.
    pub fn send_all(&self, jobs: Vec<(std::sync::Arc<Vec<u8>>, Address)>) -> Vec<Result<(), SendError>> {
        let from = self.from.email.clone();
        let transport = self.transport.clone();
        let permits = std::sync::Arc::clone(&self.permits);
        self.handle.block_on(async move {
            let mut set = tokio::task::JoinSet::new();
            for (index, (message, rcpt)) in jobs.into_iter().enumerate() {
                let transport = transport.clone();
                let from = from.clone();
                let permits = std::sync::Arc::clone(&permits);
                set.spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    let result = match Envelope::new(Some(from), vec![rcpt]) {
                        Ok(envelope) => {
                            transport.send_raw(&envelope, &message).await.map(drop).map_err(|e| classify(&e))
                        }
                        Err(e) => Err(SendError::Permanent(format!("bad envelope: {e}"))),
                    };
                    (index, result)
                });
            }
            let mut results = Vec::new();
            while let Some(joined) = set.join_next().await {
                match joined {
                    Ok(r) => results.push(r),
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
            }
            results.sort_by_key(|(i, _)| *i);
            results.into_iter().map(|(_, r)| r).collect()
        })
    }
}

/// Sorts a lettre error into retry-or-not, with a message that says what to check.
pub fn classify(e: &smtp::Error) -> SendError {
    let text = error_chain(e);
    if let Some(code) = e.status() {
        let code = code.to_string();
        if matches!(code.as_str(), "530" | "534" | "535" | "538" | "454") {
            return SendError::Transient(format!(
                "authentication failed ({text}): check [smtp] username and the password"
            ));
        }
    }
    if e.is_permanent() {
        SendError::Permanent(format!("rejected by the relay: {text}"))
    } else if text.contains("failed to lookup address") || text.contains("Name or service not known") {
        SendError::Transient(format!("DNS: the relay's name does not resolve ({text}): check [smtp] host"))
    } else if text.contains("Connection refused") {
        SendError::Transient(format!(
            "connect: the relay refused the connection ({text}): is it running, and is [smtp] port right?"
        ))
    } else if e.is_tls() {
        SendError::Transient(format!("TLS failed ({text}): check [smtp] tls, port and ca_file"))
    } else if e.is_timeout() {
        SendError::Transient(format!("timed out ({text}): is the relay reachable?"))
    } else if e.is_transient() {
        SendError::Transient(text)
    } else {
        SendError::Transient(format!("cannot talk to the relay: {text}"))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}
