//! The TOML config: read with spans, validated as a whole, handed out as a checked
//! [`Config`]. Every problem is reported at once as `FILE:LINE:COL: message`; nothing here
//! opens the ledger or touches the network.

mod diagnostic;
mod email;
pub mod quiet;
mod reader;
pub mod receiver;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use toml::de::{DeTable, DeValue};

pub use crate::model::DeclaredDeadline;
pub use diagnostic::{ConfigErrors, Diagnostic};
pub use email::{PasswordSource, Secret, Smtp, SmtpTls, is_loopback};

/// Defaults of `[smtp]` that apply even without an `[smtp]` section.
pub mod email_defaults {
    pub const MAX_RETRY: std::time::Duration = super::email::DEFAULT_MAX_RETRY;
}
use reader::{Reader, Span};

use crate::model::{CatchUp, Lead};

/// Where the config is looked for when neither `--config` nor `$SANCTIOND_CONFIG` is given.
pub const DEFAULT_PATH: &str = "/etc/sanctiond/sanctiond.toml";
/// Where the ledger lives when neither `[daemon] state_dir` nor `$STATE_DIRECTORY` is set.
pub const DEFAULT_STATE_DIR: &str = "/var/lib/sanctiond";
pub const DEFAULT_LEAD_TIMES: [&str; 6] = ["7d", "3d", "1d", "6h", "1h", "0s"];
pub const DEFAULT_LATE_AFTER: Duration = Duration::from_secs(60);
/// Name of the receiver that exists when the config declares none.
pub const IMPLICIT_RECEIVER: &str = "log";

/// A validated config. Everything in it has been checked; the rest of the program trusts it.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub daemon: Daemon,
    pub alerts: Alerts,
    pub deadlines: Vec<DeclaredDeadline>,
    pub receivers: Vec<Receiver>,
    pub routes: Vec<Route>,
    /// Receivers for deadlines that no route matches.
    pub default_receivers: Vec<String>,
    pub smtp: Option<Smtp>,
    pub templates: Templates,
    pub digests: Vec<Digest>,
    pub actors: Vec<WatchedActor>,
    pub topics: Vec<Topic>,
    pub spool: Option<Spool>,
    pub feeds: Vec<Feed>,
    pub time_intervals: Vec<quiet::TimeInterval>,
    /// The HTTP face; none unless `[http] listen` is given.
    pub http: Option<Http>,
    /// A PostgreSQL ledger shared by several daemons; none means SQLite in `state_dir`.
    pub store: Option<StoreConfig>,
}

/// `[store]`: the ledger on PostgreSQL instead of the SQLite file in `state_dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// `postgres://user@host[:port]/database[?options]`, never with a password in it.
    pub url: String,
    pub password: Option<PasswordSource>,
    /// How long a claimed outbox row stays its claimer's before another daemon may take it.
    pub lease: Duration,
    /// TLS to the server (`sslmode=require`, `verify-ca` or `verify-full` in the URL),
    /// always with the server's certificate verified.
    pub tls: bool,
    /// The CA certificates (PEM) that verify the server instead of the platform's roots.
    pub ca_file: Option<PathBuf>,
}

/// The `sslmode` of a PostgreSQL URL, taken out of it (the driver knows fewer modes than
/// libpq): the URL without it, and the mode if there was one.
pub fn split_sslmode(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_owned(), None) };
    let mut mode = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.split_once('=') {
            Some(("sslmode", value)) => {
                mode = Some(value.to_owned());
                false
            }
            _ => !pair.is_empty(),
        })
        .collect();
    let url = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
    (url, mode)
}

/// A feed to poll (`[[feed]]`): RSS 0.9x/1.0/2.0, Atom or JSON Feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub name: String,
    pub url: String,
    /// Classic 5-field crontab, evaluated in `[daemon] timezone`.
    pub schedule: croner::Cron,
    pub schedule_text: String,
    /// What the source is: a news feed, or an official source read in its own format.
    pub kind: FeedKind,
    /// Follow each entry's link and read the page instead of the entry's summary.
    pub fetch_article: bool,
    /// Failing, or bringing nothing new, for longer than this makes the feed stale.
    pub stale_after: Duration,
    /// The longest one request may take.
    pub timeout: Duration,
    /// Who hears that the feed went stale or recovered; `[routing] default` when empty.
    pub receivers: Vec<String>,
}

/// `[[feed]] kind`: a news feed (`rss`, the default: RSS, Atom or JSON Feed), or an
/// official source whose dates outrank the news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    Rss,
    /// The Federal Register API's document search (`documents.json`).
    FederalRegister,
    /// OFAC's recent actions: the listing, each action's page and its general licence PDFs.
    Ofac,
    /// The EU Official Journal: EUR-Lex RSS.
    EuOj,
    /// The UK's Office of Financial Sanctions Implementation: gov.uk Atom feeds.
    Ofsi,
}

impl FeedKind {
    pub const NAMES: [&str; 5] = ["rss", "federal_register", "ofac", "eu_oj", "ofsi"];

    pub fn parse(text: &str) -> Option<FeedKind> {
        Some(match text {
            "rss" => FeedKind::Rss,
            "federal_register" => FeedKind::FederalRegister,
            "ofac" => FeedKind::Ofac,
            "eu_oj" => FeedKind::EuOj,
            "ofsi" => FeedKind::Ofsi,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The official source's name, as deadlines show it; `None` for news.
    pub fn official(self) -> Option<&'static str> {
        match self {
            FeedKind::Rss => None,
            FeedKind::FederalRegister => Some("Federal Register"),
            FeedKind::Ofac => Some("OFAC"),
            FeedKind::EuOj => Some("EU Official Journal"),
            FeedKind::Ofsi => Some("OFSI"),
        }
    }
}

pub const FEED_DEFAULT_STALE: Duration = Duration::from_secs(24 * 3600);
pub const FEED_DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The spool directory (`[spool]`): files dropped there are ingested, then moved to
/// `done/` (or `rejected/`, next to a `.reason` file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spool {
    pub dir: PathBuf,
    /// How often the directory is also scanned, besides inotify events.
    pub scan_interval: Duration,
    /// A file not renamed in is taken once its size and time stay the same this long.
    pub settle: Duration,
    /// Larger files are rejected.
    pub max_bytes: u64,
}

pub const SPOOL_DEFAULT_SCAN: Duration = Duration::from_secs(300);
pub const SPOOL_DEFAULT_SETTLE: Duration = Duration::from_secs(3);
pub const ARTICLE_MAX_BYTES: u64 = 5 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Daemon {
    pub state_dir: Option<PathBuf>,
    pub timezone: Tz,
    /// Publication times and due dates before this day are not believed.
    pub earliest: NaiveDate,
    /// Nor due dates further ahead than this.
    pub horizon: Duration,
}

pub const DEFAULT_EARLIEST: &str = "1990-01-01";
pub const DEFAULT_HORIZON: Duration = Duration::from_secs(50 * 365 * 86_400 + 12 * 86_400);

impl Daemon {
    /// Whether `t` is a time an article or a deadline can plausibly have, seen at `now`.
    pub fn plausible(&self, t: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let horizon = chrono::Duration::from_std(self.horizon).unwrap_or(chrono::Duration::MAX);
        t.date_naive() >= self.earliest && now.checked_add_signed(horizon).is_none_or(|latest| t <= latest)
    }
}

#[derive(Debug, Clone)]
pub struct Alerts {
    pub lead_times: Vec<Lead>,
    pub catch_up: CatchUp,
    /// An alert sent more than this after its planned time counts as missed and late.
    pub late_after: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receiver {
    pub name: String,
    pub kind: ReceiverKind,
    /// The zone its messages show local times in; `[daemon] timezone` when unset.
    pub timezone: Option<Tz>,
    /// The longest one send may take (HTTP receivers; email uses `[smtp] timeout`).
    pub timeout: Duration,
    /// How many of its messages may be on the wire at once (HTTP receivers; email uses
    /// `[smtp] max_connections`).
    pub max_concurrent: usize,
    /// How long its failing messages are retried; `[smtp] max_retry` for email, else a day.
    pub max_retry: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverKind {
    /// One structured `tracing` event per alert, on stderr (the journal under systemd).
    Log,
    /// One message per alert through `[smtp]`.
    Email { to: Vec<lettre::message::Mailbox>, cc: Vec<lettre::message::Mailbox> },
    /// A JSON POST, signed with HMAC-SHA256 when a secret is given.
    Webhook { url: String, secret: Option<receiver::SecretSource> },
    /// A push to an ntfy topic URL.
    Ntfy { url: String, token: Option<receiver::SecretSource> },
    /// A Slack incoming-webhook URL (itself a secret).
    Slack { url: receiver::SecretSource },
    /// A Microsoft Teams incoming-webhook URL (itself a secret).
    MsTeams { url: receiver::SecretSource },
    /// A message in a Matrix room, through the client-server API.
    Matrix { homeserver: String, room: String, token: receiver::SecretSource },
}

impl ReceiverKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReceiverKind::Log => "log",
            ReceiverKind::Email { .. } => "email",
            ReceiverKind::Webhook { .. } => "webhook",
            ReceiverKind::Ntfy { .. } => "ntfy",
            ReceiverKind::Slack { .. } => "slack",
            ReceiverKind::MsTeams { .. } => "msteams",
            ReceiverKind::Matrix { .. } => "matrix",
        }
    }
}

/// A watched actor (`[[actor]]`): talk events name them, alerts and digests follow them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedActor {
    pub name: String,
    pub aliases: Vec<String>,
    pub role: Option<String>,
    pub country: Option<String>,
}

/// A subject the desk follows (`[[topic]]`): an extracted deadline whose sentence or
/// article uses one of `phrases` is tracked and takes `tags`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub name: String,
    pub phrases: Vec<String>,
    pub tags: Vec<String>,
}

/// A scheduled digest: one message listing the deadlines due within `horizon`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub name: String,
    /// Classic 5-field crontab, evaluated in `[daemon] timezone` (Monday = 1).
    pub schedule: croner::Cron,
    pub schedule_text: String,
    pub receivers: Vec<String>,
    pub horizon: Duration,
}

pub const DEFAULT_DIGEST_HORIZON: Duration = Duration::from_secs(30 * 86_400);

/// Template sources that replace the built-in ones (`[templates]`), read at load time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Templates {
    pub alert_text: Option<String>,
    pub alert_html: Option<String>,
    pub digest_text: Option<String>,
    pub digest_html: Option<String>,
}

/// Sends deadlines that carry all of `tags` (and, if given, have one of the `deadlines`
/// ids) to `receivers`. The first matching route wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub tags: Vec<String>,
    pub deadlines: Vec<String>,
    pub receivers: Vec<String>,
    /// `[[time_interval]]` names during which its alerts are held.
    pub mute_time_intervals: Vec<String>,
    /// Alerts with a lead this short or shorter go out even in quiet hours.
    pub urgent_lead: Option<Lead>,
}

impl Route {
    fn matches(&self, id: &str, tags: &[String]) -> bool {
        self.tags.iter().all(|t| tags.contains(t))
            && (self.deadlines.is_empty() || self.deadlines.iter().any(|d| d == id))
    }
}

impl Config {
    /// The route of a deadline, if one matches ([`Config::receivers_for`] falls back to the default).
    pub fn route_for(&self, id: &str, tags: &[String]) -> Option<&Route> {
        self.routes.iter().find(|r| r.matches(id, tags))
    }

    /// The receivers that alerts of this deadline go to.
    pub fn receivers_for(&self, id: &str, tags: &[String]) -> &[String] {
        self.routes.iter().find(|r| r.matches(id, tags)).map_or(&self.default_receivers, |r| &r.receivers)
    }

    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }

    /// The state directory: `[daemon] state_dir`, else the one systemd gave, else the default.
    pub fn state_dir(&self, systemd_state_directory: Option<&Path>) -> PathBuf {
        self.daemon
            .state_dir
            .clone()
            .or_else(|| systemd_state_directory.map(Path::to_owned))
            .unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_DIR))
    }

    /// Everything outside the deadlines themselves that decides which alerts exist. When
    /// it is unchanged since the last start, stored deadlines need no replanning.
    pub fn plan_fingerprint(&self) -> String {
        let leads: Vec<&str> = self.alerts.lead_times.iter().map(Lead::as_str).collect();
        let routes: Vec<String> =
            self.routes.iter().map(|r| format!("{:?}>{:?}>{:?}", r.tags, r.deadlines, r.receivers)).collect();
        // Each email address is an outbox row of its own: a changed `to` is a changed plan.
        let receivers: Vec<String> = self
            .receivers
            .iter()
            .map(|r| match &r.kind {
                ReceiverKind::Email { to, cc } => {
                    let all: Vec<String> = to.iter().chain(cc).map(|m| m.email.to_string()).collect();
                    format!("{}={}", r.name, all.join(","))
                }
                kind => format!("{}={}", r.name, kind.as_str()),
            })
            .collect();
        format!(
            "v2|tz={}|leads={leads:?}|routes={routes:?}|default={:?}|receivers={receivers:?}",
            self.daemon.timezone, self.default_receivers
        )
    }
}

/// Reads and validates the config file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
    let bytes = fs::read(path).map_err(|e| {
        ConfigErrors::whole_file(
            path,
            format!("cannot read the config: {e} (pass --config PATH or set $SANCTIOND_CONFIG)"),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        ConfigErrors::whole_file(
            path,
            format!("the config is not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()),
        )
    })?;
    parse(path, &text)
}

const TOP_KEYS: [&str; 16] = [
    "actor",
    "http",
    "store",
    "digest",
    "daemon",
    "alerts",
    "deadline",
    "feed",
    "receiver",
    "route",
    "routing",
    "smtp",
    "spool",
    "templates",
    "time_interval",
    "topic",
];
const FEED_KEYS: [&str; 8] =
    ["name", "url", "kind", "schedule", "fetch_article", "stale_after", "timeout", "receivers"];
const SPOOL_KEYS: [&str; 4] = ["dir", "scan_interval", "settle", "max_bytes"];
const HTTP_KEYS: [&str; 5] = ["listen", "token_file", "token_env", "token_credential", "timeout"];
const STORE_KEYS: [&str; 6] = ["url", "password_file", "password_env", "password_credential", "lease", "ca_file"];
/// How long a claimed outbox row is its claimer's: past it, another daemon sends it.
pub const STORE_DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// How long one HTTP request may take before the daemon answers 408.
pub const HTTP_DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const TOPIC_KEYS: [&str; 3] = ["name", "phrases", "tags"];
const ACTOR_KEYS: [&str; 4] = ["name", "aliases", "role", "country"];
const DIGEST_KEYS: [&str; 4] = ["name", "schedule", "receivers", "horizon"];
const TEMPLATE_KEYS: [&str; 4] = ["alert_text", "alert_html", "digest_text", "digest_html"];
const DAEMON_KEYS: [&str; 4] = ["state_dir", "timezone", "earliest", "horizon"];
const ALERTS_KEYS: [&str; 3] = ["lead_times", "catch_up", "late_after"];
const DEADLINE_KEYS: [&str; 6] = ["id", "title", "due", "tags", "lead_times", "match"];
const ROUTE_KEYS: [&str; 5] = ["tags", "deadlines", "receivers", "mute_time_intervals", "urgent_lead"];
const ROUTING_KEYS: [&str; 1] = ["default"];

/// `[http]`: where the status page, API, calendar and metrics listen, and the token that
/// guards them beyond this machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Http {
    pub listen: std::net::SocketAddr,
    /// Required unless `listen` is a loopback address; then every request needs it.
    pub token: Option<PasswordSource>,
    pub timeout: Duration,
}

/// Validates config `text`; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigErrors> {
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let mut r = Reader::default();
    for e in syntax_errors {
        r.error(e.span().unwrap_or(0..0), e.message().trim().replace('\n', "; "));
    }
    let root = root.get_ref();
    r.check_keys(root, "the config", &TOP_KEYS);

    let daemon = read_daemon(&mut r, root);
    let alerts = read_alerts(&mut r, root);
    let smtp = email::read_smtp(&mut r, root);
    let receivers = read_receivers(&mut r, root, root.contains_key("smtp"));
    let templates = read_templates(&mut r, root, path);
    let names: HashSet<&str> = receivers.iter().map(|r| r.name.as_str()).collect();
    let (time_intervals, written) = quiet::read(&mut r, root);
    let interval_names: HashSet<&str> = written.iter().map(String::as_str).collect();
    let routes = read_routes(&mut r, root, &names, &interval_names);
    let default_receivers = read_routing(&mut r, root, &names, &receivers);
    let deadlines = read_deadlines(&mut r, root, daemon.timezone);
    let digests = read_digests(&mut r, root, &names);
    let actors = read_actors(&mut r, root);
    let topics = read_topics(&mut r, root);
    let spool = read_spool(&mut r, root, path);
    let feeds = read_feeds(&mut r, root, &names);
    let http = read_http(&mut r, root);
    let store = read_store(&mut r, root);

    if r.diagnostics.is_empty() {
        Ok(Config {
            path: path.to_owned(),
            daemon,
            alerts,
            deadlines,
            receivers,
            routes,
            default_receivers,
            smtp,
            templates,
            digests,
            actors,
            topics,
            spool,
            feeds,
            time_intervals,
            http,
            store,
        })
    } else {
        Err(ConfigErrors::new(path, text, r.diagnostics))
    }
}

fn read_daemon(r: &mut Reader, root: &DeTable<'_>) -> Daemon {
    let mut daemon = Daemon {
        state_dir: None,
        timezone: Tz::UTC,
        earliest: NaiveDate::parse_from_str(DEFAULT_EARLIEST, "%Y-%m-%d").unwrap_or_default(),
        horizon: DEFAULT_HORIZON,
    };
    let Some(t) = r.table(root, "daemon") else {
        return daemon;
    };
    r.check_keys(t, "[daemon]", &DAEMON_KEYS);
    if let Some(dir) = r.string(t, "state_dir") {
        if dir.get_ref().is_empty() {
            r.error(dir.span(), "\"state_dir\" is empty: give a directory, or leave the key out");
        } else {
            daemon.state_dir = Some(PathBuf::from(dir.into_inner()));
        }
    }
    if let Some(tz) = r.string(t, "timezone") {
        match parse_timezone(tz.get_ref()) {
            Ok(zone) => daemon.timezone = zone,
            Err(message) => r.error(tz.span(), message),
        }
    }
    if let Some(day) = r.string(t, "earliest") {
        match NaiveDate::parse_from_str(day.get_ref(), "%Y-%m-%d") {
            Ok(d) => daemon.earliest = d,
            Err(_) => r.error(day.span(), format!("\"{}\" is not a date: write it like \"1990-01-01\"", day.get_ref())),
        }
    }
    if let Some(horizon) = r.duration(t, "horizon") {
        daemon.horizon = horizon;
    }
    daemon
}

fn parse_timezone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!("unknown time zone \"{name}\": use an IANA name such as \"America/New_York\", \"Europe/Brussels\" or \"UTC\"")
    })
}

fn read_alerts(r: &mut Reader, root: &DeTable<'_>) -> Alerts {
    let mut alerts = Alerts {
        lead_times: DEFAULT_LEAD_TIMES.iter().filter_map(|t| Lead::parse(t).ok()).collect(),
        catch_up: CatchUp::Latest,
        late_after: DEFAULT_LATE_AFTER,
    };
    let Some(t) = r.table(root, "alerts") else {
        return alerts;
    };
    r.check_keys(t, "[alerts]", &ALERTS_KEYS);
    if let Some(leads) = read_leads(r, t, "[alerts]") {
        alerts.lead_times = leads;
    }
    if let Some(policy) = r.string(t, "catch_up") {
        match CatchUp::parse(policy.get_ref()) {
            Some(p) => alerts.catch_up = p,
            None => r.error(
                policy.span(),
                format!("unknown catch_up \"{}\": use \"latest\", \"all\" or \"skip\"", policy.get_ref()),
            ),
        }
    }
    if let Some(late) = r.string(t, "late_after") {
        match humantime::parse_duration(late.get_ref()) {
            Ok(d) => alerts.late_after = d,
            Err(e) => r.error(late.span(), format!("invalid duration \"{}\": {e} (write e.g. \"1m\")", late.get_ref())),
        }
    }
    alerts
}

/// `lead_times` of a table: durations, at least one, no two of the same length.
fn read_leads(r: &mut Reader, t: &DeTable<'_>, section: &str) -> Option<Vec<Lead>> {
    let items = r.strings(t, "lead_times")?;
    if items.is_empty() {
        if let Some(v) = t.get("lead_times") {
            r.error(
                v.span(),
                format!("\"lead_times\" in {section} is empty: give at least one, e.g. [\"1d\", \"0s\"]"),
            );
        }
        return None;
    }
    let mut leads = Vec::new();
    let mut seen = BTreeSet::new();
    for item in items {
        match Lead::parse(item.get_ref()) {
            Ok(lead) if !seen.insert(lead.seconds()) => {
                r.error(item.span(), format!("lead time \"{lead}\" is listed twice (same length as another lead)"));
            }
            Ok(lead) => leads.push(lead),
            Err(message) => r.error(item.span(), message),
        }
    }
    Some(leads)
}

fn read_receivers(r: &mut Reader, root: &DeTable<'_>, has_smtp: bool) -> Vec<Receiver> {
    let entries = r.tables(root, "receiver");
    if entries.is_empty() {
        return vec![Receiver {
            name: IMPLICIT_RECEIVER.to_owned(),
            kind: ReceiverKind::Log,
            timezone: None,
            timeout: receiver::DEFAULT_TIMEOUT,
            max_concurrent: receiver::DEFAULT_MAX_CONCURRENT,
            max_retry: None,
        }];
    }
    let mut receivers: Vec<Receiver> = Vec::new();
    for (t, span) in entries {
        let name = required_string(r, t, "name", &span, "[[receiver]]");
        let kind = receiver::read_kind(r, t, &span, has_smtp);
        let timezone = r.string(t, "timezone").and_then(|tz| match parse_timezone(tz.get_ref()) {
            Ok(zone) => Some(zone),
            Err(message) => {
                r.error(tz.span(), message);
                None
            }
        });
        if let Some(name) = &name
            && receivers.iter().any(|x| &x.name == name.get_ref())
        {
            r.error(name.span(), format!("receiver \"{}\" is declared twice", name.get_ref()));
            continue;
        }
        let max_retry = r.duration(t, "max_retry");
        if let (Some(name), Some((kind, timeout, max_concurrent))) = (name, kind) {
            receivers.push(Receiver { name: name.into_inner(), kind, timezone, timeout, max_concurrent, max_retry });
        }
    }
    receivers
}

fn read_actors(r: &mut Reader, root: &DeTable<'_>) -> Vec<WatchedActor> {
    let mut actors: Vec<WatchedActor> = Vec::new();
    for (t, span) in r.tables(root, "actor") {
        r.check_keys(t, "[[actor]]", &ACTOR_KEYS);
        let Some(name) = required_string(r, t, "name", &span, "[[actor]]") else { continue };
        if actors.iter().any(|a| &a.name == name.get_ref()) {
            r.error(name.span(), format!("actor \"{}\" is declared twice", name.get_ref()));
            continue;
        }
        let aliases = plain(r.strings(t, "aliases").unwrap_or_default());
        let role = r.string(t, "role").map(toml::Spanned::into_inner);
        let country = r.string(t, "country").map(toml::Spanned::into_inner);
        actors.push(WatchedActor { name: name.into_inner(), aliases, role, country });
    }
    actors
}

fn read_spool(r: &mut Reader, root: &DeTable<'_>, config_path: &Path) -> Option<Spool> {
    let t = r.table(root, "spool")?;
    let span = root.get("spool").map_or(0..0, |v| v.span());
    r.check_keys(t, "[spool]", &SPOOL_KEYS);
    let dir = match r.string(t, "dir") {
        Some(d) if !d.get_ref().trim().is_empty() => config_path.parent().unwrap_or(Path::new(".")).join(d.get_ref()),
        Some(d) => {
            r.error(d.span(), "\"dir\" is empty: give the directory to watch");
            return None;
        }
        None => {
            r.error(span, "[spool] needs \"dir\", the directory to watch for articles");
            return None;
        }
    };
    let scan_interval = r.duration(t, "scan_interval").unwrap_or(SPOOL_DEFAULT_SCAN);
    let settle = r.duration(t, "settle").unwrap_or(SPOOL_DEFAULT_SETTLE);
    let max_bytes = match r.integer(t, "max_bytes") {
        Some(n) if *n.get_ref() > 0 => u64::try_from(*n.get_ref()).unwrap_or(ARTICLE_MAX_BYTES),
        Some(n) => {
            r.error(n.span(), "\"max_bytes\" must be positive");
            ARTICLE_MAX_BYTES
        }
        None => ARTICLE_MAX_BYTES,
    };
    if scan_interval.is_zero() {
        r.error(span, "[spool] scan_interval must be longer than 0s");
    }
    Some(Spool { dir, scan_interval, settle, max_bytes })
}

fn read_http(r: &mut Reader, root: &DeTable<'_>) -> Option<Http> {
    let t = r.table(root, "http")?;
    let span = root.get("http").map_or(0..0, |v| v.span());
    r.check_keys(t, "[http]", &HTTP_KEYS);
    let Some(listen) = r.string(t, "listen") else {
        r.error(span, "[http] needs \"listen\", e.g. listen = \"127.0.0.1:9177\"");
        return None;
    };
    let addr = match listen.get_ref().parse::<std::net::SocketAddr>() {
        Ok(a) => a,
        Err(_) => {
            r.error(
                listen.span(),
                format!("\"{}\" is not an address and port: write it like \"127.0.0.1:9177\"", listen.get_ref()),
            );
            return None;
        }
    };
    let token = secret_source(r, t, "token");
    if !addr.ip().is_loopback() && token.is_none() {
        r.error(
            listen.span(),
            format!(
                "listening on {addr} opens the page and API beyond this machine: add token_file, token_env or token_credential, or listen on 127.0.0.1"
            ),
        );
    }
    let timeout = r.duration(t, "timeout").unwrap_or(HTTP_DEFAULT_TIMEOUT);
    if timeout.is_zero() {
        r.error(span, "[http] timeout must be longer than 0s");
    }
    Some(Http { listen: addr, token, timeout })
}

/// Where a secret comes from: one of `{what}_file`, `{what}_env`, `{what}_credential`.
fn secret_source(r: &mut Reader, t: &DeTable<'_>, what: &str) -> Option<PasswordSource> {
    let mut sources = Vec::new();
    for (suffix, make) in [
        ("file", (|v: String| PasswordSource::File(PathBuf::from(v))) as fn(String) -> PasswordSource),
        ("env", PasswordSource::Env),
        ("credential", PasswordSource::Credential),
    ] {
        if let Some(v) = r.string(t, &format!("{what}_{suffix}")) {
            sources.push((v.span(), make(v.into_inner())));
        }
    }
    if sources.len() > 1 {
        r.error(sources[1].0.clone(), format!("give the {what} one way: {what}_file, {what}_env or {what}_credential"));
    }
    sources.into_iter().next().map(|(_, s)| s)
}

fn read_store(r: &mut Reader, root: &DeTable<'_>) -> Option<StoreConfig> {
    let t = r.table(root, "store")?;
    let span = root.get("store").map_or(0..0, |v| v.span());
    r.check_keys(t, "[store]", &STORE_KEYS);
    let Some(url) = r.string(t, "url") else {
        r.error(span, "[store] needs \"url\", e.g. url = \"postgres://sanctiond@db.example/sanctiond\"; leave [store] out to keep the ledger in SQLite");
        return None;
    };
    let text = url.get_ref();
    if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
        r.error(url.span(), "[store] url must start with postgres:// (the SQLite ledger needs no [store]: it lives in [daemon] state_dir)");
        return None;
    }
    let (plain_url, sslmode) = split_sslmode(text);
    let tls = match sslmode.as_deref() {
        None | Some("disable") => false,
        Some("require" | "verify-ca" | "verify-full") => true,
        Some(other) => {
            r.error(
                url.span(),
                format!(
                    "[store] url: sslmode={other} is not supported: sanctiond either uses TLS with the server's certificate \
                     verified (sslmode=verify-full) or plain text (sslmode=disable, the default), never a silent fallback"
                ),
            );
            return None;
        }
    };
    match plain_url.parse::<postgres::Config>() {
        Err(e) => {
            r.error(url.span(), format!("[store] url is not a PostgreSQL URL: {e}"));
            return None;
        }
        Ok(c) if c.get_password().is_some() => {
            r.error(
                url.span(),
                "[store] url holds a password, which anyone who can read the config would see: move it to password_file, password_env or password_credential",
            );
            return None;
        }
        Ok(c) if c.get_dbname().is_none() => {
            r.error(url.span(), "[store] url names no database: end it with /DATABASE");
            return None;
        }
        Ok(_) => {}
    }
    let password = secret_source(r, t, "password");
    let lease = r.duration(t, "lease").unwrap_or(STORE_DEFAULT_LEASE);
    if lease < Duration::from_secs(1) {
        r.error(span, "[store] lease must be at least 1s");
    }
    let ca_file = r.string(t, "ca_file").map(|f| {
        if !tls {
            r.error(f.span(), "[store] ca_file verifies a TLS connection: add ?sslmode=verify-full to the url");
        }
        PathBuf::from(f.into_inner())
    });
    Some(StoreConfig { url: url.into_inner(), password, lease, tls, ca_file })
}

fn read_topics(r: &mut Reader, root: &DeTable<'_>) -> Vec<Topic> {
    let mut topics: Vec<Topic> = Vec::new();
    for (t, span) in r.tables(root, "topic") {
        r.check_keys(t, "[[topic]]", &TOPIC_KEYS);
        let Some(name) = required_string(r, t, "name", &span, "[[topic]]") else { continue };
        if topics.iter().any(|x| &x.name == name.get_ref()) {
            r.error(name.span(), format!("topic \"{}\" is declared twice", name.get_ref()));
            continue;
        }
        let phrases = plain(r.strings(t, "phrases").unwrap_or_default());
        if phrases.iter().all(|p| p.trim().is_empty()) {
            r.error(
                span.clone(),
                format!("[[topic]] \"{}\" has no phrases: give the words that mark its articles, e.g. phrases = [\"Russian oil\"]", name.get_ref()),
            );
        }
        let tags = plain(r.strings(t, "tags").unwrap_or_default());
        topics.push(Topic { name: name.into_inner(), phrases, tags });
    }
    topics
}

/// Classic 5-field crontab: no seconds, no years.
fn cron_parser() -> croner::parser::CronParser {
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Disallowed)
        .year(croner::parser::Year::Disallowed)
        .build()
}

/// A required `schedule` key, parsed.
fn schedule(r: &mut Reader, t: &DeTable<'_>, span: &Span, what: &str) -> Option<(croner::Cron, String)> {
    let text = required_string(r, t, "schedule", span, what)?;
    match cron_parser().parse(text.get_ref()) {
        Ok(cron) => Some((cron, text.into_inner())),
        Err(e) => {
            r.error(
                text.span(),
                format!(
                    "invalid schedule \"{}\": {e} (write 5 crontab fields: minute hour day month weekday, e.g. \"0 8 * * Mon\")",
                    text.get_ref()
                ),
            );
            None
        }
    }
}

fn read_feeds(r: &mut Reader, root: &DeTable<'_>, names: &HashSet<&str>) -> Vec<Feed> {
    let mut feeds: Vec<Feed> = Vec::new();
    for (t, span) in r.tables(root, "feed") {
        r.check_keys(t, "[[feed]]", &FEED_KEYS);
        let name = required_string(r, t, "name", &span, "[[feed]]");
        if let Some(name) = &name
            && feeds.iter().any(|f| &f.name == name.get_ref())
        {
            r.error(name.span(), format!("feed \"{}\" is declared twice", name.get_ref()));
        }
        let url = required_string(r, t, "url", &span, "[[feed]]").and_then(|u| {
            let text = u.get_ref().trim();
            let web = (text.starts_with("https://") || text.starts_with("http://")) && text.len() > 8;
            if web && !text.contains(char::is_whitespace) {
                Some(text.to_owned())
            } else {
                r.error(u.span(), format!("feed url {:?} is not an http:// or https:// URL", u.get_ref()));
                None
            }
        });
        let kind = match r.string(t, "kind") {
            None => FeedKind::Rss,
            Some(k) => FeedKind::parse(k.get_ref()).unwrap_or_else(|| {
                r.error(
                    k.span(),
                    format!("[[feed]] kind {:?} is not one of: {}", k.get_ref(), FeedKind::NAMES.join(", ")),
                );
                FeedKind::Rss
            }),
        };
        let schedule = schedule(r, t, &span, "[[feed]]");
        let fetch_article = r.boolean(t, "fetch_article").unwrap_or(false);
        let stale_after = r.duration(t, "stale_after").unwrap_or(FEED_DEFAULT_STALE);
        let timeout = r.duration(t, "timeout").unwrap_or(FEED_DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            r.error(span.clone(), "[[feed]] timeout must be longer than 0s");
        }
        let receivers = r.strings(t, "receivers").unwrap_or_default();
        check_receivers_exist(r, &receivers, names);
        let receivers = plain(receivers);
        if let (Some(name), Some(url), Some((schedule, schedule_text))) = (name, url, schedule) {
            feeds.push(Feed {
                name: name.into_inner(),
                url,
                schedule,
                schedule_text,
                kind,
                fetch_article,
                stale_after,
                timeout,
                receivers,
            });
        }
    }
    feeds
}

fn read_digests(r: &mut Reader, root: &DeTable<'_>, names: &HashSet<&str>) -> Vec<Digest> {
    let mut digests: Vec<Digest> = Vec::new();
    for (t, span) in r.tables(root, "digest") {
        r.check_keys(t, "[[digest]]", &DIGEST_KEYS);
        let name = required_string(r, t, "name", &span, "[[digest]]");
        if let Some(name) = &name
            && digests.iter().any(|d| &d.name == name.get_ref())
        {
            r.error(name.span(), format!("digest \"{}\" is declared twice", name.get_ref()));
        }
        let schedule = schedule(r, t, &span, "[[digest]]");
        let receivers = match r.strings(t, "receivers") {
            Some(list) if !list.is_empty() => {
                check_receivers_exist(r, &list, names);
                plain(list)
            }
            _ => {
                r.error(span.clone(), "[[digest]] needs \"receivers\", the receivers it goes to");
                Vec::new()
            }
        };
        let horizon = r.duration(t, "horizon").unwrap_or(DEFAULT_DIGEST_HORIZON);
        if let (Some(name), Some((schedule, schedule_text))) = (name, schedule) {
            digests.push(Digest { name: name.into_inner(), schedule, schedule_text, receivers, horizon });
        }
    }
    digests
}

/// `[templates]`: paths of templates that replace the built-in ones, relative to the
/// config file. Each is read and compiled now, so a broken one fails `check-config`.
fn read_templates(r: &mut Reader, root: &DeTable<'_>, config_path: &Path) -> Templates {
    let mut templates = Templates::default();
    let Some(t) = r.table(root, "templates") else {
        return templates;
    };
    r.check_keys(t, "[templates]", &TEMPLATE_KEYS);
    for key in TEMPLATE_KEYS {
        let Some(file) = r.string(t, key) else { continue };
        let path = config_path.parent().unwrap_or(Path::new(".")).join(file.get_ref());
        let source = match fs::read_to_string(&path) {
            Ok(source) => source,
            Err(e) => {
                r.error(file.span(), format!("cannot read template {}: {e}", path.display()));
                continue;
            }
        };
        if let Err(e) = minijinja::Environment::new().template_from_str(&source) {
            r.error(file.span(), format!("template {} does not compile: {e}", path.display()));
            continue;
        }
        match key {
            "alert_text" => templates.alert_text = Some(source),
            "alert_html" => templates.alert_html = Some(source),
            "digest_text" => templates.digest_text = Some(source),
            _ => templates.digest_html = Some(source),
        }
    }
    templates
}

fn read_routes(r: &mut Reader, root: &DeTable<'_>, names: &HashSet<&str>, intervals: &HashSet<&str>) -> Vec<Route> {
    let mut routes = Vec::new();
    for (t, span) in r.tables(root, "route") {
        r.check_keys(t, "[[route]]", &ROUTE_KEYS);
        let tags = plain(r.strings(t, "tags").unwrap_or_default());
        let deadlines = plain(r.strings(t, "deadlines").unwrap_or_default());
        let Some(receivers) = r.strings(t, "receivers") else {
            r.error(span, "[[route]] needs \"receivers\", the receivers its deadlines go to");
            continue;
        };
        if let Some(v) = t.get("receivers")
            && receivers.is_empty()
        {
            r.error(v.span(), "\"receivers\" is empty: name at least one receiver");
        }
        check_receivers_exist(r, &receivers, names);
        let mute = r.strings(t, "mute_time_intervals").unwrap_or_default();
        quiet::check_names(r, &mute, intervals);
        let urgent_lead = r.string(t, "urgent_lead").and_then(|text| match Lead::parse(text.get_ref()) {
            Ok(lead) => Some(lead),
            Err(message) => {
                r.error(text.span(), message);
                None
            }
        });
        routes.push(Route {
            tags,
            deadlines,
            receivers: plain(receivers),
            mute_time_intervals: plain(mute),
            urgent_lead,
        });
    }
    routes
}

fn read_routing(r: &mut Reader, root: &DeTable<'_>, names: &HashSet<&str>, receivers: &[Receiver]) -> Vec<String> {
    let all = || receivers.iter().map(|x| x.name.clone()).collect();
    let Some(t) = r.table(root, "routing") else {
        return all();
    };
    r.check_keys(t, "[routing]", &ROUTING_KEYS);
    match r.strings(t, "default") {
        Some(default) => {
            check_receivers_exist(r, &default, names);
            plain(default)
        }
        None => all(),
    }
}

fn check_receivers_exist(r: &mut Reader, wanted: &[toml::Spanned<String>], names: &HashSet<&str>) {
    for name in wanted {
        if !names.contains(name.get_ref().as_str()) {
            let known: Vec<&str> = names.iter().copied().collect();
            let hint = diagnostic::did_you_mean(name.get_ref(), &known)
                .map_or_else(|| "declare it with [[receiver]]".to_owned(), |k| format!("did you mean \"{k}\"?"));
            r.error(name.span(), format!("no receiver named \"{}\": {hint}", name.get_ref()));
        }
    }
}

fn read_deadlines(r: &mut Reader, root: &DeTable<'_>, tz: Tz) -> Vec<DeclaredDeadline> {
    let mut deadlines: Vec<DeclaredDeadline> = Vec::new();
    for (t, span) in r.tables(root, "deadline") {
        r.check_keys(t, "[[deadline]]", &DEADLINE_KEYS);
        let id = required_string(r, t, "id", &span, "[[deadline]]");
        if let Some(id) = &id {
            let bad = id.get_ref().is_empty()
                || !id.get_ref().chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if bad {
                r.error(
                    id.span(),
                    format!("deadline id \"{}\" must be letters, digits, '-', '_' or '.'", id.get_ref()),
                );
            } else if deadlines.iter().any(|d| &d.id == id.get_ref()) {
                r.error(id.span(), format!("duplicate deadline id \"{}\": ids must be unique", id.get_ref()));
            }
        }
        let title = required_string(r, t, "title", &span, "[[deadline]]");
        let due = match r.time_text(t, "due") {
            Some(text) => match parse_due(text.get_ref(), tz) {
                Ok(due) => Some(due),
                Err(message) => {
                    r.error(text.span(), message);
                    None
                }
            },
            None => {
                if t.get("due").is_none() {
                    r.error(span.clone(), "[[deadline]] needs \"due\", e.g. due = \"2025-08-08T23:59:59-04:00\"");
                }
                None
            }
        };
        let tags = plain(r.strings(t, "tags").unwrap_or_default());
        let lead_times = read_leads(r, t, "[[deadline]]");
        let match_phrases = plain(r.strings(t, "match").unwrap_or_default());
        if let (Some(id), Some(title), Some(due)) = (id, title, due) {
            deadlines.push(DeclaredDeadline {
                id: id.into_inner(),
                title: title.into_inner(),
                due,
                tags,
                lead_times,
                match_phrases,
            });
        }
    }
    deadlines
}

fn required_string(
    r: &mut Reader,
    t: &DeTable<'_>,
    key: &str,
    entry: &Span,
    section: &str,
) -> Option<toml::Spanned<String>> {
    match t.get(key).map(|v| v.get_ref()) {
        None => {
            r.error(entry.clone(), format!("{section} needs \"{key}\""));
            None
        }
        Some(DeValue::String(s)) if s.trim().is_empty() => {
            r.error(t.get(key).map_or(entry.clone(), |v| v.span()), format!("\"{key}\" is empty"));
            None
        }
        Some(_) => r.string(t, key),
    }
}

fn plain(items: Vec<toml::Spanned<String>>) -> Vec<String> {
    items.into_iter().map(toml::Spanned::into_inner).collect()
}

/// An RFC 3339 time, or a bare date meaning the end of that day (23:59:59) in `tz`.
pub fn parse_due(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.to_utc());
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return end_of_day(day, tz).ok_or_else(|| format!("the end of {day} does not exist in {tz}"));
    }
    if chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok() {
        return Err(format!(
            "\"{text}\" has no UTC offset, so the moment it names is unclear: \
             add one (\"{text}-04:00\", \"{text}Z\")"
        ));
    }
    Err(format!(
        "\"{text}\" is not a time: write RFC 3339 with an offset (\"2025-08-08T23:59:59-04:00\") \
         or a date (\"2025-08-08\", the end of that day in [daemon] timezone)"
    ))
}

/// 23:59:59 local time on `day`; when a DST change swallows it, the last second before midnight.
pub fn end_of_day(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let last_second = NaiveTime::from_hms_opt(23, 59, 59)?;
    match tz.from_local_datetime(&day.and_time(last_second)).latest() {
        Some(t) => Some(t.to_utc()),
        None => {
            let next = tz.from_local_datetime(&day.succ_opt()?.and_hms_opt(0, 0, 0)?).earliest()?;
            Some(next.to_utc() - chrono::Duration::seconds(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match parse(Path::new("t.toml"), text) {
            Ok(_) => Vec::new(),
            Err(e) => e.to_string().lines().map(str::to_owned).collect(),
        }
    }

    #[test]
    fn empty_config_gets_defaults() {
        let config = parse(Path::new("t.toml"), "").expect("valid");
        assert_eq!(config.alerts.lead_times.len(), 6);
        assert_eq!(config.default_receivers, vec!["log".to_owned()]);
        assert_eq!(config.daemon.timezone, Tz::UTC);
    }

    #[test]
    fn reports_every_problem_at_once() {
        let text = "[daemon]\ntimezone = \"Mars/Olympus\"\nfoo = 1\n[alerts]\nlead_times = [\"3 dayz\"]\n";
        let errs = errors(text);
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].starts_with("t.toml:2:12: unknown time zone"), "{errs:?}");
        assert!(errs[1].starts_with("t.toml:3:1: unknown key \"foo\""), "{errs:?}");
        assert!(errs[2].starts_with("t.toml:5:15: invalid duration"), "{errs:?}");
    }

    #[test]
    fn bare_date_is_end_of_day_in_zone() {
        let tz: Tz = "America/New_York".parse().expect("zone");
        let due = parse_due("2025-08-08", tz).expect("due");
        assert_eq!(due.to_rfc3339(), "2025-08-09T03:59:59+00:00");
    }

    #[test]
    fn routes_pick_first_match() {
        let text = r#"
[[receiver]]
name = "a"
type = "log"
[[receiver]]
name = "b"
type = "log"
[[route]]
tags = ["russia", "oil"]
receivers = ["a"]
[[route]]
tags = ["russia"]
receivers = ["b"]
[routing]
default = ["a", "b"]
"#;
        let config = parse(Path::new("t.toml"), text).expect("valid");
        let tags = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(config.receivers_for("x", &tags(&["oil", "russia"])), ["a"]);
        assert_eq!(config.receivers_for("x", &tags(&["russia"])), ["b"]);
        assert_eq!(config.receivers_for("x", &tags(&["iran"])), ["a", "b"]);
    }
}
