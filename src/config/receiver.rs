//! `[[receiver]]`: where messages go. Every kind is read here, with its own keys; a secret
//! (a webhook's signing key, a chat webhook URL, an access token) is named by where to read
//! it (`*_file`, `*_env`, `*_credential`) and never written in the config itself.

use std::path::PathBuf;
use std::time::Duration;

use toml::de::DeTable;

use super::reader::{Reader, Span};
use super::{PasswordSource, ReceiverKind, email, required_string};

/// Where a secret comes from; read by the daemon when it builds the receivers.
pub type SecretSource = PasswordSource;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_CONCURRENT: usize = 4;

const COMMON: [&str; 6] = ["name", "type", "timezone", "timeout", "max_concurrent", "max_retry"];
const KINDS: &str = "\"log\", \"email\", \"webhook\", \"ntfy\", \"slack\", \"msteams\" or \"matrix\"";

/// The keys each kind takes beyond the common ones.
fn keys_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "log" => &[],
        "email" => &["to", "cc"],
        "webhook" => &["url", "secret_file", "secret_env", "secret_credential"],
        "ntfy" => &["url", "token_file", "token_env", "token_credential"],
        "slack" | "msteams" => &["url_file", "url_env", "url_credential"],
        "matrix" => &["homeserver", "room", "token_file", "token_env", "token_credential"],
        _ => return None,
    })
}

/// One receiver's kind, timeout and concurrency; `None` when it has errors (all reported).
pub(super) fn read_kind(
    r: &mut Reader,
    t: &DeTable<'_>,
    span: &Span,
    has_smtp: bool,
) -> Option<(ReceiverKind, Duration, usize)> {
    let kind = match r.string(t, "type") {
        Some(kind) => kind,
        None => {
            r.error(span.clone(), format!("[[receiver]] needs \"type\" ({KINDS})"));
            return None;
        }
    };
    let Some(own) = keys_of(kind.get_ref()) else {
        r.error(kind.span(), format!("unknown receiver type \"{}\": use {KINDS}", kind.get_ref()));
        return None;
    };
    let known: Vec<&str> = COMMON.iter().chain(own).copied().collect();
    let section = format!("a [[receiver]] of type \"{}\"", kind.get_ref());
    for (key, value) in t.iter() {
        let key = key.get_ref().as_ref();
        if known.contains(&key) {
            continue;
        }
        if ["secret", "token", "password"].contains(&key) || (key == "url" && own.contains(&"url_file")) {
            r.error(
                value.span(),
                format!(
                    "\"{key}\" would put a secret in the config: write it to a file readable only by sanctiond and \
                     name it with {key}_file (or {key}_env, or {key}_credential for a systemd credential)"
                ),
            );
        } else if all_keys().contains(&key) {
            r.error(value.span(), format!("\"{key}\" is not a key of {section} (its keys: {})", known.join(", ")));
        }
    }
    r.check_keys(t, &section, &all_keys());
    let timeout = r.duration(t, "timeout").unwrap_or(DEFAULT_TIMEOUT);
    if timeout.is_zero() {
        r.error(span.clone(), "[[receiver]] timeout must be longer than 0s");
    }
    let max_concurrent = match r.integer(t, "max_concurrent") {
        None => DEFAULT_MAX_CONCURRENT,
        Some(n) if (1..=64).contains(n.get_ref()) => usize::try_from(*n.get_ref()).unwrap_or(1),
        Some(n) => {
            r.error(n.span(), "max_concurrent must be between 1 and 64");
            DEFAULT_MAX_CONCURRENT
        }
    };
    let parsed = match kind.get_ref().as_str() {
        "log" => Some(ReceiverKind::Log),
        "email" => {
            if !has_smtp {
                r.error(kind.span(), "an email receiver needs an [smtp] section saying how to send mail");
            }
            email::read_recipients(r, t, span).map(|(to, cc)| ReceiverKind::Email { to, cc })
        }
        "webhook" => {
            let url = read_url(r, t, "url", span, &section);
            let secret = read_secret(r, t, "secret", span, false);
            url.map(|url| ReceiverKind::Webhook { url, secret: secret.flatten() })
        }
        "ntfy" => {
            let url = read_url(r, t, "url", span, &section).filter(|url| {
                let topic = reqwest::Url::parse(url)
                    .ok()
                    .and_then(|u| u.path_segments().and_then(|mut s| s.next_back()).map(str::to_owned));
                let ok = topic.is_some_and(|t| !t.is_empty());
                if !ok && let Some(value) = t.get("url") {
                    r.error(value.span(), "an ntfy url names its topic: write it like https://ntfy.sh/desk-alerts");
                }
                ok
            });
            let token = read_secret(r, t, "token", span, false);
            url.map(|url| ReceiverKind::Ntfy { url, token: token.flatten() })
        }
        "slack" => read_secret(r, t, "url", span, true).flatten().map(|url| ReceiverKind::Slack { url }),
        "msteams" => read_secret(r, t, "url", span, true).flatten().map(|url| ReceiverKind::MsTeams { url }),
        "matrix" => {
            let homeserver = read_url(r, t, "homeserver", span, &section);
            let room = required_string(r, t, "room", span, "a [[receiver]] of type \"matrix\"");
            let room = room.filter(|room| {
                let id = room.get_ref();
                let ok = id.starts_with('!') && id.contains(':');
                if !ok {
                    r.error(
                        room.span(),
                        "room must be a Matrix room id like \"!abc123:example.org\" (Element: Room settings, Advanced)",
                    );
                }
                ok
            });
            let token = read_secret(r, t, "token", span, true).flatten();
            match (homeserver, room, token) {
                (Some(homeserver), Some(room), Some(token)) => {
                    Some(ReceiverKind::Matrix { homeserver, room: room.into_inner(), token })
                }
                _ => None,
            }
        }
        _ => None,
    };
    parsed.map(|k| (k, timeout, max_concurrent))
}

fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = COMMON.to_vec();
    for kind in ["email", "webhook", "ntfy", "slack", "matrix"] {
        for key in keys_of(kind).unwrap_or(&[]) {
            if !keys.contains(key) {
                keys.push(key);
            }
        }
    }
    keys.extend(["secret", "token", "password"]);
    keys
}

/// An http(s) URL with a host.
fn read_url(r: &mut Reader, t: &DeTable<'_>, key: &str, span: &Span, section: &str) -> Option<String> {
    let Some(text) = r.string(t, key) else {
        r.error(span.clone(), format!("{section} needs \"{key}\", an http:// or https:// URL"));
        return None;
    };
    match reqwest::Url::parse(text.get_ref()) {
        Ok(url) if ["http", "https"].contains(&url.scheme()) && url.host_str().is_some() => Some(text.into_inner()),
        Ok(url) => {
            r.error(text.span(), format!("\"{key}\" must be an http:// or https:// URL, not {}:", url.scheme()));
            None
        }
        Err(e) => {
            r.error(text.span(), format!("\"{key}\" is not a URL ({e}): write it like https://host/path"));
            None
        }
    }
}

/// `{name}_file`, `{name}_env` or `{name}_credential`: exactly one, or none when not
/// `required`. `None` when it has errors; `Some(None)` when absent and optional.
fn read_secret(
    r: &mut Reader,
    t: &DeTable<'_>,
    name: &str,
    span: &Span,
    required: bool,
) -> Option<Option<SecretSource>> {
    let mut sources = Vec::new();
    if let Some(p) = r.string(t, &format!("{name}_file")) {
        sources.push((p.span(), SecretSource::File(PathBuf::from(p.into_inner()))));
    }
    if let Some(p) = r.string(t, &format!("{name}_env")) {
        sources.push((p.span(), SecretSource::Env(p.into_inner())));
    }
    if let Some(p) = r.string(t, &format!("{name}_credential")) {
        sources.push((p.span(), SecretSource::Credential(p.into_inner())));
    }
    let ways = format!("{name}_file, {name}_env or {name}_credential");
    if sources.len() > 1 {
        r.error(sources[1].0.clone(), format!("give the {name} one way: {ways}"));
        return None;
    }
    match sources.pop() {
        Some((_, source)) => Some(Some(source)),
        None if required => {
            r.error(span.clone(), format!("this receiver needs its {name} from a secret: {ways}"));
            None
        }
        None => Some(None),
    }
}
