//! Authenticated downloads of pictures and attachments: the same token, pacing and retries as
//! every other request, streamed to a temporary file with a size cap, then moved into place.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use reqwest::header::CONTENT_TYPE;
use tokio::io::AsyncWriteExt;

use crate::client::{BodyError, ExactClient, RequestOptions, describe};
use crate::error::{Error, Result};

/// A file fetched by [`ExactClient::download_to`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub path: PathBuf,
    pub bytes: u64,
    pub content_type: Option<String>,
}

impl ExactClient {
    /// Downloads a picture or attachment with the bearer token, streaming to `dest` through a
    /// temporary file, refusing more than `max_bytes`. Paced when `division` is given.
    pub async fn download_to(
        &self,
        division: Option<i32>,
        url: &str,
        dest: &Path,
        max_bytes: u64,
    ) -> Result<Download> {
        let part = dest.with_extension("part");
        let result = self
            .execute(
                division,
                url,
                &RequestOptions::default(),
                "*/*",
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
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.sync_all().await.map_err(io)?;
    Ok((written, content_type))
}
