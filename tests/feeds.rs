//! Feeds over real HTTP on loopback (a scripted Python server started here), polled with
//! `sanctiond poll` into a real ledger: changes between polls, conditional GET, redirects,
//! 410, 429 with Retry-After, a slow server, an endless body, malformed XML, pages with
//! and without metadata, `fetch_article`, stale and recovered notices, and the daemon's
//! own poller.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use support::http::HttpServer;
use support::{Daemon, sanctiond, wait_until, write_config};

fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, text)| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title><link>https://example.org/{guid}</link>\
                 <pubDate>Thu, 07 Aug 2025 08:00:00 GMT</pubDate><description>{text}</description></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Test Wire</title>{items}</channel></rss>")
}

const ITEM_1: (&str, &str, &str) = (
    "a1",
    "Envoy in Moscow",
    "US special envoy Steve Witkoff met Russian President Vladimir Putin in Moscow on Wednesday.",
);
const ITEM_2: (&str, &str, &str) =
    ("a2", "Oil sanctions", "Sanctions on Russian oil take effect on August 20, officials said.");
const ITEM_3: (&str, &str, &str) =
    ("a3", "Tariffs delayed", "Brussels delayed the July 9 deadline for fertiliser tariffs to August 1.");

fn setup(dir: &Path, feeds: &str) -> PathBuf {
    write_config(
        dir,
        &format!(
            r#"
[daemon]
state_dir = "{state}"
timezone = "UTC"
[[receiver]]
name = "journal"
type = "log"
[routing]
default = ["journal"]
{feeds}
"#,
            state = dir.join("state").display()
        ),
    )
}

fn feed(name: &str, url: &str, extra: &str) -> String {
    every(name, url, "*/15 * * * *", extra)
}

fn every(name: &str, url: &str, schedule: &str, extra: &str) -> String {
    format!("[[feed]]\nname = \"{name}\"\nurl = \"{url}\"\nschedule = \"{schedule}\"\n{extra}\n")
}

/// `sanctiond poll NAME`: exit code and stdout.
fn poll(config: &Path, name: &str) -> (Option<i32>, String) {
    let out = sanctiond().arg("--config").arg(config).args(["poll", name]).output().expect("poll");
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

fn feeds_json(config: &Path) -> Vec<Value> {
    let out = sanctiond().arg("--config").arg(config).args(["feeds", "--format", "json"]).output().expect("feeds");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().expect("array")
}

fn ledger(dir: &Path) -> sanctiond::store::db::Connection {
    support::ledger_sql(&dir.join("sanctiond.toml"))
}

fn count(dir: &Path, sql: &str) -> i64 {
    ledger(dir).query_row(sql, (), |r| r.get(0)).expect("count")
}

#[test]
fn a_feed_that_changes_is_read_once_per_entry_and_asked_conditionally() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(
        dir.path(),
        &json!({"/rss": {"body": rss(&[ITEM_1, ITEM_2]), "etag": "\"v1\"", "headers": {"Content-Type": "application/rss+xml"}}}),
    );
    let config = setup(dir.path(), &feed("wire", &server.url("/rss"), ""));
    let (code, out) = poll(&config, "wire");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("wire: 2 new entries, 2 ingested"), "{out}");

    // Nothing changed: the server is asked with the ETag and answers 304.
    let (code, out) = poll(&config, "wire");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("wire: not modified"), "{out}");
    let requests = server.requests();
    assert_eq!(requests[0]["headers"].get("if-none-match"), None);
    assert_eq!(requests[1]["headers"]["if-none-match"], "\"v1\"");

    // A new entry appears.
    server.set(&json!({"/rss": {"body": rss(&[ITEM_3, ITEM_1, ITEM_2]), "etag": "\"v2\""}}));
    let (_, out) = poll(&config, "wire");
    assert!(out.contains("wire: 1 new entries, 1 ingested"), "{out}");
    assert_eq!(count(dir.path(), "SELECT count(*) FROM articles"), 3);
    assert_eq!(count(dir.path(), "SELECT count(*) FROM feed_entries WHERE feed = 'wire'"), 3);
    let f = &feeds_json(&config)[0];
    assert_eq!(f["entries_seen"], 3);
    assert!(f["last_success"].is_string() && f["last_error"].is_null(), "{f}");
    let body: String = ledger(dir.path())
        .query_row("SELECT body FROM articles WHERE origin = 'https://example.org/a2'", (), |r| r.get(0))
        .expect("a2");
    assert!(
        body.starts_with(
            "Title: Oil sanctions\nSource: Test Wire\nURL: https://example.org/a2\nPublished: 2025-08-07T08:00:00Z\n\n"
        ),
        "{body}"
    );
}

#[test]
fn permanent_redirects_move_the_feed_and_410_stops_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(
        dir.path(),
        &json!({
            "/old": {"status": 301, "headers": {"Location": "/older"}},
            "/older": {"status": 308, "headers": {"Location": "/rss"}},
            "/rss": {"body": rss(&[ITEM_1])},
            "/gone": {"status": 410},
        }),
    );
    let config = setup(dir.path(), &(feed("moved", &server.url("/old"), "") + &feed("gone", &server.url("/gone"), "")));
    let (code, out) = poll(&config, "moved");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(&format!("moved for good to {}", server.url("/rss"))), "{out}");
    let before = server.requests().len();
    poll(&config, "moved");
    let later: Vec<String> =
        server.requests()[before..].iter().map(|r| r["path"].as_str().unwrap_or("").to_owned()).collect();
    assert_eq!(later, ["/rss"], "the stored URL is used");
    assert_eq!(feeds_json(&config).iter().find(|f| f["name"] == "moved").expect("moved")["url"], server.url("/rss"));

    let (code, out) = poll(&config, "gone");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("410 Gone"), "{out}");
    let gone = feeds_json(&config).into_iter().find(|f| f["name"] == "gone").expect("gone");
    assert_eq!(gone["gone"], true);
    assert!(gone["next_poll"].is_null(), "a gone feed is not polled again: {gone}");
    let before = server.requests().len();
    poll(&config, "gone");
    assert_eq!(server.requests().len(), before, "no request to a gone feed");
}

#[test]
fn retry_after_is_honoured_and_errors_are_backed_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(
        dir.path(),
        &json!({
            "/busy": {"status": 429, "headers": {"Retry-After": "600"}},
            "/broken": {"status": 500, "body": "oops"},
        }),
    );
    // Polled every minute: only Retry-After and backoff can push the next poll later.
    let feeds = every("busy", &server.url("/busy"), "* * * * *", "")
        + &every("broken", &server.url("/broken"), "* * * * *", "");
    let config = setup(dir.path(), &feeds);
    let (code, out) = poll(&config, "busy");
    assert_eq!(code, Some(1));
    assert!(out.contains("HTTP 429: the server asks to wait 10m"), "{out}");
    let (_, out) = poll(&config, "broken");
    assert!(out.contains("HTTP 500"), "{out}");
    let now = chrono::Utc::now();
    let next = |name: &str| -> i64 {
        let f = feeds_json(&config).into_iter().find(|f| f["name"] == name).expect("feed");
        let t = chrono::DateTime::parse_from_rfc3339(f["next_poll"].as_str().expect("next poll")).expect("time");
        (t.with_timezone(&chrono::Utc) - now).num_seconds()
    };
    assert!((590..=600).contains(&next("busy")), "Retry-After: 600 s, got {}", next("busy"));
    // A first 500 waits a minute (then 2, 4… up to 6 h).
    assert!((50..=60).contains(&next("broken")), "{}", next("broken"));
    poll(&config, "broken");
    assert!((110..=120).contains(&next("broken")), "the second failure waits 2 min: {}", next("broken"));
}

#[test]
fn slow_endless_and_malformed_feeds_fail_cleanly_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(
        dir.path(),
        &json!({
            "/slow": {"delay": 5.0, "body": rss(&[ITEM_1])},
            "/endless": {"endless": true},
            "/malformed": {"body": "<rss><channel><item><title>Unclosed"},
            "/rss": {"body": rss(&[ITEM_1])},
        }),
    );
    let feeds = feed("slow", &server.url("/slow"), "timeout = \"1s\"")
        + &feed("endless", &server.url("/endless"), "")
        + &feed("malformed", &server.url("/malformed"), "")
        + &feed("good", &server.url("/rss"), "");
    let config = setup(dir.path(), &feeds);
    poll(&config, "good");
    let start = std::time::Instant::now();
    let (code, out) = poll(&config, "slow");
    assert_eq!(code, Some(1));
    assert!(out.contains("no complete answer within 1s"), "{out}");
    assert!(start.elapsed() < Duration::from_secs(4), "the timeout cut it short");
    let (_, out) = poll(&config, "endless");
    assert!(out.contains("larger than the 5242880-byte limit"), "{out}");
    let (_, out) = poll(&config, "malformed");
    assert!(out.contains("not a feed"), "{out}");
    assert_eq!(count(dir.path(), "SELECT count(*) FROM articles"), 1, "only the good feed's entry");
    let errors: Vec<Value> = feeds_json(&config).into_iter().filter(|f| f["last_error"].is_string()).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn pages_are_read_with_or_without_metadata_and_fetch_article_follows_links() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = r#"<!DOCTYPE html><html><head><title>Envoy in Moscow</title>
<meta property="og:site_name" content="Test Wire">
<meta property="article:published_time" content="2025-08-07T08:00:00Z"></head>
<body><nav>Menu</nav><article><h1>Envoy in Moscow</h1>
<p>US special envoy Steve Witkoff met Russian President Vladimir Putin in Moscow on Wednesday, calling the talks "constructive".</p>
<p>Sanctions on Russian oil take effect on August 20 unless a ceasefire is agreed before then, the Treasury said.</p>
</article></body></html>"#;
    let bare =
        "<html><body><p>Officials said sanctions on Iranian shipping take effect on September 30.</p></body></html>";
    let server = HttpServer::start(dir.path(), &json!({}));
    // The feed's link must point at this server's /page.
    server.set(&json!({
        "/page": {"body": page, "headers": {"Content-Type": "text/html; charset=utf-8"}},
        "/bare": {"body": bare, "headers": {"Content-Type": "text/html"}},
        "/linked": {"body": format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Linked</title><item><guid>p1</guid><title>Short</title><link>{}</link><description>Teaser only.</description></item></channel></rss>",
            server.url("/page")
        )},
    }));
    let config = setup(dir.path(), &feed("linked", &server.url("/linked"), "fetch_article = true"));
    let out = sanctiond()
        .arg("--config")
        .arg(&config)
        .args(["ingest", "--format", "json", &server.url("/page"), &server.url("/bare")])
        .output()
        .expect("ingest");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let estimated: Vec<(String, bool)> = {
        let conn = ledger(dir.path());
        let mut stmt = conn.prepare("SELECT origin, published_estimated FROM articles ORDER BY id").expect("query");
        stmt.query_map((), |r| Ok((r.get(0)?, r.get(1)?))).expect("rows").collect::<Result<_, _>>().expect("rows")
    };
    assert_eq!(
        estimated,
        [(server.url("/page"), false), (server.url("/bare"), true)],
        "no time on the bare page: estimated"
    );

    let (code, out) = poll(&config, "linked");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("1 new entries, 1 ingested"), "{out}");
    // The page is the same article as the one ingested by URL: stored once.
    assert_eq!(count(dir.path(), "SELECT count(*) FROM articles"), 2, "the linked page was already stored");
    assert_eq!(count(dir.path(), "SELECT count(*) FROM feed_entries WHERE article_id IS NOT NULL"), 1);
}

#[test]
fn a_feed_gone_quiet_is_reported_stale_once_and_recovered_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(dir.path(), &json!({"/rss": {"status": 500}}));
    // Its own receiver for source notices, instead of [routing] default.
    let extra = "stale_after = \"0s\"\nreceivers = [\"ops\"]\n[[receiver]]\nname = \"ops\"\ntype = \"log\"";
    let config = setup(dir.path(), &feed("wire", &server.url("/rss"), extra));
    let (_, first) = poll(&config, "wire");
    assert!(!first.contains("source stale"), "{first}");
    let (_, second) = poll(&config, "wire");
    assert!(second.contains("wire: source stale; notice sent to ops"), "{second}");
    let (_, third) = poll(&config, "wire");
    assert!(!third.contains("source stale"), "once: {third}");
    server.set(&json!({"/rss": {"body": rss(&[ITEM_1])}}));
    let (_, back) = poll(&config, "wire");
    assert!(back.contains("wire: source recovered; notice sent to ops"), "{back}");
    let kinds: Vec<String> = {
        let conn = ledger(dir.path());
        let mut stmt = conn
            .prepare(
                "SELECT o.receiver, n.facts FROM outbox o JOIN notices n ON n.id = o.notice_id \
                 WHERE o.kind = 'notice' ORDER BY n.id",
            )
            .expect("query");
        let rows: Vec<(String, String)> =
            stmt.query_map((), |r| Ok((r.get(0)?, r.get(1)?))).expect("rows").collect::<Result<_, _>>().expect("rows");
        rows.iter()
            .map(|(receiver, facts)| {
                let facts: Value = serde_json::from_str(facts).expect("facts");
                format!("{receiver}:{}", facts[0]["kind"].as_str().unwrap_or(""))
            })
            .collect()
    };
    assert_eq!(kinds, ["ops:source_stale", "ops:source_recovered"]);
}

#[test]
fn the_daemon_polls_a_new_feed_at_once_and_keeps_it_on_schedule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = HttpServer::start(dir.path(), &json!({"/rss": {"body": rss(&[ITEM_1, ITEM_2]), "etag": "\"v1\""}}));
    let config = setup(dir.path(), &feed("wire", &server.url("/rss"), ""));
    let daemon = Daemon::start(&config, &[]);
    let line = daemon.wait_for_line("feed polled", Duration::from_secs(20));
    assert!(line.contains("new=2"), "{line}");
    wait_until(Duration::from_secs(5), || {
        Some(()).filter(|()| count(dir.path(), "SELECT count(*) FROM articles") == 2)
    })
    .expect("both entries ingested");
    let f = &feeds_json(&config)[0];
    let next = chrono::DateTime::parse_from_rfc3339(f["next_poll"].as_str().expect("next")).expect("time");
    assert_eq!(next.timestamp() % 900, 0, "the next poll is on the quarter hour: {next}");
}

#[test]
fn a_feed_entry_from_the_year_9999_counts_as_published_when_fetched_and_plans_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let far = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Test Wire</title>\
        <item><guid>f1</guid><title>From the future</title><link>https://example.org/f1</link>\
        <pubDate>Fri, 31 Dec 9999 08:00:00 GMT</pubDate>\
        <description>Sanctions on Russian oil take effect on December 31, 9999, officials said.</description></item>\
        </channel></rss>";
    let server = HttpServer::start(dir.path(), &json!({"/rss": {"body": far}}));
    let config = setup(dir.path(), &feed("wire", &server.url("/rss"), ""));
    let before = chrono::Utc::now().timestamp_millis();
    let (code, out) = poll(&config, "wire");
    assert_eq!(code, Some(0), "{out}");
    let (published, estimated): (i64, bool) = ledger(dir.path())
        .query_row("SELECT published_ms, published_estimated FROM articles", (), |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("the entry is stored");
    assert!(estimated, "flagged as an estimate");
    assert!((published - before).abs() < 60_000, "published when fetched, not in 9999");
    assert_eq!(count(dir.path(), "SELECT count(*) FROM deadlines"), 0, "a due date in 9999 is never tracked");
    assert_eq!(count(dir.path(), "SELECT count(*) FROM outbox"), 0, "nothing planned");
}
