//! The simulator side of the benchmark: the company sizes the sync figures are measured on, a
//! signed-in engine over a fresh cache, and what the simulator says it served.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use exact_sim::SimConfig;
use offline_cache::Cache;
use offline_demo::Demo;
use offline_sync::{CancellationToken, Engine, RunReport, SyncOptions, ignore_progress};

/// The sync benchmark's company at `scale` (1.0 = 100 000 items, 40 000 accounts, 100 000
/// contacts, 80 000 addresses, one division), no documents, and budgets that never bind.
pub fn sync_company(scale: f64) -> SimConfig {
    SimConfig {
        seed: 99,
        items: scaled(100_000, scale),
        accounts: scaled(40_000, scale),
        contacts: Some(scaled(100_000, scale)),
        addresses: Some(scaled(80_000, scale)),
        documents: Some(0),
        attachments: Some(0),
        minutely_limit: 1_000_000,
        daily_limit: 100_000_000,
        ..SimConfig::default()
    }
}

/// `base × scale`, at least one (a company of nothing measures nothing).
pub fn scaled(base: usize, scale: f64) -> usize {
    ((base as f64 * scale).round() as usize).max(1)
}

/// A running simulator, a client signed in to it, and an engine that syncs it into
/// `cache_file`.
#[derive(Debug)]
pub struct Rig {
    pub demo: Demo,
    pub cache: Arc<Cache>,
    pub engine: Engine,
    pub options: SyncOptions,
}

impl Rig {
    /// Starts `config` in-process, signs in through the real OAuth flow (tokens in `dir`).
    pub async fn start(config: SimConfig, dir: &Path, cache_file: &Path) -> Result<Rig> {
        let demo = offline_demo::start(config, dir)
            .await
            .context("starting the simulator and signing in")?;
        let cache = Arc::new(
            Cache::open(cache_file)
                .with_context(|| format!("opening the cache {}", cache_file.display()))?,
        );
        let engine = Engine::new(
            demo.client.clone(),
            Arc::clone(&cache),
            Arc::clone(&demo.clock),
        );
        let options = SyncOptions {
            divisions: demo.sim.division_codes(),
            ..SyncOptions::default()
        };
        Ok(Rig {
            demo,
            cache,
            engine,
            options,
        })
    }

    /// One sync run, which must succeed in every entity (a benchmark of a failed sync is no
    /// benchmark).
    pub async fn sync(&self, label: &str) -> Result<RunReport> {
        self.sync_with(label, &self.options).await
    }

    /// [`Rig::sync`] with other options (only some entities, say).
    pub async fn sync_with(&self, label: &str, options: &SyncOptions) -> Result<RunReport> {
        let report = self
            .engine
            .run(
                options,
                "bench",
                ignore_progress(),
                CancellationToken::new(),
            )
            .await;
        ensure_succeeded(&report, label)?;
        Ok(report)
    }

    /// What the simulator has served so far.
    pub async fn served(&self) -> Result<Served> {
        Served::read(self.demo.sim.base_url(), self.demo.sim.admin_secret()).await
    }

    pub async fn shutdown(self) {
        self.demo.sim.shutdown().await;
    }
}

/// Fails unless `report` succeeded in every entity.
pub fn ensure_succeeded(report: &RunReport, label: &str) -> Result<()> {
    anyhow::ensure!(
        report.error.is_none() && report.entities.iter().all(|e| e.error.is_none()),
        "the {label} failed: {report:#?}"
    );
    Ok(())
}

/// Counters of `/_sim/stats`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Served {
    /// Calls to `/api/v1/…`: the ones Exact counts against the budgets.
    pub api_calls: u64,
    pub served_429: u64,
}

impl Served {
    /// The counters of the simulator at `base`, asked with its admin secret.
    pub async fn read(base: &str, admin_secret: &str) -> Result<Served> {
        let stats: serde_json::Value = reqwest::Client::new()
            .get(format!("{base}/_sim/stats"))
            .header(exact_sim::ADMIN_SECRET_HEADER, admin_secret)
            .send()
            .await
            .context("asking the simulator for its statistics")?
            .error_for_status()
            .context("the simulator refused its statistics")?
            .json()
            .await
            .context("reading the simulator's statistics")?;
        let api_calls = stats["calls"]
            .as_object()
            .context("the simulator's statistics list no calls")?
            .iter()
            .filter(|(call, _)| call.contains(" /api/v1/"))
            .filter_map(|(_, n)| n.as_u64())
            .sum();
        Ok(Served {
            api_calls,
            served_429: stats["served_429"].as_u64().unwrap_or(0),
        })
    }

    /// What was served between `before` and `self`.
    pub fn since(self, before: Served) -> Served {
        Served {
            api_calls: self.api_calls.saturating_sub(before.api_calls),
            served_429: self.served_429.saturating_sub(before.served_429),
        }
    }
}
