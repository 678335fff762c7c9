//! Section 4: thumbnails per second for 1–4 MP JPEGs (both sizes per picture), on a worker per
//! core as the asset runner does, compared with a plain full-size decode + resize; bytes on
//! disk per 1 000 items; peak memory of the process.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Result;
use exact_sim::data::ImageSpec;
use image::imageops::FilterType;
use offline_assets::{DecodeLimits, render_thumbnails};
use serde::Serialize;

use super::machine;
use super::{Row, Rows, row};

/// Sizes from 1 to 4 megapixels.
const SIZES: [(u32, u32); 4] = [(1280, 800), (1600, 1200), (2048, 1536), (2400, 1660)];
/// Distinct pictures, reused round-robin.
const DISTINCT: u64 = 16;
/// Pictures of the single-threaded reference (a full decode is slow).
const REFERENCE: usize = 40;

/// Section 4.
#[derive(Debug, Clone, Serialize)]
pub struct Thumbnails {
    pub pictures: usize,
    pub threads: usize,
    pub mean_megapixels: f64,
    pub mean_jpeg_kib: f64,
    pub wall_s: f64,
    pub pictures_per_s: f64,
    /// Two per picture (64 px and 320 px).
    pub thumbnails_per_s: f64,
    /// Full decode through the image crate and the same resizes, one thread.
    pub reference_per_s_one_thread: f64,
    pub thumbs_mib_per_1000_items: f64,
    pub small_kib: f64,
    pub large_kib: f64,
    pub failed: usize,
    /// Resident memory before rendering (what earlier sections left, plus the inputs) and the
    /// peak while rendering.
    pub rss_start_mib: Option<f64>,
    pub peak_rss_mib: Option<f64>,
}

/// Renders `pictures` pictures' thumbnails.
pub fn run(pictures: usize) -> Result<Thumbnails> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let inputs: Vec<Vec<u8>> = (0..DISTINCT)
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
    let mean_megapixels =
        SIZES.iter().map(|(w, h)| f64::from(w * h)).sum::<f64>() / SIZES.len() as f64 / 1e6;
    let mean_jpeg_kib =
        inputs.iter().map(Vec::len).sum::<usize>() as f64 / inputs.len() as f64 / 1024.0;

    let peak_reset = machine::reset_peak_rss();
    let rss_start_mib = machine::status_mib("VmRSS:");
    let limits = DecodeLimits::default();
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
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
                    match render_thumbnails(&inputs[i % inputs.len()], &limits) {
                        Ok(Some(t)) => {
                            small_bytes.fetch_add(t.small.len(), Ordering::Relaxed);
                            large_bytes.fetch_add(t.large.len(), Ordering::Relaxed);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    let wall_s = started.elapsed().as_secs_f64();
    let peak_rss_mib = machine::peak_rss_mib().filter(|_| peak_reset);

    let reference = pictures.clamp(1, REFERENCE);
    let started = Instant::now();
    for input in inputs.iter().cycle().take(reference) {
        let img = image::load_from_memory(input)?;
        let large = img.resize(320, 320, FilterType::Triangle);
        let _small = large.resize(64, 64, FilterType::Triangle);
    }
    let reference_per_s_one_thread = reference as f64 / started.elapsed().as_secs_f64();

    let n = pictures.max(1) as f64;
    let small = small_bytes.load(Ordering::Relaxed) as f64 / n;
    let large = large_bytes.load(Ordering::Relaxed) as f64 / n;
    let pictures_per_s = pictures as f64 / wall_s;
    Ok(Thumbnails {
        pictures,
        threads,
        mean_megapixels,
        mean_jpeg_kib,
        wall_s,
        pictures_per_s,
        thumbnails_per_s: pictures_per_s * 2.0,
        reference_per_s_one_thread,
        thumbs_mib_per_1000_items: (small + large) * 1000.0 / 1_048_576.0,
        small_kib: small / 1024.0,
        large_kib: large / 1024.0,
        failed: failed.load(Ordering::Relaxed),
        rss_start_mib,
        peak_rss_mib,
    })
}

impl Thumbnails {
    /// Every picture must give thumbnails: they are ordinary opaque JPEGs.
    pub fn failure(&self) -> Option<String> {
        (self.failed > 0).then(|| format!("{} pictures gave no thumbnails", self.failed))
    }
}

impl Rows for Thumbnails {
    fn rows(&self) -> Vec<Row> {
        vec![
            row(
                format!(
                    "pictures/s ({} JPEGs of {:.1} MP mean, {} threads)",
                    self.pictures, self.mean_megapixels, self.threads
                ),
                format!("{:.0}", self.pictures_per_s),
            ),
            row(
                "thumbnails/s (64 px + 320 px each)",
                format!("{:.0}", self.thumbnails_per_s),
            ),
            row(
                "reference: full decode + resize, 1 thread, /s",
                format!("{:.1}", self.reference_per_s_one_thread),
            ),
            row(
                "thumbnails MiB per 1 000 items",
                format!(
                    "{:.1} ({:.1} + {:.1} KiB)",
                    self.thumbs_mib_per_1000_items, self.small_kib, self.large_kib
                ),
            ),
            row(
                "peak RSS MiB (at start)",
                super::mib_pair(self.peak_rss_mib, self.rss_start_mib),
            ),
        ]
    }
}
