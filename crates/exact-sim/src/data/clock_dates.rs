//! Exact's date format: `/Date(ms)/` where ms is the Dutch wall-clock time (CET/CEST)
//! written as if it were UTC. The EU summer-time rule is implemented here (last Sunday of
//! March 01:00 UTC to last Sunday of October 01:00 UTC) so nothing depends on a tz database.

use serde_json::Value;

pub const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since epoch of the last Sunday of a month.
fn last_sunday(year: i64, month: u32) -> i64 {
    let first_next = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    let last = first_next - 1;
    // 1970-01-01 was a Thursday: weekday index with Sunday = 0 is (days + 4) mod 7.
    last - (last + 4).rem_euclid(7)
}

/// True when summer time (CEST) applies at this UTC instant.
pub fn is_summer_time(utc_ms: i64) -> bool {
    let (year, _, _) = civil_from_days(utc_ms.div_euclid(DAY_MS));
    let start = last_sunday(year, 3) * DAY_MS + HOUR_MS;
    let end = last_sunday(year, 10) * DAY_MS + HOUR_MS;
    (start..end).contains(&utc_ms)
}

/// The Dutch wall-clock time of a UTC instant, as milliseconds "as if UTC".
pub fn cet_wall_ms(utc_ms: i64) -> i64 {
    utc_ms
        + if is_summer_time(utc_ms) {
            2 * HOUR_MS
        } else {
            HOUR_MS
        }
}

/// `"/Date(ms)/"` of a UTC instant in Exact's convention.
pub fn exact_date(utc_ms: i64) -> Value {
    Value::String(date_text(cet_wall_ms(utc_ms)))
}

/// `/Date(ms)/`, without the formatting machinery (several per row on the hot path).
fn date_text(ms: i64) -> String {
    // Written backwards from the end: `)/`, the digits, the sign, `/Date(`.
    let mut buf = [0u8; 30];
    let mut at = buf.len() - 2;
    buf[at..].copy_from_slice(b")/");
    let mut rest = ms.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if ms < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    at -= 6;
    buf[at..at + 6].copy_from_slice(b"/Date(");
    String::from_utf8(buf[at..].to_vec()).unwrap_or_default()
}

/// A date without time (StartDate, BirthDate, ...): local midnight of the instant's Dutch day.
pub fn exact_day(utc_ms: i64) -> Value {
    let wall = cet_wall_ms(utc_ms);
    Value::String(date_text(wall - wall.rem_euclid(DAY_MS)))
}

/// ISO-8601 text of a UTC instant (`2024-07-01T12:00:00.000Z`-like, without the zone letter
/// when `local` is true), used for Me.ServerTime and file contents.
pub fn iso(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let rem = ms.rem_euclid(DAY_MS);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / HOUR_MS,
        rem / 60_000 % 60,
        rem / 1000 % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
        days_from_civil(y, mo, d) * DAY_MS + h * HOUR_MS + mi * 60_000
    }

    #[test]
    fn date_text_matches_the_format_string() {
        for ms in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            1_719_835_200_000,
            -62_135_596_800_000,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(date_text(ms), format!("/Date({ms})/"));
        }
    }

    #[test]
    fn civil_round_trip() {
        for z in [-1000, 0, 1, 19_000, 20_000, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(
            days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28),
            2,
            "2024 is a leap year"
        );
    }

    #[test]
    fn summer_time_on_known_dates() {
        assert_eq!(cet_wall_ms(utc(2024, 7, 1, 12, 0)), utc(2024, 7, 1, 14, 0));
        assert_eq!(
            cet_wall_ms(utc(2024, 1, 15, 12, 0)),
            utc(2024, 1, 15, 13, 0)
        );
        // 2024: summer time from 31 March 01:00 UTC until 27 October 01:00 UTC.
        assert!(!is_summer_time(utc(2024, 3, 31, 0, 59)));
        assert!(is_summer_time(utc(2024, 3, 31, 1, 0)));
        assert!(is_summer_time(utc(2024, 10, 27, 0, 59)));
        assert!(!is_summer_time(utc(2024, 10, 27, 1, 0)));
        // 2023: 26 March and 29 October.
        assert!(is_summer_time(utc(2023, 3, 26, 1, 0)));
        assert!(!is_summer_time(utc(2023, 3, 25, 12, 0)));
        assert!(!is_summer_time(utc(2023, 10, 29, 1, 0)));
    }

    #[test]
    fn date_values_use_wall_clock() {
        let t = utc(2024, 7, 1, 12, 0);
        assert_eq!(
            exact_date(t),
            Value::String(format!("/Date({})/", utc(2024, 7, 1, 14, 0)))
        );
        assert_eq!(
            exact_day(utc(2024, 7, 1, 23, 30)),
            Value::String(format!("/Date({})/", utc(2024, 7, 2, 0, 0)))
        );
        assert_eq!(iso(utc(2024, 7, 1, 12, 5)), "2024-07-01T12:05:00");
    }
}
