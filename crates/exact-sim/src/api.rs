//! The REST API under `/api/v1/`: authentication, division check, rate limits, then the
//! endpoint families (sync, Deleted, regular, bulk, read, Me, Divisions) with Exact's paging,
//! `$select` and `$filter` rules, and last the cap on the size of an answer
//! ([`crate::response_cap`]).

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;

use crate::App;
use crate::catalog::{self, EndpointDef, Family};
use crate::envelope::{Body, Format};
use crate::gateway::{bearer, exact_error, plain, unauthorized, with_headers};
use crate::limits::Verdict;
use crate::listing;
use crate::oauth::TokenCheck;
use crate::odata::{self, Query};
use crate::response_cap;

/// Text of the 400 for a missing `$select` on endpoints that demand one.
pub const SELECT_REQUIRED: &str = "Please add a $select or a $top=1 statement to the query string.";
/// Text of the 400 for an unfiltered listing of crm/Accounts or logistics/Items.
pub const MANDATORY_FILTER: &str = "This endpoint has mandatory filtering applied. Please add a $filter \
    on one of these fields: ID, Code, Modified. Use the sync or bulk endpoint to read everything.";
/// Text of the 400 for `$select=*` on sync endpoints.
pub const SELECT_STAR: &str =
    "$select=* is not allowed on this endpoint. Please specify the properties you need in $select.";

/// An API error: status and message text.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub text: String,
}

pub(crate) fn bad(text: impl Into<String>) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        text: text.into(),
    }
}

/// Everything a handler needs about one request.
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a App,
    pub(crate) division: i32,
    pub(crate) def: &'static EndpointDef,
    pub(crate) key: Option<String>,
    pub(crate) query: Query,
    /// The request path as sent (for `__next`).
    pub(crate) path: &'a str,
    pub(crate) lang: Option<String>,
    pub(crate) format: Format,
    pub(crate) updated: String,
}

/// Handles one `/api/v1/...` call.
pub fn handle(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    format: Format,
) -> Response {
    let now = app.now_ms();
    let token = bearer(headers);
    let Some(token) = token else {
        return unauthorized(format, "This request requires a bearer access token.");
    };
    match app.oauth().check_access(&token, now) {
        TokenCheck::Valid => {}
        TokenCheck::Invalid => {
            return unauthorized(format, "The access token is invalid or has been revoked.");
        }
        TokenCheck::Expired(at) => {
            let text = format!(
                "The access token expired at {}.",
                crate::oauth::us_datetime(at)
            );
            return unauthorized(format, &text);
        }
    }
    if method != Method::GET {
        return exact_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format,
            "exact-sim is read-only.",
            &[],
        );
    }
    let path = uri.path();
    let normalized = crate::gateway::normalize(path);
    let rest = &normalized["/api/v1/".len()..];
    let (first, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let lang = headers
        .get("CustomDescriptionLanguage")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let query = match odata::parse_query(uri.query()) {
        Ok(q) => q,
        Err(text) => return exact_error(StatusCode::BAD_REQUEST, format, &text, &[]),
    };
    let updated = chrono::DateTime::from_timestamp_millis(now)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default();
    if first.eq_ignore_ascii_case("current") {
        if !rest.eq_ignore_ascii_case("Me") {
            return exact_error(StatusCode::NOT_FOUND, format, "Resource not found.", &[]);
        }
        let division = app.divisions.first().copied().unwrap_or_default();
        let ctx = Ctx {
            app,
            division,
            def: &catalog::ME,
            key: None,
            query,
            path,
            lang,
            format,
            updated,
        };
        return respond(&ctx, listing::me(&ctx), &[]);
    }
    let Ok(division) = first.parse::<i32>() else {
        return exact_error(StatusCode::NOT_FOUND, format, "Resource not found.", &[]);
    };
    if !app.divisions.contains(&division) {
        let text = format!("Forbidden: you have no access to division {division}.");
        return exact_error(StatusCode::FORBIDDEN, format, &text, &[]);
    }
    let rate_headers = match app.limits().charge(division, now) {
        Verdict::Allowed(h) => h,
        Verdict::Minutely(h) => {
            return with_headers(plain(StatusCode::TOO_MANY_REQUESTS, "", Vec::new()), &h);
        }
        Verdict::Daily(h) => {
            let text = "API rate limit exceeded: the daily limit of calls for this division has been \
                        reached. Try again after the reset time in X-RateLimit-Reset.";
            return exact_error(StatusCode::TOO_MANY_REQUESTS, format, text, &h);
        }
    };
    let Some((def, key)) = catalog::find(rest) else {
        return exact_error(
            StatusCode::NOT_FOUND,
            format,
            "Resource not found.",
            &rate_headers,
        );
    };
    let ctx = Ctx {
        app,
        division,
        def,
        key,
        query,
        path,
        lang,
        format,
        updated,
    };
    let result = match def.family {
        Family::Sync | Family::Deleted => listing::sync(&ctx),
        Family::Regular | Family::Bulk | Family::ReadExtraFields => listing::list(&ctx),
        Family::Divisions => listing::divisions(&ctx),
        Family::Me => listing::me(&ctx),
    };
    respond(&ctx, result, &rate_headers)
}

fn respond(
    ctx: &Ctx,
    result: Result<Body, ApiError>,
    headers: &[(&'static str, String)],
) -> Response {
    match result {
        Ok(body) if response_cap::over(body.bytes.len(), ctx.app.response_cap) => {
            response_cap::too_large(ctx.format, headers)
        }
        Ok(body) => with_headers(
            plain(StatusCode::OK, body.content_type, body.bytes),
            headers,
        ),
        Err(e) => exact_error(e.status, ctx.format, &e.text, headers),
    }
}
