//! Every command fails with one [`AppError`]: a code the UI switches on and a message for people.

use super::dto::{AppError, ErrorKind};

pub type CommandResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorKind, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
        }
    }

    pub fn not_connected() -> Self {
        AppError::new(
            ErrorKind::NotConnected,
            "Connect to Exact Online or open the demo company first.",
        )
    }

    pub fn not_found(what: &str) -> Self {
        AppError::new(
            ErrorKind::NotFound,
            format!("{what} is not in the offline copy."),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new(ErrorKind::InvalidInput, message)
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        AppError::new(ErrorKind::Internal, error.to_string())
    }
}

impl From<offline_cache::Error> for AppError {
    fn from(error: offline_cache::Error) -> Self {
        AppError::new(ErrorKind::Storage, error.to_string())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        if let Some(api) = error.downcast_ref::<exact_api::Error>() {
            return AppError::from_api(api);
        }
        AppError::new(ErrorKind::Internal, format!("{error:#}"))
    }
}

impl From<exact_api::Error> for AppError {
    fn from(error: exact_api::Error) -> Self {
        AppError::from_api(&error)
    }
}

impl From<offline_assets::Error> for AppError {
    fn from(error: offline_assets::Error) -> Self {
        AppError::new(error.kind().into(), error.to_string())
    }
}

impl AppError {
    fn from_api(error: &exact_api::Error) -> Self {
        AppError::new(error.kind().into(), error.to_string())
    }
}

/// The one mapping of the engine's codes to the UI's: each under its own name.
impl From<exact_api::ErrorKind> for ErrorKind {
    fn from(kind: exact_api::ErrorKind) -> Self {
        use exact_api::ErrorKind as Api;
        match kind {
            Api::AuthRequired => ErrorKind::AuthRequired,
            Api::RateLimited => ErrorKind::RateLimited,
            Api::DailyLimit => ErrorKind::DailyLimit,
            Api::Offline => ErrorKind::Offline,
            Api::Server => ErrorKind::Server,
            Api::Protocol => ErrorKind::Protocol,
            Api::Refused => ErrorKind::Refused,
            Api::Storage => ErrorKind::Storage,
            Api::DownloadRefused => ErrorKind::DownloadRefused,
            Api::DownloadDeferred => ErrorKind::DownloadDeferred,
        }
    }
}

/// The asset downloads' codes: the client's where a download failed, else the store's own.
impl From<offline_assets::ErrorKind> for ErrorKind {
    fn from(kind: offline_assets::ErrorKind) -> Self {
        use offline_assets::ErrorKind as Assets;
        match kind {
            Assets::Exact(kind) => kind.into(),
            Assets::Storage => ErrorKind::Storage,
            Assets::Unusable => ErrorKind::Unusable,
            Assets::NotDownloaded => ErrorKind::NotFound,
            Assets::Stopped => ErrorKind::Internal,
        }
    }
}

/// Runs blocking work (SQLite, files) off the async runtime.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_failures_keep_their_codes() {
        let limited = AppError::from(exact_api::Error::RateLimited {
            reset: chrono::DateTime::UNIX_EPOCH,
        });
        assert_eq!(
            limited.code,
            ErrorKind::RateLimited,
            "a rate limit is not an internal error: the user can wait for it"
        );
        let server = AppError::from(anyhow::Error::new(exact_api::Error::Server {
            status: 503,
            message: "Service Unavailable".into(),
        }));
        assert_eq!(
            server.code,
            ErrorKind::Server,
            "found inside an anyhow chain too"
        );
        let daily = AppError::from(exact_api::Error::DailyLimit {
            division: 1001,
            reset: chrono::DateTime::UNIX_EPOCH,
        });
        assert_eq!(daily.code, ErrorKind::DailyLimit);
        assert!(daily.message.contains("1001"), "{}", daily.message);
    }

    #[test]
    fn asset_failures_are_not_all_storage() {
        let offline = AppError::from(offline_assets::Error::Download(exact_api::Error::Network(
            "connection refused".into(),
        )));
        assert_eq!(
            offline.code,
            ErrorKind::Offline,
            "a download that could not reach Exact is a network failure"
        );
        let disk = AppError::from(offline_assets::Error::Io {
            path: "assets/refs".into(),
            source: std::io::Error::other("disk full"),
        });
        assert_eq!(disk.code, ErrorKind::Storage);
        let missing = AppError::from(offline_assets::Error::NotDownloaded);
        assert_eq!(missing.code, ErrorKind::NotFound);
        let picture = AppError::from(offline_assets::Error::Picture(
            offline_assets::PictureError::Empty,
        ));
        assert_eq!(picture.code, ErrorKind::Unusable);
    }
}
