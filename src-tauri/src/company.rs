//! One company opened for work, the same for the command line and the window: its data folder,
//! locked so that one sync at a time writes it; the offline copy; the signed-in client and the
//! clock it runs on; and, for the demo company, the simulated Exact Online it talks to.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use exact_api::{ExactClient, SharedClock};
use offline_assets::{AssetConfig, EventSink};
use offline_cache::Cache;
use offline_demo::Demo;
use offline_sync::Engine;

use crate::config::{OpenedClient, cache_path, demo_dir};
use crate::pictures::{JobFilter, Pictures};

/// A company signed in to, not opened yet.
#[derive(Debug)]
pub struct SignedIn {
    /// The company's data folder (the demo company's own folder for the demo).
    pub dir: PathBuf,
    pub client: ExactClient,
    /// The clock the client runs on; the engine judges staleness by the same one.
    pub clock: SharedClock,
    /// The simulated Exact Online of the demo company, running while this value lives.
    pub demo: Option<Demo>,
}

impl SignedIn {
    /// The built-in demo company: a simulated Exact Online on loopback, started in-process with
    /// its own folder under `data` and signed in to through real OAuth.
    pub async fn demo(data: &Path) -> Result<SignedIn> {
        let dir = demo_dir(data);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let demo = offline_demo::start(offline_demo::demo_company(), &dir).await?;
        Ok(SignedIn {
            dir,
            client: demo.client.clone(),
            clock: Arc::clone(&demo.clock),
            demo: Some(demo),
        })
    }

    /// The signed-in account, its offline copy in `data`.
    pub fn account(data: &Path, opened: &OpenedClient) -> SignedIn {
        SignedIn {
            dir: data.to_path_buf(),
            client: opened.client.clone(),
            clock: Arc::clone(&opened.clock),
            demo: None,
        }
    }
}

/// An open company. Dropping it releases the folder lock (and stops the demo's simulator).
#[derive(Debug)]
pub struct Company {
    dir: PathBuf,
    client: ExactClient,
    clock: SharedClock,
    cache: Arc<Cache>,
    demo: Option<Demo>,
    _sync_lock: Option<File>,
}

impl Company {
    /// Opens the company to sync it. Its folder stays locked while the company is open, so a
    /// second sync of the same folder (the window's, a CLI run, cron...) is refused.
    pub async fn open(signed_in: SignedIn) -> Result<Company> {
        std::fs::create_dir_all(&signed_in.dir)
            .with_context(|| format!("cannot create {}", signed_in.dir.display()))?;
        let lock = lock_folder(&signed_in.dir)?;
        Company::with_cache(signed_in, Some(lock)).await
    }

    /// Opens the company beside a sync that may be running elsewhere, to read and check it.
    pub async fn open_beside_sync(signed_in: SignedIn) -> Result<Company> {
        Company::with_cache(signed_in, None).await
    }

    async fn with_cache(signed_in: SignedIn, lock: Option<File>) -> Result<Company> {
        let cache_file = cache_path(&signed_in.dir);
        let cache = tokio::task::spawn_blocking(move || Cache::open(&cache_file))
            .await
            .context("cache task failed")??;
        let SignedIn {
            dir,
            client,
            clock,
            demo,
        } = signed_in;
        Ok(Company {
            dir,
            client,
            clock,
            cache: Arc::new(cache),
            demo,
            _sync_lock: lock,
        })
    }

    /// A sync engine over this company's client, cache and clock.
    pub fn engine(&self) -> Engine {
        Engine::new(
            self.client.clone(),
            Arc::clone(&self.cache),
            Arc::clone(&self.clock),
        )
    }

    /// Opens the company's picture and attachment store and starts its download runner.
    pub fn start_pictures(
        &self,
        config: AssetConfig,
        events: Option<EventSink>,
        filter: Option<JobFilter>,
    ) -> Result<Pictures> {
        crate::pictures::start(self.client.clone(), &self.dir, config, events, filter)
    }

    /// The time by the company's clock (epoch ms): the one its syncs stamp and judge by.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The folder of the company's cache, assets and locks.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    pub fn client(&self) -> &ExactClient {
        &self.client
    }

    pub fn demo(&self) -> Option<&Demo> {
        self.demo.as_ref()
    }
}

/// Holds `sync.lock` in the folder for the life of the returned file.
pub(crate) fn lock_folder(dir: &Path) -> Result<File> {
    let path = dir.join("sync.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            bail!(
                "another sync of {} is running; wait for it to finish",
                dir.display()
            )
        }
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}
