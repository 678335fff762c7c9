//! Sections 1 and 2: a full sync from the simulator (in this process, no latency, budgets that
//! never bind) of every property of 100 000 items, 40 000 accounts, 100 000 contacts and 80 000
//! addresses (with their masters and documents) into a real SQLite file; then, timed apart, the
//! company's prices, stock positions, sales orders and item extra fields; then a sync of every
//! entity that finds nothing changed.
//!
//! Records/s is end to end: the simulator generating pages, HTTP, parsing, compressing, storing
//! and indexing, over every entity's rows. CPU seconds and peak memory are the whole process's,
//! so they cover the simulator as well as the app's side.
//!
//! Then, on the same simulator, the client alone pages every item without storing anything, so
//! the client's share of the cost can be told from the writer's.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use offline_cache::Entity;
use offline_sync::SyncOptions;
use serde::Serialize;

use super::floor::{self, Calls, MAIN_ENTITIES};
use super::machine;
use super::simulator::{Rig, sync_company};
use super::{Row, Rows, row};

/// One of the four big entities.
#[derive(Debug, Clone, Serialize)]
pub struct EntityFigures {
    pub entity: String,
    pub rows: u64,
    pub calls: u64,
}

/// Section 1.
#[derive(Debug, Clone, Serialize)]
pub struct FullSync {
    pub entities: Vec<EntityFigures>,
    /// The other entities that brought rows (masters, prices, orders, ...).
    pub other_entities: Vec<EntityFigures>,
    /// Rows applied, all entities.
    pub rows: u64,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub records_per_s: f64,
    /// The four big entities: calls the engine made and ⌈rows ÷ 1000⌉ summed.
    pub main_calls: Calls,
    /// The whole run: API calls the simulator served, and every entity's pages plus the fixed
    /// calls.
    pub run_calls: Calls,
    /// Resident memory when the sync started (the simulator's company is generated lazily),
    /// and the peak during it.
    pub rss_start_mib: Option<f64>,
    pub peak_rss_mib: Option<f64>,
    pub cache_bytes: u64,
    pub cache_mib: f64,
    /// Measured after the syncs, on the same simulator (connections warm).
    pub client_paging: Paging,
    /// The second full sync: prices, stock, orders and extra fields.
    pub trade: TradeSync,
}

/// The entities of the first full sync: items and customers with what they refer to.
const CORE: [Entity; 8] = [
    Entity::ItemGroups,
    Entity::Units,
    Entity::Items,
    Entity::Accounts,
    Entity::Contacts,
    Entity::Addresses,
    Entity::Documents,
    Entity::DocumentAttachments,
];

/// The entities of the second full sync.
const TRADE: [Entity; 5] = [
    Entity::ItemExtraFields,
    Entity::SalesItemPrices,
    Entity::StockPositions,
    Entity::SalesOrderHeaders,
    Entity::SalesOrderLines,
];

/// Prices, stock, orders and extra fields synced in full after the core entities.
#[derive(Debug, Clone, Serialize)]
pub struct TradeSync {
    pub entities: Vec<EntityFigures>,
    pub rows: u64,
    pub wall_s: f64,
    pub records_per_s: f64,
    /// Calls the engine made for these entities and ⌈rows ÷ 1000⌉ summed.
    pub calls: Calls,
}

/// The client alone paging every item with every property and parsing each record, nothing
/// stored (the old client benchmark's first figure; the simulator's generation is included).
#[derive(Debug, Clone, Serialize)]
pub struct Paging {
    pub rows: u64,
    pub properties: usize,
    pub calls: u64,
    pub wall_s: f64,
    pub records_per_s: f64,
}

/// Section 2.
#[derive(Debug, Clone, Serialize)]
pub struct NoChange {
    /// API calls the simulator served for it.
    pub calls: u64,
    /// Calls the engine counted (the entities' pages; the divisions listing is not among them).
    pub engine_calls: u64,
    pub wall_s: f64,
}

/// Runs the full sync and then the no-change sync in a fresh folder under `work`.
pub async fn run(scale: f64, work: &Path) -> Result<(FullSync, NoChange)> {
    let dir = tempfile::tempdir_in(work)?;
    let rig = Rig::start(
        sync_company(scale),
        dir.path(),
        &dir.path().join("cache.sqlite"),
    )
    .await?;

    let peak_reset = machine::reset_peak_rss();
    let rss_start_mib = machine::status_mib("VmRSS:");
    let served_before = rig.served().await?;
    let cpu_before = machine::cpu_secs();
    let started = Instant::now();
    let only = |entities: &[Entity]| SyncOptions {
        only: entities.to_vec(),
        ..rig.options.clone()
    };
    let full = rig.sync_with("full sync", &only(&CORE)).await?;
    let wall_s = started.elapsed().as_secs_f64();
    let cpu_s = machine::cpu_secs() - cpu_before;
    let served = rig.served().await?.since(served_before);
    let peak_rss_mib = machine::peak_rss_mib().filter(|_| peak_reset);
    let rows = full.rows_upserted();

    let started = Instant::now();
    let trade_report = rig
        .sync_with("prices, stock and orders sync", &only(&TRADE))
        .await?;
    let trade_s = started.elapsed().as_secs_f64();
    let trade_rows = trade_report.rows_upserted();
    let trade = TradeSync {
        entities: trade_report
            .entities
            .iter()
            .filter(|e| TRADE.iter().any(|t| t.as_str() == e.entity))
            .map(|e| EntityFigures {
                entity: e.entity.clone(),
                rows: e.rows_upserted,
                calls: e.calls,
            })
            .collect(),
        rows: trade_rows,
        wall_s: trade_s,
        records_per_s: trade_rows as f64 / trade_s,
        calls: floor::entity_calls(&trade_report, |e| TRADE.iter().any(|t| t.as_str() == e)),
    };
    let cache_bytes = rig.cache.size_on_disk()?;

    let served_before = rig.served().await?;
    let started = Instant::now();
    let again = rig.sync("no-change sync").await?;
    let again_s = started.elapsed().as_secs_f64();
    let again_served = rig.served().await?.since(served_before);
    let client_paging = page_items(&rig).await?;
    rig.shutdown().await;

    let figures = |main: bool| {
        full.entities
            .iter()
            .filter(|e| MAIN_ENTITIES.contains(&e.entity.as_str()) == main)
            .filter(|e| main || e.rows_upserted > 0)
            .map(|e| EntityFigures {
                entity: e.entity.clone(),
                rows: e.rows_upserted,
                calls: e.calls,
            })
            .collect()
    };
    let full_sync = FullSync {
        entities: figures(true),
        other_entities: figures(false),
        rows,
        wall_s,
        cpu_s,
        records_per_s: rows as f64 / wall_s,
        main_calls: floor::entity_calls(&full, |e| MAIN_ENTITIES.contains(&e)),
        run_calls: Calls {
            used: served.api_calls,
            floor: floor::run_floor(&full),
        },
        rss_start_mib,
        peak_rss_mib,
        cache_bytes,
        cache_mib: cache_bytes as f64 / 1_048_576.0,
        client_paging,
        trade,
    };
    let no_change = NoChange {
        calls: again_served.api_calls,
        engine_calls: again.calls(),
        wall_s: again_s,
    };
    Ok((full_sync, no_change))
}

/// Pages every item of the first division through the client, as the old client benchmark did.
async fn page_items(rig: &Rig) -> Result<Paging> {
    let fields = exact_fields::entity("Items").context("the item field list")?;
    let select = fields.select_all("sync");
    let division = *rig
        .options
        .divisions
        .first()
        .context("the simulator has no division")?;
    let started = Instant::now();
    let mut pager = rig
        .demo
        .client
        .sync(division, "sync/Logistics/Items", &select, 1);
    let mut rows = 0;
    while let Some(page) = pager.next_page().await? {
        rows += page.records.len() as u64;
    }
    let wall_s = started.elapsed().as_secs_f64();
    Ok(Paging {
        rows,
        properties: fields.properties_for("sync").len(),
        calls: pager.pages_fetched(),
        wall_s,
        records_per_s: rows as f64 / wall_s,
    })
}

impl Rows for FullSync {
    fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .entities
            .iter()
            .map(|e| row(format!("{} rows ({} calls)", e.entity, e.calls), e.rows))
            .collect();
        let others: Vec<String> = self
            .other_entities
            .iter()
            .map(|e| format!("{} {}", e.entity, e.rows))
            .collect();
        rows.extend([
            row("other entities' rows", others.join(", ")),
            row("rows applied, all entities", self.rows),
            row(
                "records/s end to end (fetch+parse+store+index)",
                format!("{:.0}", self.records_per_s),
            ),
            row("wall s", format!("{:.2}", self.wall_s)),
            row(
                "CPU s (process: app + simulator)",
                format!("{:.2}", self.cpu_s),
            ),
            row(
                "calls, four entities (floor Σ⌈rows/1000⌉)",
                format!("{} (floor {})", self.main_calls.used, self.main_calls.floor),
            ),
            row(
                "API calls served, whole run (floor)",
                format!("{} (floor {})", self.run_calls.used, self.run_calls.floor),
            ),
            row(
                "peak RSS MiB, app + simulator (at start)",
                super::mib_pair(self.peak_rss_mib, self.rss_start_mib),
            ),
            row(
                "then prices, stock, orders, extra fields: rows",
                self.trade
                    .entities
                    .iter()
                    .map(|e| format!("{} {} ({} calls)", e.entity, e.rows, e.calls))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            row(
                "  their records/s, wall s",
                format!("{:.0}, {:.2}", self.trade.records_per_s, self.trade.wall_s),
            ),
            row(
                "  their calls (floor Σ⌈rows/1000⌉)",
                format!(
                    "{} (floor {})",
                    self.trade.calls.used, self.trade.calls.floor
                ),
            ),
            row(
                "cache size on disk MiB (all entities)",
                format!("{:.1}", self.cache_mib),
            ),
            row(
                format!(
                    "client paging alone, items × {} properties, records/s",
                    self.client_paging.properties
                ),
                format!(
                    "{:.0} ({} rows, {} calls)",
                    self.client_paging.records_per_s,
                    self.client_paging.rows,
                    self.client_paging.calls
                ),
            ),
        ]);
        rows
    }
}

impl Rows for NoChange {
    fn rows(&self) -> Vec<Row> {
        vec![
            row("API calls served", self.calls),
            row("wall s", format!("{:.4}", self.wall_s)),
        ]
    }
}
