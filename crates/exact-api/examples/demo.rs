//! The headless demo: starts the demo company (exact-sim, in-process), signs in through the real
//! OAuth code flow, discovers the divisions and pages every item and account with a `$select` of
//! every property, then prints what arrived.

#![allow(clippy::print_stdout)]

mod common;

use std::time::Instant;

use anyhow::Result;
use exact_sim::SimConfig;

#[tokio::main]
async fn main() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let config = SimConfig {
        items: 5_000,
        accounts: 1_000,
        ..Default::default()
    };
    let (sim, client) = common::start_and_sign_in(config, dir.path()).await?;
    println!(
        "Demo company (simulated Exact Online) at {}",
        sim.base_url()
    );

    let me = client.me().await?;
    let current = me.i64("CurrentDivision").unwrap_or_default() as i32;
    println!(
        "Signed in as {} ({})",
        me.str("FullName").unwrap_or("?"),
        me.str("Email").unwrap_or("?")
    );
    for division in client.divisions(current).await? {
        println!(
            "  division {:>8}  {}",
            division.i64("Code").unwrap_or_default(),
            division.str("Description").unwrap_or("")
        );
    }

    for (entity, path) in [
        ("Items", "sync/Logistics/Items"),
        ("Accounts", "sync/CRM/Accounts"),
    ] {
        let started = Instant::now();
        let select = exact_fields::entity(entity)
            .map(|e| e.select_all("sync"))
            .unwrap_or_default();
        let mut pager = client.sync(current, path, &select, 1);
        let (mut rows, mut sample) = (0usize, Vec::new());
        let mut properties = 0;
        while let Some(page) = pager.next_page().await? {
            rows += page.records.len();
            properties = properties.max(page.records.first().map_or(0, |r| r.len()));
            sample.extend(page.records.into_iter().take(3 - sample.len().min(3)));
        }
        println!(
            "\n{entity}: {rows} records with {properties} properties each, {} calls, {:.2} s",
            pager.pages_fetched(),
            started.elapsed().as_secs_f64()
        );
        for r in &sample {
            let name = r.str("Description").or_else(|| r.str("Name")).unwrap_or("");
            println!("  {:<12} {}", r.str("Code").unwrap_or(""), name);
        }
    }
    let rate = client.rate(current);
    println!(
        "\nCalls left this minute: {:?} of {:?}; today: {:?} of {:?}",
        rate.minutely_remaining, rate.minutely_limit, rate.daily_remaining, rate.daily_limit
    );
    sim.shutdown().await;
    Ok(())
}
