//! The day's call budget, shared by every desktop on one app registration: Exact gives an app
//! 5 000 calls per division per day, and its rate-limit headers tell each desktop what is left
//! of that shared budget. Twenty desktops syncing every 15 minutes at ~15 calls a run would
//! need ~28 800. So the scheduler stretches its interval when the budget runs low.
//!
//! A desktop cannot know how many others share the budget, but it sees what all of them spent:
//! the remaining figure after its previous run minus the one after this run. Spread over the
//! time to the daily reset, that pace must fit in what is left (minus a reserve), so the next
//! run waits `time to reset × spent by everyone since my last run ÷ calls left`. Every desktop
//! stretches by the same factor, so together they spend at the pace the budget allows, and a
//! desktop alone falls back to its own calls. Automatic runs never spend the reserve.

use std::collections::HashMap;
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

/// What a desktop remembers of each division's daily budget between its runs, to see what the
/// other desktops on the same app registration spent meanwhile.
#[derive(Debug, Default, Clone)]
pub struct SharedBudget {
    /// Per division: the calls left and the reset they count towards, after the last run.
    seen: HashMap<i32, (i64, i64)>,
}

impl SharedBudget {
    /// The delay before the next automatic run after a run that made `calls` (per division),
    /// when it must be longer than `interval`; `rate` gives a division's figures after the run.
    pub fn next_interval(
        &mut self,
        interval: Duration,
        calls: &[(i32, u64)],
        rate: impl Fn(i32) -> RateSnapshot,
        now_ms: i64,
    ) -> Option<Duration> {
        calls
            .iter()
            .filter_map(|&(division, own)| {
                let rate = rate(division);
                let spent = self.spent_since_last(division, &rate).max(own);
                stretched_interval(interval, &rate, now_ms, spent)
            })
            .max()
            .filter(|stretched| *stretched > interval)
    }

    /// Calls every desktop spent in `division` since the previous look, when both looks count
    /// towards the same daily reset; remembers this look.
    fn spent_since_last(&mut self, division: i32, rate: &RateSnapshot) -> u64 {
        let (Some(remaining), Some(reset)) = (rate.daily_remaining, rate.daily_reset) else {
            return 0;
        };
        let before = self.seen.insert(division, (remaining, reset));
        match before {
            Some((was, same_reset)) if same_reset == reset => {
                u64::try_from(was - remaining).unwrap_or(0)
            }
            _ => 0,
        }
    }
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

    fn after(remaining: i64, reset_in_ms: i64, now: i64) -> RateSnapshot {
        RateSnapshot {
            daily_reset: Some(now + reset_in_ms),
            ..rate(remaining, 0)
        }
    }

    #[test]
    fn a_desktop_alone_is_paced_by_its_own_calls() {
        let mut budget = SharedBudget::default();
        let calls = [(7, 15)];
        let reset = 12 * HOUR_MS;
        // 950 left: 450 usable = 30 runs of 15 in 12 hours.
        let first = budget.next_interval(QUARTER, &calls, |_| after(950, reset, 0), 0);
        assert_eq!(first, Some(Duration::from_secs(24 * 60)));
        // 24 minutes later it alone spent 15: 435 usable = 29 runs in 696 minutes, the same pace.
        let now = 24 * 60_000;
        let second = budget.next_interval(QUARTER, &calls, |_| after(935, reset - now, now), now);
        assert_eq!(second, Some(Duration::from_secs(24 * 60)));
    }

    #[test]
    fn what_the_others_spent_stretches_the_interval_by_their_share() {
        let mut budget = SharedBudget::default();
        let calls = [(7, 15)];
        let reset = 20 * HOUR_MS;
        assert_eq!(
            budget.next_interval(QUARTER, &calls, |_| after(4_000, reset, 0), 0),
            None,
            "alone, 3 500 usable calls last: the interval stays"
        );
        // A quarter later the budget fell by 300: twenty desktops of 15 calls. At that pace
        // the 3 200 usable calls (3 700 - 500) are 10 rounds of everyone's, spread over the
        // 19 h 45 min left: one run per 118.5 minutes.
        let now = 15 * 60_000;
        let got = budget.next_interval(QUARTER, &calls, |_| after(3_700, reset - now, now), now);
        assert_eq!(
            got,
            Some(Duration::from_millis(((reset - now) / 10) as u64))
        );
    }

    #[test]
    fn a_reset_between_runs_forgets_the_earlier_figure() {
        let mut budget = SharedBudget::default();
        let calls = [(7, 15)];
        budget.next_interval(QUARTER, &calls, |_| after(600, HOUR_MS, 0), 0);
        // The day turned over: a full budget, another reset. 4 985 left is not "−4 385 spent".
        let now = 2 * HOUR_MS;
        let got = budget.next_interval(QUARTER, &calls, |_| after(4_985, 24 * HOUR_MS, now), now);
        assert_eq!(got, None);
        // And a division never seen before starts from its own calls.
        let got = budget.next_interval(QUARTER, &[(8, 15)], |_| after(950, 12 * HOUR_MS, 0), 0);
        assert_eq!(got, Some(Duration::from_secs(24 * 60)));
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
