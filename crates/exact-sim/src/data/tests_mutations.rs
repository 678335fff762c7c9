//! Tests of mutations, the Deleted log, and the printed figures (ignored tests).

use std::collections::BTreeSet;

use serde_json::json;

use super::tests::{cfg, keys, ts};
use super::*;

#[test]
fn update_moves_a_row_to_a_new_timestamp_once() {
    let mut ds = Dataset::new(cfg(6));
    let div = ds.division_codes()[0];
    let before = ds.dump(div, Entity::Items);
    let max_ts = ds
        .sync_after(div, Entity::Accounts, 0, usize::MAX, None)
        .iter()
        .chain(&before)
        .map(ts)
        .max()
        .expect("rows");
    let victim = before[10]["ID"].as_str().expect("id").to_string();
    let now = 1_721_000_000_000;
    let m: Mutation = serde_json::from_value(
        json!({"update": [{"ID": victim, "Description": "Nieuw", "_picture": "change"}]}),
    )
    .expect("mutation");
    let res = ds.mutate(div, Entity::Items, &m, now).expect("update");
    assert_eq!(res.updated, vec![victim.clone()]);
    let after = ds.dump(div, Entity::Items);
    assert_eq!(after.len(), before.len());
    let hits: Vec<&Record> = after.iter().filter(|r| r["ID"] == json!(victim)).collect();
    assert_eq!(hits.len(), 1, "updated row appears exactly once");
    assert!(
        ts(hits[0]) > max_ts,
        "update takes a Timestamp above every existing one"
    );
    assert_eq!(ts(after.last().expect("rows")), ts(hits[0]));
    assert_eq!(hits[0]["Description"], json!("Nieuw"));
    assert_eq!(hits[0]["Modified"], exact_date(now));
    let newer = ds.sync_after(div, Entity::Items, max_ts, 1000, None);
    assert_eq!(newer.len(), 1);
    let pic_url = hits[0]["PictureUrl"].as_str().expect("url");
    let pid = pic_url
        .split("ID=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .expect("picture id");
    assert!(
        ds.image(div, "Items", pid).is_some(),
        "new picture resolves"
    );
    let counted = ds
        .mutate(
            div,
            Entity::Accounts,
            &Mutation {
                update: UpdateSpec::Count(3),
                ..Default::default()
            },
            now,
        )
        .expect("count");
    assert_eq!(counted.updated.len(), 3);
    assert!(
        ds.mutate(
            div,
            Entity::Items,
            &serde_json::from_value(
                json!({"update": [{"ID": "00000000-0000-4000-8000-000000000000"}]})
            )
            .expect("m"),
            now
        )
        .is_err()
    );
}

#[test]
fn delete_leaves_a_deleted_row_and_removes_the_record() {
    let mut ds = Dataset::new(cfg(7));
    let div = ds.division_codes()[0];
    let victim = ds.dump(div, Entity::Contacts)[5]["ID"]
        .as_str()
        .expect("id")
        .to_string();
    let m: Mutation = serde_json::from_value(json!({"delete": [victim]})).expect("m");
    ds.mutate(div, Entity::Contacts, &m, 1_721_000_000_000)
        .expect("delete");
    assert!(
        ds.dump(div, Entity::Contacts)
            .iter()
            .all(|r| r["ID"] != json!(victim))
    );
    assert!(
        ds.get(div, Entity::Contacts, Variant::Regular, &victim, None)
            .is_none()
    );
    let deleted = ds.deleted_after(div, 0, None, 1000);
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["EntityKey"], json!(victim));
    assert_eq!(deleted[0]["EntityType"], json!(5));
    assert_eq!(keys(&deleted[0]), expected_deleted());
    assert!(ds.deleted_after(div, 0, Some(&[9]), 1000).is_empty());
    ds.mutate(
        div,
        Entity::Items,
        &Mutation {
            delete: DeleteSpec::Count(2),
            insert: 1,
            ..Default::default()
        },
        1_721_000_000_000,
    )
    .expect("m");
    assert_eq!(ds.dump(div, Entity::Items).len(), 299);
    assert_eq!(ds.deleted_after(div, 0, Some(&[9]), 1000).len(), 2);
}

fn expected_deleted() -> BTreeSet<String> {
    exact_fields::entity("Deleted")
        .expect("d")
        .properties_for("sync")
        .iter()
        .map(|p| p.name.clone())
        .collect()
}
