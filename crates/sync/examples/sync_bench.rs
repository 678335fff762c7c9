//! Sync benchmark (a program, not a test): a full sync from exact-sim (no latency, no limits) of
//! 100 000 items, 40 000 accounts, 100 000 contacts and 80 000 addresses with all their
//! properties into a real SQLite file, then a no-change incremental sync.
//!
//! `cargo run --release -p offline-sync --example sync_bench -- [SCALE]` (SCALE 1.0 = the sizes
//! above; the simulator runs in the same process, so peak memory covers both).

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Instant;

use exact_sim::SimConfig;
use offline_cache::Cache;
use offline_sync::{CancellationToken, Engine, RunReport, SyncOptions, ignore_progress};
use serde_json::json;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// CPU time (user + system) of the process so far (app + simulator), from `/proc/self/stat`:
/// unlike records/s, it barely moves when other programs share the cores.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let Some(end) = stat.rfind(')') else {
        return 0.0;
    };
    let ticks: Vec<f64> = stat[end + 2..]
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

fn entity_calls(report: &RunReport, entities: &[&str]) -> (u64, u64) {
    let mut calls = 0;
    let mut floor = 0;
    for e in report
        .entities
        .iter()
        .filter(|e| entities.contains(&e.entity.as_str()))
    {
        calls += e.calls;
        floor += e.rows_upserted.div_ceil(1000).max(1);
    }
    (calls, floor)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scale: f64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1.0);
    let n = |base: f64| (base * scale).round() as usize;
    let config = SimConfig {
        seed: 99,
        items: n(100_000.0),
        accounts: n(40_000.0),
        contacts: Some(n(100_000.0)),
        addresses: Some(n(80_000.0)),
        documents: Some(0),
        attachments: Some(0),
        minutely_limit: 1_000_000,
        daily_limit: 100_000_000,
        ..SimConfig::default()
    };
    let dir = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| ".".into()))?;
    let demo = offline_demo::start(config, dir.path()).await?;
    let cache_file = dir.path().join("cache.sqlite");
    let cache = Arc::new(Cache::open(&cache_file)?);
    let engine = Engine::new(
        demo.client.clone(),
        Arc::clone(&cache),
        Arc::clone(&demo.clock),
    );
    let options = SyncOptions {
        divisions: demo.sim.division_codes(),
        ..SyncOptions::default()
    };

    let cpu_before = cpu_secs();
    let started = Instant::now();
    let full = engine
        .run(
            &options,
            "bench",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await;
    let full_secs = started.elapsed().as_secs_f64();
    let full_cpu = cpu_secs() - cpu_before;
    anyhow::ensure!(
        full.error.is_none() && full.entities.iter().all(|e| e.error.is_none()),
        "full sync failed: {full:#?}"
    );
    let rows = full.rows_upserted();
    let main = ["Items", "Accounts", "Contacts", "Addresses"];
    let (main_calls, main_floor) = entity_calls(&full, &main);
    let size = cache.size_on_disk()?;

    let started = Instant::now();
    let again = engine
        .run(
            &options,
            "bench",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await;
    let again_secs = started.elapsed().as_secs_f64();

    println!("offline-sync benchmark (scale {scale})");
    println!("{:<52} {:>12}", "measure", "value");
    for e in full
        .entities
        .iter()
        .filter(|e| main.contains(&e.entity.as_str()))
    {
        println!(
            "{:<52} {:>12}",
            format!("{} rows ({} calls)", e.entity, e.calls),
            e.rows_upserted
        );
    }
    println!("{:<52} {:>12}", "rows applied, all entities", rows);
    println!("{:<52} {:>12.2}", "full sync seconds", full_secs);
    println!(
        "{:<52} {:>12.0}",
        "records/s end to end (fetch+parse+store+index)",
        rows as f64 / full_secs
    );
    println!(
        "{:<52} {:>12.2}",
        "full sync CPU seconds (app + simulator)", full_cpu
    );
    println!("{:<52} {:>12}", "calls for the four entities", main_calls);
    println!("{:<52} {:>12}", "floor: sum of ceil(rows/1000)", main_floor);
    println!("{:<52} {:>12}", "calls in the whole run", full.calls());
    println!(
        "{:<52} {:>12.1}",
        "cache size on disk, MiB",
        size as f64 / 1_048_576.0
    );
    println!(
        "{:<52} {:>12.1}",
        "peak RSS, MiB (app + simulator)",
        peak_rss_mib()
    );
    println!("{:<52} {:>12}", "no-change sync: calls", again.calls());
    println!("{:<52} {:>12.3}", "no-change sync: seconds", again_secs);
    println!(
        "{}",
        json!({
            "scale": scale, "rows": rows, "full_seconds": full_secs, "full_cpu_seconds": full_cpu, "records_per_s": rows as f64 / full_secs,
            "main_calls": main_calls, "main_floor": main_floor, "run_calls": full.calls(),
            "cache_bytes": size, "peak_rss_mib": peak_rss_mib(),
            "nochange_calls": again.calls(), "nochange_seconds": again_secs
        })
    );
    demo.sim.shutdown().await;
    Ok(())
}
