//! The token lifecycle: a valid access token on demand, refreshed safely.
//!
//! Invariants:
//! - one refresh at a time: in-process through the `current` mutex (single flight), across
//!   processes through [`RefreshLock`]; after taking the lock the stored set is re-read, because
//!   another process may have refreshed in the meantime;
//! - the new token set is persisted before its access token is handed out, by a task that runs
//!   to completion even when the caller is cancelled; if the store refuses it, it goes to a rescue
//!   file next to the lock and is put back on the next load;
//! - whether a refresh token has expired is Exact's call (its lifetime varies), not ours;
//! - a refresh happens only in the last 30 s of the 600 s token life, or after a 401 (see
//!   [`crate::renewal`] for when it may happen at once);
//! - a caller that may wait (`Patience::Wait`, API calls) waits until Exact's 570 s rule
//!   allows the refresh, holding the `current` mutex so that no other call spends a request on
//!   the refused token meanwhile, and the wait is published ([`Session::refresh_wait`]); a
//!   caller that may not (`Patience::NoWait`, downloads) is told until when instead, also
//!   when another call is waiting;
//! - [`Session::status`] never waits for a refresh in flight;
//! - a dead chain becomes [`Error::AuthRequired`], never a retry loop.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard, watch};

use crate::clock::SharedClock;
use crate::error::{Error, Result};
use crate::oauth::{OAuth, TokenError};
use crate::renewal::{
    Bearer, MIN_TOKEN_AGE_MS, Patience, REFRESH_WINDOW_MS, RefreshWait, Renewal, Step, WaitReason,
    next_step,
};
use crate::tokens::{FileTokenStore, RefreshLock, TokenSet, TokenStore};

const TRANSIENT_ATTEMPTS: u32 = 4;

/// What the UI shows about the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TokenStatus {
    pub access_expires_at_ms: i64,
    /// The refresh token dies if unused until then; the user must sign in again after it.
    pub refresh_expires_at_ms: i64,
    /// Set while requests wait for Exact's 570 s refresh rule.
    pub refresh_wait: Option<RefreshWait>,
}

/// Tokens of one user for one app on one Exact instance.
#[derive(Debug)]
pub struct Session {
    oauth: OAuth,
    store: Arc<dyn TokenStore>,
    lock_path: PathBuf,
    clock: SharedClock,
    current: Mutex<Option<TokenSet>>,
    /// Set while a refresh waits for Exact's 570 s rule.
    wait: Arc<watch::Sender<Option<RefreshWait>>>,
}

impl Session {
    /// `lock_path` must be the same file for every process that shares `store`.
    pub fn new(
        oauth: OAuth,
        store: Arc<dyn TokenStore>,
        lock_path: PathBuf,
        clock: SharedClock,
    ) -> Self {
        Session {
            oauth,
            store,
            lock_path,
            clock,
            current: Mutex::new(None),
            wait: Arc::new(watch::Sender::new(None)),
        }
    }

    pub fn oauth(&self) -> &OAuth {
        &self.oauth
    }

    pub fn store(&self) -> &Arc<dyn TokenStore> {
        &self.store
    }

    /// Completes a sign-in with the code from the redirect and stores the tokens.
    pub async fn sign_in_with_code(&self, code: &str) -> Result<TokenStatus> {
        let mut current = self.current.lock().await;
        let tokens = self
            .oauth
            .exchange_code(code, self.clock.now_ms())
            .await
            .map_err(|e| match e {
                TokenError::Rejected(m) => Error::AuthRequired {
                    reason: format!("Exact refused the sign-in: {m}"),
                },
                TokenError::TooEarly => {
                    Error::Protocol("unexpected 'too early' answer to a code exchange".into())
                }
                TokenError::Transient(e) | TokenError::Fatal(e) => e,
            })?;
        let _lock = self.lock().await?;
        self.save(&tokens).await?;
        let status = status_of(&tokens, None);
        *current = Some(tokens);
        Ok(status)
    }

    /// Forgets the tokens here and in the store.
    pub async fn sign_out(&self) -> Result<()> {
        let mut current = self.current.lock().await;
        *current = None;
        let store = Arc::clone(&self.store);
        blocking(move || store.clear()).await
    }

    /// Expiry times of the stored sign-in, if any, and the wait for Exact's refresh rule while
    /// there is one. Does not wait for a refresh in flight: it then reports the stored set.
    pub async fn status(&self) -> Result<Option<TokenStatus>> {
        let wait = self.refresh_wait();
        let tokens = match self.current.try_lock() {
            Ok(mut current) => {
                if current.is_none() {
                    *current = self.load().await?;
                }
                current.clone()
            }
            Err(_) => self.peek().await?,
        };
        Ok(tokens.as_ref().map(|t| status_of(t, wait)))
    }

    /// The wait for Exact's 570 s refresh rule, while requests are held by it (see
    /// [`crate::renewal`]). Never blocks.
    pub fn refresh_wait(&self) -> Option<RefreshWait> {
        *self.wait.borrow()
    }

    /// Told of every change of [`Self::refresh_wait`]: a wait beginning or ending.
    pub fn refresh_waits(&self) -> watch::Receiver<Option<RefreshWait>> {
        self.wait.subscribe()
    }

    /// A valid access token, refreshed first if it is in its last 30 s.
    pub async fn access_token(&self) -> Result<String> {
        self.bearer(Patience::Wait).await?.into_token()
    }

    /// Exact answered 401 to `rejected`: get a different, valid access token (waiting, if
    /// needed, for Exact's 570 s rule) or fail with [`Error::AuthRequired`].
    pub async fn after_unauthorized(&self, rejected: &str) -> Result<String> {
        self.renew(rejected, Patience::Wait).await?.into_token()
    }

    /// A valid access token, refreshed first if it is in its last 30 s.
    pub(crate) async fn bearer(&self, patience: Patience) -> Result<Renewal> {
        let mut current = match self.lock_current(patience).await {
            Ok(current) => current,
            Err(until) => return Ok(Renewal::NotBefore(until)),
        };
        if current.is_none() {
            *current = self.load().await?;
        }
        let tokens = current.as_ref().ok_or_else(not_signed_in)?;
        if self.clock.now_ms() < tokens.expires_at_ms - REFRESH_WINDOW_MS {
            return Ok(Renewal::Ready(Bearer::of(tokens)));
        }
        self.refresh(&mut current, None, patience).await
    }

    /// Exact refused `rejected`: a different, valid access token, or until when Exact's rule
    /// gives none (only for [`Patience::NoWait`]).
    pub(crate) async fn renew(&self, rejected: &str, patience: Patience) -> Result<Renewal> {
        let mut current = match self.lock_current(patience).await {
            Ok(current) => current,
            Err(until) => return Ok(Renewal::NotBefore(until)),
        };
        if let Some(tokens) = current.as_ref()
            && tokens.access_token != rejected
            && self.clock.now_ms() < tokens.expires_at_ms - REFRESH_WINDOW_MS
        {
            // Another task already replaced it.
            return Ok(Renewal::Ready(Bearer::of(tokens)));
        }
        self.refresh(&mut current, Some(rejected), patience).await
    }

    /// The in-memory token set, locked. A caller that may not wait gets, instead of the lock,
    /// the end of a wait for Exact's rule that is holding it.
    async fn lock_current(
        &self,
        patience: Patience,
    ) -> Result<MutexGuard<'_, Option<TokenSet>>, i64> {
        if patience == Patience::Wait {
            return Ok(self.current.lock().await);
        }
        let mut waits = self.wait.subscribe();
        tokio::select! {
            biased;
            current = self.current.lock() => Ok(current),
            wait = waits.wait_for(Option::is_some) => {
                let until = wait.ok().and_then(|w| w.map(|w| w.until_ms));
                Err(until.unwrap_or_else(|| self.clock.now_ms()))
            }
        }
    }

    async fn refresh(
        &self,
        current: &mut Option<TokenSet>,
        rejected: Option<&str>,
        patience: Patience,
    ) -> Result<Renewal> {
        let held = |current: &Option<TokenSet>| current.as_ref().map(|c| c.access_token.clone());
        if patience == Patience::NoWait {
            // Decide before taking the refresh lock, which another process may hold while it
            // waits out Exact's rule.
            let stored = self.peek().await?.ok_or_else(not_signed_in)?;
            let step = next_step(
                &stored,
                held(current).as_deref(),
                rejected,
                self.clock.now_ms(),
            );
            if let Step::NotBefore(until) = step {
                return Ok(Renewal::NotBefore(until));
            }
        }
        let lock = self.lock().await?;
        let stored = self.load().await?.ok_or_else(not_signed_in)?;
        let step = next_step(
            &stored,
            held(current).as_deref(),
            rejected,
            self.clock.now_ms(),
        );
        match step {
            Step::UseStored => {
                tracing::debug!("tokens were refreshed by another process");
                let bearer = Bearer::of(&stored);
                *current = Some(stored);
                return Ok(Renewal::Ready(bearer));
            }
            Step::NotBefore(until) if patience == Patience::NoWait => {
                return Ok(Renewal::NotBefore(until));
            }
            Step::NotBefore(_) | Step::Refresh => {}
        }
        // The rotation runs as its own task: if the caller is cancelled (a sync stopped mid-call),
        // the refresh still completes and the new tokens are still stored. Dropping the answer of
        // a refresh Exact has already performed would kill the chain.
        let rotation = Rotation {
            oauth: self.oauth.clone(),
            store: Arc::clone(&self.store),
            clock: Arc::clone(&self.clock),
            rescue: self.rescue_path(),
            wait: Arc::clone(&self.wait),
            patience,
        };
        let task = tokio::spawn(async move {
            let _lock = lock;
            rotation.run(stored).await
        });
        match task.await {
            Ok(Ok(Ok(fresh))) => {
                let bearer = Bearer::of(&fresh);
                *current = Some(fresh);
                Ok(Renewal::Ready(bearer))
            }
            Ok(Ok(Err(until))) => Ok(Renewal::NotBefore(until)),
            Ok(Err(e)) => {
                if matches!(e, Error::AuthRequired { .. }) {
                    *current = None;
                }
                Err(e)
            }
            Err(e) => Err(Error::TokenStore(format!(
                "the token refresh task failed: {e}"
            ))),
        }
    }

    /// Where a rotated token set goes when the store refuses it, so that it is not lost.
    fn rescue_path(&self) -> PathBuf {
        crate::tokens::rescue_path(&self.lock_path)
    }

    async fn lock(&self) -> Result<RefreshLock> {
        let path = self.lock_path.clone();
        blocking(move || RefreshLock::acquire(&path)).await
    }

    async fn load(&self) -> Result<Option<TokenSet>> {
        let store = Arc::clone(&self.store);
        let rescue = self.rescue_path();
        blocking(move || {
            let stored = store.load()?;
            // A set rescued after a failed save is newer than the store's: put it back.
            let rescued = FileTokenStore::new(&rescue).load().ok().flatten();
            match rescued {
                Some(r)
                    if stored
                        .as_ref()
                        .is_none_or(|s| r.issued_at_ms > s.issued_at_ms) =>
                {
                    if store.save(&r).is_ok() {
                        let _ = std::fs::remove_file(&rescue);
                    }
                    Ok(Some(r))
                }
                Some(_) => {
                    let _ = std::fs::remove_file(&rescue);
                    Ok(stored)
                }
                None => Ok(stored),
            }
        })
        .await
    }

    /// The newest stored set (the store's or a rescued one), read without repairing anything:
    /// safe while a refresh is in flight.
    async fn peek(&self) -> Result<Option<TokenSet>> {
        let store = Arc::clone(&self.store);
        let rescue = self.rescue_path();
        blocking(move || {
            let stored = store.load()?;
            let rescued = FileTokenStore::new(&rescue).load().ok().flatten();
            Ok(match (stored, rescued) {
                (Some(s), Some(r)) if r.issued_at_ms > s.issued_at_ms => Some(r),
                (stored, rescued) => stored.or(rescued),
            })
        })
        .await
    }

    async fn save(&self, tokens: &TokenSet) -> Result<()> {
        let store = Arc::clone(&self.store);
        let tokens = tokens.clone();
        blocking(move || store.save(&tokens)).await
    }
}

/// One refresh of the chain, run to completion even if nobody waits for it any more.
struct Rotation {
    oauth: OAuth,
    store: Arc<dyn TokenStore>,
    clock: SharedClock,
    rescue: PathBuf,
    wait: Arc<watch::Sender<Option<RefreshWait>>>,
    patience: Patience,
}

impl Rotation {
    /// The new set, or (only for [`Patience::NoWait`]) until when Exact refuses one.
    async fn run(self, stored: TokenSet) -> Result<Result<TokenSet, i64>> {
        let mut attempt = 0;
        let mut waited_too_early = false;
        loop {
            let earliest = stored.issued_at_ms + MIN_TOKEN_AGE_MS;
            let now = self.clock.now_ms();
            if now < earliest {
                // Only after a premature 401: Exact would refuse the refresh until then.
                if self.patience == Patience::NoWait {
                    return Ok(Err(earliest));
                }
                self.hold(WaitReason::RefreshRule, earliest - now + 250)
                    .await;
            }
            match self
                .oauth
                .refresh(&stored.refresh_token, self.clock.now_ms())
                .await
            {
                Ok(fresh) => {
                    self.persist(&fresh).await;
                    return Ok(Ok(fresh));
                }
                Err(TokenError::TooEarly) if self.patience == Patience::NoWait => {
                    return Ok(Err(self.clock.now_ms() + 30_000));
                }
                Err(TokenError::TooEarly) if !waited_too_early => {
                    // Our clock is behind Exact's: give it a little more time, once.
                    waited_too_early = true;
                    self.hold(WaitReason::ClockBehind, 30_000).await;
                }
                Err(TokenError::TooEarly) => {
                    return Err(Error::Protocol(
                        "Exact keeps refusing the refresh as too early".into(),
                    ));
                }
                Err(TokenError::Rejected(reason)) => {
                    tracing::warn!(%reason, "the refresh chain is broken");
                    return Err(Error::AuthRequired { reason });
                }
                Err(TokenError::Transient(e)) if attempt + 1 < TRANSIENT_ATTEMPTS => {
                    attempt += 1;
                    tracing::warn!(error = %e, attempt, "token refresh failed; retrying");
                    self.clock.sleep_ms(1_000 << attempt).await;
                }
                Err(TokenError::Transient(e) | TokenError::Fatal(e)) => return Err(e),
            }
        }
    }

    /// Sleeps `ms` for Exact's rule, published as a [`RefreshWait`] while it lasts.
    async fn hold(&self, reason: WaitReason, ms: i64) {
        let now = self.clock.now_ms();
        let wait = RefreshWait {
            reason,
            since_ms: now,
            until_ms: now + ms,
        };
        tracing::info!(wait_ms = ms, "{wait}");
        self.wait.send_replace(Some(wait));
        // Cleared also if the runtime drops this task mid-sleep.
        let _clear = ClearOnDrop(&self.wait);
        self.clock.sleep_ms(ms).await;
    }

    /// Stores the new set; if the store refuses, writes it to the rescue file instead (the old
    /// refresh token is already dead, so the new set must survive somewhere).
    async fn persist(&self, fresh: &TokenSet) {
        let store = Arc::clone(&self.store);
        let rescue = self.rescue.clone();
        let tokens = fresh.clone();
        let outcome = blocking(move || match store.save(&tokens) {
            Ok(()) => Ok(None),
            Err(e) => FileTokenStore::new(&rescue).save(&tokens).map(|()| Some(e)),
        })
        .await;
        match outcome {
            Ok(None) => {}
            Ok(Some(e)) => {
                tracing::error!(error = %e, "the token store refused the new tokens; kept them in the rescue file")
            }
            Err(e) => {
                tracing::error!(error = %e, "the new tokens could not be stored anywhere; they live in memory only")
            }
        }
    }
}

/// Ends a published wait.
struct ClearOnDrop<'a>(&'a watch::Sender<Option<RefreshWait>>);

impl Drop for ClearOnDrop<'_> {
    fn drop(&mut self) {
        self.0.send_replace(None);
    }
}

fn status_of(t: &TokenSet, refresh_wait: Option<RefreshWait>) -> TokenStatus {
    TokenStatus {
        access_expires_at_ms: t.expires_at_ms,
        refresh_expires_at_ms: t.refresh_expires_at_ms,
        refresh_wait,
    }
}

fn not_signed_in() -> Error {
    Error::AuthRequired {
        reason: "not signed in to Exact Online".into(),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::TokenStore(format!("token store task failed: {e}")))?
}
