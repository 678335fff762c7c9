//! Per-division rate limits: a calendar-minute budget and a UTC-day budget, on the sim clock.
//!
//! Every call with a division in its URL is charged to both windows before it is answered; a
//! refused call (429) is not charged. Headers carry epoch milliseconds, as Exact's do.

use std::collections::HashMap;

use crate::clock::{DAY_MS, MINUTE_MS, next_midnight, next_minute};

/// Response headers describing the budgets after a call.
pub type RateHeaders = Vec<(&'static str, String)>;

/// What the limiter decided for one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Charged; all six headers.
    Allowed(RateHeaders),
    /// Minute budget spent: only the three minutely headers, empty body.
    Minutely(RateHeaders),
    /// Day budget spent: the three daily headers and an error body.
    Daily(RateHeaders),
}

#[derive(Debug, Default, Clone, Copy)]
struct Window {
    minute: i64,
    minute_used: u32,
    day: i64,
    day_used: u32,
}

impl Window {
    fn roll(&mut self, now_ms: i64) {
        let minute = now_ms.div_euclid(MINUTE_MS);
        if minute != self.minute {
            self.minute = minute;
            self.minute_used = 0;
        }
        let day = now_ms.div_euclid(DAY_MS);
        if day != self.day {
            self.day = day;
            self.day_used = 0;
        }
    }
}

/// Budgets of every division.
#[derive(Debug)]
pub struct Limits {
    minutely: u32,
    daily: u32,
    windows: HashMap<i32, Window>,
}

impl Limits {
    /// Limits with these budgets per division.
    pub fn new(minutely: u32, daily: u32) -> Limits {
        Limits {
            minutely,
            daily,
            windows: HashMap::new(),
        }
    }

    /// Charges one call of `division` at `now_ms`, or refuses it.
    pub fn charge(&mut self, division: i32, now_ms: i64) -> Verdict {
        let window = self.windows.entry(division).or_default();
        window.roll(now_ms);
        if window.day_used >= self.daily {
            return Verdict::Daily(self.daily_headers(division, now_ms));
        }
        if window.minute_used >= self.minutely {
            return Verdict::Minutely(self.minutely_headers(division, now_ms));
        }
        window.minute_used += 1;
        window.day_used += 1;
        let mut headers = self.daily_headers(division, now_ms);
        headers.extend(self.minutely_headers(division, now_ms));
        Verdict::Allowed(headers)
    }

    /// The minutely headers of a 429 that a fault forces (remaining 0).
    pub fn burst_headers(&self, now_ms: i64) -> RateHeaders {
        vec![
            ("X-RateLimit-Minutely-Limit", self.minutely.to_string()),
            ("X-RateLimit-Minutely-Remaining", "0".to_string()),
            (
                "X-RateLimit-Minutely-Reset",
                next_minute(now_ms).to_string(),
            ),
        ]
    }

    fn window(&self, division: i32, now_ms: i64) -> Window {
        let mut w = self.windows.get(&division).copied().unwrap_or_default();
        w.roll(now_ms);
        w
    }

    fn daily_headers(&self, division: i32, now_ms: i64) -> RateHeaders {
        let w = self.window(division, now_ms);
        vec![
            ("X-RateLimit-Limit", self.daily.to_string()),
            (
                "X-RateLimit-Remaining",
                self.daily.saturating_sub(w.day_used).to_string(),
            ),
            ("X-RateLimit-Reset", next_midnight(now_ms).to_string()),
        ]
    }

    fn minutely_headers(&self, division: i32, now_ms: i64) -> RateHeaders {
        let w = self.window(division, now_ms);
        vec![
            ("X-RateLimit-Minutely-Limit", self.minutely.to_string()),
            (
                "X-RateLimit-Minutely-Remaining",
                self.minutely.saturating_sub(w.minute_used).to_string(),
            ),
            (
                "X-RateLimit-Minutely-Reset",
                next_minute(now_ms).to_string(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(h: &RateHeaders, name: &str) -> Option<String> {
        h.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn minute_budget_refuses_then_recovers_next_minute() {
        let mut limits = Limits::new(2, 100);
        let t = 10 * MINUTE_MS + 1_000;
        assert!(matches!(limits.charge(7, t), Verdict::Allowed(_)));
        let Verdict::Allowed(h) = limits.charge(7, t + 1) else {
            panic!("second call is within budget")
        };
        assert_eq!(
            header(&h, "X-RateLimit-Minutely-Remaining").as_deref(),
            Some("0")
        );
        let Verdict::Minutely(h) = limits.charge(7, t + 2) else {
            panic!("third call exceeds 2/min")
        };
        assert_eq!(
            h.len(),
            3,
            "a minutely 429 carries only the minutely headers"
        );
        assert!(
            matches!(limits.charge(8, t + 2), Verdict::Allowed(_)),
            "budgets are per division"
        );
        assert!(
            matches!(limits.charge(7, 11 * MINUTE_MS), Verdict::Allowed(_)),
            "new minute, new budget"
        );
    }

    #[test]
    fn day_budget_refuses_until_midnight() {
        let mut limits = Limits::new(100, 2);
        let t = 3 * DAY_MS + 5;
        limits.charge(1, t);
        limits.charge(1, t + MINUTE_MS);
        let Verdict::Daily(h) = limits.charge(1, t + 2 * MINUTE_MS) else {
            panic!("day budget spent")
        };
        assert_eq!(header(&h, "X-RateLimit-Remaining").as_deref(), Some("0"));
        assert_eq!(
            header(&h, "X-RateLimit-Reset"),
            Some((4 * DAY_MS).to_string())
        );
        assert!(
            matches!(limits.charge(1, 4 * DAY_MS), Verdict::Allowed(_)),
            "midnight UTC resets"
        );
    }
}
