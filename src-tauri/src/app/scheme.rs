//! The `exo:` URI scheme: pictures, logos and contact photos from the asset store, nothing else.
//! The UI asks for `exo://localhost/<division>/<item|account|contact>/<id>/<thumb|medium|full>`
//! (percent-encoded as one segment by `convertFileSrc`); anything else answers 400 or 404.
//! Attachments are never served here: they open in the system's viewer.

use offline_assets::{AssetEntity, AssetKey, Rendition};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use super::shell::Shell;

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub struct PictureRequest {
    pub key: AssetKey,
    pub rendition: Rendition,
}

pub fn parse(path: &str) -> Option<PictureRequest> {
    let decoded = percent_decode(path.trim_start_matches('/'))?;
    let mut parts = decoded.split('/');
    let division = parts.next()?.parse::<i32>().ok()?;
    let entity = match parts.next()? {
        "item" => AssetEntity::Items,
        "account" => AssetEntity::Accounts,
        "contact" => AssetEntity::Contacts,
        _ => return None,
    };
    let id = parts.next()?;
    let rendition = match parts.next()? {
        "thumb" => Rendition::Small,
        "medium" => Rendition::Large,
        "full" => Rendition::Original,
        _ => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(PictureRequest {
        key: AssetKey::new(division, entity, id)?,
        rendition,
    })
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let path = request.uri().path().to_owned();
    tauri::async_runtime::spawn(async move {
        let shell = app.state::<Shell>();
        responder.respond(answer(&shell, &path).await);
    });
}

async fn answer(shell: &Shell, path: &str) -> Response<Vec<u8>> {
    let Some(wanted) = parse(path) else {
        return status(StatusCode::BAD_REQUEST);
    };
    let Ok(workspace) = shell.current().await else {
        return status(StatusCode::NOT_FOUND);
    };
    let Some(file) = workspace.assets().lookup(&wanted.key, wanted.rendition) else {
        return status(StatusCode::NOT_FOUND);
    };
    // Only pictures go to the webview, whatever the store holds.
    if !file.content_type.starts_with("image/") {
        return status(StatusCode::NOT_FOUND);
    }
    match tokio::fs::read(&file.path).await {
        Ok(bytes) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, &file.content_type)
            .header(header::CACHE_CONTROL, "no-cache")
            .header("X-Content-Type-Options", "nosniff")
            .body(bytes)
            .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR)),
        Err(_) => status(StatusCode::NOT_FOUND),
    }
}

/// An answer without a picture; never cached, since the picture may be stored a moment later.
fn status(code: StatusCode) -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = code;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        tauri::http::HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f1c0a52-6b1e-4d7a-9a51-2b9f0c1d2e3f";

    #[test]
    fn parses_what_convert_file_src_sends() {
        let encoded = format!("/12%2Fitem%2F{ID}%2Fthumb");
        let parsed = parse(&encoded).expect("a picture request");
        assert_eq!(parsed.key.division, 12);
        assert_eq!(parsed.key.entity, AssetEntity::Items);
        assert_eq!(parsed.rendition, Rendition::Small);
        assert!(parse(&format!("/12/contact/{{{ID}}}/full")).is_some());
    }

    #[test]
    fn refuses_anything_else() {
        for path in [
            format!("/12/attachment/{ID}/full"),
            format!("/12/item/{ID}/huge"),
            format!("/x/item/{ID}/thumb"),
            "/12/item/..%2F..%2Fetc%2Fpasswd/full".to_owned(),
            format!("/12/item/{ID}/thumb/extra"),
            "/12%2".to_owned(),
            String::new(),
        ] {
            assert!(parse(&path).is_none(), "{path} was accepted");
        }
    }
}
