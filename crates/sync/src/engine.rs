//! The engine: for each division (in parallel) and entity (in order), fetch since the stored
//! cursor, plan batches, and apply each batch in one transaction that also moves the cursor.
//!
//! Invariants:
//! - calls within a division are sequential; divisions run side by side (Exact's limits are per
//!   division);
//! - fetching the next page overlaps with applying the current one (a channel of one page), so
//!   the network and SQLite work at the same time without reordering anything;
//! - an entity that fails does not stop the others, except when continuing cannot help (sign-in
//!   needed, daily budget spent, network gone, cancelled): then the division stops cleanly;
//! - only the failing batch rolls back; what was committed before it stays, with its cursor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use exact_api::{ExactClient, SharedClock};
use offline_cache::{Cache, DELETED_CURSOR, EntityResult, SetAsideCounts};
use tokio_util::sync::CancellationToken;

use crate::failure::Failure;
use crate::pipeline::{AssetSink, Pass, Tally};
use crate::plan::PLANS;
use crate::progress::{Phase, ProgressEvent, ProgressSink};
use crate::report::{EntityOutcome, ErrorCode, Outcome, RunReport};

/// Exact keeps its Deleted log about two months; a cursor older than this needs a full resync.
/// (Exact says "about two months"; resync a little before that, to be safe.)
const DELETED_LOG_KEEPS_MS: i64 = 45 * 24 * 3_600_000;

/// Records per transaction at most, unless the user chooses otherwise. Every commit writes each
/// page the batch touched, and rows arrive in Timestamp order, so every batch touches pages all
/// over the GUID and search indexes: 5 000 rows a commit write those pages a fifth as often as
/// 1 000 (bench, 100 000 items: the writer's time per item fell by a fifth). Batches that big
/// only form when pages load faster than they are stored; at Exact's pace each page is stored
/// as it comes (see `Engine::sync_entity`).
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

/// How long an entity Exact refused (a 4xx) rests before the engine asks again: Exact blocks an
/// app after ten errors per endpoint per hour. The rest is kept in the cache with its end, so
/// that it holds across processes (a sync started from cron is a new process each time).
const REFUSED_REST_MS: i64 = 3_600_000;

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
        for outcome in &entities {
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
        let outcome = if cancel.is_cancelled() {
            Outcome::Cancelled
        } else if entities.iter().all(|e| e.error.is_none()) {
            Outcome::Succeeded
        } else if entities.iter().any(|e| e.error.is_none() && e.calls > 0) {
            Outcome::Partial
        } else {
            Outcome::Failed
        };
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

    async fn sync_division(
        &self,
        division: i32,
        full: bool,
        options: &SyncOptions,
        run_id: i64,
        progress: ProgressSink,
        cancel: CancellationToken,
    ) -> Vec<EntityOutcome> {
        let now = self.clock.now_ms();
        let deleted_age = self
            .db(move |c| {
                Ok(c.cursors(division)?
                    .into_iter()
                    .find(|(key, _, _)| key == DELETED_CURSOR)
                    .map(|(_, _, updated_ms)| updated_ms))
            })
            .await
            .ok()
            .flatten();
        let stale = deleted_age.is_some_and(|at| now - at > DELETED_LOG_KEEPS_MS);
        // A full resync that was begun (a move, a stale log, the user's request) and interrupted
        // is continued from its cursors with its generation, so its sweep is not lost and the
        // rows it read are not read again; one begun by an older version is begun afresh.
        let pending = self.db(move |c| c.full_resync_pending(division)).await;
        let continued = self
            .db(move |c| c.full_resync_generation(division))
            .await
            .ok()
            .flatten();
        let pass = match continued {
            Some(generation) => Pass {
                run: run_id,
                generation: Some(generation),
                from_start: false,
            },
            None if full || stale || matches!(pending, Ok(true)) => {
                if let Err(e) = self
                    .db(move |c| c.begin_full_resync(division, now, run_id))
                    .await
                {
                    return vec![self.outcome(division, "Items", Tally::default(), Some(e))];
                }
                Pass {
                    run: run_id,
                    generation: Some(run_id),
                    from_start: false,
                }
            }
            // With incremental sync off, every run reads everything and sweeps what vanished.
            None if !options.incremental => Pass {
                run: run_id,
                generation: Some(run_id),
                from_start: true,
            },
            None => Pass {
                run: run_id,
                generation: None,
                from_start: false,
            },
        };
        let full = pass.generation.is_some() && !pass.from_start;
        let plans: Vec<_> = PLANS
            .iter()
            .filter(|p| options.includes(p.entity))
            .collect();
        for plan in &plans {
            emit(
                &progress,
                division,
                plan.entity.as_str(),
                Phase::Waiting,
                &Tally::default(),
                None,
                self,
                None,
            );
        }
        let mut outcomes = Vec::new();
        let mut stop: Option<(ErrorCode, String)> = None;
        for plan in plans {
            let name = plan.entity.as_str();
            if let Some((code, reason)) = &stop {
                emit(
                    &progress,
                    division,
                    name,
                    Phase::Skipped,
                    &Tally::default(),
                    None,
                    self,
                    Some(reason),
                );
                outcomes.push(skipped(division, name, *code, reason));
                continue;
            }
            if let Some(reason) = self.resting(division, name).await {
                emit(
                    &progress,
                    division,
                    name,
                    Phase::Skipped,
                    &Tally::default(),
                    None,
                    self,
                    Some(&reason),
                );
                outcomes.push(skipped(division, name, ErrorCode::Refused, &reason));
                continue;
            }
            let mut tally = Tally::default();
            let result = self
                .read_healing(
                    division, plan, options, pass, &mut tally, &progress, &cancel,
                )
                .await;
            if let Err(f) = &result
                && f.stops_division()
            {
                stop = Some((f.code, format!("not synced: {}", f.message)));
            }
            self.note_refusal(division, name, result.as_ref().err())
                .await;
            outcomes.push(self.finish(division, name, tally, result.err(), &progress));
        }
        if stop.is_none() && options.includes(offline_cache::Entity::Items) {
            for language in &options.languages {
                let name = format!("Items ({})", language.to_ascii_uppercase());
                let mut tally = Tally::default();
                let result = self
                    .sync_descriptions(
                        division, language, &name, pass, &mut tally, &progress, &cancel,
                    )
                    .await;
                if let Err(f) = &result
                    && f.stops_division()
                {
                    stop = Some((f.code, format!("not synced: {}", f.message)));
                }
                outcomes.push(self.finish(division, &name, tally, result.err(), &progress));
            }
        }
        if let Some((code, reason)) = stop {
            emit(
                &progress,
                division,
                DELETED_CURSOR,
                Phase::Skipped,
                &Tally::default(),
                None,
                self,
                Some(&reason),
            );
            outcomes.push(skipped(division, DELETED_CURSOR, code, &reason));
        } else {
            let mut tally = Tally::default();
            let result = self
                .deletions(division, &mut tally, &progress, &cancel)
                .await;
            outcomes.push(self.finish(division, DELETED_CURSOR, tally, result.err(), &progress));
        }
        // A run of some entities only leaves the others' resync to a later run.
        if full
            && options.only.is_empty()
            && outcomes.iter().all(|o| o.error.is_none())
            && let Err(e) = self.db(move |c| c.finish_full_resync(division)).await
        {
            tracing::error!(division, error = %e.message, "cannot clear the full-resync mark");
        }
        outcomes
    }

    /// Why `entity` is not asked for now, if Exact refused it less than an hour ago (by the
    /// engine's clock). A rest that cannot be read does not stop the sync: the entity is asked.
    async fn resting(&self, division: i32, entity: &'static str) -> Option<String> {
        let now = self.clock.now_ms();
        match self.db(move |c| c.resting(division, entity, now)).await {
            Ok(rest) => rest.map(|(until, why)| {
                format!(
                    "not asked again until {}, since Exact refused it: {why}",
                    exact_api::clock::to_utc(until)
                )
            }),
            Err(e) => {
                tracing::warn!(
                    division,
                    entity,
                    error = %e.message,
                    "cannot read whether the entity rests; asking it"
                );
                None
            }
        }
    }

    /// A refusal rests the entity for [`REFUSED_REST_MS`]; a success ends its rest; another
    /// failure leaves it as it is. A rest that cannot be stored does not stop the sync.
    async fn note_refusal(&self, division: i32, entity: &'static str, failure: Option<&Failure>) {
        let stored = match failure {
            Some(f) if f.code == ErrorCode::Refused => {
                let until = self.clock.now_ms() + REFUSED_REST_MS;
                let reason = f.message.clone();
                self.db(move |c| c.rest(division, entity, until, &reason))
                    .await
            }
            Some(_) => return,
            None => self.db(move |c| c.end_rest(division, entity)).await,
        };
        if let Err(e) = stored {
            tracing::warn!(
                division,
                entity,
                error = %e.message,
                "cannot store the entity's rest"
            );
        }
    }

    fn finish(
        &self,
        division: i32,
        entity: &str,
        tally: Tally,
        failure: Option<Failure>,
        progress: &ProgressSink,
    ) -> EntityOutcome {
        let phase = if failure.is_some() {
            Phase::Failed
        } else {
            Phase::Done
        };
        emit(
            progress,
            division,
            entity,
            phase,
            &tally,
            None,
            self,
            failure.as_ref().map(|f| f.message.as_str()),
        );
        if let Some(f) = &failure {
            tracing::warn!(division, entity, error = %f.message, "entity sync failed");
        }
        self.outcome(division, entity, tally, failure)
    }

    fn outcome(
        &self,
        division: i32,
        entity: &str,
        tally: Tally,
        failure: Option<Failure>,
    ) -> EntityOutcome {
        EntityOutcome {
            division,
            entity: entity.to_owned(),
            rows_upserted: tally.upserted,
            rows_deleted: tally.deleted,
            calls: tally.calls,
            set_aside: tally.set_aside,
            without: tally.without,
            too_large: tally.too_large,
            error: failure.map(|f| (f.code, f.message)),
        }
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

/// An entity not attempted because an earlier one showed it could not succeed.
fn skipped(division: i32, entity: &str, code: ErrorCode, reason: &str) -> EntityOutcome {
    EntityOutcome {
        division,
        entity: entity.to_owned(),
        rows_upserted: 0,
        rows_deleted: 0,
        calls: 0,
        set_aside: SetAsideCounts::default(),
        without: Vec::new(),
        too_large: Vec::new(),
        error: Some((code, reason.to_owned())),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn emit(
    progress: &ProgressSink,
    division: i32,
    entity: &str,
    phase: Phase,
    tally: &Tally,
    started: Option<std::time::Instant>,
    engine: &Engine,
    error: Option<&str>,
) {
    let rate = engine.client.rate(division);
    let per_second = started
        .map(|s| s.elapsed().as_secs_f64())
        .filter(|s| *s > 0.0)
        .map(|s| (tally.upserted + tally.deleted) as f64 / s);
    progress(ProgressEvent {
        division,
        entity: entity.to_owned(),
        phase,
        rows: tally.upserted + tally.deleted,
        pages: tally.pages,
        calls: tally.calls,
        total: None,
        minutely_remaining: rate.minutely_remaining,
        daily_remaining: rate.daily_remaining,
        rate: per_second,
        error: error.map(str::to_owned),
        waiting: engine.client.refresh_wait().map(|w| w.to_string()),
    });
}
