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

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;

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
            Verdict::Allowed(h) => with_headers(serve(app, uri, is_image, division, &id), &h),
            Verdict::Minutely(h) | Verdict::Daily(h) => {
                with_headers(plain(StatusCode::TOO_MANY_REQUESTS, "", Vec::new()), &h)
            }
        };
    }
    serve(app, uri, is_image, division, &id)
}

/// The picture or attachment `id` of `division`, for a request with a valid token.
fn serve(app: &App, uri: &Uri, is_image: bool, division: i32, id: &str) -> Response {
    let id = id
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase();
    if is_image {
        let table = param(uri, "Table").unwrap_or_default();
        let thumb = param(uri, "ThumbSize").and_then(|s| s.parse::<u32>().ok());
        let spec = app.data().image(division, &table, &id);
        return match spec {
            Some(spec) => {
                let (bytes, content_type) = spec.encode(thumb);
                plain(StatusCode::OK, content_type, bytes)
            }
            None => not_found(),
        };
    }
    match app.data().attachment(division, &id) {
        Some(file) => {
            let mut response = plain(StatusCode::OK, file.content_type, file.bytes);
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
        }
        None => not_found(),
    }
}
