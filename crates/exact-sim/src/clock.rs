//! The simulated clock.
//!
//! Every lifetime in the simulator (authorization codes, 600 s access tokens, the 570 s refresh
//! rule, 30-day refresh tokens, rate-limit windows, `Created`/`Modified` of mutations) is measured
//! on this clock, never on the wall clock, so tests can make minutes or days pass quickly:
//! `now_ms = origin_ms + offset_ms + real_elapsed_ms * time_scale`.

use std::sync::Mutex;
use std::time::Instant;

/// Milliseconds in one simulated minute, hour and day.
pub const MINUTE_MS: i64 = 60_000;
pub const DAY_MS: i64 = 86_400_000;

/// A clock that runs `time_scale` times as fast as real time from `origin_ms`.
#[derive(Debug)]
pub struct SimClock {
    origin_ms: i64,
    started: Instant,
    time_scale: f64,
    /// Extra milliseconds added by `/_sim/clock/advance`.
    offset_ms: Mutex<i64>,
}

impl SimClock {
    /// A clock that reads `origin_ms` now and then advances `time_scale` sim ms per real ms.
    pub fn new(origin_ms: i64, time_scale: f64) -> SimClock {
        SimClock {
            origin_ms,
            started: Instant::now(),
            time_scale: if time_scale.is_finite() && time_scale > 0.0 {
                time_scale
            } else {
                1.0
            },
            offset_ms: Mutex::new(0),
        }
    }

    /// Current sim time in epoch milliseconds (UTC).
    pub fn now_ms(&self) -> i64 {
        let real_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        let offset = *self.offset_ms.lock().expect("clock offset lock poisoned");
        self.origin_ms + offset + (real_ms * self.time_scale) as i64
    }

    /// Factor between sim time and real time.
    pub fn time_scale(&self) -> f64 {
        self.time_scale
    }

    /// Jumps the clock forward (never backward: lifetimes assume monotonic time).
    pub fn advance(&self, ms: i64) {
        let mut offset = self.offset_ms.lock().expect("clock offset lock poisoned");
        *offset += ms.max(0);
    }
}

/// Start of the calendar minute after `now_ms`.
pub fn next_minute(now_ms: i64) -> i64 {
    (now_ms.div_euclid(MINUTE_MS) + 1) * MINUTE_MS
}

/// The next UTC midnight after `now_ms`.
pub fn next_midnight(now_ms: i64) -> i64 {
    (now_ms.div_euclid(DAY_MS) + 1) * DAY_MS
}

/// Wall-clock epoch milliseconds, for the default origin.
pub fn real_epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_end_on_calendar_boundaries() {
        // 2023-05-12T08:18:25Z, the sample from the API notes: minute reset 08:19:00, day reset 13 May 00:00.
        let now = 1_683_879_505_000;
        assert_eq!(next_minute(now), 1_683_879_540_000);
        assert_eq!(next_midnight(now), 1_683_936_000_000);
        assert_eq!(
            next_minute(1_683_879_540_000),
            1_683_879_600_000,
            "a boundary starts a new minute"
        );
    }

    #[test]
    fn scaled_clock_runs_faster_and_advances() {
        let clock = SimClock::new(1_000, 1000.0);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(
            clock.now_ms() >= 1_000 + 20_000,
            "20 real ms at scale 1000 are 20 sim seconds"
        );
        let before = clock.now_ms();
        clock.advance(3_600_000);
        assert!(
            clock.now_ms() >= before + 3_600_000,
            "advance moves the clock forward"
        );
    }
}
