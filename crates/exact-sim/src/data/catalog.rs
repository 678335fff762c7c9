//! Small master tables of a division: item groups, units, warehouses, and the item extra
//! fields (read/logistics/ItemExtraField).

use serde_json::Value;

use super::Entity;
use super::clock_dates::exact_date;
use super::layout::{Div, EXTRA_PER_ITEM};
use super::row::Sink;
use super::row::{Row, audit, int, nulls, put, s};
use super::seeds::{guid_of, hash, hash_str};
use super::vocabulary::{ITEM_GROUPS, UNITS};

/// (ID, code, description in `lang`) of a division's item group.
pub fn group(div: &Div, g: u64, lang: usize) -> (String, &'static str, &'static str) {
    let t = &ITEM_GROUPS[(g as usize) % ITEM_GROUPS.len()];
    let d = match lang {
        1 => t.2,
        2 => t.3,
        3 => t.4,
        _ => t.1,
    };
    (div.id(Entity::ItemGroups, g), t.0, d)
}

/// (padded code, description, type) of a unit.
pub fn unit(u: u64) -> (&'static str, &'static str, &'static str) {
    UNITS[(u as usize) % UNITS.len()]
}

/// (ID, code, description) of a warehouse.
pub fn warehouse(div: &Div, w: u64) -> (String, String, String) {
    let names = ["Hoofdmagazijn", "Magazijn Zuid", "Buitenopslag"];
    (
        div.id(Entity::Warehouses, w),
        (w + 1).to_string(),
        names[(w as usize) % names.len()].to_string(),
    )
}

fn gl(rec: &mut impl Sink, div: &Div, key: &str, code: &str, descr: &str) {
    put(rec, key, s(guid_of(&[div.seed, 0x61, hash_str(code)])));
    put(rec, &format!("{key}Code"), s(code));
    put(rec, &format!("{key}Description"), s(descr));
}

pub fn item_group(row: &Row, rec: &mut impl Sink) {
    audit(rec, row);
    let (_, code, descr) = group(row.div, row.slot, row.lang);
    let div = row.div;
    put(rec, "Code", s(code));
    put(rec, "Description", s(descr));
    put(rec, "IsDefault", int(i64::from(row.slot == 0)));
    put(rec, "Notes", Value::Null);
    gl(rec, div, "GLCosts", "7000", "Kostprijs omzet");
    gl(rec, div, "GLPurchaseAccount", "1600", "Crediteuren");
    put(
        rec,
        "GLPurchasePriceDifference",
        s(guid_of(&[div.seed, 0x62])),
    );
    put(rec, "GLPurchasePriceDifferenceCode", s("7050"));
    put(
        rec,
        "GLPurchasePriceDifferenceDescr",
        s("Prijsverschillen inkoop"),
    );
    gl(rec, div, "GLRevenue", "8000", "Omzet");
    gl(rec, div, "GLStock", "3000", "Voorraad");
    gl(rec, div, "GLStockVariance", "7060", "Voorraadverschillen");
    nulls(
        rec,
        &[
            "GLCostsWorkInProgress",
            "GLCostsWorkInProgressCode",
            "GLCostsWorkInProgressDescription",
            "GLRevenueWorkInProgress",
            "GLRevenueWorkInProgressCode",
            "GLRevenueWorkInProgressDescription",
        ],
    );
}

pub fn unit_record(row: &Row, rec: &mut impl Sink) {
    let (code, descr, kind) = unit(row.slot);
    put(rec, "ID", s(row.id.clone()));
    put(rec, "Division", int(i64::from(row.div.code)));
    put(rec, "Active", Value::Bool(true));
    put(rec, "Code", s(code));
    put(rec, "Description", s(descr));
    put(rec, "Main", int(i64::from(row.slot == 0)));
    put(
        rec,
        "TimeUnit",
        if kind == "T" { s("h") } else { Value::Null },
    );
    put(rec, "Type", s(kind));
}

pub fn warehouse_record(row: &Row, rec: &mut impl Sink) {
    audit(rec, row);
    let (_, code, descr) = warehouse(row.div, row.slot);
    put(rec, "Code", s(code));
    put(rec, "Description", s(descr));
    put(rec, "Main", int(i64::from(row.slot == 0)));
    put(
        rec,
        "EMail",
        s(format!("magazijn{}@example.nl", row.slot + 1)),
    );
    put(rec, "UseStorageLocations", int(0));
    nulls(
        rec,
        &[
            "DefaultStorageLocation",
            "DefaultStorageLocationCode",
            "DefaultStorageLocationDescription",
        ],
    );
    put(rec, "ManagerUser", s(row.div.user(0).0));
}

pub fn extra_field(row: &Row, rec: &mut impl Sink) {
    let item = row.slot / EXTRA_PER_ITEM;
    let number = row.slot % EXTRA_PER_ITEM + 1;
    let labels = ["Kleur", "Afmeting", "Herkomst", "Garantie"];
    let values = [
        ["Blank", "Wit", "Antraciet", "Eiken naturel"],
        ["18 x 600 x 2440 mm", "4 x 40 mm", "M8 x 60", "1,5 m"],
        ["Nederland", "Duitsland", "Zweden", "China"],
        ["1 jaar", "2 jaar", "5 jaar", "Geen"],
    ];
    let i = (number - 1) as usize;
    put(rec, "ItemID", s(row.div.id(Entity::Items, item)));
    put(rec, "Number", int(number as i64));
    put(rec, "Description", s(labels[i]));
    put(
        rec,
        "Value",
        s(values[i][(hash(&[row.div.seed, row.slot]) % 4) as usize]),
    );
    put(rec, "Modified", exact_date(row.modified));
}
