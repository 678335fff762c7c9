//! Progress as domain events. The shell forwards them to the UI or a terminal; they are hints
//! to re-query, and the cache holds the truth.

use std::sync::Arc;

use serde::Serialize;

/// What an entity's sync is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Waiting,
    Fetching,
    Deleting,
    Done,
    Failed,
    Skipped,
}

/// One progress report for one entity of one division.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgressEvent {
    pub division: i32,
    /// Entity name (`"Items"`) or `"Deleted"`.
    pub entity: String,
    pub phase: Phase,
    /// Rows applied so far in this run.
    pub rows: u64,
    pub pages: u64,
    pub calls: u64,
    /// Rows expected in total, when known (for a determinate bar).
    pub total: Option<u64>,
    pub minutely_remaining: Option<i64>,
    pub daily_remaining: Option<i64>,
    /// Rows per second over this entity so far.
    pub rate: Option<f64>,
    /// The error of a failed entity, with Exact's message.
    pub error: Option<String>,
    /// Why the division's calls wait, while they do ("waiting for Exact's refresh rule until
    /// 14:03:12 UTC"); `None` otherwise.
    pub waiting: Option<String>,
}

/// Where progress goes.
pub type ProgressSink = Arc<dyn Fn(ProgressEvent) + Send + Sync>;

/// A sink that drops every event.
pub fn ignore_progress() -> ProgressSink {
    Arc::new(|_| {})
}
