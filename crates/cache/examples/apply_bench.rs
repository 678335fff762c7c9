//! How fast `apply_upserts` stores generated records, and how fast searches answer
//! (a program, not a test):
//! `cargo run --release -p offline-cache --example apply_bench -- [ITEMS] [ACCOUNTS]`
//!
//! Records come from exact-sim's generator (all properties, realistic sizes) and are generated
//! before the clock starts; batches of 1000 are applied the way the sync engine applies pages.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use exact_api::Record;
use exact_sim::data::{DataConfig, Dataset, Entity as SimEntity};
use offline_cache::{AccountQuery, Cache, Entity, ItemQuery};

fn generate(ds: &Dataset, division: i32, entity: SimEntity) -> Vec<Vec<Record>> {
    let (mut pages, mut after) = (Vec::new(), 0i64);
    loop {
        let page = ds.sync_after(division, entity, after, 1000, None);
        let Some(last) = page.last() else { break };
        after = last.get("Timestamp").and_then(|v| v.as_i64()).unwrap();
        pages.push(page.into_iter().map(Record).collect::<Vec<_>>());
    }
    pages
}

fn apply(cache: &Cache, division: i32, entity: Entity, pages: &[Vec<Record>]) {
    let rows: usize = pages.iter().map(Vec::len).sum();
    let bytes: usize = pages
        .iter()
        .flatten()
        .map(|r| serde_json::to_string(&r.0).unwrap().len())
        .sum();
    let started = Instant::now();
    for record in pages.iter().flatten() {
        std::hint::black_box(serde_json::to_string(&record.0).unwrap());
    }
    let json_secs = started.elapsed().as_secs_f64();
    let written = bytes_written();
    let started = Instant::now();
    for page in pages {
        let cursor = page.iter().filter_map(Record::timestamp).max();
        cache
            .apply_upserts(division, entity, page, cursor, Some(1))
            .unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let written = bytes_written().zip(written).map(|(b, a)| b - a);
    println!(
        "{entity:<20} {rows:>7} rows, {:>4.1} KB JSON/row: {:>7.0} records/s ({:.2} s; JSON serialising alone {:.2} s; {} MB written)",
        bytes as f64 / rows.max(1) as f64 / 1024.0,
        rows as f64 / secs,
        secs,
        json_secs,
        written.map_or("?".to_string(), |w| format!("{:.0}", w as f64 / 1e6)),
    );
}

/// Bytes this process has passed to write(2) so far (Linux `/proc/self/io` `wchar`): the WAL
/// frames plus the checkpoints' copies into the database file.
fn bytes_written() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))
        .and_then(|v| v.trim().parse().ok())
}

fn percentile(mut ms: Vec<f64>, p: f64) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[((ms.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().ok());
    let items = args.next().flatten().unwrap_or(100_000);
    let accounts = args.next().flatten().unwrap_or(20_000);
    let ds = Dataset::new(DataConfig {
        seed: 7,
        divisions: 1,
        items,
        accounts,
        contacts: None,
        addresses: None,
        documents: None,
        attachments: None,
        prices: None,
        orders: None,
        picture_share: 0.5,
        base_url: "https://start.exactonline.nl".into(),
        origin_ms: 1_750_000_000_000,
    });
    let division = ds.division_codes()[0];
    // BENCH_DIR=/dev/shm separates SQLite's CPU cost from the disk's.
    let dir = match std::env::var_os("BENCH_DIR") {
        Some(base) => tempfile::tempdir_in(base).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let cache = Cache::open(&dir.path().join("cache.sqlite")).unwrap();

    println!("generating records ...");
    let sets = [
        (Entity::Items, generate(&ds, division, SimEntity::Items)),
        (
            Entity::Accounts,
            generate(&ds, division, SimEntity::Accounts),
        ),
        (
            Entity::Contacts,
            generate(&ds, division, SimEntity::Contacts),
        ),
        (
            Entity::Addresses,
            generate(&ds, division, SimEntity::Addresses),
        ),
    ];
    println!("apply_upserts, batches of 1000, one transaction each (first load):");
    for (entity, pages) in &sets {
        apply(&cache, division, *entity, pages);
    }
    println!("apply_upserts again (every row an update):");
    for (entity, pages) in &sets[..2] {
        apply(&cache, division, *entity, pages);
    }

    let words = [
        "bout", "moer", "sch", "a", "pomp", "10", "xyz", "ka", "staal",
    ];
    let mut times = Vec::new();
    for round in 0..20 {
        for w in words {
            let started = Instant::now();
            let page = cache
                .items(&ItemQuery {
                    division,
                    search: Some(w.to_string()),
                    limit: 50,
                    offset: (round % 3) * 50,
                    ..ItemQuery::default()
                })
                .unwrap();
            times.push(started.elapsed().as_secs_f64() * 1e3);
            if round == 0 {
                println!("  items search {w:?}: {} matches", page.total);
            }
        }
    }
    println!(
        "item search over {items} items: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        percentile(times.clone(), 0.5),
        percentile(times.clone(), 0.95),
        percentile(times, 1.0)
    );
    let mut times = Vec::new();
    for _ in 0..20 {
        for w in words {
            let started = Instant::now();
            cache
                .accounts(&AccountQuery {
                    division,
                    search: Some(w.to_string()),
                    limit: 50,
                    ..AccountQuery::default()
                })
                .unwrap();
            times.push(started.elapsed().as_secs_f64() * 1e3);
        }
    }
    println!(
        "account search over {accounts} accounts: p50 {:.1} ms, p95 {:.1} ms",
        percentile(times.clone(), 0.5),
        percentile(times, 0.95)
    );
    println!(
        "database size: {:.1} MB",
        cache.size_on_disk().unwrap() as f64 / 1e6
    );
}
