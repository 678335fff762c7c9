//! How fast the simulator generates records and pictures (a program, not a test):
//! `cargo run --release -p exact-sim --example generation_bench -- [ITEMS]`

#![allow(clippy::print_stdout)]

use std::time::Instant;

use exact_sim::data::{DataConfig, Dataset, Entity, ImageSpec};

fn main() {
    let items: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let ds = Dataset::new(DataConfig {
        seed: 11,
        divisions: 1,
        items,
        accounts: 1_000,
        contacts: None,
        addresses: None,
        documents: None,
        attachments: None,
        prices: None,
        orders: None,
        picture_share: 0.5,
        base_url: "http://127.0.0.1:1".into(),
        origin_ms: 1_750_000_000_000,
    });
    let division = ds.division_codes()[0];
    let started = Instant::now();
    let (mut rows, mut after) = (0usize, 0i64);
    loop {
        let page = ds.sync_after(division, Entity::Items, after, 1000, None);
        let Some(last) = page.last() else { break };
        after = last
            .get("Timestamp")
            .and_then(|v| v.as_i64())
            .expect("sync rows carry a Timestamp");
        rows += page.len();
    }
    let per_row = started.elapsed().as_secs_f64() * 1e6 / rows.max(1) as f64;
    println!("{rows} sync item records generated, {per_row:.2} µs per record");

    for (png, alpha, label) in [(false, false, "JPEG"), (true, true, "PNG RGBA")] {
        let spec = ImageSpec {
            seed: 1,
            width: 2400,
            height: 1600,
            png,
            alpha,
        };
        let started = Instant::now();
        let (full, _) = spec.encode(None);
        let full_time = started.elapsed();
        let started = Instant::now();
        let (thumb, _) = spec.encode(Some(500));
        println!(
            "{label} 2400×1600: {} bytes in {:.1} ms; 500 px version {} bytes in {:.1} ms",
            full.len(),
            full_time.as_secs_f64() * 1e3,
            thumb.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}
