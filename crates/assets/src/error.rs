//! Errors of the asset store and its downloads. Picture errors are per asset: they are recorded
//! in that asset's ref and processing moves on.

use std::path::PathBuf;

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

    /// Whether trying the same download again later may succeed (network, server, limits, a
    /// sign-in Exact refused or a blank image in place of the picture), as opposed to a file
    /// that will stay unusable until Exact's record changes.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Download(exact_api::Error::DownloadUnauthorized { .. }) => true,
            Error::Download(e) => !matches!(
                e,
                exact_api::Error::Download(_) | exact_api::Error::Api { .. }
            ),
            Error::Picture(_) => false,
            Error::BlankPicture
            | Error::Io { .. }
            | Error::Manifest { .. }
            | Error::NotDownloaded
            | Error::Task(_) => true,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
