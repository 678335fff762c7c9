//! The Exact Online REST client: authenticated, paced, retried requests; OData paging; downloads.
//!
//! Every request goes through one loop ([`ExactClient::execute`]) that takes a pacing slot, attaches
//! a valid bearer token, and classifies the answer: 2xx is handed to the caller's body handler;
//! 401 (or a redirect to Exact's login page, or a body handler's [`BodyError::Unauthorized`]) is
//! tried once more after 2 s when the token is less than a minute old, then refreshes the token
//! once (see [`crate::renewal`]); 429 waits for the window reset (or ends on the daily limit); 5xx,
//! network failures and unreadable bodies are retried with exponential backoff and jitter, a
//! bounded number of times; other 4xx are returned at once, since Exact blocks an app after ten
//! errors per endpoint per hour. Bearer tokens are only ever sent to the configured instance.
//! A 304 is handed to the body handler only for a conditional download (see [`crate::download`]).

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, LOCATION};
use url::Url;

use crate::body::{CapError, PAGE_CAP, message_of, over_page_cap, read_capped};
use crate::clock::SharedClock;
use crate::error::{Error, Result};
use crate::oauth::{AppCredentials, OAuth};
use crate::odata::{Page, PropertyFilter, RawPage, parse_page, parse_raw_page};
use crate::pacing::{Pacer, RateHeaders, RateSnapshot};
use crate::pager::Pager;
use crate::record::Record;
use crate::renewal::{Bearer, Patience, RefreshWait, Renewal, SPURIOUS_401_DELAY_MS, is_fresh};
use crate::session::Session;
use crate::tokens::TokenStore;

/// Retry and backoff limits.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries of one request for transient failures (5xx, network, unreadable body).
    pub max_attempts: u32,
    pub base_delay_ms: i64,
    pub max_delay_ms: i64,
    /// 429 answers tolerated for one request before giving up with [`Error::RateLimited`].
    pub max_rate_limit_waits: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay_ms: 500,
            max_delay_ms: 30_000,
            max_rate_limit_waits: 5,
        }
    }
}

impl RetryPolicy {
    /// Full-jitter exponential backoff for the given retry number (1 = first retry).
    fn delay_ms(&self, retry: u32) -> i64 {
        let ceiling = (self.base_delay_ms << retry.min(16))
            .min(self.max_delay_ms)
            .max(1);
        rand::rng().random_range(ceiling / 2..=ceiling)
    }
}

/// How to reach one Exact instance as one app.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://start.exactonline.nl` or a simulator's URL.
    pub base_url: String,
    pub app: AppCredentials,
    /// Lock file shared by every process using the same token store.
    pub lock_path: PathBuf,
    pub clock: SharedClock,
    pub retry: RetryPolicy,
    /// Added after every rate-limit reset before calling again, for clock skew.
    pub pacing_margin_ms: i64,
    /// Per-request timeout (real time).
    pub timeout: Duration,
}

impl ClientConfig {
    pub fn new(
        base_url: impl Into<String>,
        app: AppCredentials,
        lock_path: PathBuf,
        clock: SharedClock,
    ) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            app,
            lock_path,
            clock,
            retry: RetryPolicy::default(),
            pacing_margin_ms: 1_000,
            timeout: Duration::from_secs(120),
        }
    }
}

/// Options of one GET.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Value of Exact's `CustomDescriptionLanguage` header (for example `NL`, `EN`, `FR-BE`).
    pub language: Option<String>,
    /// Whether a call with a division is charged to its budget before it is sent.
    pub charge: Charge,
}

/// When a call with a division waits for, and counts against, the division's budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Charge {
    /// Always (API calls).
    #[default]
    Always,
    /// Once Exact has answered a call of this kind with rate-limit headers (downloads: Exact
    /// does not document whether they count; its answers say so if they do). Their headers are
    /// read either way.
    WhenCounted,
}

/// What `current/Me` is asked for: only what the app uses. These two calls start every run, so
/// one property that Exact refuses here (a right the user lacks, a property it no longer has)
/// would stop every sync.
pub const ME_SELECT: &str = "CurrentDivision,Email,FullName,UserID";

/// What `system/Divisions` is asked for: the code and name shown, the currency amounts are in, the
/// country, and the two dates whose change means Exact regenerated the division's timestamps.
pub const DIVISIONS_SELECT: &str =
    "Code,Country,Currency,Description,DivisionHRLinkUnlinkDate,DivisionMoveDate";

/// What a body handler says about a 2xx answer.
#[derive(Debug)]
pub enum BodyError {
    /// Worth another try (truncated or unreadable body).
    Transient(String),
    /// Final.
    Fatal(Error),
    /// The answer is Exact refusing the sign-in, not the content (an HTML page where a file was
    /// expected): handled like a 401.
    Unauthorized(String),
}

/// One GET as [`ExactClient::send`] sends it, retried as a whole.
pub(crate) struct Get<'a> {
    /// The division whose budget the call is paced by and charged to, if any.
    pub(crate) division: Option<i32>,
    pub(crate) url: &'a str,
    pub(crate) options: &'a RequestOptions,
    pub(crate) accept: &'a str,
    /// Whether the call waits for Exact's 570 s refresh rule (API calls) or not (downloads:
    /// see [`crate::renewal`]).
    pub(crate) patience: Patience,
    /// Request preconditions (`If-None-Match`, `If-Modified-Since`) sent with every try; when
    /// there are any, a `304 Not Modified` is handed to the body handler like a 2xx (which must
    /// look at the status).
    pub(crate) conditions: &'a HeaderMap,
}

/// An Exact Online client for one user, app and instance.
#[derive(Debug, Clone)]
pub struct ExactClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base: Url,
    http: reqwest::Client,
    session: Session,
    pacer: Pacer,
    clock: SharedClock,
    retry: RetryPolicy,
    /// A download was answered with rate-limit headers: downloads count, so they are paced.
    downloads_counted: std::sync::atomic::AtomicBool,
}

impl ExactClient {
    pub fn new(config: ClientConfig, store: Arc<dyn TokenStore>) -> Result<Self> {
        let base = Url::parse(config.base_url.trim_end_matches('/'))
            .map_err(|e| Error::Protocol(format!("invalid base URL {:?}: {e}", config.base_url)))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(20))
            .tcp_nodelay(true)
            .user_agent(concat!("exact-offline/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Network(e.to_string()))?;
        let oauth = OAuth::new(base.as_str(), &config.app, http.clone())?;
        let session = Session::new(oauth, store, config.lock_path, Arc::clone(&config.clock));
        let pacer = Pacer::new(Arc::clone(&config.clock), config.pacing_margin_ms);
        let inner = Inner {
            base,
            http,
            session,
            pacer,
            clock: config.clock,
            retry: config.retry,
            downloads_counted: std::sync::atomic::AtomicBool::new(false),
        };
        Ok(ExactClient {
            inner: Arc::new(inner),
        })
    }

    /// Token lifecycle: sign-in, status, sign-out.
    pub fn session(&self) -> &Session {
        &self.inner.session
    }

    /// The browser URL that starts a sign-in.
    pub fn authorize_url(&self, state: &str, force_login: bool) -> String {
        self.inner.session.oauth().authorize_url(state, force_login)
    }

    /// What is known of a division's call budgets.
    pub fn rate(&self, division: i32) -> RateSnapshot {
        self.inner.pacer.snapshot(division)
    }

    /// The wait for Exact's 570 s refresh rule, while API calls are held by it. Never blocks.
    pub fn refresh_wait(&self) -> Option<RefreshWait> {
        self.inner.session.refresh_wait()
    }

    /// Told of every wait for Exact's refresh rule beginning or ending.
    pub fn refresh_waits(&self) -> tokio::sync::watch::Receiver<Option<RefreshWait>> {
        self.inner.session.refresh_waits()
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// `{base}/api/v1/{division}/{path}?{query}` with OData-safe encoding (spaces as `%20`).
    pub fn api_url(&self, division: Option<i32>, path: &str, query: &[(&str, &str)]) -> String {
        let base = self.inner.base.as_str().trim_end_matches('/');
        let scope = division.map_or_else(|| "current".to_owned(), |d| d.to_string());
        let mut url = format!("{base}/api/v1/{scope}/{}", path.trim_start_matches('/'));
        for (i, (key, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            url.push_str(&encode_query_value(value));
        }
        url
    }

    /// The signed-in user (`/api/v1/current/Me`): [`ME_SELECT`].
    pub async fn me(&self) -> Result<Record> {
        let url = self.api_url(None, "Me", &[("$select", ME_SELECT)]);
        let page = self
            .get_page(None, &url, &RequestOptions::default())
            .await?;
        page.records
            .into_iter()
            .next()
            .ok_or_else(|| Error::Protocol("Me returned no user".into()))
    }

    /// Every division the user can access (`system/Divisions`), read through any division the
    /// user has, typically `Me.CurrentDivision`.
    pub async fn divisions(&self, via_division: i32) -> Result<Vec<Record>> {
        let url = self.api_url(
            Some(via_division),
            "system/Divisions",
            &[("$select", DIVISIONS_SELECT)],
        );
        self.collect(via_division, &url).await
    }

    /// Pages of a sync endpoint (for example `sync/Logistics/Items`) with `Timestamp` above
    /// `since`, selecting `select` (comma-separated; Exact refuses `*`).
    pub fn sync(&self, division: i32, path: &str, select: &str, since: i64) -> Pager {
        let filter = format!("Timestamp gt {since}L");
        let url = self.api_url(
            Some(division),
            path,
            &[("$select", select), ("$filter", &filter)],
        );
        Pager::new(self.clone(), division, url, RequestOptions::default())
    }

    /// Pages of any collection URL, following `__next` verbatim.
    pub fn pages(&self, division: i32, url: String, options: RequestOptions) -> Pager {
        Pager::new(self.clone(), division, url, options)
    }

    /// Every record of a (small) collection.
    pub async fn collect(&self, division: i32, url: &str) -> Result<Vec<Record>> {
        let mut pager = self.pages(division, url.to_owned(), RequestOptions::default());
        let mut all = Vec::new();
        while let Some(page) = pager.next_page().await? {
            all.extend(page.records);
        }
        Ok(all)
    }

    /// One page of a collection, retried when the body is truncated or malformed.
    pub async fn get_page(
        &self,
        division: Option<i32>,
        url: &str,
        options: &RequestOptions,
    ) -> Result<Page> {
        self.execute(
            division,
            url,
            options,
            "application/json",
            |response| async move {
                let body = read_body(response).await?;
                // A 1 000-row page is megabytes of JSON: parse it off the async threads so that
                // it never stalls other requests (or a UI) for tens of milliseconds.
                tokio::task::spawn_blocking(move || parse_page(&body))
                    .await
                    .map_err(|e| BodyError::Transient(format!("the page parser stopped: {e}")))?
                    .map_err(|e| BodyError::Transient(e.to_string()))
            },
        )
        .await
    }

    /// One page of a collection as records kept in the JSON text received, with the properties
    /// `keep` selects parsed (see [`crate::odata::RawRecord`]); retried like [`Self::get_page`].
    pub async fn get_raw_page(
        &self,
        division: Option<i32>,
        url: &str,
        options: &RequestOptions,
        keep: &PropertyFilter,
    ) -> Result<RawPage> {
        self.execute(division, url, options, "application/json", |response| {
            let keep = Arc::clone(keep);
            async move {
                let body = read_body(response).await?;
                tokio::task::spawn_blocking(move || parse_raw_page(&body, &*keep))
                    .await
                    .map_err(|e| BodyError::Transient(format!("the page parser stopped: {e}")))?
                    .map_err(|e| BodyError::Transient(e.to_string()))
            }
        })
        .await
    }

    /// A page's body read whole (up to [`PAGE_CAP`]), retried like [`Self::get_page`] when it is
    /// cut off; the caller parses it (see [`crate::Pager::next_raw_page`]).
    pub(crate) async fn get_body(
        &self,
        division: Option<i32>,
        url: &str,
        options: &RequestOptions,
    ) -> Result<Bytes> {
        self.execute(division, url, options, "application/json", read_body)
            .await
    }

    /// Sends a GET through pacing, authentication, classification and retries; `handle` reads
    /// the body of a 2xx answer.
    pub async fn execute<T, F, Fut>(
        &self,
        division: Option<i32>,
        url: &str,
        options: &RequestOptions,
        accept: &str,
        handle: F,
    ) -> Result<T>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T, BodyError>>,
    {
        let unconditional = HeaderMap::new();
        let get = Get {
            division,
            url,
            options,
            accept,
            patience: Patience::Wait,
            conditions: &unconditional,
        };
        self.send(get, handle).await
    }

    /// [`Self::execute`] for any [`Get`]: waiting for Exact's 570 s rule or not, conditional or
    /// not.
    pub(crate) async fn send<T, F, Fut>(&self, get: Get<'_>, handle: F) -> Result<T>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T, BodyError>>,
    {
        let Get {
            division,
            url,
            options,
            accept,
            patience,
            conditions,
        } = get;
        let inner = &self.inner;
        self.check_origin(url)?;
        let mut retries = 0;
        let mut rate_limit_waits = 0;
        let mut auth = AuthTries::default();
        loop {
            let charged = match options.charge {
                Charge::Always => true,
                Charge::WhenCounted => inner.downloads_counted.load(Ordering::Relaxed),
            };
            if let Some(d) = division.filter(|_| charged) {
                inner.pacer.acquire(d).await?;
            }
            let bearer = match inner.session.bearer(patience).await? {
                Renewal::Ready(bearer) => bearer,
                Renewal::NotBefore(until) => {
                    return Err(Error::DownloadUnauthorized {
                        reason: "the sign-in waits for Exact's 570 s refresh rule".into(),
                        retry_after: Some(crate::clock::to_utc(until)),
                    });
                }
            };
            let mut request = inner
                .http
                .get(url)
                .bearer_auth(&bearer.token)
                .header(ACCEPT, accept)
                .headers(conditions.clone());
            if let Some(lang) = &options.language {
                request = request.header("CustomDescriptionLanguage", lang);
            }
            let failure = match request.send().await {
                Err(e) => Error::Network(describe(e)),
                Ok(response) => {
                    let status = response.status();
                    let headers = RateHeaders::from_headers(response.headers());
                    if let Some(d) = division {
                        inner.pacer.observe(d, &headers);
                        if options.charge == Charge::WhenCounted
                            && headers.minutely_remaining.is_some()
                            && !inner.downloads_counted.swap(true, Ordering::Relaxed)
                        {
                            tracing::info!(
                                "Exact counts downloads against the rate limits: pacing them"
                            );
                        }
                    }
                    let not_modified = status == StatusCode::NOT_MODIFIED && !conditions.is_empty();
                    if status.is_success() || not_modified {
                        match handle(response).await {
                            Ok(value) => return Ok(value),
                            Err(BodyError::Fatal(e)) => return Err(e),
                            Err(BodyError::Transient(m)) => Error::Protocol(m),
                            Err(BodyError::Unauthorized(reason)) => {
                                self.after_refusal(url, &bearer, reason, patience, &mut auth)
                                    .await?;
                                continue;
                            }
                        }
                    } else if status == StatusCode::UNAUTHORIZED {
                        let reason = message_of(response).await;
                        self.after_refusal(url, &bearer, reason, patience, &mut auth)
                            .await?;
                        continue;
                    } else if status.is_redirection() && redirects_to_login(&response) {
                        let reason = "Exact Online redirected the request to its login page";
                        self.after_refusal(url, &bearer, reason.into(), patience, &mut auth)
                            .await?;
                        continue;
                    } else if status == StatusCode::TOO_MANY_REQUESTS {
                        rate_limit_waits += 1;
                        tracing::warn!(url = %redact(url), "429 from Exact");
                        match division {
                            Some(d) => inner.pacer.on_too_many_requests(d, &headers)?,
                            None => {
                                inner
                                    .clock
                                    .sleep_ms(next_minute_wait(inner.clock.now_ms()))
                                    .await
                            }
                        }
                        if rate_limit_waits > inner.retry.max_rate_limit_waits {
                            let reset = headers
                                .minutely_reset
                                .unwrap_or_else(|| inner.clock.now_ms());
                            return Err(Error::RateLimited {
                                reset: crate::clock::to_utc(reset),
                            });
                        }
                        continue;
                    } else if status.is_server_error() {
                        Error::Server {
                            status: status.as_u16(),
                            message: message_of(response).await,
                        }
                    } else {
                        return Err(Error::Api {
                            status: status.as_u16(),
                            message: message_of(response).await,
                        });
                    }
                }
            };
            retries += 1;
            if retries >= inner.retry.max_attempts {
                return Err(failure);
            }
            let delay = inner.retry.delay_ms(retries);
            tracing::warn!(url = %redact(url), error = %failure, retries, delay_ms = delay, "transient failure; retrying");
            inner.clock.sleep_ms(delay).await;
        }
    }

    /// Exact refused `bearer` for `url`: try a token less than a minute old once more after a
    /// short delay, then get another token once (API calls wait for Exact's 570 s rule if need
    /// be; downloads do not), then give up. `Ok` means: send the request again.
    async fn after_refusal(
        &self,
        url: &str,
        bearer: &Bearer,
        reason: String,
        patience: Patience,
        auth: &mut AuthTries,
    ) -> Result<()> {
        let inner = &self.inner;
        let now = inner.clock.now_ms();
        if is_fresh(bearer.issued_at_ms, now) && auth.retried_fresh.as_ref() != Some(&bearer.token)
        {
            auth.retried_fresh = Some(bearer.token.clone());
            tracing::info!(
                url = %redact(url),
                token_age_ms = now - bearer.issued_at_ms,
                %reason,
                "Exact refused a token it has just issued; trying it again once"
            );
            inner.clock.sleep_ms(SPURIOUS_401_DELAY_MS).await;
            return Ok(());
        }
        if auth.refreshed {
            return Err(match patience {
                Patience::Wait => Error::AuthRequired { reason },
                Patience::NoWait => Error::DownloadUnauthorized {
                    reason,
                    retry_after: None,
                },
            });
        }
        auth.refreshed = true;
        tracing::info!(url = %redact(url), %reason, "Exact refused the token; replacing it once");
        match inner.session.renew(&bearer.token, patience).await? {
            Renewal::Ready(_) => Ok(()),
            Renewal::NotBefore(until) => Err(Error::DownloadUnauthorized {
                reason,
                retry_after: Some(crate::clock::to_utc(until)),
            }),
        }
    }

    /// Bearer tokens go to the configured instance only, whatever URL a record contains.
    fn check_origin(&self, url: &str) -> Result<()> {
        let target = Url::parse(url).map_err(|e| Error::Download(format!("invalid URL: {e}")))?;
        if target.origin() == self.inner.base.origin() {
            Ok(())
        } else {
            Err(Error::Download(format!(
                "refusing to send credentials to {}, which is not {}",
                target.origin().ascii_serialization(),
                self.inner.base.origin().ascii_serialization()
            )))
        }
    }
}

/// What one request has done about refused tokens.
#[derive(Default)]
struct AuthTries {
    /// The token last tried again for being just issued (each token once).
    retried_fresh: Option<String>,
    /// Whether the request already got another token after a refusal.
    refreshed: bool,
}

/// A redirect to Exact's login page (`/docs/Login.aspx?ReturnUrl=...`): how Exact answers a
/// download it does not take as signed in (picqer/exact-php-client #343).
fn redirects_to_login(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|location| location.to_ascii_lowercase().contains("login.aspx"))
}

/// A page's body, capped at [`PAGE_CAP`] inflated bytes. Over the cap is final: the same URL
/// would send the same answer again, and reading on would only use more memory.
async fn read_body(response: reqwest::Response) -> Result<Bytes, BodyError> {
    match read_capped(response, PAGE_CAP).await {
        Ok(body) => Ok(Bytes::from(body)),
        Err(e @ CapError::Cut(_)) => Err(BodyError::Transient(e.to_string())),
        Err(CapError::TooLarge(cap)) => Err(BodyError::Fatal(Error::Protocol(over_page_cap(cap)))),
    }
}

/// reqwest's Display hides the cause (connection reset, timeout); include the chain.
pub(crate) fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn next_minute_wait(now: i64) -> i64 {
    60_000 - now.rem_euclid(60_000) + 1_000
}

/// A URL for logs: path only, no query (queries can be long and carry filters).
fn redact(url: &str) -> String {
    Url::parse(url).map_or_else(|_| "<invalid url>".into(), |u| u.path().to_owned())
}

/// Percent-encodes a query value the way OData expects: spaces as `%20`, keeping `$ , ' ( ) :`.
fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b','
            | b'\''
            | b'('
            | b')'
            | b'$'
            | b':' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_odata_friendly() {
        assert_eq!(encode_query_value("Timestamp gt 5L"), "Timestamp%20gt%205L");
        assert_eq!(encode_query_value("ID,Code"), "ID,Code");
        assert_eq!(encode_query_value("Code eq 'a&b'"), "Code%20eq%20'a%26b'");
        assert_eq!(encode_query_value("é"), "%C3%A9");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for retry in 1..20 {
            let d = p.delay_ms(retry);
            assert!(
                d >= 1 && d <= p.max_delay_ms,
                "delay {d} out of bounds at retry {retry}"
            );
        }
        assert!(p.delay_ms(1) <= 1_000 && p.delay_ms(1) >= 500);
    }
}
