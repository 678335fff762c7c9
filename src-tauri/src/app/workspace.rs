//! One open company: the demo or the signed-in account. It owns the cache, the client, the
//! asset store, the scheduler and the live sync snapshot, and forwards progress to the window.
//! Dropping it stops its scheduler (cancelling a running sync at a safe point) and its tasks.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{Context, Result};
use exact_api::{ExactClient, SharedClock, StoreKind, TokenStore};
use offline_assets::{AssetConfig, AssetEvent, AssetJob, AssetKind, Assets, AttachmentPolicy};
use offline_cache::Cache;
use offline_demo::Demo;
use offline_sync::{
    Engine, ErrorCode, Outcome, ProgressEvent, ProgressSink, RunReport, Scheduler, SchedulerState,
    SyncOptions,
};
use tauri::{AppHandle, Emitter};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::dto::{AttachmentMode, Mode, Settings, SyncSnapshot, TokenStorage};
use super::settings;
use crate::config::cache_path;

pub struct Workspace {
    pub mode: Mode,
    /// The folder of this company's cache, assets and locks.
    pub dir: PathBuf,
    /// The folder of its `settings.json`: the config folder for the account, the demo company's
    /// own folder for the demo.
    pub config: PathBuf,
    pub cache: Arc<Cache>,
    pub client: ExactClient,
    /// The client's clock (the simulator's, for the demo company).
    pub clock: SharedClock,
    pub assets: Assets,
    pub scheduler: Scheduler,
    pub settings: Arc<RwLock<Settings>>,
    pub snapshot: Arc<Mutex<SyncSnapshot>>,
    /// Wakes the task that sends the snapshot to the window.
    dirty: Arc<Notify>,
    pub token_store: Option<Arc<dyn TokenStore>>,
    pub token_warning: Option<String>,
    /// The simulated Exact Online of the demo company.
    pub demo: Option<Demo>,
    tasks: Vec<JoinHandle<()>>,
    _sync_lock: std::fs::File,
}

/// What a workspace is opened with.
pub struct Opening {
    pub mode: Mode,
    pub dir: PathBuf,
    pub config: PathBuf,
    pub client: ExactClient,
    pub clock: SharedClock,
    pub token_store: Option<Arc<dyn TokenStore>>,
    pub token_warning: Option<String>,
    pub demo: Option<Demo>,
}

impl Workspace {
    /// Opens the cache (works offline), starts the picture runner and the scheduler.
    pub async fn open(opening: Opening, app: AppHandle) -> Result<Workspace> {
        let Opening {
            mode,
            dir,
            config,
            client,
            clock,
            token_store,
            token_warning,
            demo,
        } = opening;
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        // One sync per data folder at a time: the CLI refuses to sync while the window is open.
        let sync_lock = crate::commands::sync::lock_folder(&dir)?;
        let cache_file = cache_path(&dir);
        let cache = Arc::new(
            tokio::task::spawn_blocking(move || Cache::open(&cache_file))
                .await
                .context("cache task failed")??,
        );
        let settings = Arc::new(RwLock::new(settings::load(&config)));
        let current = read(&settings);
        let snapshot = Arc::new(Mutex::new(SyncSnapshot {
            last_success_ms: last_success(&cache),
            ..SyncSnapshot::default()
        }));
        let dirty = Arc::new(Notify::new());

        let events: offline_assets::EventSink = {
            let (snapshot, dirty) = (Arc::clone(&snapshot), Arc::clone(&dirty));
            Arc::new(move |event: &AssetEvent| {
                let mut s = lock(&snapshot);
                match event {
                    AssetEvent::Queued { .. } => s.assets.queued += 1,
                    AssetEvent::Done { .. } => s.assets.done += 1,
                }
                dirty.notify_one();
            })
        };
        let filter: crate::pictures::JobFilter = {
            let settings = Arc::clone(&settings);
            Arc::new(move |job: &AssetJob| wanted(&read(&settings), job))
        };
        let pictures = crate::pictures::start(
            client.clone(),
            &dir,
            asset_config(&current),
            Some(events),
            Some(filter),
        )?;
        let engine = Engine::new(client.clone(), Arc::clone(&cache), Arc::clone(&clock))
            .with_assets(pictures.sink);
        let progress: ProgressSink = {
            let (snapshot, app) = (Arc::clone(&snapshot), app.clone());
            Arc::new(move |event: ProgressEvent| {
                {
                    let mut s = lock(&snapshot);
                    if event.calls > 0 && event.error.is_none() {
                        s.online = Some(true);
                    }
                    keep_progress(&mut s.progress, &event);
                }
                let _ = app.emit("sync-progress", &event);
            })
        };
        let scheduler =
            Scheduler::spawn(engine, sync_options(&current), interval(&current), progress);
        let tasks = vec![
            tokio::spawn(forward_state(
                scheduler.state(),
                Arc::clone(&snapshot),
                Arc::clone(&dirty),
            )),
            tokio::spawn(emit_snapshots(
                app,
                Arc::clone(&snapshot),
                Arc::clone(&dirty),
            )),
        ];
        let workspace = Workspace {
            mode,
            dir,
            config,
            cache,
            client,
            clock,
            assets: pictures.assets,
            scheduler,
            settings,
            snapshot,
            dirty,
            token_store,
            token_warning,
            demo,
            tasks,
            _sync_lock: sync_lock,
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
        now_ms() - last >= i64::from(minutes) * 60_000
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

    pub fn token_storage(&self) -> Option<TokenStorage> {
        self.token_store.as_ref().map(|s| match s.kind() {
            StoreKind::Keychain => TokenStorage::Keychain,
            StoreKind::File => TokenStorage::File,
        })
    }

    /// Records that Exact Online is known to be reachable or not (the demo's network switch).
    pub fn set_online(&self, online: bool) {
        lock(&self.snapshot).online = Some(online);
        self.dirty.notify_one();
    }

    pub fn snapshot(&self) -> SyncSnapshot {
        lock(&self.snapshot).clone()
    }

    /// Where to put attachment copies opened by the user.
    pub fn opened_dir(&self) -> PathBuf {
        self.dir.join("opened")
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
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

/// Keeps the latest event of each division and entity. `waiting` tells about the division's
/// calls, not one entity's: each event sets (or clears) it on every entity of its division, so
/// an entity whose last event came during a wait does not keep showing it after.
fn keep_progress(progress: &mut Vec<ProgressEvent>, event: &ProgressEvent) {
    for p in progress.iter_mut().filter(|p| p.division == event.division) {
        p.waiting.clone_from(&event.waiting);
    }
    match progress
        .iter_mut()
        .find(|p| p.division == event.division && p.entity == event.entity)
    {
        Some(slot) => *slot = event.clone(),
        None => progress.push(event.clone()),
    }
}

/// Keeps the snapshot in step with the scheduler.
async fn forward_state(
    mut state: tokio::sync::watch::Receiver<SchedulerState>,
    snapshot: Arc<Mutex<SyncSnapshot>>,
    dirty: Arc<Notify>,
) {
    loop {
        {
            let current = state.borrow_and_update().clone();
            let mut s = lock(&snapshot);
            if current.running && !s.running {
                // A new run: its own progress and picture counts.
                s.progress.clear();
                s.assets = Default::default();
            }
            s.running = current.running;
            s.next_run_in_s = current.next_run_in_s;
            s.stretched_for_budget = current.stretched_for_budget;
            s.consecutive_failures = current.consecutive_failures;
            s.needs_sign_in = current.needs_sign_in;
            if let Some(report) = &current.last {
                if report.outcome == Outcome::Succeeded {
                    s.last_success_ms = Some(report.finished_ms);
                }
                if let Some(online) = reached_exact(report) {
                    s.online = Some(online);
                }
            }
            s.last = current.last;
        }
        dirty.notify_one();
        if state.changed().await.is_err() {
            return;
        }
    }
}

/// Whether a run shows Exact Online answering (`None` when it made no call either way).
fn reached_exact(report: &RunReport) -> Option<bool> {
    let offline = report
        .entities
        .iter()
        .filter_map(|e| e.error.as_ref())
        .chain(report.error.as_ref())
        .any(|(code, _)| *code == ErrorCode::Offline);
    if offline {
        Some(false)
    } else if report.calls() > 0 {
        Some(true)
    } else {
        None
    }
}

/// Sends the snapshot to the window when it changed, at most four times a second.
async fn emit_snapshots(app: AppHandle, snapshot: Arc<Mutex<SyncSnapshot>>, dirty: Arc<Notify>) {
    loop {
        dirty.notified().await;
        let current = lock(&snapshot).clone();
        let _ = app.emit("sync-state", &current);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
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

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
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
    use offline_sync::EntityOutcome;

    fn report(calls: u64, error: Option<ErrorCode>) -> RunReport {
        RunReport {
            run_id: 1,
            started_ms: 0,
            finished_ms: 1,
            outcome: if error.is_some() {
                Outcome::Failed
            } else {
                Outcome::Succeeded
            },
            entities: vec![EntityOutcome {
                division: 1,
                entity: "Items".into(),
                rows_upserted: 0,
                rows_deleted: 0,
                calls,
                set_aside: Default::default(),
                without: Vec::new(),
                too_large: Vec::new(),
                error: error.map(|c| (c, "x".to_owned())),
            }],
            error: None,
        }
    }

    #[test]
    fn online_follows_the_last_run() {
        assert_eq!(reached_exact(&report(3, None)), Some(true));
        assert_eq!(
            reached_exact(&report(0, Some(ErrorCode::Offline))),
            Some(false)
        );
        assert_eq!(reached_exact(&report(0, Some(ErrorCode::Cancelled))), None);
        assert_eq!(reached_exact(&report(0, None)), None);
    }

    fn event(division: i32, entity: &str, waiting: Option<&str>) -> ProgressEvent {
        ProgressEvent {
            division,
            entity: entity.into(),
            phase: offline_sync::Phase::Fetching,
            rows: 0,
            pages: 0,
            calls: 0,
            total: None,
            minutely_remaining: None,
            daily_remaining: None,
            rate: None,
            error: None,
            waiting: waiting.map(str::to_owned),
        }
    }

    #[test]
    fn a_wait_is_the_division_s_and_ends_for_each_of_its_entities() {
        let wait = "waiting for Exact's refresh rule until 14:03:12 UTC";
        let mut progress = Vec::new();
        keep_progress(&mut progress, &event(1, "Items", None));
        keep_progress(&mut progress, &event(1, "Accounts", Some(wait)));
        keep_progress(&mut progress, &event(2, "Items", Some(wait)));
        let waiting = |progress: &[ProgressEvent]| -> Vec<(i32, String, bool)> {
            progress
                .iter()
                .map(|p| (p.division, p.entity.clone(), p.waiting.is_some()))
                .collect()
        };
        assert_eq!(
            waiting(&progress),
            [
                (1, "Items".to_owned(), true),
                (1, "Accounts".to_owned(), true),
                (2, "Items".to_owned(), true),
            ],
            "one slot per division and entity, in the order of arrival"
        );
        // The engine sends the division's last event again when the wait ends.
        keep_progress(&mut progress, &event(1, "Accounts", None));
        assert_eq!(
            waiting(&progress),
            [
                (1, "Items".to_owned(), false),
                (1, "Accounts".to_owned(), false),
                (2, "Items".to_owned(), true),
            ]
        );
    }

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
