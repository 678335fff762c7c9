//! Tests of the data seam as the server uses it.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};

use super::*;

pub(super) fn cfg(seed: u64) -> DataConfig {
    DataConfig {
        seed,
        divisions: 3,
        items: 300,
        accounts: 120,
        contacts: None,
        addresses: None,
        documents: None,
        attachments: None,
        prices: None,
        orders: None,
        picture_share: 0.5,
        base_url: "http://127.0.0.1:9".into(),
        origin_ms: 1_719_835_200_000, // 2024-07-01T12:00Z
    }
}

pub(super) const SYNC: [Entity; 10] = [
    Entity::Items,
    Entity::Accounts,
    Entity::Contacts,
    Entity::Addresses,
    Entity::Documents,
    Entity::DocumentAttachments,
    Entity::SalesItemPrices,
    Entity::StockPositions,
    Entity::SalesOrderHeaders,
    Entity::SalesOrderLines,
];

pub(super) fn expected(e: Entity, label: &str) -> BTreeSet<String> {
    let file = match e {
        Entity::SalesOrderHeaders | Entity::SalesOrderLines => "SalesOrders",
        other => other.name(),
    };
    exact_fields::entity(file)
        .expect("field list")
        .properties_for(label)
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

pub(super) fn keys(r: &Record) -> BTreeSet<String> {
    r.keys().cloned().collect()
}

pub(super) fn ts(r: &Record) -> i64 {
    r["Timestamp"].as_i64().expect("Timestamp is a number")
}

fn page_all(ds: &Dataset, div: i32, e: Entity, page: usize) -> Vec<Record> {
    let mut out = Vec::new();
    let mut after = 1;
    loop {
        let rows = ds.sync_after(div, e, after, page, None);
        if rows.is_empty() {
            return out;
        }
        after = ts(rows.last().expect("non-empty"));
        out.extend(rows);
    }
}

#[test]
fn sync_records_have_exactly_the_sync_properties() {
    let ds = Dataset::new(cfg(1));
    let div = ds.division_codes()[0];
    for e in SYNC {
        let label = match e {
            Entity::SalesOrderHeaders => "sync_headers",
            Entity::SalesOrderLines => "sync_lines",
            _ => "sync",
        };
        let want = expected(e, label);
        let rows = ds.sync_after(div, e, 0, 50, None);
        assert!(!rows.is_empty(), "{e:?} must have rows");
        for r in &rows {
            assert_eq!(keys(r), want, "{e:?} sync record property set");
        }
    }
    assert_eq!(expected(Entity::Items, "sync").len(), 115);
    let item = &ds.list_after(div, Entity::Items, &ListPage::first(Variant::Regular, 1))[0];
    assert_eq!(
        keys(item),
        expected(Entity::Items, "regular"),
        "regular items carry StandardSalesPrice, no Timestamp"
    );
    let acc = &ds.list_after(div, Entity::Accounts, &ListPage::first(Variant::Bulk, 1))[0];
    assert_eq!(acc.len(), 164);
}

#[test]
fn generators_fill_every_property_themselves() {
    let ds = Dataset::new(cfg(2));
    let d = &ds.divisions[0];
    for e in Entity::ALL {
        for v in [Variant::Sync, Variant::Regular, Variant::Bulk] {
            let slot = (0..d.div.slots(e))
                .find(|&s| d.live(e, s))
                .expect("a live slot");
            let raw = d.render_raw(e, slot, v, None).expect("renders");
            assert!(
                fields::missing(e, v, &raw).is_empty(),
                "{e:?} {v:?} lacks {:?}",
                fields::missing(e, v, &raw)
            );
        }
    }
    let rec = ds
        .division_record(ds.division_codes()[0])
        .expect("division");
    assert_eq!(
        keys(&rec),
        exact_fields::entity("Divisions")
            .expect("d")
            .properties_for("system")
            .iter()
            .map(|p| p.name.clone())
            .collect()
    );
    assert_eq!(rec["DivisionMoveDate"], Value::Null);
    let me = ds.me_record(ds.division_codes()[1]);
    assert_eq!(
        keys(&me),
        exact_fields::entity("Me")
            .expect("me")
            .properties_for("current")
            .iter()
            .map(|p| p.name.clone())
            .collect()
    );
    assert_eq!(me["CurrentDivision"], json!(ds.division_codes()[1]));
}

#[test]
fn account_codes_are_18_wide_and_references_resolve() {
    let ds = Dataset::new(cfg(3));
    let div = ds.division_codes()[0];
    let accounts = ds.dump(div, Entity::Accounts);
    assert_eq!(accounts.len(), 120);
    for a in &accounts {
        let code = a["Code"].as_str().expect("code");
        assert_eq!(code.len(), 18, "{code:?}");
        assert!(code.starts_with(' ') && !code.ends_with(' '));
        if let Some(main) = a["MainContact"].as_str() {
            let c = ds
                .get(div, Entity::Contacts, Variant::Sync, main, None)
                .expect("main contact exists");
            assert_eq!(c["Account"], a["ID"]);
            assert_eq!(c["IsMainContact"], json!(true));
        }
    }
    let lines = ds.dump(div, Entity::SalesOrderLines);
    let headers: HashSet<String> = ds
        .dump(div, Entity::SalesOrderHeaders)
        .iter()
        .map(|h| h["OrderID"].as_str().expect("id").to_string())
        .collect();
    for l in &lines {
        assert!(
            headers.contains(l["OrderID"].as_str().expect("order")),
            "line joins a header"
        );
        assert!(
            ds.get(
                div,
                Entity::Items,
                Variant::Sync,
                l["Item"].as_str().expect("item"),
                None
            )
            .is_some()
        );
    }
    for p in ds.dump(div, Entity::StockPositions) {
        let f = |k: &str| p[k].as_f64().expect("number");
        assert_eq!(
            f("ProjectedStock"),
            f("CurrentStock") + f("PlanningIn") - f("PlanningOut")
        );
    }
    let addresses = ds.dump(div, Entity::Addresses);
    let types: HashSet<i64> = addresses
        .iter()
        .map(|a| a["Type"].as_i64().expect("type"))
        .collect();
    assert_eq!(types, HashSet::from([1, 2, 3, 4]));
}

#[test]
fn sync_paging_yields_every_row_once_in_timestamp_order() {
    let ds = Dataset::new(cfg(4));
    let div = ds.division_codes()[0];
    let mut all_ts = HashSet::new();
    for e in SYNC {
        let whole = ds.sync_after(div, e, 0, usize::MAX, None);
        let paged = page_all(&ds, div, e, 37);
        assert_eq!(whole, paged, "{e:?}: paging must equal one big page");
        assert!(
            whole.windows(2).all(|w| ts(&w[0]) < ts(&w[1])),
            "{e:?} timestamps strictly increase"
        );
        let ids: HashSet<&str> = whole
            .iter()
            .map(|r| r["ID"].as_str().expect("id"))
            .collect();
        assert_eq!(ids.len(), whole.len(), "{e:?} each row once");
        for r in &whole {
            assert!(
                all_ts.insert(ts(r)),
                "Timestamps are unique across entities"
            );
        }
    }
    let items = ds.sync_after(div, Entity::Items, 0, usize::MAX, None);
    let sorted_by_id = items
        .windows(2)
        .all(|w| w[0]["ID"].as_str() < w[1]["ID"].as_str());
    assert!(!sorted_by_id, "sync order must not simply be ID order");
}

#[test]
fn list_paging_is_id_ordered_and_complete() {
    let mut ds = Dataset::new(cfg(5));
    let div = ds.division_codes()[0];
    ds.mutate(
        div,
        Entity::Items,
        &Mutation {
            insert: 5,
            ..Default::default()
        },
        ds.divisions[0].div.origin_ms,
    )
    .expect("insert");
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = ds.list_after(
            div,
            Entity::Items,
            &ListPage {
                after_id: after.as_deref(),
                ..ListPage::first(Variant::Bulk, 60)
            },
        );
        if page.is_empty() {
            break;
        }
        after = page.last().and_then(|r| r["ID"].as_str()).map(String::from);
        seen.extend(
            page.into_iter()
                .map(|r| r["ID"].as_str().expect("id").to_string()),
        );
    }
    assert_eq!(seen.len(), 305);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "IDs ascend");
    let code = ds.dump(div, Entity::Items)[3]["Code"]
        .as_str()
        .expect("code")
        .to_string();
    let hit = ds.list_after(
        div,
        Entity::Items,
        &ListPage {
            filter: &ListFilter::CodeEq(code.clone()),
            ..ListPage::first(Variant::Regular, 60)
        },
    );
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0]["Code"], json!(code));
}

#[test]
fn same_seed_same_data_and_languages() {
    let a = Dataset::new(cfg(8));
    let b = Dataset::new(cfg(8));
    let c = Dataset::new(cfg(9));
    let div = a.division_codes()[0];
    assert_eq!(a.division_codes(), b.division_codes());
    for e in Entity::ALL {
        assert_eq!(a.dump(div, e), b.dump(div, e), "{e:?} is deterministic");
    }
    assert_ne!(
        a.dump(div, Entity::Items),
        c.dump(c.division_codes()[0], Entity::Items)
    );
    let nl = a.sync_after(div, Entity::Items, 0, 20, None);
    let en = a.sync_after(div, Entity::Items, 0, 20, Some("EN"));
    assert!(
        nl.iter()
            .zip(&en)
            .any(|(x, y)| x["Description"] != y["Description"]),
        "CustomDescriptionLanguage changes descriptions"
    );
    let codes = a.division_codes();
    assert!(codes.iter().all(|c| (100_000..10_000_000).contains(c)));
}

#[test]
fn pictures_and_attachments_resolve() {
    let ds = Dataset::new(cfg(10));
    let div = ds.division_codes()[0];
    let items = ds.dump(div, Entity::Items);
    let with = items
        .iter()
        .find(|r| !r["PictureName"].is_null())
        .expect("some items have pictures");
    let without = items
        .iter()
        .find(|r| r["PictureName"].is_null())
        .expect("some have none");
    assert_eq!(
        without["PictureUrl"],
        json!("http://127.0.0.1:9//docs/images/placeholder_item.png")
    );
    let url = with["PictureThumbnailUrl"].as_str().expect("url");
    assert!(url.contains("ThumbSize=100") && url.contains(&format!("_Division_={div}")));
    let pid = url
        .split("ID=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .expect("id");
    let spec = ds.image(div, "Items", pid).expect("picture resolves");
    assert!(
        with["PictureName"]
            .as_str()
            .expect("name")
            .ends_with(if spec.png { ".png" } else { ".jpg" })
    );
    assert!(ds.image(div, "Accounts", pid).is_none());
    for att in ds.sync_after(div, Entity::DocumentAttachments, 0, 40, None) {
        assert!(att["Attachment"].is_null());
        let file = ds
            .attachment(div, att["ID"].as_str().expect("id"))
            .expect("file");
        assert_eq!(
            file.bytes.len() as f64,
            att["FileSize"].as_f64().expect("size")
        );
    }
    let reg = &ds.list_after(
        div,
        Entity::DocumentAttachments,
        &ListPage::first(Variant::Regular, 1),
    )[0];
    assert!(
        reg["Attachment"].as_str().is_some_and(|b| !b.is_empty()),
        "regular attachments carry base64 content"
    );
}
