//! The readers that store page by page, one transaction per page, through the one page loop
//! ([`DivisionRun::each_page`]): a function endpoint filtered by `Modified` (item extra
//! fields), and the item descriptions in other languages. The Deleted log
//! ([`crate::deletions`]) is read through it too.

use std::sync::Arc;

use exact_api::{Page, Pager, PropertyFilter, RawPage, Record};
use offline_cache::Entity;

use crate::division::DivisionRun;
use crate::failure::{Failure, cancelled};
use crate::pipeline::{Tally, prepare, prepared, read_properties};
use crate::plan::Plan;
use crate::validate::Checks;

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

impl DivisionRun<'_> {
    /// Reads a function endpoint filtered by `Modified ge` (item extra fields), one
    /// transaction per page. Its pages are ordered by item, not by `Modified`, so the cursor (the
    /// latest `Modified` seen, UTC ms) moves only once the last page is stored: an interrupted
    /// read starts again from the previous cursor, and rewriting a row is harmless.
    pub(crate) async fn read_modified(
        &self,
        plan: &Plan,
        path: &str,
        select: &str,
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        let (division, entity) = (self.division, plan.entity);
        let name = entity.as_str();
        let since = match self.pass.from_start {
            true => None,
            false => self.engine.db(move |c| c.cursor(division, name)).await?,
        };
        let filter = format!("Modified ge datetime'{}'", exact_local_time(since));
        let url = self.engine.client.api_url(
            Some(division),
            path,
            &[("$select", select), ("$filter", &filter)],
        );
        let pager = self
            .engine
            .client
            .pages(division, url, exact_api::RequestOptions::default());
        let mut pages = ModifiedPages {
            run: self,
            entity,
            keep: read_properties(entity),
            checks: Arc::new(Checks::for_plan(plan)),
            started: std::time::Instant::now(),
            latest: since,
        };
        self.each_page(pager, &mut pages, tally).await?;
        if let Some(latest) = pages.latest {
            self.engine
                .stamped(move |c, now| {
                    c.apply_prepared(division, entity, &[], Some(latest), None, now)
                })
                .await?;
        }
        self.sweep(entity, tally).await
    }

    /// Reads the item descriptions in `language` (a sync of Items with only the description
    /// properties and Exact's `CustomDescriptionLanguage` header) from that language's cursor,
    /// one transaction per page.
    pub(crate) async fn sync_descriptions(
        &self,
        language: &str,
        name: &str,
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        let division = self.division;
        let key = offline_cache::description_cursor_key(language);
        let since = match self.pass.from_start {
            true => 1,
            false => self
                .engine
                .db(move |c| c.cursor(division, &key))
                .await?
                .unwrap_or(1),
        };
        let filter = format!("Timestamp gt {since}L");
        let url = self.engine.client.api_url(
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
        let pager = self.engine.client.pages(division, url, options);
        let mut pages = DescriptionPages {
            run: self,
            language,
            name,
            started: std::time::Instant::now(),
        };
        self.each_page(pager, &mut pages, tally).await
    }

    /// The readers' page loop: takes `reader`'s pages until the read ends, fails or is
    /// cancelled, has it store each, and counts the calls made, also when it fails.
    pub(crate) async fn each_page<R: PageReader>(
        &self,
        mut pager: Pager,
        reader: &mut R,
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        let result = async {
            while let Some(page) = self.next_page(reader.next(&mut pager)).await? {
                reader.store(page, tally).await?;
            }
            Ok(())
        }
        .await;
        tally.calls = pager.pages_fetched();
        result
    }

    /// The page `page` loads, unless the run is cancelled first.
    pub(crate) async fn next_page<P>(
        &self,
        page: impl Future<Output = exact_api::Result<Option<P>>>,
    ) -> Result<Option<P>, Failure> {
        tokio::select! {
            _ = self.cancel.cancelled() => Err(cancelled()),
            page = page => Ok(page?),
        }
    }
}

/// A reader's handling of the pages of its read, for the one page loop
/// ([`DivisionRun::each_page`]).
pub(crate) trait PageReader {
    /// What a call returns: a raw page (only the read properties parsed) or a parsed one.
    type Page;
    /// Loads the next page; `None` at the end of the read.
    async fn next(&self, pager: &mut Pager) -> exact_api::Result<Option<Self::Page>>;
    /// Stores one page.
    async fn store(&mut self, page: Self::Page, tally: &mut Tally) -> Result<(), Failure>;
}

/// The pages of a read by `Modified` (see [`DivisionRun::read_modified`]).
struct ModifiedPages<'r> {
    run: &'r DivisionRun<'r>,
    entity: Entity,
    keep: PropertyFilter,
    checks: Arc<Checks>,
    started: std::time::Instant,
    /// The latest `Modified` stored so far (UTC ms): the cursor once the read ends.
    latest: Option<i64>,
}

impl PageReader for ModifiedPages<'_> {
    type Page = RawPage;

    async fn next(&self, pager: &mut Pager) -> exact_api::Result<Option<RawPage>> {
        pager.next_raw_page(&self.keep).await
    }

    /// One transaction per page, without moving the cursor.
    async fn store(&mut self, page: RawPage, tally: &mut Tally) -> Result<(), Failure> {
        let (run, entity) = (self.run, self.entity);
        let (division, generation) = (run.division, run.pass.generation);
        let sorted = prepared(prepare(&self.checks, page)).await?;
        tally.set_aside.merge(&sorted.counts);
        run.set_aside(entity, sorted.set_aside).await?;
        let records = sorted.good;
        let page_latest = records
            .iter()
            .filter_map(|r| r.fields().date("Modified"))
            .map(|at| at.timestamp_millis())
            .max();
        self.latest = self.latest.max(page_latest);
        tally.upserted += run
            .engine
            .stamped(move |c, now| {
                c.apply_prepared(division, entity, &records, None, generation, now)
            })
            .await? as u64;
        run.page_stored(entity.as_str(), tally, self.started);
        Ok(())
    }
}

/// The pages of a read of item descriptions (see [`DivisionRun::sync_descriptions`]).
struct DescriptionPages<'r> {
    run: &'r DivisionRun<'r>,
    language: &'r str,
    name: &'r str,
    started: std::time::Instant,
}

impl PageReader for DescriptionPages<'_> {
    type Page = Page;

    async fn next(&self, pager: &mut Pager) -> exact_api::Result<Option<Page>> {
        pager.next_page().await
    }

    /// One transaction per page, which moves the language's cursor.
    async fn store(&mut self, page: Page, tally: &mut Tally) -> Result<(), Failure> {
        let division = self.run.division;
        // A page is complete when stored, so its highest Timestamp is the cursor.
        let cursor = page.records.iter().filter_map(Record::timestamp).max();
        let records = page.records;
        let language = self.language.to_owned();
        tally.upserted += self
            .run
            .engine
            .stamped(move |c, now| c.apply_descriptions(division, &language, &records, cursor, now))
            .await? as u64;
        self.run.page_stored(self.name, tally, self.started);
        Ok(())
    }
}
