//! The running service: wires config, ledger, timer and receivers together; handles
//! SIGTERM/SIGINT (drain, exit), SIGHUP (all-or-nothing reload) and the systemd notify
//! protocol. The only module that reads the environment or the wall clock.

use std::fs::{self, File, TryLockError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sd_notify::NotifyState;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Notify, watch};

use crate::config::{self, Config, ConfigErrors, PasswordSource, ReceiverKind, Secret};
use crate::notify::email::Mailer;
use crate::notify::{Notifiers, Secrets, pipeline};
use crate::schedule::{self, Clock};
use crate::store::db::Connector;
use crate::store::{LEDGER_FILE, Location, PgTarget, Store, StoreError, SyncReport};

/// How long running work may take to finish after SIGTERM before the process exits anyway.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(4);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{what} {path}: {source}")]
    Io { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("another sanctiond already runs on the state directory {0} (it holds sanctiond.lock)")]
    AlreadyRunning(PathBuf),
    /// A config that parses but cannot be put to use (a password file that is missing…).
    #[error("{}: {}", .0.display(), .1)]
    Setup(PathBuf, String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Where the config is: `--config`, else `$SANCTIOND_CONFIG` (clap reads both), else the default.
pub fn config_path(flag: Option<PathBuf>) -> PathBuf {
    flag.unwrap_or_else(|| PathBuf::from(config::DEFAULT_PATH))
}

/// The ledger file for `config`, with systemd's `$STATE_DIRECTORY` as the fallback.
pub fn ledger_path(config: &Config) -> PathBuf {
    // systemd may pass several directories separated by ':'; ours is the first.
    let systemd = std::env::var_os("STATE_DIRECTORY")
        .and_then(|v| v.to_str().and_then(|s| s.split(':').next()).map(PathBuf::from));
    config.state_dir(systemd.as_deref()).join(LEDGER_FILE)
}

/// This daemon's name in a shared ledger: its host and state directory, the same across
/// restarts, so that `sanctiond instances` shows one row per daemon.
fn owner(config: &Config, state_dir: &Path) -> crate::store::Owner {
    let lease = config.store.as_ref().map_or(config::STORE_DEFAULT_LEASE, |s| s.lease);
    crate::store::Owner {
        id: format!("{}:{}", host_name(), state_dir.display()),
        lease: chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30)),
    }
}

fn host_name() -> String {
    rustix::system::uname().nodename().to_string_lossy().into_owned()
}

/// Stamps this daemon's row in a shared ledger and renews the leases of what it is
/// sending, three times per lease, on a connection of its own: a dispatcher busy with
/// the ledger never makes a lease run out. A failure is the dispatcher's to report.
async fn heartbeat(ledger: Location, owner: crate::store::Owner, clock: Arc<dyn Clock>) {
    let started = clock.now();
    let pid = std::process::id();
    let host = host_name();
    let every = (owner.lease / 3).to_std().unwrap_or(Duration::from_secs(10)).max(Duration::from_millis(300));
    let mut store: Option<Store> = None;
    loop {
        let now = clock.now();
        let (ledger2, owner2, host2) = (ledger.clone(), owner.clone(), host.clone());
        let mut taken = store.take();
        store = tokio::task::spawn_blocking(move || {
            if taken.is_none() {
                match Store::open_at(&ledger2) {
                    Ok(mut s) => {
                        s.set_owner(Some(owner2));
                        taken = Some(s);
                    }
                    Err(error) => tracing::debug!(%error, "heartbeat cannot reach the ledger"),
                }
            }
            if let Some(s) = taken.as_mut()
                && let Err(error) = s.heartbeat(&host2, pid, started, now)
            {
                tracing::debug!(%error, "heartbeat not recorded");
            }
            taken
        })
        .await
        .unwrap_or(None);
        tokio::time::sleep(every).await;
    }
}

/// Wakes this daemon when another one sharing the PostgreSQL ledger changed it (an article
/// ingested, a deadline tracked): LISTEN on a connection of its own, on a thread of its
/// own. A lost connection is retried every few seconds and logged once; meanwhile the
/// daemon still wakes on its own timers.
fn listen_for_changes(target: &PgTarget, changed: &Notify, listening: &AtomicBool) {
    use postgres::fallible_iterator::FallibleIterator as _;
    let mut lost = false;
    while listening.load(Ordering::Relaxed) {
        let mut config = target.config.clone();
        config.application_name("sanctiond-listen");
        let connected = target.connector.connect(&config).and_then(|mut client| {
            client.batch_execute(&format!("LISTEN {}", crate::store::db::CHANGED_CHANNEL))?;
            Ok(client)
        });
        let mut client = match connected {
            Ok(client) => client,
            Err(error) => {
                if !lost {
                    tracing::warn!(ledger = %target.label, %error, "cannot listen for other daemons' changes; retrying");
                    lost = true;
                }
                std::thread::sleep(Duration::from_secs(3));
                continue;
            }
        };
        if lost {
            tracing::info!(ledger = %target.label, "listening for other daemons' changes again");
            lost = false;
        }
        // A change made while the connection was down is caught up by one pass now.
        changed.notify_one();
        while listening.load(Ordering::Relaxed) && !client.is_closed() {
            let mut woke = false;
            let mut notes = client.notifications();
            let mut iter = notes.timeout_iter(Duration::from_secs(1));
            while let Ok(Some(_)) = iter.next() {
                woke = true;
            }
            if woke {
                changed.notify_one();
            }
        }
    }
}

fn current_store(config: &watch::Sender<Arc<Config>>) -> Option<config::StoreConfig> {
    config.borrow().store.clone()
}

/// Where the ledger is: the PostgreSQL database of `[store]` (its password read now from
/// its file, variable or credential), else the SQLite file in the state directory.
pub fn ledger(config: &Config) -> Result<Location, String> {
    let Some(store) = &config.store else { return Ok(Location::File(ledger_path(config))) };
    let (url, _) = config::split_sslmode(&store.url);
    let mut pg: postgres::Config = url.parse().map_err(|e| format!("[store] url is not a PostgreSQL URL: {e}"))?;
    if let Some(source) = &store.password {
        let secret = read_secret(source, "[store]", "PostgreSQL password")?;
        pg.password(secret.expose());
    }
    let connector = if store.tls { Connector::tls(tls_config(store.ca_file.as_deref())?) } else { Connector::plain() };
    Ok(Location::Postgres(Box::new(PgTarget { config: pg, connector, label: store.url.clone() })))
}

/// The TLS client config for PostgreSQL: the CA certificates of `ca_file` (PEM) when given,
/// else the platform's verifier, as for SMTP and HTTPS.
fn tls_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("[store] TLS: {e}"))?;
    let Some(path) = ca_file else {
        let builder = builder.with_platform_verifier().map_err(|e| format!("[store] TLS: {e}"))?;
        return Ok(builder.with_no_client_auth());
    };
    let unreadable = |e: &dyn std::fmt::Display| format!("[store] ca_file {}: {e}", path.display());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
        roots.add(cert.map_err(|e| unreadable(&e))?).map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(format!("[store] ca_file {}: no PEM certificate in it", path.display()));
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

/// Logs to stderr: no colours unless stderr is a terminal, and no timestamps under
/// journald (`$JOURNAL_STREAM`), which stamps every line itself. `RUST_LOG` filters.
pub fn init_logging() {
    init_logging_at("info");
}

/// Like [`init_logging`], with `default` as the filter when `RUST_LOG` is unset: the CLI's
/// one-shot commands log warnings only, beside their own output.
pub fn init_logging_at(default: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true);
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().init();
    } else {
        builder.init();
    }
}

/// Options of one daemon run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub config_path: PathBuf,
    /// Stop by itself after this long (the `demo` command).
    pub stop_after: Option<Duration>,
}

/// Runs the daemon until SIGTERM or SIGINT (or `stop_after`).
pub fn run(options: RunOptions) -> Result<(), DaemonError> {
    // Whoever starts it, what the daemon writes (the ledger, its WAL, the wake socket) is
    // its user's alone: the articles and alerts in it are nobody else's business.
    set_private_umask();
    let config = Arc::new(config::load(&options.config_path)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(DaemonError::Runtime)?;
    let result = runtime.block_on(serve(config, options));
    // A ledger write still running after the drain timeout must not hold up the exit.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}

async fn serve(config: Arc<Config>, options: RunOptions) -> Result<(), DaemonError> {
    // Handlers first: a SIGTERM that comes while the daemon starts is a clean stop, not a kill.
    let mut terminate = signal(SignalKind::terminate()).map_err(DaemonError::Runtime)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(DaemonError::Runtime)?;
    let mut hangup = signal(SignalKind::hangup()).map_err(DaemonError::Runtime)?;
    let file = ledger_path(&config);
    let state_dir = file.parent().map_or_else(|| PathBuf::from("."), Path::to_owned);
    let ledger = ledger(&config).map_err(|e| DaemonError::Setup(config.path.clone(), e))?;
    fs::create_dir_all(&state_dir).map_err(|source| DaemonError::Io {
        what: "cannot create the state directory",
        path: state_dir.clone(),
        source,
    })?;
    let _lock = lock_state_dir(&state_dir)?;
    let wake = bind_wake_socket(&state_dir)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    let notifiers = Arc::new(build_notifiers(&config).map_err(|e| DaemonError::Setup(config.path.clone(), e))?);
    let now = clock.now();
    // This daemon's name and lease in a shared ledger (its claims, heartbeat and /readyz).
    let shared_as = owner(&config, &state_dir);
    // Off the async threads: opening may connect to PostgreSQL and migrate the schema.
    let (store, report, senders) = tokio::task::spawn_blocking({
        let (config, ledger, owner) = (Arc::clone(&config), ledger.clone(), shared_as.clone());
        move || -> Result<_, DaemonError> {
            let mut store = Store::open_at(&ledger)?;
            if ledger.is_postgres() {
                store.set_owner(Some(owner.clone()));
            }
            let report = schedule::sync(&mut store, &config, now)?;
            // On a shared ledger the send slots claim and settle on connections of their
            // own: the dispatcher's (logging rows, planning) never holds them up.
            let mut senders = Vec::new();
            if ledger.is_postgres() {
                for _ in 0..pipeline::SENDER_CONNECTIONS {
                    let mut sender = Store::open_at(&ledger)?;
                    sender.set_owner(Some(owner.clone()));
                    senders.push(Arc::new(Mutex::new(sender)));
                }
            }
            Ok((store, report, senders))
        }
    })
    .await
    .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))?;
    log_sync(&config, &report, "deadlines loaded");
    tracing::info!(ledger = %ledger.label(), config = %config.path.display(), "sanctiond started");

    let store = Arc::new(Mutex::new(store));
    let changed = Arc::new(Notify::new());
    let heartbeat_task =
        ledger.is_postgres().then(|| tokio::spawn(heartbeat(ledger.clone(), shared_as.clone(), Arc::clone(&clock))));
    let listening = Arc::new(AtomicBool::new(true));
    if let Location::Postgres(target) = &ledger {
        let (target, changed, listening) = ((**target).clone(), Arc::clone(&changed), Arc::clone(&listening));
        std::thread::Builder::new()
            .name("pg-listen".to_owned())
            .spawn(move || listen_for_changes(&target, &changed, &listening))
            .map_err(DaemonError::Runtime)?;
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    // Each pass of the alert timer stamps the time (for /readyz) and pings the systemd
    // watchdog when one is set.
    let timer_pass = Arc::new(AtomicI64::new(clock.now().timestamp_millis()));
    let heartbeat = {
        let watchdog = sd_notify::watchdog_enabled();
        let (pass, clock) = (Arc::clone(&timer_pass), Arc::clone(&clock));
        let beat: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
            pass.store(clock.now().timestamp_millis(), Ordering::Relaxed);
            if watchdog.is_some() {
                notify_systemd(&[NotifyState::Watchdog]);
            }
        });
        Some((watchdog.unwrap_or(schedule::MAX_SLEEP * 2), beat))
    };
    let (notifiers_tx, notifiers_rx) = watch::channel(notifiers);
    let (config_tx, config_rx) = watch::channel(Arc::clone(&config));
    let dispatcher = tokio::spawn(pipeline::run(
        pipeline::Context {
            store: Arc::clone(&store),
            senders,
            config: config_tx.subscribe(),
            notifiers: notifiers_rx,
            clock: Arc::clone(&clock),
            changed: Arc::clone(&changed),
            heartbeat,
        },
        stop_rx.clone(),
    ));
    let spool = match &config.spool {
        None => None,
        Some(spool) => {
            // Created before READY when they can be; when they cannot, the spool's own task
            // keeps trying and logs the fault once: alerts do not depend on the spool.
            let _ = crate::ingest::spool::create_dirs(spool);
            let ctx = crate::ingest::spool::SpoolContext {
                spool: spool.clone(),
                ledger: ledger.clone(),
                state_dir: state_dir.clone(),
                config: config_rx,
                changed: Arc::clone(&changed),
            };
            Some(tokio::spawn(crate::ingest::spool::run(ctx, stop_rx.clone())))
        }
    };
    let feeds = tokio::spawn(crate::ingest::feed::run(
        crate::ingest::feed::FeedsContext {
            ledger: ledger.clone(),
            config: config_tx.subscribe(),
            changed: Arc::clone(&changed),
        },
        stop_rx.clone(),
    ));
    let http = match &config.http {
        None => None,
        Some(h) => {
            let token = match &h.token {
                Some(source) => Some(
                    read_secret(source, "[http]", "token").map_err(|e| DaemonError::Setup(config.path.clone(), e))?,
                ),
                None => None,
            };
            let listener = tokio::net::TcpListener::bind(h.listen).await.map_err(|source| DaemonError::Io {
                what: "cannot listen for HTTP ([http] listen)",
                path: PathBuf::from(h.listen.to_string()),
                source,
            })?;
            let shared = Arc::new(crate::http::Shared {
                ledger: ledger.clone(),
                instance: ledger.is_postgres().then(|| shared_as.id.clone()),
                config: config_tx.subscribe(),
                token,
                timer_pass: Arc::clone(&timer_pass),
                store: Arc::clone(&store),
                changed: Arc::clone(&changed),
                clock: Arc::clone(&clock),
                reading: Mutex::new(None),
                readers: Mutex::new(Vec::new()),
            });
            let address = listener.local_addr().map_or_else(|_| h.listen.to_string(), |a| a.to_string());
            tracing::info!(url = %format!("http://{address}/"), "status page and API listening");
            Some(tokio::spawn(crate::http::serve(listener, shared, stop_rx.clone())))
        }
    };
    notify_systemd(&[NotifyState::Ready, NotifyState::Status("watching deadlines")]);

    let stop_after = async {
        match options.stop_after {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(stop_after);
    let mut dispatcher = dispatcher;
    let mut datagram = [0u8; 64];
    let mut wakes = WakeGate::default();
    let outcome = loop {
        tokio::select! {
            _ = terminate.recv() => break Ok(()),
            _ = interrupt.recv() => break Ok(()),
            () = &mut stop_after => break Ok(()),
            _ = hangup.recv() => reload(&store, &changed, &clock, &options.config_path, &file, &config_tx, &notifiers_tx).await,
            // `sanctiond ingest`, `track` or `dismiss` wrote the ledger: look at it again now.
            Ok(n) = wake.recv(&mut datagram) => {
                if wakes.take(&datagram[..n], tokio::time::Instant::now()) {
                    changed.notify_one();
                }
            }
            () = wakes.deferred() => changed.notify_one(),
            result = &mut dispatcher => break result.unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic())),
        }
    };
    notify_systemd(&[NotifyState::Stopping]);
    tracing::info!("stopping");
    let _ = fs::remove_file(state_dir.join(WAKE_SOCKET));
    let _ = stop_tx.send(true);
    if let Some(task) = heartbeat_task {
        task.abort();
    }
    listening.store(false, Ordering::Relaxed);
    // Every task drains at once, within one deadline: the unit gives a stop 10 s.
    let drain = async {
        let dispatcher = async {
            if !dispatcher.is_finished() {
                let _ = (&mut dispatcher).await;
            }
        };
        let feeds = async {
            if let Ok(Err(error)) = feeds.await {
                tracing::error!(%error, "the feed poller stopped");
            }
        };
        let spool = async {
            if let Some(spool) = spool
                && let Ok(Err(error)) = spool.await
            {
                tracing::error!(%error, "the spool stopped");
            }
        };
        let http = async {
            if let Some(http) = http
                && let Ok(Err(error)) = http.await
            {
                tracing::error!(%error, "the HTTP server stopped");
            }
        };
        tokio::join!(dispatcher, feeds, spool, http);
    };
    if tokio::time::timeout(DRAIN_TIMEOUT, drain).await.is_err() {
        tracing::warn!(
            "work still running after {DRAIN_TIMEOUT:?} is abandoned: unsent messages, feed entries and spool files are taken up again at the next start"
        );
    }
    outcome.map_err(DaemonError::from)
}

/// Builds the new config completely, then swaps it in; on any problem the running one stays.
async fn reload(
    store: &Arc<Mutex<Store>>,
    changed: &Notify,
    clock: &Arc<dyn Clock>,
    path: &Path,
    ledger: &Path,
    config_tx: &watch::Sender<Arc<Config>>,
    notifiers_tx: &watch::Sender<Arc<Notifiers>>,
) {
    let reloading = NotifyState::monotonic_usec_now().ok();
    let mut states = vec![NotifyState::Reloading];
    states.extend(reloading);
    notify_systemd(&states);
    tracing::info!(config = %path.display(), "reloading");
    match config::load(path) {
        Err(errors) => {
            for line in errors.to_string().lines() {
                tracing::error!("reload refused, keeping the running config: {line}");
            }
        }
        Ok(new) if new.store != current_store(config_tx) => {
            tracing::error!(
                "reload refused, keeping the running config: [store] changed; restart sanctiond to move the ledger"
            );
        }
        Ok(new) if ledger_path(&new) != ledger => {
            tracing::error!(
                "reload refused, keeping the running config: [daemon] state_dir changed to {}; restart sanctiond to move the ledger",
                ledger_path(&new).display()
            );
        }
        Ok(new) => match build_notifiers(&new) {
            Err(error) => tracing::error!("reload refused, keeping the running config: {}: {error}", path.display()),
            Ok(notifiers) => {
                let new = Arc::new(new);
                let store = Arc::clone(store);
                let now = clock.now();
                let config = Arc::clone(&new);
                // The ledger's lock is held for planning only, never across a send.
                let result = tokio::task::spawn_blocking(move || {
                    let mut store = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    schedule::sync(&mut store, &config, now)
                })
                .await
                .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()));
                match result {
                    Ok(report) => {
                        log_sync(&new, &report, "config reloaded");
                        if new.spool.as_ref().map(|s| &s.dir) != config_tx.borrow().spool.as_ref().map(|s| &s.dir) {
                            tracing::warn!("[spool] changed: the spool follows the new directory after a restart");
                        }
                        if new.http != config_tx.borrow().http {
                            tracing::warn!(
                                "[http] changed: the status page and API keep their address and token until a restart"
                            );
                        }
                        let _ = notifiers_tx.send(Arc::new(notifiers));
                        let _ = config_tx.send(Arc::clone(&new));
                        changed.notify_one();
                    }
                    Err(error) => tracing::error!(%error, "reload failed while updating the ledger"),
                }
            }
        },
    }
    notify_systemd(&[NotifyState::Ready, NotifyState::Status("watching deadlines")]);
}

fn log_sync(config: &Config, report: &SyncReport, message: &str) {
    tracing::info!(
        declared = config.deadlines.len(),
        added = report.added.len(),
        moved = report.moved.len(),
        withdrawn = report.withdrawn.len(),
        receivers = config.receivers.len(),
        "{message}"
    );
    for id in &report.moved {
        tracing::info!(deadline = %id, "deadline moved: its pending alerts were replaced");
    }
    for id in &report.withdrawn {
        tracing::info!(deadline = %id, "deadline withdrawn: its pending alerts were cancelled");
    }
}

/// The socket in the state directory on which a running daemon hears that another process
/// changed the ledger. Not a network port: a Unix datagram socket only its user may write to.
pub const WAKE_SOCKET: &str = "wake.sock";

/// What the wake socket lets through: its own message only, at most one wake-up per
/// [`WakeGate::SPACING`] (a flood is folded into one deferred wake-up), and junk logged at
/// most once a minute with a count.
#[derive(Debug, Default)]
struct WakeGate {
    last: Option<tokio::time::Instant>,
    pending: Option<tokio::time::Instant>,
    junk: u64,
    junk_logged: Option<tokio::time::Instant>,
}

impl WakeGate {
    const SPACING: Duration = Duration::from_millis(50);

    /// Whether this datagram wakes the dispatcher now.
    fn take(&mut self, datagram: &[u8], now: tokio::time::Instant) -> bool {
        if datagram != WAKE_MESSAGE {
            self.junk += 1;
            if self.junk_logged.is_none_or(|t| now - t >= Duration::from_secs(60)) {
                tracing::warn!(count = self.junk, "ignored datagrams on the wake socket that are not sanctiond's");
                self.junk_logged = Some(now);
                self.junk = 0;
            }
            return false;
        }
        match self.last {
            Some(t) if now - t < Self::SPACING => {
                self.pending = Some(t + Self::SPACING);
                false
            }
            _ => {
                self.last = Some(now);
                true
            }
        }
    }

    /// Resolves when a folded wake-up is due.
    async fn deferred(&mut self) {
        match self.pending {
            Some(at) => {
                tokio::time::sleep_until(at).await;
                self.pending = None;
                self.last = Some(at);
            }
            None => std::future::pending().await,
        }
    }
}

/// The one message the wake socket accepts.
const WAKE_MESSAGE: &[u8] = b"wake";

/// Binds the wake socket, replacing one a crashed daemon left (the lock is held, so no
/// other daemon owns it).
fn bind_wake_socket(dir: &Path) -> Result<tokio::net::UnixDatagram, DaemonError> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join(WAKE_SOCKET);
    let _ = fs::remove_file(&path);
    let io = |source| DaemonError::Io { what: "cannot bind the wake socket", path: path.clone(), source };
    let socket = tokio::net::UnixDatagram::bind(&path).map_err(io)?;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).map_err(io)?;
    Ok(socket)
}

/// Tells a daemon running on `state_dir` that the ledger changed, so it plans and sends
/// without waiting for its next wake-up. Nothing happens when none runs.
pub fn wake(state_dir: &Path) {
    if let Ok(socket) = std::os::unix::net::UnixDatagram::unbound() {
        let _ = socket.send_to(WAKE_MESSAGE, state_dir.join(WAKE_SOCKET));
    }
}

/// Holds an exclusive lock on `sanctiond.lock` so that one daemon writes the ledger.
fn lock_state_dir(dir: &Path) -> Result<File, DaemonError> {
    let path = dir.join("sanctiond.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| DaemonError::Io { what: "cannot open the lock file", path: path.clone(), source })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(DaemonError::AlreadyRunning(dir.to_owned())),
        Err(TryLockError::Error(source)) => Err(DaemonError::Io { what: "cannot lock", path, source }),
    }
}

/// Tells systemd about a state change; does nothing when `$NOTIFY_SOCKET` is unset.
fn notify_systemd(states: &[NotifyState<'_>]) {
    if let Err(error) = sd_notify::notify(states) {
        tracing::warn!(%error, "cannot reach systemd's notify socket");
    }
}

/// The receivers of `config`: the SMTP relay when it has `[smtp]`, and every receiver's
/// secret read from where the config says it is.
pub fn build_notifiers(config: &Config) -> Result<Notifiers, String> {
    let mut secrets = Secrets::new();
    for r in &config.receivers {
        if let Some((source, what)) = secret_source(&r.kind) {
            let secret = read_secret(source, &format!("receiver \"{}\"", r.name), what)?;
            secrets.insert(r.name.clone(), secret);
        }
    }
    Notifiers::new(config, build_mailer(config)?, &secrets)
}

/// What is wrong, now, with the places the daemon writes: the state directory (missing is
/// fine, it is created; not writable or nearly full is not) and the spool with its `done/`
/// and `rejected/`. For `check-config`; the daemon itself logs these as faults.
pub fn storage_problems(state: Option<&Path>, spool: Option<&Path>) -> Vec<String> {
    let mut problems = Vec::new();
    let writable = |dir: &Path| -> Result<(), String> {
        let probe = dir.join(format!(".sanctiond-probe-{}", std::process::id()));
        fs::write(&probe, b"").map_err(|e| format!("{} is not writable: {e}", dir.display()))?;
        let _ = fs::remove_file(&probe);
        Ok(())
    };
    if let Some(state) = state.filter(|s| s.exists()) {
        if let Err(e) = writable(state) {
            problems.push(format!("state directory {e}"));
        }
        if let Ok(stat) = rustix::fs::statvfs(state) {
            let free = stat.f_bavail.saturating_mul(stat.f_frsize);
            if free < 16 * 1024 * 1024 {
                problems.push(format!(
                    "state directory {} has {} KiB free: alerts are held while the ledger cannot be written",
                    state.display(),
                    free / 1024
                ));
            }
        }
    }
    if let Some(spool) = spool.filter(|s| s.exists()) {
        for dir in [spool.to_owned(), spool.join("done"), spool.join("rejected")] {
            match fs::symlink_metadata(&dir) {
                Ok(m) if m.is_dir() => {
                    if let Err(e) = writable(&dir) {
                        problems.push(format!("spool: {e}"));
                    }
                }
                Ok(_) => problems.push(format!("spool: {} is not a directory", dir.display())),
                Err(_) => {}
            }
        }
    }
    problems
}

/// Every secret of `config` that cannot be read now, as a message naming where it was
/// looked for (never its value): what `check-config` warns about.
pub fn unreadable_secrets(config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(Err(e)) = config.smtp.as_ref().and_then(|s| s.password.as_ref()).map(read_password) {
        problems.push(e);
    }
    for r in &config.receivers {
        if let Some((source, what)) = secret_source(&r.kind)
            && let Err(e) = read_secret(source, &format!("receiver \"{}\"", r.name), what)
        {
            problems.push(e);
        }
    }
    if let Some(Err(e)) = config.http.as_ref().and_then(|h| h.token.as_ref()).map(|t| read_secret(t, "[http]", "token"))
    {
        problems.push(e);
    }
    // The [store] password and CA file, read as the daemon reads them.
    if config.store.is_some()
        && let Err(e) = ledger(config)
    {
        problems.push(e);
    }
    problems
}

/// Where a receiver's secret comes from, and what it is, if it has one.
fn secret_source(kind: &ReceiverKind) -> Option<(&PasswordSource, &'static str)> {
    match kind {
        ReceiverKind::Webhook { secret, .. } => secret.as_ref().map(|s| (s, "webhook secret")),
        ReceiverKind::Ntfy { token, .. } => token.as_ref().map(|s| (s, "ntfy token")),
        ReceiverKind::Slack { url } => Some((url, "Slack webhook URL")),
        ReceiverKind::MsTeams { url } => Some((url, "Teams webhook URL")),
        ReceiverKind::Matrix { token, .. } => Some((token, "Matrix access token")),
        ReceiverKind::Log | ReceiverKind::Email { .. } => None,
    }
}

/// The SMTP relay of `config`, if it has `[smtp]`.
pub fn build_mailer(config: &Config) -> Result<Option<Mailer>, String> {
    match &config.smtp {
        None => Ok(None),
        Some(smtp) => {
            let password = smtp.password.as_ref().map(read_password).transpose()?;
            Ok(Some(Mailer::new(smtp, password)?))
        }
    }
}

/// Reads the SMTP password from where `[smtp]` says it is.
pub fn read_password(source: &PasswordSource) -> Result<Secret, String> {
    read_secret(source, "[smtp]", "SMTP password")
}

/// Reads a secret (the first line of a file, an environment variable, or a systemd
/// credential); `section` and `what` name it in messages, which never hold its value.
pub fn read_secret(source: &PasswordSource, section: &str, what: &str) -> Result<Secret, String> {
    let from_file = |path: &Path| -> Result<Secret, String> {
        let text = fs::read_to_string(path)
            .map_err(|e| format!("{section}: cannot read the {what} from {}: {e}", path.display()))?;
        let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
        if line.is_empty() {
            return Err(format!("{section}: the {what} file {} is empty", path.display()));
        }
        Ok(Secret::new(line.to_owned()))
    };
    match source {
        PasswordSource::File(path) => from_file(path),
        PasswordSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
            _ => Err(format!("{section}: the {what} is to come from ${var}, which is not set")),
        },
        PasswordSource::Credential(name) => match std::env::var_os("CREDENTIALS_DIRECTORY") {
            Some(dir) => from_file(&Path::new(&dir).join(name)),
            None => Err(format!(
                "{section}: the {what} credential \"{name}\" needs $CREDENTIALS_DIRECTORY: add LoadCredential={name}:/path/to/file to the unit"
            )),
        },
    }
}

/// Sets the process umask to 0077, so files the daemon creates are private to its user.
fn set_private_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_wake_socket_takes_its_own_message_and_folds_a_flood_into_one_wake_up() {
        let mut gate = WakeGate::default();
        let start = tokio::time::Instant::now();
        assert!(!gate.take(b"\x1b[2Jjunk", start), "junk never wakes");
        assert!(gate.take(WAKE_MESSAGE, start));
        for i in 1..1000u64 {
            assert!(!gate.take(WAKE_MESSAGE, start + Duration::from_micros(i)), "a flood is folded");
        }
        // The folded wake-up comes once, SPACING after the first.
        tokio::time::timeout(Duration::from_millis(60), gate.deferred()).await.expect("one deferred wake-up");
        assert_eq!(tokio::time::Instant::now() - start, WakeGate::SPACING);
        assert!(tokio::time::timeout(Duration::from_secs(5), gate.deferred()).await.is_err(), "and only once");
        assert!(gate.take(WAKE_MESSAGE, tokio::time::Instant::now() + WakeGate::SPACING));
    }
}
