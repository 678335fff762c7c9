//! Answers a hostile or broken server could send, for the fault kinds that check a client's
//! size caps: a gzip bomb ([`FaultKind::GzipBomb`](crate::FaultKind::GzipBomb)) and an error body
//! of megabytes ([`FaultKind::OversizedError`](crate::FaultKind::OversizedError)).

use std::io::Write;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::envelope::{self, Format};
use crate::faults::FaultRule;
use crate::gateway::plain;

/// What a gzip bomb inflates to unless the rule says otherwise: more than any client cap that
/// a page could sensibly have (exact-api's is 64 MiB).
pub const DEFAULT_BOMB_BYTES: u64 = 100 * 1024 * 1024;

/// The size of an oversized error body unless the rule says otherwise: far beyond any real
/// error message, small enough to build in memory.
pub const DEFAULT_ERROR_BYTES: u64 = 4 * 1024 * 1024;

/// 200, `Content-Type: application/json`, `Content-Encoding: gzip`: a body of a few hundred KiB
/// that inflates to `rule.bytes` spaces. Compressed at serve time, off the async threads.
pub async fn gzip_bomb(rule: &FaultRule) -> Response {
    let bytes = rule.bytes.unwrap_or(DEFAULT_BOMB_BYTES);
    let compressed = tokio::task::spawn_blocking(move || compress_spaces(bytes)).await;
    match compressed {
        Ok(Ok(body)) => {
            let mut response = plain(StatusCode::OK, "application/json; charset=utf-8", body);
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
        Ok(Err(e)) => failed(&e.to_string()),
        Err(e) => failed(&e.to_string()),
    }
}

/// Exact's error body (in the requested format) with `rule.status` (default 400), its message
/// repeated until the body is about `rule.bytes` long.
pub fn oversized_error(rule: &FaultRule, format: Format) -> Response {
    let status =
        StatusCode::from_u16(rule.status.unwrap_or(400)).unwrap_or(StatusCode::BAD_REQUEST);
    let sentence = "Oversized error message (injected by exact-sim). ";
    let target = rule.bytes.unwrap_or(DEFAULT_ERROR_BYTES) as usize;
    let text = sentence.repeat(target / sentence.len() + 1);
    let body = envelope::error(format, &text);
    plain(status, body.content_type, body.bytes)
}

/// `bytes` spaces, gzip-compressed: spaces are valid JSON whitespace, so only the size is wrong.
fn compress_spaces(bytes: u64) -> std::io::Result<Vec<u8>> {
    let block = [b' '; 64 * 1024];
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let mut left = bytes;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        encoder.write_all(&block[..n])?;
        left -= n as u64;
    }
    encoder.finish()
}

fn failed(text: &str) -> Response {
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/plain",
        format!("exact-sim could not build the gzip bomb: {text}").into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_bomb_is_small_and_inflates_to_the_size_asked() {
        let size = 8 * 1024 * 1024 + 17;
        let compressed = compress_spaces(size).expect("compresses in memory");
        assert!(
            compressed.len() < 64 * 1024,
            "a bomb is much smaller than what it inflates to: {} bytes",
            compressed.len()
        );
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut inflated)
            .expect("valid gzip");
        assert_eq!(inflated.len() as u64, size);
        assert!(inflated.iter().all(|b| *b == b' '));
    }
}
