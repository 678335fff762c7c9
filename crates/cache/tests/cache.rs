//! offline-cache against a real SQLite file in a temp dir, with records from exact-sim's
//! generator (every property, Exact's conventions).

#![allow(clippy::unwrap_used)]

use std::path::Path;

use exact_record::{RawRecord, Record};
use exact_sim::data::{DataConfig, Dataset, Entity as SimEntity, ListFilter, Variant};
use offline_cache::{
    AccountKind, AccountQuery, Cache, DELETED_CURSOR, Entity, EntityResult, Error, ExclusionCause,
    ItemQuery, ItemSort, LinkRow, MIGRATIONS, PreparedRecord, migrate_to,
};
use serde_json::{Value, json};

struct Fixture {
    _dir: tempfile::TempDir,
    cache: Cache,
    ds: Dataset,
    division: i32,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("nested/folder/cache.sqlite")).unwrap();
    let ds = Dataset::new(DataConfig {
        seed: 3,
        divisions: 1,
        items: 300,
        accounts: 60,
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
    Fixture {
        _dir: dir,
        cache,
        ds,
        division,
    }
}

impl Fixture {
    fn sync(&self, entity: SimEntity) -> Vec<Record> {
        self.ds
            .sync_after(self.division, entity, 0, 100_000, None)
            .into_iter()
            .map(Record)
            .collect()
    }

    fn regular(&self, entity: SimEntity) -> Vec<Record> {
        self.ds
            .list_after(
                self.division,
                entity,
                Variant::Regular,
                None,
                100_000,
                &ListFilter::None,
                None,
            )
            .into_iter()
            .map(Record)
            .collect()
    }

    fn load_all(&self) {
        let d = self.division;
        for (entity, sim) in [
            (Entity::Items, SimEntity::Items),
            (Entity::Accounts, SimEntity::Accounts),
            (Entity::Contacts, SimEntity::Contacts),
            (Entity::Addresses, SimEntity::Addresses),
            (Entity::Documents, SimEntity::Documents),
            (Entity::DocumentAttachments, SimEntity::DocumentAttachments),
        ] {
            let records = self.sync(sim);
            let max = records.iter().filter_map(Record::timestamp).max();
            self.cache
                .apply_upserts(d, entity, &records, max, None)
                .unwrap();
        }
        self.cache
            .replace_all(d, Entity::ItemGroups, &self.regular(SimEntity::ItemGroups))
            .unwrap();
        self.cache
            .replace_all(d, Entity::Units, &self.regular(SimEntity::Units))
            .unwrap();
    }

    fn search_items(&self, text: &str) -> Vec<String> {
        self.cache
            .items(&ItemQuery {
                division: self.division,
                search: Some(text.into()),
                limit: 1000,
                ..ItemQuery::default()
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    fn search_accounts(&self, text: &str) -> Vec<String> {
        self.cache
            .accounts(&AccountQuery {
                division: self.division,
                search: Some(text.into()),
                limit: 1000,
                ..AccountQuery::default()
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }
}

fn record(value: Value) -> Record {
    match value {
        Value::Object(map) => Record(map),
        other => panic!("not an object: {other}"),
    }
}

fn with(r: &Record, name: &str, value: Value) -> Record {
    let mut r = r.clone();
    r.0.insert(name.into(), value);
    r
}

fn schema(path: &Path) -> Vec<(String, String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
}

#[test]
fn database_upgraded_step_by_step_equals_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    drop(Cache::open(&fresh).unwrap());
    for start in 1..MIGRATIONS.len() {
        let stepped = dir.path().join(format!("stepped-{start}.sqlite"));
        for version in 1..=start {
            migrate_to(&stepped, version).unwrap();
        }
        drop(Cache::open(&stepped).unwrap());
        assert_eq!(
            schema(&stepped),
            schema(&fresh),
            "a database at version {start} upgraded by open() must equal a fresh one"
        );
    }
    let tables = schema(&fresh);
    assert!(
        tables.iter().any(|t| t.1 == "items_fts") && tables.iter().any(|t| t.1 == "accounts"),
        "the fresh schema has every table"
    );
}

#[test]
fn migration_7_compresses_stored_attributes_and_reads_return_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.sqlite");
    migrate_to(&path, 6).unwrap();
    // Rows as a version-6 cache holds them: attribute JSON as TEXT.
    let item = r#"{"ID":"11111111-1111-1111-1111-111111111111","Code":"  A1 ","Price":1.10,"Naam":"Zoë – €"}"#;
    let account = r#"{"ID":"22222222-2222-2222-2222-222222222222","Name":"Bakkerij","X":null}"#;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO items (division, id, code, attributes) VALUES (7, ?1, 'A1', ?2)",
            ["11111111-1111-1111-1111-111111111111", item],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO accounts (division, id, name, attributes) VALUES (7, ?1, 'Bakkerij', ?2)",
            ["22222222-2222-2222-2222-222222222222", account],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO divisions (code, description, attributes) VALUES (7, 'D', NULL)",
            [],
        )
        .unwrap();
    }
    let cache = Cache::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    for table in ["items", "accounts"] {
        let kind: String = conn
            .query_row(
                &format!("SELECT typeof(attributes) FROM {table}"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kind, "blob", "{table} attributes converted");
    }
    let division: Option<String> = conn
        .query_row("SELECT attributes FROM divisions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(division, None, "NULL stays NULL");
    let got = cache
        .item(7, "11111111-1111-1111-1111-111111111111")
        .unwrap()
        .unwrap();
    assert_eq!(got.attributes, item);
    let got = cache
        .account(7, "22222222-2222-2222-2222-222222222222")
        .unwrap()
        .unwrap();
    assert_eq!(got.attributes, account);
    let mut exported = Vec::new();
    cache
        .export(7, Entity::Items, &mut |j| {
            exported.push(j.to_string());
            Ok(())
        })
        .unwrap();
    assert_eq!(exported, [item]);
}

#[test]
fn upserts_and_cursor_commit_together_and_a_failing_batch_changes_nothing() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let (first, rest) = items.split_at(100);
    f.cache
        .apply_upserts(f.division, Entity::Items, first, Some(100), Some(1))
        .unwrap();
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 100);
    assert_eq!(f.cache.cursor(f.division, "Items").unwrap(), Some(100));
    let renamed = with(&first[0], "Description", json!("Zeldzaamwoord special"));
    let no_id = with(&rest[1], "ID", Value::Null);
    let batch = vec![rest[0].clone(), renamed, no_id, rest[2].clone()];
    let err = f
        .cache
        .apply_upserts(f.division, Entity::Items, &batch, Some(999), Some(2))
        .unwrap_err();
    assert!(
        matches!(err, Error::MissingId { index: 2, .. }),
        "got {err}"
    );
    assert_eq!(
        f.cache.count(f.division, Entity::Items).unwrap(),
        100,
        "rows before the bad record were rolled back"
    );
    assert_eq!(
        f.cache.cursor(f.division, "Items").unwrap(),
        Some(100),
        "the cursor did not move past uncommitted rows"
    );
    assert!(
        f.search_items("Zeldzaamwoord").is_empty(),
        "the FTS change was rolled back too"
    );
    let id0 = first[0].id().unwrap();
    let stored = f.cache.item(f.division, &id0).unwrap().unwrap();
    assert_eq!(
        stored.summary.description.as_deref(),
        first[0].str("Description")
    );

    // A lower cursor never moves it back.
    f.cache
        .apply_upserts(f.division, Entity::Items, rest, Some(50), None)
        .unwrap();
    assert_eq!(f.cache.cursor(f.division, "Items").unwrap(), Some(100));
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 300);
}

#[test]
fn an_id_repeated_in_one_batch_with_new_text_is_indexed_once_with_the_last_text() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let first = with(&items[0], "Description", json!("Eerstewoord"));
    let last = with(&items[0], "Description", json!("Laatstewoord"));
    f.cache
        .apply_upserts(f.division, Entity::Items, &[first, last], None, None)
        .unwrap();
    assert!(f.search_items("Eerstewoord").is_empty());
    assert_eq!(f.search_items("Laatstewoord"), [items[0].id().unwrap()]);
    let accounts = f.sync(SimEntity::Accounts);
    let first = with(&accounts[0], "Name", json!("Eerstenaam"));
    let last = with(&accounts[0], "Name", json!("Laatstenaam"));
    let batch = [accounts[0].clone(), first, last];
    f.cache
        .apply_upserts(f.division, Entity::Accounts, &batch, None, None)
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
        .apply_upserts(f.division, Entity::Items, &twice, Some(5), None)
        .unwrap();
    f.cache
        .apply_upserts(f.division, Entity::Items, &items[..50], Some(5), None)
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
        )
        .unwrap();
    assert_eq!(n, 2, "two rows existed; the unknown id is fine");
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 299);
    assert!(f.cache.item(f.division, &gone_item).unwrap().is_none());
    assert!(
        f.cache
            .account(f.division, &gone_account)
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
        .apply_upserts(f.division, Entity::Items, &items, None, Some(1))
        .unwrap();
    f.cache
        .apply_upserts(f.division, Entity::Items, &items[..120], None, Some(2))
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
fn search_finds_items_by_code_prefix_description_word_and_barcode() {
    let f = fixture();
    f.load_all();
    let items = f.sync(SimEntity::Items);
    let item = items.iter().find(|r| r.str("Barcode").is_some()).unwrap();
    let id = item.id().unwrap();
    let code = item.str("Code").unwrap();
    let prefix: String = code.chars().take(code.chars().count().max(2) - 1).collect();
    assert!(
        f.search_items(&prefix).contains(&id),
        "code prefix {prefix:?} of {code:?}"
    );
    let word = item
        .str("Description")
        .unwrap()
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_lowercase();
    assert!(
        f.search_items(&word).contains(&id),
        "description word {word:?}"
    );
    assert!(
        f.search_items(item.str("Barcode").unwrap()).contains(&id),
        "barcode"
    );
    assert!(f.search_items("qqqnotaword").is_empty());
    for hostile in [
        "\"unterminated OR -* :( NEAR",
        "-",
        "*",
        "a:b",
        "((",
        "NOT",
        "'; DROP TABLE items; --",
    ] {
        let page = f.cache.items(&ItemQuery {
            division: f.division,
            search: Some(hostile.into()),
            ..ItemQuery::default()
        });
        assert!(page.is_ok(), "{hostile:?} must not fail: {page:?}");
        f.cache
            .accounts(&AccountQuery {
                division: f.division,
                search: Some(hostile.into()),
                ..AccountQuery::default()
            })
            .unwrap();
    }
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 300);
}

#[test]
fn item_search_stays_in_its_division_and_counts_what_it_lists() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let other = f.division + 1;
    f.cache
        .apply_upserts(f.division, Entity::Items, &items, None, None)
        .unwrap();
    // The same records in a second division, minus the first ten.
    f.cache
        .apply_upserts(other, Entity::Items, &items[10..], None, None)
        .unwrap();
    let code = items[0].str("Code").unwrap().trim().to_owned();
    let search = |division: i32, text: &str, sales: Option<bool>| {
        f.cache
            .items(&ItemQuery {
                division,
                search: Some(text.into()),
                sales,
                limit: 1000,
                ..ItemQuery::default()
            })
            .unwrap()
    };
    let here = search(f.division, &code, None);
    assert!(here.rows.iter().any(|r| r.id == items[0].id().unwrap()));
    assert!(here.rows.iter().all(|r| r.division == f.division));
    assert_eq!(here.total, here.rows.len() as u64);
    let there = search(other, &code, None);
    assert!(there.rows.iter().all(|r| r.division == other));
    assert!(!there.rows.iter().any(|r| r.id == items[0].id().unwrap()));
    assert_eq!(there.total, there.rows.len() as u64);
    // A broad prefix: each division counts its own rows only.
    let prefix: String = code.chars().take(1).collect();
    let broad_here = search(f.division, &prefix, None);
    let broad_there = search(other, &prefix, None);
    assert_eq!(broad_here.total, broad_here.rows.len() as u64);
    assert_eq!(broad_there.total, broad_there.rows.len() as u64);
    assert!(broad_here.total > broad_there.total);
    // The division's token is not searchable text.
    assert_eq!(
        search(f.division, &format!("d{}", f.division), None).total,
        0
    );
    // With a filter the count comes from the rows and agrees with the list.
    let sales = search(f.division, &prefix, Some(true));
    assert_eq!(sales.total, sales.rows.len() as u64);
    assert!(sales.rows.iter().all(|r| r.is_sales));
    // A deleted row leaves the index: the count follows.
    let code10 = items[10].str("Code").unwrap().trim().to_owned();
    let before = search(other, &code10, None).total;
    f.cache
        .apply_deletions(other, &[(Entity::Items, items[10].id().unwrap())], 1)
        .unwrap();
    let after = search(other, &code10, None);
    assert_eq!(after.total, before - 1);
    assert_eq!(after.total, after.rows.len() as u64);
}

#[test]
fn account_search_stays_in_its_division_and_counts_what_it_lists() {
    let f = fixture();
    let account = |id: &str, name: &str| {
        record(json!({ "ID": id, "Name": name, "Status": "C", "Timestamp": 1 }))
    };
    let here = [
        account("aaaaaaaa-0000-0000-0000-000000000001", "Molenaar Bouw"),
        account("aaaaaaaa-0000-0000-0000-000000000002", "Molen Brood"),
        account("aaaaaaaa-0000-0000-0000-000000000003", "Visser"),
    ];
    let there = [account(
        "aaaaaaaa-0000-0000-0000-000000000004",
        "Molen Elders",
    )];
    f.cache
        .apply_upserts(f.division, Entity::Accounts, &here, None, None)
        .unwrap();
    f.cache
        .apply_upserts(f.division + 1, Entity::Accounts, &there, None, None)
        .unwrap();
    let page = |division: i32, text: &str, kind: Option<AccountKind>| {
        f.cache
            .accounts(&AccountQuery {
                division,
                search: Some(text.into()),
                kind,
                ..AccountQuery::default()
            })
            .unwrap()
    };
    let found = page(f.division, "mol", None);
    assert_eq!(found.total, 2);
    assert_eq!(found.rows.len(), 2);
    let elsewhere = page(f.division + 1, "mol", None);
    assert_eq!(elsewhere.total, 1);
    assert_eq!(elsewhere.rows[0].name.as_deref(), Some("Molen Elders"));
    let filtered = page(f.division, "mol", Some(AccountKind::Supplier));
    assert_eq!((filtered.total, filtered.rows.len()), (0, 0));
}

#[test]
fn account_search_follows_contact_names() {
    let f = fixture();
    let account = record(json!({
        "ID": "aaaaaaaa-0000-0000-0000-000000000001", "Code": "              4711",
        "Name": "Bakkerij De Molen", "City": "Utrecht", "Status": "C", "Timestamp": 10
    }));
    let contact = |id: &str, name: &str| {
        record(json!({
            "ID": id, "Account": "AAAAAAAA-0000-0000-0000-000000000001",
            "FullName": name, "Timestamp": 11
        }))
    };
    // The contact arrives before its account.
    f.cache
        .apply_upserts(
            f.division,
            Entity::Contacts,
            &[contact(
                "cccccccc-0000-0000-0000-000000000001",
                "Griet Wijnaendts",
            )],
            Some(11),
            None,
        )
        .unwrap();
    f.cache
        .apply_upserts(f.division, Entity::Accounts, &[account], Some(10), None)
        .unwrap();
    let id = "aaaaaaaa-0000-0000-0000-000000000001".to_string();
    assert_eq!(f.search_accounts("wijnaend"), vec![id.clone()]);
    assert_eq!(f.search_accounts("4711"), vec![id.clone()], "trimmed code");
    assert_eq!(
        f.search_accounts("molen utrecht"),
        vec![id.clone()],
        "terms are ANDed across columns"
    );
    f.cache
        .apply_upserts(
            f.division,
            Entity::Contacts,
            &[contact("cccccccc-0000-0000-0000-000000000002", "Ödön Élan")],
            None,
            None,
        )
        .unwrap();
    assert_eq!(
        f.search_accounts("odon"),
        vec![id.clone()],
        "diacritics are folded"
    );
    f.cache
        .apply_upserts(
            f.division,
            Entity::Contacts,
            &[contact(
                "cccccccc-0000-0000-0000-000000000001",
                "Griet Jansen",
            )],
            None,
            None,
        )
        .unwrap();
    assert!(
        f.search_accounts("wijnaend").is_empty(),
        "a renamed contact's old name is gone"
    );
    assert_eq!(f.search_accounts("jansen"), vec![id.clone()]);
    f.cache
        .apply_deletions(
            f.division,
            &[(
                Entity::Contacts,
                "cccccccc-0000-0000-0000-000000000001".into(),
            )],
            12,
        )
        .unwrap();
    assert!(
        f.search_accounts("jansen").is_empty(),
        "a deleted contact's name is gone"
    );
    let detail = f.cache.account(f.division, &id).unwrap().unwrap();
    assert_eq!(detail.contacts.len(), 1);
    assert_eq!(detail.summary.code.as_deref(), Some("4711"));

    // A contact moved to another account is found through its new account only.
    let other = record(json!({
        "ID": "aaaaaaaa-0000-0000-0000-000000000002", "Code": "4712",
        "Name": "Slagerij Van Dam", "City": "Gouda", "Status": "C", "Timestamp": 13
    }));
    f.cache
        .apply_upserts(f.division, Entity::Accounts, &[other], None, None)
        .unwrap();
    let mut moved = contact("cccccccc-0000-0000-0000-000000000002", "Ödön Élan");
    moved.0.insert(
        "Account".into(),
        json!("aaaaaaaa-0000-0000-0000-000000000002"),
    );
    f.cache
        .apply_upserts(f.division, Entity::Contacts, &[moved], None, None)
        .unwrap();
    assert_eq!(
        f.search_accounts("odon"),
        vec!["aaaaaaaa-0000-0000-0000-000000000002".to_string()],
        "the contact follows its account"
    );
    // Another division's contacts never match.
    f.cache
        .apply_upserts(
            f.division + 1,
            Entity::Contacts,
            &[contact(
                "cccccccc-0000-0000-0000-000000000009",
                "Zweitdivision Pers",
            )],
            None,
            None,
        )
        .unwrap();
    assert!(f.search_accounts("zweitdivision").is_empty());

    f.load_all();
    let contacts = f.sync(SimEntity::Contacts);
    let c = contacts
        .iter()
        .find(|c| c.str("FullName").is_some() && c.guid("Account").is_some())
        .unwrap();
    let last = c.str("LastName").or(c.str("FullName")).unwrap();
    assert!(
        f.search_accounts(last)
            .contains(&c.guid("Account").unwrap()),
        "{last:?}"
    );
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
        .apply_upserts(f.division, Entity::Accounts, &batch, None, None)
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
        .account(f.division, &odd.id().unwrap())
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
fn details_join_units_groups_documents_and_attachments() {
    let f = fixture();
    f.load_all();
    let docs = f.sync(SimEntity::Documents);
    let attachments = f.sync(SimEntity::DocumentAttachments);
    let doc = docs
        .iter()
        .find(|d| {
            d.guid("Item").is_some() && attachments.iter().any(|a| a.guid("Document") == d.id())
        })
        .unwrap();
    let item = f
        .cache
        .item(f.division, &doc.guid("Item").unwrap())
        .unwrap()
        .unwrap();
    let shown = item
        .documents
        .iter()
        .find(|d| Some(&d.id) == doc.id().as_ref())
        .unwrap();
    assert!(
        !shown.attachments.is_empty(),
        "the document's attachments are listed"
    );
    assert!(item.unit.is_some(), "unit {:?} resolved", item.summary.unit);
    assert!(
        item.group.is_some(),
        "group {:?} resolved",
        item.summary.item_group
    );
    let attrs: Record = serde_json::from_str(&item.attributes).unwrap();
    assert!(
        attrs.len() >= 100,
        "all attributes kept, got {}",
        attrs.len()
    );

    let addresses = f.sync(SimEntity::Addresses);
    let account_id = addresses[0].guid("Account").unwrap();
    let account = f.cache.account(f.division, &account_id).unwrap().unwrap();
    assert!(!account.addresses.is_empty());
    let mains = account.addresses.iter().take_while(|a| a.main).count();
    assert!(
        account.addresses[mains..].iter().all(|a| !a.main),
        "main addresses first"
    );
}

#[test]
fn list_filters_sort_and_page() {
    let f = fixture();
    f.load_all();
    let q = ItemQuery {
        division: f.division,
        limit: 50,
        ..ItemQuery::default()
    };
    let page = f.cache.items(&q).unwrap();
    assert_eq!(page.total, 300);
    assert_eq!(page.rows.len(), 50);
    let codes: Vec<String> = page
        .rows
        .iter()
        .map(|r| r.code.clone().unwrap_or_default().to_lowercase())
        .collect();
    assert!(codes.windows(2).all(|w| w[0] <= w[1]), "sorted by code");
    let sales = f
        .cache
        .items(&ItemQuery {
            sales: Some(true),
            ..q.clone()
        })
        .unwrap();
    let not_sales = f
        .cache
        .items(&ItemQuery {
            sales: Some(false),
            ..q.clone()
        })
        .unwrap();
    assert_eq!(sales.total + not_sales.total, 300);
    assert!(sales.rows.iter().all(|r| r.is_sales));
    let pics = f
        .cache
        .items(&ItemQuery {
            has_picture: Some(true),
            limit: 1000,
            ..q.clone()
        })
        .unwrap();
    assert!(
        pics.total > 0 && pics.total < 300,
        "about half the items have a picture: {}",
        pics.total
    );
    assert!(pics.rows.iter().all(|r| {
        r.picture_url
            .as_deref()
            .is_some_and(|u| !u.contains("placeholder"))
    }));
    let newest = f
        .cache
        .items(&ItemQuery {
            sort: ItemSort::Modified,
            descending: true,
            ..q.clone()
        })
        .unwrap();
    assert!(
        newest
            .rows
            .windows(2)
            .all(|w| w[0].modified_ms >= w[1].modified_ms)
    );
    let second = f
        .cache
        .items(&ItemQuery {
            offset: 50,
            ..q.clone()
        })
        .unwrap();
    assert_ne!(second.rows[0].id, page.rows[0].id);

    let customers = f
        .cache
        .accounts(&AccountQuery {
            division: f.division,
            kind: Some(AccountKind::Customer),
            limit: 1000,
            ..AccountQuery::default()
        })
        .unwrap();
    assert!(
        customers
            .rows
            .iter()
            .all(|a| a.status.as_deref() == Some("C"))
    );
    let all = f
        .cache
        .accounts(&AccountQuery {
            division: f.division,
            ..AccountQuery::default()
        })
        .unwrap();
    assert_eq!(all.total, 60);
    assert!(customers.total < all.total);
    let other_division = f
        .cache
        .items(&ItemQuery {
            division: f.division + 1,
            ..q
        })
        .unwrap();
    assert_eq!(other_division.total, 0, "divisions are separate");
}

#[test]
fn exclusions_keep_their_cause_until_a_full_resync() {
    let f = fixture();
    let d = f.division;
    f.cache
        .apply_upserts(d, Entity::Items, &f.sync(SimEntity::Items), Some(42), None)
        .unwrap();
    f.cache
        .exclude_property(
            d,
            "Items",
            "Barcode",
            ExclusionCause::Refused,
            "400: 'Barcode'",
        )
        .unwrap();
    f.cache
        .exclude_property(
            d,
            "Documents",
            "Body",
            ExclusionCause::TooLarge,
            "500: error",
        )
        .unwrap();
    assert_eq!(
        f.cache.exclusion_causes(d, "Documents").unwrap(),
        [("Body".to_owned(), ExclusionCause::TooLarge)]
    );
    assert_eq!(
        f.cache.excluded_properties(d, "Items").unwrap(),
        ["Barcode"]
    );
    let all = f.cache.all_excluded_properties().unwrap();
    let causes: Vec<_> = all.iter().map(|x| (x.property.as_str(), x.cause)).collect();
    assert_eq!(
        causes,
        [
            ("Body", ExclusionCause::TooLarge),
            ("Barcode", ExclusionCause::Refused)
        ]
    );
    let status = f.cache.status().unwrap();
    let of = |entity: &str| {
        status
            .iter()
            .find(|s| s.division == d && s.entity == entity)
            .unwrap()
    };
    assert_eq!(
        (
            of("Documents").excluded.clone(),
            of("Documents").too_large.clone()
        ),
        (vec!["Body".to_owned()], vec!["Body".to_owned()])
    );
    assert_eq!(of("Items").excluded, ["Barcode"]);
    assert!(of("Items").too_large.is_empty(), "refused, not too large");

    // A property refused later keeps only its latest cause.
    f.cache
        .exclude_property(
            d,
            "Documents",
            "Body",
            ExclusionCause::Refused,
            "400: 'Body'",
        )
        .unwrap();
    assert_eq!(
        f.cache.exclusion_causes(d, "Documents").unwrap(),
        [("Body".to_owned(), ExclusionCause::Refused)]
    );

    f.cache.begin_full_resync(d, 1_000, 1).unwrap();
    assert!(
        f.cache.all_excluded_properties().unwrap().is_empty(),
        "a full resync asks for every property again"
    );
}

#[test]
fn status_runs_and_division_move_dates_round_trip() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    f.cache
        .apply_upserts(f.division, Entity::Items, &items, Some(42), None)
        .unwrap();
    let run = f.cache.start_run("manual", 1_000).unwrap();
    let result = EntityResult {
        division: f.division,
        entity: "Items".into(),
        rows_upserted: 300,
        rows_deleted: 2,
        calls: 1,
        error: Some("daily limit reached; resumes tomorrow".into()),
        set_aside: 3,
        without: vec!["Body".into(), "Notes".into()],
        too_large: vec!["Body".into()],
    };
    f.cache.record_entity_result(run, &result).unwrap();
    f.cache.finish_run(run, 2_000, "failed").unwrap();
    let runs = f.cache.runs(10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome.as_deref(), Some("failed"));
    assert_eq!(runs[0].finished_ms, Some(2_000));
    assert_eq!(runs[0].entities, vec![result.clone()]);
    assert!(matches!(
        f.cache.finish_run(run + 1, 1, "ok"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        f.cache.record_entity_result(run + 1, &result),
        Err(Error::NotFound { .. })
    ));

    let status = f.cache.status().unwrap();
    let items_status = status
        .iter()
        .find(|s| s.division == f.division && s.entity == "Items")
        .unwrap();
    assert_eq!(items_status.rows, Some(300));
    assert_eq!(items_status.cursor, Some(42));
    assert_eq!(items_status.last_run, Some(run));
    assert_eq!(items_status.last_error, result.error);
    assert!(
        status
            .iter()
            .any(|s| s.entity == DELETED_CURSOR && s.rows.is_none())
    );

    let div = f.ds.division_record(f.division).unwrap();
    f.cache.upsert_divisions(&[Record(div)]).unwrap();
    assert_eq!(f.cache.division_move_date(f.division).unwrap(), None);
    f.cache
        .set_division_move_date(f.division, Some("/Date(1700000000000)/"))
        .unwrap();
    f.cache
        .upsert_divisions(&[Record(f.ds.division_record(f.division).unwrap())])
        .unwrap();
    assert_eq!(
        f.cache.division_move_date(f.division).unwrap().as_deref(),
        Some("/Date(1700000000000)/"),
        "refreshing divisions keeps the move date the engine acted on"
    );
    assert!(f.cache.size_on_disk().unwrap() > 0);
}

#[test]
fn readers_see_committed_rows_while_another_handle_writes() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let writer = f.cache.clone();
    let batch = items.clone();
    let division = f.division;
    let handle = std::thread::spawn(move || {
        for (i, chunk) in batch.chunks(30).enumerate() {
            writer
                .apply_upserts(division, Entity::Items, chunk, Some(i as i64 + 1), None)
                .unwrap();
        }
    });
    let mut last = 0;
    while !handle.is_finished() {
        let n = f.cache.count(division, Entity::Items).unwrap();
        assert!(
            n >= last && n.is_multiple_of(30),
            "readers see whole batches only ({n})"
        );
        last = n;
    }
    handle.join().unwrap();
    assert_eq!(f.cache.count(division, Entity::Items).unwrap(), 300);
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
            .apply_upserts(f.division, *entity, records, None, None)
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
            .apply_prepared(f.division, *entity, &rows, None, None)
            .unwrap();
    }
    assert_eq!(
        contents(&prepared_path, &prepared, f.division),
        contents(&whole_path, &whole, f.division)
    );
}

#[test]
fn an_account_detail_names_the_records_its_guids_point_to() {
    let f = fixture();
    let parent = record(json!({
        "ID": "aaaaaaaa-0000-0000-0000-0000000000a1", "Code": " 100 ",
        "Name": "Holding Jansen", "Status": "C", "Timestamp": 1
    }));
    let main_contact = "cccccccc-0000-0000-0000-0000000000c1";
    let child = record(json!({
        "ID": "aaaaaaaa-0000-0000-0000-0000000000a2", "Code": "101", "Name": "Jansen Winkel",
        "Status": "C", "Timestamp": 2,
        // Exact writes GUIDs in either case; the cache keeps them lower case.
        "Parent": "AAAAAAAA-0000-0000-0000-0000000000A1",
        "MainContact": main_contact,
        // An accountant the cache does not hold: nothing to name it by.
        "Accountant": "aaaaaaaa-0000-0000-0000-0000000000ff",
    }));
    f.cache
        .apply_upserts(f.division, Entity::Accounts, &[parent, child], None, None)
        .unwrap();
    let mut person = record(json!({
        "ID": main_contact, "FullName": "Griet Jansen", "Timestamp": 3,
        "Account": "aaaaaaaa-0000-0000-0000-0000000000a2",
    }));
    person.0.insert("IsMainContact".into(), json!(true));
    f.cache
        .apply_upserts(f.division, Entity::Contacts, &[person], None, None)
        .unwrap();

    let detail = f
        .cache
        .account(f.division, "aaaaaaaa-0000-0000-0000-0000000000a2")
        .unwrap()
        .unwrap();
    assert_eq!(
        detail.links,
        vec![
            LinkRow {
                property: "Parent".into(),
                code: Some("100".into()),
                name: Some("Holding Jansen".into())
            },
            LinkRow {
                property: "MainContact".into(),
                code: None,
                name: Some("Griet Jansen".into())
            },
        ]
    );
    // An account without links has none.
    let detail = f
        .cache
        .account(f.division, "aaaaaaaa-0000-0000-0000-0000000000a1")
        .unwrap()
        .unwrap();
    assert!(detail.links.is_empty(), "{:?}", detail.links);
}
