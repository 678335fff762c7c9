//! Pictures: real JPEG/PNG files of deterministic procedural content (gradient, shapes,
//! stripes) seeded per picture ID, rendered directly at the requested size so thumbnails are
//! cheap and show the same picture. Placeholders are small PNGs.

use image::ImageEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

use super::ImageSpec;
use super::seeds::{Rng, hash_str};

/// The picture behind a picture ID: size and format follow from the ID alone.
pub fn spec_for(picture_id: &str) -> ImageSpec {
    let seed = hash_str(picture_id);
    let mut rng = Rng::new(&[seed, 0x1A6]);
    let (width, height) = match rng.below(100) {
        0..=54 => {
            let w = rng.range(300, 800) as u32;
            (w, (w as f64 * (0.75 + rng.unit() * 0.5)) as u32)
        }
        55..=89 => {
            let w = rng.range(800, 1600) as u32;
            (w, (w as f64 * (0.6 + rng.unit() * 0.5)) as u32)
        }
        _ => (rng.range(1600, 2400) as u32, rng.range(1200, 1600) as u32),
    };
    let png = rng.below(3) == 0;
    ImageSpec {
        seed,
        width,
        height,
        png,
        alpha: png && rng.below(2) == 0,
    }
}

struct Shape {
    circle: bool,
    cx: f32,
    cy: f32,
    r: f32,
    color: [f32; 3],
}

impl ImageSpec {
    /// Size after fitting into `max_side` (never upscaled, never zero).
    pub fn size_within(&self, max_side: Option<u32>) -> (u32, u32) {
        match max_side {
            Some(m) if self.width.max(self.height) > m && m > 0 => {
                let scale = f64::from(m) / f64::from(self.width.max(self.height));
                let w = ((f64::from(self.width) * scale).round() as u32).clamp(1, m);
                let h = ((f64::from(self.height) * scale).round() as u32).clamp(1, m);
                (w, h)
            }
            _ => (self.width, self.height),
        }
    }

    /// Encodes the picture, downscaled so that no side exceeds `max_side`.
    pub fn encode(&self, max_side: Option<u32>) -> (Vec<u8>, &'static str) {
        let (w, h) = self.size_within(max_side);
        let channels = if self.alpha { 4 } else { 3 };
        let pixels = self.render(w, h, channels);
        let mut out = Vec::new();
        if self.png {
            let color = if self.alpha {
                image::ExtendedColorType::Rgba8
            } else {
                image::ExtendedColorType::Rgb8
            };
            let encoder =
                PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub);
            if encoder.write_image(&pixels, w, h, color).is_err() {
                out.clear();
            }
            (out, "image/png")
        } else {
            let encoder = JpegEncoder::new_with_quality(&mut out, 82);
            if encoder
                .write_image(&pixels, w, h, image::ExtendedColorType::Rgb8)
                .is_err()
            {
                out.clear();
            }
            (out, "image/jpeg")
        }
    }

    fn render(&self, w: u32, h: u32, channels: usize) -> Vec<u8> {
        let mut rng = Rng::new(&[self.seed, 0xC0]);
        let mut color = || {
            [
                rng.unit() as f32 * 255.0,
                rng.unit() as f32 * 255.0,
                rng.unit() as f32 * 255.0,
            ]
        };
        let (top, bottom) = (color(), color());
        let mut rng = Rng::new(&[self.seed, 0x5A]);
        let shapes: Vec<Shape> = (0..3 + rng.below(4))
            .map(|_| Shape {
                circle: rng.below(2) == 0,
                cx: rng.unit() as f32,
                cy: rng.unit() as f32,
                r: 0.08 + rng.unit() as f32 * 0.25,
                color: [
                    rng.unit() as f32 * 255.0,
                    rng.unit() as f32 * 255.0,
                    rng.unit() as f32 * 255.0,
                ],
            })
            .collect();
        let stripes = 4.0 + rng.below(20) as f32;
        let aspect = w as f32 / h.max(1) as f32;
        let mut px = Vec::with_capacity(w as usize * h as usize * channels);
        for y in 0..h {
            let v = (y as f32 + 0.5) / h as f32;
            for x in 0..w {
                let u = (x as f32 + 0.5) / w as f32;
                let mut c = [
                    top[0] + (bottom[0] - top[0]) * v,
                    top[1] + (bottom[1] - top[1]) * v,
                    top[2] + (bottom[2] - top[2]) * v,
                ];
                if ((u + v) * stripes) as i32 % 2 == 0 {
                    c = [c[0] * 0.92, c[1] * 0.92, c[2] * 0.92];
                }
                let mut alpha = 255.0;
                for s in &shapes {
                    let (dx, dy) = ((u - s.cx) * aspect, v - s.cy);
                    let inside = if s.circle {
                        dx * dx + dy * dy < s.r * s.r
                    } else {
                        dx.abs() < s.r && dy.abs() < s.r * 0.6
                    };
                    if inside {
                        c = s.color;
                    }
                }
                if channels == 4 {
                    // Transparent corners: a soft vignette in the alpha channel.
                    let d = ((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5)).sqrt();
                    alpha = (255.0 * (1.0 - (d - 0.45).max(0.0) * 6.0)).clamp(0.0, 255.0);
                }
                px.extend_from_slice(&[c[0] as u8, c[1] as u8, c[2] as u8]);
                if channels == 4 {
                    px.push(alpha as u8);
                }
            }
        }
        px
    }
}

/// The placeholder PNGs Exact links for records without a picture.
pub fn placeholder_png(name: &str) -> Option<Vec<u8>> {
    let seed = match name.trim_start_matches('/') {
        "placeholder_item.png" => 1,
        "placeholder_account_myeol.png" => 2,
        "placeholder_contact_myeol.png" => 3,
        _ => return None,
    };
    let spec = ImageSpec {
        seed,
        width: 64,
        height: 64,
        png: true,
        alpha: false,
    };
    Some(spec.encode(None).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_decode_at_the_promised_size() {
        for id in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            let spec = spec_for(id);
            for max in [Some(100), Some(500)] {
                let (bytes, ct) = spec.encode(max);
                let img = image::load_from_memory(&bytes).expect("encoded picture decodes");
                assert_eq!(
                    (img.width(), img.height()),
                    spec.size_within(max),
                    "picture {id} at {max:?}"
                );
                assert!(img.width().max(img.height()) <= max.unwrap_or(u32::MAX));
                assert_eq!(ct == "image/png", spec.png);
                assert_eq!(img.color().has_alpha(), spec.alpha);
            }
        }
    }

    #[test]
    fn full_size_picture_and_variety() {
        let spec = ImageSpec {
            seed: 5,
            width: 640,
            height: 480,
            png: false,
            alpha: false,
        };
        let img = image::load_from_memory(&spec.encode(None).0).expect("jpeg decodes");
        assert_eq!((img.width(), img.height()), (640, 480));
        let a = spec_for("x").encode(Some(100)).0;
        let b = spec_for("y").encode(Some(100)).0;
        assert_ne!(a, b, "different pictures must differ");
        let specs: Vec<ImageSpec> = (0..200).map(|i| spec_for(&i.to_string())).collect();
        assert!(specs.iter().any(|s| s.png && s.alpha) && specs.iter().any(|s| !s.png));
        assert!(
            specs
                .iter()
                .any(|s| u64::from(s.width) * u64::from(s.height) > 2_000_000),
            "a few megapixels"
        );
        assert!(
            placeholder_png("placeholder_item.png").is_some() && placeholder_png("x.png").is_none()
        );
    }
}
