//! The engine: for each division (in parallel) and entity (in order), fetch since the stored
//! cursor, plan batches, and apply each batch in one transaction that also moves the cursor.
//! This module holds the run as a whole (its divisions, its record in the cache, its report);
//! one division's run is in `division`, the readers in `pipeline`, `pages` and `deletions`.
//!
//! Invariants:
//! - calls within a division are sequential; divisions run side by side (Exact's limits are per
//!   division);
//! - fetching the next pages overlaps with applying the current one (a channel of a batch's
//!   worth of pages), so the network and SQLite work at the same time without reordering
//!   anything;
//! - an entity that fails does not stop the others, except when continuing cannot help (sign-in
//!   needed, daily budget spent, network gone, cancelled): then the division stops cleanly;
//! - only the failing batch rolls back; what was committed before it stays, with its cursor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use exact_api::{ExactClient, SharedClock};
use offline_cache::{Cache, EntityResult};
use tokio_util::sync::CancellationToken;

use crate::failure::Failure;
use crate::pipeline::AssetSink;
use crate::progress::{ProgressEvent, ProgressSink};
use crate::report::{EntityOutcome, ErrorCode, Outcome, RunReport};

/// Records per transaction at most, unless the user chooses otherwise. Every commit writes each
/// page the batch touched, and rows arrive in Timestamp order, so every batch touches pages all
/// over the GUID and search indexes: 5 000 rows a commit write those pages a fifth as often as
/// 1 000 (bench, 100 000 items: the writer's time per item fell by a fifth). Batches that big
/// only form when pages load faster than they are stored; at Exact's pace each page is stored
/// as it comes (see `DivisionRun::sync_entity`).
pub const DEFAULT_BATCH_SIZE: usize = 5_000;

/// Rows in a full page of Exact's sync endpoints.
pub(crate) const SYNC_PAGE_ROWS: usize = 1_000;

/// What a run should do.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Divisions to sync; empty means the user's current division.
    pub divisions: Vec<i32>,
    /// Records per transaction at most; fewer when no further page has loaded yet.
    pub batch_size: usize,
    /// `false`: read everything each run and remove rows that vanished (mark and sweep).
    pub incremental: bool,
    /// Forget the cursors and resync everything (also removes vanished rows).
    pub full: bool,
    /// Entities to sync; empty means every entity the engine knows.
    pub only: Vec<offline_cache::Entity>,
    /// Languages (Exact's codes: `EN`, `DE`, `FR-BE`) whose item descriptions are synced
    /// besides the division's own, one read of the items per language.
    pub languages: Vec<String>,
}

impl SyncOptions {
    /// Whether this run syncs `entity`.
    pub fn includes(&self, entity: offline_cache::Entity) -> bool {
        self.only.is_empty() || self.only.contains(&entity)
    }
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            divisions: Vec::new(),
            batch_size: DEFAULT_BATCH_SIZE,
            incremental: true,
            full: false,
            only: Vec::new(),
            languages: Vec::new(),
        }
    }
}

/// The sync engine over one client and one cache.
#[derive(Clone)]
pub struct Engine {
    pub(crate) client: ExactClient,
    pub(crate) cache: Arc<Cache>,
    pub(crate) clock: SharedClock,
    /// Where asset jobs of committed rows go (pictures, logos, attachments), if anywhere.
    pub(crate) assets: Option<AssetSink>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("client", &self.client)
            .field("assets", &self.assets.is_some())
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(client: ExactClient, cache: Arc<Cache>, clock: SharedClock) -> Self {
        Engine {
            client,
            cache,
            clock,
            assets: None,
        }
    }

    /// Sends the asset jobs of every committed batch to `sink`.
    pub fn with_assets(mut self, sink: AssetSink) -> Self {
        self.assets = Some(sink);
        self
    }

    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    pub fn client(&self) -> &ExactClient {
        &self.client
    }

    /// Runs one sync and records it in the cache. Never panics on bad data; every failure ends
    /// up in the report with Exact's message.
    pub async fn run(
        &self,
        options: &SyncOptions,
        trigger: &str,
        progress: ProgressSink,
        cancel: CancellationToken,
    ) -> RunReport {
        let watching = CancellationToken::new();
        let _stop_watching = watching.clone().drop_guard();
        let progress = self.show_waits(progress, watching);
        let started_ms = self.clock.now_ms();
        let trigger = trigger.to_owned();
        let run_id = match self.db(move |c| c.start_run(&trigger, started_ms)).await {
            Ok(id) => id,
            Err(f) => return self.failed_report(0, started_ms, f),
        };
        let divisions = match self.prepare_divisions(options, run_id).await {
            Ok(d) => d,
            Err(f) => {
                let report = self.failed_report(run_id, started_ms, f);
                let finished = report.finished_ms;
                let _ = self
                    .db(move |c| c.finish_run(run_id, finished, "failed"))
                    .await;
                return report;
            }
        };
        let runs = divisions.iter().map(|&(division, full)| {
            self.sync_division(
                division,
                full,
                options,
                run_id,
                Arc::clone(&progress),
                cancel.clone(),
            )
        });
        let entities: Vec<EntityOutcome> = futures::future::join_all(runs)
            .await
            .into_iter()
            .flatten()
            .collect();
        self.record_results(run_id, &entities).await;
        let outcome = run_outcome(cancel.is_cancelled(), &entities);
        let finished_ms = self.clock.now_ms();
        if let Err(e) = self
            .db(move |c| c.finish_run(run_id, finished_ms, outcome.as_str()))
            .await
        {
            tracing::error!(error = %e.message, "cannot record the end of a sync run");
        }
        RunReport {
            run_id,
            started_ms,
            finished_ms,
            outcome,
            entities,
            error: None,
        }
    }

    /// Stores each entity's outcome with the run; one that cannot be stored is logged.
    async fn record_results(&self, run_id: i64, entities: &[EntityOutcome]) {
        for outcome in entities {
            let result = EntityResult {
                division: outcome.division,
                entity: outcome.entity.clone(),
                rows_upserted: outcome.rows_upserted,
                rows_deleted: outcome.rows_deleted,
                calls: outcome.calls,
                error: outcome.error.as_ref().map(|(_, m)| m.clone()),
                set_aside: outcome.set_aside.total(),
                without: outcome.without.clone(),
                too_large: outcome.too_large.clone(),
            };
            if let Err(e) = self
                .db(move |c| c.record_entity_result(run_id, &result))
                .await
            {
                tracing::error!(error = %e.message, "cannot record a sync result");
            }
        }
    }

    /// Passes events on and keeps each division's last one: a wait for Exact's refresh rule
    /// begins and ends inside a call, between two events, so when it does the last event of
    /// every division is sent again saying why and until when its calls wait.
    fn show_waits(&self, progress: ProgressSink, stop: CancellationToken) -> ProgressSink {
        let last: Arc<Mutex<HashMap<i32, ProgressEvent>>> = Arc::default();
        let mut waits = self.client.refresh_waits();
        let (kept, inner) = (Arc::clone(&last), Arc::clone(&progress));
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    changed = waits.changed() => if changed.is_err() { break },
                }
                let waiting = waits.borrow_and_update().map(|w| w.to_string());
                let events: Vec<ProgressEvent> = {
                    let last = kept.lock().unwrap_or_else(|p| p.into_inner());
                    last.values().cloned().collect()
                };
                for mut event in events {
                    event.waiting.clone_from(&waiting);
                    inner(event);
                }
            }
        });
        Arc::new(move |event: ProgressEvent| {
            let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
            last.insert(event.division, event.clone());
            drop(last);
            progress(event);
        })
    }

    fn failed_report(&self, run_id: i64, started_ms: i64, f: Failure) -> RunReport {
        RunReport {
            run_id,
            started_ms,
            finished_ms: self.clock.now_ms(),
            outcome: Outcome::Failed,
            entities: Vec::new(),
            error: Some((f.code, f.message)),
        }
    }

    /// Resolves the divisions to sync, stores their metadata, and tells for each whether its
    /// timestamps were regenerated (moved database), which forces a full resync.
    async fn prepare_divisions(
        &self,
        options: &SyncOptions,
        run_id: i64,
    ) -> Result<Vec<(i32, bool)>, Failure> {
        let mut divisions = options.divisions.clone();
        if divisions.is_empty() {
            let me = self.client.me().await?;
            let current = me.i64("CurrentDivision").ok_or_else(|| {
                Failure::new(ErrorCode::Protocol, "Exact did not name a current division")
            })?;
            divisions.push(current as i32);
        }
        divisions.sort_unstable();
        divisions.dedup();
        let listed = self.client.divisions(divisions[0]).await?;
        let known: Vec<i32> = listed
            .iter()
            .filter_map(|d| d.i64("Code"))
            .map(|c| c as i32)
            .collect();
        if let Some(missing) = divisions.iter().find(|d| !known.contains(d)) {
            return Err(Failure::new(
                ErrorCode::Refused,
                format!("division {missing} is not accessible with this sign-in"),
            ));
        }
        // Either date changing means Exact regenerated the division's timestamps.
        let move_dates: Vec<(i32, Option<String>)> = listed
            .iter()
            .filter_map(|d| {
                let marker = match (d.str("DivisionMoveDate"), d.str("DivisionHRLinkUnlinkDate")) {
                    (None, None) => None,
                    (moved, hr) => Some(format!("{}|{}", moved.unwrap_or(""), hr.unwrap_or(""))),
                };
                Some((d.i64("Code")? as i32, marker))
            })
            .collect();
        self.db(move |c| c.upsert_divisions(&listed)).await?;
        let mut plan = Vec::new();
        for division in divisions {
            let now_date = move_dates
                .iter()
                .find(|(d, _)| *d == division)
                .and_then(|(_, m)| m.clone());
            let now = self.clock.now_ms();
            let (moved, full) = self
                .db(move |c| {
                    let stored = c.division_move_date(division)?;
                    let synced_before = !c.cursors(division)?.is_empty();
                    let moved = synced_before && stored != now_date;
                    if moved {
                        // Begin (and mark) the resync before remembering the new date.
                        c.begin_full_resync(division, now, run_id)?;
                    }
                    c.set_division_move_date(division, now_date.as_deref())?;
                    Ok((moved, moved))
                })
                .await?;
            if moved {
                tracing::warn!(
                    division,
                    "the division moved to another database; resyncing it in full"
                );
            }
            plan.push((division, full || options.full));
        }
        Ok(plan)
    }

    /// [`Engine::db`] for a write the cache stamps with the time (a cursor's move, a record set
    /// aside, a property left out): `now` is read from the engine's clock, which also judges
    /// staleness and rests.
    pub(crate) async fn stamped<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Cache, i64) -> offline_cache::Result<T> + Send + 'static,
    ) -> Result<T, Failure> {
        let now = self.clock.now_ms();
        self.db(move |c| f(c, now)).await
    }

    /// Runs cache work on the blocking pool.
    pub(crate) async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Cache) -> offline_cache::Result<T> + Send + 'static,
    ) -> Result<T, Failure> {
        let cache = Arc::clone(&self.cache);
        match tokio::task::spawn_blocking(move || f(&cache)).await {
            Ok(result) => result.map_err(Failure::from),
            Err(e) => Err(Failure::new(
                ErrorCode::Storage,
                format!("a cache task failed: {e}"),
            )),
        }
    }
}

/// How a run ended, from its entities' outcomes: partial when some entity that got as far as
/// calling Exact succeeded.
fn run_outcome(cancelled: bool, entities: &[EntityOutcome]) -> Outcome {
    if cancelled {
        Outcome::Cancelled
    } else if entities.iter().all(|e| e.error.is_none()) {
        Outcome::Succeeded
    } else if entities.iter().any(|e| e.error.is_none() && e.calls > 0) {
        Outcome::Partial
    } else {
        Outcome::Failed
    }
}
