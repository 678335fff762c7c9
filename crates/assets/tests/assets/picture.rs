//! Hostile bytes fed to the decoder directly: bombs, corrupt, truncated, empty, HTML/SVG posing
//! as JPEG, a 40-megapixel picture, Exact's white pixel, EXIF orientation.

use offline_assets::{DecodeLimits, PictureError, render_thumbnails};

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x / 7) as u8, (y / 5) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid PNG whose header claims 100 000 × 100 000 pixels.
fn png_bomb() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

/// A real JPEG whose frame header is patched to claim 60 000 × 60 000.
fn jpeg_bomb() -> Vec<u8> {
    let mut bytes = jpeg(16, 16);
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    bytes
}

#[test]
fn hostile_bytes_give_clear_errors_and_never_panic() {
    let limits = DecodeLimits::default();
    let good = jpeg(640, 480);
    let mut corrupt = good.clone();
    for b in corrupt.iter_mut().skip(700).take(2000) {
        *b = 0xFF;
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("zero bytes", Vec::new(), "empty"),
        ("truncated", good[..good.len() / 2].to_vec(), "cut off"),
        ("png bomb", png_bomb(), "too large"),
        ("jpeg bomb", jpeg_bomb(), "too large"),
        (
            "html as jpeg",
            b"<!DOCTYPE html><html><body>Login</body></html>".to_vec(),
            "HTML",
        ),
        (
            "svg as jpeg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>".to_vec(),
            "SVG",
        ),
        ("corrupt", corrupt, "damaged"),
    ];
    for (what, bytes, expected) in cases {
        let result = std::panic::catch_unwind(|| render_thumbnails(&bytes, &limits));
        let outcome = result.unwrap_or_else(|_| panic!("{what} panicked"));
        match outcome {
            Err(e) => assert!(
                e.to_string()
                    .to_lowercase()
                    .contains(&expected.to_lowercase()),
                "{what}: {e}"
            ),
            Ok(_) if what == "corrupt" => {} // a damaged scan may still decode; no panic is the rule
            Ok(_) => panic!("{what} should fail"),
        }
    }
    assert!(matches!(
        render_thumbnails(&[], &limits),
        Err(PictureError::Empty)
    ));
}

#[test]
fn a_forty_megapixel_picture_and_the_white_pixel() {
    let limits = DecodeLimits::default();
    let big = render_thumbnails(&jpeg(8000, 5000), &limits)
        .unwrap()
        .unwrap();
    assert_eq!(big.full_size, (8000, 5000));
    let large = image::load_from_memory(&big.large).unwrap();
    assert_eq!((large.width(), large.height()), (320, 200));
    assert!(
        render_thumbnails(exact_sim::docs::WHITE_PIXEL_PNG, &limits)
            .unwrap()
            .is_none(),
        "1×1 is Exact's blank answer"
    );
}

#[test]
fn exif_orientation_is_respected() {
    // A 40×20 JPEG with an APP1 Exif segment saying "rotate 90°": upright it is 20×40.
    let plain = jpeg(40, 20);
    let tiff: [u8; 26] = [
        b'M', b'M', 0, 42, 0, 0, 0, 8, // header, IFD at 8
        0, 1, // one entry
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // Orientation, SHORT, 1, value 6
        0, 0, 0, 0, // next IFD
    ];
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut bytes = plain[..2].to_vec();
    bytes.extend_from_slice(&app1);
    bytes.extend_from_slice(&plain[2..]);
    let t = render_thumbnails(&bytes, &DecodeLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(t.full_size, (20, 40));
    let large = image::load_from_memory(&t.large).unwrap();
    assert_eq!((large.width(), large.height()), (20, 40));
}
