//! Benchmark of the client against exact-sim (a program, not a test):
//! 1. records/s when paging every item (every property) with no latency and no budget pressure;
//! 2. calls and simulated wall time for the same under Exact's 60/min budget on a time-scaled
//!    clock, against the floor (calls ÷ 60 per minute), with the 429s the simulator served.
//!
//! `cargo run --release -p exact-api --example fetch_bench -- [ITEMS] [TIME_SCALE]`

#![allow(clippy::print_stdout)]

mod common;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use anyhow::{Context, Result};
use exact_api::ExactClient;
use exact_sim::SimConfig;
use serde_json::{Value, json};

async fn page_all(client: &ExactClient, division: i32) -> Result<(usize, u64)> {
    let select = exact_fields::entity("Items")
        .context("fields")?
        .select_all("sync");
    let mut pager = client.sync(division, "sync/Logistics/Items", &select, 1);
    let mut rows = 0;
    while let Some(page) = pager.next_page().await? {
        rows += page.records.len();
    }
    Ok((rows, pager.pages_fetched()))
}

async fn stats(base: &str) -> Result<Value> {
    Ok(reqwest::get(format!("{base}/_sim/stats"))
        .await?
        .json()
        .await?)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let items: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(50_000);
    let scale: f64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(60.0);

    // 1. Throughput: no latency, a budget that never binds.
    let dir = tempfile::tempdir()?;
    let unthrottled = SimConfig {
        items,
        accounts: 100,
        minutely_limit: 1_000_000,
        daily_limit: 10_000_000,
        ..Default::default()
    };
    let (sim, client) = common::start_and_sign_in(unthrottled, dir.path()).await?;
    let division = sim.division_codes()[0];
    // Warm-up page so that connection set-up is not measured.
    page_all(&client, division).await?;
    let started = Instant::now();
    let (rows, calls) = page_all(&client, division).await?;
    let secs = started.elapsed().as_secs_f64();
    let throughput = rows as f64 / secs;
    sim.shutdown().await;

    // 2. Under Exact's budget, with time running `scale` times faster.
    let dir = tempfile::tempdir()?;
    let budgeted = SimConfig {
        items,
        accounts: 100,
        minutely_limit: 60,
        daily_limit: 5_000,
        time_scale: scale,
        ..Default::default()
    };
    let (sim, client) = common::start_and_sign_in(budgeted, dir.path()).await?;
    let division = sim.division_codes()[0];
    let before = stats(sim.base_url()).await?;
    let started = Instant::now();
    let (budget_rows, budget_calls) = page_all(&client, division).await?;
    let sim_secs = started.elapsed().as_secs_f64() * scale;
    let after = stats(sim.base_url()).await?;
    let served_429 =
        after["served_429"].as_u64().unwrap_or(0) - before["served_429"].as_u64().unwrap_or(0);
    // Exact's sustained rate is one call per second (60 a minute): the floor is calls ÷ 60 minutes.
    let floor_secs = budget_calls as f64;
    sim.shutdown().await;

    println!(
        "exact-api fetch benchmark ({items} items, {} properties each)",
        exact_fields::entity("Items")
            .context("fields")?
            .properties_for("sync")
            .len()
    );
    println!("{:<46} {:>14}", "measure", "value");
    println!("{:<46} {:>14}", "rows paged (no latency, no budget)", rows);
    println!("{:<46} {:>14}", "calls", calls);
    println!("{:<46} {:>14.2}", "seconds", secs);
    println!(
        "{:<46} {:>14.0}",
        "records/s (parse incl. simulator generation)", throughput
    );
    println!(
        "{:<46} {:>14}",
        "rows paged under 60/min (time scale)", budget_rows
    );
    println!("{:<46} {:>14}", "calls under 60/min", budget_calls);
    println!("{:<46} {:>14.1}", "simulated wall time, s", sim_secs);
    println!(
        "{:<46} {:>14.1}",
        "floor: calls ÷ 60 per minute, s", floor_secs
    );
    println!("{:<46} {:>14}", "429s served", served_429);
    println!(
        "{:<46} {:>14}",
        "peak RSS, KiB (client + simulator)",
        peak_rss_kib().unwrap_or(0)
    );
    println!(
        "{}",
        json!({
            "items": items, "rows": rows, "calls": calls, "seconds": secs, "records_per_s": throughput,
            "budget_calls": budget_calls, "budget_sim_seconds": sim_secs, "floor_seconds": floor_secs,
            "served_429": served_429, "time_scale": scale, "peak_rss_kib": peak_rss_kib()
        })
    );
    Ok(())
}
