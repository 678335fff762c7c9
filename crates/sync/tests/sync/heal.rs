//! A property Exact refuses in `$select` is left out and the read goes on; the exclusion is
//! remembered, shown, and asked again by a full resync.

use crate::support::*;
use offline_cache::Entity;
use offline_sync::{ErrorCode, Outcome, SyncOptions};
use serde_json::json;

/// A property of items that the engine selects but does not need for its own columns.
fn optional_item_property() -> &'static str {
    let plan = offline_sync::plan::PLANS
        .iter()
        .find(|p| p.entity == Entity::Items)
        .unwrap();
    let columns = Entity::Items.column_properties();
    plan.properties()
        .into_iter()
        .find(|p| !columns.contains(p) && !p.starts_with("Picture") && *p != "Modified")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_property_is_left_out_until_a_full_resync() {
    let h = start(small()).await;
    let d = h.division();
    let property = optional_item_property();
    let refuse = json!({"rules": [
        {"path": "sync/Logistics/Items", "kind": "refuse_property", "property": property}
    ]});
    h.admin("faults", refuse.clone()).await;

    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let items = outcome(&report, "Items");
    assert_eq!(items.without, [property]);
    assert_eq!(items.rows_upserted, 2_300);
    assert_eq!(items.calls, 3 + 1, "three pages and the refused call");
    assert_eq!(h.cache.excluded_properties(d, "Items").unwrap(), [property]);
    let status = h.cache.status(crate::support::now()).unwrap();
    let row = status
        .iter()
        .find(|s| s.division == d && s.entity == "Items")
        .unwrap();
    assert_eq!(row.excluded, [property]);
    let runs = h.cache.runs(1).unwrap();
    let recorded = runs[0]
        .entities
        .iter()
        .find(|e| e.entity == "Items")
        .unwrap();
    assert_eq!(recorded.without, [property]);
    let cached = h.cached(d, Entity::Items);
    assert!(cached.values().all(|r| r.get(property).is_none()));
    assert!(cached.values().all(|r| r.get("Code").is_some()));
    assert!(
        report
            .entities
            .iter()
            .all(|e| e.entity == "Items" || e.without.is_empty()),
        "only Items is read without it"
    );

    // The next run does not ask for it: no refused call.
    let again = h.run(&h.options()).await;
    let items = outcome(&again, "Items");
    assert_eq!(items.calls, 1);
    assert_eq!(items.without, [property]);

    // A full resync asks again; Exact still refuses it, so it is left out again.
    let full = SyncOptions {
        full: true,
        ..h.options()
    };
    let report = h.run(&full).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    assert_eq!(outcome(&report, "Items").without, [property]);

    // Exact accepts it now: the next full resync reads it, and the copy is whole again.
    h.admin("faults", json!({"rules": []})).await;
    let report = h.run(&full).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    assert!(outcome(&report, "Items").without.is_empty());
    assert!(h.cache.excluded_properties(d, "Items").unwrap().is_empty());
    h.assert_equal(d).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_property_the_app_needs_fails_only_its_entity() {
    let h = start(small()).await;
    h.admin(
        "faults",
        json!({"rules": [{"path": "sync/Logistics/Items", "kind": "refuse_property", "property": "Code"}]}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Partial, "{report:#?}");
    let items = outcome(&report, "Items");
    let (code, message) = items.error.clone().unwrap();
    assert_eq!(code, ErrorCode::Refused);
    assert!(message.contains("'Code'"), "{message}");
    assert!(
        items.without.is_empty(),
        "no second try: the app cannot do without Code"
    );
    assert!(
        h.cache
            .excluded_properties(h.division(), "Items")
            .unwrap()
            .is_empty()
    );
    assert_eq!(outcome(&report, "Accounts").error, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_deleted_log_filter_falls_back_to_the_whole_log() {
    let h = start(small()).await;
    let d = h.division();
    h.admin(
        "faults",
        json!({"rules": [{"path": "sync/Deleted", "kind": "status", "status": 400, "count": 1}]}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let deleted = outcome(&report, "Deleted");
    assert_eq!(deleted.without, ["EntityType"]);
    assert_eq!(
        h.cache.excluded_properties(d, "Deleted").unwrap(),
        ["EntityType"]
    );

    // Unfiltered from now on: deletions still arrive, and nothing is refused again.
    h.admin(
        "mutate",
        json!({"division": d, "entity": "Items", "delete": 4}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let deleted = outcome(&report, "Deleted");
    assert_eq!((deleted.rows_deleted, deleted.calls), (4, 1));
    h.assert_equal(d).await;

    // A full resync tries the filter again.
    let full = SyncOptions {
        full: true,
        ..h.options()
    };
    let report = h.run(&full).await;
    assert!(outcome(&report, "Deleted").without.is_empty());
    assert!(
        h.cache
            .excluded_properties(d, "Deleted")
            .unwrap()
            .is_empty()
    );
}
