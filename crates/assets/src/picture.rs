//! Decoding downloaded pictures safely: sniffing, limits, EXIF orientation.
//!
//! Invariants:
//! - the format is read from the bytes, never from a file name or a `Content-Type` header; only
//!   JPEG, PNG, GIF and WebP are decoded (HTML, SVG, PDF and anything else are refused by name);
//! - the dimensions are checked against [`DecodeLimits`] *before* pixels are allocated, so a
//!   decompression bomb costs a header read; every failure is an error value, never a panic
//!   (a decoder's own panic included);
//! - before allocating, a decode reserves the most memory it will hold from the shared
//!   [`DecodeBudget`] (see [`crate::budget`]) and keeps it as long as the [`Picture`] lives;
//!   a picture whose decode alone needs more than the budget is refused;
//! - the picture is not turned upright here: rotating the full picture would hold a second
//!   full-size copy, so [`Picture::orientation`] is applied after shrinking;
//! - JPEGs are decoded at a reduced DCT scale (1/2, 1/4, 1/8) when only a thumbnail is needed,
//!   which is what makes bulk thumbnailing fast; the result is at least as large as asked.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};

use crate::budget::{DECODE_BUDGET_BYTES, DecodeBudget, Reservation, shrink_cost};
use crate::error::PictureError;

/// Bounds on what a picture may cost to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Longest side accepted, in pixels.
    pub max_side: u32,
    /// Most memory one decode may use, in bytes: its pixels, the decoder's buffers and the
    /// scratch of shrinking it (the shared [`DecodeBudget`] may be smaller still).
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_side: 12_000,
            // Per picture as much as all pictures together: one huge picture may use the whole
            // budget, it then waits until the others are done.
            max_alloc: DECODE_BUDGET_BYTES,
        }
    }
}

/// Content type of a file, sniffed from its first bytes; only types safe to show in a webview
/// are named, everything else is `application/octet-stream` (never `text/html` or SVG).
pub fn sniff_content_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => "image/jpeg",
        Ok(ImageFormat::Png) => "image/png",
        Ok(ImageFormat::Gif) => "image/gif",
        Ok(ImageFormat::WebP) => "image/webp",
        _ => "application/octet-stream",
    }
}

/// What a file looks like when it is not a picture we decode, for the error message.
fn describe_non_image(bytes: &[u8]) -> String {
    let head: Vec<u8> = bytes
        .iter()
        .copied()
        .skip_while(|b| b.is_ascii_whitespace() || *b == 0xEF || *b == 0xBB || *b == 0xBF)
        .take(256)
        .collect();
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let kind = if text.contains("<svg") {
        "it looks like an SVG drawing"
    } else if text.starts_with("<!doctype html") || text.contains("<html") {
        "it looks like an HTML page"
    } else if text.starts_with('<') {
        "it looks like an XML or HTML document"
    } else if bytes.starts_with(b"%PDF-") {
        "it looks like a PDF document"
    } else {
        match image::guess_format(bytes) {
            Ok(f) => return format!("it is a {f:?} image, a format not accepted for pictures"),
            Err(_) => "its format is unknown",
        }
    };
    kind.to_owned()
}

/// A decoded picture, not yet turned upright, and the budget it holds.
#[derive(Debug)]
pub struct Picture<'b> {
    /// Pixels, possibly at a reduced scale (see `decode_for_thumbnail`), as stored: apply
    /// `orientation` to what is made of them.
    pub image: DynamicImage,
    /// Size of the full picture as stored (before scaling, after orientation).
    pub full_size: (u32, u32),
    /// The EXIF orientation still to apply.
    pub orientation: Orientation,
    /// Memory held for `image` and the scratch of shrinking it to `needed_side`.
    pub reservation: Reservation<'b>,
}

/// Decodes `bytes` with `limits`, at a reduced scale when the long side only needs to reach
/// `needed_side` pixels, holding memory from `budget` (waiting for it when others hold it).
/// `Ok(None)` is a 1×1 image (Exact's blank answer to a request it does not take as signed in).
/// Blocks: call it on a blocking thread.
pub fn decode_for_thumbnail<'b>(
    bytes: &[u8],
    limits: &DecodeLimits,
    needed_side: u32,
    budget: &'b DecodeBudget,
) -> Result<Option<Picture<'b>>, PictureError> {
    if bytes.is_empty() {
        return Err(PictureError::Empty);
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP)) => f,
        _ => {
            return Err(PictureError::NotAPicture(describe_non_image(bytes)));
        }
    };
    check_complete(format, bytes)?;
    // The decoders are third-party code fed hostile bytes, and some still panic on malformed
    // files (image-webp 0.2.4 on a zero-sized VP8 frame after ALPH, image-rs/image-webp#182).
    // Caught here, such a file is recorded as damaged like any other instead of ending the
    // blocking task, which the runner would report as retryable and try again every sync.
    std::panic::catch_unwind(|| {
        let need = Need {
            limits,
            side: needed_side,
            budget,
            input: bytes.len() as u64,
        };
        if format == ImageFormat::Jpeg
            && let Some(picture) = decode_jpeg_scaled(bytes, &need)?
        {
            return Ok(picture);
        }
        decode_generic(bytes, format, &need)
    })
    .unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        Err(PictureError::Corrupt(format!(
            "the {format:?} decoder failed on it ({why})"
        )))
    })
}

/// A download cut off mid-file must fail clearly, even where a lenient decoder would fill
/// the missing part with grey: each format has an end marker (or a length) to look for.
fn check_complete(format: ImageFormat, bytes: &[u8]) -> Result<(), PictureError> {
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    let complete = match format {
        ImageFormat::Jpeg => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
        ImageFormat::Png => tail.windows(4).any(|w| w == b"IEND"),
        ImageFormat::Gif => tail.iter().rev().take(64).any(|b| *b == 0x3B),
        ImageFormat::WebP => bytes
            .get(4..8)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .is_some_and(|n| u64::from(n) + 8 <= bytes.len() as u64),
        _ => true,
    };
    if complete {
        Ok(())
    } else {
        Err(PictureError::Corrupt(format!(
            "the {format:?} file is cut off (its end marker is missing)"
        )))
    }
}

/// What a decode needs to know to reserve memory.
struct Need<'l, 'b> {
    limits: &'l DecodeLimits,
    /// Long side the thumbnail needs.
    side: u32,
    budget: &'b DecodeBudget,
    /// The file's own bytes, held for the whole decode.
    input: u64,
}

impl<'b> Need<'_, 'b> {
    /// Reserves `decode` bytes (pixels and decoder buffers) plus the file and the scratch of
    /// shrinking a `width`×`height` image, or refuses the picture when that is over the limit.
    fn reserve(
        &self,
        (width, height): (u32, u32),
        decoded: (u32, u32),
        decode: u64,
    ) -> Result<Reservation<'b>, PictureError> {
        let needed = decode + self.input + shrink_cost(decoded.0, decoded.1, self.side);
        let allowed = self.limits.max_alloc.min(self.budget.total());
        let refused = || PictureError::TooLargeToDecode {
            width,
            height,
            needed_mib: needed.div_ceil(1 << 20),
            allowed_mib: allowed >> 20,
        };
        if needed > allowed {
            return Err(refused());
        }
        self.budget.reserve(needed).ok_or_else(refused)
    }
}

/// Refuses sides over the limit and empty pictures; the bytes are checked by [`Need::reserve`].
fn check_sides(width: u32, height: u32, limits: &DecodeLimits) -> Result<(), PictureError> {
    if width.max(height) > limits.max_side {
        return Err(PictureError::TooLarge { width, height });
    }
    if width == 0 || height == 0 {
        return Err(PictureError::Corrupt(format!(
            "the picture claims to be {width}×{height}"
        )));
    }
    Ok(())
}

/// The fast path. `Ok(None)` hands the file to the general decoder (CMYK, 16-bit).
fn decode_jpeg_scaled<'b>(
    bytes: &[u8],
    need: &Need<'_, 'b>,
) -> Result<Option<Option<Picture<'b>>>, PictureError> {
    let (limits, needed_side) = (need.limits, need.side);
    let corrupt = |e: jpeg_decoder::Error| PictureError::Corrupt(e.to_string());
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(corrupt)?;
    let Some(info) = decoder.info() else {
        return Err(PictureError::Corrupt("no JPEG header".into()));
    };
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_sides(width, height, limits)?;
    if (width, height) == (1, 1) {
        return Ok(Some(None));
    }
    let channels = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => 3,
        jpeg_decoder::PixelFormat::L8 => 1,
        _ => return Ok(None),
    };
    let long = width.max(height);
    let (mut out_w, mut out_h) = (info.width, info.height);
    if needed_side < long {
        let f = f64::from(needed_side) / f64::from(long);
        let want =
            |side: u32| ((f64::from(side) * f).ceil() as u32).clamp(1, u32::from(u16::MAX)) as u16;
        (out_w, out_h) = decoder.scale(want(width), want(height)).map_err(corrupt)?;
    }
    let scaled = (u32::from(out_w), u32::from(out_h));
    // jpeg-decoder holds one plane per component at the output scale and the output itself;
    // a progressive (or lossless) file also keeps every coefficient of the full picture,
    // 64 × 2 bytes per 8 × 8 block of each component (counted without chroma subsampling).
    let pad = |side: u32| u64::from(side.div_ceil(16) * 16 + 16);
    let mut cost = 2 * (pad(scaled.0) * pad(scaled.1)) * channels as u64;
    if info.coding_process != jpeg_decoder::CodingProcess::DctSequential {
        cost += 2 * pad(width) * pad(height) * channels as u64;
    }
    let reservation = need.reserve((width, height), scaled, cost)?;
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_alloc).unwrap_or(usize::MAX));
    let pixels = decoder.decode().map_err(corrupt)?;
    let Some(info) = decoder.info() else {
        return Err(PictureError::Corrupt("no JPEG header".into()));
    };
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    if pixels.len() != w as usize * h as usize * channels {
        return Err(PictureError::Corrupt(
            "the JPEG decoded to the wrong size".into(),
        ));
    }
    let image = if channels == 3 {
        RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
    } else {
        GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
    }
    .ok_or_else(|| PictureError::Corrupt("the JPEG decoded to the wrong size".into()))?;
    let orientation = decoder
        .exif_data()
        .and_then(|exif| {
            Orientation::from_exif_chunk(exif.strip_prefix(b"Exif\0\0").unwrap_or(exif))
        })
        .unwrap_or(Orientation::NoTransforms);
    Ok(Some(Some(Picture {
        image,
        full_size: upright(width, height, orientation),
        orientation,
        reservation,
    })))
}

/// Decoder buffers beyond the decoded pixels, in multiples of them: GIF keeps a frame buffer,
/// WebP its YUV planes or ARGB words, zune-jpeg (CMYK and 16-bit JPEGs) planes per component and,
/// when progressive, every coefficient; PNG only needs a couple of rows.
fn decoder_overhead(format: ImageFormat) -> u64 {
    match format {
        ImageFormat::Png => 0,
        ImageFormat::Jpeg => 4,
        _ => 1,
    }
}

fn decode_generic<'b>(
    bytes: &[u8],
    format: ImageFormat,
    need: &Need<'_, 'b>,
) -> Result<Option<Picture<'b>>, PictureError> {
    let limits = need.limits;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_side);
    image_limits.max_image_height = Some(limits.max_side);
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (width, height) = decoder.dimensions();
    check_sides(width, height, limits)?;
    if (width, height) == (1, 1) {
        return Ok(None);
    }
    // Two rows (PNG unfiltering) on top of the pixels and the format's own buffers.
    let pixels = decoder.total_bytes();
    let rows = 2 * pixels / u64::from(height);
    let cost = pixels.saturating_mul(1 + decoder_overhead(format)) + rows;
    let reservation = need.reserve((width, height), (width, height), cost)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    Ok(Some(Picture {
        image,
        full_size: upright(width, height, orientation),
        orientation,
        reservation,
    }))
}

fn upright(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

fn image_error(e: image::ImageError) -> PictureError {
    match e {
        image::ImageError::Limits(l) => PictureError::Limits(l.to_string()),
        other => PictureError::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_sniffed_and_never_html() {
        assert_eq!(sniff_content_type(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(
            sniff_content_type(b"<html><script>"),
            "application/octet-stream"
        );
        assert_eq!(
            sniff_content_type(b"<svg xmlns="),
            "application/octet-stream"
        );
        assert_eq!(sniff_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]), "image/jpeg");
    }

    #[test]
    fn non_pictures_are_named_in_the_error() {
        let limits = DecodeLimits::default();
        let cases: [(&[u8], &str); 4] = [
            (b"\xEF\xBB\xBF<!DOCTYPE html><html>", "HTML"),
            (b"  <?xml version=\"1.0\"?><svg xmlns=", "SVG"),
            (b"%PDF-1.4", "PDF"),
            (b"hello", "unknown"),
        ];
        for (bytes, word) in cases {
            let err = decode_for_thumbnail(bytes, &limits, 320, DecodeBudget::shared())
                .expect_err("not a picture");
            assert!(
                err.to_string().contains(word),
                "{err} should mention {word}"
            );
        }
        assert!(matches!(
            decode_for_thumbnail(b"", &limits, 320, DecodeBudget::shared()),
            Err(PictureError::Empty)
        ));
    }
}
