//! One open company in the window: the demo or the signed-in account. Beside the company (its
//! locked folder, cache and client) it owns the asset store, the scheduler, the settings and the
//! live sync snapshot, and forwards progress to the window. Dropping it stops its scheduler
//! (cancelling a running sync at a safe point) and its tasks, then closes the company.

mod attachments;
mod export;
mod snapshot;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{Context, Result};
use exact_api::{StoreKind, TokenStore};
use offline_assets::{AssetConfig, AssetEvent, AssetJob, AssetKind, Assets, AttachmentPolicy};
use offline_cache::Cache;
use offline_sync::{Outcome, ProgressEvent, ProgressSink, Scheduler, SyncOptions};
use tauri::{AppHandle, Emitter};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::dto::{
    AppError, AttachmentMode, DivisionInfo, ErrorKind, Mode, Settings, StorageInfo, SyncSnapshot,
    TokenStorage,
};
use super::error::{CommandResult, blocking};
use super::settings;
use crate::company::{Company, SignedIn};

pub struct Workspace {
    mode: Mode,
    /// The folder of its `settings.json`: the config folder for the account, the demo company's
    /// own folder for the demo.
    config: PathBuf,
    assets: Assets,
    scheduler: Scheduler,
    settings: Arc<RwLock<Settings>>,
    snapshot: Arc<Mutex<SyncSnapshot>>,
    /// Wakes the task that sends the snapshot to the window.
    dirty: Arc<Notify>,
    token_store: Option<Arc<dyn TokenStore>>,
    token_warning: Option<String>,
    tasks: Vec<JoinHandle<()>>,
    /// Declared last, so dropped last: the folder lock is released and the demo's simulator
    /// stops only once the scheduler is gone.
    company: Company,
}

/// What a workspace is opened with.
pub struct Opening {
    pub mode: Mode,
    pub config: PathBuf,
    pub signed_in: SignedIn,
    pub token_store: Option<Arc<dyn TokenStore>>,
    pub token_warning: Option<String>,
}

impl Workspace {
    /// Opens the company (works offline), starts the picture runner and the scheduler.
    pub async fn open(opening: Opening, app: AppHandle) -> Result<Workspace> {
        let Opening {
            mode,
            config,
            signed_in,
            token_store,
            token_warning,
        } = opening;
        // One sync per data folder at a time: the CLI refuses to sync while the window is open.
        let company = Company::open(signed_in).await?;
        let settings = Arc::new(RwLock::new(settings::load(&config)));
        let current = read(&settings);
        let snapshot = Arc::new(Mutex::new(SyncSnapshot {
            last_success_ms: last_success(company.cache()),
            ..SyncSnapshot::default()
        }));
        let dirty = Arc::new(Notify::new());
        let pictures = company.start_pictures(
            asset_config(&current),
            Some(count_assets(&snapshot, &dirty)),
            Some(settings_filter(&settings)),
        )?;
        let engine = company.engine().with_assets(pictures.sink);
        let scheduler = Scheduler::spawn(
            engine,
            sync_options(&current),
            interval(&current),
            show_progress(&snapshot, app.clone()),
        );
        let tasks = vec![
            tokio::spawn(snapshot::forward_state(
                scheduler.state(),
                Arc::clone(&snapshot),
                Arc::clone(&dirty),
            )),
            tokio::spawn(snapshot::emit_snapshots(
                app,
                Arc::clone(&snapshot),
                Arc::clone(&dirty),
            )),
        ];
        let workspace = Workspace {
            mode,
            config,
            assets: pictures.assets,
            scheduler,
            settings,
            snapshot,
            dirty,
            token_store,
            token_warning,
            tasks,
            company,
        };
        if !current.divisions.is_empty() && workspace.due() {
            workspace.scheduler.sync_now().await;
        }
        Ok(workspace)
    }

    /// No successful sync yet, or the last one is older than the interval.
    fn due(&self) -> bool {
        let Some(last) = lock(&self.snapshot).last_success_ms else {
            return true;
        };
        let Some(minutes) = read(&self.settings).interval_minutes else {
            return false;
        };
        self.company.now_ms() - last >= i64::from(minutes) * 60_000
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn company(&self) -> &Company {
        &self.company
    }

    pub fn assets(&self) -> &Assets {
        &self.assets
    }

    /// Runs `work` on the offline copy, off the async runtime.
    pub async fn with_cache<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Cache) -> CommandResult<T> + Send + 'static,
    ) -> CommandResult<T> {
        let cache = Arc::clone(self.company.cache());
        blocking(move || work(&cache)).await
    }

    pub fn settings(&self) -> Settings {
        read(&self.settings)
    }

    /// Saves and applies new settings (from the next run; attachment limits from the next start).
    pub async fn apply_settings(&self, new: Settings) -> Result<()> {
        let dir = self.config.clone();
        let saved = new.clone();
        tokio::task::spawn_blocking(move || settings::save(&dir, &saved))
            .await
            .context("settings task failed")??;
        let had_divisions = !read(&self.settings).divisions.is_empty();
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = new.clone();
        self.scheduler
            .configure(sync_options(&new), interval(&new))
            .await;
        if !had_divisions && !new.divisions.is_empty() {
            // The divisions were just chosen: the first sync starts now.
            self.scheduler.sync_now().await;
        }
        Ok(())
    }

    /// Starts a sync now (or right after the one running); `full`: a full resync.
    pub async fn sync_now(&self, full: bool) -> CommandResult<()> {
        if self.settings().divisions.is_empty() {
            return Err(AppError::invalid("Choose the divisions to sync first."));
        }
        match full {
            true => self.scheduler.resync_all().await,
            false => self.scheduler.sync_now().await,
        }
        Ok(())
    }

    pub async fn cancel_sync(&self) {
        self.scheduler.cancel().await;
    }

    pub fn snapshot(&self) -> SyncSnapshot {
        lock(&self.snapshot).clone()
    }

    /// The divisions the user can access, from Exact when it answers, else as last stored.
    pub async fn divisions(&self) -> CommandResult<Vec<DivisionInfo>> {
        let selected = self.settings().divisions;
        let client = self.company.client();
        let listing = async {
            let me = client.me().await?;
            let current = me.i64("CurrentDivision").map(|c| c as i32);
            let records = client.divisions(current.unwrap_or_default()).await?;
            anyhow::Ok((current, records))
        };
        // Offline, the client's retries would keep the picker waiting: the stored list answers
        // after a few seconds instead.
        let listed = tokio::time::timeout(Duration::from_secs(6), listing)
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("Exact Online did not answer in time")));
        let current = match listed {
            Ok((current, records)) => {
                self.with_cache(move |c| Ok(c.upsert_divisions(&records)?))
                    .await?;
                current
            }
            Err(e) => {
                tracing::info!(error = %e, "listing divisions from the offline copy");
                None
            }
        };
        let stored = self.with_cache(|c| Ok(c.divisions()?)).await?;
        if stored.is_empty() {
            return Err(AppError::new(
                ErrorKind::Offline,
                "Exact Online cannot be reached, and no divisions are stored yet.",
            ));
        }
        Ok(stored
            .into_iter()
            .map(|d| DivisionInfo {
                code: d.code,
                name: d.description,
                current: current == Some(d.code),
                selected: selected.contains(&d.code),
                currency: d.currency,
            })
            .collect())
    }

    /// The diagnostics report (`exact-offline doctor`'s) of this company's divisions.
    pub async fn diagnostics(&self) -> String {
        let report = self
            .company
            .engine()
            .doctor(&self.settings().divisions)
            .await;
        crate::diagnostics::render(self.company.client().base_url().as_str(), &report)
    }

    pub async fn storage(&self) -> CommandResult<StorageInfo> {
        let cache_bytes = self.with_cache(|c| Ok(c.size_on_disk()?)).await?;
        let assets_bytes = self.assets.usage().await?.total_bytes();
        Ok(StorageInfo {
            data_dir: self.company.dir().display().to_string(),
            cache_bytes,
            assets_bytes,
            token_storage: self.token_storage(),
        })
    }

    pub fn token_store(&self) -> Option<&Arc<dyn TokenStore>> {
        self.token_store.as_ref()
    }

    pub fn token_storage(&self) -> Option<TokenStorage> {
        self.token_store.as_ref().map(|s| match s.kind() {
            StoreKind::Keychain => TokenStorage::Keychain,
            StoreKind::File => TokenStorage::File,
        })
    }

    /// Why the tokens are in a file rather than the keychain, when they are.
    pub fn token_warning(&self) -> Option<String> {
        self.token_warning.clone()
    }

    /// Demo only: takes the simulated Exact Online off the network (every connection to it is
    /// dropped unanswered, as when the network is gone), or brings it back.
    pub fn set_demo_online(&self, online: bool) -> CommandResult<()> {
        let (Mode::Demo, Some(demo)) = (self.mode, self.company.demo()) else {
            return Err(AppError::invalid(
                "Only the demo company can be taken offline.",
            ));
        };
        demo.sim.set_network(online);
        lock(&self.snapshot).online = Some(online);
        self.dirty.notify_one();
        Ok(())
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Counts the picture jobs queued and done into the snapshot.
fn count_assets(
    snapshot: &Arc<Mutex<SyncSnapshot>>,
    dirty: &Arc<Notify>,
) -> offline_assets::EventSink {
    let (snapshot, dirty) = (Arc::clone(snapshot), Arc::clone(dirty));
    Arc::new(move |event: &AssetEvent| {
        let mut s = lock(&snapshot);
        match event {
            AssetEvent::Queued { .. } => s.assets.queued += 1,
            AssetEvent::Done { .. } => s.assets.done += 1,
        }
        dirty.notify_one();
    })
}

/// Keeps each engine event in the snapshot and sends it to the window.
fn show_progress(snapshot: &Arc<Mutex<SyncSnapshot>>, app: AppHandle) -> ProgressSink {
    let snapshot = Arc::clone(snapshot);
    Arc::new(move |event: ProgressEvent| {
        {
            let mut s = lock(&snapshot);
            if event.calls > 0 && event.error.is_none() {
                s.online = Some(true);
            }
            snapshot::keep_progress(&mut s.progress, &event);
        }
        let _ = app.emit("sync-progress", &event);
    })
}

/// Asks the settings, at each job, whether the engine's job is downloaded during the sync.
fn settings_filter(settings: &Arc<RwLock<Settings>>) -> crate::pictures::JobFilter {
    let settings = Arc::clone(settings);
    Arc::new(move |job: &AssetJob| wanted(&read(&settings), job))
}

fn asset_config(settings: &Settings) -> AssetConfig {
    let cap = u64::from(settings.attachments_cap_mb) * 1024 * 1024;
    AssetConfig {
        attachments: match settings.attachments {
            AttachmentMode::None => AttachmentPolicy::None,
            AttachmentMode::OnDemand => AttachmentPolicy::OnDemand,
            AttachmentMode::All => AttachmentPolicy::All { max_bytes: cap },
        },
        ..AssetConfig::default()
    }
}

/// Whether a job the engine handed over is downloaded during the sync.
fn wanted(settings: &Settings, job: &AssetJob) -> bool {
    match job.key.kind() {
        AssetKind::Picture | AssetKind::Logo => settings.pictures,
        AssetKind::Attachment => settings.attachments == AttachmentMode::All,
    }
}

fn sync_options(settings: &Settings) -> SyncOptions {
    SyncOptions {
        divisions: settings.divisions.clone(),
        batch_size: settings.batch_size.clamp(1, 5000) as usize,
        incremental: settings.incremental,
        full: false,
        languages: settings.description_languages.clone(),
        ..SyncOptions::default()
    }
}

fn interval(settings: &Settings) -> Option<Duration> {
    settings
        .interval_minutes
        .map(|m| Duration::from_secs(u64::from(m.max(1)) * 60))
}

fn last_success(cache: &Cache) -> Option<i64> {
    cache
        .runs(50)
        .ok()?
        .into_iter()
        .filter(|r| r.outcome.as_deref() == Some(Outcome::Succeeded.as_str()))
        .filter_map(|r| r.finished_ms)
        .max()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn read<T: Clone>(l: &RwLock<T>) -> T {
    l.read().unwrap_or_else(|p| p.into_inner()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_decide_what_downloads_during_a_sync() {
        let key = |entity| {
            offline_assets::AssetKey::new(1, entity, "0b0b0b0b-0000-0000-0000-000000000001")
        };
        let job = |entity| AssetJob {
            key: key(entity).expect("a GUID"),
            source: offline_assets::AssetSource::NoImage,
            fingerprint: String::new(),
        };
        let mut s = Settings::default();
        assert!(wanted(&s, &job(offline_assets::AssetEntity::Items)));
        assert!(!wanted(
            &s,
            &job(offline_assets::AssetEntity::DocumentAttachments)
        ));
        s.pictures = false;
        s.attachments = AttachmentMode::All;
        assert!(!wanted(&s, &job(offline_assets::AssetEntity::Accounts)));
        assert!(wanted(
            &s,
            &job(offline_assets::AssetEntity::DocumentAttachments)
        ));
    }

    #[test]
    fn settings_become_sync_options() {
        let mut s = Settings {
            interval_minutes: None,
            batch_size: 250,
            divisions: vec![5],
            ..Settings::default()
        };
        assert_eq!(interval(&s), None);
        assert_eq!(sync_options(&s).batch_size, 250);
        s.interval_minutes = Some(15);
        assert_eq!(interval(&s), Some(Duration::from_secs(900)));
        s.attachments = AttachmentMode::All;
        s.attachments_cap_mb = 2;
        assert_eq!(
            asset_config(&s).attachments,
            AttachmentPolicy::All {
                max_bytes: 2 * 1024 * 1024
            }
        );
    }
}
