//! What happened to each asset, as domain events for the shell and totals for a run.
//!
//! Events are hints to re-query (the store is the truth): `Queued` when a job is accepted,
//! `Done` with its outcome (including failures and downloaded bytes) when it is finished.

use std::sync::Arc;

use serde::Serialize;

use crate::error::ErrorKind;
use crate::job::AssetKey;

/// How one job ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing new to store: the fingerprint matched what is stored (no request), or the record
    /// changed but Exact answered `304 Not Modified` for its file (the stored one is kept).
    Unchanged,
    /// The record has no picture (a placeholder URL or none).
    NoImage,
    /// Downloaded and stored (`bytes` downloaded; thumbnails reused when the content was known).
    Stored { hash: String, bytes: u64 },
    /// Not downloaded by the attachment setting or its size cap.
    Skipped { reason: String },
    /// Recorded in the asset's ref; retryable ones (see [`ErrorKind::is_retryable`]) are tried
    /// again on the next run.
    Failed { error: String, kind: ErrorKind },
}

/// A progress event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AssetEvent {
    Queued { key: AssetKey },
    Done { key: AssetKey, outcome: Outcome },
}

/// Receives progress events; called from worker tasks, so keep it quick (send on a channel).
pub type EventSink = Arc<dyn Fn(&AssetEvent) + Send + Sync>;

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub unchanged: u64,
    /// Of `unchanged`: records that changed, whose file Exact answered `304 Not Modified` for
    /// (a request without bytes; the stored file and thumbnails kept as they are).
    pub not_modified: u64,
    pub no_image: u64,
    pub stored: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Downloads made (each a request to Exact, those answered 304 included).
    pub downloads: u64,
    pub bytes: u64,
}

/// What one job asked of Exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Traffic {
    /// Download requests made.
    pub requests: u64,
    /// Exact answered `304 Not Modified` and the stored file was kept.
    pub not_modified: bool,
}

impl Summary {
    pub(crate) fn add(&mut self, outcome: &Outcome, traffic: Traffic) {
        match outcome {
            Outcome::Unchanged => {
                self.unchanged += 1;
                if traffic.not_modified {
                    self.not_modified += 1;
                }
            }
            Outcome::NoImage => self.no_image += 1,
            Outcome::Stored { bytes, .. } => {
                self.stored += 1;
                self.bytes += bytes;
            }
            Outcome::Skipped { .. } => self.skipped += 1,
            Outcome::Failed { .. } => self.failed += 1,
        }
        self.downloads += traffic.requests;
    }
}
