//! When a refused token may be replaced, as pure decisions, and the wait for Exact's 570 s rule
//! as state that callers can read while it lasts.
//!
//! Exact refuses a new token within 570 s of the previous issue, and has been seen answering 401
//! for up to about a minute to a token it has just issued (PipedreamHQ/pipedream #1655). So:
//! - a refusal of a token younger than [`FRESH_TOKEN_MS`] is tried once more with the same token
//!   after [`SPURIOUS_401_DELAY_MS`] (see [`crate::client`]);
//! - only then is the token replaced: at once when Exact's rule allows it (`next_step`);
//!   otherwise an API call waits until it does, and the wait is published as a [`RefreshWait`]
//!   ([`crate::Session::refresh_wait`], [`crate::TokenStatus::refresh_wait`]), while a download
//!   fails at once with [`crate::Error::DownloadUnauthorized`] and is tried again later.

use std::fmt;

use crate::clock::to_utc;
use crate::error::{Error, Result};
use crate::tokens::TokenSet;

/// Exact refuses a refresh within this long after the previous issue.
pub const MIN_TOKEN_AGE_MS: i64 = 570_000;
/// Refresh when less than this is left of the access token's life.
pub const REFRESH_WINDOW_MS: i64 = 30_000;
/// A refusal of a token younger than this may be Exact not knowing it yet: tried once more.
pub const FRESH_TOKEN_MS: i64 = 60_000;
/// How long to wait before trying a just-issued token again.
pub const SPURIOUS_401_DELAY_MS: i64 = 2_000;

/// Why a refresh is being held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// Exact refused a token that its 570 s rule does not let us replace yet.
    RefreshRule,
    /// After that wait Exact still called the refresh too early: its clock is ahead of ours.
    ClockBehind,
}

/// A refresh held back by Exact's 570 s rule: API calls wait until `until_ms`; downloads do not
/// wait and fail, to be tried again later. Displays as
/// `waiting for Exact's refresh rule until 14:03:12 UTC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RefreshWait {
    pub reason: WaitReason,
    /// When the wait began (epoch ms, client clock).
    pub since_ms: i64,
    /// When the refresh is tried (epoch ms, client clock).
    pub until_ms: i64,
}

impl fmt::Display for RefreshWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "waiting for Exact's refresh rule until {}",
            to_utc(self.until_ms).format("%H:%M:%S UTC")
        )?;
        if self.reason == WaitReason::ClockBehind {
            f.write_str(" (Exact's clock is ahead of ours)")?;
        }
        Ok(())
    }
}

/// Whether a caller may wait for Exact's 570 s rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Patience {
    /// API calls: wait until the refresh is allowed.
    Wait,
    /// Downloads: never wait for the rule; learn until when instead.
    NoWait,
}

/// An access token and when it was issued (client clock).
pub(crate) struct Bearer {
    pub token: String,
    pub issued_at_ms: i64,
}

impl Bearer {
    pub(crate) fn of(tokens: &TokenSet) -> Self {
        Bearer {
            token: tokens.access_token.clone(),
            issued_at_ms: tokens.issued_at_ms,
        }
    }
}

/// A token to use, or (only for [`Patience::NoWait`]) the instant before which Exact's rule
/// gives none.
pub(crate) enum Renewal {
    Ready(Bearer),
    NotBefore(i64),
}

impl Renewal {
    /// The token of a caller that waits (which never gets [`Renewal::NotBefore`]).
    pub(crate) fn into_token(self) -> Result<String> {
        match self {
            Renewal::Ready(bearer) => Ok(bearer.token),
            Renewal::NotBefore(_) => Err(Error::Protocol(
                "a token refresh that may wait returned without a token".into(),
            )),
        }
    }
}

/// What to do about a token that needs replacing (refused, or in its last 30 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Another task or process has already replaced it: use the stored set.
    UseStored,
    /// Ask Exact for a new token now.
    Refresh,
    /// Exact's 570 s rule refuses a refresh before this instant (epoch ms).
    NotBefore(i64),
}

/// The step for `stored` (the set in the store, read under the refresh lock), given the access
/// token this process holds (`held`) and the one Exact refused (`rejected`), at `now_ms`.
pub(crate) fn next_step(
    stored: &TokenSet,
    held: Option<&str>,
    rejected: Option<&str>,
    now_ms: i64,
) -> Step {
    let replaced_elsewhere = held != Some(stored.access_token.as_str());
    if replaced_elsewhere
        && rejected != Some(stored.access_token.as_str())
        && now_ms < stored.expires_at_ms - REFRESH_WINDOW_MS
    {
        return Step::UseStored;
    }
    let earliest = stored.issued_at_ms + MIN_TOKEN_AGE_MS;
    if now_ms < earliest {
        Step::NotBefore(earliest)
    } else {
        Step::Refresh
    }
}

/// Whether a refusal of a token issued at `issued_at_ms` may be Exact not knowing it yet.
pub(crate) fn is_fresh(issued_at_ms: i64, now_ms: i64) -> bool {
    now_ms - issued_at_ms < FRESH_TOKEN_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(token: &str, issued_at_ms: i64) -> TokenSet {
        TokenSet {
            access_token: token.into(),
            refresh_token: "r".into(),
            issued_at_ms,
            expires_at_ms: issued_at_ms + 600_000,
            refresh_expires_at_ms: issued_at_ms + crate::tokens::REFRESH_IDLE_MS,
        }
    }

    #[test]
    fn a_refused_token_is_replaced_only_when_exact_allows_it() {
        let stored = set("a", 1_000_000);
        assert_eq!(
            next_step(&stored, Some("a"), Some("a"), 1_000_000 + 300_000),
            Step::NotBefore(1_570_000),
            "a refused token five minutes old waits for the 570 s rule"
        );
        assert_eq!(
            next_step(&stored, Some("a"), Some("a"), 1_570_000),
            Step::Refresh,
            "at 570 s the refresh is due"
        );
        assert_eq!(
            next_step(&stored, None, None, 1_575_000),
            Step::Refresh,
            "in the last 30 s the token is refreshed"
        );
    }

    #[test]
    fn a_set_replaced_elsewhere_is_used_unless_it_is_the_refused_one() {
        let stored = set("b", 1_000_000);
        assert_eq!(
            next_step(&stored, Some("a"), Some("a"), 1_010_000),
            Step::UseStored,
            "another process refreshed: no refresh of our own"
        );
        assert_eq!(
            next_step(&stored, None, Some("b"), 1_010_000),
            Step::NotBefore(1_570_000),
            "the stored token is the refused one: it must be replaced"
        );
        assert_eq!(
            next_step(&stored, Some("a"), None, 1_580_000),
            Step::Refresh,
            "a stored set in its own last 30 s is refreshed"
        );
    }

    #[test]
    fn freshness_is_the_first_minute() {
        assert!(is_fresh(0, 59_999));
        assert!(!is_fresh(0, 60_000));
    }

    #[test]
    fn a_wait_says_until_when() {
        // 2023-05-12T08:18:25Z.
        let wait = RefreshWait {
            reason: WaitReason::RefreshRule,
            since_ms: 1_683_879_000_000,
            until_ms: 1_683_879_505_000,
        };
        assert_eq!(
            wait.to_string(),
            "waiting for Exact's refresh rule until 08:18:25 UTC"
        );
        let behind = RefreshWait {
            reason: WaitReason::ClockBehind,
            ..wait
        };
        assert!(
            behind
                .to_string()
                .ends_with("(Exact's clock is ahead of ours)")
        );
    }
}
