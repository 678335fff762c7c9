//! Paging: a cursor over one collection that follows Exact's `__next` links verbatim.

use crate::client::{ExactClient, RequestOptions};
use crate::error::{Error, Result};
use crate::odata::{Page, PropertyFilter, RawPage};

/// A cursor over the pages of one collection; follows `__next` verbatim.
#[derive(Debug)]
pub struct Pager {
    client: ExactClient,
    division: i32,
    next: Option<String>,
    options: RequestOptions,
    pages: u64,
}

impl Pager {
    pub(crate) fn new(
        client: ExactClient,
        division: i32,
        url: String,
        options: RequestOptions,
    ) -> Self {
        Pager {
            client,
            division,
            next: Some(url),
            options,
            pages: 0,
        }
    }

    /// The next page, or `None` after the last. A failed call leaves the pager where it was.
    pub async fn next_page(&mut self) -> Result<Option<Page>> {
        let Some(url) = self.next.clone() else {
            return Ok(None);
        };
        let page = self
            .client
            .get_page(Some(self.division), &url, &self.options)
            .await?;
        self.advance(&url, page.next.as_deref())?;
        Ok(Some(page))
    }

    /// The next page as records kept in the JSON text received (see
    /// [`crate::odata::RawRecord`]), or `None` after the last; like [`Self::next_page`].
    pub async fn next_raw_page(&mut self, keep: &PropertyFilter) -> Result<Option<RawPage>> {
        let Some(url) = self.next.clone() else {
            return Ok(None);
        };
        let page = self
            .client
            .get_raw_page(Some(self.division), &url, &self.options, keep)
            .await?;
        self.advance(&url, page.next.as_deref())?;
        Ok(Some(page))
    }

    fn advance(&mut self, url: &str, next: Option<&str>) -> Result<()> {
        self.pages += 1;
        if next == Some(url) {
            // Following it would loop until the daily budget is gone.
            return Err(Error::Protocol(format!(
                "page {} links to itself as the next page",
                self.pages
            )));
        }
        self.next = next.map(str::to_owned);
        Ok(())
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.pages
    }

    /// The URL the next call will fetch (to persist a position or for diagnostics).
    pub fn next_url(&self) -> Option<&str> {
        self.next.as_deref()
    }
}
