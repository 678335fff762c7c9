//! Mutations of the generated data show up in sync and in the Deleted log.

use std::collections::BTreeSet;

use serde_json::json;

use crate::support::{admin, client, login, page_all, small};

#[tokio::test]
async fn mutations_show_up_in_sync_and_deleted() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let d = sim.division_codes()[0];
    let first = format!("/api/v1/{d}/sync/Logistics/Items?$select=ID,Timestamp,Description");
    let (before, _) = page_all(&sim, &c, &t.access, &first).await;
    let max_ts = before
        .iter()
        .filter_map(|r| r["Timestamp"].as_i64())
        .max()
        .expect("rows");

    let result = admin(
        &sim,
        &c,
        "/_sim/mutate",
        json!({"division": d, "entity": "Items", "insert": 2, "update": 3, "delete": 1}),
    )
    .await;
    let ids = |k: &str| -> BTreeSet<String> {
        result[k]
            .as_array()
            .expect("id list")
            .iter()
            .map(|v| v.as_str().expect("id").to_string())
            .collect()
    };
    let (inserted, updated, deleted) = (ids("inserted"), ids("updated"), ids("deleted"));
    assert_eq!(
        (inserted.len(), updated.len(), deleted.len()),
        (2, 3, 1),
        "{result}"
    );

    let since = format!(
        "/api/v1/{d}/sync/Logistics/Items?$select=ID,Timestamp&$filter=Timestamp gt {max_ts}L"
    );
    let (changed, _) = page_all(&sim, &c, &t.access, &since).await;
    let changed: BTreeSet<String> = changed
        .iter()
        .map(|r| r["ID"].as_str().expect("ID").to_string())
        .collect();
    let expected: BTreeSet<String> = inserted.union(&updated).cloned().collect();
    let expected: BTreeSet<String> = expected.difference(&deleted).cloned().collect();
    assert_eq!(
        changed, expected,
        "a sync since the old max Timestamp returns exactly the inserted and updated rows"
    );

    let del = format!(
        "/api/v1/{d}/sync/Deleted?$select=EntityKey,EntityType,Timestamp&$filter=Timestamp gt 1L and EntityType eq 9"
    );
    let (log, _) = page_all(&sim, &c, &t.access, &del).await;
    let keys: BTreeSet<String> = log
        .iter()
        .map(|r| r["EntityKey"].as_str().expect("EntityKey").to_string())
        .collect();
    assert!(
        deleted.is_subset(&keys),
        "the deleted item is in sync/Deleted: {keys:?}"
    );
    assert!(
        log.iter().all(|r| r["EntityType"] == 9),
        "EntityType filter applies"
    );
}
