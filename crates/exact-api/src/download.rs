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
//!
//! Conditional downloads: a download's answer may carry an `ETag` and a `Last-Modified`
//! ([`Download::validators`]). A caller that stored the file keeps them and asks for the same
//! URL again with [`ExactClient::download_for_if_changed`] (or `download_to_if_changed`), which
//! sends them back as `If-None-Match` / `If-Modified-Since`; a `304 Not Modified` is then
//! [`Fetched::NotModified`], not an error, and nothing is written. Exact does not document
//! whether `/docs/` answers carry validators: without them ([`Validators::is_empty`]) the
//! request is unconditional and the file comes in full, as before.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED,
};
use tokio::io::AsyncWriteExt;

use crate::client::{BodyError, Charge, ExactClient, Get, RequestOptions, describe};
use crate::error::{Error, Result};
use crate::renewal::Patience;

/// Bytes of the start of a download kept to recognise an HTML page.
const HEAD_BYTES: usize = 64;

/// The longest validator kept; an `ETag` or an HTTP date is far shorter, and a longer value is
/// not worth sending back.
const MAX_VALIDATOR_BYTES: usize = 256;

/// A file fetched by [`ExactClient::download_to`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub path: PathBuf,
    pub bytes: u64,
    pub content_type: Option<String>,
    /// The answer's `ETag` and `Last-Modified`, to keep with the file for the next download of
    /// the same URL; empty when Exact sent neither.
    pub validators: Validators,
}

/// What identifies a downloaded file to the server: its `ETag` and its `Last-Modified`, as
/// sent (the value is opaque; a date is sent back verbatim, as RFC 9110 asks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// Sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Neither: a download with these is unconditional.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// These, with any validator a newer answer (a 304 carries the `ETag` too) replacing its own.
    pub fn updated_by(self, newer: Validators) -> Validators {
        Validators {
            etag: newer.etag.or(self.etag),
            last_modified: newer.last_modified.or(self.last_modified),
        }
    }

    /// The validators of an answer. A value that is not visible ASCII, is empty or is longer
    /// than [`MAX_VALIDATOR_BYTES`] is left out (never sent back).
    fn of(headers: &HeaderMap) -> Validators {
        let value = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.len() <= MAX_VALIDATOR_BYTES)
                .map(str::to_owned)
        };
        Validators {
            etag: value(ETAG),
            last_modified: value(LAST_MODIFIED),
        }
    }

    /// The request headers that make a download conditional; none when empty.
    fn conditions(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let pairs = [
            (IF_NONE_MATCH, &self.etag),
            (IF_MODIFIED_SINCE, &self.last_modified),
        ];
        for (name, value) in pairs {
            if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, v);
            }
        }
        headers
    }
}

/// What a conditional download brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The file in full (200): it changed, or the server could not tell.
    Downloaded(Download),
    /// `304 Not Modified`: the copy the validators came with is current. Nothing was written.
    /// Holds the validators the 304 carried (RFC 9110 has it repeat the `ETag`; may be empty).
    NotModified(Validators),
}

/// What the body handler made of an answer.
enum Answer {
    File {
        bytes: u64,
        content_type: Option<String>,
        validators: Validators,
    },
    NotModified(Validators),
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
        self.download_to_if_changed(division, url, dest, max_bytes, &Validators::default())
            .await
            .and_then(in_full)
    }

    /// [`Self::download_to`], conditional on `stored`: the validators that came with the copy
    /// the caller keeps. Empty validators make it unconditional.
    pub async fn download_to_if_changed(
        &self,
        division: Option<i32>,
        url: &str,
        dest: &Path,
        max_bytes: u64,
        stored: &Validators,
    ) -> Result<Fetched> {
        self.download_with(division, Charge::Always, url, dest, max_bytes, stored)
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
        self.download_for_if_changed(division, url, dest, max_bytes, &Validators::default())
            .await
            .and_then(in_full)
    }

    /// [`Self::download_for`], conditional on `stored`: the validators that came with the copy
    /// the caller keeps. Empty validators make it unconditional.
    pub async fn download_for_if_changed(
        &self,
        division: i32,
        url: &str,
        dest: &Path,
        max_bytes: u64,
        stored: &Validators,
    ) -> Result<Fetched> {
        self.download_with(
            Some(division),
            Charge::WhenCounted,
            url,
            dest,
            max_bytes,
            stored,
        )
        .await
    }

    async fn download_with(
        &self,
        division: Option<i32>,
        charge: Charge,
        url: &str,
        dest: &Path,
        max_bytes: u64,
        stored: &Validators,
    ) -> Result<Fetched> {
        let part = dest.with_extension("part");
        let options = RequestOptions {
            charge,
            ..RequestOptions::default()
        };
        let conditions = stored.conditions();
        let result = self
            .send(
                Get {
                    division,
                    url,
                    options: &options,
                    accept: "*/*",
                    patience: Patience::NoWait,
                    conditions: &conditions,
                },
                |response| {
                    let part = part.clone();
                    async move { stream_to_file(response, &part, max_bytes).await }
                },
            )
            .await;
        match result {
            Ok(Answer::File {
                bytes,
                content_type,
                validators,
            }) => {
                tokio::fs::rename(&part, dest).await.map_err(|e| {
                    Error::Download(format!("cannot move the download into place: {e}"))
                })?;
                Ok(Fetched::Downloaded(Download {
                    path: dest.to_path_buf(),
                    bytes,
                    content_type,
                    validators,
                }))
            }
            Ok(Answer::NotModified(validators)) => Ok(Fetched::NotModified(validators)),
            Err(e) => {
                let _ = tokio::fs::remove_file(&part).await;
                Err(e)
            }
        }
    }
}

/// The file of an unconditional download. A 304 only reaches the body handler of a conditional
/// request, so this never fails in practice.
fn in_full(fetched: Fetched) -> Result<Download> {
    match fetched {
        Fetched::Downloaded(download) => Ok(download),
        Fetched::NotModified(_) => Err(Error::Protocol(
            "Exact Online answered 304 Not Modified to a download that was not conditional".into(),
        )),
    }
}

async fn stream_to_file(
    response: reqwest::Response,
    part: &Path,
    max_bytes: u64,
) -> Result<Answer, BodyError> {
    let validators = Validators::of(response.headers());
    if response.status() == StatusCode::NOT_MODIFIED {
        // Only a conditional request gets here with a 304 (see `ExactClient::send`): no body,
        // nothing written.
        return Ok(Answer::NotModified(validators));
    }
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
    Ok(Answer::File {
        bytes: written,
        content_type,
        validators,
    })
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
    use std::sync::{Arc, Mutex};

    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    use super::*;
    use crate::client::ClientConfig;
    use crate::clock::{Clock, SystemClock};
    use crate::oauth::AppCredentials;
    use crate::tokens::{FileTokenStore, TokenSet, TokenStore};

    /// An HTTP server on 127.0.0.1 answering each connection with the next canned answer
    /// (`Connection: close`), keeping the head of every request it read, lowercased.
    async fn server(answers: Vec<&'static str>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&heads);
        tokio::spawn(async move {
            for answer in answers {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
                seen.lock().expect("heads").push(text);
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        (base, heads)
    }

    /// A client of `base` holding a valid token, so no sign-in traffic reaches the server.
    fn client(base: &str, dir: &Path) -> ExactClient {
        let now = SystemClock.now_ms();
        let store = FileTokenStore::new(dir.join("tokens.json"));
        store
            .save(&TokenSet {
                access_token: "access".into(),
                refresh_token: "refresh".into(),
                issued_at_ms: now - 120_000,
                expires_at_ms: now + 600_000,
                refresh_expires_at_ms: now + 86_400_000,
            })
            .expect("tokens saved");
        let app = AppCredentials {
            client_id: "id".into(),
            client_secret: "secret".into(),
            redirect_uri: "http://127.0.0.1:1/callback".into(),
        };
        let config = ClientConfig::new(base, app, dir.join("tokens.lock"), Arc::new(SystemClock));
        ExactClient::new(config, Arc::new(store)).expect("a client")
    }

    const NOT_MODIFIED: &str =
        "HTTP/1.1 304 Not Modified\r\nETag: \"v2\"\r\nConnection: close\r\n\r\n";
    const FILE: &str = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 5\r\n\
                        ETag: \"v1\"\r\nLast-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\n\
                        Connection: close\r\n\r\nbytes";

    #[tokio::test]
    async fn conditional_downloads_send_the_validators_and_take_a_304_as_not_modified() {
        let (base, heads) = server(vec![FILE, NOT_MODIFIED, FILE, NOT_MODIFIED]).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let client = client(&base, dir.path());
        let url = format!("{base}/docs/SysImage.aspx?ID=x");
        let dest = dir.path().join("file.bin");

        // Unconditional: no precondition is sent, and the answer's validators come back.
        let first = client
            .download_to(None, &url, &dest, 1_000)
            .await
            .expect("the file");
        let stored = Validators {
            etag: Some("\"v1\"".into()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
        };
        assert_eq!(first.validators, stored);
        assert_eq!(std::fs::read(&dest).expect("written"), b"bytes");

        // Conditional: both validators go back verbatim; the 304 writes nothing.
        std::fs::remove_file(&dest).expect("removed");
        let second = client
            .download_to_if_changed(None, &url, &dest, 1_000, &stored)
            .await
            .expect("an answer");
        let answered = Validators {
            etag: Some("\"v2\"".into()),
            last_modified: None,
        };
        assert_eq!(second, Fetched::NotModified(answered.clone()));
        assert!(!dest.exists() && !dest.with_extension("part").exists());
        assert_eq!(
            stored.clone().updated_by(answered),
            Validators {
                etag: Some("\"v2\"".into()),
                last_modified: stored.last_modified.clone(),
            }
        );

        // Empty validators: unconditional again.
        let third = client
            .download_to_if_changed(None, &url, &dest, 1_000, &Validators::default())
            .await
            .expect("the file");
        assert!(
            matches!(third, Fetched::Downloaded(ref d) if d.bytes == 5),
            "{third:?}"
        );

        // A 304 to a request that asked for none is not taken for the file.
        let fourth = client.download_to(None, &url, &dest, 1_000).await;
        assert!(
            matches!(fourth, Err(Error::Api { status: 304, .. })),
            "{fourth:?}"
        );

        let heads = heads.lock().expect("heads").clone();
        assert_eq!(heads.len(), 4, "{heads:?}");
        let conditional = |head: &str| {
            head.contains("\r\nif-none-match:") || head.contains("\r\nif-modified-since:")
        };
        assert!(!conditional(&heads[0]), "{}", heads[0]);
        assert!(
            heads[1].contains("\r\nif-none-match: \"v1\"\r\n"),
            "{}",
            heads[1]
        );
        assert!(
            heads[1].contains("\r\nif-modified-since: wed, 21 oct 2015 07:28:00 gmt\r\n"),
            "{}",
            heads[1]
        );
        assert!(!conditional(&heads[2]) && !conditional(&heads[3]));
    }

    #[test]
    fn validators_are_read_within_bounds() {
        let mut headers = HeaderMap::new();
        headers.insert(ETAG, HeaderValue::from_static("  W/\"x\"  "));
        headers.insert(
            LAST_MODIFIED,
            HeaderValue::from_str(&"9".repeat(MAX_VALIDATOR_BYTES + 1)).expect("ASCII"),
        );
        let read = Validators::of(&headers);
        assert_eq!(read.etag.as_deref(), Some("W/\"x\""));
        assert_eq!(read.last_modified, None, "an over-long value is not kept");
        let sent = read.conditions();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[IF_NONE_MATCH], "W/\"x\"");
        assert!(Validators::default().conditions().is_empty());
    }

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
