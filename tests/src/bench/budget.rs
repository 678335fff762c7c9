//! Section 3: a full sync under Exact's real budgets (60 calls a minute, 5 000 a day, per
//! division) with 150 ms of latency on every call, pictures and logos downloaded beside it as
//! the app does (Exact does not charge them unless its headers say so).
//!
//! The simulator's clock runs at [`TIME_SCALE`]: real time. A faster clock would make the run
//! quicker to measure but count every millisecond the app and the simulator compute (parsing,
//! storing, rendering and thumbnailing pictures) that many times over, and with pictures that
//! work, not Exact's budget, would set the figure. The simulator must serve no 429: the client
//! paces itself from Exact's rate-limit headers and must never exceed them.
//!
//! The run is held against the least time its calls could take from the moment it started:
//! a run that starts early in a calendar minute must wait out the rest of that minute once
//! its 60 calls are made, which no client can avoid. The calendar floor (the best possible
//! start) is printed beside it. The pictures do not move the floor: uncharged, four at a time,
//! their latencies fit in the minutes the API calls wait for.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use offline_assets::AssetConfig;
use offline_sync::{CancellationToken, ignore_progress};

use super::floor::{self, calendar_floor_secs, paced_floor_secs, sustained_secs};
use super::simulator::{Rig, ensure_succeeded, sync_company};
use super::{Row, Rows, row};

/// Simulated milliseconds per real millisecond.
pub const TIME_SCALE: f64 = 1.0;
/// Exact's budgets per division.
pub const MINUTELY_LIMIT: u32 = 60;
pub const DAILY_LIMIT: u32 = 5_000;
/// Simulated latency of every API call, in seconds.
pub const LATENCY_S: f64 = 0.150;
/// The company's size as a share of the full-sync section's: a fifth, so that at scale 1.0
/// the run spans a few calendar minutes (≈ 200 calls).
pub const SHARE: f64 = 0.2;
/// Share of items, accounts and contacts with a picture: a few hundred downloads.
pub const PICTURE_SHARE: f64 = 0.01;

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
    /// Pictures and logos downloaded during the run.
    pub pictures: u64,
    /// From the start until the last record and the last picture are stored.
    pub simulated_s: f64,
    pub real_s: f64,
    /// Least time for these calls from the run's start: 60 calls per calendar minute and
    /// 150 ms each.
    pub paced_floor_s: f64,
    /// `simulated_s ÷ paced_floor_s`.
    pub over_floor: f64,
    /// The same least time from the best possible start in a minute.
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
        picture_share: PICTURE_SHARE,
        ..sync_company(company_scale)
    };
    let rig = Rig::start(config, dir.path(), &dir.path().join("cache.sqlite")).await?;
    let pictures = exact_offline::pictures::start(
        rig.demo.client.clone(),
        dir.path(),
        AssetConfig::default(),
        None,
        None,
    )?;
    let engine = rig.engine.clone().with_assets(pictures.sink);
    let before = rig.served().await?;
    let (sim_start, real_start) = (rig.demo.sim.now_ms(), std::time::Instant::now());
    let report = engine
        .run(
            &rig.options,
            "bench",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await;
    ensure_succeeded(&report, "budgeted full sync")?;
    drop(engine);
    let downloads = pictures.runner.await?;
    let simulated_s = (rig.demo.sim.now_ms() - sim_start) as f64 / 1000.0;
    let real_s = real_start.elapsed().as_secs_f64();
    let served = rig.served().await?.since(before);
    rig.shutdown().await;
    anyhow::ensure!(
        downloads.failed == 0,
        "the pictures of the budgeted sync were not all stored: {downloads:?}"
    );
    let paced_floor_s = paced_floor_secs(
        sim_start,
        served.api_calls,
        MINUTELY_LIMIT.into(),
        LATENCY_S,
    );
    Ok(Budgeted {
        company_scale,
        time_scale: TIME_SCALE,
        latency_ms: LATENCY_S * 1000.0,
        minutely_limit: MINUTELY_LIMIT,
        daily_limit: DAILY_LIMIT,
        rows: report.rows_upserted(),
        calls: served.api_calls,
        call_floor: floor::run_floor(&report),
        pictures: downloads.stored,
        simulated_s,
        real_s,
        paced_floor_s,
        over_floor: simulated_s / paced_floor_s,
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
            row("pictures and logos stored", self.pictures),
            row(
                "wall s, simulator clock (× floor from the run's start)",
                format!("{:.1} ({:.3}x)", self.simulated_s, self.over_floor),
            ),
            row(
                "floor s from the run's start (from the best start)",
                format!("{:.1} ({:.1})", self.paced_floor_s, self.floor_s),
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
