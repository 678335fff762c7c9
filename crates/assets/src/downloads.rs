//! The runner: brings assets up to date from jobs, downloading only what changed.
//!
//! Invariants:
//! - a download happens only when the job's fingerprint differs from the stored one (or the
//!   stored content is gone, or the last attempt failed in a way worth retrying);
//! - at most `per_division` downloads run at once per division, each capped in size;
//! - downloads are paced with the division's API calls only once Exact's answers to them carry
//!   rate-limit headers (`paced: false`, the default): Exact does not document that picture
//!   downloads count against the API budget, and charging them when they do not would halve
//!   the record sync's minutely budget. Their headers are read either way; the concurrency
//!   bound keeps them polite, and a 429 is still survived. Set `paced` to always charge them;
//! - decoding and thumbnailing run on the blocking pool, at most one per core, so the async
//!   runtime and the record sync are never blocked, and all of them within the process's one
//!   [`crate::DecodeBudget`] of memory (a decode waits there, off the runtime, for its turn);
//! - every failure is recorded in the asset's ref and the run moves on; retryable ones (network,
//!   limits, a sign-in Exact refused, its blank 1×1 image) are tried again on the next run, with
//!   a previously stored file kept meanwhile;
//! - a re-download of a stored file is conditional when Exact's answer for it carried an `ETag`
//!   or a `Last-Modified` (kept in the ref with the URL they came from, sent back only to that
//!   URL); a `304 Not Modified` keeps the stored file and thumbnails as they are (no bytes, no
//!   hash, no decode) and counts as unchanged, unless the stored file turns out to be missing or
//!   of the wrong size: then it is downloaded once more, unconditionally. Without validators
//!   (Exact does not document them for `/docs/`) every download is made in full.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use exact_api::{ExactClient, Fetched};
use futures::StreamExt;
use tokio::sync::{RwLock, Semaphore, mpsc};

use crate::error::{Error, Result};
use crate::intake::{free_name, ingest};
use crate::job::{AssetJob, AssetKey, AssetKind};
use crate::open_policy::{OpenPolicy, open_policy_for_file};
use crate::policy::{AssetConfig, Plan, plan};
use crate::progress::{AssetEvent, EventSink, Outcome, Summary, Traffic};
use crate::retention::{Collected, Usage};
use crate::store::{AssetFile, AssetRef, AssetState, Rendition, Store, StoredValidators};

/// The asset runner and the shell's way in. Cheap to clone.
#[derive(Clone)]
pub struct Assets {
    inner: Arc<Inner>,
}

struct Inner {
    client: ExactClient,
    store: Store,
    config: AssetConfig,
    divisions: Mutex<HashMap<i32, Arc<Semaphore>>>,
    decoders: Semaphore,
    /// Jobs hold it shared; garbage collection and clearing hold it exclusively.
    maintenance: RwLock<()>,
    events: Option<EventSink>,
}

/// What one download brought.
enum Fetch {
    /// The file, stored, with the validators its answer carried.
    Stored {
        state: AssetState,
        outcome: Outcome,
        validators: exact_api::Validators,
    },
    /// `304 Not Modified` to a conditional request, with the validators it repeated.
    NotModified(exact_api::Validators),
}

/// An attachment copied out of the store for the user, and how it may be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAttachment {
    /// The copy, under its sanitised name.
    pub path: PathBuf,
    pub policy: OpenPolicy,
}

impl std::fmt::Debug for Assets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assets")
            .field("root", &self.inner.store.root())
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Assets {
    /// A runner storing under `root`, downloading through `client`.
    pub fn open(
        client: ExactClient,
        root: impl Into<PathBuf>,
        config: AssetConfig,
        events: Option<EventSink>,
    ) -> Result<Assets> {
        let store = Store::open(root)?;
        let decoders = Semaphore::new(config.decode_threads.max(1));
        Ok(Assets {
            inner: Arc::new(Inner {
                client,
                store,
                config,
                divisions: Mutex::new(HashMap::new()),
                decoders,
                maintenance: RwLock::new(()),
                events,
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Processes jobs from a channel until it closes, up to `concurrency` at a time.
    pub async fn run(&self, jobs: mpsc::Receiver<AssetJob>, concurrency: usize) -> Summary {
        let stream = futures::stream::unfold(jobs, |mut rx| async move {
            rx.recv().await.map(|job| (job, rx))
        });
        self.drain(stream, concurrency).await
    }

    /// Processes a list of jobs (sorted by key, so runs are reproducible).
    pub async fn process_all(&self, mut jobs: Vec<AssetJob>, concurrency: usize) -> Summary {
        jobs.sort_by(|a, b| a.key.cmp(&b.key));
        self.drain(futures::stream::iter(jobs), concurrency).await
    }

    async fn drain(
        &self,
        jobs: impl futures::Stream<Item = AssetJob>,
        concurrency: usize,
    ) -> Summary {
        let summary = Mutex::new(Summary::default());
        jobs.for_each_concurrent(Some(concurrency.max(1)), |job| {
            let summary = &summary;
            async move {
                self.emit(AssetEvent::Queued {
                    key: job.key.clone(),
                });
                let (outcome, traffic) = self.process(&job, false).await;
                if let Ok(mut s) = summary.lock() {
                    s.add(&outcome, traffic);
                }
                self.emit(AssetEvent::Done {
                    key: job.key,
                    outcome,
                });
            }
        })
        .await;
        summary.into_inner().unwrap_or_default()
    }

    /// Downloads an attachment now (the user opened it), whatever its size up to
    /// `max_attachment_bytes`, unless the setting is [`AttachmentPolicy::None`].
    pub async fn fetch_on_demand(&self, job: &AssetJob) -> Outcome {
        self.process(job, true).await.0
    }

    /// The file to show for `key` (for a custom URI scheme); `None` when there is nothing to
    /// show (no image, not downloaded yet, failed).
    pub fn lookup(&self, key: &AssetKey, rendition: Rendition) -> Option<AssetFile> {
        self.inner.store.lookup(key, rendition)
    }

    /// Copies a stored attachment into `dir` like [`Assets::save_attachment`] and decides how
    /// the copy may be opened, from the copy's own name and first bytes (what the operating
    /// system will look at). The shell opens it only for [`OpenPolicy::Open`]; otherwise it
    /// shows the file in its folder unless the user confirms.
    pub fn save_attachment_to_open(&self, key: &AssetKey, dir: &Path) -> Result<SavedAttachment> {
        let path = self.save_attachment(key, dir)?;
        let policy = open_policy_for_file(&path)?;
        Ok(SavedAttachment { path, policy })
    }

    /// Copies a stored attachment into `dir` under its sanitised name (never overwriting:
    /// `name (2).pdf` and so on), and returns the path written.
    pub fn save_attachment(&self, key: &AssetKey, dir: &Path) -> Result<PathBuf> {
        let stored = self.inner.store.read_ref(key).ok_or(Error::NotDownloaded)?;
        let file = self
            .inner
            .store
            .lookup(key, Rendition::Original)
            .ok_or(Error::NotDownloaded)?;
        let name = crate::file_name::safe_file_name(stored.file_name.as_deref().unwrap_or(""));
        let dest = free_name(dir, &name);
        std::fs::copy(&file.path, &dest).map_err(Error::io(&dest))?;
        Ok(dest)
    }

    /// Size of the store on disk.
    pub async fn usage(&self) -> Result<Usage> {
        let inner = Arc::clone(&self.inner);
        blocking(move || inner.store.usage()).await
    }

    /// Removes content no record refers to; waits for running jobs.
    pub async fn collect_garbage(&self) -> Result<Collected> {
        let _exclusive = self.inner.maintenance.write().await;
        let inner = Arc::clone(&self.inner);
        blocking(move || inner.store.collect_garbage()).await
    }

    /// Clears the image and attachment cache; everything is fetched again when needed.
    pub async fn clear(&self) -> Result<()> {
        let _exclusive = self.inner.maintenance.write().await;
        let inner = Arc::clone(&self.inner);
        blocking(move || inner.store.clear()).await
    }

    /// Forgets the asset of a deleted record (its files go at the next garbage collection).
    pub fn forget(&self, key: &AssetKey) -> Result<()> {
        self.inner.store.forget(key)
    }

    fn emit(&self, event: AssetEvent) {
        if let Some(sink) = &self.inner.events {
            sink(&event);
        }
    }

    /// One job: its outcome and what it asked of Exact.
    async fn process(&self, job: &AssetJob, on_demand: bool) -> (Outcome, Traffic) {
        let _shared = self.inner.maintenance.read().await;
        let store = &self.inner.store;
        let previous = store.read_ref(&job.key);
        let plan = plan(&self.inner.config, job, on_demand);
        if let Some(previous) = &previous
            && self.up_to_date(previous, job, &plan)
        {
            return (Outcome::Unchanged, Traffic::default());
        }
        let (url, cap, file_name) = match plan {
            Plan::NoImage => {
                let outcome = self.record(job, AssetState::NoImage, None, None, Outcome::NoImage);
                return (outcome, Traffic::default());
            }
            Plan::Skip(reason) => {
                let state = AssetState::Skipped {
                    reason: reason.clone(),
                };
                let outcome = self.record(job, state, None, None, Outcome::Skipped { reason });
                return (outcome, Traffic::default());
            }
            Plan::Download {
                url,
                cap,
                file_name,
            } => (url, cap, file_name),
        };
        let mut traffic = Traffic::default();
        if let Some((kept, validators)) = previous.as_ref().and_then(|p| revalidation(p, job, &url))
        {
            traffic.requests += 1;
            match self.download(job, &url, cap, Some(&validators)).await {
                Ok(Fetch::NotModified(answer)) if self.intact(&kept) => {
                    traffic.not_modified = true;
                    let validators = Some(validators.updated_by(answer));
                    let outcome = self.record(job, kept, file_name, validators, Outcome::Unchanged);
                    return (outcome, traffic);
                }
                Ok(Fetch::NotModified(_)) => tracing::info!(
                    key = ?job.key,
                    "Exact has the file unchanged but the stored copy is missing or damaged; \
                     downloading it in full"
                ),
                other => {
                    let outcome = self.settle(job, previous.as_ref(), &url, file_name, other);
                    return (outcome, traffic);
                }
            }
        }
        traffic.requests += 1;
        let fetched = self.download(job, &url, cap, None).await;
        let outcome = self.settle(job, previous.as_ref(), &url, file_name, fetched);
        (outcome, traffic)
    }

    /// Records what a download brought, or why it failed (keeping a stored file over a
    /// retryable failure), and returns the outcome.
    fn settle(
        &self,
        job: &AssetJob,
        previous: Option<&AssetRef>,
        url: &str,
        file_name: Option<String>,
        fetched: Result<Fetch>,
    ) -> Outcome {
        let e = match fetched {
            Ok(Fetch::Stored {
                state,
                outcome,
                validators,
            }) => {
                let validators = StoredValidators::new(url, validators);
                return self.record(job, state, file_name, validators, outcome);
            }
            // Only for a request that asked for it, which is handled before this.
            Ok(Fetch::NotModified(_)) => Error::Download(exact_api::Error::Protocol(
                "Exact Online answered 304 Not Modified to a download that was not conditional"
                    .into(),
            )),
            Err(e) => e,
        };
        let kind = e.kind();
        let retryable = kind.is_retryable();
        let outcome = Outcome::Failed {
            error: e.to_string(),
            kind,
        };
        tracing::warn!(key = ?job.key, error = %e, "asset failed");
        let keep_old = retryable
            && matches!(
                previous,
                Some(AssetRef {
                    state: AssetState::Stored { .. },
                    ..
                })
            );
        if keep_old {
            return outcome;
        }
        let state = AssetState::Failed {
            error: e.to_string(),
            retryable,
        };
        self.record(job, state, file_name, None, outcome)
    }

    fn up_to_date(&self, previous: &AssetRef, job: &AssetJob, plan: &Plan) -> bool {
        if previous.fingerprint != job.fingerprint {
            return false;
        }
        match &previous.state {
            AssetState::NoImage => matches!(plan, Plan::NoImage),
            AssetState::Stored { hash, thumbs, .. } => {
                let store = &self.inner.store;
                store.original_path(hash).is_file()
                    && thumbs.is_none_or(|f| store.has_thumbnails(hash, f))
            }
            AssetState::Skipped { .. } => matches!(plan, Plan::Skip(_)),
            AssetState::Failed { retryable, .. } => !retryable,
        }
    }

    /// Whether a stored file is all there to be kept after a 304: the original at the size it
    /// was stored with (a cheap check; a 304 is not worth a re-hash) and its thumbnails.
    fn intact(&self, state: &AssetState) -> bool {
        let AssetState::Stored {
            hash,
            bytes,
            thumbs,
            ..
        } = state
        else {
            return false;
        };
        let store = &self.inner.store;
        std::fs::metadata(store.original_path(hash)).is_ok_and(|m| m.is_file() && m.len() == *bytes)
            && thumbs.is_none_or(|f| store.has_thumbnails(hash, f))
    }

    /// Writes the ref; a store failure turns the outcome into a (retryable) storage failure.
    fn record(
        &self,
        job: &AssetJob,
        state: AssetState,
        file_name: Option<String>,
        validators: Option<StoredValidators>,
        outcome: Outcome,
    ) -> Outcome {
        let value = AssetRef {
            fingerprint: job.fingerprint.clone(),
            state,
            file_name,
            validators,
        };
        match self.inner.store.write_ref(&job.key, &value) {
            Ok(()) => outcome,
            Err(e) => Outcome::Failed {
                error: e.to_string(),
                kind: e.kind(),
            },
        }
    }

    /// Downloads `url`, conditionally on `stored` when given, and stores what comes in full.
    async fn download(
        &self,
        job: &AssetJob,
        url: &str,
        cap: u64,
        stored: Option<&StoredValidators>,
    ) -> Result<Fetch> {
        let division = job.key.division;
        let gate = self.division_gate(division);
        let temp = self.inner.store.temp_path("download");
        let sent = stored.map(StoredValidators::to_request).unwrap_or_default();
        let fetched = {
            let _permit = gate
                .acquire()
                .await
                .map_err(|e| Error::Task(e.to_string()))?;
            let client = &self.inner.client;
            match self.inner.config.paced {
                true => {
                    client
                        .download_to_if_changed(Some(division), url, &temp, cap, &sent)
                        .await
                }
                false => {
                    client
                        .download_for_if_changed(division, url, &temp, cap, &sent)
                        .await
                }
            }
        };
        let download = match fetched {
            Ok(Fetched::Downloaded(d)) => d,
            Ok(Fetched::NotModified(answer)) => return Ok(Fetch::NotModified(answer)),
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e.into());
            }
        };
        let is_picture = job.key.kind() != AssetKind::Attachment;
        let _decoder = self
            .inner
            .decoders
            .acquire()
            .await
            .map_err(|e| Error::Task(e.to_string()))?;
        let inner = Arc::clone(&self.inner);
        let path = download.path.clone();
        let result =
            blocking(move || ingest(&inner.store, &inner.config.limits, &path, is_picture)).await;
        let _ = std::fs::remove_file(&download.path);
        let state = result?;
        let outcome = match &state {
            AssetState::Stored { hash, .. } => Outcome::Stored {
                hash: hash.clone(),
                bytes: download.bytes,
            },
            _ => Outcome::NoImage,
        };
        Ok(Fetch::Stored {
            state,
            outcome,
            validators: download.validators,
        })
    }

    fn division_gate(&self, division: i32) -> Arc<Semaphore> {
        let per_division = self.inner.config.per_division.max(1);
        match self.inner.divisions.lock() {
            Ok(mut map) => Arc::clone(
                map.entry(division)
                    .or_insert_with(|| Arc::new(Semaphore::new(per_division))),
            ),
            Err(_) => Arc::new(Semaphore::new(per_division)),
        }
    }
}

/// The stored state and validators to make `job`'s download conditional with: only for a stored
/// file whose record changed (with an unchanged record, a download means the stored files are
/// incomplete: it is made in full), and only to the URL the validators came from.
fn revalidation(
    previous: &AssetRef,
    job: &AssetJob,
    url: &str,
) -> Option<(AssetState, StoredValidators)> {
    if previous.fingerprint == job.fingerprint
        || !matches!(previous.state, AssetState::Stored { .. })
    {
        return None;
    }
    let validators = previous.validators.as_ref().filter(|v| v.belong_to(url))?;
    Some((previous.state.clone(), validators.clone()))
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}
