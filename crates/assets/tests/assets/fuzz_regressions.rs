//! Inputs found by the `picture` fuzz target in `fuzz/` (scripts/fuzz.sh), kept so that the
//! fixes stay fixed.

use offline_assets::{DecodeLimits, PictureError, render_thumbnails};

/// An animated WebP whose frame has alpha (ALPH) and a VP8 image 0 pixels high: image-webp
/// 0.2.4 (the latest; upstream issue image-rs/image-webp#182) slices out of range and panics. A
/// panic would end the blocking task, which the runner reports as retryable, so the file
/// would be downloaded and decoded again on every sync; it must be an ordinary damaged file.
#[test]
fn a_decoder_panic_is_a_damaged_picture() {
    let bytes = include_bytes!("fuzz/webp-empty-vp8-after-alph.webp");
    match render_thumbnails(bytes, &DecodeLimits::default()) {
        Err(PictureError::Corrupt(message)) => assert!(
            message.contains("WebP decoder failed"),
            "the message names the decoder: {message}"
        ),
        other => panic!("expected a damaged-picture error, got {other:?}"),
    }
}
