//! The extractor on arbitrary input: it never panics, every span lies inside the input on
//! character boundaries and is the text it claims, and it stays linear in the input.

use chrono::DateTime;
use proptest::prelude::*;
use sanctiond::extract::{Options, extract};

fn options() -> Options<'static> {
    Options {
        published: DateTime::parse_from_rfc3339("2025-08-06T10:00:00Z").expect("time"),
        timezone: chrono_tz::Tz::UTC,
        actors: &sanctiond::extract::NO_ACTORS,
    }
}

/// Text made of news-like pieces (dates, cues, numbers, punctuation, non-ASCII) in any order.
fn newsy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Aug. 8".to_owned()),
        Just("12:01 a.m. EDT on".to_owned()),
        Just("within 50 days".to_owned()),
        Just("deadline".to_owned()),
        Just("delaying the July 9 deadline to".to_owned()),
        Just("last Tuesday".to_owned()),
        Just("the coming weeks".to_owned()),
        Just("1990s".to_owned()),
        Just("by Friday".to_owned()),
        Just("U.S.".to_owned()),
        Just("—é€😀".to_owned()),
        Just("\n| a | b |\n".to_owned()),
        "[0-9]{1,4}".prop_map(|s| s),
        "[A-Za-z.,:'\"-]{1,8}".prop_map(|s| s),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.join(" "))
}

fn check(text: &str) {
    let found = extract(text, &options());
    for t in &found.times {
        assert!(t.start <= t.end && t.end <= text.len());
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        assert_eq!(&text[t.start..t.end], t.text);
    }
    for d in &found.deadlines {
        assert!(d.start <= d.end && d.end <= text.len());
        assert!(text.is_char_boundary(d.start) && text.is_char_boundary(d.end));
    }
}

proptest! {
    #[test]
    fn never_panics_on_any_string(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn spans_stay_on_newsy_text(text in newsy()) {
        check(&text);
    }
}

#[test]
fn long_repetitive_input_is_handled() {
    let text = "by Friday the deadline, within 50 days, on Aug. 8 ".repeat(4_000);
    let found = extract(&text, &options());
    assert!(found.times.len() >= 12_000);
}
