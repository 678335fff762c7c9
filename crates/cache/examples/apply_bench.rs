//! How fast the cache's writer stores generated records, and how fast searches answer
//! (a program, not a test):
//! `cargo run --release -p offline-cache --example apply_bench -- [ITEMS] [ACCOUNTS]`
//!
//! Records come from exact-sim's generator (all properties, realistic sizes) and are generated
//! before the clock starts. Like the sync engine, the bench prepares them off the clock (JSON
//! text compressed, only the column properties parsed: `PreparedRecord`) and times
//! `apply_prepared` in batches of 1000, one transaction each: the writer thread's own cost.
//! "CPU/row" is the process's CPU time (user + system), which other programs sharing the cores
//! barely change, unlike records/s.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use exact_record::{RawRecord, Record};
use exact_sim::data::{DataConfig, Dataset, Entity as SimEntity};
use offline_cache::{AccountQuery, Cache, Entity, ItemQuery, PreparedRecord};

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
    let keep = |name: &str| entity.column_properties().contains(&name);
    let prepared: Vec<Vec<PreparedRecord>> = pages
        .iter()
        .map(|page| {
            page.iter()
                .map(|r| PreparedRecord::from_raw(RawRecord::from_record(r.clone(), &keep)))
                .collect()
        })
        .collect();
    let json_secs = started.elapsed().as_secs_f64();
    let written = bytes_written();
    let cpu = cpu_secs();
    let started = Instant::now();
    for (page, records) in pages.iter().zip(&prepared) {
        let cursor = page.iter().filter_map(Record::timestamp).max();
        // The stamp of the cursor's move; its value costs nothing to store.
        cache
            .apply_prepared(division, entity, records, cursor, Some(1), 0)
            .unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_secs().zip(cpu).map(|(b, a)| b - a);
    let written = bytes_written().zip(written).map(|(b, a)| b - a);
    println!(
        "{entity:<20} {rows:>7} rows, {:>4.1} KB JSON/row: {:>7.0} records/s ({:.2} s, {} µs CPU/row; preparing, off the clock {:.2} s; {} MB written)",
        bytes as f64 / rows.max(1) as f64 / 1024.0,
        rows as f64 / secs,
        secs,
        cpu.map_or("?".to_string(), |c| format!(
            "{:.1}",
            c * 1e6 / rows.max(1) as f64
        )),
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

/// CPU time (user + system) this process has used so far, from `/proc/self/stat` (clock ticks
/// of 10 ms): unlike wall time it barely moves when other programs share the cores.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
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
    println!("apply_prepared, batches of 1000, one transaction each (first load):");
    for (entity, pages) in &sets {
        apply(&cache, division, *entity, pages);
    }
    println!("apply_prepared again (every row an update):");
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
