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
        AppError::new(ErrorKind::Storage, error.to_string())
    }
}

impl AppError {
    fn from_api(error: &exact_api::Error) -> Self {
        use exact_api::Error as E;
        let code = match error {
            E::AuthRequired { .. } => ErrorKind::AuthRequired,
            E::Network(_) => ErrorKind::Offline,
            E::TokenStore(_) => ErrorKind::Storage,
            _ => ErrorKind::Internal,
        };
        AppError::new(code, error.to_string())
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
