//! `sanctiond extract` on fixture articles written for the project: the JSON contract,
//! deadlines and their due times, what must yield nothing, and bad input.

mod support;

use std::path::Path;

use serde_json::Value;
use support::sanctiond;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles").join(name).display().to_string()
}

fn extract(args: &[&str]) -> (Option<i32>, Value, String) {
    let out = sanctiond().arg("extract").args(args).args(["--format", "json"]).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), json, stderr)
}

fn deadlines(v: &Value) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    v["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .map(|d| {
            (
                d["due"].as_str().map(str::to_owned),
                d["grain"].as_str().map(str::to_owned),
                d["status"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn ultimatum_article_yields_its_deadlines() {
    let path = fixture("ultimatum.txt");
    let (code, v, err) = extract(&[&path]);
    assert_eq!(code, Some(0), "{err}");
    let text = std::fs::read_to_string(&path).expect("fixture");
    assert_eq!(v["article"]["title"], "Ultimatum");
    assert_eq!(v["article"]["source"], "Test Wire");
    assert_eq!(v["article"]["published"], "2025-07-14T15:00:00Z");
    let s = |x: &str| Some(x.to_owned());
    assert_eq!(
        deadlines(&v),
        vec![
            (s("2025-09-02T23:59:59Z"), s("day"), None),
            (s("2025-08-08T00:01:00-04:00"), s("minute"), None),
            // The article named EDT before: its later day-grain dates are US Eastern too.
            (s("2025-07-09T23:59:59-04:00"), s("day"), s("superseded")),
            (s("2025-08-01T23:59:59-04:00"), s("day"), None),
        ],
        "within 50 days of Monday 14 July is 2 September; the July 9 deadline moved to Aug. 1"
    );
    for t in v["times"].as_array().expect("times") {
        let (start, end) = (t["start"].as_u64().expect("start") as usize, t["end"].as_u64().expect("end") as usize);
        assert_eq!(&text[start..end], t["text"].as_str().expect("text"), "offsets index the input as given");
    }
    for d in v["deadlines"].as_array().expect("deadlines") {
        let (start, end) = (d["start"].as_u64().expect("start") as usize, d["end"].as_u64().expect("end") as usize);
        assert_eq!(&text[start..end], d["evidence"].as_str().expect("evidence"));
    }
    assert_eq!(v["talks"], serde_json::json!([]), "no named parties meet in it");
}

#[test]
fn a_zone_named_in_the_text_sets_the_due_time() {
    let (code, v, err) = extract(&[&fixture("licence-expiry.md")]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["article"]["url"], "https://news.example.org/licence");
    assert_eq!(deadlines(&v)[0], (Some("2026-04-29T00:01:00-04:00".to_owned()), Some("minute".to_owned()), None));
}

#[test]
fn dates_that_are_not_deadlines_yield_none() {
    let (code, v, err) = extract(&["--published", "2025-08-06T10:00:00Z", &fixture("no-deadlines.txt")]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(deadlines(&v), vec![], "{v}");
    assert!(!v["times"].as_array().expect("times").is_empty(), "the dates are still time expressions");
}

#[test]
fn the_founding_article_has_one_undated_sanctions_deadline() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/articles/witkoff-putin-france24.txt");
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let (code, v, err) = extract(&["--published", "2025-08-06T12:00:00Z", path.to_str().expect("utf-8")]);
    assert_eq!(code, Some(0), "{err}");
    let found = v["deadlines"].as_array().expect("deadlines");
    assert_eq!(found.len(), 1, "{v}");
    assert_eq!(found[0]["due"], Value::Null);
    assert!(found[0]["evidence"].as_str().expect("evidence").contains("impending sanctions deadline"));
    let talks = v["talks"].as_array().expect("talks");
    assert_eq!(talks.len(), 1, "one held talk, nothing from the analysis sections: {v}");
    assert_eq!(talks[0]["participants"], serde_json::json!(["Scott Witkoff", "Vladimir Putin"]));
    assert_eq!(talks[0]["status"], "held");
    assert_eq!(talks[0]["tone"], serde_json::json!(["constructive"]));
    assert_eq!(talks[0]["reported_by"], "France 24");
}

#[test]
fn bad_input_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = dir.path().join("a.bin");
    std::fs::write(&binary, b"abc\0def").expect("write");
    let (code, _, err) = extract(&[binary.to_str().expect("utf-8")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("looks binary (a NUL byte at offset 3)"), "{err}");

    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"Sanctions \xe9t\xe9 lifted").expect("write");
    let (code, _, err) = extract(&[latin1.to_str().expect("utf-8")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not UTF-8 (invalid byte at offset 10)"), "{err}");

    let big = dir.path().join("big.txt");
    std::fs::write(&big, "a".repeat(2000)).expect("write");
    let (code, _, err) = extract(&["--max-bytes", "1000", big.to_str().expect("utf-8")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("larger than the 1000-byte limit"), "{err}");

    let (code, _, err) = extract(&["--published", "last Tuesday", &fixture("ultimatum.txt")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is not a time"), "{err}");
}

#[test]
fn jsonl_reports_bad_lines_and_goes_on() {
    use std::io::Write as _;
    let mut child = sanctiond()
        .args(["extract", "--jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let input = concat!(
        r#"{"id": "a", "published": "2025-07-14T12:00:00Z", "text": "Sanctions take effect on August 8."}"#,
        "\n",
        "not json\n",
        r#"{"id": "c", "published": "yesterday", "text": "x"}"#,
        "\n",
        r#"{"id": "d", "published": "2025-07-14T12:00:00Z", "text": "Talks were held on Friday."}"#,
        "\n"
    );
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let lines: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["deadlines"][0]["due"], "2025-08-08T23:59:59Z");
    assert!(lines[1]["error"].as_str().expect("error").contains("line 2: not JSON"));
    assert_eq!(lines[2]["id"], "c");
    assert!(lines[2]["error"].as_str().expect("error").contains("is not a time"));
    assert_eq!(lines[3]["times"][0]["value"], "2025-07-11");
}

#[test]
fn talk_events_with_participants_status_date_place_tone_and_source() {
    let (code, v, err) = extract(&[&fixture("talks.txt")]);
    assert_eq!(code, Some(0), "{err}");
    let talks = v["talks"].as_array().expect("talks");
    assert_eq!(talks.len(), 2, "one meeting told in two sentences is one event; the match is none: {v}");
    let held = &talks[0];
    assert_eq!(held["participants"], serde_json::json!(["Steve Witkoff", "Vladimir Putin"]));
    assert_eq!(held["status"], "held");
    assert_eq!(held["date"], "2025-08-06");
    assert_eq!(held["place"], "Kremlin");
    assert_eq!(held["tone"], serde_json::json!(["very useful and constructive"]));
    assert_eq!(held["reported_by"], "TASS");
    let planned = &talks[1];
    assert_eq!(planned["participants"], serde_json::json!(["Sergei Lavrov", "Marco Rubio"]));
    assert_eq!(planned["status"], "planned");
    assert_eq!(planned["date"], "2025-08-11");
    assert_eq!(planned["place"], "Geneva");
    assert_eq!(planned["reported_by"], "Test Wire", "no attribution: the article's source");
}

#[test]
fn output_to_a_closed_pipe_exits_quietly() {
    // More output than a pipe holds, to a reader that never reads: the write fails with
    // EPIPE, which used to panic.
    let dir = tempfile::tempdir().expect("tempdir");
    let article = dir.path().join("long.txt");
    std::fs::write(&article, "Sanctions take effect on Aug. 8. ".repeat(5_000)).expect("write");
    let script = format!(
        "'{}' extract --format json --published 2025-08-06T10:00:00Z '{}' | true; echo \"status=${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_sanctiond"),
        article.display()
    );
    let out = std::process::Command::new("bash").args(["-c", &script]).output().expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("status=0"), "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_deadline_pushed_back_in_other_words_is_still_a_move() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("moved.txt");
    std::fs::write(
        &path,
        "Published: 2025-07-30T09:00:00Z\n\nThe Commission pushed the August 1 deadline back to August 12, a spokesperson said.\n",
    )
    .expect("write");
    let (code, v, err) = extract(&[&path.display().to_string()]);
    assert_eq!(code, Some(0), "{err}");
    let found: Vec<(Option<String>, Option<String>)> =
        deadlines(&v).into_iter().map(|(due, _, status)| (due.map(|d| d[..10].to_owned()), status)).collect();
    assert_eq!(
        found,
        [(Some("2025-08-01".to_owned()), Some("superseded".to_owned())), (Some("2025-08-12".to_owned()), None)]
    );
}

#[test]
fn the_tone_of_a_talk_may_come_in_the_next_sentence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tone.txt");
    std::fs::write(
        &path,
        "Source: Test Wire\nPublished: 2025-08-07T08:00:00Z\n\n\
         US envoy Steve Witkoff met Russian President Vladimir Putin in Moscow on Wednesday.\n\
         Diplomats familiar with the meeting described the talks as \"tense\".\n\
         Separately, analysts said the talks in Geneva last year were constructive.\n",
    )
    .expect("write");
    let (code, v, err) = extract(&[&path.display().to_string()]);
    assert_eq!(code, Some(0), "{err}");
    let talks = v["talks"].as_array().expect("talks");
    assert_eq!(talks.len(), 1, "{talks:?}");
    assert_eq!(talks[0]["tone"], serde_json::json!(["tense"]), "only the next sentences about the talks count");
}

/// Each article in `tests/fixtures/ingest/` against its reviewed `.expected.json`: the
/// deadlines (title, due, status) and talks (all but evidence and offsets) it must yield.
#[test]
fn fixture_articles_yield_their_expected_facts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("actors.toml");
    std::fs::write(
        &config,
        "[daemon]\ntimezone = \"America/New_York\"\n[[receiver]]\nname = \"journal\"\ntype = \"log\"\n\
         [routing]\ndefault = [\"journal\"]\n\
         [[actor]]\nname = \"Steve Witkoff\"\naliases = [\"Witkoff\", \"Scott Witkoff\"]\n\
         [[actor]]\nname = \"Vladimir Putin\"\naliases = [\"Putin\"]\n",
    )
    .expect("config");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest");
    let mut checked = 0;
    for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let out = sanctiond()
            .arg("--config")
            .arg(&config)
            .args(["extract", "--format", "json"])
            .arg(&path)
            .output()
            .expect("extract");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        let pick = |item: &Value, keys: &[&str]| -> Value {
            keys.iter().filter_map(|k| item.get(*k).map(|x| ((*k).to_owned(), x.clone()))).collect()
        };
        let got = serde_json::json!({
            "deadlines": v["deadlines"].as_array().expect("deadlines").iter().map(|d| pick(d, &["title", "due", "status"])).collect::<Vec<_>>(),
            "talks": v["talks"].as_array().expect("talks").iter()
                .map(|t| pick(t, &["participants", "actors", "status", "date", "place", "tone", "reported_by"]))
                .collect::<Vec<_>>(),
        });
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("expected.json")).expect("every fixture has .expected.json"),
        )
        .expect("expected json");
        assert_eq!(got, expected, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} fixtures");
}

#[test]
fn a_date_some_days_before_a_deadline_puts_the_deadline_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("before.txt");
    std::fs::write(
        &path,
        "Published: 2025-08-07T08:00:00Z\n\nWitkoff met Putin at the Kremlin on Wednesday, two days before a deadline for Russia to agree a ceasefire.\n",
    )
    .expect("write");
    let (code, v, err) = extract(&[&path.display().to_string()]);
    assert_eq!(code, Some(0), "{err}");
    let due: Vec<Option<String>> =
        deadlines(&v).into_iter().map(|(due, _, _)| due.map(|d| d[..10].to_owned())).collect();
    assert_eq!(due, [Some("2025-08-08".to_owned())], "Wednesday 6 August + two days");
}
