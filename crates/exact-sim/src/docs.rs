//! Downloads under `/docs/`: pictures (`SysImage.aspx`), document attachments
//! (`SysAttachment.aspx`) and the placeholder images.
//!
//! Like Exact, a picture or attachment request without a valid bearer token is answered with a
//! 1×1 white image (200), not with an error, so a client that forgets the token stores a blank
//! picture. Downloads are not charged to the rate limits (Exact does not document that they are)
//! but are counted in the statistics.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;

use crate::App;
use crate::data::Dataset;
use crate::gateway::{bearer, normalize, plain};
use crate::oauth::TokenCheck;

/// A 1×1 white GIF (no transparency), what Exact sends to unauthenticated picture requests.
pub const WHITE_PIXEL_GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44,
    0x01, 0x00, 0x3b,
];

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
    plain(StatusCode::OK, "image/gif", WHITE_PIXEL_GIF.to_vec())
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
    let is_image = path == "/docs/sysimage.aspx";
    let is_attachment = path == "/docs/sysattachment.aspx";
    if !is_image && !is_attachment {
        return not_found();
    }
    app.stats().downloads += 1;
    let authorized = bearer(headers)
        .is_some_and(|t| app.oauth().check_access(&t, app.now_ms()) == TokenCheck::Valid);
    if !authorized {
        return white_pixel();
    }
    let division = param(uri, "_Division_").and_then(|d| d.trim().parse::<i32>().ok());
    let (Some(division), Some(id)) = (division, param(uri, "ID")) else {
        return not_found();
    };
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
