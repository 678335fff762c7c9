//! One division's run: its pass chosen ([`crate::plan::choose_pass`]), then its entities in
//! order, the item descriptions in other languages, and the Deleted log.
//!
//! Invariants:
//! - an entity that fails does not stop the others, except when continuing cannot help (sign-in
//!   needed, daily budget spent, network gone, cancelled): then every entity after it, and the
//!   Deleted log, is skipped with that reason;
//! - an entity Exact refused rests for an hour, kept in the cache so that it holds across
//!   processes;
//! - a full resync's mark is cleared only after a run of every entity without a failure.

use offline_cache::{DELETED_CURSOR, Entity, SetAsideCounts};
use tokio_util::sync::CancellationToken;

use crate::engine::{Engine, SyncOptions};
use crate::failure::Failure;
use crate::pipeline::Tally;
use crate::plan::{PLANS, Pass, Plan, ResyncState, choose_pass};
use crate::progress::{Phase, ProgressEvent, ProgressSink};
use crate::report::{EntityOutcome, ErrorCode};

/// How long an entity Exact refused (a 4xx) rests before the engine asks again: Exact blocks an
/// app after ten errors per endpoint per hour. The rest is kept in the cache with its end, so
/// that it holds across processes (a sync started from cron is a new process each time).
const REFUSED_REST_MS: i64 = 3_600_000;

/// Why the rest of a division is not attempted: the code and reason of the failure that showed
/// it could not succeed.
type Stop = Option<(ErrorCode, String)>;

/// What one division's run reads with and reports to; the readers ([`crate::pipeline`],
/// [`crate::pages`], [`crate::deletions`], [`crate::heal`]) are its methods.
pub(crate) struct DivisionRun<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) division: i32,
    pub(crate) options: &'a SyncOptions,
    pub(crate) pass: Pass,
    pub(crate) progress: ProgressSink,
    pub(crate) cancel: CancellationToken,
}

impl Engine {
    /// Syncs one division in run `run_id`; `full` asks for a full resync. Every entity ends up
    /// in the outcomes, attempted or not.
    pub(crate) async fn sync_division(
        &self,
        division: i32,
        full: bool,
        options: &SyncOptions,
        run_id: i64,
        progress: ProgressSink,
        cancel: CancellationToken,
    ) -> Vec<EntityOutcome> {
        let pass = match self.division_pass(division, full, options, run_id).await {
            Ok(pass) => pass,
            Err(e) => return vec![outcome(division, "Items", Tally::default(), Some(e))],
        };
        let run = DivisionRun {
            engine: self,
            division,
            options,
            pass,
            progress,
            cancel,
        };
        run.sync().await
    }

    /// Reads what the cache holds about the division's resync, chooses the pass, and begins
    /// (and marks) a full resync when the pass asks for one. A state that cannot be read counts
    /// as none.
    async fn division_pass(
        &self,
        division: i32,
        full: bool,
        options: &SyncOptions,
        run_id: i64,
    ) -> Result<Pass, Failure> {
        let now = self.clock.now_ms();
        let deletions_read_ms = self
            .db(move |c| {
                Ok(c.cursors(division)?
                    .into_iter()
                    .find(|(key, _, _)| key == DELETED_CURSOR)
                    .map(|(_, _, updated_ms)| updated_ms))
            })
            .await
            .ok()
            .flatten();
        let pending = self.db(move |c| c.full_resync_pending(division)).await;
        let generation = self
            .db(move |c| c.full_resync_generation(division))
            .await
            .ok()
            .flatten();
        let state = ResyncState {
            deletions_read_ms,
            pending: matches!(pending, Ok(true)),
            generation,
        };
        let choice = choose_pass(run_id, now, state, full, options.incremental);
        if choice.begin_resync {
            self.db(move |c| c.begin_full_resync(division, now, run_id))
                .await?;
        }
        Ok(choice.pass)
    }
}

impl DivisionRun<'_> {
    /// Every entity in order, then the other languages' descriptions and the Deleted log; the
    /// full-resync mark is cleared when all of it succeeded.
    async fn sync(&self) -> Vec<EntityOutcome> {
        let plans: Vec<&Plan> = PLANS
            .iter()
            .filter(|p| self.options.includes(p.entity))
            .collect();
        for plan in &plans {
            self.emit(
                plan.entity.as_str(),
                Phase::Waiting,
                &Tally::default(),
                None,
                None,
            );
        }
        let mut outcomes = Vec::new();
        let mut stop: Stop = None;
        for plan in plans {
            outcomes.push(self.entity(plan, &mut stop).await);
        }
        if stop.is_none() && self.options.includes(Entity::Items) {
            for language in &self.options.languages {
                outcomes.push(self.language(language, &mut stop).await);
            }
        }
        outcomes.push(self.deleted_log(&stop).await);
        self.finish_resync(&outcomes).await;
        outcomes
    }

    /// One entity: skipped after a stop or while it rests, otherwise read (healing as it goes).
    async fn entity(&self, plan: &Plan, stop: &mut Stop) -> EntityOutcome {
        let name = plan.entity.as_str();
        if let Some((code, reason)) = stop {
            return self.skip(name, *code, reason);
        }
        if let Some(reason) = self.resting(name).await {
            return self.skip(name, ErrorCode::Refused, &reason);
        }
        let mut tally = Tally::default();
        let result = self.read_healing(plan, &mut tally).await;
        note_stop(stop, &result);
        self.note_refusal(name, result.as_ref().err()).await;
        self.finish(name, tally, result.err())
    }

    /// The item descriptions in `language`.
    async fn language(&self, language: &str, stop: &mut Stop) -> EntityOutcome {
        let name = format!("Items ({})", language.to_ascii_uppercase());
        let mut tally = Tally::default();
        let result = self.sync_descriptions(language, &name, &mut tally).await;
        note_stop(stop, &result);
        self.finish(&name, tally, result.err())
    }

    /// The Deleted log, unless the division stopped.
    async fn deleted_log(&self, stop: &Stop) -> EntityOutcome {
        if let Some((code, reason)) = stop {
            return self.skip(DELETED_CURSOR, *code, reason);
        }
        let mut tally = Tally::default();
        let result = self.deletions(&mut tally).await;
        self.finish(DELETED_CURSOR, tally, result.err())
    }

    /// Clears the full-resync mark after a full resync in which nothing failed. A run of some
    /// entities only leaves the others' resync to a later run.
    async fn finish_resync(&self, outcomes: &[EntityOutcome]) {
        let division = self.division;
        if self.pass.is_full_resync()
            && self.options.only.is_empty()
            && outcomes.iter().all(|o| o.error.is_none())
            && let Err(e) = self
                .engine
                .db(move |c| c.finish_full_resync(division))
                .await
        {
            tracing::error!(division, error = %e.message, "cannot clear the full-resync mark");
        }
    }

    /// Why `entity` is not asked for now, if Exact refused it less than an hour ago (by the
    /// engine's clock). A rest that cannot be read does not stop the sync: the entity is asked.
    async fn resting(&self, entity: &'static str) -> Option<String> {
        let (division, now) = (self.division, self.engine.clock.now_ms());
        match self
            .engine
            .db(move |c| c.resting(division, entity, now))
            .await
        {
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
    async fn note_refusal(&self, entity: &'static str, failure: Option<&Failure>) {
        let division = self.division;
        let stored = match failure {
            Some(f) if f.code == ErrorCode::Refused => {
                let until = self.engine.clock.now_ms() + REFUSED_REST_MS;
                let reason = f.message.clone();
                self.engine
                    .db(move |c| c.rest(division, entity, until, &reason))
                    .await
            }
            Some(_) => return,
            None => self.engine.db(move |c| c.end_rest(division, entity)).await,
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

    /// An entity not attempted, shown as skipped with `reason`.
    fn skip(&self, entity: &str, code: ErrorCode, reason: &str) -> EntityOutcome {
        self.emit(
            entity,
            Phase::Skipped,
            &Tally::default(),
            None,
            Some(reason),
        );
        skipped(self.division, entity, code, reason)
    }

    /// An entity read: shown as done or failed, and its outcome.
    fn finish(&self, entity: &str, tally: Tally, failure: Option<Failure>) -> EntityOutcome {
        let phase = if failure.is_some() {
            Phase::Failed
        } else {
            Phase::Done
        };
        let error = failure.as_ref().map(|f| f.message.as_str());
        self.emit(entity, phase, &tally, None, error);
        if let Some(f) = &failure {
            tracing::warn!(division = self.division, entity, error = %f.message, "entity sync failed");
        }
        outcome(self.division, entity, tally, failure)
    }

    /// Tells the progress sink where `entity` is, with the division's rate-limit figures;
    /// `started` gives a rate of rows per second since then.
    pub(crate) fn emit(
        &self,
        entity: &str,
        phase: Phase,
        tally: &Tally,
        started: Option<std::time::Instant>,
        error: Option<&str>,
    ) {
        let client = &self.engine.client;
        let rate = client.rate(self.division);
        let per_second = started
            .map(|s| s.elapsed().as_secs_f64())
            .filter(|s| *s > 0.0)
            .map(|s| (tally.upserted + tally.deleted) as f64 / s);
        (self.progress)(ProgressEvent {
            division: self.division,
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
            waiting: client.refresh_wait().map(|w| w.to_string()),
        });
    }
}

/// Stops the division after a failure that leaves nothing to gain from going on.
fn note_stop(stop: &mut Stop, result: &Result<(), Failure>) {
    if let Err(f) = result
        && f.stops_division()
    {
        *stop = Some((f.code, format!("not synced: {}", f.message)));
    }
}

/// The outcome of an entity read, from its counters and its failure if any.
fn outcome(division: i32, entity: &str, tally: Tally, failure: Option<Failure>) -> EntityOutcome {
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
