//! Paging: a cursor over one collection that follows Exact's `__next` links verbatim.

use std::sync::Arc;

use bytes::Bytes;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::client::{ExactClient, RequestOptions};
use crate::error::{Error, Result};
use crate::odata::{Page, PropertyFilter, RawPage, parse_raw_page, trailing_next};
use crate::salvage::salvage_raw_page;

/// A cursor over the pages of one collection; follows `__next` verbatim.
#[derive(Debug)]
pub struct Pager {
    client: ExactClient,
    division: i32,
    next: Option<String>,
    options: RequestOptions,
    pages: u64,
    /// The next page's body, requested while the previous page was parsed.
    prefetched: Option<Prefetch>,
}

#[derive(Debug)]
struct Prefetch {
    url: String,
    body: JoinHandle<Result<Bytes>>,
}

impl Drop for Pager {
    fn drop(&mut self) {
        self.drop_prefetch();
    }
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
            prefetched: None,
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
    ///
    /// The call for the page after this one is sent as soon as this page's body has arrived, so
    /// that Exact prepares it while this one is parsed and the caller stores it. Calls stay one
    /// at a time: the next is sent only once this body is read whole. Its link is read from the
    /// body's end ([`trailing_next`]) and must equal the parsed one, or the early answer is
    /// dropped; it is dropped too when this body fails to parse, and then this page is asked for
    /// again with the usual retries.
    pub async fn next_raw_page(&mut self, keep: &PropertyFilter) -> Result<Option<RawPage>> {
        let Some(url) = self.next.clone() else {
            return Ok(None);
        };
        let body = match self.prefetched.take() {
            Some(early) if early.url == url => early.body.await.map_err(|e| {
                Error::Protocol(format!("the request for the next page stopped: {e}"))
            })??,
            other => {
                if let Some(stale) = other {
                    stale.body.abort();
                }
                self.client
                    .get_body(Some(self.division), &url, &self.options)
                    .await?
            }
        };
        let link = trailing_next(&body).filter(|next| *next != url);
        if let Some(next) = &link {
            self.prefetch(next.clone());
        }
        let filter = Arc::clone(keep);
        let parsed = tokio::task::spawn_blocking(move || parse_raw_page(&body, &*filter))
            .await
            .map_err(|e| e.to_string())
            .and_then(|page| page.map_err(|e| e.to_string()));
        let page = match parsed {
            Ok(page) => page,
            Err(reason) => {
                tracing::warn!(page = self.pages + 1, %reason, "a page did not parse; asking for it again");
                self.drop_prefetch();
                self.raw_page_again(&url, keep).await?
            }
        };
        if page.next != link {
            self.drop_prefetch();
        }
        self.advance(&url, page.next.as_deref())?;
        Ok(Some(page))
    }

    /// A page that did not parse, asked for once more. When it fails to parse again, its
    /// readable records are salvaged one by one ([`salvage_raw_page`]): a bad record in Exact
    /// then costs one call per run instead of its entity. A body whose envelope is broken goes
    /// through the client's usual retries, as any page that does not parse.
    async fn raw_page_again(&mut self, url: &str, keep: &PropertyFilter) -> Result<RawPage> {
        let body = self
            .client
            .get_body(Some(self.division), url, &self.options)
            .await?;
        let filter = Arc::clone(keep);
        let read = tokio::task::spawn_blocking(move || {
            parse_raw_page(&body, &*filter).or_else(|why| salvage_raw_page(&body, &*filter, why))
        })
        .await;
        match read {
            Ok(Ok(page)) => {
                if !page.unreadable.is_empty() {
                    tracing::warn!(
                        page = self.pages + 1,
                        unreadable = page.unreadable.len(),
                        "a page failed to parse twice; its readable records are kept"
                    );
                }
                Ok(page)
            }
            _ => {
                self.client
                    .get_raw_page(Some(self.division), url, &self.options, keep)
                    .await
            }
        }
    }

    /// Requests `url` in the background, through the client's pacing and retries.
    fn prefetch(&mut self, url: String) {
        self.drop_prefetch();
        let client = self.client.clone();
        let (division, options) = (self.division, self.options.clone());
        let target = url.clone();
        let body = tokio::spawn(
            async move { client.get_body(Some(division), &target, &options).await }
                .in_current_span(),
        );
        self.prefetched = Some(Prefetch { url, body });
    }

    fn drop_prefetch(&mut self) {
        if let Some(early) = self.prefetched.take() {
            early.body.abort();
        }
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
