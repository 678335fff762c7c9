//! Pacing from Exact's rate-limit headers, so that we never cause a 429 ourselves.
//!
//! Exact limits each app per division to a minutely budget (a calendar minute) and a daily budget
//! (to midnight UTC), and reports both on every response with a division in the URL:
//! `X-RateLimit-{Limit,Remaining,Reset}` (daily) and `X-RateLimit-Minutely-{Limit,Remaining,Reset}`,
//! resets in epoch milliseconds. The pacer spends the minutely budget and, when it is gone, waits
//! for the reset (plus a margin for clock skew) before the next call. A spent daily budget ends the
//! work with [`Error::DailyLimit`] instead of waiting for hours.
//!
//! Invariant: calls for one division are counted before they are sent, so even overlapping calls
//! never exceed what the last headers allowed.

use std::collections::HashMap;
use std::sync::Mutex;

use reqwest::header::HeaderMap;

use crate::clock::{SharedClock, to_utc};
use crate::error::{Error, Result};

const MINUTE_MS: i64 = 60_000;

/// The six rate-limit headers of one response; absent ones are `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateHeaders {
    pub daily_limit: Option<i64>,
    pub daily_remaining: Option<i64>,
    pub daily_reset: Option<i64>,
    pub minutely_limit: Option<i64>,
    pub minutely_remaining: Option<i64>,
    pub minutely_reset: Option<i64>,
}

impl RateHeaders {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        RateHeaders {
            daily_limit: num("x-ratelimit-limit"),
            daily_remaining: num("x-ratelimit-remaining"),
            daily_reset: num("x-ratelimit-reset"),
            minutely_limit: num("x-ratelimit-minutely-limit"),
            minutely_remaining: num("x-ratelimit-minutely-remaining"),
            minutely_reset: num("x-ratelimit-minutely-reset"),
        }
    }
}

/// What is known of one division's budgets, for progress displays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RateSnapshot {
    pub minutely_remaining: Option<i64>,
    pub minutely_limit: Option<i64>,
    pub daily_remaining: Option<i64>,
    pub daily_limit: Option<i64>,
    /// Epoch ms when the daily budget resets.
    pub daily_reset: Option<i64>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Window {
    remaining: Option<i64>,
    reset: Option<i64>,
    limit: Option<i64>,
}

impl Window {
    /// Forgets a window whose reset has passed: the budget is full again.
    fn roll(&mut self, now: i64) {
        if self.reset.is_some_and(|reset| now >= reset) {
            self.remaining = self.limit;
            self.reset = None;
        }
    }

    fn observe(&mut self, limit: Option<i64>, remaining: Option<i64>, reset: Option<i64>) {
        if limit.is_some() {
            self.limit = limit;
        }
        let Some(remaining) = remaining else { return };
        // Within the same window our own count may be lower (calls in flight): keep the lower.
        self.remaining = match (self.remaining, self.reset == reset) {
            (Some(local), true) => Some(local.min(remaining)),
            _ => Some(remaining),
        };
        self.reset = reset;
    }

    fn spend(&mut self) {
        if let Some(r) = self.remaining.as_mut() {
            *r -= 1;
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Budget {
    minutely: Window,
    daily: Window,
}

/// Per-division pacing shared by every request of one client.
#[derive(Debug)]
pub struct Pacer {
    clock: SharedClock,
    margin_ms: i64,
    budgets: Mutex<HashMap<i32, Budget>>,
}

impl Pacer {
    /// `margin_ms` is added after each reset before calling again, to absorb clock skew.
    pub fn new(clock: SharedClock, margin_ms: i64) -> Self {
        Pacer {
            clock,
            margin_ms,
            budgets: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a call for `division` fits the budget and counts it.
    pub async fn acquire(&self, division: i32) -> Result<()> {
        loop {
            let wait = {
                let mut budgets = self.budgets.lock().expect("pacer lock is never poisoned");
                let budget = budgets.entry(division).or_default();
                let now = self.clock.now_ms();
                budget.minutely.roll(now);
                budget.daily.roll(now);
                if budget.daily.remaining.is_some_and(|r| r <= 0) {
                    let reset = budget.daily.reset.unwrap_or(now);
                    return Err(Error::DailyLimit {
                        division,
                        reset: to_utc(reset),
                    });
                }
                match (budget.minutely.remaining, budget.minutely.reset) {
                    (Some(r), Some(reset)) if r <= 0 => reset - now + self.margin_ms,
                    (Some(r), None) if r <= 0 => next_minute(now) - now + self.margin_ms,
                    _ => {
                        budget.minutely.spend();
                        budget.daily.spend();
                        return Ok(());
                    }
                }
            };
            tracing::debug!(
                division,
                wait_ms = wait,
                "minutely budget spent; waiting for the reset"
            );
            self.clock.sleep_ms(wait.max(1)).await;
            let mut budgets = self.budgets.lock().expect("pacer lock is never poisoned");
            let budget = budgets.entry(division).or_default();
            if budget.minutely.remaining.is_some_and(|r| r <= 0) && budget.minutely.reset.is_none()
            {
                budget.minutely.remaining = budget.minutely.limit;
            }
        }
    }

    /// Records the headers of a response for `division`.
    pub fn observe(&self, division: i32, headers: &RateHeaders) {
        let mut budgets = self.budgets.lock().expect("pacer lock is never poisoned");
        let budget = budgets.entry(division).or_default();
        budget.minutely.observe(
            headers.minutely_limit,
            headers.minutely_remaining,
            headers.minutely_reset,
        );
        budget.daily.observe(
            headers.daily_limit,
            headers.daily_remaining,
            headers.daily_reset,
        );
    }

    /// Records a 429. A daily 429 becomes [`Error::DailyLimit`]; a minutely one (which may carry
    /// only the minutely headers, or none at all) makes the next `acquire` wait for the reset.
    pub fn on_too_many_requests(&self, division: i32, headers: &RateHeaders) -> Result<()> {
        let now = self.clock.now_ms();
        let mut budgets = self.budgets.lock().expect("pacer lock is never poisoned");
        let budget = budgets.entry(division).or_default();
        if headers.daily_remaining.is_some_and(|r| r <= 0) {
            budget
                .daily
                .observe(headers.daily_limit, Some(0), headers.daily_reset);
            let reset = headers
                .daily_reset
                .unwrap_or_else(|| next_utc_midnight(now));
            return Err(Error::DailyLimit {
                division,
                reset: to_utc(reset),
            });
        }
        let reset = headers
            .minutely_reset
            .filter(|r| *r > now)
            .unwrap_or_else(|| next_minute(now));
        budget.minutely.limit = headers.minutely_limit.or(budget.minutely.limit);
        budget.minutely.remaining = Some(0);
        budget.minutely.reset = Some(reset);
        Ok(())
    }

    /// The known budgets of a division.
    pub fn snapshot(&self, division: i32) -> RateSnapshot {
        let budgets = self.budgets.lock().expect("pacer lock is never poisoned");
        let b = budgets.get(&division).copied().unwrap_or_default();
        RateSnapshot {
            minutely_remaining: b.minutely.remaining,
            minutely_limit: b.minutely.limit,
            daily_remaining: b.daily.remaining,
            daily_limit: b.daily.limit,
            daily_reset: b.daily.reset,
        }
    }
}

fn next_minute(now: i64) -> i64 {
    (now.div_euclid(MINUTE_MS) + 1) * MINUTE_MS
}

fn next_utc_midnight(now: i64) -> i64 {
    const DAY_MS: i64 = 86_400_000;
    (now.div_euclid(DAY_MS) + 1) * DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ScaledClock;
    use std::sync::Arc;

    fn pacer(now: i64) -> Pacer {
        // A fast clock: a minute's wait takes 60 ms of real time, and a scheduling delay of a
        // few real milliseconds (a loaded machine) stays seconds of clock time, well inside the
        // bounds the tests check.
        Pacer::new(Arc::new(ScaledClock::new(now, 1_000.0)), 50)
    }

    fn minutely(remaining: i64, reset: i64) -> RateHeaders {
        RateHeaders {
            minutely_limit: Some(60),
            minutely_remaining: Some(remaining),
            minutely_reset: Some(reset),
            daily_limit: Some(5000),
            daily_remaining: Some(4000),
            daily_reset: Some(reset + 3_600_000),
        }
    }

    #[tokio::test]
    async fn spends_the_budget_then_waits_for_the_reset() {
        let now = 1_700_000_000_000;
        let p = pacer(now);
        p.observe(7, &minutely(2, now + 30_000));
        p.acquire(7).await.expect("first of two");
        p.acquire(7).await.expect("second of two");
        assert_eq!(p.snapshot(7).minutely_remaining, Some(0));
        let before = p.clock.now_ms();
        p.acquire(7).await.expect("after the reset");
        assert!(
            p.clock.now_ms() >= now + 30_000 + 50,
            "the third call must wait for the reset plus margin"
        );
        assert!(p.clock.now_ms() - before < 120_000, "but not much longer");
    }

    #[tokio::test]
    async fn a_bare_429_waits_for_the_next_minute() {
        let now = 1_700_000_010_000; // 10 s into a minute
        let p = pacer(now);
        p.on_too_many_requests(3, &RateHeaders::default())
            .expect("minutely, not daily");
        p.acquire(3).await.expect("after the minute");
        assert!(
            p.clock.now_ms() >= next_minute(now),
            "must wait for the calendar minute"
        );
    }

    #[tokio::test]
    async fn daily_exhaustion_is_an_error_with_the_reset() {
        let now = 1_700_000_000_000;
        let p = pacer(now);
        let mut h = minutely(10, now + 30_000);
        h.daily_remaining = Some(0);
        p.observe(5, &h);
        match p.acquire(5).await {
            Err(Error::DailyLimit { division, reset }) => {
                assert_eq!(division, 5);
                assert_eq!(reset.timestamp_millis(), now + 30_000 + 3_600_000);
            }
            other => panic!("expected DailyLimit, got {other:?}"),
        }
        let daily_429 = RateHeaders {
            daily_remaining: Some(0),
            daily_reset: Some(now + 5),
            ..Default::default()
        };
        assert!(matches!(
            p.on_too_many_requests(6, &daily_429),
            Err(Error::DailyLimit { .. })
        ));
    }

    #[test]
    fn header_names_are_exacts() {
        let mut map = HeaderMap::new();
        for (name, value) in [
            ("X-RateLimit-Limit", "5000"),
            ("X-RateLimit-Remaining", "4999"),
            ("X-RateLimit-Reset", "1683936000000"),
            ("X-RateLimit-Minutely-Limit", "60"),
            ("X-RateLimit-Minutely-Remaining", "59"),
            ("X-RateLimit-Minutely-Reset", "1683879540000"),
        ] {
            map.insert(
                reqwest::header::HeaderName::from_static(Box::leak(
                    name.to_ascii_lowercase().into_boxed_str(),
                )),
                value.parse().expect("header value"),
            );
        }
        let h = RateHeaders::from_headers(&map);
        assert_eq!(h.daily_remaining, Some(4999));
        assert_eq!(h.minutely_reset, Some(1_683_879_540_000));
        assert_eq!(h.minutely_limit, Some(60));
    }
}
