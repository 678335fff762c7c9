//! Property sets per entity and endpoint family, from the `exact-fields` lists, and the
//! projection of a generated record onto exactly one set.

use std::sync::OnceLock;

use serde_json::Value;

use super::{Entity, Record, Variant};

/// Exact's inventory/Warehouses properties (no field list exists for them in `exact-fields`).
const WAREHOUSE_PROPS: &[&str] = &[
    "ID",
    "Code",
    "Created",
    "Creator",
    "CreatorFullName",
    "DefaultStorageLocation",
    "DefaultStorageLocationCode",
    "DefaultStorageLocationDescription",
    "Description",
    "Division",
    "EMail",
    "Main",
    "ManagerUser",
    "Modified",
    "Modifier",
    "ModifierFullName",
    "UseStorageLocations",
];

/// (field file, endpoint label) that describes an entity on an endpoint family.
pub fn source(entity: Entity, variant: Variant) -> (&'static str, &'static str) {
    use Variant::*;
    match (entity, variant) {
        (Entity::SalesOrderHeaders, Sync) => ("SalesOrders", "sync_headers"),
        (Entity::SalesOrderHeaders, Regular) => ("SalesOrders", "regular_orders"),
        (Entity::SalesOrderHeaders, Bulk) => ("SalesOrders", "bulk_orders"),
        (Entity::SalesOrderLines, Sync) => ("SalesOrders", "sync_lines"),
        (Entity::SalesOrderLines, Regular) => ("SalesOrders", "regular_lines"),
        (Entity::SalesOrderLines, Bulk) => ("SalesOrders", "bulk_lines"),
        (Entity::ItemGroups, _) => ("ItemGroups", "regular"),
        (Entity::Units, _) => ("Units", "regular"),
        (Entity::ItemExtraFields, _) => ("ItemExtraField", "read"),
        (Entity::Warehouses, _) => ("Warehouses", "regular"),
        (Entity::StockPositions, _) => ("StockPositions", "sync"),
        (e, Sync) => (e.name(), "sync"),
        (e, Regular) => (e.name(), "regular"),
        (e, Bulk) => (e.name(), "bulk"),
    }
}

fn variant_index(v: Variant) -> usize {
    match v {
        Variant::Sync => 0,
        Variant::Regular => 1,
        Variant::Bulk => 2,
    }
}

/// Sorted property names of an entity on an endpoint family.
pub fn names(entity: Entity, variant: Variant) -> &'static [&'static str] {
    static ALL: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let mut out = Vec::new();
        for e in Entity::ALL {
            for v in [Variant::Sync, Variant::Regular, Variant::Bulk] {
                out.push(compute(e, v));
            }
        }
        out
    });
    let pos = Entity::ALL.iter().position(|&e| e == entity).unwrap_or(0);
    &all[pos * 3 + variant_index(variant)]
}

fn compute(entity: Entity, variant: Variant) -> Vec<&'static str> {
    let (file, label) = source(entity, variant);
    let mut list: Vec<&'static str> = if entity == Entity::Warehouses {
        WAREHOUSE_PROPS.to_vec()
    } else {
        exact_fields::entity(file)
            .map(|f| {
                f.properties_for(label)
                    .into_iter()
                    .map(|p| p.name.as_str())
                    .collect()
            })
            .unwrap_or_default()
    };
    // StockPositions have no regular/bulk list: the sync one without Timestamp.
    if entity == Entity::StockPositions && variant != Variant::Sync {
        list.retain(|n| *n != "Timestamp");
    }
    list.sort_unstable();
    list.dedup();
    list
}

/// Names other endpoint families of the entity have and this one lacks.
pub fn extras(entity: Entity, variant: Variant) -> &'static [&'static str] {
    static ALL: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let mut out = Vec::new();
        for e in Entity::ALL {
            for v in [Variant::Sync, Variant::Regular, Variant::Bulk] {
                let own = names(e, v);
                let mut other: Vec<&'static str> = [Variant::Sync, Variant::Regular, Variant::Bulk]
                    .iter()
                    .flat_map(|w| names(e, *w).iter().copied())
                    .filter(|n| own.binary_search(n).is_err())
                    .collect();
                other.sort_unstable();
                other.dedup();
                out.push(other);
            }
        }
        out
    });
    let pos = Entity::ALL.iter().position(|&e| e == entity).unwrap_or(0);
    &all[pos * 3 + variant_index(variant)]
}

/// Keeps exactly the properties of the endpoint family; missing ones become null.
pub fn project(entity: Entity, variant: Variant, rec: &mut Record) {
    let wanted = names(entity, variant);
    // Fast path: generators write the union of the families' properties, so removing the
    // other families' extras usually leaves exactly the wanted set.
    for name in extras(entity, variant) {
        rec.remove(*name);
    }
    if rec.len() == wanted.len() {
        return;
    }
    rec.retain(|k, _| wanted.binary_search(&k.as_str()).is_ok());
    if rec.len() != wanted.len() {
        for name in wanted {
            rec.entry(*name).or_insert(Value::Null);
        }
    }
}

/// Names the generator failed to produce (for tests: should be empty).
#[cfg(test)]
pub fn missing(entity: Entity, variant: Variant, rec: &Record) -> Vec<&'static str> {
    names(entity, variant)
        .iter()
        .copied()
        .filter(|n| !rec.contains_key(*n))
        .collect()
}
