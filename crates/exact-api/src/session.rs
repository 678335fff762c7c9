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
//! - a refresh happens only in the last 30 s of the 600 s token life, or after a 401 (waiting, if
//!   needed, until Exact's 570 s rule allows it);
//! - a dead chain becomes [`Error::AuthRequired`], never a retry loop.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::clock::SharedClock;
use crate::error::{Error, Result};
use crate::oauth::{OAuth, TokenError};
use crate::tokens::{FileTokenStore, RefreshLock, TokenSet, TokenStore};

/// Refresh when less than this is left of the access token's life.
const REFRESH_WINDOW_MS: i64 = 30_000;
/// Exact refuses a refresh within this long after the previous issue.
const MIN_TOKEN_AGE_MS: i64 = 570_000;
const TRANSIENT_ATTEMPTS: u32 = 4;

/// What the UI shows about the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TokenStatus {
    pub access_expires_at_ms: i64,
    /// The refresh token dies if unused until then; the user must sign in again after it.
    pub refresh_expires_at_ms: i64,
}

/// Tokens of one user for one app on one Exact instance.
#[derive(Debug)]
pub struct Session {
    oauth: OAuth,
    store: Arc<dyn TokenStore>,
    lock_path: PathBuf,
    clock: SharedClock,
    current: Mutex<Option<TokenSet>>,
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
        let status = status_of(&tokens);
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

    /// Expiry times of the stored sign-in, if any.
    pub async fn status(&self) -> Result<Option<TokenStatus>> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.load().await?;
        }
        Ok(current.as_ref().map(status_of))
    }

    /// A valid access token, refreshed first if it is in its last 30 s.
    pub async fn access_token(&self) -> Result<String> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.load().await?;
        }
        let tokens = current.as_ref().ok_or_else(not_signed_in)?;
        if self.clock.now_ms() < tokens.expires_at_ms - REFRESH_WINDOW_MS {
            return Ok(tokens.access_token.clone());
        }
        self.refresh(&mut current, None).await
    }

    /// Exact answered 401 to `rejected`: get a different, valid access token or fail with
    /// [`Error::AuthRequired`].
    pub async fn after_unauthorized(&self, rejected: &str) -> Result<String> {
        let mut current = self.current.lock().await;
        if let Some(tokens) = current.as_ref()
            && tokens.access_token != rejected
            && self.clock.now_ms() < tokens.expires_at_ms - REFRESH_WINDOW_MS
        {
            // Another task already replaced it.
            return Ok(tokens.access_token.clone());
        }
        self.refresh(&mut current, Some(rejected)).await
    }

    async fn refresh(
        &self,
        current: &mut Option<TokenSet>,
        rejected: Option<&str>,
    ) -> Result<String> {
        let lock = self.lock().await?;
        let stored = self.load().await?.ok_or_else(not_signed_in)?;
        let now = self.clock.now_ms();
        let replaced_elsewhere = current
            .as_ref()
            .is_none_or(|c| c.access_token != stored.access_token);
        if replaced_elsewhere
            && rejected != Some(stored.access_token.as_str())
            && now < stored.expires_at_ms - REFRESH_WINDOW_MS
        {
            tracing::debug!("tokens were refreshed by another process");
            let token = stored.access_token.clone();
            *current = Some(stored);
            return Ok(token);
        }
        // The rotation runs as its own task: if the caller is cancelled (a sync stopped mid-call),
        // the refresh still completes and the new tokens are still stored. Dropping the answer of
        // a refresh Exact has already performed would kill the chain.
        let rotation = Rotation {
            oauth: self.oauth.clone(),
            store: Arc::clone(&self.store),
            clock: Arc::clone(&self.clock),
            rescue: self.rescue_path(),
        };
        let task = tokio::spawn(async move {
            let _lock = lock;
            rotation.run(stored).await
        });
        match task.await {
            Ok(Ok(fresh)) => {
                let token = fresh.access_token.clone();
                *current = Some(fresh);
                Ok(token)
            }
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
}

impl Rotation {
    async fn run(self, stored: TokenSet) -> Result<TokenSet> {
        let mut attempt = 0;
        let mut waited_too_early = false;
        loop {
            let earliest = stored.issued_at_ms + MIN_TOKEN_AGE_MS;
            let now = self.clock.now_ms();
            if now < earliest {
                // Only after a premature 401: Exact would refuse the refresh until then.
                tracing::info!(
                    wait_ms = earliest - now,
                    "waiting for Exact's 570 s refresh rule"
                );
                self.clock.sleep_ms(earliest - now + 250).await;
            }
            match self
                .oauth
                .refresh(&stored.refresh_token, self.clock.now_ms())
                .await
            {
                Ok(fresh) => {
                    self.persist(&fresh).await;
                    return Ok(fresh);
                }
                Err(TokenError::TooEarly) if !waited_too_early => {
                    // Our clock is behind Exact's: give it a little more time, once.
                    waited_too_early = true;
                    self.clock.sleep_ms(30_000).await;
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

fn status_of(t: &TokenSet) -> TokenStatus {
    TokenStatus {
        access_expires_at_ms: t.expires_at_ms,
        refresh_expires_at_ms: t.refresh_expires_at_ms,
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
