//! Exact's cap on the size of a response message: 38 MB for companies in the Netherlands and
//! Belgium, 9.5 MB in other countries. Source: Exact's API restrictions page (quoted in
//! paddynatte `.resources/Restrictions.md`).
//!
//! An answer of the REST API whose serialized body (JSON or Atom, as it would be sent) is larger
//! than the cap is not sent. What Exact answers instead is NOT documented. The simulator's
//! answer is a GUESS: a 500 with Exact's OData error body and a generic message
//! ([`TOO_LARGE_TEXT`]), as a server that fails to write its answer would most likely give. A
//! client should therefore treat it as it treats any server error that lasts, and must not look
//! for this message.
//!
//! The cap applies to the serialized answer, so a smaller `$top` or a narrower `$select` makes a
//! page fit, as it would in real life. A simulator's own cap is
//! [`SimConfig::response_cap`](crate::SimConfig::response_cap) (`--response-cap`); the
//! `response_cap` fault ([`FaultKind::ResponseCap`](crate::FaultKind::ResponseCap)) sets a
//! lower one for the calls it matches, so that a test can make small pages too large and lift
//! the cap again by clearing the rules.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use crate::envelope::Format;
use crate::gateway::exact_error;

/// The cap in the Netherlands and Belgium (38 MB), the simulator's default: it serves
/// `start.exactonline.nl`.
pub const CAP_NL_BE: u64 = 38_000_000;

/// The cap in other countries (9.5 MB); also what a `response_cap` fault without `bytes` sets.
pub const CAP_ELSEWHERE: u64 = 9_500_000;

/// The message of the answer past the cap (a guess: see the module docs).
pub const TOO_LARGE_TEXT: &str = "An error occurred while processing this request.";

/// Whether a body of `len` bytes is over `cap`.
pub fn over(len: usize, cap: u64) -> bool {
    u64::try_from(len).map_or(true, |len| len > cap)
}

/// The answer instead of one over the cap: 500 with Exact's error body, and `headers` (the
/// rate-limit headers: the call was charged).
pub fn too_large(format: Format, headers: &[(&'static str, String)]) -> Response {
    exact_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        format,
        TOO_LARGE_TEXT,
        headers,
    )
}

/// `response` as it would be under `cap`: a 200 larger than the cap becomes [`too_large`],
/// keeping its rate-limit headers; anything else passes unchanged.
pub async fn enforce(response: Response, cap: u64, format: Format) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let announced = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| !over(len, cap)) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    if !over(bytes.len(), cap) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let mut refused = too_large(format, &[]);
    copy_rate_headers(&parts.headers, refused.headers_mut());
    refused
}

fn copy_rate_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if name.as_str().starts_with("x-ratelimit") {
            to.insert(name.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::plain;

    #[test]
    fn the_cap_itself_fits() {
        assert!(!over(100, 100), "a body of exactly the cap is sent");
        assert!(over(101, 100));
        assert!(!over(0, 0));
    }

    #[tokio::test]
    async fn only_a_200_over_the_cap_is_replaced() {
        let page = || {
            let mut r = plain(StatusCode::OK, "application/json", vec![b' '; 1_000]);
            r.headers_mut().insert(
                "x-ratelimit-remaining",
                axum::http::HeaderValue::from_static("7"),
            );
            r
        };
        let kept = enforce(page(), 1_000, Format::Json).await;
        assert_eq!(
            kept.status(),
            StatusCode::OK,
            "at the cap, the page is sent"
        );
        let refused = enforce(page(), 999, Format::Json).await;
        assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            refused.headers()["x-ratelimit-remaining"],
            "7",
            "the call was charged; its headers stay"
        );
        let error = plain(StatusCode::BAD_REQUEST, "text/plain", vec![b'x'; 5_000]);
        let error = enforce(error, 10, Format::Json).await;
        assert_eq!(
            error.status(),
            StatusCode::BAD_REQUEST,
            "errors pass unchanged"
        );
    }
}
