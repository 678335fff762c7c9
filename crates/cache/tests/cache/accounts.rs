//! The accounts table: search within a division and the links of the detail view.

use offline_cache::{AccountKind, AccountQuery, Entity, LinkRow};
use serde_json::json;

use crate::support::{fixture, record};

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
        .apply_upserts(
            f.division,
            Entity::Accounts,
            &here,
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    f.cache
        .apply_upserts(
            f.division + 1,
            Entity::Accounts,
            &there,
            None,
            None,
            crate::support::now(),
        )
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
        .apply_upserts(
            f.division,
            Entity::Accounts,
            &[parent, child],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    let mut person = record(json!({
        "ID": main_contact, "FullName": "Griet Jansen", "Timestamp": 3,
        "Account": "aaaaaaaa-0000-0000-0000-0000000000a2",
    }));
    person.0.insert("IsMainContact".into(), json!(true));
    f.cache
        .apply_upserts(
            f.division,
            Entity::Contacts,
            &[person],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();

    let detail = f
        .cache
        .account(
            f.division,
            "aaaaaaaa-0000-0000-0000-0000000000a2",
            crate::support::now(),
        )
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
        .account(
            f.division,
            "aaaaaaaa-0000-0000-0000-0000000000a1",
            crate::support::now(),
        )
        .unwrap()
        .unwrap();
    assert!(detail.links.is_empty(), "{:?}", detail.links);
}
