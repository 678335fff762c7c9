//! The fewest calls a sync can make, and the least time a number of calls can take under Exact's
//! per-minute budget: what the measured calls and simulated times are held against.

use offline_sync::RunReport;
use offline_sync::plan::{PLANS, Source};

/// Rows per page of Exact's `sync/` endpoints (and `sync/Deleted`).
pub const SYNC_PAGE: u64 = 1_000;
/// Rows per page of the regular endpoints the small masters are read from.
pub const REGULAR_PAGE: u64 = 60;
/// Calls of a run outside the entities' pages: listing the divisions (the engine is given its
/// divisions, so it does not ask for the current one).
pub const FIXED_CALLS: u64 = 1;

/// The four big entities the sync figures have always been about.
pub const MAIN_ENTITIES: [&str; 4] = ["Items", "Accounts", "Contacts", "Addresses"];

/// Calls made and the least possible, for some of a run's entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Calls {
    pub used: u64,
    pub floor: u64,
}

/// Rows per page of an entity's endpoint.
fn page_size(entity: &str) -> u64 {
    let replaced = PLANS
        .iter()
        .any(|p| p.entity.as_str() == entity && matches!(p.source, Source::Replace { .. }));
    if replaced { REGULAR_PAGE } else { SYNC_PAGE }
}

/// Calls the engine counted for the entities `filter` accepts, and their floor: each entity
/// needs ⌈rows ÷ page size⌉ pages, and at least one call to learn it has nothing.
pub fn entity_calls(report: &RunReport, filter: impl Fn(&str) -> bool) -> Calls {
    report
        .entities
        .iter()
        .filter(|e| filter(&e.entity))
        .fold(Calls::default(), |acc, e| {
            let rows = e.rows_upserted + e.rows_deleted + e.set_aside.total();
            Calls {
                used: acc.used + e.calls,
                floor: acc.floor + rows.div_ceil(page_size(&e.entity)).max(1),
            }
        })
}

/// The floor of a whole run: every entity's pages plus the fixed calls.
pub fn run_floor(report: &RunReport) -> u64 {
    entity_calls(report, |_| true).floor + FIXED_CALLS
}

/// The least time, in seconds, `calls` sequential calls of `latency_s` each can take when at
/// most `per_minute` may fall in one calendar minute: at best the first minute's calls end just
/// as the next minute starts, every minute in between is waited out whole, and the last minute
/// holds only what is left. Never less than the latencies end to end.
pub fn calendar_floor_secs(calls: u64, per_minute: u64, latency_s: f64) -> f64 {
    let serial = calls as f64 * latency_s;
    if calls <= per_minute || per_minute == 0 {
        return serial;
    }
    let boundaries = calls.div_ceil(per_minute) - 1;
    let first = per_minute as f64 * latency_s;
    let last = (calls - boundaries * per_minute) as f64 * latency_s;
    (first + (boundaries - 1) as f64 * 60.0 + last).max(serial)
}

/// The least time, in seconds, `calls` sequential calls of `latency_s` each take when the first
/// starts at `start_ms` on the server's clock and at most `per_minute` may start in one calendar
/// minute (Exact charges a call when it arrives): the calendar floor for this run's start, which
/// counts the part of the first minute that is left, not the best possible start.
pub fn paced_floor_secs(start_ms: i64, calls: u64, per_minute: u64, latency_s: f64) -> f64 {
    let start = start_ms as f64 / 1000.0;
    let (mut t, mut minute, mut used) = (start, (start / 60.0).floor(), 0u64);
    for _ in 0..calls {
        if (t / 60.0).floor() != minute {
            minute = (t / 60.0).floor();
            used = 0;
        }
        if per_minute > 0 && used == per_minute {
            minute += 1.0;
            t = minute * 60.0;
            used = 0;
        }
        used += 1;
        t += latency_s;
    }
    t - start
}

/// The reference the client benchmark has always printed: Exact's sustained rate of one call a
/// second (60 a minute), so `calls` seconds.
pub fn sustained_secs(calls: u64, per_minute: u64) -> f64 {
    calls as f64 * 60.0 / per_minute.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use offline_sync::{EntityOutcome, Outcome};

    fn outcome(entity: &str, rows: u64, calls: u64) -> EntityOutcome {
        EntityOutcome {
            division: 1,
            entity: entity.into(),
            rows_upserted: rows,
            rows_deleted: 0,
            calls,
            set_aside: Default::default(),
            without: Vec::new(),
            too_large: Vec::new(),
            error: None,
        }
    }

    fn report(entities: Vec<EntityOutcome>) -> RunReport {
        RunReport {
            run_id: 1,
            started_ms: 0,
            finished_ms: 0,
            outcome: Outcome::Succeeded,
            entities,
            error: None,
        }
    }

    #[test]
    fn sync_entities_page_by_a_thousand_and_masters_by_sixty() {
        let r = report(vec![
            outcome("Items", 100_000, 100),
            outcome("Accounts", 1_001, 2),
            outcome("Units", 61, 2),
            outcome("ItemGroups", 0, 1),
            outcome("Deleted", 0, 1),
        ]);
        let main = entity_calls(&r, |e| MAIN_ENTITIES.contains(&e));
        assert_eq!(
            main,
            Calls {
                used: 102,
                floor: 102
            },
            "100 + 2 pages"
        );
        // 100 + 2 + 2 (61 rows at 60 a page) + 1 + 1 (an empty answer is still a call) + 1 fixed.
        assert_eq!(run_floor(&r), 107);
    }

    #[test]
    fn calendar_floor_counts_whole_minutes_only_between_the_first_and_last() {
        assert!(
            (calendar_floor_secs(50, 60, 0.15) - 7.5).abs() < 1e-9,
            "one burst"
        );
        assert!(
            (calendar_floor_secs(120, 60, 0.0) - 0.0).abs() < 1e-9,
            "two bursts around a boundary"
        );
        // 60 before the first boundary, a whole minute, 1 call after the second boundary.
        assert!((calendar_floor_secs(121, 60, 0.1) - (6.0 + 60.0 + 0.1)).abs() < 1e-9);
        assert!((calendar_floor_secs(200, 60, 0.0) - 120.0).abs() < 1e-9);
        // Latency longer than a second: the calls themselves are the floor.
        assert!((calendar_floor_secs(200, 60, 2.0) - 400.0).abs() < 1e-9);
        assert!((sustained_secs(200, 60) - 200.0).abs() < 1e-9);
    }

    #[test]
    fn the_paced_floor_starts_where_the_run_started_in_its_minute() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        // Starting 51 s into a minute, 60 calls of 0.15 s end exactly at the boundary: the
        // best case the calendar floor assumes.
        assert!(close(
            paced_floor_secs(51_000, 121, 60, 0.15),
            calendar_floor_secs(121, 60, 0.15)
        ));
        // Starting on the minute, the first 60 calls leave 51 s of that minute to wait out.
        assert!(close(
            paced_floor_secs(0, 121, 60, 0.15),
            60.0 + 60.0 + 0.15
        ));
        // Too little of the first minute left for all 60: the rest start after the boundary.
        assert!(close(
            paced_floor_secs(57_000, 70, 60, 0.15),
            3.0 + 50.0 * 0.15
        ));
        assert!(close(paced_floor_secs(12_345, 30, 60, 0.15), 4.5));
    }
}
