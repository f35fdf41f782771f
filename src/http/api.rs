//! `/api/v1/…`: the same objects as the CLI's `--format json`, a page at a time, plus the
//! calendar and the metrics.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppState, Problem, read};
use crate::model::{AlertState, Tracking};
use crate::views::{self, DeadlineFilter};

/// Page size when the client gives none, and the most it may ask for.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

#[derive(Debug, Deserialize)]
pub struct DeadlinesQuery {
    tracking: Option<String>,
    tag: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

fn limit(asked: Option<usize>) -> Result<usize, Problem> {
    match asked {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => {
            Err(Problem::new(StatusCode::BAD_REQUEST, format!("limit {n} is out of range: ask for 1 to {MAX_LIMIT}")))
        }
    }
}

/// `?tracking=` as the CLI spells the states; absent means tracked, `all` means any.
pub(super) fn tracking(asked: Option<&str>) -> Result<Option<Tracking>, Problem> {
    match asked {
        None => Ok(Some(Tracking::Tracked)),
        Some("all") => Ok(None),
        Some(t) => Tracking::parse(t).map(Some).ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                format!("tracking {t:?} is not one of tracked, candidate, dismissed, all"),
            )
        }),
    }
}

/// A page of a list as the API answers it.
fn listing(items: Vec<Value>, next: Option<String>) -> Json<Value> {
    Json(json!({ "items": items, "next": next }))
}

pub async fn deadlines(
    State(shared): State<AppState>,
    Query(q): Query<DeadlinesQuery>,
) -> Result<Json<Value>, Problem> {
    let filter = DeadlineFilter { tracking: tracking(q.tracking.as_deref())?, tag: q.tag };
    let limit = limit(q.limit)?;
    read(&shared, move |store, config, _| {
        let page = views::deadlines_page(store, &filter, q.cursor.as_deref(), limit)?;
        Ok(listing(views::deadlines(store, &page.items, config.daemon.timezone)?, page.next))
    })
    .await
}

pub async fn deadline(State(shared): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, Problem> {
    read(&shared, move |store, config, _| match store.deadline(&id)? {
        Some(d) => Ok(Json(views::deadline(store, &d, config.daemon.timezone)?)),
        None => Err(Problem::not_found(format!("no deadline {id:?}"))),
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct TalksQuery {
    actor: Option<String>,
    deadline: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

pub async fn talks(State(shared): State<AppState>, Query(q): Query<TalksQuery>) -> Result<Json<Value>, Problem> {
    let limit = limit(q.limit)?;
    read(&shared, move |store, _, _| {
        let mut talks = store.talks(q.deadline.as_deref(), usize::MAX)?;
        if let Some(actor) = &q.actor {
            talks.retain(|t| super::pages::involves(t, actor));
        }
        let page = views::page_of(talks, q.cursor.as_deref(), limit, |t| t.id.to_string())?;
        Ok(listing(page.items.iter().map(views::talk).collect(), page.next))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct AlertsQuery {
    deadline: Option<String>,
    state: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

pub async fn alerts(State(shared): State<AppState>, Query(q): Query<AlertsQuery>) -> Result<Json<Value>, Problem> {
    let limit = limit(q.limit)?;
    let state = match q.state.as_deref() {
        None => None,
        Some(s) => Some(AlertState::parse(s).ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                format!("state {s:?} is not one of pending, sending, sent, failed, cancelled"),
            )
        })?),
    };
    read(&shared, move |store, _, _| {
        let page = views::alerts_page(store, q.deadline.as_deref(), state, q.cursor.as_deref(), limit)?;
        Ok(listing(page.items.iter().map(views::alert).collect(), page.next))
    })
    .await
}

pub async fn feeds(State(shared): State<AppState>) -> Result<Json<Value>, Problem> {
    read(&shared, |store, config, now| Ok(Json(json!({ "items": views::feeds(config, store, now)?, "next": null }))))
        .await
}

#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    tag: Option<String>,
}

pub async fn calendar(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, Problem> {
    // Links in the calendar point back at the address the subscriber used.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned);
    let text = read(&shared, move |store, config, now| {
        let base = host.or_else(|| config.http.as_ref().map(|h| h.listen.to_string())).map(|h| format!("http://{h}"));
        Ok(crate::ics::from_ledger(store, config, q.tag.as_deref(), base.as_deref(), now)?)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], text).into_response())
}

/// OpenMetrics for a scraper that asks for it (Prometheus does), else the classic text format.
pub async fn metrics(State(shared): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let reading = match shared.ledger_reading() {
        Some(r) => r,
        None => super::refresh_reading(&shared).await?,
    };
    let text = crate::metrics::render(&reading, shared.clock.now());
    let open = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("application/openmetrics-text"));
    Ok(if open {
        ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], crate::metrics::classic(&text))
            .into_response()
    })
}
