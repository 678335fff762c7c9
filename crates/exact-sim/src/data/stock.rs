//! Stock: SalesItemPrices (general prices, quantity breaks, customer agreements) and
//! StockPositions per stock item and warehouse (Projected = Current + PlanningIn - PlanningOut).

use serde_json::Value;

use super::Entity;
use super::accounts;
use super::catalog::{unit, warehouse};
use super::clock_dates::{DAY_MS, exact_day};
use super::items;
use super::layout::Div;
use super::row::Sink;
use super::row::{Row, audit, nulls, num, put, s};
use super::seeds::{Rng, hash};

/// (item slot, position within the item's prices).
pub fn price_owner(div: &Div, p: u64) -> (u64, u64) {
    let (ni, np) = (div.counts.items.max(1), div.counts.prices);
    if p >= np {
        return (hash(&[div.seed, 0x9A1, p]) % ni, 2);
    }
    let item = p * ni / np;
    (item, p - (item * np).div_ceil(ni))
}

/// A customer account slot chosen by a hash (falls back to any account).
pub fn customer(div: &Div, key: u64) -> u64 {
    let n = div.counts.accounts.max(1);
    (0..8)
        .map(|i| hash(&[div.seed, 0xC057, key, i]) % n)
        .find(|&a| accounts::is_customer(div, a))
        .unwrap_or(key % n)
}

pub fn price_record(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let mut rng = div.rng(row.entity, row.slot);
    audit(rec, row);
    let (item, pos) = price_owner(div, row.slot);
    let base = items::sales_price(div, item);
    let (ucode, udescr, _) = unit(items::unit_of(div, item));
    put(rec, "Item", s(div.id(Entity::Items, item)));
    put(rec, "ItemCode", s(items::code(div, item)));
    put(rec, "ItemDescription", s(items::description(div, item, 0)));
    put(
        rec,
        "Barcode",
        items::barcode(div, item).map_or(Value::Null, Value::String),
    );
    put(rec, "DefaultItemUnit", s(ucode));
    put(rec, "DefaultItemUnitDescription", s(udescr));
    put(rec, "Currency", s("EUR"));
    let quantity_break = pos == 1 && rng.chance(0.5);
    let (account, quantity, factor) = if pos == 0 {
        (None, 0.0, 1.0)
    } else if quantity_break {
        (None, *rng.pick(&[10.0, 25.0, 50.0, 100.0]), 0.9)
    } else {
        (Some(customer(div, row.slot)), 0.0, 0.93)
    };
    match account {
        Some(a) => {
            put(rec, "Account", s(div.id(Entity::Accounts, a)));
            put(rec, "AccountName", s(accounts::name(div, a)));
        }
        None => nulls(rec, &["Account", "AccountName"]),
    }
    put(rec, "Quantity", num(quantity));
    put(rec, "Price", num((base * factor * 100.0).round() / 100.0));
    let per_unit = if ucode.starts_with("doos") { 50.0 } else { 1.0 };
    put(rec, "Unit", s(ucode));
    put(rec, "UnitDescription", s(udescr));
    put(rec, "NumberOfItemsPerUnit", num(per_unit));
    let start = row.created - row.created.rem_euclid(DAY_MS);
    put(
        rec,
        "StartDate",
        if pos == 0 {
            Value::Null
        } else {
            exact_day(start)
        },
    );
    put(
        rec,
        "EndDate",
        if account.is_some() && rng.chance(0.4) {
            exact_day(start + 365 * DAY_MS)
        } else {
            Value::Null
        },
    );
    nulls(rec, &["Employee", "Project", "ProjectDescription"]);
}

/// Current stock of an item in one of its warehouses.
pub fn current(div: &Div, item: u64, w: u64) -> f64 {
    (hash(&[div.seed, 0x57C, item, w]) % 1200) as f64
}

/// Total stock of an item (what Items.Stock shows).
pub fn total(div: &Div, item: u64) -> f64 {
    if item >= div.counts.items || !div.item_is_stock(item) {
        return 0.0;
    }
    (0..div.item_warehouses(item))
        .map(|w| current(div, item, w))
        .sum()
}

pub fn position_record(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let nw = div.counts.warehouses.max(1);
    let (item, w) = if row.slot < div.slots(Entity::StockPositions) {
        (row.slot / nw, row.slot % nw)
    } else {
        let h = hash(&[div.seed, 0x570, row.slot]);
        (h % div.counts.items.max(1), (h >> 20) % nw)
    };
    let mut rng = Rng::new(&[div.seed, 0x5705, item, w]);
    put(rec, "ID", s(row.id.clone()));
    put(rec, "Timestamp", Value::from(row.ts));
    put(rec, "Division", Value::from(div.code));
    put(rec, "ItemId", s(div.id(Entity::Items, item)));
    put(rec, "ItemCode", s(items::code(div, item)));
    put(rec, "ItemDescription", s(items::description(div, item, 0)));
    let (ucode, udescr, _) = unit(items::unit_of(div, item));
    put(rec, "UnitCode", s(ucode.trim_end()));
    put(rec, "UnitDescription", s(udescr));
    let (wid, wcode, wdescr) = warehouse(div, w);
    put(rec, "Warehouse", s(wid));
    put(rec, "WarehouseCode", s(wcode));
    put(rec, "WarehouseDescription", s(wdescr));
    let cur = current(div, item, w);
    let reserved = (cur * rng.unit() * 0.3).floor();
    let planning_in = if rng.chance(0.3) {
        rng.range(1, 500) as f64
    } else {
        0.0
    };
    let planning_out = if rng.chance(0.4) {
        rng.range(1, 300) as f64
    } else {
        0.0
    };
    put(rec, "CurrentStock", num(cur));
    put(rec, "ReservedStock", num(reserved));
    put(rec, "FreeStock", num(cur - reserved));
    put(rec, "PlanningIn", num(planning_in));
    put(rec, "PlanningOut", num(planning_out));
    put(rec, "ProjectedStock", num(cur + planning_in - planning_out));
    put(
        rec,
        "ReorderPoint",
        num(if rng.chance(0.5) {
            rng.range(5, 100) as f64
        } else {
            0.0
        }),
    );
}
