//! Sending mail through `[smtp]` with lettre: a small pool of reused connections (at most
//! `max_connections` in use), one SMTP transaction per recipient so a refused address fails
//! only itself, and errors sorted into worth-retrying and final.
//!
//! The pool is ours rather than lettre's: lettre's pool caps idle connections only, and it
//! cannot set TCP_NODELAY, without which every message waits out a delayed ACK (the body
//! and its final dot go out as two writes), capping a connection near 25 messages/s.

use std::sync::Arc;
use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::sync::{Mutex, Semaphore};

use super::NotifyError;
use crate::config::{Secret, Smtp, SmtpTls};

/// How long a pooled connection's NOOP check may take before the connection is dropped.
const NOOP_TIMEOUT: Duration = Duration::from_secs(5);
/// A pooled connection used more recently than this is reused without a NOOP first: in a
/// burst, the round trip would cost as much as the message.
const FRESH: Duration = Duration::from_secs(2);

/// Connections to the relay, shared by every email receiver.
#[derive(Clone)]
pub struct Mailer {
    relay: Arc<Relay>,
    pub(crate) from: lettre::message::Mailbox,
}

struct Relay {
    host: String,
    port: u16,
    tls: SmtpTls,
    tls_parameters: Option<TlsParameters>,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
    /// Pooled connections, with when each last finished a transaction.
    idle: Mutex<Vec<(AsyncSmtpConnection, tokio::time::Instant)>>,
    max_connections: usize,
    permits: Semaphore,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("relay", &format!("{}:{} ({})", self.relay.host, self.relay.port, self.relay.tls.as_str()))
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
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
    /// Sets up the relay; reads the extra CA file if one is configured. Connects lazily.
    pub fn new(smtp: &Smtp, password: Option<Secret>) -> Result<Mailer, String> {
        let tls_parameters = match smtp.tls {
            SmtpTls::None => None,
            SmtpTls::StartTls | SmtpTls::Tls => {
                let mut builder = TlsParameters::builder(smtp.host.clone());
                if let Some(path) = &smtp.ca_file {
                    let pem = std::fs::read(path)
                        .map_err(|e| format!("cannot read [smtp] ca_file {}: {e}", path.display()))?;
                    let cert = Certificate::from_pem(&pem)
                        .map_err(|e| format!("[smtp] ca_file {} is not a PEM certificate: {e}", path.display()))?;
                    builder = builder.add_root_certificate(cert);
                }
                Some(builder.build().map_err(|e| format!("cannot set up TLS for {}: {e}", smtp.host))?)
            }
        };
        let credentials = match (&smtp.username, password) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.expose().to_owned())),
            _ => None,
        };
        let relay = Relay {
            host: smtp.host.clone(),
            port: smtp.port,
            tls: smtp.tls,
            tls_parameters,
            credentials,
            timeout: smtp.timeout,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
            max_connections: smtp.max_connections as usize,
            permits: Semaphore::new(smtp.max_connections as usize),
        };
        Ok(Mailer { relay: Arc::new(relay), from: smtp.from.clone() })
    }

    /// How many messages may be on the wire at once (`[smtp] max_connections`).
    pub fn max_connections(&self) -> usize {
        self.relay.max_connections
    }

    /// Sends `message` to each of `recipients` as its own SMTP transaction, one after the
    /// other on one connection. Every step is bounded by `[smtp] timeout`; a connection that
    /// timed out is dropped without waiting for a QUIT reply.
    pub async fn send(&self, recipients: &[Address], message: &[u8]) -> Result<(), NotifyError> {
        let mut transient = Vec::new();
        let mut refused = Vec::new();
        for rcpt in recipients {
            let result = match Envelope::new(Some(self.from.email.clone()), vec![rcpt.clone()]) {
                Ok(envelope) => self.relay.send(&envelope, message).await,
                Err(e) => Err(SendError::Permanent(format!("bad envelope: {e}"))),
            };
            match result {
                Ok(()) => {}
                Err(SendError::Transient(e)) => transient.push(format!("{rcpt}: {e}")),
                Err(SendError::Permanent(e)) => refused.push(format!("{rcpt}: {e}")),
            }
        }
        if !transient.is_empty() {
            Err(NotifyError::retry(transient.join("; ")))
        } else if !refused.is_empty() {
            Err(NotifyError::fail(refused.join("; ")))
        } else {
            Ok(())
        }
    }
}

impl Relay {
    async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let _permit = self.permits.acquire().await.map_err(|_| SendError::Transient("mailer closed".into()))?;
        let mut reused = None;
        if let Some((mut conn, used)) = self.idle.lock().await.pop() {
            // A relay may keep a pooled connection open and never answer its NOOP.
            let alive = used.elapsed() < FRESH
                || matches!(
                    tokio::time::timeout(NOOP_TIMEOUT.min(self.timeout), conn.test_connected()).await,
                    Ok(true)
                );
            if alive {
                reused = Some(conn);
            }
        }
        let mut conn = match reused {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        let sent = tokio::time::timeout(self.timeout, conn.send(envelope, message)).await;
        let timed_out = sent.is_err();
        let result = match sent {
            Err(_) => Err(SendError::Transient(format!(
                "timed out after {} sending to {}: is the relay reachable?",
                humantime::format_duration(self.timeout),
                self.host
            ))),
            Ok(Err(e)) => Err(classify(&e)),
            Ok(Ok(_)) => Ok(()),
        };
        // A connection that timed out or broke is dropped, which closes it: sending QUIT
        // and waiting for its reply could hang on the same silent relay.
        if !timed_out && !conn.has_broken() {
            self.idle.lock().await.push((conn, tokio::time::Instant::now()));
        }
        result
    }

    /// A new connection: TCP with TCP_NODELAY, then STARTTLS or TLS as configured, then AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let setup = async {
            let mut conn = match self.tls {
                SmtpTls::Tls => AsyncSmtpConnection::connect_tokio1(
                    (self.host.as_str(), self.port),
                    Some(self.timeout),
                    &self.hello,
                    self.tls_parameters.clone(),
                    None,
                )
                .await
                .map_err(|e| classify(&e))?,
                SmtpTls::StartTls | SmtpTls::None => {
                    let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                        .await
                        .map_err(|e| connect_error(&self.host, self.port, &e))?;
                    stream.set_nodelay(true).map_err(|e| SendError::Transient(format!("socket: {e}")))?;
                    AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                        .await
                        .map_err(|e| classify(&e))?
                }
            };
            if let (SmtpTls::StartTls, Some(parameters)) = (self.tls, &self.tls_parameters) {
                conn.starttls(parameters.clone(), &self.hello).await.map_err(|e| match classify(&e) {
                    SendError::Transient(t) | SendError::Permanent(t) => SendError::Transient(format!(
                        "STARTTLS failed ({t}): the relay must offer STARTTLS with a certificate we trust (check [smtp] tls, port and ca_file)"
                    )),
                })?;
            }
            if let Some(credentials) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await.map_err(|e| classify(&e))?;
            }
            Ok(conn)
        };
        match tokio::time::timeout(self.timeout, setup).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Transient(format!(
                "timed out after {} connecting to {}:{}: is the relay reachable?",
                humantime::format_duration(self.timeout),
                self.host,
                self.port
            ))),
        }
    }
}

fn connect_error(host: &str, port: u16, e: &std::io::Error) -> SendError {
    let text = e.to_string();
    if e.kind() == std::io::ErrorKind::ConnectionRefused {
        SendError::Transient(format!(
            "connect: the relay refused the connection ({host}:{port}: {text}): is it running, and is [smtp] port right?"
        ))
    } else if text.contains("lookup") || text.contains("resolution") || text.contains("not known") {
        SendError::Transient(format!("DNS: the relay's name does not resolve ({host}: {text}): check [smtp] host"))
    } else {
        SendError::Transient(format!("connect: cannot reach {host}:{port}: {text}"))
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

/// An error and its sources, each said once, in one line.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
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
