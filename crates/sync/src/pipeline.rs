//! The readers of a division's entities that batch: small masters replaced whole, and sync
//! endpoints paged from their cursor with the next pages loading while the current one is
//! applied. Asset work for the rows follows each commit. The readers that store page by page
//! are in [`crate::pages`] and [`crate::deletions`].

use std::sync::Arc;

use exact_api::{Error as ApiError, Pager, PropertyFilter};
use offline_assets::{AssetEntity, AssetJob, AssetKey, job_for};
use offline_cache::{Entity, NewSetAside, SetAsideCounts};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::division::DivisionRun;
use crate::engine::SYNC_PAGE_ROWS;
use crate::failure::{Failure, cancelled};
use crate::plan::{Batcher, Plan};
use crate::progress::Phase;
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

/// Checks a page's records and compresses those to store on a blocking thread, started at
/// once: the fetch loop hands the handle on and requests the next page while this one is
/// prepared.
pub(crate) fn prepare(checks: &Arc<Checks>, page: exact_api::RawPage) -> JoinHandle<Sorted> {
    let checks = Arc::clone(checks);
    tokio::task::spawn_blocking(move || checks.sort(page.records, page.unreadable))
}

/// The page [`prepare`] sorted.
pub(crate) async fn prepared(handle: JoinHandle<Sorted>) -> Result<Sorted, Failure> {
    handle
        .await
        .map_err(|e| Failure::new(ErrorCode::Storage, format!("preparing records failed: {e}")))
}

impl DivisionRun<'_> {
    /// Reads a small master whole from its regular endpoint and replaces the table.
    pub(crate) async fn replace(
        &self,
        plan: &Plan,
        path: &str,
        select: &str,
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        let (division, client) = (self.division, &self.engine.client);
        let url = client.api_url(Some(division), path, &[("$select", select)]);
        let mut pager = client.pages(division, url, exact_api::RequestOptions::default());
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
        let run = self.pass.run;
        self.set_aside(entity, bad).await?;
        self.engine
            .db(move |c| {
                c.replace_all(division, entity, &all)?;
                // Read whole: what this read did not set aside again is gone.
                c.sweep_set_aside(division, entity, run)
            })
            .await?;
        tally.upserted = n;
        self.emit(entity.as_str(), Phase::Fetching, tally, None, None);
        Ok(())
    }

    /// Pages a sync endpoint from the cursor and applies batches while the next page loads.
    pub(crate) async fn sync_entity(
        &self,
        plan: &Plan,
        path: &str,
        select: &str,
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        let (division, entity) = (self.division, plan.entity);
        let name = entity.as_str();
        let since = match self.pass.from_start {
            true => 1,
            false => self
                .engine
                .db(move |c| c.cursor(division, name))
                .await?
                .unwrap_or(1),
        };
        let pager = self.engine.client.sync(division, path, select, since);
        let checks = Arc::new(Checks::for_plan(plan));
        let batch_size = self.options.batch_size;
        // Room for a batch's worth of pages, so that loading goes on while a batch commits.
        let room = batch_size.div_ceil(SYNC_PAGE_ROWS).max(1);
        let (pages_tx, pages_rx) = mpsc::channel(room);
        let fetch = self.fetch(pager, read_properties(entity), checks, pages_tx);
        let apply = self.apply_pages(entity, batch_size, pages_rx, tally);
        let (calls, applied) = tokio::join!(fetch, apply);
        tally.calls = calls;
        applied?;
        self.sweep(entity, tally).await
    }

    /// The fetching half of [`Self::sync_entity`]: hands each page on to be prepared and
    /// stored, or the failure that ended the read, and returns the calls made. It stops when
    /// the receiver is gone.
    async fn fetch(
        &self,
        mut pager: Pager,
        keep: PropertyFilter,
        checks: Arc<Checks>,
        pages: mpsc::Sender<Result<JoinHandle<Sorted>, Failure>>,
    ) -> u64 {
        loop {
            let message = match self.next_page(pager.next_raw_page(&keep)).await {
                Ok(Some(page)) => Ok(prepare(&checks, page)),
                Ok(None) => break,
                Err(f) => Err(f),
            };
            let failed = message.is_err();
            if pages.send(message).await.is_err() || failed {
                break;
            }
        }
        pager.pages_fetched()
    }

    /// The applying half of [`Self::sync_entity`]: stores the pages in batches that move the
    /// cursor. The receiver is owned here, so that when applying fails (a full disk, say) it
    /// is dropped with this future and a fetch waiting to hand over the next page stops,
    /// instead of waiting forever on a channel nobody reads.
    async fn apply_pages(
        &self,
        entity: Entity,
        batch_size: usize,
        mut pages: mpsc::Receiver<Result<JoinHandle<Sorted>, Failure>>,
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        let generation = self.pass.generation;
        let started = std::time::Instant::now();
        let mut batcher = Batcher::new(batch_size);
        while let Some(message) = pages.recv().await {
            // Pages already loaded are not stored after a cancel: it stops at once, and the
            // cursor stays with what was committed.
            if self.cancel.is_cancelled() {
                return Err(cancelled());
            }
            let sorted = prepared(message?).await?;
            // Kept before the batch that moves the cursor past them is committed.
            tally.set_aside.merge(&sorted.counts);
            self.set_aside(entity, sorted.set_aside).await?;
            for batch in batcher.push_page(sorted.good, sorted.seen_max) {
                tally.upserted += self.apply(entity, batch, generation).await?;
            }
            // No page loaded yet behind this one: store what is held now instead of waiting
            // for a full batch. A sync paced by Exact then commits (and shows progress) page
            // by page; one that loads faster than it stores fills whole batches.
            if pages.is_empty()
                && let Some(batch) = batcher.finish()
            {
                tally.upserted += self.apply(entity, batch, generation).await?;
            }
            self.page_stored(entity.as_str(), tally, started);
        }
        if let Some(batch) = batcher.finish() {
            tally.upserted += self.apply(entity, batch, generation).await?;
        }
        Ok(())
    }

    /// Counts a page taken in (its records stored, or held for the next batch) and tells the
    /// progress sink.
    pub(crate) fn page_stored(&self, name: &str, tally: &mut Tally, started: std::time::Instant) {
        tally.pages += 1;
        tally.calls = tally.pages;
        self.emit(name, Phase::Fetching, tally, Some(started), None);
    }

    /// After a full pass: removes the rows it did not mark.
    pub(crate) async fn sweep(&self, entity: Entity, tally: &mut Tally) -> Result<(), Failure> {
        if let Some(generation) = self.pass.generation {
            let division = self.division;
            tally.deleted += self
                .engine
                .db(move |c| c.sweep(division, entity, generation))
                .await? as u64;
        }
        Ok(())
    }

    /// Keeps records that could not be stored (nothing to do for none).
    pub(crate) async fn set_aside(
        &self,
        entity: Entity,
        records: Vec<NewSetAside>,
    ) -> Result<(), Failure> {
        if records.is_empty() {
            return Ok(());
        }
        let (division, run) = (self.division, self.pass.run);
        tracing::warn!(
            division,
            entity = entity.as_str(),
            records = records.len(),
            "records set aside: {}",
            records[0].detail
        );
        self.engine
            .stamped(move |c, now| c.set_aside(division, entity, run, &records, now))
            .await
    }

    /// Applies one batch in one transaction (which moves the cursor the batch carries), then
    /// hands the asset jobs of its rows on.
    async fn apply(
        &self,
        entity: Entity,
        batch: crate::plan::Batch<offline_cache::PreparedRecord>,
        generation: Option<i64>,
    ) -> Result<u64, Failure> {
        let division = self.division;
        let cursor = batch.cursor;
        let records = batch.records;
        let assets = &self.engine.assets;
        // Pictures and files of these rows are fetched once the rows are committed.
        let jobs: Vec<AssetJob> = match (assets, asset_entity(entity)) {
            (Some(_), Some(kind)) => records
                .iter()
                .filter_map(|r| job_for(kind, division, r.fields()))
                .collect(),
            _ => Vec::new(),
        };
        let applied = self
            .engine
            .stamped(move |c, now| {
                c.apply_prepared(division, entity, &records, cursor, generation, now)
            })
            .await? as u64;
        if let Some(sink) = assets
            && !jobs.is_empty()
        {
            sink(AssetWork::Fetch(jobs));
        }
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exact_api::Record;
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
