//! Thumbnails at two sizes, in a format a webview shows without work.
//!
//! Format choice: JPEG (quality 80) for opaque pictures — the smallest files at these sizes
//! and decoded by every webview on every platform in hardware-friendly code; PNG when a
//! picture really uses transparency (logos), since JPEG has no alpha and the `image` crate's
//! WebP encoder is lossless only, which at 320 px is no smaller than PNG and slower to encode.
//! A picture with an alpha channel whose pixels are all opaque is treated as opaque.
//!
//! Invariants: thumbnails never upscale (a 50 px logo stays 50 px); both sizes keep the aspect
//! ratio; the small one is made from the large one, so it costs almost nothing. The decoded
//! picture is never copied at full size: transparency is read in place, the picture is shrunk
//! before it is turned upright, and it is dropped as soon as it is shrunk; all of it runs
//! within the memory reserved from the [`DecodeBudget`].

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{DynamicImage, ImageEncoder};
use serde::{Deserialize, Serialize};

use crate::budget::DecodeBudget;
use crate::error::PictureError;
use crate::picture::{DecodeLimits, Picture, decode_for_thumbnail};

/// Long side of the list thumbnail, in pixels.
pub const SMALL_SIDE: u32 = 64;
/// Long side of the card/detail thumbnail, in pixels.
pub const LARGE_SIDE: u32 = 320;
const JPEG_QUALITY: u8 = 80;

/// Encoding of a thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThumbFormat {
    Jpeg,
    Png,
}

impl ThumbFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ThumbFormat::Jpeg => "jpg",
            ThumbFormat::Png => "png",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ThumbFormat::Jpeg => "image/jpeg",
            ThumbFormat::Png => "image/png",
        }
    }
}

/// Both thumbnails of one picture, encoded.
#[derive(Debug, Clone)]
pub struct Thumbnails {
    pub format: ThumbFormat,
    pub small: Vec<u8>,
    pub large: Vec<u8>,
    /// Size of the full picture, upright.
    pub full_size: (u32, u32),
}

/// Decodes a downloaded picture and renders both thumbnails, within the process's shared
/// [`DecodeBudget`]. `Ok(None)`: a 1×1 image, what Exact sends in place of a picture to a request
/// it does not take as signed in (see `Error::BlankPicture`). CPU-bound and may wait for
/// memory: call it on a blocking thread.
pub fn render_thumbnails(
    bytes: &[u8],
    limits: &DecodeLimits,
) -> Result<Option<Thumbnails>, PictureError> {
    render_thumbnails_within(bytes, limits, DecodeBudget::shared())
}

/// [`render_thumbnails`] reserving memory from `budget` instead of the shared one.
pub fn render_thumbnails_within(
    bytes: &[u8],
    limits: &DecodeLimits,
    budget: &DecodeBudget,
) -> Result<Option<Thumbnails>, PictureError> {
    let Some(Picture {
        image,
        full_size,
        orientation,
        reservation: _held_until_encoded,
    }) = decode_for_thumbnail(bytes, limits, LARGE_SIDE, budget)?
    else {
        return Ok(None);
    };
    let opaque = !uses_alpha(&image);
    let mut large = shrink(image, LARGE_SIDE);
    large.apply_orientation(orientation);
    let small = shrink(large.clone(), SMALL_SIDE);
    let (format, small, large) = if opaque {
        (
            ThumbFormat::Jpeg,
            encode_jpeg(&small)?,
            encode_jpeg(&large)?,
        )
    } else {
        (ThumbFormat::Png, encode_png(&small)?, encode_png(&large)?)
    };
    Ok(Some(Thumbnails {
        format,
        small,
        large,
        full_size,
    }))
}

/// Whether any pixel is less than opaque, read in place (a converted copy of a large picture
/// would cost as much as the picture).
fn uses_alpha(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageLumaA8(i) => i.pixels().any(|p| p.0[1] < u8::MAX),
        DynamicImage::ImageRgba8(i) => i.pixels().any(|p| p.0[3] < u8::MAX),
        DynamicImage::ImageLumaA16(i) => i.pixels().any(|p| p.0[1] < u16::MAX),
        DynamicImage::ImageRgba16(i) => i.pixels().any(|p| p.0[3] < u16::MAX),
        DynamicImage::ImageRgba32F(i) => i.pixels().any(|p| p.0[3] < 1.0),
        // A layout added by a later `image`: keep the alpha channel if it has one.
        other => other.color().has_alpha(),
    }
}

/// Fits `image` into `side`×`side`, never enlarging; a larger `image` is dropped once shrunk.
fn shrink(image: DynamicImage, side: u32) -> DynamicImage {
    let (w, h) = (image.width(), image.height());
    let long = w.max(h);
    if long <= side {
        return image;
    }
    let scale = f64::from(side) / f64::from(long);
    let nw = ((f64::from(w) * scale).round() as u32).clamp(1, side);
    let nh = ((f64::from(h) * scale).round() as u32).clamp(1, side);
    image.resize_exact(nw, nh, FilterType::Triangle)
}

fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, PictureError> {
    let rgb = image.to_rgb8();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .write_image(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| PictureError::Encode(e.to_string()))?;
    Ok(out)
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, PictureError> {
    let rgba = image.to_rgba8();
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Adaptive)
        .write_image(
            rgba.as_raw(),
            rgba.width(),
            rgba.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| PictureError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        encode_jpeg(&DynamicImage::ImageRgb8(img)).expect("encodes")
    }

    #[test]
    fn thumbnails_fit_their_box_and_keep_the_aspect_ratio() {
        let t = render_thumbnails(&jpeg(1600, 900), &DecodeLimits::default())
            .expect("decodes")
            .expect("not a placeholder");
        assert_eq!(t.format, ThumbFormat::Jpeg);
        assert_eq!(t.full_size, (1600, 900));
        let large = image::load_from_memory(&t.large).expect("large decodes");
        let small = image::load_from_memory(&t.small).expect("small decodes");
        assert_eq!((large.width(), large.height()), (320, 180));
        assert_eq!((small.width(), small.height()), (64, 36));
    }

    #[test]
    fn small_pictures_are_not_enlarged() {
        let t = render_thumbnails(&jpeg(40, 30), &DecodeLimits::default())
            .expect("decodes")
            .expect("picture");
        let large = image::load_from_memory(&t.large).expect("decodes");
        assert_eq!((large.width(), large.height()), (40, 30));
    }

    #[test]
    fn transparency_picks_png_and_opaque_alpha_picks_jpeg() {
        let encode = |alpha: u8| {
            let img = RgbaImage::from_fn(100, 80, |x, _| {
                Rgba([x as u8, 0, 0, if x < 50 { alpha } else { 255 }])
            });
            encode_png(&DynamicImage::ImageRgba8(img)).expect("encodes")
        };
        let limits = DecodeLimits::default();
        let see_through = render_thumbnails(&encode(0), &limits)
            .expect("ok")
            .expect("picture");
        assert_eq!(see_through.format, ThumbFormat::Png);
        let opaque = render_thumbnails(&encode(255), &limits)
            .expect("ok")
            .expect("picture");
        assert_eq!(opaque.format, ThumbFormat::Jpeg);
    }
}
