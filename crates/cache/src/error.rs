//! The cache's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in the cache, with enough context to say what was being done.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused an operation.
    #[error("cache database error while {context}: {source}")]
    Sqlite {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// A record's attributes could not be serialised or a stored attribute map parsed.
    #[error("attribute JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// A migration failed; the database stays at the previous version.
    #[error("migration {version} failed: {source}")]
    Migration {
        version: usize,
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer version of the app.
    #[error(
        "the cache at {path} has schema version {found}, newer than this app's {known}; update the app or remove the cache"
    )]
    TooNew {
        path: PathBuf,
        found: usize,
        known: usize,
    },
    /// The cache file or its folder could not be created or read.
    #[error("cache file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A record without a usable `ID` (a GUID); the whole batch is refused.
    #[error("{entity} record without a valid ID (position {index} in the batch)")]
    MissingId { entity: &'static str, index: usize },
    /// A row that must exist does not (for example a sync run id).
    #[error("{what} not found")]
    NotFound { what: String },
    /// An unknown entity name.
    #[error("unknown entity {0:?}")]
    UnknownEntity(String),
    /// The callback of an export failed (for example, writing to a closed pipe).
    #[error("export stopped: {0}")]
    Export(String),
}

/// Result with the cache's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds context to rusqlite errors: `stmt.execute(..).context("upserting items")?`.
pub(crate) trait Context<T> {
    fn context(self, context: &'static str) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, rusqlite::Error> {
    fn context(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Sqlite { context, source })
    }
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::Export(source.to_string())
    }
}
