//! The picture and attachment runner shared by the CLI and the window: jobs arrive through a
//! non-blocking sink (the engine never waits for downloads) and are processed until every sink
//! is dropped.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use exact_api::ExactClient;
use offline_assets::{AssetConfig, AssetJob, Assets, EventSink, Summary};
use offline_sync::{AssetSink, AssetWork};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Decides whether a job handed over by the engine is downloaded now (settings may say no).
pub type JobFilter = Arc<dyn Fn(&AssetJob) -> bool + Send + Sync>;

pub struct Pictures {
    pub assets: Assets,
    /// Hand this to the engine; jobs queue without bound and never block it.
    pub sink: AssetSink,
    /// Ends with the run's totals once every clone of `sink` is dropped.
    pub runner: JoinHandle<Summary>,
}

/// Opens the asset store under `dir/assets` and starts the runner.
pub fn start(
    client: ExactClient,
    dir: &Path,
    config: AssetConfig,
    events: Option<EventSink>,
    filter: Option<JobFilter>,
) -> Result<Pictures> {
    let assets = Assets::open(client, dir.join("assets"), config, events)?;
    let (queue, mut queued) = mpsc::unbounded_channel::<AssetJob>();
    let (jobs, receiver) = mpsc::channel::<AssetJob>(256);
    tokio::spawn(async move {
        while let Some(job) = queued.recv().await {
            if jobs.send(job).await.is_err() {
                break;
            }
        }
    });
    let running = assets.clone();
    let runner = tokio::spawn(async move { running.run(receiver, 4).await });
    let forgetting = assets.clone();
    let sink: AssetSink = Arc::new(move |work: AssetWork| match work {
        AssetWork::Fetch(batch) => {
            for job in batch {
                if filter.as_ref().is_none_or(|wanted| wanted(&job)) {
                    let _ = queue.send(job);
                }
            }
        }
        AssetWork::Forget(keys) => {
            for key in keys {
                if let Err(e) = forgetting.forget(&key) {
                    tracing::warn!(error = %e, "cannot forget the asset of a deleted record");
                }
            }
        }
    });
    Ok(Pictures {
        assets,
        sink,
        runner,
    })
}

impl std::fmt::Debug for Pictures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pictures").finish_non_exhaustive()
    }
}
