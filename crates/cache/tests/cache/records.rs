//! Operations common to every entity table: batch upserts, deletion by id, replace and sweep,
//! export, and prepared records.

use std::path::Path;

use exact_record::{RawRecord, Record};
use exact_sim::data::Entity as SimEntity;
use offline_cache::{
    AccountQuery, Cache, DELETED_CURSOR, Entity, Error, ItemQuery, PreparedRecord,
};
use serde_json::{Value, json};

use crate::support::{fixture, with};

#[test]
fn an_id_repeated_in_one_batch_with_new_text_is_indexed_once_with_the_last_text() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let first = with(&items[0], "Description", json!("Eerstewoord"));
    let last = with(&items[0], "Description", json!("Laatstewoord"));
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            &[first, last],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    assert!(f.search_items("Eerstewoord").is_empty());
    assert_eq!(f.search_items("Laatstewoord"), [items[0].id().unwrap()]);
    let accounts = f.sync(SimEntity::Accounts);
    let first = with(&accounts[0], "Name", json!("Eerstenaam"));
    let last = with(&accounts[0], "Name", json!("Laatstenaam"));
    let batch = [accounts[0].clone(), first, last];
    f.cache
        .apply_upserts(
            f.division,
            Entity::Accounts,
            &batch,
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    assert!(f.search_accounts("Eerstenaam").is_empty());
    assert_eq!(
        f.search_accounts("Laatstenaam"),
        [accounts[0].id().unwrap()]
    );
}

#[test]
fn re_upserting_the_same_records_is_idempotent() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let mut twice = items[..50].to_vec();
    twice.extend_from_slice(&items[..50]);
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            &twice,
            Some(5),
            None,
            crate::support::now(),
        )
        .unwrap();
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            &items[..50],
            Some(5),
            None,
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 50);
    let code = items[7].str("Code").unwrap();
    let hits = f.search_items(code);
    assert_eq!(
        hits.iter()
            .filter(|id| **id == items[7].id().unwrap())
            .count(),
        1,
        "the index holds one entry per item, however often it was upserted"
    );
    let mut exported = Vec::new();
    f.cache
        .export(f.division, Entity::Items, &mut |j| {
            exported.push(j.to_string());
            Ok(())
        })
        .unwrap();
    assert_eq!(exported.len(), 50);
}

#[test]
fn deletions_remove_rows_and_index_entries_and_move_the_deleted_cursor() {
    let f = fixture();
    f.load_all();
    let items = f.sync(SimEntity::Items);
    let accounts = f.sync(SimEntity::Accounts);
    let gone_item = items[3].id().unwrap();
    let gone_account = accounts[4].id().unwrap();
    let code = items[3].str("Code").unwrap().to_string();
    assert!(f.search_items(&code).contains(&gone_item));
    let n = f
        .cache
        .apply_deletions(
            f.division,
            &[
                (Entity::Items, gone_item.to_uppercase()),
                (Entity::Accounts, format!("{{{gone_account}}}")),
                (Entity::Items, "00000000-0000-0000-0000-000000000000".into()),
            ],
            777,
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(n, 2, "two rows existed; the unknown id is fine");
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 299);
    assert!(
        f.cache
            .item(f.division, &gone_item, crate::support::now())
            .unwrap()
            .is_none()
    );
    assert!(
        f.cache
            .account(f.division, &gone_account, crate::support::now())
            .unwrap()
            .is_none()
    );
    assert!(
        !f.search_items(&code).contains(&gone_item),
        "the index forgot the item"
    );
    assert_eq!(
        f.cache.cursor(f.division, DELETED_CURSOR).unwrap(),
        Some(777)
    );
    assert!(f.cache.cursor(f.division, "Items").unwrap().is_some());
    f.cache.reset_cursors(f.division).unwrap();
    assert_eq!(f.cache.cursor(f.division, DELETED_CURSOR).unwrap(), None);
    assert_eq!(f.cache.cursor(f.division, "Items").unwrap(), None);
}

#[test]
fn replace_all_and_sweep_keep_only_the_latest_full_pass() {
    let f = fixture();
    let units = f.regular(SimEntity::Units);
    assert!(units.len() >= 3, "the simulator has several units");
    f.cache
        .replace_all(f.division, Entity::Units, &units)
        .unwrap();
    f.cache
        .replace_all(f.division, Entity::Units, &units[..2])
        .unwrap();
    assert_eq!(f.cache.count(f.division, Entity::Units).unwrap(), 2);

    let items = f.sync(SimEntity::Items);
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            &items,
            None,
            Some(1),
            crate::support::now(),
        )
        .unwrap();
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            &items[..120],
            None,
            Some(2),
            crate::support::now(),
        )
        .unwrap();
    let swept = f.cache.sweep(f.division, Entity::Items, 2).unwrap();
    assert_eq!(swept, 180);
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 120);
    assert!(
        f.search_items(items[200].str("Code").unwrap())
            .iter()
            .all(|id| *id != items[200].id().unwrap())
    );
    assert_eq!(f.cache.sweep(f.division, Entity::Items, 2).unwrap(), 0);
}

#[test]
fn export_emits_the_attributes_verbatim() {
    let f = fixture();
    let accounts = f.sync(SimEntity::Accounts);
    let mut odd = with(
        &accounts[0],
        "ZzUnknownProperty",
        json!({"nested": [1, "two"]}),
    );
    odd.0.insert("Code".into(), json!("                 8"));
    let mut batch = accounts.clone();
    batch[0] = odd.clone();
    f.cache
        .apply_upserts(
            f.division,
            Entity::Accounts,
            &batch,
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    let mut exported: Vec<String> = Vec::new();
    let n = f
        .cache
        .export(f.division, Entity::Accounts, &mut |j| {
            exported.push(j.to_string());
            Ok(())
        })
        .unwrap();
    assert_eq!(n as usize, batch.len());
    let mut expected = batch.clone();
    expected.sort_by_key(|r| r.id());
    for (got, want) in exported.iter().zip(&expected) {
        // Compared as text: f64 values must survive byte for byte, not merely parse alike.
        assert!(
            *got == serde_json::to_string(&want.0).unwrap(),
            "record {:?} exported exactly as received, in id order",
            want.id()
        );
    }
    let at = expected.iter().position(|r| r.id() == odd.id()).unwrap();
    let stored: Record = serde_json::from_str(&exported[at]).unwrap();
    assert_eq!(
        stored.get("Code"),
        Some(&json!("                 8")),
        "padding kept"
    );
    assert_eq!(
        stored.get("ZzUnknownProperty"),
        Some(&json!({"nested": [1, "two"]})),
        "unknown properties kept"
    );
    assert!(
        stored
            .get("Modified")
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with("/Date(")),
        "dates kept in Exact's form"
    );
    let detail = f
        .cache
        .account(f.division, &odd.id().unwrap(), crate::support::now())
        .unwrap()
        .unwrap();
    assert_eq!(
        detail.summary.code.as_deref(),
        Some("8"),
        "the typed column is trimmed"
    );
    let err = f.cache.export(f.division, Entity::Accounts, &mut |_| {
        Err(Error::Export("pipe closed".into()))
    });
    assert!(
        matches!(err, Err(Error::Export(_))),
        "a failing callback stops the export"
    );
}

#[test]
fn prepared_records_with_only_the_column_properties_store_the_same_rows() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let (whole_path, prepared_path) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
    let whole = Cache::open(&whole_path).unwrap();
    let prepared = Cache::open(&prepared_path).unwrap();
    let sets = [
        (Entity::Items, f.sync(SimEntity::Items)),
        (Entity::Accounts, f.sync(SimEntity::Accounts)),
        (Entity::Contacts, f.sync(SimEntity::Contacts)),
        (Entity::Addresses, f.sync(SimEntity::Addresses)),
        (Entity::Documents, f.sync(SimEntity::Documents)),
        (
            Entity::DocumentAttachments,
            f.sync(SimEntity::DocumentAttachments),
        ),
        (Entity::ItemGroups, f.regular(SimEntity::ItemGroups)),
        (Entity::Units, f.regular(SimEntity::Units)),
        (Entity::SalesItemPrices, f.sync(SimEntity::SalesItemPrices)),
        (Entity::StockPositions, f.sync(SimEntity::StockPositions)),
        (
            Entity::SalesOrderHeaders,
            f.sync(SimEntity::SalesOrderHeaders),
        ),
        (Entity::SalesOrderLines, f.sync(SimEntity::SalesOrderLines)),
        (
            Entity::ItemExtraFields,
            f.regular(SimEntity::ItemExtraFields),
        ),
    ];
    for (entity, records) in &sets {
        assert!(!records.is_empty(), "{entity} has rows to compare");
        whole
            .apply_upserts(
                f.division,
                *entity,
                records,
                None,
                None,
                crate::support::now(),
            )
            .unwrap();
        let keep = |name: &str| entity.column_properties().contains(&name);
        let rows: Vec<PreparedRecord> = records
            .iter()
            .map(|r| PreparedRecord::from_raw(RawRecord::from_record(r.clone(), &keep)))
            .collect();
        assert!(
            rows.iter().all(|r| r.fields().len() < 40),
            "{entity}: only the column properties are parsed"
        );
        prepared
            .apply_prepared(
                f.division,
                *entity,
                &rows,
                None,
                None,
                crate::support::now(),
            )
            .unwrap();
    }
    assert_eq!(
        contents(&prepared_path, &prepared, f.division),
        contents(&whole_path, &whole, f.division)
    );
}

/// Every row (all columns, attributes decompressed to their JSON value) and every search
/// answer of a cache, to compare two ways of storing the same records.
fn contents(path: &Path, cache: &Cache, division: i32) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for entity in Entity::ALL {
        let table = entity_table(entity);
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY id"))
            .unwrap();
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let mut line = format!("{table}:");
            for (i, name) in names.iter().enumerate() {
                if name != "attributes" {
                    line.push_str(&format!(" {name}={:?}", row.get_ref(i).unwrap()));
                }
            }
            out.push(line);
        }
        let mut attributes = Vec::new();
        cache
            .export(division, entity, &mut |json| {
                attributes.push(serde_json::from_str::<Value>(json).unwrap());
                Ok(())
            })
            .unwrap();
        out.push(format!("{table} attributes: {attributes:?}"));
    }
    for word in ["a", "be", "sch", "10", "jan", "de", "nl", "com"] {
        let items: Vec<String> = cache
            .items(&ItemQuery {
                division,
                search: Some(word.into()),
                limit: 10_000,
                ..ItemQuery::default()
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect();
        let accounts: Vec<String> = cache
            .accounts(&AccountQuery {
                division,
                search: Some(word.into()),
                limit: 10_000,
                ..AccountQuery::default()
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect();
        out.push(format!("search {word}: {items:?} {accounts:?}"));
    }
    out
}

fn entity_table(entity: Entity) -> &'static str {
    match entity {
        Entity::Items => "items",
        Entity::ItemGroups => "item_groups",
        Entity::Units => "units",
        Entity::Accounts => "accounts",
        Entity::Contacts => "contacts",
        Entity::Addresses => "addresses",
        Entity::Documents => "documents",
        Entity::DocumentAttachments => "document_attachments",
        Entity::SalesItemPrices => "sales_item_prices",
        Entity::StockPositions => "stock_positions",
        Entity::SalesOrderHeaders => "sales_order_headers",
        Entity::SalesOrderLines => "sales_order_lines",
        Entity::ItemExtraFields => "item_extra_fields",
    }
}
