//! Time, passed in. Every lifetime the client tracks (token validity, the 570 s refresh rule,
//! rate-limit windows, backoff) goes through a [`Clock`], so tests against a time-scaled
//! simulator can let ten minutes pass in a few seconds.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Wall-clock time and sleeping in that time.
pub trait Clock: Send + Sync + Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Sleeps for `ms` milliseconds of this clock's time.
    fn sleep_ms(&self, ms: i64) -> futures::future::BoxFuture<'static, ()>;
}

/// A shared clock.
pub type SharedClock = Arc<dyn Clock>;

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }

    fn sleep_ms(&self, ms: i64) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(Duration::from_millis(ms.max(0) as u64)))
    }
}

/// A clock that runs `scale` times faster than real time from a given starting point; used with
/// a simulator whose clock runs at the same scale.
#[derive(Debug, Clone)]
pub struct ScaledClock {
    origin_ms: i64,
    origin: Instant,
    scale: f64,
}

impl ScaledClock {
    /// A clock that reads `origin_ms` now and advances `scale` ms per real millisecond.
    pub fn new(origin_ms: i64, scale: f64) -> Self {
        assert!(scale > 0.0, "a clock must move forward");
        ScaledClock {
            origin_ms,
            origin: Instant::now(),
            scale,
        }
    }

    /// Like [`ScaledClock::new`], but reading `origin_ms` at the given real instant.
    pub fn anchored(origin_ms: i64, at: Instant, scale: f64) -> Self {
        assert!(scale > 0.0, "a clock must move forward");
        ScaledClock {
            origin_ms,
            origin: at,
            scale,
        }
    }
}

impl Clock for ScaledClock {
    fn now_ms(&self) -> i64 {
        self.origin_ms + (self.origin.elapsed().as_secs_f64() * 1000.0 * self.scale) as i64
    }

    fn sleep_ms(&self, ms: i64) -> futures::future::BoxFuture<'static, ()> {
        let real = Duration::from_secs_f64(ms.max(0) as f64 / 1000.0 / self.scale);
        Box::pin(tokio::time::sleep(real))
    }
}

/// Epoch milliseconds as a UTC time (the epoch itself when out of range).
pub fn to_utc(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}
