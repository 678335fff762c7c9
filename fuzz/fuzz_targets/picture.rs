//! A downloaded picture as the asset runner takes it in (`intake::ingest`): the content type
//! sniffed from the bytes and `render_thumbnails` with the app's default `DecodeLimits`
//! (12 000 px a side, 512 MiB of pixels).
//!
//! Oracles (crates/assets/src/picture.rs, thumbnail.rs):
//! - every failure is an error value: no panic escapes `render_thumbnails` (a decoder's own panic
//!   is caught there and must come back as an error), and no allocation goes beyond the limits
//!   (libFuzzer's `-rss_limit_mb` / `-malloc_limit_mb` catch those, see scripts/fuzz.sh);
//! - thumbnails are only made from a JPEG, PNG, GIF or WebP, and the sniffed type says so;
//! - both thumbnails decode, fit their box (320 and 64 px), never exceed the picture's own size,
//!   and are encoded as the format they claim.

#![no_main]

use std::cell::RefCell;

use image::ImageFormat;
use libfuzzer_sys::fuzz_target;
use offline_assets::{
    DecodeLimits, LARGE_SIDE, SMALL_SIDE, ThumbFormat, render_thumbnails, sniff_content_type,
};

fn check_thumbnail(bytes: &[u8], format: ThumbFormat, side: u32, full: (u32, u32)) {
    let expected = match format {
        ThumbFormat::Jpeg => ImageFormat::Jpeg,
        ThumbFormat::Png => ImageFormat::Png,
    };
    assert_eq!(
        image::guess_format(bytes).ok(),
        Some(expected),
        "a thumbnail is encoded as its format"
    );
    let thumb = image::load_from_memory_with_format(bytes, expected)
        .unwrap_or_else(|e| panic!("a {format:?} thumbnail decodes: {e}"));
    let (w, h) = (thumb.width(), thumb.height());
    assert!(w >= 1 && h >= 1, "a thumbnail has pixels");
    assert!(
        w.max(h) <= side,
        "a {w}×{h} thumbnail fits its {side} px box"
    );
    assert!(
        w.max(h) <= full.0.max(full.1),
        "a {w}×{h} thumbnail of a {}×{} picture is not enlarged",
        full.0,
        full.1
    );
}

fn check(bytes: &[u8]) {
    let content_type = sniff_content_type(bytes);
    match render_thumbnails(bytes, &DecodeLimits::default()) {
        Err(_) | Ok(None) => {}
        Ok(Some(thumbs)) => {
            assert!(
                matches!(
                    content_type,
                    "image/jpeg" | "image/png" | "image/gif" | "image/webp"
                ),
                "thumbnails were made from a file sniffed as {content_type}"
            );
            check_thumbnail(&thumbs.large, thumbs.format, LARGE_SIDE, thumbs.full_size);
            check_thumbnail(&thumbs.small, thumbs.format, SMALL_SIDE, thumbs.full_size);
        }
    }
}

thread_local! {
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

fuzz_target!(
    init: {
        // libFuzzer's hook aborts on every panic, but offline-assets catches decoder panics on
        // purpose (a damaged file is an error, see picture.rs); what must not happen is a panic
        // escaping `render_thumbnails`, as it would in the app. So the hook only remembers.
        std::panic::set_hook(Box::new(|info| {
            LAST_PANIC.with(|last| *last.borrow_mut() = info.to_string());
        }));
    },
    |bytes: &[u8]| {
        if std::panic::catch_unwind(|| check(bytes)).is_err() {
            let message = LAST_PANIC.with(|last| last.borrow().clone());
            eprintln!("panicked at {message}");
            std::process::abort();
        }
    }
);
