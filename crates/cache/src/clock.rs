//! Wall-clock time, read in one place: only bookkeeping stamps (a cursor's `updated_at_ms`)
//! use it; everything the engine decides on is passed in by the caller.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 if the system clock is before 1970).
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
