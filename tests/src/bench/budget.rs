//! Section 3: a full sync under Exact's real budgets (60 calls a minute, 5 000 a day, per
//! division) with 150 ms of latency on every call, on a clock that runs [`TIME_SCALE`] times
//! faster than real time, so minutes of waiting for the next calendar minute pass in seconds.
//!
//! The simulator's clock and the client's run at the same scale (the client reads the
//! simulator's at sign-in, as the pacing tests of exact-api do), and the latency is divided by
//! the scale so that it is 150 ms of simulated time. Everything else the run does (parsing,
//! storing) is not scaled down, so it counts `TIME_SCALE` times over in simulated time: the
//! figure is an upper bound of a real sync at this size. The simulator must serve no 429:
//! the client paces itself from Exact's rate-limit headers and must never exceed them.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use super::floor::{self, calendar_floor_secs, sustained_secs};
use super::simulator::{Rig, sync_company};
use super::{Row, Rows, row};

/// Simulated milliseconds per real millisecond.
pub const TIME_SCALE: f64 = 10.0;
/// Exact's budgets per division.
pub const MINUTELY_LIMIT: u32 = 60;
pub const DAILY_LIMIT: u32 = 5_000;
/// Simulated latency of every API call, in seconds.
pub const LATENCY_S: f64 = 0.150;
/// The company's size as a share of the full-sync section's: a fifth, so that at scale 1.0
/// the run spans a few calendar minutes (≈ 80 calls) without taking long.
pub const SHARE: f64 = 0.2;

/// Section 3.
#[derive(Debug, Clone, Serialize)]
pub struct Budgeted {
    /// The company's size relative to section 1's scale 1.0.
    pub company_scale: f64,
    pub time_scale: f64,
    pub latency_ms: f64,
    pub minutely_limit: u32,
    pub daily_limit: u32,
    pub rows: u64,
    /// API calls the simulator served.
    pub calls: u64,
    pub call_floor: u64,
    pub simulated_s: f64,
    pub real_s: f64,
    /// Least time for these calls: calendar minutes of 60 calls and 150 ms each.
    pub floor_s: f64,
    /// Exact's sustained rate, calls ÷ 60 per minute (the client benchmark's old "floor").
    pub sustained_s: f64,
    /// 429 responses the simulator served (must be 0).
    pub served_429: u64,
}

/// Runs the budgeted full sync in a fresh folder under `work`.
pub async fn run(scale: f64, work: &Path) -> Result<Budgeted> {
    let company_scale = scale * SHARE;
    let dir = tempfile::tempdir_in(work)?;
    let config = exact_sim::SimConfig {
        minutely_limit: MINUTELY_LIMIT,
        daily_limit: DAILY_LIMIT,
        latency: Duration::from_secs_f64(LATENCY_S / TIME_SCALE),
        time_scale: TIME_SCALE,
        ..sync_company(company_scale)
    };
    let rig = Rig::start(config, dir.path(), &dir.path().join("cache.sqlite")).await?;
    let before = rig.served().await?;
    let (sim_start, real_start) = (rig.demo.sim.now_ms(), std::time::Instant::now());
    let report = rig.sync("budgeted full sync").await?;
    let simulated_s = (rig.demo.sim.now_ms() - sim_start) as f64 / 1000.0;
    let real_s = real_start.elapsed().as_secs_f64();
    let served = rig.served().await?.since(before);
    rig.shutdown().await;
    Ok(Budgeted {
        company_scale,
        time_scale: TIME_SCALE,
        latency_ms: LATENCY_S * 1000.0,
        minutely_limit: MINUTELY_LIMIT,
        daily_limit: DAILY_LIMIT,
        rows: report.rows_upserted(),
        calls: served.api_calls,
        call_floor: floor::run_floor(&report),
        simulated_s,
        real_s,
        floor_s: calendar_floor_secs(served.api_calls, MINUTELY_LIMIT.into(), LATENCY_S),
        sustained_s: sustained_secs(served.api_calls, MINUTELY_LIMIT.into()),
        served_429: served.served_429,
    })
}

impl Budgeted {
    /// Why the run counts as failed, if it does.
    pub fn failure(&self) -> Option<String> {
        (self.served_429 > 0).then(|| {
            format!(
                "the simulator served {} 429s: the client exceeded Exact's budget",
                self.served_429
            )
        })
    }
}

impl Rows for Budgeted {
    fn rows(&self) -> Vec<Row> {
        vec![
            row(
                "company (share of scale 1.0), time scale",
                format!("{:.3}, {}x", self.company_scale, self.time_scale),
            ),
            row("rows applied", self.rows),
            row(
                "API calls served (floor)",
                format!("{} (floor {})", self.calls, self.call_floor),
            ),
            row("simulated wall s", format!("{:.1}", self.simulated_s)),
            row(
                "floor s: calendar minutes of 60 + 150 ms/call",
                format!("{:.1}", self.floor_s),
            ),
            row(
                "reference s: calls ÷ 60 per minute",
                format!("{:.1}", self.sustained_s),
            ),
            row("real wall s", format!("{:.2}", self.real_s)),
            row(
                "429s served",
                match self.served_429 {
                    0 => "0".to_owned(),
                    n => format!("{n}  FAILURE: must be 0"),
                },
            ),
        ]
    }
}
