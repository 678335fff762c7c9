//! Exact's Deleted log: read from its own cursor, one transaction per page, each removing the
//! rows it names and moving the cursor; the files of removed rows are let go.
//!
//! The log holds every entity type Exact has (transaction lines too), so it is read filtered
//! to the types the app keeps. Whether Exact accepts that filter (an `or` group of
//! `EntityType eq K`) is not documented: if it refuses it, the log is read unfiltered from
//! then on (the refusal is kept with the refused properties, until a full resync).

use exact_api::{Page, Pager, Record};
use offline_assets::AssetKey;
use offline_cache::{DELETED_CURSOR, Entity, ExclusionCause};

use crate::division::DivisionRun;
use crate::failure::Failure;
use crate::pages::PageReader;
use crate::pipeline::{AssetWork, Tally, asset_entity};
use crate::plan::{deleted_select, entity_for_deleted_code, kept_deleted_codes};
use crate::progress::Phase;
use crate::report::ErrorCode;

/// What a refused `EntityType` filter of the Deleted log is kept as.
const DELETED_FILTER: &str = "EntityType";

impl DivisionRun<'_> {
    /// Applies `sync/Deleted` from its own cursor, filtered unless Exact refused the filter
    /// before or refuses it now (see the module docs).
    pub(crate) async fn deletions(&self, tally: &mut Tally) -> Result<(), Failure> {
        let division = self.division;
        let unfiltered = self
            .engine
            .db(move |c| c.excluded_properties(division, DELETED_CURSOR))
            .await?
            .iter()
            .any(|p| p == DELETED_FILTER);
        let result = self.read_deletions(!unfiltered, tally).await;
        match result {
            Err(f) if !unfiltered && f.code == ErrorCode::Refused && tally.pages == 0 => {
                tracing::warn!(division, reason = %f.message, "Exact refused the Deleted log's EntityType filter; reading it unfiltered");
                let reason = f.message.clone();
                self.engine
                    .stamped(move |c, now| {
                        c.exclude_property(
                            division,
                            DELETED_CURSOR,
                            DELETED_FILTER,
                            ExclusionCause::Refused,
                            &reason,
                            now,
                        )
                    })
                    .await?;
                let result = self.read_deletions(false, tally).await;
                tally.calls += 1; // the refused call
                tally.without = vec![DELETED_FILTER.to_owned()];
                result
            }
            other => other,
        }
    }

    /// One read of the log from its cursor, `filtered` to the kept entity types or not.
    async fn read_deletions(&self, filtered: bool, tally: &mut Tally) -> Result<(), Failure> {
        let division = self.division;
        let stored = self
            .engine
            .db(move |c| c.cursor(division, DELETED_CURSOR))
            .await?;
        let since = stored.unwrap_or(1);
        let mut filter = format!("Timestamp gt {since}L");
        if filtered {
            let types: Vec<String> = kept_deleted_codes()
                .map(|code| format!("EntityType eq {code}"))
                .collect();
            filter.push_str(&format!(" and ({})", types.join(" or ")));
        }
        let url = self.engine.client.api_url(
            Some(division),
            "sync/Deleted",
            &[("$select", &deleted_select()), ("$filter", &filter)],
        );
        let pager = self
            .engine
            .client
            .pages(division, url, exact_api::RequestOptions::default());
        let mut pages = DeletedPages {
            run: self,
            started: std::time::Instant::now(),
            moved: false,
        };
        self.each_page(pager, &mut pages, tally).await?;
        // The log was read to its end: note when, even with nothing new, so that a quiet
        // division is not mistaken for one offline longer than the log keeps.
        if let (Some(cursor), false) = (stored, pages.moved) {
            self.engine
                .stamped(move |c, now| c.apply_deletions(division, &[], cursor, now))
                .await?;
        }
        Ok(())
    }
}

/// The pages of a read of the log (see [`DivisionRun::deletions`]).
struct DeletedPages<'r> {
    run: &'r DivisionRun<'r>,
    started: std::time::Instant,
    /// Whether a page moved the cursor.
    moved: bool,
}

impl PageReader for DeletedPages<'_> {
    type Page = Page;

    async fn next(&self, pager: &mut Pager) -> exact_api::Result<Option<Page>> {
        pager.next_page().await
    }

    /// Removes the rows a page of the log names and moves its cursor, in one transaction (a
    /// page without a Timestamp is passed over).
    async fn store(&mut self, page: Page, tally: &mut Tally) -> Result<(), Failure> {
        let Some(cursor) = page.records.iter().filter_map(Record::timestamp).max() else {
            return Ok(());
        };
        let (run, division) = (self.run, self.run.division);
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
        tally.deleted += run
            .engine
            .stamped(move |c, now| c.apply_deletions(division, &targets, cursor, now))
            .await? as u64;
        if let Some(sink) = &run.engine.assets
            && !forget.is_empty()
        {
            sink(AssetWork::Forget(forget));
        }
        tally.pages += 1;
        self.moved = true;
        run.emit(
            DELETED_CURSOR,
            Phase::Deleting,
            tally,
            Some(self.started),
            None,
        );
        Ok(())
    }
}
