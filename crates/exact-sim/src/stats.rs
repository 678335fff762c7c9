//! Call statistics for `/_sim/stats`: calls per endpoint, statuses, 429s, faults, downloads.

use std::collections::BTreeMap;

use serde::Serialize;

/// Counters since start or the last reset.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    pub total_calls: u64,
    /// `"GET /api/v1/123/sync/Logistics/Items"` → count (path without query string).
    pub calls: BTreeMap<String, u64>,
    /// `"200"` → count; calls dropped without a response count as `"reset"`.
    pub by_status: BTreeMap<String, u64>,
    pub served_429: u64,
    pub faults_injected: u64,
    pub token_requests: u64,
    pub downloads: u64,
    /// Body bytes of the pictures and attachments served (a `304 Not Modified` sends none).
    pub download_bytes: u64,
}

impl Stats {
    /// Counts one incoming call.
    pub fn call(&mut self, method: &str, path: &str) {
        self.total_calls += 1;
        *self.calls.entry(format!("{method} {path}")).or_default() += 1;
    }

    /// Counts the outcome of a call.
    pub fn status(&mut self, status: &str) {
        *self.by_status.entry(status.to_string()).or_default() += 1;
        if status == "429" {
            self.served_429 += 1;
        }
    }
}
