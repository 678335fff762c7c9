//! Section 7: one day of twenty desktops on one app registration. Exact gives an app 5 000
//! calls per division per day, shared by every desktop that signs in with it; twenty desktops
//! syncing every 15 minutes would need several times that. Each desktop here is a client of
//! its own (its own sign-in, tokens and cache) on one simulated company with Exact's budgets,
//! and decides when to sync next exactly as the app's scheduler does: every [`INTERVAL`], or
//! later as [`SharedBudget`] says from Exact's rate-limit headers. The day runs on a clock
//! [`TIME_SCALE`] times faster than real time (by default), from midnight to midnight of
//! Exact's daily window; the caches start from one first sync the evening before. The time
//! the desktops spend computing counts `TIME_SCALE` times over, which only makes their runs
//! look longer.
//!
//! Nothing changes in the company during the day, so every run is a no-change sync: the
//! cheapest run, and the one a desktop makes most often. The desktops take turns, one run at a
//! time: twenty of them share this machine's cores, and on the fast clock a run stalled by
//! the others for half a real second would outlive its ten-minute token.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use offline_cache::Cache;
use offline_sync::budget::SharedBudget;
use offline_sync::{CancellationToken, Engine, SyncOptions, ignore_progress};
use serde::Serialize;

use super::simulator::{Served, ensure_succeeded, sync_company};
use super::{Row, Rows, row};

pub const DESKTOPS: usize = 20;
/// The interval each desktop is set to.
pub const INTERVAL: Duration = Duration::from_secs(15 * 60);
/// Simulated milliseconds per real millisecond by default: a day in 144 real seconds.
pub const TIME_SCALE: f64 = 600.0;
pub const MINUTELY_LIMIT: u32 = 60;
pub const DAILY_LIMIT: u32 = 5_000;
pub const LATENCY_S: f64 = 0.150;
/// A small company (500 items, 200 accounts): the size does not change what a no-change run
/// costs, one call per entity.
pub const COMPANY_SCALE: f64 = 0.005;
/// The day simulated: 2026-06-02, a Tuesday, 00:00 UTC.
const DAY_START_MS: i64 = 1_780_358_400_000;
const DAY_MS: i64 = 86_400_000;
/// Real time allowed for the evening's first sync and the desktops' sign-ins.
const PRIMING_REAL_MS: f64 = 20_000.0;

/// Section 7.
#[derive(Debug, Clone, Serialize)]
pub struct Desktops {
    pub desktops: usize,
    pub interval_min: u64,
    pub daily_limit: u32,
    /// API calls the simulator served during the day, every desktop together.
    pub calls: u64,
    /// Calls a run of each desktop every interval would have needed.
    pub calls_unpaced: u64,
    pub runs: u64,
    pub runs_per_desktop_min: u64,
    pub runs_per_desktop_max: u64,
    /// Runs that failed (none expected), and the first failure's reason.
    pub failed_runs: u64,
    pub first_failure: Option<String>,
    /// Calls served in the day's last six hours: the budget is not spent by noon.
    pub calls_last_6h: u64,
    /// The longest wait of a desktop between two of its runs, in minutes.
    pub longest_gap_min: f64,
    pub served_429: u64,
    pub time_scale: f64,
    pub real_s: f64,
}

/// What one desktop did in the day.
#[derive(Debug, Default)]
struct Day {
    runs: u64,
    failed: u64,
    first_failure: Option<String>,
    calls: u64,
    calls_last_6h: u64,
    longest_gap_ms: i64,
}

/// Runs the day in fresh folders under `work`, `time_scale` times faster than real time.
pub async fn run(work: &Path, time_scale: f64) -> Result<Desktops> {
    let dir = tempfile::tempdir_in(work)?;
    let config = exact_sim::SimConfig {
        minutely_limit: MINUTELY_LIMIT,
        daily_limit: DAILY_LIMIT,
        latency: Duration::from_secs_f64(LATENCY_S / time_scale),
        time_scale,
        origin_ms: Some(DAY_START_MS - (PRIMING_REAL_MS * time_scale) as i64),
        ..sync_company(COMPANY_SCALE)
    };
    let first = dir.path().join("desktop-00");
    std::fs::create_dir_all(&first)?;
    let demo = offline_demo::start(config, &first)
        .await
        .context("starting the simulator and signing in")?;
    let options = SyncOptions {
        divisions: demo.sim.division_codes(),
        ..SyncOptions::default()
    };
    // One first sync; every desktop starts the day with a copy of its cache.
    let primed = dir.path().join("primed.sqlite");
    {
        let cache = Arc::new(Cache::open(&primed)?);
        let engine = Engine::new(demo.client.clone(), cache, Arc::clone(&demo.clock));
        let first_sync = engine
            .run(
                &options,
                "bench",
                ignore_progress(),
                CancellationToken::new(),
            )
            .await;
        ensure_succeeded(&first_sync, "first sync of the evening before")?;
    }
    let mut engines = Vec::with_capacity(DESKTOPS);
    for n in 0..DESKTOPS {
        let folder = dir.path().join(format!("desktop-{n:02}"));
        std::fs::create_dir_all(&folder)?;
        let client = match n {
            0 => demo.client.clone(),
            _ => demo.sign_in_again(&folder).await?,
        };
        let file = folder.join("cache.sqlite");
        std::fs::copy(&primed, &file).context("copying the evening's cache")?;
        let cache = Arc::new(Cache::open(&file)?);
        engines.push(Engine::new(client, cache, Arc::clone(&demo.clock)));
    }
    anyhow::ensure!(
        demo.clock.now_ms() < DAY_START_MS,
        "the first sync ran past midnight: the day would not start with its full budget"
    );
    sleep_until(&demo, DAY_START_MS, time_scale).await;
    let (base, secret) = (demo.sim.base_url(), demo.sim.admin_secret());
    let before = Served::read(base, secret).await?;
    let real_start = std::time::Instant::now();

    let turns = tokio::sync::Semaphore::new(1);
    let days = futures::future::join_all(engines.into_iter().enumerate().map(|(n, engine)| {
        let options = options.clone();
        let (demo, turns) = (&demo, &turns);
        async move {
            // The desktops start their day spread over the first interval.
            let offset = INTERVAL.as_millis() as i64 * n as i64 / DESKTOPS as i64;
            sleep_until(demo, DAY_START_MS + offset, time_scale).await;
            desktop_day(&engine, &options, demo, turns, time_scale).await
        }
    }))
    .await;
    let real_s = real_start.elapsed().as_secs_f64();
    let served = Served::read(base, secret).await?.since(before);
    demo.sim.shutdown().await;

    let calls_per_run = days.iter().map(|d| d.calls).sum::<u64>() as f64
        / days.iter().map(|d| d.runs).sum::<u64>().max(1) as f64;
    let runs_unpaced = (DAY_MS / INTERVAL.as_millis() as i64) as f64 * DESKTOPS as f64;
    Ok(Desktops {
        desktops: DESKTOPS,
        interval_min: INTERVAL.as_secs() / 60,
        daily_limit: DAILY_LIMIT,
        calls: served.api_calls,
        calls_unpaced: (runs_unpaced * calls_per_run).round() as u64,
        runs: days.iter().map(|d| d.runs).sum(),
        runs_per_desktop_min: days.iter().map(|d| d.runs).min().unwrap_or(0),
        runs_per_desktop_max: days.iter().map(|d| d.runs).max().unwrap_or(0),
        failed_runs: days.iter().map(|d| d.failed).sum(),
        first_failure: days.iter().find_map(|d| d.first_failure.clone()),
        calls_last_6h: days.iter().map(|d| d.calls_last_6h).sum(),
        longest_gap_min: days.iter().map(|d| d.longest_gap_ms).max().unwrap_or(0) as f64 / 60_000.0,
        served_429: served.served_429,
        time_scale,
        real_s,
    })
}

/// One desktop's day: a run, then the scheduler's wait, until midnight.
async fn desktop_day(
    engine: &Engine,
    options: &SyncOptions,
    demo: &offline_demo::Demo,
    turns: &tokio::sync::Semaphore,
    time_scale: f64,
) -> Day {
    let mut day = Day::default();
    let mut budget = SharedBudget::default();
    let mut last_start: Option<i64> = None;
    let day_end = DAY_START_MS + DAY_MS;
    loop {
        let Ok(_turn) = turns.acquire().await else {
            break;
        };
        let start = demo.clock.now_ms();
        if start >= day_end {
            break;
        }
        if let Some(last) = last_start {
            day.longest_gap_ms = day.longest_gap_ms.max(start - last);
        }
        last_start = Some(start);
        let report = engine
            .run(
                options,
                "bench",
                ignore_progress(),
                CancellationToken::new(),
            )
            .await;
        day.runs += 1;
        day.calls += report.calls();
        if start >= day_end - 6 * 3_600_000 {
            day.calls_last_6h += report.calls();
        }
        let error = (report.error.iter())
            .chain(report.entities.iter().filter_map(|e| e.error.as_ref()))
            .next();
        if let Some((code, message)) = error {
            day.failed += 1;
            day.first_failure
                .get_or_insert_with(|| format!("{code:?}: {message}"));
        }
        drop(_turn);
        let now = demo.clock.now_ms();
        let wait = budget
            .next_interval(
                INTERVAL,
                &report.calls_per_division(),
                |division| engine.client().rate(division),
                now,
            )
            .unwrap_or(INTERVAL);
        sleep_until(demo, now + wait.as_millis() as i64, time_scale).await;
    }
    // The wait past midnight is not part of the day.
    if let Some(last) = last_start {
        day.longest_gap_ms = day.longest_gap_ms.max(day_end - last);
    }
    day
}

/// Sleeps until the simulated clock reads `at_ms`.
async fn sleep_until(demo: &offline_demo::Demo, at_ms: i64, time_scale: f64) {
    let left = (at_ms - demo.clock.now_ms()).max(0) as f64 / time_scale;
    tokio::time::sleep(Duration::from_secs_f64(left / 1000.0)).await;
}

impl Desktops {
    /// Why the day counts as failed, if it does.
    pub fn failure(&self) -> Option<String> {
        if self.served_429 > 0 {
            return Some(format!(
                "the simulator served {} 429s to the desktops",
                self.served_429
            ));
        }
        if self.calls > u64::from(self.daily_limit) {
            return Some(format!(
                "the desktops spent {} calls, over the {} of a day",
                self.calls, self.daily_limit
            ));
        }
        (self.failed_runs > 0).then(|| {
            format!(
                "{} runs of the day failed, the first with {}",
                self.failed_runs,
                self.first_failure.as_deref().unwrap_or("no reason")
            )
        })
    }
}

impl Rows for Desktops {
    fn rows(&self) -> Vec<Row> {
        vec![
            row(
                "desktops × interval, one app registration",
                format!("{} × {} min", self.desktops, self.interval_min),
            ),
            row(
                "API calls in the day (limit)",
                format!("{} ({})", self.calls, self.daily_limit),
            ),
            row("calls at every interval, unpaced", self.calls_unpaced),
            row(
                "runs (per desktop min–max)",
                format!(
                    "{} ({}–{})",
                    self.runs, self.runs_per_desktop_min, self.runs_per_desktop_max
                ),
            ),
            row("calls in the last 6 hours", self.calls_last_6h),
            row(
                "longest wait between a desktop's runs, min",
                format!("{:.0}", self.longest_gap_min),
            ),
            row("failed runs", self.failed_runs),
            row(
                "429s served",
                match self.served_429 {
                    0 => "0".to_owned(),
                    n => format!("{n}  FAILURE: must be 0"),
                },
            ),
            row(
                "real wall s (time scale)",
                format!("{:.1} ({}x)", self.real_s, self.time_scale),
            ),
        ]
    }
}
