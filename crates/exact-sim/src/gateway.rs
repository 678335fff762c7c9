//! The front door for everything that is not `/_sim/`: counts the call, draws faults, adds
//! latency, then hands the call to OAuth, the API or the downloads, and finally bends the
//! response as a fault demands (reset, truncate, malformed, a lower response cap). Oversized
//! answers (gzip bombs, huge error bodies) are built in [`crate::hostile`]; pages with one
//! spoiled record (missing key, wrong type, lone surrogate, oversized value) in
//! [`crate::bad_records`]; answers past a response cap in [`crate::response_cap`].

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use futures::StreamExt as _;
use futures::stream;

use crate::App;
use crate::envelope::{self, Format};
use crate::faults::{FaultKind, FaultRule};

/// What part of the simulator a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Authorize,
    Token,
    Api,
    Docs,
    Unknown,
}

/// `//docs/x` (Exact's placeholder URLs) → `/docs/x`.
pub fn normalize(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

fn area(path: &str) -> Area {
    let lower = path.to_ascii_lowercase();
    if lower == "/api/oauth2/auth" {
        Area::Authorize
    } else if lower == "/api/oauth2/token" {
        Area::Token
    } else if lower.starts_with("/api/v1/") {
        Area::Api
    } else if lower.starts_with("/docs/") {
        Area::Docs
    } else {
        Area::Unknown
    }
}

/// Fallback handler for every non-admin route.
pub async fn dispatch(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.network.load(std::sync::atomic::Ordering::Relaxed) {
        return reset();
    }
    let path = normalize(uri.path());
    let area = area(&path);
    {
        let mut stats = app.stats();
        stats.call(method.as_str(), uri.path());
        if area == Area::Token {
            stats.token_requests += 1;
        }
    }
    let format = request_format(&headers, uri.query());
    let fired = match area {
        Area::Token | Area::Api | Area::Docs => app.faults().roll(&path),
        _ => Default::default(),
    };
    if fired.any() {
        app.stats().faults_injected += 1;
    }
    if fired.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fired.latency_ms)).await;
    }
    if area == Area::Api && !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    let action = fired.action;
    let response = match action.as_ref() {
        Some(rule) if rule.kind == FaultKind::GzipBomb => crate::hostile::gzip_bomb(rule).await,
        Some(rule) => match apply_before(&app, rule, area, &uri, &headers, &body, format) {
            Some(early) => early,
            None => route(&app, area, &method, &uri, &headers, &body, format).await,
        },
        None => route(&app, area, &method, &uri, &headers, &body, format).await,
    };
    let response = match action {
        Some(rule) if rule.kind == FaultKind::Reset => {
            app.stats().status("reset");
            return reset();
        }
        Some(rule) if rule.kind == FaultKind::Truncate => truncate(response).await,
        Some(rule) if rule.kind == FaultKind::Malformed => malformed(response),
        Some(rule) if crate::bad_records::spoils_a_record(rule.kind) => {
            crate::bad_records::spoil(&rule, response).await
        }
        Some(rule) if rule.kind == FaultKind::ResponseCap && area == Area::Api => {
            let cap = rule.bytes.unwrap_or(crate::response_cap::CAP_ELSEWHERE);
            crate::response_cap::enforce(response, cap, format).await
        }
        _ => response,
    };
    app.stats().status(response.status().as_str());
    response
}

async fn route(
    app: &App,
    area: Area,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    format: Format,
) -> Response {
    match area {
        Area::Authorize => authorize(app, uri),
        Area::Token => token(app, method, body),
        Area::Api => crate::api::handle(app, method, uri, headers, format),
        Area::Docs => crate::docs::handle(app, uri, headers),
        Area::Unknown => plain(StatusCode::NOT_FOUND, "text/plain", "Not found".into()),
    }
}

/// JSON when Accept says so or `$format=json` is in the query.
fn request_format(headers: &HeaderMap, query: Option<&str>) -> Format {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format_json = query.is_some_and(|q| q.contains("$format=json"));
    envelope::negotiate(accept, format_json)
}

/// The faults that answer instead of the normal handler. `None` = handle normally.
fn apply_before(
    app: &App,
    rule: &FaultRule,
    area: Area,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    format: Format,
) -> Option<Response> {
    match rule.kind {
        FaultKind::Status => {
            let status = StatusCode::from_u16(rule.status.unwrap_or(503))
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let text = format!(
                "{} (injected by exact-sim)",
                status.canonical_reason().unwrap_or("")
            );
            Some(exact_error(status, format, &text, &[]))
        }
        FaultKind::OversizedError => Some(crate::hostile::oversized_error(rule, format)),
        FaultKind::RefuseProperty => {
            let property = rule.property.as_deref()?;
            selects(uri, property).then(|| {
                let model = uri.path().rsplit('/').next().unwrap_or_default();
                let text = format!(
                    "Could not find a property named '{property}' on type 'Exact.Web.Api.Models.{model}'."
                );
                exact_error(StatusCode::BAD_REQUEST, format, &text, &[])
            })
        }
        FaultKind::Burst429 => {
            let headers = app.limits().burst_headers(app.now_ms());
            Some(with_headers(
                plain(StatusCode::TOO_MANY_REQUESTS, "", Vec::new()),
                &headers,
            ))
        }
        FaultKind::RevokeAccess | FaultKind::RevokeGrant if area == Area::Token => {
            if rule.kind == FaultKind::RevokeGrant {
                let form = form_pairs(body);
                if let Some((_, refresh)) = form.iter().find(|(k, _)| k == "refresh_token") {
                    app.oauth().revoke_grant(refresh);
                }
            }
            None
        }
        FaultKind::RevokeAccess | FaultKind::RevokeGrant => {
            if let Some(token) = bearer(headers) {
                let mut oauth = app.oauth();
                if rule.kind == FaultKind::RevokeAccess {
                    oauth.revoke_access(&token);
                } else {
                    oauth.revoke_grant(&token);
                }
            }
            Some(unauthorized(
                format,
                "The access token is invalid or has been revoked.",
            ))
        }
        // Downloads answer a refused token their own way, not with a 401.
        FaultKind::Spurious401 if area == Area::Docs => {
            Some(crate::docs::handle(app, uri, &HeaderMap::new()))
        }
        FaultKind::Spurious401 => Some(unauthorized(
            format,
            "The access token is invalid or has been revoked.",
        )),
        _ => None,
    }
}

/// Whether the request's `$select` names `property`.
fn selects(uri: &Uri, property: &str) -> bool {
    let query = uri.query().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == "$select")
        .any(|(_, names)| names.split(',').any(|n| n.trim() == property))
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// A response with a byte body, its Content-Length and (when given) its content type.
pub fn plain(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response {
    let mut builder = Response::builder().status(status);
    if !content_type.is_empty() {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    builder
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// Adds headers (rate-limit headers and the like) to a response.
pub fn with_headers(mut response: Response, headers: &[(&'static str, String)]) -> Response {
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, v);
        }
    }
    response
}

/// Exact's error body with a status and extra headers.
pub fn exact_error(
    status: StatusCode,
    format: Format,
    text: &str,
    headers: &[(&'static str, String)],
) -> Response {
    let body = envelope::error(format, text);
    with_headers(plain(status, body.content_type, body.bytes), headers)
}

/// 401 with `WWW-Authenticate: Bearer`.
pub fn unauthorized(format: Format, text: &str) -> Response {
    let challenge = format!(
        "Bearer realm=\"Exact Online\", error=\"invalid_token\", error_description=\"{}\"",
        text.replace('"', "'")
    );
    exact_error(
        StatusCode::UNAUTHORIZED,
        format,
        text,
        &[("WWW-Authenticate", challenge)],
    )
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn authorize(app: &App, uri: &Uri) -> Response {
    let params = form_pairs(uri.query().unwrap_or_default().as_bytes());
    let now = app.now_ms();
    match app.oauth().authorize(&params, now) {
        Ok(location) => Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, location)
            .header(header::CONTENT_LENGTH, 0)
            .body(Body::empty())
            .unwrap_or_else(|_| Response::new(Body::empty())),
        Err(text) => {
            let page = format!(
                "<!DOCTYPE html><html><head><title>Exact Online</title></head><body><h1>Bad request</h1><p>{}</p></body></html>",
                envelope::escape(&text)
            );
            plain(
                StatusCode::BAD_REQUEST,
                "text/html; charset=utf-8",
                page.into_bytes(),
            )
        }
    }
}

fn token(app: &App, method: &Method, body: &Bytes) -> Response {
    if method != Method::POST {
        return plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            b"Use POST".to_vec(),
        );
    }
    let form = form_pairs(body);
    let now = app.now_ms();
    let reply = app.oauth().token(&form, now);
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_REQUEST);
    let response = plain(
        status,
        "application/json; charset=utf-8",
        reply.body.to_string().into_bytes(),
    );
    let mut response = with_headers(response, &reply.headers);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A response whose body fails before anything is written: the connection closes without a reply.
fn reset() -> Response {
    let failing = stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset injected by exact-sim",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// The response's headers with the full Content-Length, half of its body, then a broken connection.
async fn truncate(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let full = bytes.len();
    let half = bytes.slice(..full / 2);
    let chunks = stream::iter([Ok::<Bytes, std::io::Error>(half)]).chain(stream::once(async {
        // Let the partial body reach the socket before the connection breaks.
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "body truncated by exact-sim",
        ))
    }));
    let mut out = Response::from_parts(parts, Body::from_stream(chunks));
    out.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full.max(2)));
    out
}

/// 200 with a body that starts like JSON and is not.
fn malformed(response: Response) -> Response {
    let mut out = plain(
        StatusCode::OK,
        "application/json; charset=utf-8",
        b"{\"d\":{\"results\":[{\"__metadata\":{\"uri\":<html>Service Unavailable</html>".to_vec(),
    );
    for (name, value) in response.headers() {
        if name.as_str().starts_with("x-ratelimit") {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
