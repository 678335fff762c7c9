//! Downloads under `/docs/`: pictures (`SysImage.aspx`), document attachments
//! (`SysAttachment.aspx`), the placeholder images and the login page.
//!
//! Like Exact, a download without a valid bearer token (none, unknown, revoked or expired) is
//! not answered with a 401:
//! - a picture (`SysImage.aspx`) comes back 200 as a 1×1 white image ([`WHITE_PIXEL_PNG`]), so a
//!   client that forgets the token stores a blank picture. Source: picqer/exact-php-client #108
//!   ("Show picture of item return white 1x1 px image" to a user who is not signed in), solved
//!   there by downloading with the token (PR #261). The sources do not say which image format
//!   Exact uses; the simulator sends a PNG.
//! - anything else (an attachment) is redirected, 302, to
//!   `/docs/Login.aspx?ReturnUrl=<path and query>` with ASP.NET's "Object moved" HTML page as
//!   its body; a client that follows the redirect gets the login page, 200 HTML. Source:
//!   picqer/exact-php-client #343 (an attachment download answered with an HTML "Object moved
//!   to /docs/Login.aspx" page).
//!
//! Downloads are not charged to the rate limits (Exact does not document that they are) but
//! are counted in the statistics, with or without a token.
//!
//! Conditional downloads (RFC 9110 §8.8, §13): a picture or attachment served to a valid token
//! carries a strong `ETag` (a hash of its bytes, quoted) and, when the simulator knows when its
//! bytes last changed, `Last-Modified`: only for a picture replaced in place
//! ([`replace_picture`], [`crate::Sim::replace_picture`]); the generated files have no
//! modification time of their own, so theirs is omitted. A request whose `If-None-Match` names
//! the current `ETag` (weak comparison, or `*`), or, without `If-None-Match`, whose
//! `If-Modified-Since` is not before `Last-Modified` (to the second), is answered
//! `304 Not Modified` with no body, repeating both validators. GUESS: whether Exact's `/docs/`
//! answers carry `ETag` or `Last-Modified`, and whether it honours either precondition, is not
//! documented. If Exact sends no validators, a client has nothing to send back and simply
//! downloads in full, as before; if it ignores the preconditions, it answers 200 and the client
//! takes the file as changed. [`crate::Sim::set_download_validators`] switches them off, to
//! show a client that case.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::App;
use crate::data::Dataset;
use crate::envelope;
use crate::gateway::{bearer, normalize, plain, with_headers};
use crate::limits::Verdict;
use crate::oauth::TokenCheck;

/// A 1×1 white PNG (no transparency): what the simulator sends to a picture request without a
/// valid token.
pub const WHITE_PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xff, 0xff, 0x3f,
    0x00, 0x05, 0xfe, 0x02, 0xfe, 0x33, 0x12, 0x95, 0x14, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Where Exact sends a download it does not take as signed in.
pub const LOGIN_PATH: &str = "/docs/Login.aspx";

/// What the downloads keep between requests: pictures replaced in place, and whether answers
/// carry validators at all.
#[derive(Debug)]
pub struct DocsState {
    /// Pictures given other bytes at their URL by [`replace_picture`], by division and ID.
    replaced: Mutex<HashMap<(i32, String), Replacement>>,
    /// Off ([`crate::Sim::set_download_validators`]): no `ETag`, no `Last-Modified`, and
    /// preconditions are ignored, as Exact may well do.
    validators: AtomicBool,
}

impl Default for DocsState {
    fn default() -> Self {
        DocsState {
            replaced: Mutex::default(),
            validators: AtomicBool::new(true),
        }
    }
}

/// How often, and when last, a picture was replaced.
#[derive(Debug, Clone, Copy)]
struct Replacement {
    generation: u64,
    at_ms: i64,
}

impl DocsState {
    fn replaced(&self, division: i32, id: &str) -> Option<Replacement> {
        crate::lock(&self.replaced)
            .get(&(division, id.to_owned()))
            .copied()
    }

    /// Whether answers carry validators and preconditions are honoured (on by default).
    pub fn set_validators(&self, on: bool) {
        self.validators.store(on, Ordering::Relaxed);
    }
}

/// Gives the picture behind `url` (a `SysImage.aspx` URL this simulator sent) other bytes at
/// the same URL, modified now: a picture replaced in Exact that kept its URL. The record that
/// shows it is not touched (mutate it to change its `Modified`). False when the URL names no
/// current picture.
pub fn replace_picture(app: &App, url: &str) -> bool {
    let Ok(uri) = url.parse::<Uri>() else {
        return false;
    };
    if !normalize(uri.path()).eq_ignore_ascii_case("/docs/SysImage.aspx") {
        return false;
    }
    let division = param(&uri, "_Division_").and_then(|d| d.trim().parse::<i32>().ok());
    let (Some(division), Some(id)) = (division, param(&uri, "ID")) else {
        return false;
    };
    let id = clean_id(&id);
    let table = param(&uri, "Table").unwrap_or_default();
    if app.data().image(division, &table, &id).is_none() {
        return false;
    }
    let now = app.now_ms();
    let mut replaced = crate::lock(&app.docs.replaced);
    let entry = replaced.entry((division, id)).or_insert(Replacement {
        generation: 0,
        at_ms: now,
    });
    entry.generation += 1;
    entry.at_ms = now;
    true
}

fn clean_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

fn param(uri: &Uri, name: &str) -> Option<String> {
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.into_owned())
}

fn not_found() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        b"The file was not found or you have no rights to it.".to_vec(),
    )
}

fn white_pixel() -> Response {
    plain(StatusCode::OK, "image/png", WHITE_PIXEL_PNG.to_vec())
}

/// 302 to the login page, with the request's path and query as `ReturnUrl` and ASP.NET's
/// "Object moved" page as the body.
fn to_login(uri: &Uri) -> Response {
    let back = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let location = format!(
        "{LOGIN_PATH}?ReturnUrl={}",
        url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
    );
    let page = format!(
        "<html><head><title>Object moved</title></head><body>\r\n<h2>Object moved to <a href=\"{}\">here</a>.</h2>\r\n</body></html>\r\n",
        envelope::escape(&location)
    );
    let mut response = plain(
        StatusCode::FOUND,
        "text/html; charset=utf-8",
        page.into_bytes(),
    );
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// The login page a browser (or a client following redirects) lands on.
fn login_page() -> Response {
    let page = "<!DOCTYPE html>\r\n<html><head><title>Exact Online</title></head><body>\
                <form method=\"post\" action=\"./Login.aspx\"><h1>Log in</h1>\
                <input name=\"UserNameField\"><input name=\"PasswordField\" type=\"password\">\
                </form></body></html>";
    plain(
        StatusCode::OK,
        "text/html; charset=utf-8",
        page.as_bytes().to_vec(),
    )
}

/// Handles one `/docs/...` request.
pub fn handle(app: &App, uri: &Uri, headers: &HeaderMap) -> Response {
    let path = normalize(uri.path()).to_ascii_lowercase();
    if let Some(name) = path.strip_prefix("/docs/images/") {
        return match Dataset::placeholder_png(name) {
            Some(png) => plain(StatusCode::OK, "image/png", png),
            None => not_found(),
        };
    }
    if path == LOGIN_PATH.to_ascii_lowercase() {
        return login_page();
    }
    let is_image = path == "/docs/sysimage.aspx";
    let is_attachment = path == "/docs/sysattachment.aspx";
    if is_image || is_attachment {
        app.stats().downloads += 1;
    }
    let authorized = bearer(headers)
        .is_some_and(|t| app.oauth().check_access(&t, app.now_ms()) == TokenCheck::Valid);
    if !authorized {
        return if is_image {
            white_pixel()
        } else {
            to_login(uri)
        };
    }
    if !is_image && !is_attachment {
        return not_found();
    }
    let division = param(uri, "_Division_").and_then(|d| d.trim().parse::<i32>().ok());
    let (Some(division), Some(id)) = (division, param(uri, "ID")) else {
        return not_found();
    };
    if app.docs_counted {
        let verdict = app.limits().charge(division, app.now_ms());
        return match verdict {
            Verdict::Allowed(h) => {
                with_headers(serve(app, uri, headers, is_image, division, &id), &h)
            }
            Verdict::Minutely(h) | Verdict::Daily(h) => {
                with_headers(plain(StatusCode::TOO_MANY_REQUESTS, "", Vec::new()), &h)
            }
        };
    }
    serve(app, uri, headers, is_image, division, &id)
}

/// The picture or attachment `id` of `division`, for a request with a valid token: the file,
/// or `304 Not Modified` when the request's preconditions say the client has it.
fn serve(
    app: &App,
    uri: &Uri,
    request: &HeaderMap,
    is_image: bool,
    division: i32,
    id: &str,
) -> Response {
    let id = clean_id(id);
    if is_image {
        let table = param(uri, "Table").unwrap_or_default();
        let thumb = param(uri, "ThumbSize").and_then(|s| s.parse::<u32>().ok());
        let spec = app.data().image(division, &table, &id);
        return match spec {
            Some(mut spec) => {
                let replaced = app.docs.replaced(division, &id);
                if let Some(r) = replaced {
                    // Other shapes and colours, same size and format.
                    spec.seed ^= r.generation.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                }
                let (bytes, content_type) = spec.encode(thumb);
                let modified = replaced.map(|r| r.at_ms);
                conditional(app, request, modified, bytes, |bytes| {
                    plain(StatusCode::OK, content_type, bytes)
                })
            }
            None => not_found(),
        };
    }
    match app.data().attachment(division, &id) {
        Some(file) => conditional(app, request, None, file.bytes, |bytes| {
            let mut response = plain(StatusCode::OK, file.content_type, bytes);
            let disposition = format!(
                "attachment; filename=\"{}\"",
                file.file_name.replace('"', "'")
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }),
        None => not_found(),
    }
}

/// The file `bytes` as `ok` answers it, with its validators (`ETag`; `Last-Modified` when
/// `modified_ms` is known), or a bodiless `304 Not Modified` when `request`'s preconditions hold
/// the same file (RFC 9110 §13.2.2: `If-None-Match` first; `If-Modified-Since` only without it).
fn conditional(
    app: &App,
    request: &HeaderMap,
    modified_ms: Option<i64>,
    bytes: Vec<u8>,
    ok: impl FnOnce(Vec<u8>) -> Response,
) -> Response {
    if !app.docs.validators.load(Ordering::Relaxed) {
        app.stats().download_bytes += bytes.len() as u64;
        return ok(bytes);
    }
    let etag = etag_of(&bytes);
    let last_modified = modified_ms.and_then(http_date);
    let not_modified = match request.get(header::IF_NONE_MATCH) {
        Some(tags) => tags
            .to_str()
            .is_ok_and(|tags| none_match_fails(tags, &etag)),
        None => match (request.get(header::IF_MODIFIED_SINCE), modified_ms) {
            (Some(since), Some(modified)) => since
                .to_str()
                .ok()
                .and_then(parse_http_date)
                .is_some_and(|since| modified.div_euclid(1000) <= since.timestamp()),
            _ => false,
        },
    };
    let mut response = if not_modified {
        Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| Response::new(Body::empty()))
    } else {
        app.stats().download_bytes += bytes.len() as u64;
        ok(bytes)
    };
    let validators = [
        (header::ETAG, Some(etag)),
        (header::LAST_MODIFIED, last_modified),
    ];
    for (name, value) in validators {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// A strong entity tag of `bytes`: 64-bit FNV-1a, quoted.
pub fn etag_of(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xCBF2_9CE4_8422_2325_u64, |acc, b| {
        (acc ^ u64::from(*b)).wrapping_mul(0x100_0000_01B3)
    });
    format!("\"{hash:016x}\"")
}

/// Whether an `If-None-Match` value names `etag` (so the condition is false and the answer is
/// 304): `*`, or a list of entity tags compared weakly (a `W/` prefix ignored on either side).
fn none_match_fails(value: &str, etag: &str) -> bool {
    if value.trim() == "*" {
        return true;
    }
    let ours = etag.trim_start_matches("W/");
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return false;
        }
        let tag = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(body) = tag.strip_prefix('"') else {
            return false; // not a list of entity tags: ignored
        };
        let Some(end) = body.find('"') else {
            return false;
        };
        if body[..end + 1] == ours[1..] {
            return true;
        }
        rest = &body[end + 1..];
    }
}

/// An HTTP date (IMF-fixdate) of an epoch-ms instant.
fn http_date(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

/// An HTTP date in any of its three forms (RFC 9110 §5.6.7); `None` when invalid (the
/// precondition is then ignored).
fn parse_http_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_are_compared_weakly() {
        let etag = etag_of(b"bytes");
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 18);
        assert_ne!(etag, etag_of(b"other bytes"));
        for matching in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"a\", {etag}"),
            format!("W/\"x,y\" ,W/{etag}"),
            "*".into(),
        ] {
            assert!(none_match_fails(&matching, &etag), "{matching}");
        }
        for other in ["\"a\"", "", "abc", "\"unterminated", &etag[1..]] {
            assert!(!none_match_fails(other, &etag), "{other}");
        }
    }

    #[test]
    fn http_dates_are_written_and_read_in_every_form() {
        let ms = 1_445_412_480_123; // 2015-10-21 07:28:00.123 UTC
        assert_eq!(
            http_date(ms).as_deref(),
            Some("Wed, 21 Oct 2015 07:28:00 GMT")
        );
        for form in [
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            "Wed Oct 21 07:28:00 2015",
        ] {
            let t = parse_http_date(form).unwrap_or_else(|| panic!("{form} parses"));
            assert_eq!(t.timestamp(), ms.div_euclid(1000), "{form}");
        }
        assert!(parse_http_date("yesterday").is_none());
    }
}
