//! Exact's date values as the cache reads them: `parse_exact_date` (through `Record::date`, what
//! the cache's `Modified`/`DocumentDate` columns call), and the CET/CEST conversions behind it.
//!
//! Oracles (from crates/exact-api/src/dates.rs):
//! - `Record::date` on a property holding the text gives what `parse_exact_date` gives;
//! - a parsed instant written back with `format_exact_date` reads back as the same instant,
//!   except in the autumn hour that occurs twice, which reads as its first (summer) occurrence;
//! - Dutch local milliseconds converted to UTC and back are the same, except in the spring hour
//!   that does not exist on a Dutch clock (read as winter time, so it comes back an hour later).

#![no_main]

use chrono::{DateTime, Datelike, Utc, Weekday};
use exact_api::Record;
use exact_api::dates::{exact_ms_to_utc, format_exact_date, parse_exact_date, utc_to_exact_ms};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

const HOUR_MS: i64 = 3_600_000;

/// True when `at` falls on the last Sunday of `month` (the EU clock changes).
fn on_change_day(at: DateTime<Utc>, month: u32) -> bool {
    at.month() == month && at.weekday() == Weekday::Sun && at.day() + 7 > 31
}

fn check_local_round_trip(local_ms: i64) {
    let Some(utc) = exact_ms_to_utc(local_ms) else {
        return;
    };
    let back = utc_to_exact_ms(utc);
    assert!(
        back == local_ms || (back == local_ms + HOUR_MS && on_change_day(utc, 3)),
        "local {local_ms} -> {utc} -> local {back}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_exact_date(text);
    let mut map = Map::new();
    map.insert("Modified".into(), Value::String(text.to_owned()));
    assert_eq!(
        Record(map).date("Modified"),
        parsed,
        "Record::date reads {text:?} like parse_exact_date"
    );
    if let Some(at) = parsed {
        // Exact's form has millisecond resolution; ISO text may carry nanoseconds.
        let ms = at.timestamp_millis();
        let written = format_exact_date(at);
        let back = parse_exact_date(&written).map(|b| b.timestamp_millis());
        let repeated_hour = back.is_some_and(|b| ms - b == HOUR_MS && on_change_day(at, 10));
        assert!(
            back == Some(ms) || repeated_hour,
            "{text:?} -> {at} -> {written} -> {back:?}"
        );
        check_local_round_trip(at.timestamp_millis());
        check_local_round_trip(utc_to_exact_ms(at));
    }
    // The same bytes as a millisecond count, to reach every year chrono knows and beyond.
    if let Some(head) = data.first_chunk::<8>() {
        check_local_round_trip(i64::from_le_bytes(*head));
    }
});
