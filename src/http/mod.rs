//! The daemon's HTTP face, on only when `[http] listen` is set: a status page, a JSON API,
//! an ICS calendar, Prometheus metrics and health checks. Every read opens the ledger
//! read-only on a blocking thread (SQLite's WAL lets readers run beside the daemon's
//! writer); the two writes (Track, Dismiss) go through the daemon's own ledger handle.
//!
//! Off loopback a token is required (config refuses to start without one), and then every
//! request carries it: `Authorization: Bearer <token>`, or the cookie `/login` sets for a
//! browser. Bodies are capped, requests time out, and every response carries a strict CSP.

mod api;
mod pages;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt as _;
use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::{Config, Secret};
use crate::schedule::{Clock, MAX_SLEEP};
use crate::store::{Store, StoreError};

/// The largest request body accepted: the forms post an id and a CSRF token.
pub const MAX_BODY: usize = 16 * 1024;

/// What the handlers share with the daemon.
pub struct Shared {
    pub ledger: crate::store::Location,
    /// This daemon's name in a shared ledger, whose heartbeat `/readyz` checks.
    pub instance: Option<String>,
    pub config: watch::Receiver<Arc<Config>>,
    pub token: Option<Secret>,
    /// When the alert timer last ran a pass, in Unix milliseconds.
    pub timer_pass: Arc<AtomicI64>,
    /// The daemon's writable ledger, for Track and Dismiss.
    pub store: Arc<Mutex<Store>>,
    /// Woken after a write, so the timer plans at once.
    pub changed: Arc<Notify>,
    pub clock: Arc<dyn Clock>,
    /// The ledger's side of `/metrics`, read every [`METRICS_EVERY`] in the background.
    pub reading: Mutex<Option<Arc<crate::metrics::LedgerReading>>>,
    /// Read-only ledger connections kept between requests (at most [`READERS`]).
    pub readers: Mutex<Vec<Store>>,
}

/// How many read-only ledger connections are kept open between requests.
pub const READERS: usize = 4;

/// How often the ledger's counts behind `/metrics` are read again.
pub const METRICS_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

impl Shared {
    fn ledger_reading(&self) -> Option<Arc<crate::metrics::LedgerReading>> {
        self.reading.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Reads the ledger's counts now and keeps them for `/metrics`.
async fn refresh_reading(shared: &AppState) -> Result<Arc<crate::metrics::LedgerReading>, Problem> {
    let reading = Arc::new(read(shared, |store, config, _| Ok(crate::metrics::read_ledger(store, config)?)).await?);
    *shared.reading.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&reading));
    Ok(reading)
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("ledger", &self.ledger).field("token", &self.token).finish_non_exhaustive()
    }
}

type AppState = Arc<Shared>;

/// The routes, with their limits and headers.
pub fn router(shared: AppState) -> Router {
    let timeout = shared.config.borrow().http.as_ref().map_or(crate::config::HTTP_DEFAULT_TIMEOUT, |h| h.timeout);
    Router::new()
        .route("/", get(pages::index))
        .route("/deadlines/{id}", get(pages::deadline))
        .route("/deadlines/{id}/track", post(pages::track))
        .route("/deadlines/{id}/dismiss", post(pages::dismiss))
        .route("/talks", get(pages::talks))
        .route("/candidates", get(pages::candidates))
        .route("/feeds", get(pages::feeds))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/static/countdown.js", get(pages::script))
        .route("/static/style.css", get(pages::style))
        .route("/api/v1/deadlines", get(api::deadlines))
        .route("/api/v1/deadlines/{id}", get(api::deadline))
        .route("/api/v1/talks", get(api::talks))
        .route("/api/v1/alerts", get(api::alerts))
        .route("/api/v1/feeds", get(api::feeds))
        .route("/calendar.ics", get(api::calendar))
        .route("/metrics", get(api::metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), authorize))
        .layer(middleware::from_fn(secure_headers))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .with_state(shared)
}

/// Serves on `listener` until `stop` turns true.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shared: AppState,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    // The counts behind /metrics are read in the background, not by the scrape.
    let refresher = {
        let (shared, mut stop) = (Arc::clone(&shared), stop.clone());
        tokio::spawn(async move {
            loop {
                let _ = refresh_reading(&shared).await;
                tokio::select! {
                    () = tokio::time::sleep(METRICS_EVERY) => {}
                    _ = stop.changed() => break,
                }
            }
        })
    };
    // Answers go out at once, not after the peer's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let served = axum::serve(listener, router(shared))
        .with_graceful_shutdown(async move {
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
    refresher.abort();
    served
}

/// Runs `f` on a blocking thread with the ledger opened read-only.
async fn read<T: Send + 'static>(
    shared: &AppState,
    f: impl FnOnce(&Store, &Config, DateTime<Utc>) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    let config = Arc::clone(&shared.config.borrow());
    let now = shared.clock.now();
    let shared = Arc::clone(shared);
    tokio::task::spawn_blocking(move || {
        // A kept connection if there is one; the lock is held only to take or return it.
        let kept = shared.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let store = match kept {
            Some(s) => s,
            None => Store::open_read_only_at(&shared.ledger)?,
        };
        let result = f(&store, &config, now);
        let mut readers = shared.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A connection that failed (PostgreSQL restarted…) is not kept: the next read opens anew.
        if readers.len() < READERS && result.is_ok() {
            readers.push(store);
        }
        result
    })
    .await
    .map_err(|_| Problem::internal("a ledger read stopped"))?
}

/// An error a handler answers with: a status and a message safe to show.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    message: String,
}

impl Problem {
    fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem { status, message: message.into() }
    }

    fn internal(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    fn not_found(what: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, what)
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        tracing::error!(error = %e, "HTTP: cannot read the ledger");
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the ledger cannot be read now; see the daemon's log")
    }
}

impl From<crate::views::CursorOr> for Problem {
    fn from(e: crate::views::CursorOr) -> Problem {
        match e {
            crate::views::CursorOr::BadCursor => Problem::new(StatusCode::BAD_REQUEST, e.to_string()),
            crate::views::CursorOr::Store(s) => s.into(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.status, axum::Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}

async fn not_found() -> Problem {
    Problem::not_found("no such page")
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready when the ledger reads, the alert timer ran within its interval, and no receiver
/// has been retrying a message for longer than its `max_retry`.
async fn readyz(State(shared): State<AppState>) -> Response {
    let last_pass = shared.timer_pass.load(Ordering::Relaxed);
    let instance = shared.instance.clone();
    let problems = read(&shared, move |store, config, now| {
        let mut problems = Vec::new();
        let grace = chrono::Duration::from_std(MAX_SLEEP).unwrap_or_default() + chrono::Duration::seconds(30);
        match DateTime::from_timestamp_millis(last_pass) {
            Some(at) if now - at <= grace => {}
            _ => problems.push("the alert timer has not run within its interval".to_owned()),
        }
        if let Some(id) = &instance {
            let live = store.instances()?.iter().any(|i| &i.id == id && i.live(now));
            if !live {
                problems.push("this daemon's heartbeat in the shared ledger is older than its lease".to_owned());
            }
        }
        for (receiver, since) in store.retrying_since()? {
            let limit = crate::notify::pipeline::max_retry(config, &receiver);
            if chrono::Duration::from_std(limit).is_ok_and(|l| now - since > l) {
                problems.push(format!("receiver {receiver} has been failing for longer than its max_retry"));
            }
        }
        Ok(problems)
    })
    .await;
    match problems {
        Ok(p) if p.is_empty() => (StatusCode::OK, "ready\n").into_response(),
        Ok(p) => (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({ "ready": false, "problems": p })))
            .into_response(),
        Err(p) => p.into_response(),
    }
}

const TOKEN_COOKIE: &str = "sanctiond_token";

/// With a token configured, every request but `/healthz` and the login form needs it.
async fn authorize(State(shared): State<AppState>, request: Request, next: Next) -> Response {
    let Some(token) = &shared.token else { return next.run(request).await };
    let path = request.uri().path();
    if path == "/healthz" || path == "/login" || path.starts_with("/static/") {
        return next.run(request).await;
    }
    let (bearer, cookie) = presented(request.headers());
    let by_header = bearer.is_some_and(|t| same(t.as_bytes(), token.expose().as_bytes()));
    let by_cookie = cookie.is_some_and(|c| same(c.as_bytes(), session_value(token).as_bytes()));
    if by_header || by_cookie {
        return next.run(request).await;
    }
    let browser =
        request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if browser && request.method() == axum::http::Method::GET {
        return axum::response::Redirect::to("/login").into_response();
    }
    let mut response =
        Problem::new(StatusCode::UNAUTHORIZED, "this needs the token: Authorization: Bearer <token>").into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// What a request carries: a bearer token, and the sign-in cookie.
fn presented(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let cookie =
        headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
            |c| {
                let (name, value) = c.trim().split_once('=')?;
                (name == TOKEN_COOKIE).then(|| value.to_owned())
            },
        );
    (bearer, cookie)
}

/// What the sign-in cookie holds: derived from the token, so the cookie is not the secret
/// itself, and changes when the token does.
fn session_value(token: &Secret) -> String {
    crate::ingest::sha256_hex(format!("sanctiond session\u{0}{}", token.expose()).as_bytes())
}

/// Compares secrets in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token a form must carry back: derived from the secret, so another site cannot
/// forge it, and useless as the secret itself.
fn csrf_token(token: &Secret) -> String {
    crate::ingest::sha256_hex(format!("sanctiond csrf\u{0}{}", token.expose()).as_bytes())
}

async fn secure_headers(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}
