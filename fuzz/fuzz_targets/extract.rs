//! Any UTF-8 input: the extractor must not panic, and every span must index the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanctiond::extract::{Options, extract};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let options = Options {
        published: chrono::DateTime::parse_from_rfc3339("2025-08-06T10:00:00Z").expect("time"),
        timezone: chrono_tz::Tz::UTC,
        actors: &sanctiond::extract::NO_ACTORS,
    };
    let found = extract(text, &options);
    for t in &found.times {
        assert_eq!(&text[t.start..t.end], t.text);
    }
    for d in &found.deadlines {
        assert!(text.is_char_boundary(d.start) && text.is_char_boundary(d.end));
    }
});
