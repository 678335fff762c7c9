//! One memory budget for every decode: a bomb is refused from its header, and pictures decoded
//! at once take turns within the budget.

use image::ImageEncoder;
use offline_assets::{
    DECODE_BUDGET_BYTES, DecodeBudget, DecodeLimits, PictureError, render_thumbnails,
    render_thumbnails_within,
};

/// A real, valid PNG of one colour: it compresses about 200:1, so a small download decodes to
/// `width × height × 3` bytes.
fn flat_png(width: u32, height: u32) -> Vec<u8> {
    let pixels = image::RgbImage::from_pixel(width, height, image::Rgb([0, 0, 0]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(
        pixels.as_raw(),
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

#[test]
fn a_flat_png_bomb_is_refused_before_a_pixel_is_allocated() {
    let bomb = flat_png(12_000, 10_000); // 360 MB of pixels from under 2 MB
    assert!(bomb.len() < 4 << 20, "a bomb: {} bytes", bomb.len());
    let budget = DecodeBudget::new(DECODE_BUDGET_BYTES);
    match render_thumbnails_within(&bomb, &DecodeLimits::default(), &budget) {
        Err(e @ PictureError::TooLargeToDecode { .. }) => assert!(
            e.to_string().contains("too large to decode"),
            "the recorded error says why: {e}"
        ),
        other => panic!(
            "12 000 × 10 000 × 3 bytes is more than the whole {DECODE_BUDGET_BYTES}-byte budget, \
             so it must be refused, got {other:?}"
        ),
    }
    assert_eq!(
        budget.high_water(),
        0,
        "refused from its header: nothing was reserved, so nothing was allocated"
    );
    assert!(
        matches!(
            render_thumbnails(&bomb, &DecodeLimits::default()),
            Err(PictureError::TooLargeToDecode { .. })
        ),
        "the shared budget refuses it too"
    );
}

#[test]
fn pictures_decoded_at_once_share_one_budget() {
    // Each picture needs about 17 MiB (9 MB of pixels, 8 MB of resize scratch): one fits the
    // 24 MiB budget, two at once would not, so the decodes must take turns.
    let budget = DecodeBudget::new(24 << 20);
    let picture = flat_png(2_000, 1_500);
    let limits = DecodeLimits::default();
    let decoded = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..2 {
                    let thumbs = render_thumbnails_within(&picture, &limits, &budget)
                        .expect("fits the budget alone")
                        .expect("a picture");
                    assert_eq!(thumbs.full_size, (2_000, 1_500));
                    decoded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(decoded.into_inner(), 8, "every decode finished");
    let high = budget.high_water();
    assert!(
        high >= 2_000 * 1_500 * 3,
        "each decode reserved at least its pixels: {high}"
    );
    assert!(
        high <= budget.total(),
        "eight decodes on four threads never held more than the budget: {high}"
    );
    assert_eq!(budget.in_use(), 0, "every reservation was given back");

    let too_big = flat_png(3_000, 2_000); // 18 MB of pixels plus scratch: over 24 MiB alone
    assert!(
        matches!(
            render_thumbnails_within(&too_big, &limits, &budget),
            Err(PictureError::TooLargeToDecode { .. })
        ),
        "a picture larger than the whole budget is refused instead of waiting forever"
    );
    assert_eq!(budget.in_use(), 0);
}
