//! What a message says, read from a real ledger with an injected clock: the evidence
//! sentence behind the current due time with its source and URL, in text, HTML, JSON
//! and chat forms; "Remaining" that agrees with the subject's lead; hostile article text
//! that cannot break any of them.

#[path = "support/pg.rs"]
mod pg;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sanctiond::config::{self, Config};
use sanctiond::ingest::{Ingester, ingest_text};
use sanctiond::notify::{Message, Notifiers, pipeline};
use sanctiond::schedule;
use sanctiond::store::Store;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").to_utc()
}

const CONFIG: &str = r#"
[daemon]
timezone = "UTC"
[alerts]
lead_times = ["1d", "2m", "0s"]
late_after = "1m"
[[receiver]]
name = "journal"
type = "log"
[[topic]]
name = "russia"
phrases = ["secondary tariffs"]
tags = ["russia"]
"#;

/// A ledger with one article ingested at `now`; returns it with its config.
fn ledger(dir: &Path, article: &str, now: DateTime<Utc>) -> (Store, Arc<Config>) {
    let config = Arc::new(config::parse(Path::new("test.toml"), CONFIG).unwrap_or_else(|e| panic!("{e}")));
    let mut store = Store::open_at(&pg::location(dir)).expect("ledger");
    schedule::sync(&mut store, &config, now).expect("sync");
    let ingester = Ingester::new(&config);
    ingest_text(&mut store, &ingester, &config, "wire.txt", article, now).expect("ingest");
    (store, config)
}

/// Every message due at `now`.
fn deliver(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Vec<Message> {
    let notifiers = Notifiers::new(config, None, &Default::default()).expect("notifiers");
    let mut got = Vec::new();
    pipeline::deliver_due(store, config, &notifiers, now, &mut |m| {
        got.push(m.clone());
        Ok(())
    })
    .expect("deliver");
    got
}

const ARTICLE: &str = "Title: Tariff deadline set\nSource: Test Wire\nURL: https://wire.example.org/tariffs\n\
Published: 2025-08-01T10:00:00Z\n\n\
Secondary tariffs on buyers of Russian oil take effect on August 8, the Treasury said on Friday.\n\
Officials declined to say whether talks would continue.\n";

#[test]
fn an_alert_quotes_the_sentence_behind_its_due_time_with_its_source_and_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, config) = ledger(dir.path(), ARTICLE, t("2025-08-01T10:05:00Z"));
    // The notice of the new deadline carries the sentence and the URL too.
    let notices = deliver(&mut store, &config, t("2025-08-01T10:05:00Z"));
    let notice = notices.iter().find(|m| m.payload["kind"] == "notice").expect("a notice");
    assert!(notice.text.contains("https://wire.example.org/tariffs"), "{}", notice.text);
    assert!(notice.text.contains("the Treasury said"), "{}", notice.text);

    // Due at the end of August 8 (UTC): the 1d alert goes out on August 7 at 23:59:59.
    let got = deliver(&mut store, &config, t("2025-08-07T23:59:59Z"));
    let alert = got.iter().find(|m| m.payload["kind"] == "alert").expect("the 1d alert");
    assert!(
        alert.text.contains("Secondary tariffs on buyers of Russian oil take effect on August 8"),
        "{}",
        alert.text
    );
    assert!(alert.text.contains("(Test Wire, https://wire.example.org/tariffs)"), "{}", alert.text);
    // minijinja escapes '/' in HTML as &#x2f;, which a browser reads back as '/'.
    let html = alert.html.replace("&#x2f;", "/");
    assert!(html.contains(r#"<a href="https://wire.example.org/tariffs">Test Wire</a>"#), "{html}");
    let source = &alert.payload["sources"][0];
    assert_eq!(source["url"], "https://wire.example.org/tariffs");
    assert_eq!(source["source"], "Test Wire");
    assert!(source["evidence"].as_str().is_some_and(|e| e.contains("take effect on August 8")), "{source}");
}

#[test]
fn remaining_agrees_with_the_subjects_lead_even_when_the_send_comes_a_little_later() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, config) = ledger(dir.path(), ARTICLE, t("2025-08-01T10:05:00Z"));
    deliver(&mut store, &config, t("2025-08-01T10:05:00Z"));
    // The 2m alert, planned at 23:57:59, handed over 40 s later (still on time).
    let got = deliver(&mut store, &config, t("2025-08-08T23:58:39Z"));
    let alert = got.iter().find(|m| m.payload["lead"] == "2m").expect("the 2m alert");
    assert!(alert.subject.contains("2 minutes"), "{}", alert.subject);
    assert!(alert.text.contains("Remaining:  2 minutes"), "{}", alert.text);
    assert_eq!(alert.payload["remaining"], "2 minutes");
    assert_eq!(alert.payload["late"], false);
}

#[test]
fn hostile_article_text_cannot_break_json_chat_html_or_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hostile = "Title: x\"},\"injected\":{\"a\":\"</script><script>alert(1)</script>\r\nBcc: victim@example.org\n\
Source: <b>Wire</b> & \"Co\" <!channel>\nURL: javascript:alert(1)\nPublished: 2025-08-01T10:00:00Z\n\n\
Secondary tariffs \"}]} <img src=x onerror=alert(1)> take effect on August 8, the Treasury said.\n";
    let (mut store, config) = ledger(dir.path(), hostile, t("2025-08-01T10:05:00Z"));
    deliver(&mut store, &config, t("2025-08-01T10:05:00Z"));
    let got = deliver(&mut store, &config, t("2025-08-07T23:59:59Z"));
    let alert = got.iter().find(|m| m.payload["kind"] == "alert").expect("the alert");
    // JSON: the payload round-trips and has no key the article invented.
    let json = serde_json::to_string(&alert.payload).expect("json");
    let back: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert!(back.get("injected").is_none() && back["deadline"].get("injected").is_none(), "{json}");
    // HTML: no live markup from the article; a javascript: URL is never a link.
    assert!(!alert.html.contains("<img") && !alert.html.contains("<script"), "{}", alert.html);
    assert!(!alert.html.contains("javascript:"), "{}", alert.html);
    assert!(alert.payload["sources"][0]["url"].is_null(), "a javascript: URL is dropped: {}", alert.payload);
    // Subject: one line, whatever the title held.
    assert!(!alert.subject.contains('\r') && !alert.subject.contains('\n'), "{:?}", alert.subject);
    // Chat: Slack's blocks escape the article's markup.
    let blocks = sanctiond::notify::slack::blocks(alert).to_string();
    assert!(!blocks.contains("<!channel>") && !blocks.contains("<img"), "{blocks}");
}

const TWO_DEADLINES: &str = r#"
[daemon]
timezone = "UTC"
[alerts]
lead_times = ["1d"]
late_after = "1m"
[[receiver]]
name = "journal"
type = "log"
[[topic]]
name = "sanctions"
phrases = ["secondary tariffs", "venezuelan gold"]
tags = ["sanctions"]
"#;

const OIL: &str = "Title: Oil tariffs\nSource: Oil Wire\nPublished: 2025-08-01T10:00:00Z\n\n\
Secondary tariffs on buyers of Russian oil take effect on August 8, the Treasury said on Friday.\n\
Envoy Steve Witkoff met Vladimir Putin in Moscow on Wednesday.\n\
Secretary of State Marco Rubio met Sergei Lavrov in Kuala Lumpur on July 10.\n\
Ukrainian President Volodymyr Zelensky met Keir Starmer in London on July 20.\n\
Indian Prime Minister Narendra Modi spoke with Donald Trump by phone on July 25.\n";

const GOLD: &str = "Title: Gold sanctions\nSource: Gold Wire\nPublished: 2025-08-01T11:00:00Z\n\n\
Sanctions on Venezuelan gold take effect on August 8, the State Department said on Friday.\n\
U.S. envoy Richard Grenell met Nicolas Maduro in Caracas on Tuesday.\n";

/// Alerts claimed together read their facts together (one query per table): each still
/// shows its own deadline's evidence and its own latest three talks, none of the other's.
#[test]
fn alerts_built_in_one_batch_each_show_their_own_evidence_and_latest_talks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = t("2025-08-01T11:05:00Z");
    let config = Arc::new(config::parse(Path::new("test.toml"), TWO_DEADLINES).unwrap_or_else(|e| panic!("{e}")));
    let mut store = Store::open_at(&pg::location(dir.path())).expect("ledger");
    schedule::sync(&mut store, &config, now).expect("sync");
    let ingester = Ingester::new(&config);
    for (name, text) in [("oil.txt", OIL), ("gold.txt", GOLD)] {
        ingest_text(&mut store, &ingester, &config, name, text, now).expect("ingest");
    }
    deliver(&mut store, &config, now);
    let got = deliver(&mut store, &config, t("2025-08-07T23:59:59Z"));
    let alerts: Vec<&Message> = got.iter().filter(|m| m.payload["kind"] == "alert").collect();
    assert_eq!(alerts.len(), 2, "both 1d alerts, due at the same instant: {got:#?}");
    let by_title = |needle: &str| {
        *alerts
            .iter()
            .find(|m| m.payload["deadline"]["title"].as_str().is_some_and(|t| t.contains(needle)))
            .unwrap_or_else(|| panic!("an alert about {needle}"))
    };
    let (oil, gold) = (by_title("Russian oil"), by_title("Venezuelan gold"));
    let people = |m: &Message| -> Vec<String> {
        m.payload["talks"].as_array().expect("talks").iter().map(|t| t["participants"].to_string()).collect()
    };
    // Four talks bear on the oil deadline: the latest three, latest first.
    let oil_talks = people(oil);
    assert_eq!(oil_talks.len(), 3, "{oil_talks:?}");
    assert!(oil_talks[0].contains("Witkoff") && oil_talks[1].contains("Modi"), "{oil_talks:?}");
    assert!(oil_talks[2].contains("Zelensky"), "{oil_talks:?}");
    assert!(oil_talks.iter().all(|p| !p.contains("Maduro") && !p.contains("Lavrov")), "{oil_talks:?}");
    let gold_talks = people(gold);
    assert_eq!(gold_talks.len(), 1, "{gold_talks:?}");
    assert!(gold_talks[0].contains("Maduro"), "{gold_talks:?}");
    // The talk's sources come along with it.
    assert_eq!(gold.payload["talks"][0]["reported_by"], "Gold Wire", "{}", gold.payload);
    // Evidence: each quotes its own sentence only.
    assert!(oil.text.contains("Russian oil take effect") && !oil.text.contains("Venezuelan gold take"), "{}", oil.text);
    assert!(
        gold.text.contains("Venezuelan gold take effect") && !gold.text.contains("Russian oil take"),
        "{}",
        gold.text
    );
}
