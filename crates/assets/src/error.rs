//! Errors of the asset store and its downloads. Picture errors are per asset: they are recorded
//! in that asset's ref and processing moves on.

use std::path::PathBuf;

use serde::Serialize;

/// Why a downloaded file could not become thumbnails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    #[error("the file is empty (zero bytes)")]
    Empty,
    #[error("the file is not a picture: {0}")]
    NotAPicture(String),
    #[error("the picture is too large to open safely ({width}×{height} pixels)")]
    TooLarge { width: u32, height: u32 },
    #[error("the picture is too large to open safely: {0}")]
    Limits(String),
    /// Decoding it alone would take more memory than pictures may use (see `DecodeBudget`).
    #[error(
        "the picture is too large to decode ({width}×{height} pixels would need {needed_mib} MiB; \
         pictures may use {allowed_mib} MiB)"
    )]
    TooLargeToDecode {
        width: u32,
        height: u32,
        needed_mib: u64,
        allowed_mib: u64,
    },
    #[error("the picture is damaged or incomplete: {0}")]
    Corrupt(String),
    #[error("the thumbnail could not be encoded: {0}")]
    Encode(String),
}

/// Why an asset operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing the store failed (disk full, permissions).
    #[error("the picture store could not use {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A ref file could not be read back (damaged by hand or by the disk).
    #[error("the picture store has a damaged entry at {path}: {message}")]
    Manifest { path: PathBuf, message: String },
    /// The download failed (network, sign-in, size cap, foreign origin).
    #[error(transparent)]
    Download(#[from] exact_api::Error),
    /// Exact sent a blank 1×1 image for a record whose properties name a real picture: what it
    /// sends a picture request it does not take as signed in (picqer/exact-php-client #108).
    /// Tried again on the next run; never stored as "no picture".
    #[error(
        "Exact Online sent a blank 1×1 image instead of the picture (it did not take the request \
         as signed in); it is tried again on the next run"
    )]
    BlankPicture,
    /// The file was downloaded but is not a usable picture.
    #[error(transparent)]
    Picture(#[from] PictureError),
    /// The attachment is not stored (never downloaded, or the cache was cleared).
    #[error("the file is not downloaded yet")]
    NotDownloaded,
    /// A blocking task panicked or was cancelled.
    #[error("background picture work stopped: {0}")]
    Task(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    /// What this failure means, built on the client's own classification for downloads.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Download(e) => ErrorKind::Exact(e.kind()),
            // What Exact sends a picture request it does not take as signed in: the same as
            // its refusing the sign-in outright.
            Error::BlankPicture => ErrorKind::Exact(exact_api::ErrorKind::DownloadDeferred),
            Error::Io { .. } | Error::Manifest { .. } => ErrorKind::Storage,
            Error::Picture(_) => ErrorKind::Unusable,
            Error::NotDownloaded => ErrorKind::NotDownloaded,
            Error::Task(_) => ErrorKind::Stopped,
        }
    }

    /// Whether trying the same download again later may succeed (see
    /// [`ErrorKind::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }
}

/// What an asset failure means, for the retry decision and for the shell's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The download failed; what the client made of it.
    Exact(exact_api::ErrorKind),
    /// The picture store could not be read or written (disk full, permissions, a damaged ref).
    Storage,
    /// The file was downloaded but is not a usable picture.
    Unusable,
    /// The file is not stored (never downloaded, or the cache was cleared).
    NotDownloaded,
    /// Background work stopped before it finished.
    Stopped,
}

impl ErrorKind {
    /// Whether trying the same download again later may succeed (network, server, limits, a
    /// sign-in Exact refused or a blank image in place of the picture, the store), as opposed
    /// to a file that will stay unusable or refused until Exact's record changes.
    pub fn is_retryable(self) -> bool {
        match self {
            ErrorKind::Exact(kind) => kind.is_retryable(),
            ErrorKind::Unusable => false,
            ErrorKind::Storage | ErrorKind::NotDownloaded | ErrorKind::Stopped => true,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(kind: exact_api::ErrorKind) -> ErrorKind {
        ErrorKind::Exact(kind)
    }

    #[test]
    fn every_variant_has_its_kind_and_retryability() {
        use exact_api::ErrorKind as Api;
        let cases = [
            (
                Error::Io {
                    path: "refs/1.json".into(),
                    source: std::io::Error::other("disk full"),
                },
                ErrorKind::Storage,
                true,
            ),
            (
                Error::Manifest {
                    path: "refs/1.json".into(),
                    message: "expected value".into(),
                },
                ErrorKind::Storage,
                true,
            ),
            (
                Error::Download(exact_api::Error::Network("connection reset".into())),
                exact(Api::Offline),
                true,
            ),
            (
                Error::Download(exact_api::Error::Server {
                    status: 503,
                    message: "Service Unavailable".into(),
                }),
                exact(Api::Server),
                true,
            ),
            (
                Error::Download(exact_api::Error::Api {
                    status: 404,
                    message: "Not found".into(),
                }),
                exact(Api::Refused),
                false,
            ),
            (
                Error::Download(exact_api::Error::Download(
                    "the file is larger than the 1024-byte cap".into(),
                )),
                exact(Api::DownloadRefused),
                false,
            ),
            (
                Error::Download(exact_api::Error::DownloadUnauthorized {
                    reason: "Exact Online redirected the request to its login page".into(),
                    retry_after: None,
                }),
                exact(Api::DownloadDeferred),
                true,
            ),
            (Error::BlankPicture, exact(Api::DownloadDeferred), true),
            (
                Error::Picture(PictureError::Empty),
                ErrorKind::Unusable,
                false,
            ),
            (Error::NotDownloaded, ErrorKind::NotDownloaded, true),
            (Error::Task("panicked".into()), ErrorKind::Stopped, true),
        ];
        for (error, kind, retryable) in cases {
            assert_eq!(error.kind(), kind, "{error:?}");
            assert_eq!(
                error.is_retryable(),
                retryable,
                "retried unless the file itself is refused or unusable: {error:?}"
            );
        }
    }
}
