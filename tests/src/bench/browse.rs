//! Section 5: the work behind the window's list, search and detail commands over a cache of
//! 100 000 items and 40 000 customers, measured at the command boundary (the cache query on the
//! blocking pool plus the JSON the IPC layer sends), as the app's commands do it.
//!
//! The cache lives in a data folder the app can open ([`build`]): an account whose Exact Online
//! (the simulator, stopped when the build ends) is gone, so `exact-offline --data-dir DIR` opens
//! the window on it offline. The launch section uses it.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use exact_offline::config::{Connection, cache_path};
use exact_sim::SimConfig;
use offline_cache::{AccountQuery, Cache, Entity, ItemQuery, ItemSort};
use rand::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::simulator::{Rig, scaled};
use super::{Row, Rows, row};

/// The browsing company at `scale`: 100 000 items, 40 000 customers with 60 000 contacts and
/// 50 000 addresses at 1.0, one division.
fn browse_company(scale: f64) -> SimConfig {
    SimConfig {
        seed: 7,
        divisions: 1,
        items: scaled(100_000, scale),
        accounts: scaled(40_000, scale),
        contacts: Some(scaled(60_000, scale)),
        addresses: Some(scaled(50_000, scale)),
        documents: Some(0),
        attachments: Some(0),
        minutely_limit: 1_000_000,
        daily_limit: 100_000_000,
        ..SimConfig::default()
    }
}

/// Fills `dir` with a synced cache and the files that make it an account to the window, unless
/// it holds a cache already. Returns the sync's seconds when it built one.
pub async fn build(dir: &Path, scale: f64) -> Result<Option<f64>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the data folder {}", dir.display()))?;
    if cache_path(dir).exists() {
        return Ok(None);
    }
    let rig = Rig::start(browse_company(scale), dir, &cache_path(dir)).await?;
    let started = Instant::now();
    rig.sync("browse company's sync").await?;
    let secs = started.elapsed().as_secs_f64();
    let divisions = rig.options.divisions.clone();
    let registration = rig.demo.sim.app_registration();
    Connection {
        base_url: rig.demo.sim.base_url().to_owned(),
        app: exact_api::AppCredentials {
            client_id: registration.client_id,
            client_secret: registration.client_secret,
            redirect_uri: registration.redirect_uri,
        },
        divisions: divisions.clone(),
    }
    .save(dir)?;
    let settings = json!({ "divisions": divisions, "interval_minutes": null, "pictures": false });
    std::fs::write(
        dir.join("settings.json"),
        serde_json::to_vec_pretty(&settings)?,
    )?;
    rig.shutdown().await;
    Ok(Some(secs))
}

/// Latencies of one command.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub name: String,
    pub n: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

/// Section 5.
#[derive(Debug, Clone, Serialize)]
pub struct Browsing {
    pub items: u64,
    pub accounts: u64,
    /// Seconds of the sync that built the cache, when this run built it.
    pub built_sync_s: Option<f64>,
    pub open_first_page_ms: f64,
    pub first_page_bytes: usize,
    pub commands: Vec<Latency>,
    pub rss_mib: Option<f64>,
}

impl Browsing {
    /// The latencies of the command called `name`.
    pub fn command(&self, name: &str) -> Option<&Latency> {
        self.commands.iter().find(|c| c.name == name)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Milliseconds of one command, collected.
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

    fn latency(&self) -> Latency {
        let mut ms = self.ms.clone();
        ms.sort_by(f64::total_cmp);
        Latency {
            name: self.name.clone(),
            n: ms.len(),
            p50_ms: percentile(&ms, 50.0),
            p95_ms: percentile(&ms, 95.0),
            max_ms: ms.last().copied().unwrap_or(f64::NAN),
        }
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

    fn latencies(&self) -> impl Iterator<Item = Latency> + '_ {
        std::iter::once(&self.all)
            .chain(self.by_length.iter())
            .map(Stats::latency)
    }
}

/// The prefixes a user types on the way to `word` ("w", "wi", "wid", ...).
fn typing(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (1..=chars.len())
        .map(|n| chars[..n].iter().collect())
        .collect()
}

/// Runs `query` as a command does (blocking pool + JSON) and returns milliseconds and bytes.
async fn command<T: Serialize + Send + 'static>(
    query: impl FnOnce() -> offline_cache::Result<T> + Send + 'static,
) -> Result<(f64, usize)> {
    let started = Instant::now();
    let bytes = tokio::task::spawn_blocking(move || -> Result<usize> {
        Ok(serde_json::to_vec(&query()?)?.len())
    })
    .await??;
    Ok((started.elapsed().as_secs_f64() * 1000.0, bytes))
}

async fn search_items(cache: &Arc<Cache>, division: i32, search: String) -> Result<f64> {
    let c = Arc::clone(cache);
    let (ms, _) = command(move || {
        c.items(&ItemQuery {
            division,
            search: Some(search),
            limit: 100,
            ..ItemQuery::default()
        })
    })
    .await?;
    Ok(ms)
}

async fn search_accounts(cache: &Arc<Cache>, division: i32, search: String) -> Result<f64> {
    let c = Arc::clone(cache);
    let (ms, _) = command(move || {
        c.accounts(&AccountQuery {
            division,
            search: Some(search),
            limit: 100,
            ..AccountQuery::default()
        })
    })
    .await?;
    Ok(ms)
}

/// Measures the commands over the cache in `dir` (see [`build`]).
pub async fn run(dir: &Path, built_sync_s: Option<f64>) -> Result<Browsing> {
    // Launch, as far as the shell goes: open the cache and fetch the first list page.
    let started = Instant::now();
    let path = cache_path(dir);
    let cache = Arc::new(tokio::task::spawn_blocking(move || Cache::open(&path)).await??);
    let division = cache
        .divisions()?
        .first()
        .map(|d| d.code)
        .context("the cache holds no division")?;
    let c = Arc::clone(&cache);
    let (_, first_page_bytes) = command(move || {
        c.items(&ItemQuery {
            division,
            limit: 100,
            ..ItemQuery::default()
        })
    })
    .await?;
    let open_first_page_ms = started.elapsed().as_secs_f64() * 1000.0;
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
            let ms = search_items(&cache, division, prefix.clone()).await?;
            item_search.push(&prefix, ms);
        }
    }
    let mut account_search = SearchStats::new("customers");
    for word in &account_words {
        for prefix in typing(word) {
            let ms = search_accounts(&cache, division, prefix.clone()).await?;
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
            let (ms, _) =
                command(move || c.item(division, &id, chrono::Utc::now().timestamp_millis()))
                    .await?;
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
            let (ms, _) =
                command(move || c.account(division, &id, chrono::Utc::now().timestamp_millis()))
                    .await?;
            account_details.ms.push(ms);
        }
    }

    let commands = item_search
        .latencies()
        .chain(account_search.latencies())
        .chain(
            [
                &item_pages,
                &item_pages_desc,
                &account_pages,
                &item_details,
                &account_details,
            ]
            .into_iter()
            .map(Stats::latency),
        )
        .collect();
    Ok(Browsing {
        items,
        accounts,
        built_sync_s,
        open_first_page_ms,
        first_page_bytes,
        commands,
        rss_mib: super::machine::status_mib("VmRSS:"),
    })
}

impl Rows for Browsing {
    fn rows(&self) -> Vec<Row> {
        let mut rows = vec![
            row(
                "cache",
                format!(
                    "{} items, {} customers{}",
                    self.items,
                    self.accounts,
                    self.built_sync_s
                        .map_or_else(String::new, |s| format!(" (built by a {s:.1} s sync)"))
                ),
            ),
            row(
                "open the cache + first items page ms",
                format!("{:.1}", self.open_first_page_ms),
            ),
        ];
        rows.extend(self.commands.iter().map(|c| {
            row(
                format!("{} p50/p95 ms", c.name),
                format!("{:.2} / {:.2} (n {})", c.p50_ms, c.p95_ms, c.n),
            )
        }));
        rows
    }
}
