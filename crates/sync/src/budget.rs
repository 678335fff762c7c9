//! The day's call budget, shared by every desktop on one app registration: Exact gives an app
//! 5 000 calls per division per day, and its rate-limit headers tell each desktop what is left
//! of that shared budget. Twenty desktops syncing every 15 minutes at ~15 calls a run would
//! need ~28 800. So the scheduler stretches its interval when the budget runs low: from what is
//! left, minus a reserve, it allows as many runs as fit until the daily reset. Each desktop
//! decides from the same shared figure after each run, so together they slow down as the
//! budget shrinks and never spend the reserve on automatic runs.

use std::time::Duration;

use exact_api::RateSnapshot;

/// Kept for what the user asks for by hand (a sync now, a picture, `doctor`) and for other
/// apps on the same registration: a tenth of the day's limit.
const RESERVE_SHARE: f64 = 0.1;

/// The interval to wait before the next automatic run: `interval`, or longer when the
/// division's remaining daily calls would not last until the daily reset at one run of
/// `calls_per_run` calls per interval. `None` when the headers say nothing (no call made yet).
pub fn stretched_interval(
    interval: Duration,
    rate: &RateSnapshot,
    now_ms: i64,
    calls_per_run: u64,
) -> Option<Duration> {
    let (remaining, limit, reset) = (rate.daily_remaining?, rate.daily_limit?, rate.daily_reset?);
    let until_reset = Duration::from_millis(u64::try_from(reset - now_ms).ok()?);
    let reserve = (limit as f64 * RESERVE_SHARE).ceil() as i64;
    let usable = u64::try_from(remaining - reserve).unwrap_or(0);
    let runs = usable / calls_per_run.max(1);
    if runs == 0 {
        // Nothing to spare before the reset: the next run waits for it.
        return Some(until_reset.max(interval));
    }
    let spread = until_reset / u32::try_from(runs).unwrap_or(u32::MAX);
    Some(spread.max(interval))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;
    const QUARTER: Duration = Duration::from_secs(15 * 60);

    fn rate(remaining: i64, reset_in_ms: i64) -> RateSnapshot {
        RateSnapshot {
            daily_remaining: Some(remaining),
            daily_limit: Some(5_000),
            daily_reset: Some(reset_in_ms),
            ..RateSnapshot::default()
        }
    }

    #[test]
    fn a_budget_that_lasts_keeps_the_interval() {
        // 12 hours left, 4 800 calls: 48 runs of 15 calls need 720.
        let got = stretched_interval(QUARTER, &rate(4_800, 12 * HOUR_MS), 0, 15);
        assert_eq!(got, Some(QUARTER));
    }

    #[test]
    fn a_low_budget_spreads_the_runs_until_the_reset() {
        // 12 hours left, 500 reserved of 950: 450 calls = 30 runs of 15, one per 24 minutes.
        let got = stretched_interval(QUARTER, &rate(950, 12 * HOUR_MS), 0, 15);
        assert_eq!(got, Some(Duration::from_secs(24 * 60)));
    }

    #[test]
    fn the_reserve_is_never_spent_by_automatic_runs() {
        let got = stretched_interval(QUARTER, &rate(510, 5 * HOUR_MS), 0, 15);
        assert_eq!(
            got,
            Some(Duration::from_secs(5 * 3600)),
            "waits for the reset"
        );
        let got = stretched_interval(QUARTER, &rate(3, 5 * HOUR_MS), 0, 15);
        assert_eq!(got, Some(Duration::from_secs(5 * 3600)));
    }

    #[test]
    fn unknown_or_past_figures_change_nothing() {
        assert_eq!(
            stretched_interval(QUARTER, &RateSnapshot::default(), 0, 15),
            None
        );
        assert_eq!(stretched_interval(QUARTER, &rate(100, -5), 0, 15), None);
        // A run of 0 calls counts as one.
        let got = stretched_interval(QUARTER, &rate(1_000, HOUR_MS), 0, 0);
        assert_eq!(got, Some(QUARTER));
    }
}
