//! How fast the simulator generates and serves records and pictures (a program, not a test):
//! `cargo run --release -p exact-sim --example generation_bench -- [ITEMS] [FILTER]`
//! (FILTER: only the measurements whose label contains it, e.g. `compact` or `Accounts`).
//!
//! Per sync entity (items, accounts, contacts, addresses in the product benchmark's 10:4:10:8
//! proportions) it pages through every record 1000 at a time and prints µs per record for
//! generating records and for serving the JSON page body (generate + `$select` of every
//! property + envelope, the work behind one sync call), both through `Record` maps (the path
//! `Dataset::sync_after` and `dump` keep) and through the compact hot path the server uses.
//! Each figure is the best of three passes.

#![allow(clippy::print_stdout)]

use std::time::Instant;

use exact_sim::catalog;
use exact_sim::data::{DataConfig, Dataset, Entity, ImageSpec, Record};
use exact_sim::envelope::{self, Format, JsonFeed, Prop, Row};
use exact_sim::listing;

const ENDPOINTS: [(Entity, &str); 4] = [
    (Entity::Items, "sync/Logistics/Items"),
    (Entity::Accounts, "sync/CRM/Accounts"),
    (Entity::Contacts, "sync/CRM/Contacts"),
    (Entity::Addresses, "sync/CRM/Addresses"),
];

fn timestamp(r: &Record) -> i64 {
    r.get("Timestamp")
        .and_then(serde_json::Value::as_i64)
        .expect("sync rows carry a Timestamp")
}

/// Pages through one entity with `page(after) -> (rows, last Timestamp, body bytes)`, three
/// times (the machine is shared); prints the best µs per record.
fn measure(label: &str, mut page: impl FnMut(i64) -> (usize, Option<i64>, usize)) {
    if std::env::args()
        .nth(2)
        .is_some_and(|filter| !label.contains(&filter))
    {
        return;
    }
    let mut best = f64::MAX;
    let (mut rows, mut bytes) = (0usize, 0usize);
    for _ in 0..3 {
        let started = Instant::now();
        let mut after = 0i64;
        (rows, bytes) = (0, 0);
        loop {
            let (n, last, b) = page(after);
            rows += n;
            bytes += b;
            match last {
                Some(ts) if n > 0 => after = ts,
                _ => break,
            }
        }
        best = best.min(started.elapsed().as_secs_f64() * 1e6 / rows.max(1) as f64);
    }
    let size = if bytes > 0 {
        format!(", {} bytes per record", bytes / rows.max(1))
    } else {
        String::new()
    };
    println!("{label:<42} {rows:>7} records {best:>7.2} µs per record{size}");
}

/// The page body as the listing code built it before the compact path: `Record` → `Row` → feed.
fn map_page(
    ds: &Dataset,
    division: i32,
    entity: Entity,
    path: &str,
    after: i64,
) -> (usize, Option<i64>, usize) {
    let (def, _) = catalog::find(path).expect("sync endpoint");
    let props = def.properties(None);
    let prefix = format!("http://127.0.0.1:1/api/v1/{division}/{}", def.path);
    let records = ds.sync_after(division, entity, after, 1000, None);
    let rows: Vec<Row> = records
        .iter()
        .map(|r| Row {
            uri: format!("{prefix}(guid'{}')", r["ID"].as_str().unwrap_or_default()),
            type_name: def.model_type().to_string(),
            props: props
                .iter()
                .map(|(name, kind)| Prop {
                    name: name.clone(),
                    kind: kind.clone(),
                    value: r.get(name).cloned().unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let body = envelope::feed(Format::Json, def.title(), &prefix, &rows, None, None, "t");
    (
        records.len(),
        records.last().map(timestamp),
        body.bytes.len(),
    )
}

/// The page body as the listing code builds it now: compact records written straight to JSON.
fn compact_page(
    ds: &Dataset,
    division: i32,
    entity: Entity,
    path: &str,
    after: i64,
) -> (usize, Option<i64>, usize) {
    let (def, _) = catalog::find(path).expect("sync endpoint");
    let props = def.properties(None);
    let prefix = format!("http://127.0.0.1:1/api/v1/{division}/{}", def.path);
    let mut feed = JsonFeed::new(None, 1000 * 40 * props.len());
    let page = listing::write_sync_json(
        &mut feed,
        ds,
        division,
        entity,
        &listing::SyncSlice {
            after_ts: after,
            limit: 1000,
            lang: None,
            props: &props,
            prefix: &prefix,
        },
    );
    let body = feed.finish(None);
    (page.rows, page.last_ts, body.bytes.len())
}

fn main() {
    let items: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let ds = Dataset::new(DataConfig {
        seed: 11,
        divisions: 1,
        items,
        accounts: items * 2 / 5,
        contacts: Some(items),
        addresses: Some(items * 4 / 5),
        documents: None,
        attachments: None,
        prices: None,
        orders: None,
        picture_share: 0.5,
        base_url: "http://127.0.0.1:1".into(),
        origin_ms: 1_750_000_000_000,
    });
    let division = ds.division_codes()[0];
    for (entity, path) in ENDPOINTS {
        let name = entity.name();
        measure(&format!("{name}: generate Record maps"), |after| {
            let page = ds.sync_after(division, entity, after, 1000, None);
            (page.len(), page.last().map(timestamp), 0)
        });
        measure(&format!("{name}: serve JSON page, map path"), |after| {
            map_page(&ds, division, entity, path, after)
        });
        measure(&format!("{name}: generate compact records"), |after| {
            let mut last = None;
            let (n, _) = ds.visit_sync(division, entity, after, 1000, None, |r| {
                last = r.get("Timestamp").and_then(serde_json::Value::as_i64);
            });
            (n, last, 0)
        });
        measure(&format!("{name}: serve JSON page, compact path"), |after| {
            compact_page(&ds, division, entity, path, after)
        });
    }

    if std::env::args().nth(2).is_some() {
        return;
    }
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
