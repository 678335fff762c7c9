//! Why an entity stopped, in the terms the engine acts on.

use exact_api::Error as ApiError;

use crate::report::ErrorCode;

/// Why an entity stopped.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
    /// Whether a page too large for Exact to serve may have caused it (see
    /// [`exact_api::Error::may_be_too_large`]); the engine then reads the entity once more
    /// without its large text properties (see [`crate::heal`]).
    pub(crate) may_be_too_large: bool,
}

impl Failure {
    /// A failure with `code` and `message` that no page size caused.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            may_be_too_large: false,
        }
    }

    /// Whether the rest of the division is pointless after this failure.
    pub(crate) fn stops_division(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::AuthRequired
                | ErrorCode::DailyLimit
                | ErrorCode::RateLimited
                | ErrorCode::Offline
                | ErrorCode::Cancelled
        )
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        let code = match &e {
            ApiError::AuthRequired { .. } => ErrorCode::AuthRequired,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::DailyLimit { .. } => ErrorCode::DailyLimit,
            ApiError::Network(_) => ErrorCode::Offline,
            ApiError::Server { .. } => ErrorCode::Server,
            ApiError::Protocol(_)
            | ApiError::Download(_)
            | ApiError::DownloadUnauthorized { .. } => ErrorCode::Protocol,
            ApiError::Api { .. } => ErrorCode::Refused,
            ApiError::TokenStore(_) => ErrorCode::Storage,
        };
        Failure {
            code,
            message: e.to_string(),
            may_be_too_large: e.may_be_too_large(),
        }
    }
}

impl From<offline_cache::Error> for Failure {
    fn from(e: offline_cache::Error) -> Self {
        Failure::new(ErrorCode::Storage, format!("the local cache failed: {e}"))
    }
}

pub(crate) fn cancelled() -> Failure {
    Failure::new(ErrorCode::Cancelled, "cancelled")
}
