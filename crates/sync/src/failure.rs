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
        Failure {
            code: e.kind().into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_failures_take_their_code_from_the_client() {
        let refused = Failure::from(ApiError::Api {
            status: 400,
            message: "Could not find a property named 'Body'".into(),
        });
        assert_eq!(refused.code, ErrorCode::Refused);
        assert!(!refused.stops_division(), "a refusal is the entity's own");
        assert!(!refused.may_be_too_large);

        let offline = Failure::from(ApiError::Network("connection refused".into()));
        assert_eq!(offline.code, ErrorCode::Offline);
        assert!(
            offline.stops_division(),
            "without a network no entity can sync"
        );

        let server = Failure::from(ApiError::Server {
            status: 500,
            message: "An error occurred while processing this request.".into(),
        });
        assert_eq!(server.code, ErrorCode::Server);
        assert!(
            server.may_be_too_large,
            "the engine may read it again without large texts"
        );
        assert!(server.message.contains("(500)"), "{}", server.message);
    }
}
