//! Browsing benchmark (a program, not a test): the work behind the window's list, search and
//! detail commands over a cache of 100 000 items and 40 000 customers, measured at the command
//! boundary (the cache query on the blocking pool plus the JSON the IPC layer sends).
//!
//! `cargo run --release -p exact-offline --example browse_bench -- [--data-dir DIR] [--scale S]`
//!
//! Without DIR a temporary folder is used. When DIR holds no cache yet, it is filled by a full sync
//! from exact-sim (in-process) and left as an account whose Exact Online is gone (the simulator
//! stops with this program), so `exact-offline --data-dir DIR` opens the window on it offline —
//! the WebDriver launch benchmark uses that.

#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use exact_offline::config::{Connection, cache_path};
use exact_sim::SimConfig;
use offline_cache::{AccountQuery, Cache, Entity, ItemQuery, ItemSort};
use offline_sync::{CancellationToken, Engine, SyncOptions, ignore_progress};
use rand::prelude::*;
use serde_json::json;

// The allocator is the app's own (mimalloc, set in the exact_offline library).

fn rss_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

struct Args {
    dir: Option<PathBuf>,
    scale: f64,
}

fn args() -> Result<Args> {
    let mut args = Args {
        dir: None,
        scale: 1.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data-dir" => args.dir = Some(it.next().context("--data-dir needs a folder")?.into()),
            "--scale" => args.scale = it.next().context("--scale needs a number")?.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(args)
}

/// Fills `dir` with a synced cache and the files that make it an account to the window.
async fn build(dir: &Path, scale: f64) -> Result<f64> {
    let n = |base: f64| (base * scale).round() as usize;
    let config = SimConfig {
        seed: 7,
        divisions: 1,
        items: n(100_000.0),
        accounts: n(40_000.0),
        contacts: Some(n(60_000.0)),
        addresses: Some(n(50_000.0)),
        documents: Some(0),
        attachments: Some(0),
        minutely_limit: 1_000_000,
        daily_limit: 100_000_000,
        ..SimConfig::default()
    };
    let demo = offline_demo::start(config, dir).await?;
    let cache = Arc::new(Cache::open(&cache_path(dir))?);
    let engine = Engine::new(
        demo.client.clone(),
        Arc::clone(&cache),
        Arc::clone(&demo.clock),
    );
    let divisions = demo.sim.division_codes();
    let options = SyncOptions {
        divisions: divisions.clone(),
        ..SyncOptions::default()
    };
    let started = Instant::now();
    let report = engine
        .run(
            &options,
            "bench",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await;
    anyhow::ensure!(
        report.error.is_none() && report.entities.iter().all(|e| e.error.is_none()),
        "the sync failed: {report:#?}"
    );
    let secs = started.elapsed().as_secs_f64();
    // An account the window opens offline: its Exact Online (this simulator) is gone after exit.
    Connection {
        base_url: demo.sim.base_url().to_owned(),
        app: exact_api::AppCredentials {
            client_id: demo.sim.app_registration().client_id,
            client_secret: demo.sim.app_registration().client_secret,
            redirect_uri: demo.sim.app_registration().redirect_uri,
        },
        divisions: divisions.clone(),
    }
    .save(dir)?;
    let settings = json!({ "divisions": divisions, "interval_minutes": null, "pictures": false });
    std::fs::write(
        dir.join("settings.json"),
        serde_json::to_vec_pretty(&settings)?,
    )?;
    Ok(secs)
}

/// Runs `query` as a command does (blocking pool + JSON) and returns milliseconds.
async fn command<T: serde::Serialize + Send + 'static>(
    query: impl FnOnce() -> offline_cache::Result<T> + Send + 'static,
) -> Result<(f64, usize)> {
    let started = Instant::now();
    let bytes = tokio::task::spawn_blocking(move || -> Result<usize> {
        Ok(serde_json::to_vec(&query()?)?.len())
    })
    .await??;
    Ok((started.elapsed().as_secs_f64() * 1000.0, bytes))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

struct Stats {
    name: String,
    ms: Vec<f64>,
}

impl Stats {
    fn new(name: impl Into<String>) -> Self {
        Stats {
            name: name.into(),
            ms: Vec::new(),
        }
    }
    fn row(&mut self) -> serde_json::Value {
        self.ms.sort_by(f64::total_cmp);
        let (p50, p95, max) = (
            percentile(&self.ms, 50.0),
            percentile(&self.ms, 95.0),
            self.ms.last().copied().unwrap_or(f64::NAN),
        );
        println!(
            "{:<44} {:>7} {:>9.2} {:>9.2} {:>9.2}",
            self.name,
            self.ms.len(),
            p50,
            p95,
            max
        );
        json!({ "name": self.name, "n": self.ms.len(), "p50_ms": p50, "p95_ms": p95, "max_ms": max })
    }
}

/// Search latencies, overall and by how many characters were typed.
struct SearchStats {
    all: Stats,
    by_length: [Stats; 3],
}

impl SearchStats {
    fn new(subject: &str) -> Self {
        SearchStats {
            all: Stats::new(format!("{subject}: search-as-you-type (100 rows)")),
            by_length: [
                Stats::new(format!("{subject}: search, 1 character typed")),
                Stats::new(format!("{subject}: search, 2 characters typed")),
                Stats::new(format!("{subject}: search, 3 or more typed")),
            ],
        }
    }

    fn push(&mut self, prefix: &str, ms: f64) {
        self.all.ms.push(ms);
        self.by_length[prefix.chars().count().clamp(1, 3) - 1]
            .ms
            .push(ms);
    }

    /// The overall figures, then by length.
    fn all(&mut self) -> impl Iterator<Item = &mut Stats> {
        std::iter::once(&mut self.all).chain(self.by_length.iter_mut())
    }
}

/// The prefixes a user types on the way to `word` ("w", "wi", "wid", ...).
fn typing(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (1..=chars.len())
        .map(|n| chars[..n].iter().collect())
        .collect()
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = args()?;
    let temp;
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&dir)?;
    let mut built = None;
    if !cache_path(&dir).exists() {
        built = Some(build(&dir, args.scale).await?);
    }

    // Launch, as far as the shell goes: open the cache and fetch the first list page.
    let started = Instant::now();
    let path = cache_path(&dir);
    let cache = Arc::new(tokio::task::spawn_blocking(move || Cache::open(&path)).await??);
    let division = cache
        .divisions()?
        .first()
        .map(|d| d.code)
        .context("no division")?;
    let c = Arc::clone(&cache);
    let (_, first_bytes) = command(move || {
        c.items(&ItemQuery {
            division,
            limit: 100,
            ..ItemQuery::default()
        })
    })
    .await?;
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    let items = cache.count(division, Entity::Items)?;
    let accounts = cache.count(division, Entity::Accounts)?;

    // Words users would type: from real descriptions and names in the cache.
    let mut rng = StdRng::seed_from_u64(1);
    let mut item_words = Vec::new();
    let mut account_words = Vec::new();
    for _ in 0..40 {
        let offset = rng.random_range(0..items.max(1));
        let page = cache.items(&ItemQuery {
            division,
            offset,
            limit: 1,
            ..ItemQuery::default()
        })?;
        if let Some(row) = page.rows.first() {
            if let Some(word) = row
                .description
                .as_deref()
                .and_then(|d| d.split_whitespace().next())
            {
                item_words.push(word.to_owned());
            }
            if let Some(code) = &row.code {
                item_words.push(code.clone());
            }
        }
        let offset = rng.random_range(0..accounts.max(1));
        let page = cache.accounts(&AccountQuery {
            division,
            offset,
            limit: 1,
            ..AccountQuery::default()
        })?;
        if let Some(word) = page
            .rows
            .first()
            .and_then(|r| r.name.as_deref())
            .and_then(|n| n.split_whitespace().next())
        {
            account_words.push(word.to_owned());
        }
    }

    let mut item_search = SearchStats::new("items");
    for word in &item_words {
        for prefix in typing(word) {
            let (c, search) = (Arc::clone(&cache), prefix.clone());
            let (ms, _) = command(move || {
                c.items(&ItemQuery {
                    division,
                    search: Some(search),
                    limit: 100,
                    ..ItemQuery::default()
                })
            })
            .await?;
            item_search.push(&prefix, ms);
        }
    }
    let mut account_search = SearchStats::new("customers");
    for word in &account_words {
        for prefix in typing(word) {
            let (c, search) = (Arc::clone(&cache), prefix.clone());
            let (ms, _) = command(move || {
                c.accounts(&AccountQuery {
                    division,
                    search: Some(search),
                    limit: 100,
                    ..AccountQuery::default()
                })
            })
            .await?;
            account_search.push(&prefix, ms);
        }
    }
    let mut item_pages = Stats::new("items: list page at a random offset (100)");
    let mut item_pages_desc = Stats::new("items: page sorted by description (100)");
    let mut account_pages = Stats::new("customers: list page at a random offset");
    let mut item_details = Stats::new("items: detail (attributes, relations)");
    let mut account_details = Stats::new("customers: detail (contacts, addresses)");
    for _ in 0..200 {
        let offset = rng.random_range(0..items.max(1));
        let c = Arc::clone(&cache);
        let (ms, _) = command(move || {
            c.items(&ItemQuery {
                division,
                offset,
                limit: 100,
                ..ItemQuery::default()
            })
        })
        .await?;
        item_pages.ms.push(ms);
        let c = Arc::clone(&cache);
        let (ms, _) = command(move || {
            c.items(&ItemQuery {
                division,
                offset,
                limit: 100,
                sort: ItemSort::Description,
                ..ItemQuery::default()
            })
        })
        .await?;
        item_pages_desc.ms.push(ms);
        let offset = rng.random_range(0..accounts.max(1));
        let c = Arc::clone(&cache);
        let (ms, _) = command(move || {
            c.accounts(&AccountQuery {
                division,
                offset,
                limit: 100,
                ..AccountQuery::default()
            })
        })
        .await?;
        account_pages.ms.push(ms);
        let id = cache
            .items(&ItemQuery {
                division,
                offset,
                limit: 1,
                ..ItemQuery::default()
            })?
            .rows
            .first()
            .map(|r| r.id.clone());
        if let Some(id) = id {
            let c = Arc::clone(&cache);
            let (ms, _) = command(move || c.item(division, &id)).await?;
            item_details.ms.push(ms);
        }
        let id = cache
            .accounts(&AccountQuery {
                division,
                offset,
                limit: 1,
                ..AccountQuery::default()
            })?
            .rows
            .first()
            .map(|r| r.id.clone());
        if let Some(id) = id {
            let c = Arc::clone(&cache);
            let (ms, _) = command(move || c.account(division, &id)).await?;
            account_details.ms.push(ms);
        }
    }

    println!(
        "browse benchmark: {items} items, {accounts} customers in {}",
        dir.display()
    );
    if let Some(secs) = built {
        println!("(cache built by a full sync in {secs:.1} s)");
    }
    println!("open the cache + first items page: {open_ms:.1} ms ({first_bytes} bytes of JSON)");
    println!(
        "{:<44} {:>7} {:>9} {:>9} {:>9}",
        "command", "n", "p50 ms", "p95 ms", "max ms"
    );
    let rows: Vec<_> = item_search
        .all()
        .chain(account_search.all())
        .chain([
            &mut item_pages,
            &mut item_pages_desc,
            &mut account_pages,
            &mut item_details,
            &mut account_details,
        ])
        .map(Stats::row)
        .collect();
    let (rss, hwm) = (rss_mib("VmRSS:"), rss_mib("VmHWM:"));
    println!("this process: RSS {rss:.0} MiB now, peak {hwm:.0} MiB");
    println!(
        "{}",
        json!({ "items": items, "accounts": accounts, "open_first_page_ms": open_ms,
                "commands": rows, "rss_mib": rss, "peak_rss_mib": hwm })
    );
    Ok(())
}
