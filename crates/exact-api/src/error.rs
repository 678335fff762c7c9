//! The one error type of the client, and the one place it is classified: [`Error::kind`] says
//! what a failure means, and the sync engine, the asset downloads and the shell all derive their
//! codes and retry decisions from it, so a new variant is classified here or nowhere.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Why a call to Exact Online did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No usable tokens: never signed in, the refresh chain is broken, or the refresh token expired.
    /// The user must sign in again.
    #[error("sign in to Exact Online again: {reason}")]
    AuthRequired { reason: String },
    /// Exact's minutely limit was hit more often than the retry budget allows.
    #[error("Exact Online's rate limit was reached; retry after {reset}")]
    RateLimited { reset: DateTime<Utc> },
    /// The daily call budget of this division is spent; nothing more until `reset`.
    #[error("the daily Exact Online call limit for division {division} is used up until {reset}")]
    DailyLimit { division: i32, reset: DateTime<Utc> },
    /// The network failed (connect, reset, timeout, truncated body) after the allowed retries.
    #[error("could not reach Exact Online: {0}")]
    Network(String),
    /// Exact answered 5xx after the allowed retries.
    #[error("Exact Online had a server error ({status}): {message}")]
    Server { status: u16, message: String },
    /// The answer did not follow the protocol (malformed JSON, missing envelope, bad token reply).
    #[error("Exact Online sent an unexpected answer: {0}")]
    Protocol(String),
    /// Exact refused the request (4xx other than 401/429); never retried.
    #[error("Exact Online refused the request ({status}): {message}")]
    Api { status: u16, message: String },
    /// Tokens could not be read or written locally.
    #[error("the token store failed: {0}")]
    TokenStore(String),
    /// A download was larger than its cap, or a URL pointed somewhere the token must not go.
    #[error("download refused: {0}")]
    Download(String),
    /// A download was refused as not signed in (a 401, a redirect to Exact's login page, or an
    /// HTML page instead of the file) and no other token could be had without waiting for
    /// Exact's 570 s refresh rule, which a download never does. Nothing is known to be wrong
    /// with the file: try it again later, after `retry_after` when that is known.
    #[error("{}", refused_download(.reason, .retry_after))]
    DownloadUnauthorized {
        reason: String,
        retry_after: Option<DateTime<Utc>>,
    },
}

fn refused_download(reason: &str, retry_after: &Option<DateTime<Utc>>) -> String {
    let when = retry_after.map_or_else(
        || "later".to_owned(),
        |t| format!("after {}", t.format("%H:%M:%S UTC")),
    );
    format!(
        "Exact Online did not accept the sign-in for this download ({reason}); try it again {when}"
    )
}

/// What a failure of the client means for its caller, whatever the details: the codes every
/// caller builds its own from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The user must sign in again.
    AuthRequired,
    /// Exact's minutely limit held the call back too often; the next window may serve it.
    RateLimited,
    /// The division's daily call budget is spent until its reset.
    DailyLimit,
    /// Exact Online could not be reached.
    Offline,
    /// Exact Online failed on its side (5xx).
    Server,
    /// Exact answered something this client does not understand.
    Protocol,
    /// Exact refused the request as it was asked (a 4xx other than 401 and 429), and will
    /// refuse it again until it changes.
    Refused,
    /// The tokens could not be read or written on this computer.
    Storage,
    /// The client would not make or finish a download (larger than its cap, a URL that is not
    /// the instance's, the file not writable), and will not for the same file.
    DownloadRefused,
    /// Exact did not take a download as signed in; nothing is known to be wrong with the file,
    /// and it is to be tried again later.
    DownloadDeferred,
}

impl ErrorKind {
    /// Whether the same request may succeed later as it is, after a wait, a sign-in or the
    /// network coming back. A refusal stays until what is asked changes: trying it again only
    /// costs calls (and Exact blocks an app after ten errors per endpoint per hour).
    pub fn is_retryable(self) -> bool {
        !matches!(self, ErrorKind::Refused | ErrorKind::DownloadRefused)
    }
}

impl Error {
    /// What this failure means (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::AuthRequired { .. } => ErrorKind::AuthRequired,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::DailyLimit { .. } => ErrorKind::DailyLimit,
            Error::Network(_) => ErrorKind::Offline,
            Error::Server { .. } => ErrorKind::Server,
            Error::Protocol(_) => ErrorKind::Protocol,
            Error::Api { .. } => ErrorKind::Refused,
            Error::TokenStore(_) => ErrorKind::Storage,
            Error::Download(_) => ErrorKind::DownloadRefused,
            Error::DownloadUnauthorized { .. } => ErrorKind::DownloadDeferred,
        }
    }

    /// Whether trying the same request again later may succeed (see [`ErrorKind::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }

    /// Whether this failure, after the client's retries, is one that an answer too large for
    /// Exact to serve may end in: a server error (5xx), or a page's body cut off or over
    /// [`crate::body::PAGE_CAP`]. Exact caps a response message (38 MB in the Netherlands and
    /// Belgium, 9.5 MB elsewhere) and does not document what it answers past the cap, so a
    /// caller that can ask for less (fewer properties) may try that. A connection that fails
    /// before any answer is not counted: it is far likelier to be the network.
    pub fn may_be_too_large(&self) -> bool {
        match self {
            Error::Server { .. } => true,
            Error::Protocol(message) => crate::body::cut_or_over_cap(message),
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn reset() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).expect("a valid instant")
    }

    /// One error of every variant, with the kind it must have and whether it is retryable.
    fn every_variant() -> Vec<(Error, ErrorKind, bool)> {
        vec![
            (
                Error::AuthRequired {
                    reason: "the refresh token expired".into(),
                },
                ErrorKind::AuthRequired,
                true,
            ),
            (
                Error::RateLimited { reset: reset() },
                ErrorKind::RateLimited,
                true,
            ),
            (
                Error::DailyLimit {
                    division: 1001,
                    reset: reset(),
                },
                ErrorKind::DailyLimit,
                true,
            ),
            (
                Error::Network("connection reset".into()),
                ErrorKind::Offline,
                true,
            ),
            (
                Error::Server {
                    status: 503,
                    message: "Service Unavailable".into(),
                },
                ErrorKind::Server,
                true,
            ),
            (
                Error::Protocol("the response is not valid JSON".into()),
                ErrorKind::Protocol,
                true,
            ),
            (
                Error::Api {
                    status: 400,
                    message: "Could not find a property named 'Body'".into(),
                },
                ErrorKind::Refused,
                false,
            ),
            (
                Error::TokenStore("keychain write failed".into()),
                ErrorKind::Storage,
                true,
            ),
            (
                Error::Download("the file is larger than the 1024-byte cap".into()),
                ErrorKind::DownloadRefused,
                false,
            ),
            (
                Error::DownloadUnauthorized {
                    reason: "Exact Online sent an HTML page instead of the file".into(),
                    retry_after: Some(reset()),
                },
                ErrorKind::DownloadDeferred,
                true,
            ),
        ]
    }

    #[test]
    fn every_variant_has_its_kind_and_retryability() {
        for (error, kind, retryable) in every_variant() {
            assert_eq!(error.kind(), kind, "{error:?}");
            assert_eq!(
                error.is_retryable(),
                retryable,
                "only refusals are final, whatever else failed: {error:?}"
            );
            assert_eq!(error.is_retryable(), kind.is_retryable(), "{error:?}");
        }
    }

    #[test]
    fn every_kind_is_reached() {
        let reached: std::collections::HashSet<ErrorKind> =
            every_variant().iter().map(|(e, _, _)| e.kind()).collect();
        assert_eq!(
            reached.len(),
            10,
            "each kind names a distinct meaning, reached by some variant: {reached:?}"
        );
    }

    #[test]
    fn kinds_serialize_as_snake_case_codes() {
        let code = serde_json::to_value(ErrorKind::DownloadDeferred).expect("serializes");
        assert_eq!(code, serde_json::json!("download_deferred"));
    }

    #[test]
    fn only_server_errors_and_cut_or_oversized_pages_may_be_too_large() {
        let server = Error::Server {
            status: 500,
            message: "An error occurred while processing this request.".into(),
        };
        assert!(server.may_be_too_large());
        let cut = Error::Protocol("the body was cut off: connection reset".into());
        assert!(cut.may_be_too_large());
        let over = Error::Protocol(crate::body::over_page_cap(crate::body::PAGE_CAP));
        assert!(over.may_be_too_large());
        for other in [
            Error::Protocol("the response is not valid JSON: expected value".into()),
            Error::Network("connection refused".into()),
            Error::Api {
                status: 400,
                message: "Could not find a property named 'Body'".into(),
            },
        ] {
            assert!(!other.may_be_too_large(), "{other}");
        }
    }
}
