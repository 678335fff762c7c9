//! The items table: search within a division, the detail view, list filters, sort and paging.

use exact_record::Record;
use exact_sim::data::Entity as SimEntity;
use offline_cache::{AccountKind, AccountQuery, Entity, ItemQuery, ItemSort};

use crate::support::fixture;

#[test]
fn item_search_stays_in_its_division_and_counts_what_it_lists() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let other = f.division + 1;
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            &items,
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    // The same records in a second division, minus the first ten.
    f.cache
        .apply_upserts(
            other,
            Entity::Items,
            &items[10..],
            None,
            None,
            crate::support::now(),
        )
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
        .apply_deletions(
            other,
            &[(Entity::Items, items[10].id().unwrap())],
            1,
            crate::support::now(),
        )
        .unwrap();
    let after = search(other, &code10, None);
    assert_eq!(after.total, before - 1);
    assert_eq!(after.total, after.rows.len() as u64);
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
        .item(
            f.division,
            &doc.guid("Item").unwrap(),
            crate::support::now(),
        )
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
    let account = f
        .cache
        .account(f.division, &account_id, crate::support::now())
        .unwrap()
        .unwrap();
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
