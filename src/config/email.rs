//! The `[smtp]` section, email receivers and template overrides. Secrets are named here
//! (a file, a variable, a systemd credential) and read only by the daemon.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use lettre::message::Mailbox;
use toml::Spanned;
use toml::de::DeTable;

use super::reader::{Reader, Span};

/// A secret value. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where the SMTP password comes from. Read by the daemon when it builds the mailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// `password_file`: the first line of this file.
    File(PathBuf),
    /// `password_env`: this environment variable.
    Env(String),
    /// `password_credential`: this systemd credential, in `$CREDENTIALS_DIRECTORY`.
    Credential(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which is required.
    StartTls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No encryption: only to a loopback host.
    None,
}

impl SmtpTls {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::StartTls => "starttls",
            SmtpTls::Tls => "tls",
            SmtpTls::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<PasswordSource>,
    pub from: Mailbox,
    /// For each connection attempt and each SMTP command.
    pub timeout: Duration,
    /// An extra CA certificate (PEM) to trust, for an internal relay.
    pub ca_file: Option<PathBuf>,
    /// How long a failing alert is retried before it is given up as failed.
    pub max_retry: Duration,
    /// The most SMTP connections open at once.
    pub max_connections: u32,
}

pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_RETRY: Duration = Duration::from_secs(24 * 3600);
pub const DEFAULT_MAX_CONNECTIONS: u32 = 4;

const SMTP_KEYS: [&str; 12] = [
    "host",
    "port",
    "tls",
    "username",
    "password_file",
    "password_env",
    "password_credential",
    "from",
    "timeout",
    "ca_file",
    "max_retry",
    "max_connections",
];

pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

pub(super) fn read_smtp(r: &mut Reader, root: &DeTable<'_>) -> Option<Smtp> {
    let t = r.table(root, "smtp")?;
    r.check_keys(t, "[smtp]", &SMTP_KEYS);
    let section = || root.get("smtp").map_or(0..0, |v| v.span());
    let host = r.string(t, "host");
    if host.is_none() && t.get("host").is_none() {
        r.error(section(), "[smtp] needs \"host\", the mail relay to send through");
    }
    let tls = match r.string(t, "tls") {
        None => SmtpTls::StartTls,
        Some(s) => match s.get_ref().as_str() {
            "starttls" => SmtpTls::StartTls,
            "tls" => SmtpTls::Tls,
            "none" => SmtpTls::None,
            other => {
                r.error(
                    s.span(),
                    format!(
                        "unknown tls \"{other}\": use \"starttls\", \"tls\" (port 465) or \"none\" (loopback only)"
                    ),
                );
                SmtpTls::StartTls
            }
        },
    };
    if let (Some(host), SmtpTls::None) = (&host, tls)
        && !is_loopback(host.get_ref())
    {
        let span = t.get("tls").map_or(host.span(), |v| v.span());
        r.error(
            span,
            format!(
                "tls = \"none\" would send mail (and any password) in clear text to \"{}\": it is allowed only to a loopback host; use \"starttls\" or \"tls\"",
                host.get_ref()
            ),
        );
    }
    let default_port = match tls {
        SmtpTls::StartTls => 587,
        SmtpTls::Tls => 465,
        SmtpTls::None => 25,
    };
    let port = match r.integer(t, "port") {
        None => default_port,
        Some(p) => u16::try_from(*p.get_ref()).ok().filter(|p| *p > 0).unwrap_or_else(|| {
            r.error(p.span(), format!("port {} is not a TCP port (1-65535)", p.get_ref()));
            default_port
        }),
    };
    let username = r.string(t, "username").map(Spanned::into_inner);
    let mut sources = Vec::new();
    if let Some(p) = r.string(t, "password_file") {
        sources.push((p.span(), PasswordSource::File(PathBuf::from(p.into_inner()))));
    }
    if let Some(p) = r.string(t, "password_env") {
        sources.push((p.span(), PasswordSource::Env(p.into_inner())));
    }
    if let Some(p) = r.string(t, "password_credential") {
        sources.push((p.span(), PasswordSource::Credential(p.into_inner())));
    }
    if sources.len() > 1 {
        r.error(sources[1].0.clone(), "give the password one way: password_file, password_env or password_credential");
    }
    let password = sources.into_iter().next().map(|(span, source)| {
        if username.is_none() {
            r.error(span, "a password without \"username\": add the SMTP user name");
        }
        source
    });
    if username.is_some() && password.is_none() {
        r.error(section(), "\"username\" without a password: add password_file, password_env or password_credential");
    }
    let from = match r.string(t, "from") {
        Some(f) => mailbox(r, &f),
        None => {
            if t.get("from").is_none() {
                r.error(section(), "[smtp] needs \"from\", e.g. from = \"sanctiond <alerts@example.org>\"");
            }
            None
        }
    };
    let timeout = r.duration(t, "timeout").unwrap_or(DEFAULT_SMTP_TIMEOUT);
    let max_retry = r.duration(t, "max_retry").unwrap_or(DEFAULT_MAX_RETRY);
    let ca_file = r.string(t, "ca_file").map(|p| PathBuf::from(p.into_inner()));
    let max_connections = match r.integer(t, "max_connections") {
        None => DEFAULT_MAX_CONNECTIONS,
        Some(n) => u32::try_from(*n.get_ref()).ok().filter(|n| (1..=64).contains(n)).unwrap_or_else(|| {
            r.error(n.span(), "max_connections must be from 1 to 64");
            DEFAULT_MAX_CONNECTIONS
        }),
    };
    Some(Smtp {
        host: host?.into_inner(),
        port,
        tls,
        username,
        password,
        from: from?,
        timeout,
        ca_file,
        max_retry,
        max_connections,
    })
}

/// An email address with an optional display name, checked.
pub(super) fn mailbox(r: &mut Reader, text: &Spanned<String>) -> Option<Mailbox> {
    match Mailbox::from_str(text.get_ref()) {
        Ok(m) => Some(m),
        Err(e) => {
            let _ = e;
            r.error(
                text.span(),
                format!(
                    "\"{}\" is not an email address: write \"desk@example.org\" or \"Desk <desk@example.org>\"",
                    text.get_ref()
                ),
            );
            None
        }
    }
}

/// `to` and `cc` of an email receiver.
pub(super) fn read_recipients(r: &mut Reader, t: &DeTable<'_>, entry: &Span) -> Option<(Vec<Mailbox>, Vec<Mailbox>)> {
    let to: Vec<Mailbox> = r.strings(t, "to").unwrap_or_default().iter().filter_map(|a| mailbox(r, a)).collect();
    let cc: Vec<Mailbox> = r.strings(t, "cc").unwrap_or_default().iter().filter_map(|a| mailbox(r, a)).collect();
    if to.is_empty() {
        if t.get("to").is_none() {
            r.error(entry.clone(), "an email receiver needs \"to\", e.g. to = [\"desk@example.org\"]");
        }
        return None;
    }
    Some((to, cc))
}
