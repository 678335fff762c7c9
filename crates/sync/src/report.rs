//! The outcome of one sync run.

use offline_cache::SetAsideCounts;
use serde::Serialize;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every entity of every division is up to date.
    Succeeded,
    /// Some entities failed; the others are up to date.
    Partial,
    /// Nothing could be synced.
    Failed,
    Cancelled,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// What the error means for the user, so a shell can act on it without reading messages: the
/// client's [`exact_api::ErrorKind`] (see the conversion), the cache failing (`Storage`) or the
/// run being cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ErrorCode {
    AuthRequired,
    RateLimited,
    DailyLimit,
    Offline,
    Server,
    Protocol,
    Refused,
    Storage,
    Cancelled,
}

impl From<exact_api::ErrorKind> for ErrorCode {
    /// The client's kind under the same name. A download kind can only come from a page URL
    /// the client would not follow (one not on the instance): for a sync that is an answer it
    /// does not understand, which is what `Protocol` means here.
    fn from(kind: exact_api::ErrorKind) -> Self {
        use exact_api::ErrorKind as Kind;
        match kind {
            Kind::AuthRequired => ErrorCode::AuthRequired,
            Kind::RateLimited => ErrorCode::RateLimited,
            Kind::DailyLimit => ErrorCode::DailyLimit,
            Kind::Offline => ErrorCode::Offline,
            Kind::Server => ErrorCode::Server,
            Kind::Protocol | Kind::DownloadRefused | Kind::DownloadDeferred => ErrorCode::Protocol,
            Kind::Refused => ErrorCode::Refused,
            Kind::Storage => ErrorCode::Storage,
        }
    }
}

/// One entity of one division in a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EntityOutcome {
    pub division: i32,
    pub entity: String,
    pub rows_upserted: u64,
    pub rows_deleted: u64,
    pub calls: u64,
    /// Records that could not be stored as they are, kept apart with the reason.
    pub set_aside: SetAsideCounts,
    /// Properties left out of the read (until a full resync): Exact refused them, or they are
    /// in `too_large`.
    pub without: Vec<String>,
    /// The properties of `without` left out because a page with them was too large for Exact
    /// to serve (see `offline_cache::ExclusionCause::TooLarge`).
    pub too_large: Vec<String>,
    pub error: Option<(ErrorCode, String)>,
}

/// A finished run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunReport {
    pub run_id: i64,
    pub started_ms: i64,
    pub finished_ms: i64,
    pub outcome: Outcome,
    pub entities: Vec<EntityOutcome>,
    /// A failure before any entity (for example listing the divisions).
    pub error: Option<(ErrorCode, String)>,
}

impl RunReport {
    pub fn calls(&self) -> u64 {
        self.entities.iter().map(|e| e.calls).sum()
    }

    /// The calls made in each division, in the order the divisions were synced.
    pub fn calls_per_division(&self) -> Vec<(i32, u64)> {
        let mut calls: Vec<(i32, u64)> = Vec::new();
        for e in &self.entities {
            match calls.iter_mut().find(|(d, _)| *d == e.division) {
                Some((_, n)) => *n += e.calls,
                None => calls.push((e.division, e.calls)),
            }
        }
        calls
    }

    /// Whether any part failed because the user must sign in again.
    pub fn needs_sign_in(&self) -> bool {
        let auth =
            |e: &Option<(ErrorCode, String)>| matches!(e, Some((ErrorCode::AuthRequired, _)));
        auth(&self.error) || self.entities.iter().any(|e| auth(&e.error))
    }

    pub fn rows_upserted(&self) -> u64 {
        self.entities.iter().map(|e| e.rows_upserted).sum()
    }

    /// The records this run set aside, by reason.
    pub fn set_aside(&self) -> SetAsideCounts {
        let mut counts = SetAsideCounts::default();
        for e in &self.entities {
            counts.merge(&e.set_aside);
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exact_api::ErrorKind as Kind;

    #[test]
    fn the_clients_kinds_keep_their_names() {
        let cases = [
            (Kind::AuthRequired, ErrorCode::AuthRequired),
            (Kind::RateLimited, ErrorCode::RateLimited),
            (Kind::DailyLimit, ErrorCode::DailyLimit),
            (Kind::Offline, ErrorCode::Offline),
            (Kind::Server, ErrorCode::Server),
            (Kind::Protocol, ErrorCode::Protocol),
            (Kind::Refused, ErrorCode::Refused),
            (Kind::Storage, ErrorCode::Storage),
            // A sync never downloads: these only come from a page URL not on the instance.
            (Kind::DownloadRefused, ErrorCode::Protocol),
            (Kind::DownloadDeferred, ErrorCode::Protocol),
        ];
        for (kind, code) in cases {
            assert_eq!(ErrorCode::from(kind), code, "{kind:?}");
        }
    }
}
