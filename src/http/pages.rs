//! The status pages: server-rendered HTML from the templates beside this file (autoescaped),
//! readable without JavaScript; one small script counts down.

use std::sync::LazyLock;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono_tz::Tz;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Value, context};
use serde::{Deserialize, Serialize};

use super::{AppState, Problem, TOKEN_COOKIE, csrf_token, read, same, session_value};
use crate::model::{Deadline, TalkEvent, Tracking};
use crate::views::{self, DeadlineFilter};

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    for (name, text) in [
        ("base.html", include_str!("templates/base.html")),
        ("index.html", include_str!("templates/index.html")),
        ("deadline.html", include_str!("templates/deadline.html")),
        ("talks.html", include_str!("templates/talks.html")),
        ("candidates.html", include_str!("templates/candidates.html")),
        ("feeds.html", include_str!("templates/feeds.html")),
        ("login.html", include_str!("templates/login.html")),
    ] {
        env.add_template(name, text).unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env
});

fn render(name: &str, ctx: Value) -> Result<Html<String>, Problem> {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map(Html)
        .map_err(|e| Problem::internal(format!("cannot render {name}: {e}")))
}

/// A deadline as a row of the status page.
#[derive(Debug, Serialize)]
struct Row {
    id: String,
    href: String,
    title: String,
    /// UTC, for the script and the `<time>` element.
    due_utc: String,
    /// In the daemon's zone, readable without the script.
    due_local: String,
    tags: Vec<String>,
    tracking: String,
    status: String,
    sources: usize,
    latest_talk: Option<String>,
}

fn row(store: &crate::store::Store, d: &Deadline, tz: Tz) -> Result<Row, crate::store::StoreError> {
    let latest = store.talks(Some(&d.id), 1)?.into_iter().next().map(|t| visible(&views::talk_line(&t)));
    Ok(Row {
        id: d.id.clone(),
        href: format!("/deadlines/{}", views::path_segment(&d.id)),
        title: visible(&d.title),
        due_utc: d.due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        due_local: d.due.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z").to_string(),
        tags: d.tags.clone(),
        tracking: d.tracking.as_str().to_owned(),
        status: d.status.as_str().to_owned(),
        sources: d.sources.len(),
        latest_talk: latest,
    })
}

/// Text with its bidirectional controls shown, not obeyed: a title with U+202E cannot make
/// "gnp.exe" read as "exe.png" on the page.
pub fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {
                format!("[U+{:04X}]", u32::from(c))
            }
            c => c.to_string(),
        })
        .collect()
}

/// Whether `actor` (any case) is one of a talk's participants or watched actors.
pub fn involves(t: &TalkEvent, actor: &str) -> bool {
    let a = actor.to_lowercase();
    t.participants.iter().chain(&t.actors).any(|p| p.to_lowercase().contains(&a))
}

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    tag: Option<String>,
    cursor: Option<String>,
}

pub async fn index(State(shared): State<AppState>, Query(q): Query<IndexQuery>) -> Result<Html<String>, Problem> {
    let (rows, next) = read(&shared, move |store, config, _| {
        let filter = DeadlineFilter { tracking: Some(Tracking::Tracked), tag: q.tag };
        let page = views::deadlines_page(store, &filter, q.cursor.as_deref(), 100)?;
        let rows = page.items.iter().map(|d| row(store, d, config.daemon.timezone)).collect::<Result<Vec<_>, _>>()?;
        Ok((rows, page.next))
    })
    .await?;
    render("index.html", context! { deadlines => Value::from(Serde(&rows)), next => next })
}

pub async fn deadline(State(shared): State<AppState>, Path(id): Path<String>) -> Result<Html<String>, Problem> {
    let token = shared.token.as_ref().map(csrf_token);
    let page = read(&shared, move |store, config, _| {
        let tz = config.daemon.timezone;
        let Some(d) = store.deadline(&id)? else { return Err(Problem::not_found(format!("no deadline {id:?}"))) };
        let revisions: Vec<_> = store
            .revisions(&d.id)?
            .into_iter()
            .map(|r| {
                context! {
                    revision => r.revision, due => r.due.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z").to_string(),
                    recorded => views::millis(r.recorded), source => visible(&r.source),
                }
            })
            .collect();
        let evidence: Vec<_> = store
            .evidence(&d.id, 50)?
            .into_iter()
            .map(|e| {
                // Only web links become links: a `javascript:` URL in an article stays text.
                let href = e.url.filter(|u| u.starts_with("https://") || u.starts_with("http://"));
                context! {
                    sentence => visible(&e.sentence), source => visible(&e.source), href => href,
                    published => views::millis(e.published),
                }
            })
            .collect();
        let talks: Vec<String> = store.talks(Some(&d.id), 50)?.iter().map(|t| visible(&views::talk_line(t))).collect();
        let alerts: Vec<_> = store
            .alerts(Some(&d.id))?
            .iter()
            .map(|a| {
                context! {
                    lead => &a.lead, receiver => &a.key.receiver, planned => views::millis(a.planned),
                    sent => a.sent.map(views::millis), state => a.state.as_str(),
                    acknowledged => a.cancel_reason.as_deref() == Some("acknowledged"),
                    error => &a.last_error,
                }
            })
            .collect();
        let r = row(store, &d, tz)?;
        Ok(context! { d => Value::from(Serde(&r)), revisions => revisions, evidence => evidence, talks => talks, alerts => alerts })
    })
    .await?;
    render("deadline.html", context! { csrf => token, ..page })
}

#[derive(Debug, Deserialize)]
pub struct TalksQuery {
    actor: Option<String>,
}

pub async fn talks(State(shared): State<AppState>, Query(q): Query<TalksQuery>) -> Result<Html<String>, Problem> {
    let actor = q.actor.clone();
    let talks = read(&shared, move |store, _, _| {
        let mut talks = store.talks(None, 500)?;
        if let Some(a) = &q.actor {
            talks.retain(|t| involves(t, a));
        }
        Ok(talks
            .into_iter()
            .map(|t| {
                let all = |list: &[String]| list.iter().map(|x| visible(x)).collect::<Vec<_>>();
                let sources: Vec<_> =
                    t.sources.iter().map(|s| visible(s.reported_by.as_deref().unwrap_or(&s.article))).collect();
                context! {
                    date => t.date, status => t.status, participants => all(&t.participants),
                    place => t.place.as_deref().map(visible), tone => all(&t.tone), sources => sources,
                    deadlines => t.deadlines,
                }
            })
            .collect::<Vec<_>>())
    })
    .await?;
    render("talks.html", context! { talks => talks, actor => actor })
}

pub async fn candidates(State(shared): State<AppState>) -> Result<Html<String>, Problem> {
    let token = shared.token.as_ref().map(csrf_token);
    let rows = read(&shared, move |store, config, _| {
        let filter = DeadlineFilter { tracking: Some(Tracking::Candidate), tag: None };
        let page = views::deadlines_page(store, &filter, None, 500)?;
        Ok(page.items.iter().map(|d| row(store, d, config.daemon.timezone)).collect::<Result<Vec<_>, _>>()?)
    })
    .await?;
    render("candidates.html", context! { deadlines => Value::from(Serde(&rows)), csrf => token })
}

pub async fn feeds(State(shared): State<AppState>) -> Result<Html<String>, Problem> {
    let feeds = read(&shared, |store, config, now| Ok(views::feeds(config, store, now)?)).await?;
    render("feeds.html", context! { feeds => Value::from(Serde(&feeds)) })
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
}

pub async fn track(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> Result<Response, Problem> {
    act(shared, id, headers, form, Tracking::Tracked).await
}

pub async fn dismiss(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> Result<Response, Problem> {
    act(shared, id, headers, form, Tracking::Dismissed).await
}

/// Track or Dismiss, as the CLI does it: only with a token configured (the request has
/// passed it), a form token only this daemon's pages hold, and from this origin.
async fn act(
    shared: AppState,
    id: String,
    headers: HeaderMap,
    form: ActionForm,
    tracking: Tracking,
) -> Result<Response, Problem> {
    let Some(token) = &shared.token else {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "Track and Dismiss need [http] token_file (or _env, _credential)",
        ));
    };
    if !same(form.csrf.as_bytes(), csrf_token(token).as_bytes()) {
        return Err(Problem::new(StatusCode::FORBIDDEN, "the form is not one of this daemon's pages: reload the page"));
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok())
        && origin != format!("http://{host}")
        && origin != format!("https://{host}")
    {
        return Err(Problem::new(StatusCode::FORBIDDEN, "a form from another site"));
    }
    let config = std::sync::Arc::clone(&shared.config.borrow());
    let now = shared.clock.now();
    let store = std::sync::Arc::clone(&shared.store);
    let target = id.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut store = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let policy = crate::ingest::ConfigPolicy { config: &config, now };
        store.set_tracking(&target, tracking, &policy, now)
    })
    .await
    .map_err(|_| Problem::internal("the ledger write stopped"))??;
    match result {
        Ok(_) => {
            shared.changed.notify_one();
            tracing::info!(deadline = %id, tracking = tracking.as_str(), "set from the status page");
            Ok(Redirect::to(&format!("/deadlines/{}", views::path_segment(&id))).into_response())
        }
        Err(message) => Err(Problem::new(StatusCode::BAD_REQUEST, message)),
    }
}

pub async fn login_form() -> Result<Html<String>, Problem> {
    render("login.html", context! { failed => false })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
}

/// Checks the token a person typed and keeps it in a cookie only this site sends.
pub async fn login(State(shared): State<AppState>, Form(form): Form<LoginForm>) -> Result<Response, Problem> {
    let Some(token) = &shared.token else { return Ok(Redirect::to("/").into_response()) };
    if !same(form.token.trim().as_bytes(), token.expose().as_bytes()) {
        let page = render("login.html", context! { failed => true })?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    let cookie = format!("{TOKEN_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/", session_value(token));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("templates/countdown.js")).into_response()
}

pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("templates/style.css")).into_response()
}
