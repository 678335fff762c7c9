//! Thumbnail benchmark: thumbnails per second for 1–4 MP JPEGs (both sizes per picture), on a
//! worker per core as the runner does, compared with a plain full-size decode + resize; bytes on
//! disk per 1 000 items; peak memory of the process.
//!
//! Run: `cargo run --release -p offline-assets --example thumb_bench [-- PICTURES]`

#![allow(clippy::print_stdout)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use exact_sim::data::ImageSpec;
use image::imageops::FilterType;
use offline_assets::{DecodeLimits, ThumbFormat, render_thumbnails};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sizes from 1 to 4 megapixels.
const SIZES: [(u32, u32); 4] = [(1280, 800), (1600, 1200), (2048, 1536), (2400, 1660)];

fn main() -> anyhow::Result<()> {
    let pictures: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(400);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!("generating 16 distinct JPEGs of 1–4 MP (Exact-sim content)…");
    let inputs: Vec<Vec<u8>> = (0..16u64)
        .map(|i| {
            let (width, height) = SIZES[i as usize % SIZES.len()];
            let spec = ImageSpec {
                seed: 1000 + i,
                width,
                height,
                png: false,
                alpha: false,
            };
            spec.encode(None).0
        })
        .collect();
    let mean_mp = SIZES.iter().map(|(w, h)| f64::from(w * h)).sum::<f64>() / 4.0 / 1e6;
    let mean_kib = inputs.iter().map(Vec::len).sum::<usize>() as f64 / inputs.len() as f64 / 1024.0;
    println!("inputs: mean {mean_mp:.2} MP, mean {mean_kib:.0} KiB per JPEG");

    let limits = DecodeLimits::default();
    let next = AtomicUsize::new(0);
    let thumb_bytes = AtomicUsize::new(0);
    let (small_bytes, large_bytes) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= pictures {
                        break;
                    }
                    let t = render_thumbnails(&inputs[i % inputs.len()], &limits)
                        .ok()
                        .flatten();
                    if let Some(t) = t {
                        assert_eq!(t.format, ThumbFormat::Jpeg, "opaque input");
                        small_bytes.fetch_add(t.small.len(), Ordering::Relaxed);
                        large_bytes.fetch_add(t.large.len(), Ordering::Relaxed);
                        thumb_bytes.fetch_add(t.small.len() + t.large.len(), Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let rate = pictures as f64 / elapsed;
    println!(
        "offline-assets: {pictures} pictures on {threads} threads in {elapsed:.2} s = {rate:.0} pictures/s \
         ({:.0} thumbnails/s, 64 px + 320 px each)",
        rate * 2.0
    );

    // Reference: full-size decode through the image crate, then the same resizes, one thread.
    let reference = pictures.min(40);
    let started = Instant::now();
    for i in 0..reference {
        let img = image::load_from_memory(&inputs[i % inputs.len()])?;
        let large = img.resize(320, 320, FilterType::Triangle);
        let _small = large.resize(64, 64, FilterType::Triangle);
    }
    let per_thread = reference as f64 / started.elapsed().as_secs_f64();
    println!(
        "reference (full decode + resize, 1 thread): {per_thread:.0} pictures/s, about {:.0}/s on {threads} threads",
        per_thread * threads as f64
    );

    let n = pictures as f64;
    let small = small_bytes.load(Ordering::Relaxed) as f64 / n;
    let large = large_bytes.load(Ordering::Relaxed) as f64 / n;
    println!(
        "bytes on disk per 1 000 items: thumbnails {:.1} MiB (64 px {:.1} KiB + 320 px {:.1} KiB each); \
         originals as downloaded here {:.0} MiB (Exact's PictureUrl serves ≤ 500 px, far less)",
        (small + large) * 1000.0 / 1048576.0,
        small / 1024.0,
        large / 1024.0,
        mean_kib * 1000.0 / 1024.0
    );
    println!("peak memory (VmHWM): {}", peak_memory());
    Ok(())
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}
