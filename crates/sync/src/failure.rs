//! Why an entity stopped, in the terms the engine acts on.

use exact_api::Error as ApiError;

use crate::report::ErrorCode;

/// Why an entity stopped.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl Failure {
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
        }
    }
}

impl From<offline_cache::Error> for Failure {
    fn from(e: offline_cache::Error) -> Self {
        Failure {
            code: ErrorCode::Storage,
            message: format!("the local cache failed: {e}"),
        }
    }
}

pub(crate) fn cancelled() -> Failure {
    Failure {
        code: ErrorCode::Cancelled,
        message: "cancelled".into(),
    }
}
