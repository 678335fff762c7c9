//! Exact Online dates: `/Date(ms)/` where `ms` is the wall-clock time in the Netherlands (CET/CEST)
//! written as if it were UTC. Exact's FAQ says so, and a client that reads it as UTC is off by one
//! or two hours depending on the season.
//!
//! The EU summer-time rule (since 1996) is applied here directly: summer time runs from the last
//! Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

const HOUR_MS: i64 = 3_600_000;

/// Start and end of summer time in `year`, as UTC epoch milliseconds.
fn summer_time_utc(year: i32) -> (i64, i64) {
    (
        last_sunday_0100_utc(year, 3),
        last_sunday_0100_utc(year, 10),
    )
}

fn last_sunday_0100_utc(year: i32, month: u32) -> i64 {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("valid calendar date");
    let mut day = first_of_next
        .pred_opt()
        .expect("a day before the 1st exists");
    while day.weekday() != Weekday::Sun {
        day = day.pred_opt().expect("a Sunday exists in every month");
    }
    let at = day.and_hms_opt(1, 0, 0).expect("01:00 is a valid time");
    Utc.from_utc_datetime(&at).timestamp_millis()
}

fn year_of(ms: i64) -> i32 {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or(1970, |d| d.year())
}

/// Converts Exact's CET/CEST-based milliseconds to a UTC instant.
///
/// The hour that does not exist in spring is read as winter time; the hour that occurs twice in
/// autumn is read as its first (summer-time) occurrence.
pub fn exact_ms_to_utc(local_ms: i64) -> Option<DateTime<Utc>> {
    let (start, end) = summer_time_utc(year_of(local_ms));
    let summer = local_ms >= start + 2 * HOUR_MS && local_ms < end + 2 * HOUR_MS;
    let offset = if summer { 2 * HOUR_MS } else { HOUR_MS };
    DateTime::<Utc>::from_timestamp_millis(local_ms.checked_sub(offset)?)
}

/// Converts a UTC instant to Exact's CET/CEST-based milliseconds (for filters and tests).
pub fn utc_to_exact_ms(at: DateTime<Utc>) -> i64 {
    let ms = at.timestamp_millis();
    let (start, end) = summer_time_utc(at.year());
    let offset = if ms >= start && ms < end {
        2 * HOUR_MS
    } else {
        HOUR_MS
    };
    ms + offset
}

/// Parses an Exact date value: `/Date(ms)/` (CET-based), `/Date(ms+hhmm)/` (already UTC, as
/// OData allows), or an ISO-8601 string (with a zone: as given; without: Dutch local time).
pub fn parse_exact_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|t| t.strip_suffix(")/"))
    {
        // An explicit offset means the number is true UTC milliseconds.
        let sign_at = inner
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '+' || *c == '-');
        return match sign_at {
            Some((i, _)) => DateTime::<Utc>::from_timestamp_millis(inner[..i].parse().ok()?),
            None => exact_ms_to_utc(inner.parse().ok()?),
        };
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    exact_ms_to_utc(naive.and_utc().timestamp_millis())
}

/// Formats a UTC instant the way Exact writes it in JSON.
pub fn format_exact_date(at: DateTime<Utc>) -> String {
    format!("/Date({})/", utc_to_exact_ms(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid test date")
    }

    #[test]
    fn winter_is_one_hour_ahead_and_summer_two() {
        // 13:00 on the Dutch clock in January is 12:00 UTC; 14:00 in July is 12:00 UTC.
        let jan_local = utc(2024, 1, 15, 13, 0).timestamp_millis();
        assert_eq!(exact_ms_to_utc(jan_local), Some(utc(2024, 1, 15, 12, 0)));
        let jul_local = utc(2024, 7, 1, 14, 0).timestamp_millis();
        assert_eq!(exact_ms_to_utc(jul_local), Some(utc(2024, 7, 1, 12, 0)));
    }

    #[test]
    fn transitions_follow_the_eu_rule() {
        // 2024: summer time from 31 March 01:00 UTC to 27 October 01:00 UTC.
        assert_eq!(
            summer_time_utc(2024),
            (
                utc(2024, 3, 31, 1, 0).timestamp_millis(),
                utc(2024, 10, 27, 1, 0).timestamp_millis()
            )
        );
        // 03:30 local on 31 March 2024 is summer time: 01:30 UTC.
        let after = utc(2024, 3, 31, 3, 30).timestamp_millis();
        assert_eq!(exact_ms_to_utc(after), Some(utc(2024, 3, 31, 1, 30)));
        // 01:30 local that morning is still winter time: 00:30 UTC.
        let before = utc(2024, 3, 31, 1, 30).timestamp_millis();
        assert_eq!(exact_ms_to_utc(before), Some(utc(2024, 3, 31, 0, 30)));
        // The repeated hour in October resolves to its summer-time occurrence.
        let repeated = utc(2024, 10, 27, 2, 30).timestamp_millis();
        assert_eq!(exact_ms_to_utc(repeated), Some(utc(2024, 10, 27, 0, 30)));
    }

    #[test]
    fn parses_every_form() {
        let at = utc(2013, 10, 25, 2, 24);
        assert_eq!(parse_exact_date(&format_exact_date(at)), Some(at));
        assert_eq!(parse_exact_date("/Date(1382667840000+0000)/"), Some(at));
        assert_eq!(parse_exact_date("2013-10-25T02:24:00Z"), Some(at));
        assert_eq!(
            parse_exact_date("2013-10-25T04:24:00"),
            Some(at),
            "zone-less is Dutch time"
        );
        assert_eq!(
            parse_exact_date("/Date(-86400000)/").map(|d| d.year()),
            Some(1969)
        );
        for bad in [
            "",
            "/Date()/",
            "/Date(abc)/",
            "Date(1)",
            "yesterday",
            "/Date(99999999999999999999)/",
        ] {
            assert_eq!(parse_exact_date(bad), None, "{bad:?} is not a date");
        }
    }

    proptest! {
        #[test]
        fn round_trips_outside_the_repeated_hour(ms in -2_000_000_000_000_i64..4_000_000_000_000_i64) {
            let at = DateTime::<Utc>::from_timestamp_millis(ms).expect("in range");
            let local = utc_to_exact_ms(at);
            let (_, end) = summer_time_utc(at.year());
            // The hour after the autumn change reads back as the summer occurrence by design.
            prop_assume!(!(ms >= end && ms < end + HOUR_MS));
            prop_assert_eq!(exact_ms_to_utc(local), Some(at));
        }

        #[test]
        fn never_panics_on_text(text in ".{0,40}") {
            let _ = parse_exact_date(&text);
        }

        #[test]
        fn never_panics_on_date_like_text(n in any::<i64>(), suffix in "[+-]?[0-9]{0,5}") {
            let _ = parse_exact_date(&format!("/Date({n}{suffix})/"));
        }
    }
}
