//! Authenticated downloads of pictures and attachments: the same token, pacing and retries as
//! every other request, streamed to a temporary file with a size cap, then moved into place.
//!
//! Exact does not answer a download it does not take as signed in with a 401 alone: under
//! `/docs/` it redirects to `Login.aspx` (an HTML "Object moved" page, picqer/exact-php-client
//! #343), and a client that follows redirects gets the login page itself. Such answers (a 401,
//! a redirect to `Login.aspx`, an HTML page that is not an attachment) are a refused sign-in,
//! never the file. A refused download gets another token only when Exact's 570 s rule allows it
//! at once; otherwise it fails with [`Error::DownloadUnauthorized`], to be tried again later. It
//! never waits for the rule, nor for an API call that does. (Exact's other answer, a 1×1 white
//! picture for `SysImage.aspx`, is a valid image: the caller, who knows whether the record has
//! a picture, judges it.)

use std::path::{Path, PathBuf};

use futures::StreamExt;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderMap};
use tokio::io::AsyncWriteExt;

use crate::client::{BodyError, Charge, ExactClient, RequestOptions, describe};
use crate::error::{Error, Result};
use crate::renewal::Patience;

/// Bytes of the start of a download kept to recognise an HTML page.
const HEAD_BYTES: usize = 64;

/// A file fetched by [`ExactClient::download_to`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub path: PathBuf,
    pub bytes: u64,
    pub content_type: Option<String>,
}

impl ExactClient {
    /// Downloads a picture or attachment with the bearer token, streaming to `dest` through a
    /// temporary file, refusing more than `max_bytes`. Paced when `division` is given. Never
    /// waits for Exact's 570 s token rule: a refused sign-in that only a wait would cure is
    /// [`Error::DownloadUnauthorized`].
    pub async fn download_to(
        &self,
        division: Option<i32>,
        url: &str,
        dest: &Path,
        max_bytes: u64,
    ) -> Result<Download> {
        self.download_with(division, Charge::Always, url, dest, max_bytes)
            .await
    }

    /// [`Self::download_to`] for a picture or file of `division`: its rate-limit headers are
    /// read, and it is paced with the division's API calls once Exact's answers show that
    /// downloads count against the limits (see [`Charge::WhenCounted`]).
    pub async fn download_for(
        &self,
        division: i32,
        url: &str,
        dest: &Path,
        max_bytes: u64,
    ) -> Result<Download> {
        self.download_with(Some(division), Charge::WhenCounted, url, dest, max_bytes)
            .await
    }

    async fn download_with(
        &self,
        division: Option<i32>,
        charge: Charge,
        url: &str,
        dest: &Path,
        max_bytes: u64,
    ) -> Result<Download> {
        let part = dest.with_extension("part");
        let options = RequestOptions {
            charge,
            ..RequestOptions::default()
        };
        let result = self
            .send(
                division,
                url,
                &options,
                "*/*",
                Patience::NoWait,
                |response| {
                    let part = part.clone();
                    async move { stream_to_file(response, &part, max_bytes).await }
                },
            )
            .await;
        match result {
            Ok((bytes, content_type)) => {
                tokio::fs::rename(&part, dest).await.map_err(|e| {
                    Error::Download(format!("cannot move the download into place: {e}"))
                })?;
                Ok(Download {
                    path: dest.to_path_buf(),
                    bytes,
                    content_type,
                })
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&part).await;
                Err(e)
            }
        }
    }
}

async fn stream_to_file(
    response: reqwest::Response,
    part: &Path,
    max_bytes: u64,
) -> Result<(u64, Option<String>), BodyError> {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let attachment = is_attachment(response.headers());
    if !attachment && content_type.as_deref().is_some_and(is_html_type) {
        return Err(BodyError::Unauthorized(
            "Exact Online sent an HTML page instead of the file".into(),
        ));
    }
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(BodyError::Fatal(Error::Download(format!(
            "the file is larger than the {max_bytes}-byte cap"
        ))));
    }
    let io = |e: std::io::Error| {
        BodyError::Fatal(Error::Download(format!(
            "cannot write {}: {e}",
            part.display()
        )))
    };
    if let Some(dir) = part.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
    }
    let mut file = tokio::fs::File::create(part).await.map_err(io)?;
    let mut written = 0u64;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            BodyError::Transient(format!("the download was cut off: {}", describe(e)))
        })?;
        written += chunk.len() as u64;
        if written > max_bytes {
            return Err(BodyError::Fatal(Error::Download(format!(
                "the file is larger than the {max_bytes}-byte cap"
            ))));
        }
        let room = HEAD_BYTES - head.len();
        head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        file.write_all(&chunk).await.map_err(io)?;
    }
    if !attachment && starts_like_html(&head) {
        return Err(BodyError::Unauthorized(
            "Exact Online sent an HTML page instead of the file".into(),
        ));
    }
    file.sync_all().await.map_err(io)?;
    Ok((written, content_type))
}

/// `Content-Disposition: attachment`: the answer is a file, whatever it holds (an attachment
/// may be an HTML or XML document).
fn is_attachment(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("attachment")
        })
}

fn is_html_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/html")
        || essence.eq_ignore_ascii_case("application/xhtml+xml")
}

/// A body that opens like an HTML page (`<!DOCTYPE html`, `<html`), after white space and a
/// byte-order mark. Not any `<`: XML documents (e-invoices) and SVG drawings start with one too,
/// and are the file, not a refusal.
fn starts_like_html(head: &[u8]) -> bool {
    let start = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start: Vec<u8> = start
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(14)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_pages_are_recognised_and_documents_are_not() {
        for page in [
            &b"<!DOCTYPE html><html>"[..],
            b"\xEF\xBB\xBF\r\n  <!doctype HTML>",
            b"<html><head><title>Object moved</title>",
            b"<HTML>",
        ] {
            assert!(starts_like_html(page), "{}", String::from_utf8_lossy(page));
        }
        for file in [
            &b"<?xml version=\"1.0\"?><Invoice>"[..],
            b"<svg xmlns=",
            b"%PDF-1.7",
            b"\x89PNG",
            b"",
        ] {
            assert!(!starts_like_html(file), "{}", String::from_utf8_lossy(file));
        }
        assert!(is_html_type("text/html; charset=utf-8"));
        assert!(!is_html_type("image/png"));
    }
}
