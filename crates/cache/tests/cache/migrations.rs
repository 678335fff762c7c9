//! Migrations: an upgraded database equals a fresh one, and migration 7 keeps the stored text.

use std::path::Path;

use offline_cache::{Cache, Entity, MIGRATIONS, migrate_to};

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
        .item(
            7,
            "11111111-1111-1111-1111-111111111111",
            crate::support::now(),
        )
        .unwrap()
        .unwrap();
    assert_eq!(got.attributes, item);
    let got = cache
        .account(
            7,
            "22222222-2222-2222-2222-222222222222",
            crate::support::now(),
        )
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
