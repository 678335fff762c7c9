//! The one error type of the client. Variants are what the app acts on, not where it failed.

use chrono::{DateTime, Utc};

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

impl Error {
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
