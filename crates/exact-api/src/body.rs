//! Response bodies read with a size cap.
//!
//! reqwest inflates gzip bodies as they arrive, so a small compressed answer (from a hostile
//! server, or whatever a mistyped base URL reaches) can grow without bound. Every body is read
//! chunk by chunk and the inflated bytes are counted against a cap: a page or a token answer over
//! its cap fails, an error body is cut at its cap and the part read is kept for the message.

use crate::client::describe;
use crate::odata::error_message;

/// The largest page accepted. Exact caps its answers around 9.5 MB outside the Netherlands and
/// Belgium; a 1 000-record sync page with every property is 3.3 MB (items) to 4.6 MB (accounts)
/// in the simulator. 64 MiB leaves room for any real page and still bounds memory per request.
pub const PAGE_CAP: u64 = 64 * 1024 * 1024;

/// The most of an error body that is read. Exact's error bodies are a short JSON or XML message;
/// anything past this is never shown anyway.
pub const ERROR_BODY_CAP: usize = 64 * 1024;

/// The largest token answer accepted: a real one is well under 4 KiB (two tokens and numbers).
pub const TOKEN_ANSWER_CAP: u64 = 64 * 1024;

/// Why a capped read did not return a whole body.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CapError {
    /// More than the cap arrived (or Content-Length announced more).
    #[error("the answer is larger than {}", human(*.0))]
    TooLarge(u64),
    /// The connection failed or was cut before the end of the body.
    #[error("{CUT_OFF}: {0}")]
    Cut(String),
}

/// How the message of a body cut off begins ([`CapError::Cut`]).
const CUT_OFF: &str = "the body was cut off";

/// How the message of a page over [`PAGE_CAP`] begins ([`over_page_cap`]).
const OVER_PAGE_CAP: &str = "the answer from Exact Online is larger than";

/// The message of a page whose body was larger than `cap`.
pub(crate) fn over_page_cap(cap: u64) -> String {
    format!(
        "{OVER_PAGE_CAP} {}; the page was not read (is the base URL right?)",
        human(cap)
    )
}

/// Whether a protocol failure's message says that a page's body was cut off or over its cap:
/// two of the ways an answer too large for Exact to serve may end (see
/// [`crate::Error::may_be_too_large`]).
pub(crate) fn cut_or_over_cap(message: &str) -> bool {
    message.starts_with(CUT_OFF) || message.starts_with(OVER_PAGE_CAP)
}

/// Reads the whole body, failing as soon as more than `cap` (inflated) bytes have arrived.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    cap: u64,
) -> Result<Vec<u8>, CapError> {
    // Known only when the body is not compressed; then an oversized answer fails unread.
    if response.content_length().is_some_and(|n| n > cap) {
        return Err(CapError::TooLarge(cap));
    }
    let announced = response.content_length().unwrap_or(0);
    let mut body = Vec::with_capacity(announced as usize);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| CapError::Cut(describe(e)))?
    {
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(CapError::TooLarge(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads at most `cap` bytes of the body and stops; the flag says whether anything was left
/// unread. A body that breaks off keeps what arrived: this is for error messages, which should
/// read the same whatever the size or state of the body.
pub(crate) async fn read_prefix(mut response: reqwest::Response, cap: usize) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return (body, true);
        }
        body.extend_from_slice(&chunk);
    }
    (body, false)
}

/// The longest message kept from an error body, in characters: enough for any message Exact
/// writes, short enough for a log line or the window.
const MESSAGE_CHARS: usize = 1_000;

/// Exact's message from an error answer. Only the first [`ERROR_BODY_CAP`] bytes are read, so an
/// oversized error body ends like any other, with its message cut short.
pub(crate) async fn message_of(response: reqwest::Response) -> String {
    let status = response.status();
    let reason = response
        .headers()
        .get("reason")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (body, cut) = read_prefix(response, ERROR_BODY_CAP).await;
    let fallback = status.canonical_reason().unwrap_or("error");
    let message = match error_message(&body) {
        Some(message) => shorten(message),
        None if cut => format!(
            "{fallback} (the error body was larger than {} and was not read whole)",
            human(ERROR_BODY_CAP as u64)
        ),
        None => fallback.to_owned(),
    };
    match reason {
        Some(reason) => format!("{message} ({})", shorten(reason)),
        None => message,
    }
}

/// `text` cut to [`MESSAGE_CHARS`] characters, marked with an ellipsis when cut.
fn shorten(text: String) -> String {
    match text.char_indices().nth(MESSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// `64 MiB`, `64 KiB`, or bytes.
pub(crate) fn human(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        assert_eq!(shorten("short".into()), "short");
        let long = "é".repeat(MESSAGE_CHARS + 5);
        let cut = shorten(long);
        assert_eq!(
            cut.chars().count(),
            MESSAGE_CHARS + 1,
            "the text and one ellipsis"
        );
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn caps_read_as_people_write_them() {
        assert_eq!(human(PAGE_CAP), "64 MiB");
        assert_eq!(human(TOKEN_ANSWER_CAP), "64 KiB");
        assert_eq!(human(1_000), "1000 bytes");
        assert_eq!(
            CapError::TooLarge(PAGE_CAP).to_string(),
            "the answer is larger than 64 MiB"
        );
    }

    #[test]
    fn cut_and_oversized_bodies_are_told_from_other_protocol_failures() {
        assert!(cut_or_over_cap(
            &CapError::Cut("connection reset".into()).to_string()
        ));
        assert!(cut_or_over_cap(&over_page_cap(PAGE_CAP)));
        assert!(!cut_or_over_cap("the response is not valid JSON: EOF"));
        assert!(!cut_or_over_cap("the download was cut off: reset"));
    }
}
