//! The per-entity work of a division: small masters replaced whole, sync endpoints paged from
//! their cursor with the next page loading while the current one is applied, and the Deleted
//! log applied page by page with its own cursor. Asset work for the rows follows each commit.

use std::sync::Arc;

use exact_api::{Error as ApiError, PropertyFilter, Record};
use offline_assets::{AssetEntity, AssetJob, AssetKey, job_for};
use offline_cache::{DELETED_CURSOR, Entity, ExclusionCause, NewSetAside, SetAsideCounts};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::engine::{Engine, SYNC_PAGE_ROWS, emit};
use crate::failure::{Failure, cancelled};
use crate::plan::{Batcher, Plan, deleted_select, entity_for_deleted_code, kept_deleted_codes};
use crate::progress::{Phase, ProgressSink};
use crate::report::ErrorCode;
use crate::validate::{Checks, Sorted};

/// Counters of one entity's sync.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) upserted: u64,
    pub(crate) deleted: u64,
    pub(crate) calls: u64,
    pub(crate) pages: u64,
    pub(crate) set_aside: SetAsideCounts,
    /// Properties left out of the read: Exact refused them, or they are in `too_large`.
    pub(crate) without: Vec<String>,
    /// The properties of `without` left out because a page with them was too large for Exact
    /// to serve (see [`crate::heal`]).
    pub(crate) too_large: Vec<String>,
}

/// How this run reads an entity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pass {
    /// The run reading: set-aside records are noted as seen by it.
    pub(crate) run: i64,
    /// Full passes mark every row they read with it and then sweep the rows not marked.
    pub(crate) generation: Option<i64>,
    /// Read from the beginning whatever the cursor says (a refresh with incremental sync off);
    /// a full resync reads from its cursors, which it reset when it began.
    pub(crate) from_start: bool,
}

/// Work for the asset runner, produced as rows commit.
#[derive(Debug, Clone, PartialEq)]
pub enum AssetWork {
    /// Pictures or files of upserted rows (fetched if their fingerprint changed).
    Fetch(Vec<AssetJob>),
    /// Rows deleted through Exact's Deleted log: their files are no longer referenced.
    Forget(Vec<AssetKey>),
}

/// Receives asset work after each committed transaction; must not block (hand it to a channel).
pub type AssetSink = Arc<dyn Fn(AssetWork) + Send + Sync>;

/// What a refused `EntityType` filter of the Deleted log is kept as (see [`Engine::deletions`]).
const DELETED_FILTER: &str = "EntityType";

/// The asset kind of a cache entity, if its rows carry pictures or files.
pub fn asset_entity(entity: Entity) -> Option<AssetEntity> {
    match entity {
        Entity::Items => Some(AssetEntity::Items),
        Entity::Accounts => Some(AssetEntity::Accounts),
        Entity::Contacts => Some(AssetEntity::Contacts),
        Entity::DocumentAttachments => Some(AssetEntity::DocumentAttachments),
        _ => None,
    }
}

/// The properties [`job_for`] reads (compared in a test with jobs from whole records).
const ASSET_PROPERTIES: [&str; 9] = [
    "ID",
    "PictureUrl",
    "PictureName",
    "Modified",
    "LogoUrl",
    "LogoFileName",
    "FileSize",
    "Url",
    "FileName",
];

/// The properties of a synced record that the engine, the cache's typed columns and the asset
/// jobs read (possibly repeated).
pub(crate) fn read_names(entity: Entity) -> Vec<&'static str> {
    entity
        .column_properties()
        .iter()
        .chain(&ASSET_PROPERTIES)
        .chain(&["ID", "Timestamp"])
        .copied()
        .collect()
}

/// Which of a synced record's properties are parsed ([`read_names`]); the rest stays in the
/// record's JSON text only.
pub(crate) fn read_properties(entity: Entity) -> PropertyFilter {
    let mut names = read_names(entity);
    names.sort_unstable();
    names.dedup();
    // Asked for each of a record's ~100 property names, so it must be cheap. The names are
    // grouped by length and tested on their first byte before a comparison: a binary search
    // spent 8 % of a full sync's CPU, most of it in calls to memcmp.
    let mut by_len: Vec<Vec<&'static str>> = Vec::new();
    for name in names {
        if by_len.len() <= name.len() {
            by_len.resize(name.len() + 1, Vec::new());
        }
        by_len[name.len()].push(name);
    }
    Arc::new(move |name: &str| {
        by_len.get(name.len()).is_some_and(|same| {
            same.iter()
                .any(|n| n.as_bytes().first() == name.as_bytes().first() && *n == name)
        })
    })
}

/// A `datetime'..'` literal for Exact's filters: Dutch local time, as Exact reads it. Without a
/// cursor, a moment before any record (the first read takes everything).
fn exact_local_time(utc_ms: Option<i64>) -> String {
    let local = utc_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(exact_api::dates::utc_to_exact_ms)
        .and_then(chrono::DateTime::from_timestamp_millis);
    match local {
        Some(at) => at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
        None => "1900-01-01T00:00:00".to_owned(),
    }
}

/// Checks a page's records and compresses those to store on a blocking thread, started at
/// once: the fetch loop hands the handle on and requests the next page while this one is
/// prepared.
fn prepare(checks: &Arc<Checks>, page: exact_api::RawPage) -> JoinHandle<Sorted> {
    let checks = Arc::clone(checks);
    tokio::task::spawn_blocking(move || checks.sort(page.records, page.unreadable))
}

/// The page [`prepare`] sorted.
async fn prepared(handle: JoinHandle<Sorted>) -> Result<Sorted, Failure> {
    handle
        .await
        .map_err(|e| Failure::new(ErrorCode::Storage, format!("preparing records failed: {e}")))
}

impl Engine {
    /// Reads a small master whole from its regular endpoint and replaces the table.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn replace(
        &self,
        division: i32,
        plan: &Plan,
        path: &str,
        select: &str,
        pass: Pass,
        tally: &mut Tally,
        progress: &ProgressSink,
    ) -> Result<(), Failure> {
        let url = self
            .client
            .api_url(Some(division), path, &[("$select", select)]);
        let mut pager = self
            .client
            .pages(division, url, exact_api::RequestOptions::default());
        let mut all = Vec::new();
        let result = async {
            while let Some(page) = pager.next_page().await? {
                all.extend(page.records);
            }
            Ok::<_, ApiError>(())
        }
        .await;
        tally.calls = pager.pages_fetched();
        result?;
        let entity = plan.entity;
        let (all, bad) = Checks::for_plan(plan).sort_records(all);
        let n = all.len() as u64;
        for record in &bad {
            tally.set_aside.add(record.reason, 1);
        }
        let run = pass.run;
        self.set_aside(division, entity, run, bad).await?;
        self.db(move |c| {
            c.replace_all(division, entity, &all)?;
            // Read whole: what this read did not set aside again is gone.
            c.sweep_set_aside(division, entity, run)
        })
        .await?;
        tally.upserted = n;
        emit(
            progress,
            division,
            entity.as_str(),
            Phase::Fetching,
            tally,
            None,
            self,
            None,
        );
        Ok(())
    }

    /// Pages a sync endpoint from the cursor and applies batches while the next page loads.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn sync_entity(
        &self,
        division: i32,
        plan: &Plan,
        path: &str,
        select: &str,
        batch_size: usize,
        pass: Pass,
        tally: &mut Tally,
        progress: &ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<(), Failure> {
        let entity = plan.entity;
        let name = entity.as_str();
        let generation = pass.generation;
        let since = match pass.from_start {
            true => 1,
            false => self
                .db(move |c| c.cursor(division, name))
                .await?
                .unwrap_or(1),
        };
        let mut pager = self.client.sync(division, path, select, since);
        let keep = read_properties(entity);
        let checks = Arc::new(Checks::for_plan(plan));
        // Room for a batch's worth of pages, so that loading goes on while a batch commits.
        let room = batch_size.div_ceil(SYNC_PAGE_ROWS).max(1);
        let (pages_tx, pages_rx) = mpsc::channel::<Result<JoinHandle<Sorted>, Failure>>(room);
        let fetch = async move {
            loop {
                let next = tokio::select! {
                    _ = cancel.cancelled() => Err(cancelled()),
                    page = pager.next_raw_page(&keep) => page.map_err(Failure::from),
                };
                let done = !matches!(next, Ok(Some(_)));
                let message = match next {
                    Ok(Some(page)) => Ok(prepare(&checks, page)),
                    Ok(None) => break,
                    Err(f) => Err(f),
                };
                if pages_tx.send(message).await.is_err() || done {
                    break;
                }
            }
            pager.pages_fetched()
        };
        let started = std::time::Instant::now();
        let apply = async {
            // Owned here, so that when applying fails (a full disk, say) the receiver is dropped
            // with this future and a fetch waiting to hand over the next page stops, instead of
            // waiting forever on a channel nobody reads.
            let mut pages_rx = pages_rx;
            let mut batcher = Batcher::new(batch_size);
            while let Some(message) = pages_rx.recv().await {
                // Pages already loaded are not stored after a cancel: it stops at once, and the
                // cursor stays with what was committed.
                if cancel.is_cancelled() {
                    return Err(cancelled());
                }
                let sorted = prepared(message?).await?;
                // Kept before the batch that moves the cursor past them is committed.
                tally.set_aside.merge(&sorted.counts);
                self.set_aside(division, entity, pass.run, sorted.set_aside)
                    .await?;
                for batch in batcher.push_page(sorted.good, sorted.seen_max) {
                    tally.upserted += self.apply(division, entity, batch, generation).await?;
                }
                // No page loaded yet behind this one: store what is held now instead of waiting
                // for a full batch. A sync paced by Exact then commits (and shows progress) page
                // by page; one that loads faster than it stores fills whole batches.
                if pages_rx.is_empty()
                    && let Some(batch) = batcher.finish()
                {
                    tally.upserted += self.apply(division, entity, batch, generation).await?;
                }
                self.page_stored(division, name, tally, started, progress);
            }
            if let Some(batch) = batcher.finish() {
                tally.upserted += self.apply(division, entity, batch, generation).await?;
            }
            Ok::<(), Failure>(())
        };
        let (calls, applied) = tokio::join!(fetch, apply);
        tally.calls = calls;
        applied?;
        if let Some(generation) = generation {
            tally.deleted += self
                .db(move |c| c.sweep(division, entity, generation))
                .await? as u64;
        }
        Ok(())
    }

    /// Reads a function endpoint filtered by `Modified ge` (item extra fields), one
    /// transaction per page. Its pages are ordered by item, not by `Modified`, so the cursor (the
    /// latest `Modified` seen, UTC ms) moves only once the last page is stored: an interrupted
    /// read starts again from the previous cursor, and rewriting a row is harmless.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn read_modified(
        &self,
        division: i32,
        plan: &Plan,
        path: &str,
        select: &str,
        pass: Pass,
        tally: &mut Tally,
        progress: &ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<(), Failure> {
        let entity = plan.entity;
        let name = entity.as_str();
        let generation = pass.generation;
        let since = match pass.from_start {
            true => None,
            false => self.db(move |c| c.cursor(division, name)).await?,
        };
        let filter = format!("Modified ge datetime'{}'", exact_local_time(since));
        let url = self.client.api_url(
            Some(division),
            path,
            &[("$select", select), ("$filter", &filter)],
        );
        let mut pager = self
            .client
            .pages(division, url, exact_api::RequestOptions::default());
        let keep = read_properties(entity);
        let checks = Arc::new(Checks::for_plan(plan));
        let started = std::time::Instant::now();
        let mut latest = since;
        let result = async {
            loop {
                let page = tokio::select! {
                    _ = cancel.cancelled() => return Err(cancelled()),
                    page = pager.next_raw_page(&keep) => page?,
                };
                let Some(page) = page else {
                    return Ok(());
                };
                let sorted = prepared(prepare(&checks, page)).await?;
                tally.set_aside.merge(&sorted.counts);
                self.set_aside(division, entity, pass.run, sorted.set_aside)
                    .await?;
                let records = sorted.good;
                let page_latest = records
                    .iter()
                    .filter_map(|r| r.fields().date("Modified"))
                    .map(|at| at.timestamp_millis())
                    .max();
                latest = latest.max(page_latest);
                tally.upserted += self
                    .db(move |c| c.apply_prepared(division, entity, &records, None, generation))
                    .await? as u64;
                self.page_stored(division, name, tally, started, progress);
            }
        }
        .await;
        tally.calls = pager.pages_fetched();
        result?;
        if let Some(latest) = latest {
            self.db(move |c| c.apply_prepared(division, entity, &[], Some(latest), None))
                .await?;
        }
        if let Some(generation) = generation {
            tally.deleted += self
                .db(move |c| c.sweep(division, entity, generation))
                .await? as u64;
        }
        Ok(())
    }

    /// Reads the item descriptions in `language` (a sync of Items with only the description
    /// properties and Exact's `CustomDescriptionLanguage` header) from that language's cursor,
    /// one transaction per page.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn sync_descriptions(
        &self,
        division: i32,
        language: &str,
        name: &str,
        pass: Pass,
        tally: &mut Tally,
        progress: &ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<(), Failure> {
        let key = offline_cache::description_cursor_key(language);
        let since = match pass.from_start {
            true => 1,
            false => self
                .db(move |c| c.cursor(division, &key))
                .await?
                .unwrap_or(1),
        };
        let filter = format!("Timestamp gt {since}L");
        let url = self.client.api_url(
            Some(division),
            "sync/Logistics/Items",
            &[
                ("$select", "ID,Timestamp,Description,ExtraDescription"),
                ("$filter", &filter),
            ],
        );
        let options = exact_api::RequestOptions {
            language: Some(language.to_ascii_uppercase()),
            ..exact_api::RequestOptions::default()
        };
        let mut pager = self.client.pages(division, url, options);
        let started = std::time::Instant::now();
        let result = async {
            loop {
                let page = tokio::select! {
                    _ = cancel.cancelled() => return Err(cancelled()),
                    page = pager.next_page() => page?,
                };
                let Some(page) = page else {
                    return Ok(());
                };
                // A page is complete when stored, so its highest Timestamp is the cursor.
                let cursor = page.records.iter().filter_map(Record::timestamp).max();
                let records = page.records;
                let language = language.to_owned();
                tally.upserted += self
                    .db(move |c| c.apply_descriptions(division, &language, &records, cursor))
                    .await? as u64;
                self.page_stored(division, name, tally, started, progress);
            }
        }
        .await;
        tally.calls = pager.pages_fetched();
        result
    }

    /// Counts a page taken in (its records stored, or held for the next batch) and tells the
    /// progress sink.
    fn page_stored(
        &self,
        division: i32,
        name: &str,
        tally: &mut Tally,
        started: std::time::Instant,
        progress: &ProgressSink,
    ) {
        tally.pages += 1;
        tally.calls = tally.pages;
        emit(
            progress,
            division,
            name,
            Phase::Fetching,
            tally,
            Some(started),
            self,
            None,
        );
    }

    /// Keeps records that could not be stored (nothing to do for none).
    async fn set_aside(
        &self,
        division: i32,
        entity: Entity,
        run: i64,
        records: Vec<NewSetAside>,
    ) -> Result<(), Failure> {
        if records.is_empty() {
            return Ok(());
        }
        tracing::warn!(
            division,
            entity = entity.as_str(),
            records = records.len(),
            "records set aside: {}",
            records[0].detail
        );
        self.db(move |c| c.set_aside(division, entity, run, &records))
            .await
    }

    pub(crate) async fn apply(
        &self,
        division: i32,
        entity: Entity,
        batch: crate::plan::Batch<offline_cache::PreparedRecord>,
        generation: Option<i64>,
    ) -> Result<u64, Failure> {
        let cursor = batch.cursor;
        let records = batch.records;
        // Pictures and files of these rows are fetched once the rows are committed.
        let jobs: Vec<AssetJob> = match (&self.assets, asset_entity(entity)) {
            (Some(_), Some(kind)) => records
                .iter()
                .filter_map(|r| job_for(kind, division, r.fields()))
                .collect(),
            _ => Vec::new(),
        };
        let applied = self
            .db(move |c| c.apply_prepared(division, entity, &records, cursor, generation))
            .await? as u64;
        if let Some(sink) = &self.assets
            && !jobs.is_empty()
        {
            sink(AssetWork::Fetch(jobs));
        }
        Ok(applied)
    }

    /// Applies `sync/Deleted` from its own cursor, one transaction per page.
    ///
    /// The log holds every entity type Exact has (transaction lines too), so it is read filtered
    /// to the types the app keeps. Whether Exact accepts that filter (an `or` group of
    /// `EntityType eq K`) is not documented: if it refuses it, the log is read unfiltered from
    /// then on (the refusal is kept with the refused properties, until a full resync).
    pub(crate) async fn deletions(
        &self,
        division: i32,
        tally: &mut Tally,
        progress: &ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<(), Failure> {
        let unfiltered = self
            .db(move |c| c.excluded_properties(division, DELETED_CURSOR))
            .await?
            .iter()
            .any(|p| p == DELETED_FILTER);
        let result = self
            .read_deletions(division, !unfiltered, tally, progress, cancel)
            .await;
        match result {
            Err(f) if !unfiltered && f.code == ErrorCode::Refused && tally.pages == 0 => {
                tracing::warn!(division, reason = %f.message, "Exact refused the Deleted log's EntityType filter; reading it unfiltered");
                let reason = f.message.clone();
                self.db(move |c| {
                    c.exclude_property(
                        division,
                        DELETED_CURSOR,
                        DELETED_FILTER,
                        ExclusionCause::Refused,
                        &reason,
                    )
                })
                .await?;
                let result = self
                    .read_deletions(division, false, tally, progress, cancel)
                    .await;
                tally.calls += 1; // the refused call
                tally.without = vec![DELETED_FILTER.to_owned()];
                result
            }
            other => other,
        }
    }

    async fn read_deletions(
        &self,
        division: i32,
        filtered: bool,
        tally: &mut Tally,
        progress: &ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<(), Failure> {
        let stored = self.db(move |c| c.cursor(division, DELETED_CURSOR)).await?;
        let since = stored.unwrap_or(1);
        let mut filter = format!("Timestamp gt {since}L");
        if filtered {
            let types: Vec<String> = kept_deleted_codes()
                .map(|code| format!("EntityType eq {code}"))
                .collect();
            filter.push_str(&format!(" and ({})", types.join(" or ")));
        }
        let url = self.client.api_url(
            Some(division),
            "sync/Deleted",
            &[("$select", &deleted_select()), ("$filter", &filter)],
        );
        let mut pager = self
            .client
            .pages(division, url, exact_api::RequestOptions::default());
        let mut moved = false;
        let started = std::time::Instant::now();
        let result = async {
            loop {
                let page = tokio::select! {
                    _ = cancel.cancelled() => return Err(cancelled()),
                    page = pager.next_page() => page?,
                };
                let Some(page) = page else {
                    // The log was read to its end: note when, even with nothing new, so that a
                    // quiet division is not mistaken for one offline longer than the log keeps.
                    if let (Some(cursor), false) = (stored, moved) {
                        self.db(move |c| c.apply_deletions(division, &[], cursor))
                            .await?;
                    }
                    return Ok(());
                };
                let Some(cursor) = page.records.iter().filter_map(Record::timestamp).max() else {
                    continue;
                };
                let targets: Vec<(Entity, String)> = page
                    .records
                    .iter()
                    .filter_map(|r| {
                        Some((
                            entity_for_deleted_code(r.i64("EntityType")?)?,
                            r.guid("EntityKey")?,
                        ))
                    })
                    .collect();
                let forget: Vec<AssetKey> = targets
                    .iter()
                    .filter_map(|(e, id)| AssetKey::new(division, asset_entity(*e)?, id))
                    .collect();
                tally.deleted += self
                    .db(move |c| c.apply_deletions(division, &targets, cursor))
                    .await? as u64;
                if let Some(sink) = &self.assets
                    && !forget.is_empty()
                {
                    sink(AssetWork::Forget(forget));
                }
                tally.pages += 1;
                moved = true;
                emit(
                    progress,
                    division,
                    DELETED_CURSOR,
                    Phase::Deleting,
                    tally,
                    Some(started),
                    self,
                    None,
                );
            }
        }
        .await;
        tally.calls = pager.pages_fetched();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exact_sim::data::{DataConfig, Dataset, Entity as SimEntity};

    #[test]
    fn the_property_filter_keeps_exactly_the_read_properties() {
        for entity in Entity::ALL {
            let keep = read_properties(entity);
            let read = read_names(entity);
            for name in &read {
                assert!(keep(name), "{entity} keeps {name}");
                // Same length and first byte, or a prefix or an extension: not kept.
                let mut twin = name.to_string();
                let last = twin.pop().map_or('x', |c| if c == 'x' { 'y' } else { 'x' });
                twin.push(last);
                for other in [twin, name[..name.len() - 1].to_owned(), format!("{name}s")] {
                    if !read.contains(&other.as_str()) {
                        assert!(!keep(&other), "{entity} does not keep {other}");
                    }
                }
            }
            for other in ["", "I", "__metadata", "Unknown", "id", "timestamp"] {
                assert!(!keep(other), "{entity} does not keep {other:?}");
            }
        }
    }

    #[test]
    fn asset_jobs_from_the_read_properties_equal_those_from_whole_records() {
        let ds = Dataset::new(DataConfig {
            seed: 5,
            divisions: 1,
            items: 200,
            accounts: 60,
            contacts: None,
            addresses: None,
            documents: None,
            attachments: None,
            prices: None,
            orders: None,
            picture_share: 0.5,
            base_url: "https://start.exactonline.nl".into(),
            origin_ms: 1_750_000_000_000,
        });
        let division = ds.division_codes()[0];
        for (sim, entity) in [
            (SimEntity::Items, Entity::Items),
            (SimEntity::Accounts, Entity::Accounts),
            (SimEntity::Contacts, Entity::Contacts),
            (SimEntity::DocumentAttachments, Entity::DocumentAttachments),
        ] {
            let kind = asset_entity(entity).expect("an asset entity");
            let keep = read_properties(entity);
            let records = ds.sync_after(division, sim, 0, 10_000, None);
            assert!(!records.is_empty(), "{entity} has records");
            for map in records {
                let whole = Record(map);
                let raw = exact_api::RawRecord::from_record(whole.clone(), &*keep);
                assert!(
                    whole.len() > raw.fields.len(),
                    "{entity}: a subset is parsed"
                );
                assert_eq!(
                    job_for(kind, division, &raw.fields),
                    job_for(kind, division, &whole),
                    "{entity}"
                );
            }
        }
    }
}
